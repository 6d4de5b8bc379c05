"""A report by e-mail (``pos-admin report send``, docs/reports.md "E-mailed reports"): the subject
``<shop> – <title> – <period>``, a plain-text body with the filters, the summary figures and the
totals written the Turkish way, and the export attached (``NAME_FROM_TO.xlsx``), sent through the
mail server of ``[smtp]`` in pos.toml with the connection the loyalty messages use."""

from __future__ import annotations

import re
import smtplib
from collections.abc import Sequence
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr

from pos_tui.core.kernel.errors import StateError, ValidationError, os_error_text
from pos_tui.core.reports.exporting.headings import title_lines
from pos_tui.core.reports.exporting.writing import report_bytes
from pos_tui.core.reports.model import Report, format_cell
from pos_tui.i18n import _
from pos_tui.settings import Settings

MAIL_FORMATS: tuple[str, ...] = ("xlsx", "pdf", "csv")
"""The formats a report is attached in (``--format`` of ``report send``; XLSX by default)."""

_MIME = {
    "xlsx": ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "pdf": ("application", "pdf"),
    "csv": ("text", "csv"),
}
_ADDRESS = re.compile(r"[^@\s<>(),;:\"\[\]]+@[^@\s<>(),;:\"\[\]]+\.[^@\s<>(),;:\"\[\].]{2,}")


def attachment_name(report: Report, fmt: str) -> str:
    """``sales-by-day_2026-10-31_2026-10-31.xlsx``: the report's name, its first and last day."""
    return f"{report.name}_{report.period.first.isoformat()}_{report.period.last.isoformat()}.{fmt}"


def check_addresses(addresses: Sequence[str]) -> list[str]:
    """The recipients, each a plain address ``name@domain.tld``; refused with the bad one named."""
    if not addresses:
        raise ValidationError(_("Give at least one address to send the report to: --to owner@example.com"))
    out = []
    for address in addresses:
        text = address.strip()
        if not _ADDRESS.fullmatch(parseaddr(text)[1] or "-") or parseaddr(text)[1] != text:
            raise ValidationError(
                _("{address} is not an e-mail address such as owner@example.com").format(address=repr(address))
            )
        out.append(text)
    return out


def mail_body(report: Report, settings: Settings) -> str:
    """The e-mail's text: the title block, the summary figures, the totals and the notes."""
    report = report.for_people()
    language = settings.language
    lines = [settings.shop.name, *title_lines(report, settings), ""]
    if report.summary:
        lines.append(_("Summary:"))
        lines += [f"  {f.label}: {format_cell(f.value, f.kind, language)}" for f in report.summary]
        lines.append("")
    if report.totals is not None:
        lines.append(_("Totals:"))
        lines += [
            f"  {column.label}: {format_cell(value, column.kind, language)}"
            for column, value in zip(report.columns, report.totals, strict=True)
            if value is not None
        ]
        lines.append("")
    if not report.rows:
        lines += [_("The report has no rows for this period."), ""]
    lines += report.notes
    if report.notes:
        lines.append("")
    return "\n".join(lines)


def report_mail(
    report: Report,
    *,
    to: Sequence[str],
    fmt: str,
    settings: Settings,
    now: datetime,
    decimal_comma: bool = False,
) -> EmailMessage:
    """The e-mail of ``report`` to ``to`` with the ``fmt`` export attached (nothing is sent)."""
    if fmt not in MAIL_FORMATS:
        raise ValidationError(
            _("A report is sent as {choices}, not {format}").format(choices=", ".join(MAIL_FORMATS), format=repr(fmt))
        )
    recipients = check_addresses(to)
    smtp = settings.smtp
    mail = EmailMessage()
    mail["From"] = smtp.sender or settings.shop.email
    mail["To"] = ", ".join(recipients)
    mail["Subject"] = f"{settings.shop.name} – {report.title} – {report.period.label()}"
    mail["Date"] = format_datetime(now)
    domain = parseaddr(smtp.sender)[1].rpartition("@")[2] or None
    mail["Message-ID"] = make_msgid(idstring=f"pos-report-{report.name}", domain=domain)
    mail.set_content(mail_body(report, settings))
    data = report_bytes(report, fmt, settings=settings, decimal_comma=decimal_comma)
    maintype, subtype = _MIME[fmt]
    mail.add_attachment(data, maintype=maintype, subtype=subtype, filename=attachment_name(report, fmt))
    return mail


def send_report(
    report: Report,
    *,
    to: Sequence[str],
    settings: Settings,
    now: datetime,
    password: str | None,
    fmt: str = "xlsx",
    decimal_comma: bool = False,
) -> EmailMessage:
    """E-mail ``report`` (see :func:`report_mail`) through ``settings.smtp``; the message sent.

    Refused, with nothing sent: a bad address (:class:`ValidationError`), no ``[smtp]`` host or
    sender, a server that cannot be reached or refuses the login (:class:`StateError`). A server
    that refuses some recipients: :class:`StateError` naming them (the others got the e-mail)."""
    from pos_tui.core.loyalty import messages

    check_addresses(to)
    smtp = settings.smtp
    if not smtp.host or not smtp.sender:
        raise StateError(_("No mail server is configured: set host and sender under [smtp] in pos.toml"))
    mail = report_mail(report, to=to, fmt=fmt, settings=settings, now=now, decimal_comma=decimal_comma)
    try:
        client = messages.connect_smtp(smtp, password)
    except (OSError, smtplib.SMTPException) as exc:
        raise StateError(
            _("Cannot send through the mail server {host}:{port}: {error}").format(
                host=smtp.host, port=smtp.port, error=mail_error_text(exc)
            )
        ) from exc
    try:
        refused = client.send_message(mail)
    except smtplib.SMTPRecipientsRefused as exc:
        raise StateError(
            _("The mail server refused every recipient: {reason}").format(reason=messages.smtp_error_text(exc))
        ) from exc
    except (OSError, smtplib.SMTPException) as exc:
        raise StateError(
            _("The mail server {host} did not take the report: {error}").format(
                host=smtp.host, error=mail_error_text(exc)
            )
        ) from exc
    finally:
        try:
            client.quit()
        except (OSError, smtplib.SMTPException):
            client.close()
    if refused:
        reason = "; ".join(f"{who}: {messages.smtp_error_text(why)}" for who, why in refused.items())
        raise StateError(_("The report was sent, but the mail server refused {reason}").format(reason=reason))
    return mail


def mail_error_text(exc: BaseException) -> str:
    """Why talking to the mail server failed, for people: the server's own answer (``535 5.7.8
    authentication failed``), a TLS failure or the system's reason in the shop's language (never
    Python's ``[Errno 111] Connection refused``)."""
    import ssl

    from pos_tui.core.loyalty import messages

    if isinstance(exc, smtplib.SMTPResponseException | smtplib.SMTPRecipientsRefused):
        return messages.smtp_error_text(exc)
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return _("the server closed the connection")
    if isinstance(exc, ssl.SSLCertVerificationError):
        return _("the server's certificate cannot be verified")
    if isinstance(exc, ssl.SSLError):
        return _("the encrypted connection (TLS) failed")
    if isinstance(exc, smtplib.SMTPException):
        return _("the server's answer is not one a mail server gives")
    return os_error_text(exc)

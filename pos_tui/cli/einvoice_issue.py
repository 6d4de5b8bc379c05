"""``pos-admin einvoice issue | list | validate``: invoices of posted sales, the list, GİB's checks on a file.

- ``einvoice issue RECEIPT [RECEIPT…] [--customer VKN_OR_TCKN --name NAME [--tax-office] [--address]
  [--email]] | [--account CODE] [--json]``: the invoice of a posted sale (``T1/12``, a receipt number of
  this terminal, a sale id or uid), or of several sales of one account (a periodic invoice, permission
  ``einvoice``). Routed by the buyer's registration: e-Fatura when GİB's user list has them, else e-Arşiv.
  ``--json`` prints ``{id, uuid, number, profile, type, status}``.
- ``einvoice list [--status S] [--limit N] [--json]``: issued invoices, newest first.
- ``einvoice validate FILE.xml [--json]``: GİB's XSD and schematron on any invoice file, locally; exit 1
  listing every finding with its line.

Commands act as ``--user NAME`` or the first active admin, on ``--terminal`` (default: this terminal).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from pos_tui.cli.common import cli_actor, now, state
from pos_tui.cli.einvoice_common import check_email, handle_errors, os_reason
from pos_tui.cli.output import ExitCode, JsonOption, fail, info, print_json, stdout, table
from pos_tui.i18n import N_, _, ngettext

if TYPE_CHECKING:
    from pos_tui.core import einvoice

UserOption = Annotated[str | None, typer.Option("--user", help="Act as this user (default: the first active admin).")]
TerminalOption = Annotated[
    str | None, typer.Option("--terminal", help="Terminal id (default: this terminal, from pos.toml).")
]

# How a status is shown to a person (the codes stay in JSON)
STATUS_LABELS = {
    "draft": N_("draft"),
    "queued": N_("queued"),
    "sent": N_("sent"),
    "accepted": N_("accepted"),
    "rejected": N_("rejected"),
    "cancelled": N_("cancelled"),
}
# Turkish words a shop types for a status (folded), whatever the language: as the Turkish catalog shows them
_STATUS_WORDS = {
    "taslak": "draft",
    "kuyrukta": "queued",
    "sirada": "queued",
    "kuyruk": "queued",
    "gonderim sirasinda": "queued",
    "gonderildi": "sent",
    "kabul": "accepted",
    "kabul edildi": "accepted",
    "red": "rejected",
    "reddedildi": "rejected",
    "iptal": "cancelled",
    "iptal edildi": "cancelled",
}
# What a libxml2 finding (English, from the XML library) is about, by its rule kind: said first in the shop's
# language, then the library's own words (which name the element)
_XSD_KINDS = {
    "syntax": N_("the file is not well-formed XML"),
    "schemav_element_content": N_("an element is missing, extra or out of order"),
    "schemav_cvc_complex_type_2_4": N_("an element is missing, extra or out of order"),
    "schemav_cvc_datatype_valid_1_2_1": N_("a value has the wrong form"),
    "schemav_cvc_type_3_1_1": N_("a value has the wrong form"),
    "schemav_cvc_pattern_valid": N_("a value has the wrong form"),
    "schemav_cvc_enumeration_valid": N_("a value is not one of the allowed codes"),
    "schemav_cvc_minlength_valid": N_("a value is too short"),
    "schemav_cvc_maxlength_valid": N_("a value is too long"),
    "schemav_cvc_complex_type_3_2_2": N_("an attribute is not allowed here"),
    "schemav_cvc_complex_type_4": N_("a required attribute is missing"),
    "schemav_cvc_elt_1": N_("the root element is not an invoice"),
}


def finding_text(source: str, rule: str, message: str) -> str:
    """A finding's message, a libxml2 one (XML syntax, XSD) led by what it is about in the shop's language."""
    if source not in ("xml", "xsd"):
        return message
    kind = _XSD_KINDS.get(rule)
    lead = _(kind) if kind else _("GİB's XSD refuses the file")
    return _("{lead}: {message}").format(lead=lead, message=message)


# The name of the final consumer who gives no TCKN (GİB's 11111111111), as e-Arşiv invoices write it
ANONYMOUS_NAME = "Nihai Tüketici"
DEFAULT_LIMIT = 50


def register(app: typer.Typer) -> None:
    """Attach this part's commands to the ``einvoice`` group."""
    app.command("issue")(issue)
    app.command("list")(list_)
    app.command("validate")(validate)


def status_label(status: str) -> str:
    """A status in the shop's language, the till's word (core's :func:`einvoice.status_label`)."""
    from pos_tui.core import einvoice

    return einvoice.status_label(status)


def _kind(profile: str) -> str:
    return "e-Arşiv" if profile == "EARSIVFATURA" else "e-Fatura"


def _customer(
    identifier: str | None, name: str | None, tax_office: str | None, address: str | None, email: str | None
) -> einvoice.InvoiceParty | None:
    from pos_tui.core import einvoice

    if identifier is None:
        extra = [o for o, v in (("--name", name), ("--tax-office", tax_office), ("--address", address)) if v]
        extra += ["--email"] if email else []
        if extra:
            fail(
                _("{options} describe the buyer given with --customer VKN_OR_TCKN; give --customer too").format(
                    options=", ".join(extra)
                ),
                ExitCode.USAGE,
            )
        return None
    digits = identifier.strip().replace(" ", "")
    if not (name or "").strip():
        if digits != einvoice.ANONYMOUS_TCKN:
            fail(_("--customer needs the buyer's name or title: add --name"), ExitCode.USAGE)
        name = ANONYMOUS_NAME
    street, district, city = einvoice.split_address(address)
    return einvoice.InvoiceParty(
        identifier=digits,
        name=" ".join((name or "").split()),
        tax_office=(tax_office or "").strip(),
        street=street,
        district=district,
        city=city,
        email=check_email(email),
    )


@handle_errors
def issue(
    refs: Annotated[
        list[str],
        typer.Argument(
            metavar="RECEIPT_NO_OR_SALE_ID...",
            help="The sale(s): T1/12, a receipt number of this terminal, a sale id or uid; several for a"
            " periodic invoice of one account.",
        ),
    ],
    customer: Annotated[
        str | None, typer.Option("--customer", help="The buyer's VKN (10 digits) or TCKN (11 digits).")
    ] = None,
    name: Annotated[str | None, typer.Option("--name", help="The buyer's name or company title.")] = None,
    tax_office: Annotated[str | None, typer.Option("--tax-office", help="The buyer's tax office.")] = None,
    address: Annotated[
        str | None, typer.Option("--address", help='The buyer\'s address: "street, district / city".')
    ] = None,
    email: Annotated[
        str | None, typer.Option("--email", help="The buyer's e-mail (an e-Arşiv invoice is then sent by e-mail).")
    ] = None,
    account: Annotated[
        str | None, typer.Option("--account", help="Invoice to this account (its VKN/TCKN, name and address).")
    ] = None,
    user: UserOption = None,
    terminal: TerminalOption = None,
    json_: JsonOption = False,
) -> None:
    """Issue the e-Fatura or e-Arşiv invoice of posted sales."""
    from pos_tui.core import einvoice
    from pos_tui.core.kernel import format_money

    buyer = _customer(customer, name, tax_office, address, email)
    if buyer is not None and account:
        fail(_("Give the buyer with --customer or --account, not both"), ExitCode.USAGE)
    settings = state().open_db()
    actor = cli_actor(user, settings)
    done = einvoice.invoice_sales(
        refs,
        actor=actor,
        terminal=(terminal or settings.terminal_id).strip().upper(),
        now=now(),
        settings=settings,
        customer=buyer,
        account=account,
    )
    if json_:
        print_json(done.as_json())
        return
    info(
        _("{kind} invoice {number} ({profile}, {type}) was issued to {buyer}: {amount}; status: {status}.").format(
            kind=_kind(done.profile),
            number=done.number,
            profile=done.profile,
            type=done.type,
            buyer=done.customer_name,
            amount=format_money(done.payable),
            status=status_label(done.status),
        )
    )
    info(_("ETTN: {uuid}").format(uuid=done.uuid))


@handle_errors
def list_(
    status: Annotated[
        str | None,
        typer.Option(
            "--status",
            help="Only invoices in this status: draft, queued, sent, accepted, rejected, cancelled (or the Turkish"
            " words: taslak, sırada, gönderildi, kabul, reddedildi, iptal).",
        ),
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", min=0, help="Show at most this many, newest first (0: all).")
    ] = DEFAULT_LIMIT,
    json_: JsonOption = False,
) -> None:
    """Issued invoices, newest first: number, date, buyer, payable, profile, type, status."""
    from pos_tui.core import einvoice
    from pos_tui.core.kernel import format_money

    code = None
    if status is not None:
        code = _status_code(status)
    settings = state().open_db()
    found = einvoice.list_invoices(status=code, limit=limit or None, tz=settings.shop.timezone)
    if json_:
        print_json([_as_json(i, settings.shop.timezone) for i in found])
        return
    if not found:
        info(_("No invoices."))
        return
    rows = [
        (
            i.number,
            i.issued_at.strftime("%d.%m.%Y"),
            i.customer_name,
            format_money(i.payable),
            i.profile,
            i.type,
            status_label(i.status),
        )
        for i in found
    ]
    table(
        [_("Number"), _("Date"), _("Buyer"), _("Payable"), _("Profile"), _("Type"), _("Status")],
        rows,
        title=_("Invoices"),
        optional=(4, 5),
        whole=(0,),
    )


def _status_code(text: str) -> str:
    from pos_tui.text import fold

    wanted = " ".join(fold(text).split())
    for code, label in STATUS_LABELS.items():
        if wanted in (code, fold(_(label)), fold(status_label(code))):
            return code
    if wanted in _STATUS_WORDS:
        return _STATUS_WORDS[wanted]
    fail(
        _("--status: {value!r} is not a status; use one of {statuses}").format(
            value=text[:20], statuses=", ".join(STATUS_LABELS)
        ),
        ExitCode.USAGE,
    )


def _as_json(inv: einvoice.IssuedInvoice, tz: str) -> dict[str, Any]:
    from pos_tui.core.kernel import iso

    return {
        "id": inv.id,
        "uuid": inv.uuid,
        "number": inv.number,
        "date": iso(inv.issued_at, tz),
        "buyer": inv.customer_name,
        "buyer_id": inv.customer_id,
        "total": inv.payable,
        "profile": inv.profile,
        "type": inv.type,
        "status": inv.status,
    }


@handle_errors
def validate(
    file: Annotated[Path, typer.Argument(metavar="FILE.xml", help="The invoice's UBL-TR XML.")],
    json_: JsonOption = False,
) -> None:
    """Check an invoice file with GİB's XSD and schematron, locally (exit 1 when it has findings)."""
    from pos_tui.core import einvoice

    try:
        xml = file.read_bytes()
    except FileNotFoundError:
        fail(_("{file}: no such file").format(file=file))
    except IsADirectoryError:
        fail(_("{file}: is a folder, not an invoice file").format(file=file))
    except OSError as exc:
        fail(_("{file}: cannot be read ({reason})").format(file=file, reason=os_reason(exc)))
    tz = state().settings.shop.timezone
    findings = einvoice.validate(xml, today=einvoice.shop_today(tz))
    if json_:
        print_json(
            {
                "file": str(file),
                "valid": not findings,
                "findings": [
                    {"source": f.source, "rule": f.rule, "line": f.line, "message": f.message, "location": f.location}
                    for f in findings
                ],
            }
        )
    else:
        for f in findings:
            where = _("line {line}").format(line=f.line) if f.line else _("line unknown")
            stdout.print(
                _("{file}, {where}: [{source} {rule}] {message}").format(
                    file=file.name,
                    where=where,
                    source=f.source,
                    rule=f.rule,
                    message=finding_text(f.source, f.rule, f.message),
                ),
                markup=False,
            )
        if not findings:
            stdout.print(
                _("{file}: valid (GİB's XSD and schematron, and the sums, found nothing)").format(file=file.name),
                markup=False,
            )
    if findings:
        if not json_:
            count = len(findings)
            info(
                ngettext(
                    "{file}: {count} finding; GİB would refuse it",
                    "{file}: {count} findings; GİB would refuse it",
                    count,
                ).format(file=file.name, count=count)
            )
        raise typer.Exit(int(ExitCode.FAILED))

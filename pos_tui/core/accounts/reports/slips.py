"""The statement on the receipt printer: a :class:`~pos_tui.core.kernel.printable.Printable` laid
out for the paper's width (the same job the till shows as a preview). Long statements print the
last :data:`SLIP_LINES` entries after a line carrying the balance before them, so the arithmetic on
paper still adds up.
"""

from __future__ import annotations

import textwrap
from decimal import Decimal

from pos_tui.core.accounts.reports.statements import Statement
from pos_tui.core.kernel.errors import ValidationError
from pos_tui.core.kernel.formatting import format_money
from pos_tui.core.kernel.printable import Printable, PrintLine, columns
from pos_tui.i18n import _
from pos_tui.settings import Settings

SLIP_LINES = 60
WIDTHS = range(24, 81)


def _clean(text: str) -> str:
    return "".join(c if c.isprintable() else " " for c in text)


def statement_slip(s: Statement, settings: Settings, *, width: int, limit: int = SLIP_LINES) -> Printable:
    """The statement ``s`` as a slip of ``width`` characters."""
    if width not in WIDTHS:
        raise ValidationError(_("The paper width must be 24 to 80 characters, not {width}").format(width=width))
    lang = settings.language
    lines: list[PrintLine] = []

    def text(value: str, *, align: str = "left", bold: bool = False) -> None:
        for part in textwrap.wrap(_clean(value), width) or [""]:
            lines.append(PrintLine(part, align=align, bold=bold))  # type: ignore[arg-type]

    def row(left: str, right: str, *, bold: bool = False) -> None:
        lines.append(PrintLine(columns(_clean(left), _clean(right), width), bold=bold))

    def money(value: Decimal) -> str:
        return format_money(value, lang)

    shop = settings.shop
    text(shop.legal_name or shop.name, align="center", bold=True)
    if shop.address:
        text(shop.address, align="center")
    lines.append(PrintLine("-" * width))
    text(_("ACCOUNT STATEMENT"), align="center", bold=True)
    text(f"{s.party.code} {s.party.name}")
    text(f"{s.start:%d.%m.%Y} – {s.end:%d.%m.%Y}")
    lines.append(PrintLine("-" * width))
    row(_("Opening balance"), money(s.opening), bold=True)
    shown = s.lines[-limit:] if limit else s.lines
    if len(shown) < len(s.lines):
        before = shown[0].balance - shown[0].debit + shown[0].credit
        row(_("{n} earlier entries").format(n=len(s.lines) - len(shown)), money(before))
    for line in shown:
        amount = line.debit - line.credit
        mark = " *" if line.cancelled else ""
        row(f"{line.day:%d.%m.%y} {line.text}{mark}", money(amount))
        if line.document:
            row(f"  {line.document}", _("bal. {amount}").format(amount=money(line.balance)))
        else:
            row("", _("bal. {amount}").format(amount=money(line.balance)))
    lines.append(PrintLine("-" * width))
    row(_("Debits"), money(s.total_debit))
    row(_("Credits"), money(s.total_credit))
    row(_("Closing balance"), money(s.closing), bold=True)
    if any(line.cancelled for line in s.lines):
        text(_("* cancelled, with its cancellation: together zero"))
    return Printable(_("Statement {code}").format(code=s.party.code), tuple(lines), cut=True)

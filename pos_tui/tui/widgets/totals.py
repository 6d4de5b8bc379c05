"""The money side of the sale screen: the total in big digits, discounts and the KDV breakdown."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Digits, Label, Static

from pos_tui.core.cart import Cart, CartTotals
from pos_tui.core.money import ZERO, format_money
from pos_tui.i18n import _


class TotalsPanel(Vertical):
    """Total (big), item count, subtotal, discount and one row per KDV rate (base and KDV).

    The rows per rate sum exactly to the total; they are what the receipt will print.
    """

    DEFAULT_CSS = """
    TotalsPanel { height: auto; }
    TotalsPanel #total-label { color: $text-muted; }
    TotalsPanel #total { width: 1fr; text-align: right; color: $success; }
    TotalsPanel #summary, TotalsPanel #kdv { height: auto; }
    """

    def __init__(self, language: str = "en", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.language = language

    def compose(self) -> ComposeResult:
        yield Label(_("TOTAL"), id="total-label")
        yield Digits(format_money(ZERO, self.language), id="total")
        yield Static(id="summary")
        yield Static(id="kdv")

    def show(self, cart: Cart, totals: CartTotals | None = None) -> None:
        totals = totals or cart.totals()
        lang = self.language
        self.query_one("#total", Digits).update(format_money(totals.total, lang))

        summary = Table.grid(expand=True)
        summary.add_column()
        summary.add_column(justify="right")
        count = sum(1 for _ln in cart.active_lines)
        summary.add_row(_("Lines"), str(count))
        summary.add_row(_("Subtotal"), format_money(totals.subtotal, lang))
        if totals.discount:
            summary.add_row(
                Text(_("Discount"), style="green"), Text(format_money(-totals.discount, lang), style="green")
            )
        self.query_one("#summary", Static).update(summary)

        kdv = Table(box=None, expand=True, padding=(0, 0, 0, 1), show_edge=False, header_style="dim")
        kdv.add_column(_("KDV"), justify="left")
        kdv.add_column(_("Base"), justify="right")
        kdv.add_column(_("Tax"), justify="right")
        for row in totals.kdv:
            kdv.add_row(f"%{row.rate}", format_money(row.base, lang), format_money(row.kdv, lang))
        self.query_one("#kdv", Static).update(kdv if totals.kdv else "")

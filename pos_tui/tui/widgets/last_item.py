"""The last scanned item, large enough for the customer to read over the counter."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from pos_tui.core.cart import CartLine
from pos_tui.core.money import format_money, format_quantity
from pos_tui.i18n import _


class LastItemPanel(Static):
    """Name, quantity × price and line amount of the line the last scan went to."""

    DEFAULT_CSS = """
    LastItemPanel { height: auto; min-height: 3; }
    """

    def __init__(self, language: str = "en", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.language = language

    def on_mount(self) -> None:
        self.show(None)

    def show(self, line: CartLine | None) -> None:
        if line is None:
            self.update(Text(_("Scan an item or type a code"), style="dim"))
            return
        lang = self.language
        text = Text()
        text.append(line.name, style="bold")
        text.append("\n")
        qty = format_quantity(line.qty_milli, line.unit, lang)
        text.append(f"{qty} × {format_money(line.unit_price, lang)}", style="dim")
        text.append("\n")
        text.append(format_money(line.gross, lang), style="bold")
        if line.voided:
            text.append("  " + _("voided"), style="red")
        self.update(text)

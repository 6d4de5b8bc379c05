"""The last scanned item, large enough for the customer to read over the counter."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from pos_tui.core.basket import CartLine
from pos_tui.core.kernel import format_money, format_quantity
from pos_tui.i18n import _


class LastItemPanel(Static):
    """Name, quantity × price and line amount of the line the last scan went to.

    Always three lines (a long name ends in "…"; the prompt of an empty cart is padded to
    three), so a scan — the first of a sale too — repaints the panel without laying the side
    of the screen out again, and the totals below it never move."""

    LINES = 3

    DEFAULT_CSS = """
    LastItemPanel { height: auto; min-height: 3; }
    """

    def __init__(self, language: str = "en", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.language = language
        self._lines = -1
        self.set_reactive(LastItemPanel.auto_links, False)  # no links: no link styling on every scan

    def on_mount(self) -> None:
        self.show(None)

    def show(self, line: CartLine | None) -> None:
        if line is None:
            self._show(Text(_("Scan an item or type a code"), style="dim"))
            return
        lang = self.language
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(line.name, style="bold")
        text.append("\n")
        qty = format_quantity(line.qty_milli, line.unit, places=3, language=lang)
        if line.account_priced:  # the account's price, then the catalog price struck and named
            text.append(f"{qty} × ", style="dim")
            text.append(format_money(line.unit_price, lang), style="bold")
            text.append(" ")
            text.append(_("(list {price})").format(price=format_money(line.list_price, lang)), style="strike dim")
        else:
            text.append(f"{qty} × {format_money(line.unit_price, lang)}", style="dim")
        text.append("\n")
        text.append(format_money(line.gross, lang), style="bold")
        if line.voided:
            text.append("  " + _("voided"), style="red")
        self._show(text)

    def _show(self, text: Text) -> None:
        """Update without a layout pass (a few ms on every scan) unless the text takes a
        different number of lines, as a long name wrapping does."""
        short = self.LINES - (text.plain.count("\n") + 1)
        if short > 0:
            text.append("\n" * short)
        width = self.content_region.width
        if width <= 0:
            lines = -1
        elif text.no_wrap:
            lines = text.plain.count("\n") + 1  # what wrap() gives: one line per line, cut with "…"
        else:
            lines = len(text.wrap(self.app.console, width))
        self.update(text, layout=lines != self._lines or lines < 0)
        self._lines = lines

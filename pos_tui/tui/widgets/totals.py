"""The money side of the sale screen: the total in big digits, discounts and the KDV breakdown."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Digits, Label, Static

from pos_tui.core.basket import Cart, CartTotals
from pos_tui.core.kernel import ZERO, format_money
from pos_tui.i18n import _


class Rows:
    """Rows of cells laid out at render time in equal columns (the first one wider if its
    longest cell needs it): the first left-aligned, the others right-aligned; ``indent``
    spaces before each cell. A Rich ``Table`` would do, but costs milliseconds on every scan."""

    def __init__(self, rows: Sequence[Sequence[Text]], *, indent: int = 0, style: str = "") -> None:
        self.rows = rows
        self.indent = indent
        self.style = style

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(options.max_width, options.max_width)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if not self.rows:
            return
        width = options.max_width
        columns = len(self.rows[0])
        first = max(max(row[0].cell_len for row in self.rows) + self.indent, width // columns)
        rest = columns - 1
        room = max(width - first, 0)
        widths = [room // rest] * rest if rest else []
        if widths:
            widths[-1] += room - sum(widths)
        for row in self.rows:
            line = Text(" " * self.indent, style=self.style, end="")
            line.append_text(row[0])
            line.pad_right(first - line.cell_len)
            for cell, w in zip(row[1:], widths, strict=True):
                text = cell.copy()
                text.truncate(max(w - self.indent, 0), overflow="ellipsis")
                text.pad_left(w - text.cell_len)
                line.append_text(text)
            line.truncate(width)
            yield from line.render(console)
            yield Segment.line()


class Figure(Digits):
    """Big digits in a box whose size never depends on the figure: the panel's CSS gives it
    its width and digits are always three lines high. ``Digits`` asks for a new layout of the
    screen whenever the figure gets a digit longer or shorter (10,00 → 130,00); this one only
    repaints."""

    def update(self, value: str) -> None:
        if not isinstance(value, str):
            raise TypeError("value must be a str")
        self._value = value
        self.refresh()


class TotalsPanel(Vertical):
    """Total (big), item count, subtotal, discount and one row per KDV rate (base and KDV).

    The rows per rate sum exactly to the total; they are what the receipt will print.
    """

    DEFAULT_CSS = """
    TotalsPanel { height: auto; }
    TotalsPanel #total-label { color: $text-muted; }
    TotalsPanel #total { width: 1fr; height: 3; text-align: right; color: $success; }
    TotalsPanel #summary, TotalsPanel #kdv { height: auto; }
    """

    def __init__(self, language: str = "en", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.language = language
        self._rows: tuple[int, int] = (-1, -1)

    def compose(self) -> ComposeResult:
        yield Label(_("TOTAL"), id="total-label")
        figures = (Figure(format_money(ZERO, self.language), id="total"), Static(id="summary"), Static(id="kdv"))
        for widget in figures:
            # Figures have no links: Textual's link styling (a style computed for every
            # render, then every line scanned for links) is skipped on every scan.
            widget.set_reactive(Widget.auto_links, False)
        yield from figures

    def show(self, cart: Cart, totals: CartTotals | None = None) -> None:
        """Show ``cart``'s totals. A scan usually changes only figures, so the panel is laid
        out again only when a row comes or goes (a discount, a new KDV rate)."""
        totals = totals or cart.totals()
        lang = self.language
        self.query_one("#total", Digits).update(format_money(totals.total, lang))

        count = sum(1 for _ln in cart.active_lines)
        summary = [
            (Text(_("Lines")), Text(str(count))),
            (Text(_("Subtotal")), Text(format_money(totals.subtotal, lang))),
        ]
        if totals.discount:
            summary.append(
                (Text(_("Discount"), style="green"), Text(format_money(-totals.discount, lang), style="green"))
            )
        rows = (len(summary), len(totals.kdv))
        before, self._rows = self._rows, rows
        self.query_one("#summary", Static).update(Rows(summary), layout=rows[0] != before[0])

        kdv = [(Text(_("KDV"), style="dim"), Text(_("Base"), style="dim"), Text(_("Tax"), style="dim"))]
        kdv += [
            (Text(f"%{row.rate}"), Text(format_money(row.base, lang)), Text(format_money(row.kdv, lang)))
            for row in totals.kdv
        ]
        self.query_one("#kdv", Static).update(Rows(kdv, indent=1) if totals.kdv else "", layout=rows[1] != before[1])

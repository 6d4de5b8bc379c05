"""The cart as a table: one row per line, voided lines struck through, the cursor on the
line that void, quantity and line discount act on."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.widgets import DataTable

from pos_tui.core.cart import Cart, CartLine, CartTotals, LineTotals
from pos_tui.core.money import ZERO, format_money, format_quantity
from pos_tui.i18n import _

# Widths of every column but the name, which takes what is left. Price and discount columns
# appear only when the name still gets WIDE_NAME cells (the last-item panel shows the price).
_WIDTHS = {"no": 3, "qty": 9, "price": 9, "discount": 8, "total": 10}
_WIDE = ("no", "name", "qty", "price", "discount", "total")
_NARROW = ("no", "name", "qty", "total")
WIDE_NAME = 24
_MIN_NAME = 8


class CartTable(DataTable[Text]):
    """Shows a :class:`~pos_tui.core.cart.Cart`. It never takes focus (the scan field keeps
    it); the sale screen moves the cursor with the arrow keys.

    :meth:`show` updates rows in place, so a scan costs one new or changed row, not a redraw
    of the whole cart.
    """

    DEFAULT_CSS = """
    CartTable { height: 1fr; }
    """

    def __init__(self, language: str = "en", *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True, show_cursor=True)
        self.can_focus = False
        self.language = language
        self.cart = Cart()
        self._name_width = 0
        self._columns: tuple[str, ...] = _NARROW
        self._shown: dict[int, tuple[Text, ...]] = {}

    def on_mount(self) -> None:
        self._rebuild(self.size.width)

    def on_resize(self, event: events.Resize) -> None:
        if self._layout_for(event.size.width) != (self._columns, self._name_width):
            self._rebuild(event.size.width)

    def _layout_for(self, width: int) -> tuple[tuple[str, ...], int]:
        """The columns to show at ``width`` and the name column's width."""

        def name_width(columns: tuple[str, ...]) -> int:
            fixed = sum(_WIDTHS[c] for c in columns if c != "name")
            return width - fixed - 2 * self.cell_padding * len(columns) - 2

        wide = name_width(_WIDE)
        if wide >= WIDE_NAME:
            return _WIDE, wide
        return _NARROW, max(_MIN_NAME, name_width(_NARROW))

    def _rebuild(self, width: int) -> None:
        self._columns, self._name_width = self._layout_for(width)
        self.clear(columns=True)
        self._shown.clear()
        labels = {
            "no": "#",
            "name": _("Item"),
            "qty": _("Qty"),
            "price": _("Price"),
            "discount": _("Disc."),
            "total": _("Total"),
        }
        for key in self._columns:
            w = self._name_width if key == "name" else _WIDTHS[key]
            self.add_column(Text(labels[key], justify="left" if key == "name" else "right"), key=key, width=w)
        self.show(self.cart, follow=False)

    @property
    def selected_line(self) -> CartLine | None:
        """The cart line under the cursor, or None when the cart is empty."""
        if not self.row_count:
            return None
        row_key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key
        return self.cart.line(int(row_key.value or 0))

    def show(
        self, cart: Cart, totals: CartTotals | None = None, *, follow: bool = True, select: int | None = None
    ) -> None:
        """Display ``cart`` (``totals`` when already computed). With ``follow`` the cursor goes
        to ``select`` or the last line."""
        by_line = {lt.line_no: lt for lt in (totals or cart.totals()).lines}
        keep = {ln.line_no for ln in cart.lines}
        for line_no in [n for n in self._shown if n not in keep]:
            self.remove_row(str(line_no))
            del self._shown[line_no]
        for line in cart.lines:
            cells = self._cells(line, by_line.get(line.line_no))
            old = self._shown.get(line.line_no)
            if old is None:
                self.add_row(*cells, key=str(line.line_no))
            elif old != cells:
                for column, cell, before in zip(self._columns, cells, old, strict=True):
                    if cell != before:
                        self.update_cell(str(line.line_no), column, cell)
            self._shown[line.line_no] = cells
        self.cart = cart
        if follow and cart.lines:
            target = select if select is not None else cart.lines[-1].line_no
            self.move_cursor(row=self.get_row_index(str(target)), animate=False)

    def move_selection(self, delta: int) -> None:
        if self.row_count:
            self.move_cursor(row=max(0, min(self.row_count - 1, self.cursor_row + delta)), animate=False)

    def _cells(self, line: CartLine, lt: LineTotals | None) -> tuple[Text, ...]:
        lang = self.language
        style = "strike dim" if line.voided else ""
        name_text = line.name
        disc_amount = lt.discount if lt is not None and not line.voided else ZERO
        suffix = f" {format_money(-disc_amount, lang)}" if disc_amount and "discount" not in self._columns else ""
        room = self._name_width - len(suffix)
        name = name_text if len(name_text) <= room else name_text[: max(room - 1, 1)] + "…"
        if line.voided:
            total, discount = Text(_("void"), style="dim italic", justify="right"), Text("")
        else:
            net = lt.net if lt is not None else line.gross
            disc = lt.discount if lt is not None else line.line_discount
            total = Text(format_money(net, lang), justify="right")
            discount = Text(format_money(-disc, lang) if disc else "", style="green", justify="right")
        price_style = f"{style} italic".strip() if line.price_overridden else style
        cells = {
            "no": Text(str(line.line_no), style=style, justify="right"),
            "name": Text.assemble((name, style), (suffix, "green")),
            "qty": Text(format_quantity(line.qty_milli, line.unit, lang), style=style, justify="right"),
            "price": Text(format_money(line.unit_price, lang), style=price_style, justify="right"),
            "discount": discount,
            "total": total,
        }
        return tuple(cells[c] for c in self._columns)

"""The cart as a table: one row per line, voided lines struck through, the cursor on the
line that void, quantity and line discount act on.

A scan must be on screen within a frame, so this is a line-API widget of its own rather
than Textual's ``DataTable``: that one re-renders every cell of every visible row whenever
a row is added (its caches are keyed on a table-wide update counter) and shows a new row
only after a second, idle-time layout pass. Here each row is rendered once, when it is added
or changes, into a :class:`~textual.strip.Strip`; a scan renders one new row and restyles
the two rows the cursor leaves and lands on, and everything is on screen in the next paint.
"""

from __future__ import annotations

from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBarRender
from textual.strip import Strip
from textual.widgets.data_table import CellDoesNotExist, ColumnDoesNotExist, RowDoesNotExist

from pos_tui.core.basket import Cart, CartLine, CartTotals, LineTotals
from pos_tui.core.kernel import ZERO, format_money, format_quantity
from pos_tui.i18n import _

# Widths of every column but the name, which takes what is left. Price and discount columns
# appear only when the name still gets WIDE_NAME cells (the last-item panel shows the price).
_WIDTHS = {"no": 3, "qty": 9, "price": 9, "discount": 8, "total": 10}
_WIDE = ("no", "name", "qty", "price", "discount", "total")
_NARROW = ("no", "name", "qty", "total")
WIDE_NAME = 24
_MIN_NAME = 8
# Cells are padded by one space on each side; the table keeps room for its scroll bar.
_PAD = 1
_SCROLLBAR = 2


class CartTable(ScrollView, can_focus=False):
    """Shows a :class:`~pos_tui.core.basket.cart.Cart`. It never takes focus (the scan field keeps
    it); the sale screen moves the cursor with the arrow keys.

    Rows are keyed by line number (as strings, like ``DataTable`` row keys) and columns by
    name (``no``, ``name``, ``qty``, ``price``, ``discount``, ``total``); :meth:`get_cell`
    returns a cell as displayed. :meth:`show` updates rows in place, so a scan costs one new
    or changed row, not a redraw of the whole cart.
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "cart-table--header",
        "cart-table--cursor",
        "cart-table--even-row",
    }

    DEFAULT_CSS = """
    CartTable {
        height: 1fr;
        overflow-x: hidden;
        overflow-y: auto;
        scrollbar-size-vertical: 0;
        background: $surface;
        color: $foreground;
        & > .cart-table--header {
            text-style: bold;
            background: $panel;
            color: $foreground;
        }
        &:ansi > .cart-table--header {
            background: ansi_bright_blue;
            color: ansi_default;
        }
        & > .cart-table--even-row {
            background: $surface-lighten-1 50%;
        }
        &:dark > .cart-table--even-row {
            background: $surface-darken-1 40%;
        }
        & > .cart-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
    }
    """

    def __init__(self, language: str = "en", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.language = language
        self.cart = Cart()
        self._name_width = 0
        self._columns: tuple[str, ...] = _NARROW
        self._order: list[int] = []
        self._shown: dict[int, tuple[Text, ...]] = {}
        # What each row's cells were made from: an unchanged line is not formatted again.
        self._sources: dict[int, tuple[CartLine, LineTotals | None]] = {}
        self._strips: dict[tuple[int, bool], Strip] = {}
        self._header: Strip | None = None
        self._cursor = 0
        self._style_cache: dict[str | None, Style] = {}
        # The scroll bar, drawn by the table itself in its last columns (see _bar_rows).
        self._bar_key: tuple[int, int, float] | None = None
        self._bar: list[Segment] = []
        self._with_bar: dict[tuple[int, Segment], tuple[Strip, Strip]] = {}

    # -- DataTable-like reading -----------------------------------------------------------------

    @property
    def row_count(self) -> int:
        return len(self._order)

    @property
    def cursor_row(self) -> int:
        """Index of the row under the cursor (0 when the cart is empty)."""
        return self._cursor

    def get_cell(self, row_key: str, column_key: str) -> Text:
        """The cell of line ``row_key`` in ``column_key`` as displayed (before cropping to
        the column). Raises ``RowDoesNotExist``/``ColumnDoesNotExist`` like ``DataTable``."""
        try:
            cells = self._shown[int(row_key)]
        except (KeyError, ValueError):
            raise RowDoesNotExist(f"No row with key {row_key!r}") from None
        if column_key not in _WIDE:
            raise ColumnDoesNotExist(f"No column with key {column_key!r}")
        if column_key not in self._columns:
            raise CellDoesNotExist(f"Column {column_key!r} is not shown at this width")
        return cells[self._columns.index(column_key)]

    @property
    def selected_line(self) -> CartLine | None:
        """The cart line under the cursor, or None when the cart is empty."""
        if not self._order:
            return None
        return self.cart.line(self._order[self._cursor])

    # -- layout ----------------------------------------------------------------------------------

    def on_mount(self) -> None:
        self._rebuild(self.size.width)

    def on_resize(self, event: events.Resize) -> None:
        if self._layout_for(event.size.width) != (self._columns, self._name_width):
            self._rebuild(event.size.width)
        self._scroll_to_cursor()

    def _layout_for(self, width: int) -> tuple[tuple[str, ...], int]:
        """The columns to show at ``width`` and the name column's width."""

        def name_width(columns: tuple[str, ...]) -> int:
            fixed = sum(_WIDTHS[c] for c in columns if c != "name")
            return width - fixed - 2 * _PAD * len(columns) - _SCROLLBAR

        wide = name_width(_WIDE)
        if wide >= WIDE_NAME:
            return _WIDE, wide
        return _NARROW, max(_MIN_NAME, name_width(_NARROW))

    def _rebuild(self, width: int) -> None:
        """New columns for ``width``: every row's cells are made again (names are cut to fit)."""
        self._columns, self._name_width = self._layout_for(width)
        self._shown.clear()
        self._sources.clear()
        self._strips.clear()
        self._header = None
        self.show(self.cart, follow=False)
        self.refresh()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._style_cache.clear()
        self._strips.clear()
        self._header = None
        self._bar_key = None

    # -- rendering -------------------------------------------------------------------------------

    def _width_of(self, column: str) -> int:
        return self._name_width if column == "name" else _WIDTHS[column]

    def _render_cells(self, cells: tuple[Text, ...], base: Style, post: Style | None = None) -> Strip:
        """One row as a strip: each cell cut or padded to its column (names left, the rest
        right), one space either side, ``base`` under the cells' own styles, ``post`` over."""
        console = self.app.console
        segments: list[Segment] = []
        for column, cell in zip(self._columns, cells, strict=True):
            width = self._width_of(column)
            text = cell.copy()
            text.truncate(width, overflow="ellipsis")
            gap = width - text.cell_len
            if column == "name":
                text.pad_right(gap)
            else:
                text.pad_left(gap)
            text.pad_left(_PAD)
            text.pad_right(_PAD)
            text.end = ""
            segments.extend(text.render(console))
        return Strip(Segment.apply_style(segments, base, post)).simplify()

    def _style(self, component: str | None) -> Style:
        """The widget's style (``component`` None) or a component's, cached until the styles
        change (:meth:`notify_style_update`)."""
        style = self._style_cache.get(component)
        if style is None:
            style = self.rich_style if component is None else self.get_component_rich_style(component)
            self._style_cache[component] = style
        return style

    def _row_style(self, index: int) -> Style:
        """Zebra stripes: the first row and every other one after it are shaded."""
        return self._style("cart-table--even-row" if index % 2 == 0 else None)

    def _row_strip(self, index: int) -> Strip:
        line_no = self._order[index]
        cursor = index == self._cursor
        key = (line_no, cursor)
        strip = self._strips.get(key)
        if strip is None:
            base = self._row_style(index)
            post = self._style("cart-table--cursor") if cursor else None
            strip = self._render_cells(self._shown[line_no], base, post)
            self._strips[key] = strip
        return strip

    def _header_strip(self) -> Strip:
        if self._header is None:
            account = self.cart.account
            item = _("Item")
            if account is not None:
                # The sale's customer account and its price list name the column instead (it is
                # about 20 cells wide at 80×24): the cashier sees whose prices these are.
                item = f"{account.code} · {account.price_list}" if account.price_list else account.code
            labels = {
                "no": "#",
                "name": item,
                "qty": _("Qty"),
                "price": _("Price"),
                "discount": _("Disc."),
                "total": _("Total"),
            }
            cells = tuple(Text(labels[c]) for c in self._columns)
            self._header = self._render_cells(cells, self._style("cart-table--header"))
        return self._header

    def _bar_rows(self) -> list[Segment]:
        """The scroll bar's cell on each line, or none when every line fits.

        Textual's own scroll bar is a widget of its own that goes through the whole render
        pipeline again on every scroll, which a scan past the first screenful is (2 ms of a
        scan at 100 lines). The table draws the same bar — Textual's ``ScrollBarRender``, in
        the colours its ``ScrollBar`` would use — in the two columns it keeps for it, as part
        of the lines it repaints anyway when it scrolls."""
        height = self.size.height
        virtual = self.virtual_size.height
        if virtual <= height or height <= 0:
            return []
        position = int(self.scroll_y * 8) / 8  # the bar's resolution, as ScrollBar.validate_position
        key = (height, virtual, position)
        if key != self._bar_key:
            styles = self.styles
            background = styles.scrollbar_background
            if background.a < 1:
                background = self.background_colors[0] + background
            color = background + styles.scrollbar_color
            bar = ScrollBarRender.render_bar(
                size=height,
                virtual_size=virtual,
                window_size=height,
                position=position,
                thickness=_SCROLLBAR,
                vertical=True,
                back_color=background.rich_color,
                bar_color=color.rich_color,
            )
            self._bar = list(bar.segments)
            self._bar_key = key
        return self._bar

    def render_line(self, y: int) -> Strip:
        return self._line(y, self.scrollable_content_region.width, round(self.scroll_y), self._bar_rows())

    def _line(self, y: int, width: int, top: int, bar: list[Segment]) -> Strip:
        """Line ``y`` of the table scrolled to row ``top``, ``width`` cells with the bar."""
        if bar:
            width -= _SCROLLBAR
        if y == 0:
            strip = self._header_strip().adjust_cell_length(width, self._style("cart-table--header"))
        else:
            index = y - 1 + top
            if index >= len(self._order):
                strip = Strip.blank(width, self._style(None))
            else:
                tail = self._row_style(index)
                if index == self._cursor:
                    tail += self._style("cart-table--cursor")
                strip = self._row_strip(index).adjust_cell_length(width, tail)
        if bar and y < len(bar):
            # The same line with the same bar cell is the same Strip object, so the
            # compositor's colour filters (cached on the strip) are not run again.
            key = (id(strip), bar[y])
            hit = self._with_bar.get(key)
            if hit is None or hit[0] is not strip:
                if len(self._with_bar) > 1024:
                    self._with_bar.clear()
                hit = self._with_bar[key] = (strip, Strip([*strip, bar[y]], width + _SCROLLBAR))
            return hit[1]
        return strip

    def render_lines(self, crop: Region) -> list[Strip]:
        """The lines in ``crop``, straight from :meth:`render_line`.

        Textual's styles cache would pass each line through borders, padding, tint and
        opacity the table does not have, and keep a second copy of lines the table already
        keeps (about 40 µs a line: a millisecond when a scan scrolls the table). Its line
        filters (colour modes) are applied as it would apply them."""
        filters = self.get_line_filters()
        background = self.background_colors[1]
        width, top, bar = self.scrollable_content_region.width, round(self.scroll_y), self._bar_rows()
        strips = []
        for y in crop.line_range:
            strip = self._line(y, width, top, bar)
            for line_filter in filters:
                strip = strip.apply_filter(line_filter, background)
            strips.append(strip)
        x1, x2 = crop.column_span
        if (x1, x2) != (0, self.size.width):
            strips = [strip.crop(x1, x2) for strip in strips]
        return strips

    def _refresh_row(self, index: int) -> None:
        """Repaint row ``index`` if it is in view."""
        y = index + 1 - round(self.scroll_y)
        if 1 <= y < self.size.height:
            self.refresh(Region(0, y, self.size.width, 1))

    # -- showing a cart --------------------------------------------------------------------------

    def show(
        self, cart: Cart, totals: CartTotals | None = None, *, follow: bool = True, select: int | None = None
    ) -> None:
        """Display ``cart`` (``totals`` when already computed). With ``follow`` the cursor goes
        to ``select`` or the last line."""
        by_line = {lt.line_no: lt for lt in (totals or cart.totals()).lines}
        if (cart.account is None) != (self.cart.account is None) or cart.account != self.cart.account:
            self._header = None  # the header names the sale's account
            self.refresh()
        order = [ln.line_no for ln in cart.lines]
        previous_cursor = self._order[self._cursor] if self._order else None
        structure_changed = order != self._order
        changed: list[int] = []
        sources = self._sources
        for line in cart.lines:
            lt = by_line.get(line.line_no)
            known = sources.get(line.line_no)
            if known is not None and known[0] is line and known[1] is lt and line.line_no in self._shown:
                continue  # the same objects (the usual case: see compute_totals)
            source = (line, lt)
            if known == source and line.line_no in self._shown:
                continue
            sources[line.line_no] = source
            cells = self._cells(*source)
            if self._shown.get(line.line_no) != cells:
                self._shown[line.line_no] = cells
                self._strips.pop((line.line_no, False), None)
                self._strips.pop((line.line_no, True), None)
                changed.append(line.line_no)
        kept = set(order)
        for line_no in [n for n in sources if n not in kept]:
            del sources[line_no]
        for line_no in [n for n in self._shown if n not in kept]:
            del self._shown[line_no]
            self._strips.pop((line_no, False), None)
            self._strips.pop((line_no, True), None)
        if structure_changed and order[: len(self._order)] != self._order:
            # Lines removed or reordered: row indexes (and so the zebra stripes) moved.
            self._strips.clear()
            self.refresh()
        self._order = order
        self.cart = cart
        if follow and order:
            target = select if select is not None and select in self._shown else order[-1]
            cursor = order.index(target)
        elif previous_cursor in self._shown:
            cursor = order.index(previous_cursor)
        else:
            cursor = min(self._cursor, max(len(order) - 1, 0))
        if structure_changed:
            self._set_virtual_height(len(order) + 1)
        index_of = {n: i for i, n in enumerate(order)}
        for line_no in changed:
            self._refresh_row(index_of[line_no])
        self._move_cursor(cursor)

    def _set_virtual_height(self, height: int) -> None:
        """Set the scrollable height. A layout pass (a few ms) is needed only when the scroll
        bar appears or goes; otherwise the size is set quietly and the bar's columns are
        repainted (they are, anyway, when the table scrolls)."""
        size = Size(self.scrollable_content_region.width, height)
        bar_needed = height > self.container_size.height
        if not self.is_mounted or bar_needed != self.show_vertical_scrollbar:
            self.virtual_size = size
            return
        self.set_reactive(CartTable.virtual_size, size)
        if bar_needed:
            width = self.size.width
            self.refresh(Region(width - _SCROLLBAR, 0, _SCROLLBAR, self.size.height))

    def _move_cursor(self, index: int) -> None:
        if index != self._cursor:
            old, self._cursor = self._cursor, index
            if old < len(self._order):
                self._refresh_row(old)
            self._refresh_row(index)
        self._scroll_to_cursor()

    def _scroll_to_cursor(self) -> None:
        """Scroll so the cursor row is in view below the header."""
        visible = max(self.size.height - 1, 1)
        top = round(self.scroll_y)
        if self._cursor < top:
            top = self._cursor
        elif self._cursor >= top + visible:
            top = self._cursor - visible + 1
        top = max(0, min(top, len(self._order) + 1 - self.size.height))
        if top != round(self.scroll_y):
            self.scroll_to(y=top, animate=False, immediate=True)

    def move_selection(self, delta: int) -> None:
        if self._order:
            self._move_cursor(max(0, min(len(self._order) - 1, self._cursor + delta)))

    def on_click(self, event: events.Click) -> None:
        index = event.y - 1 + round(self.scroll_y)
        if event.y >= 1 and 0 <= index < len(self._order):
            self._move_cursor(index)

    def _cells(self, line: CartLine, lt: LineTotals | None) -> tuple[Text, ...]:
        lang = self.language
        style = "strike dim" if line.voided else ""
        name_text = line.name
        disc_amount = lt.discount if lt is not None and not line.voided else ZERO
        suffix = f" {format_money(-disc_amount, lang)}" if disc_amount and "discount" not in self._columns else ""
        # A line priced from the account's list shows the catalog price beside it, struck and named
        # (a terminal without strikethrough must not show it as the price).
        listed = (
            " " + _("(list {price})").format(price=format_money(line.list_price, lang)) if line.account_priced else ""
        )
        room = self._name_width - len(suffix) - len(listed)
        name = name_text if len(name_text) <= room else name_text[: max(room - 1, 1)] + "…"
        if line.voided:
            total, discount = Text(_("void"), style="dim italic", justify="right"), Text("")
        else:
            net = lt.net if lt is not None else line.gross
            disc = lt.discount if lt is not None else line.line_discount
            total = Text(format_money(net, lang), justify="right")
            discount = Text(format_money(-disc, lang) if disc else "", style="green", justify="right")
        price_style = f"{style} italic".strip() if line.price_overridden else style
        if line.account_priced:
            price_style = f"{style} bold".strip()
        cells = {
            "no": Text(str(line.line_no), style=style, justify="right"),
            "name": (
                Text.assemble((name, style), (listed, "strike dim"), (suffix, "green"))
                if listed
                else Text.assemble((name, style), (suffix, "green"))
            ),
            "qty": Text(
                format_quantity(line.qty_milli, line.unit, places=3, language=lang), style=style, justify="right"
            ),
            "price": Text(format_money(line.unit_price, lang), style=price_style, justify="right"),
            "discount": discount,
            "total": total,
        }
        return tuple(cells[c] for c in self._columns)

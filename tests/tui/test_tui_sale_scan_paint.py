"""What the speed work on the scan path must not change: every fast scan's line is shown with
the right totals, the table scrolls and its scroll bar (drawn by the table itself) says where
the view is, the line and the totals reach the terminal in the same paint, and the screen
still fits at 80×24. No timings here (benchmarks/bench_tui.py measures them)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rich.segment import Segment
from textual._compositor import CompositorUpdate
from textual.widgets import Digits, Input, Static

from pos_tui.core.kernel import format_money
from pos_tui.tui.screens.sale import SaleScreen
from pos_tui.tui.widgets.cart_table import CartTable
from pos_tui.tui.widgets.paint import paint_now

PRICES = {"Ekmek": Decimal("10.00"), "Süt 1 L": Decimal("32.50"), "Çay 500 g": Decimal("120.00")}


def codes(shop: Any) -> list[str]:
    return [shop.EKMEK, shop.SUT, shop.CAY]  # in turn: each scan makes a new line


async def fast_scans(pilot: Any, shop: Any, count: int) -> None:
    """``count`` scans as a scanner sends them: the code in the field, Enter, the next code;
    no waiting for workers in between."""
    scan = pilot.app.screen.query_one("#scan", Input)
    for i in range(count):
        scan.value = codes(shop)[i % 3]
        await pilot.press("enter")


def bar_column(table: CartTable) -> str:
    """The table's last two columns on screen, top to bottom: ``#`` where the scroll bar's
    thumb is, ``.`` elsewhere."""
    region = table.region
    strips = table.screen._compositor.render_strips()
    out = []
    for y in range(region.y, region.bottom):
        cells = list(Segment.divide(list(strips[y]), [region.right - 2, region.right]))[1]
        thumb = any(seg.style is not None and seg.style.reverse for seg in cells) or any(
            seg.text.strip() for seg in cells
        )
        out.append("#" if thumb else ".")
    return "".join(out)


async def test_forty_fast_scans_show_each_line_the_totals_and_the_scroll_bar(
    make_app: Any, open_shift: Any, shop: Any, till: Any
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await till.login(pilot)
        screen = app.screen
        assert isinstance(screen, SaleScreen)
        table = screen.query_one(CartTable)
        await fast_scans(pilot, shop, 40)
        await till.settle(pilot)
        assert table.row_count == 40 and [ln.line_no for ln in screen.cart.lines] == list(range(1, 41))
        assert table.selected_line is not None and table.selected_line.line_no == 40
        total = sum((PRICES[ln.name] for ln in screen.cart.lines), Decimal(0))
        assert str(screen.query_one("#total", Digits).value) == format_money(total, "en")
        text = till.screen_text(pilot)
        last_row = text.splitlines()[table.region.y + table.size.height - 1]
        assert " 40 " in last_row and screen.cart.lines[-1].name in last_row
        assert format_money(total, "en") in text
        assert screen.query_one("#scan", Input).value == "" and screen.focused is screen.query_one("#scan")
        bar = bar_column(table)
        assert bar.endswith("#") and not bar.startswith("#") and set(bar) <= {"#", "."}
        for _ in range(39):
            await pilot.press("up")
        assert table.selected_line is not None and table.selected_line.line_no == 1
        bar = bar_column(table)
        assert bar.startswith("#") and not bar.endswith("#")


async def test_a_short_cart_has_no_scroll_bar(make_app: Any, open_shift: Any, shop: Any, till: Any) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await till.login(pilot)
        await fast_scans(pilot, shop, 5)
        await till.settle(pilot)
        assert "#" not in bar_column(app.screen.query_one(CartTable))


async def test_the_line_and_the_totals_arrive_in_the_same_paint(
    make_app: Any, open_shift: Any, shop: Any, till: Any
) -> None:
    app = make_app()
    paints: list[str] = []
    display = app._display

    def recording(screen: Any, renderable: Any) -> None:
        display(screen, renderable)
        if isinstance(renderable, CompositorUpdate):
            paints.append(renderable.render_segments(app.console))

    async with app.run_test(size=(100, 30)) as pilot:
        await till.login(pilot)
        await till.scan(pilot, shop.EKMEK)
        await till.scan(pilot, shop.SUT)
        app._display = recording  # type: ignore[method-assign]
        paints.clear()
        scan = app.screen.query_one("#scan", Input)
        scan.value = shop.CAY
        await pilot.pause()
        paints.clear()
        await pilot.press("enter")
        await till.settle(pilot)
        # 10.00 + 32.50 + 120.00: no line costs 162.50, only the subtotal says it
        first = paints[0]
        assert "Çay 500 g" in first and "162.50" in first
        assert shop.CAY not in first  # the scan field is emptied in that paint too


async def test_paint_now_lays_out_first_when_a_widget_asks(
    make_app: Any, open_shift: Any, shop: Any, till: Any
) -> None:
    """A scan that adds a row to the totals (a new KDV rate) needs a layout: paint_now does
    it before the paint, so the taller panel is in that same paint."""
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await till.login(pilot)
        await till.scan(pilot, shop.EKMEK)
        screen = app.screen
        kdv = screen.query_one("#kdv", Static)
        assert kdv.region.height == 2  # the header and KDV 1
        screen.query_one("#scan", Input).value = "x"
        assert paint_now(screen)  # only a repaint waits: painted at once
        kdv.update("\n".join(f"row {i}" for i in range(5)), layout=True)
        assert paint_now(screen)
        assert kdv.region.height == 5 and not screen._layout_required  # laid out, not waiting for Textual


async def test_thirty_scans_at_80x24_still_fit(make_app: Any, open_shift: Any, shop: Any, till: Any) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await till.login(pilot)
        await fast_scans(pilot, shop, 30)
        await till.settle(pilot)
        screen = app.screen
        table = screen.query_one(CartTable)
        scan = screen.query_one("#scan", Input)
        assert table.row_count == 30
        for widget in (table, scan, screen.query_one("#total"), screen.query_one("#summary")):
            region = widget.region
            assert region.height > 0 and region.bottom <= 24 and region.right <= 80, widget
        text = till.screen_text(pilot)
        assert " 30 " in text
        assert set(bar_column(table)) == {"#", "."}


async def test_the_totals_stay_put_when_a_sale_starts(make_app: Any, open_shift: Any, shop: Any, till: Any) -> None:
    """The last-item panel keeps three lines with the empty cart's prompt too, so the first
    scan of a sale changes no panel's height above the totals (no layout for it)."""
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await till.login(pilot)
        screen = app.screen
        panel, total = screen.query_one("#last-item"), screen.query_one("#total")
        before = (panel.region, total.region)
        assert "Scan an item" in str(panel.render())
        await till.scan(pilot, shop.EKMEK)
        assert "Ekmek" in str(panel.render())
        assert (panel.region, total.region) == before

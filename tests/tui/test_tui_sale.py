"""The sale screen: scanning, multipliers, scale labels, errors, void, discount, park."""

from __future__ import annotations

import re
from decimal import Decimal

from rich.console import Console
from rich.text import Text
from textual.widgets import Digits

from pos_tui.core.till import carts
from pos_tui.store import models as m
from pos_tui.tui.dialogs.lists import ProductSearchDialog, _row
from pos_tui.tui.dialogs.manager import ManagerPinDialog
from pos_tui.tui.dialogs.prompts import ReasonDialog
from pos_tui.tui.screens.sale import SaleScreen
from pos_tui.tui.widgets.cart_table import CartTable


def total_on_screen(app) -> str:
    return str(app.screen.query_one("#total", Digits).value)


async def test_two_scanned_items_show_lines_total_kdv_and_last_item(make_app, open_shift, shop, till) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await till.login(pilot)
        await till.scan(pilot, shop.EKMEK)
        await till.scan(pilot, shop.CAY)
        screen = app.screen
        assert isinstance(screen, SaleScreen)
        assert [ln.name for ln in screen.cart.lines] == ["Ekmek", "Çay 500 g"]
        assert screen.query_one(CartTable).row_count == 2
        assert total_on_screen(app) == "130.00"
        text = till.screen_text(pilot)
        assert re.search(r"%1\s+9\.90\s+0\.10", text)  # 10,00 at 1% KDV
        assert re.search(r"%20\s+100\.00\s+20\.00", text)  # 120,00 at 20% KDV
        assert "120.00" in str(screen.query_one("#last-item").render())
        assert screen.focused is screen.query_one("#scan")


async def test_multiplier_typed_before_the_scan_sets_the_quantity(make_app, open_shift, shop, till) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await till.login(pilot)
        await till.type(pilot, "3*", "enter")
        assert "3 ×" in str(app.screen.query_one("#multiplier").render())
        await till.scan(pilot, shop.EKMEK)
        await till.scan(pilot, "2*" + shop.SUT)
        lines = app.screen.cart.lines
        assert [(ln.name, ln.qty_milli) for ln in lines] == [("Ekmek", 3000), ("Süt 1 L", 2000)]
        assert total_on_screen(app) == "95.00"
        assert str(app.screen.query_one("#multiplier").render()) == ""


async def test_weighed_scale_label_adds_the_weight(make_app, open_shift, shop, till) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await till.login(pilot)
        await till.scan(pilot, shop.DOMATES_1500G)
        line = app.screen.cart.lines[0]
        assert (line.name, line.qty_milli, line.weighed, line.gross) == ("Domates", 1500, True, Decimal("60.00"))
        assert total_on_screen(app) == "60.00"


async def test_unknown_barcode_shows_an_error_and_keeps_the_cart(make_app, open_shift, shop, till) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await till.login(pilot)
        await till.scan(pilot, shop.EKMEK)
        await till.scan(pilot, "12345")
        assert "No product with barcode or code 12345" in till.message(pilot)
        await till.scan(pilot, "8690000000013")
        assert "bad check digit" in till.message(pilot)
        assert [ln.name for ln in app.screen.cart.lines] == ["Ekmek"]
        await till.scan(pilot, shop.SUT)
        assert till.message(pilot) == ""
    assert len(carts.load_open_cart("T1", shop.ayse.user_id).lines) == 2


async def test_void_asks_a_reason_and_strikes_the_line(make_app, open_shift, shop, till) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await till.login(pilot)
        await till.scan(pilot, shop.EKMEK)
        await till.scan(pilot, shop.CAY)
        await pilot.press("up", "delete")
        await till.settle(pilot)
        assert isinstance(app.screen, ReasonDialog)
        await till.type(pilot, "", "enter")
        assert "A reason is needed" in str(app.screen.query_one(".error-line").render())
        await till.type(pilot, "1", "enter")
        cart = app.screen.cart
        assert cart.line(1).voided and cart.line(1).void_reason == "Scanned by mistake"
        assert total_on_screen(app) == "120.00"
    entry = m.JournalEntry.select().where(m.JournalEntry.kind == "line_void").get()
    assert "Scanned by mistake" in entry.payload


async def test_discount_over_the_cashier_limit_needs_a_supervisor(make_app, open_shift, shop, till) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await till.login(pilot)
        await till.scan(pilot, shop.CAY)
        await pilot.press("f6")
        await till.type(pilot, "25%", "enter")
        assert isinstance(app.screen, ManagerPinDialog)
        await till.type(pilot, "1111", "enter")  # ayse cannot approve her own discount
        await till.type(pilot, "regular customer", "enter")
        assert isinstance(app.screen, ManagerPinDialog)
        assert "cannot approve their own" in str(app.screen.query_one(".error-line").render())
        await till.type(pilot, "2222", "enter")
        await till.type(pilot, "", "enter")
        assert isinstance(app.screen, SaleScreen)
        line = app.screen.cart.lines[0]
        assert line.discount is not None and line.discount.value == Decimal("25.00")
        assert total_on_screen(app) == "90.00"
    override = m.JournalEntry.select().where(m.JournalEntry.kind == "override").get()
    assert "mehmet" in override.payload and "regular customer" in override.payload


async def test_cart_discount_as_an_amount(make_app, open_shift, shop, till) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await till.login(pilot)
        await till.scan(pilot, shop.CAY)
        await till.scan(pilot, shop.EKMEK)
        await pilot.press("f6", "down")
        await till.type(pilot, "5", "enter")
        cart = app.screen.cart
        assert cart.discount is not None and cart.discount.kind == "amount"
        assert total_on_screen(app) == "125.00"


async def test_park_then_resume_on_an_empty_cart(make_app, open_shift, shop, till) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await till.login(pilot)
        await till.scan(pilot, shop.EKMEK)
        await till.scan(pilot, shop.SUT)
        await pilot.press("f5")
        await till.settle(pilot)
        assert app.screen.cart.is_empty and "parked" in till.message(pilot)
        await till.scan(pilot, shop.CAY)
        await pilot.press("f5")  # parks the second customer's cart too
        await till.settle(pilot)
        await pilot.press("f5")
        await till.settle(pilot)
        await pilot.press("enter")  # the oldest parked cart
        await till.settle(pilot)
        assert [ln.name for ln in app.screen.cart.lines] == ["Ekmek", "Süt 1 L"]
        assert len(carts.list_parked("T1")) == 1


async def test_logout_keeps_the_open_cart_for_the_next_login(make_app, open_shift, shop, till) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await till.login(pilot)
        await till.scan(pilot, shop.EKMEK)
        await till.scan(pilot, "2*" + shop.SUT)
        await pilot.press("ctrl+q")
        await till.settle(pilot)
        assert not isinstance(app.screen, SaleScreen)
        await till.login(pilot)
        assert isinstance(app.screen, SaleScreen)
        assert [(ln.name, ln.qty_milli) for ln in app.screen.cart.lines] == [("Ekmek", 1000), ("Süt 1 L", 2000)]
        assert total_on_screen(app) == "75.00"


async def test_typed_weight_needs_a_supervisor(make_app, open_shift, shop, till) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await till.login(pilot)
        await till.scan(pilot, "0,75*00123")
        assert isinstance(app.screen, ManagerPinDialog)
        await pilot.press("escape")
        await till.settle(pilot)
        assert "supervisor" in till.message(pilot)
        assert app.screen.cart.is_empty


async def test_product_search_is_turkish_aware_and_enter_adds(make_app, open_shift, shop, till) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await till.login(pilot)
        await till.type(pilot, "2*")
        await pilot.press("f3")
        await till.settle(pilot)
        assert isinstance(app.screen, ProductSearchDialog)
        await till.type(pilot, "İSPARTA")
        assert "Isparta Gülü Kolonya" in till.screen_text(pilot)
        await pilot.press("enter")
        await till.settle(pilot)
        assert isinstance(app.screen, SaleScreen)
        assert [(ln.name, ln.qty_milli) for ln in app.screen.cart.lines] == [("Isparta Gülü Kolonya", 2000)]


async def test_product_search_finds_a_code_or_barcode_typed_whole(make_app, open_shift, shop, till) -> None:
    """The field says "name or code": a code or barcode typed whole is the first result."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await till.login(pilot)
        for typed in ("1004", shop.ISPARTA):
            await pilot.press("f3")
            await till.settle(pilot)
            await till.type(pilot, typed)
            await pilot.pause(0.2)
            await till.settle(pilot)
            assert [p.code for p in app.screen.products][:1] == ["1004"], typed
            await pilot.press("escape")
            await till.settle(pilot)


def test_a_result_row_keeps_the_name_apart_from_the_price() -> None:
    """A long name ran its code into the price: "… 1137842.682,02" read as 1.137.842,68."""
    console = Console(width=40, record=True)
    left = Text.assemble(("Ağrı Pınar Bisküvi Organik 2 lt", "bold"), "  ", ("113784", "dim"))
    console.print(_row(left, "2.682,02 / adet"))
    line = console.export_text().splitlines()[0]
    assert line.endswith("  2.682,02 / adet") and "…" in line


async def test_command_palette_finds_products(make_app, open_shift, shop, till) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await till.login(pilot)
        await pilot.press("ctrl+p")
        await till.settle(pilot)
        await pilot.press(*"cay")
        await till.settle(pilot)
        await pilot.pause(0.3)
        await pilot.press("down", "enter")
        await till.settle(pilot)
        assert [ln.name for ln in app.screen.cart.lines] == ["Çay 500 g"]


def scale_label(grams: int) -> str:
    """The test shop's scale label for Domates (PLU 00123) weighing ``grams``."""
    body = f"2700123{grams:05d}"
    odd, even = sum(int(d) for d in body[0::2]), sum(int(d) for d in body[1::2])
    return body + str((10 - (odd + 3 * even) % 10) % 10)


async def test_a_long_cart_keeps_the_selected_line_in_view(make_app, open_shift, shop, till) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await till.login(pilot)
        for grams in range(100, 3100, 100):  # weighed items: one line each
            await till.scan(pilot, scale_label(grams))
        table = app.screen.query_one(CartTable)
        assert table.row_count == 30
        assert table.selected_line is not None and table.selected_line.line_no == 30
        assert table.scroll_y > 0
        assert re.search(r"^\s*30\s+Domates", till.screen_text(pilot), re.MULTILINE)
        for _ in range(29):
            await pilot.press("up")
        await till.steady(pilot)
        assert table.selected_line is not None and table.selected_line.line_no == 1
        assert table.scroll_y == 0
        assert re.search(r"^\s*1\s+Domates", till.screen_text(pilot), re.MULTILINE)
        assert str(table.get_cell("1", "name")) == "Domates"

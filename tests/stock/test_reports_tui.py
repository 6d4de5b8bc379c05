"""The stock look-up in the till: F12 → Stock → look-up, a scan, the stock card, the reports; 80×24."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from argon2 import PasswordHasher
from test_reports_support import Shop, at, build_shop
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from pos_tui.core import cash, staff
from pos_tui.core.staff import users
from pos_tui.settings import Settings
from pos_tui.tui.app import PosApp
from pos_tui.tui.screens.stock_reports import StockLookupScreen, StockTableScreen

NOW = at(11, 1, 7)
SIZE = (80, 24)


@pytest.fixture(autouse=True)
def _quick_pins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(users, "_HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def shop(db: object, settings: Settings) -> Iterator[Shop]:
    built = build_shop(settings, NOW)
    cashier = staff.actor_of(staff.add_user("ayse", "cashier", "1111", now=NOW), settings)
    staff.add_user("mehmet", "supervisor", "2222", now=NOW)
    staff.add_user("patron", "admin", "9999", now=NOW)
    cash.open_shift(settings.terminal_id, cashier, Decimal("100.00"), now=NOW)
    yield built


def make_app(settings: Settings) -> PosApp:
    return PosApp(settings, clock=lambda: NOW)


async def settle(pilot: Pilot[None]) -> None:
    for _round in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def type_in(pilot: Pilot[None], text: str, *keys: str) -> None:
    if pilot.app.focused is None:
        await settle(pilot)
    focused = pilot.app.focused
    assert isinstance(focused, Input), focused
    focused.replace(text, *sorted(focused.selection))
    await pilot.pause()
    await pilot.press(*keys)
    await settle(pilot)


def screen_text(pilot: Pilot[None]) -> str:
    return "\n".join(strip.text for strip in pilot.app.screen._compositor.render_strips())


def message(pilot: Pilot[None]) -> str:
    return str(pilot.app.screen.query_one("#message", Static).render())


async def open_lookup(pilot: Pilot[None], pin: str) -> None:
    await type_in(pilot, pin, "enter")
    await pilot.press("f12")
    await settle(pilot)
    await pilot.press("s")  # the F12 menu's stock entry
    await settle(pilot)
    await pilot.press("6")  # the stock menu's look-up
    await settle(pilot)
    assert isinstance(pilot.app.screen, StockLookupScreen)


async def test_a_manager_looks_up_stock_and_its_card(settings: Settings, shop: Shop) -> None:
    app = make_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await open_lookup(pilot, "9999")
        await pilot.press("f5")
        await settle(pilot)
        assert "Scan a product first" in message(pilot)
        await type_in(pilot, "8690000000111", "enter")  # Ayran's barcode
        text = screen_text(pilot)
        purchase = "12.00 from Süt A.Ş. on 03.10.2026"
        for shown in ("Ayran", "DEPO", "27", "MAGAZA", "Average cost", "11.26", "337.78", purchase):
            assert shown in text, shown
        assert "Below the minimum" in message(pilot)
        await pilot.press("f5")
        await settle(pilot)
        assert isinstance(app.screen, StockTableScreen)
        table = app.screen.query_one("#rows", DataTable)
        assert table.row_count == 9
        assert table.cursor_row == 8  # newest last, selected
        last = [str(c) for c in table.get_row_at(8)]
        assert last[:2] == ["20.10.2026 12:00", "stock adjustment 2 (waste) · MAGAZA"]
        assert last[3:] == ["2", "30", "11.11"]
        # a transfer's two rows: where the goods left and where they arrived (not two equal rows)
        sent = [[str(c) for c in table.get_row_at(i)][1] for i in range(table.row_count)]
        assert "transfer sent 1 · DEPO" in sent and "transfer sent 1 · YOLDA" in sent
        assert "Opening 0 · closing 30" in message(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, StockLookupScreen)
        await type_in(pilot, "nothing-here", "enter")
        assert "No product with barcode or code nothing-here" in message(pilot)
        await type_in(pilot, "", "enter")
        assert "Scan or type a product code first" in message(pilot)


async def test_a_cashier_sees_quantities_only(settings: Settings, shop: Shop) -> None:
    app = make_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await open_lookup(pilot, "1111")
        await type_in(pilot, "2001", "enter")  # the weighed cheese, negative
        text = screen_text(pilot)
        assert "-0.750 kg" in text and "need the reports permission" in text
        assert "Average cost" not in text and "40.00" not in text
        assert "Negative stock" in message(pilot)
        await pilot.press("f5")
        await settle(pilot)
        table = app.screen.query_one("#rows", DataTable)
        assert len(table.columns) == 5  # no cost column


async def test_the_reports_menu(settings: Settings, shop: Shop) -> None:
    app = make_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await open_lookup(pilot, "9999")
        expected = {
            "1": ("Low stock", [["2001", "Peynir"], ["1001", "Ayran"]]),
            "3": ("Negative stock", [["2001", "Peynir", "MAGAZA", "-0.750 kg"]]),
            "4": ("Stock by location", [["DEPO", "1", "304.00", ""], ["MAGAZA", "2", "48.78", "1"]]),
        }
        for key, (title, rows) in expected.items():
            await pilot.press("f6")
            await settle(pilot)
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, StockTableScreen), key
            assert title in screen_text(pilot)
            table = app.screen.query_one("#rows", DataTable)
            got = [[str(c) for c in table.get_row_at(i)][: len(rows[i])] for i in range(table.row_count)]
            assert got == rows
            await pilot.press("escape")
            await settle(pilot)
        await pilot.press("f6")
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        assert "Idle stock" in screen_text(pilot) and "Bardak" in screen_text(pilot)


def test_the_card_at_80x24(snap_compare, settings: Settings, shop: Shop) -> None:
    async def card(pilot: Pilot[None]) -> None:
        await open_lookup(pilot, "9999")
        await type_in(pilot, "1001", "enter")
        await pilot.press("f5")
        await settle(pilot)

    assert snap_compare(make_app(settings), terminal_size=SIZE, run_before=card)


def test_the_lookup_at_80x24(snap_compare, settings: Settings, shop: Shop) -> None:
    async def lookup(pilot: Pilot[None]) -> None:
        await open_lookup(pilot, "9999")
        await type_in(pilot, "1001", "enter")
        for field in pilot.app.screen.query(Input):
            field.cursor_blink = False
        await pilot.pause()

    assert snap_compare(make_app(settings), terminal_size=SIZE, run_before=lookup)


async def test_the_lookup_finds_a_product_by_name(settings: Settings, shop: Shop) -> None:
    """A cashier who does not know the code: F3, a few letters of the name, Enter."""
    app = make_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await open_lookup(pilot, "2222")
        await pilot.press("f3")
        await settle(pilot)
        await type_in(pilot, "peyn")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, StockLookupScreen)
        assert "Peynir" in screen_text(pilot)

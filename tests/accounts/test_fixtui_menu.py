"""The F12 menu at 80×24 with the most entries (an admin, a printer queue and a fiscal device): every
entry is on screen without scrolling, and the collection entry says who pays whom."""

from __future__ import annotations

from textual.widgets import OptionList

from pos_tui.devices.fiscal import FiscalSimulator
from pos_tui.devices.print_queue import FakePrinter
from pos_tui.tui.screens.menu import ACTIONS, MenuDialog
from tests.tui import conftest as tui
from tests.tui.tui_printing_support import app_with, fake_station

_quick_pins, open_shift, shop, till = tui._quick_pins, tui.open_shift, tui.shop, tui.till

SIZE = (80, 24)


async def test_the_fullest_menu_fits_80x24_without_scrolling(settings, now, open_shift, shop, till, tmp_path) -> None:
    station = fake_station(FakePrinter(), fiscal=FiscalSimulator(tmp_path / "okc"))
    app = app_with(settings, now, station)
    async with app.run_test(size=SIZE) as pilot:
        await till.login(pilot, "9999")  # the admin sees every entry
        await till.settle(pilot)
        await pilot.press("f12")
        await till.settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, MenuDialog)
        assert {key for key, _label in dialog.choices} == set(ACTIONS)
        options = dialog.query_one(OptionList)
        assert options.max_scroll_y == 0, (options.option_count, options.region)
        shown = till.screen_text(pilot)
        for _key, label in dialog.choices:
            assert label in shown, (label, shown)
        assert "Collection: take a customer's payment on account" in shown
        hint = dialog.query_one(".dialog-hint")
        assert hint.region.bottom <= SIZE[1] and hint.region.height >= 1

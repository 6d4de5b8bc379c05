"""The F12 menu's keys: every entry has its own, and keeps it whoever is logged in and whatever devices
the till has (the eleventh entry, shelf labels, used to be numbered "1" like the X report)."""

from __future__ import annotations

from textual.widgets import OptionList
from tui_printing_support import app_with, fake_station

from pos_tui.devices.fiscal import FiscalSimulator
from pos_tui.devices.print_queue import FakePrinter
from pos_tui.tui.dialogs.views import ReportDialog
from pos_tui.tui.screens.menu import ACTIONS, SHORTCUTS, MenuDialog


def test_every_entry_has_its_own_key() -> None:
    assert set(SHORTCUTS) == set(ACTIONS)
    assert len(set(SHORTCUTS.values())) == len(SHORTCUTS)
    assert all(len(key) == 1 for key in SHORTCUTS.values())


def shown_keys(dialog: MenuDialog) -> dict[str, str]:
    """Entry → the key printed in front of it."""
    options = dialog.query_one(OptionList)
    shown = [str(options.get_option_at_index(i).prompt).split()[0] for i in range(options.option_count)]
    return {key: number for (key, _label), number in zip(dialog.choices, shown, strict=True)}


async def test_all_entries_shown_have_unique_numbers_and_open_what_they_say(
    settings, now, open_shift, shop, till, tmp_path
) -> None:
    station = fake_station(FakePrinter(), fiscal=FiscalSimulator(tmp_path / "okc"))
    app = app_with(settings, now, station)
    async with app.run_test(size=(100, 34)) as pilot:
        await till.login(pilot, "9999")  # the admin sees every entry
        await pilot.press("f12")
        await till.settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, MenuDialog)
        keys = shown_keys(dialog)
        assert set(keys) == set(ACTIONS)  # all of them, with the printer and the fiscal device
        assert len(set(keys.values())) == len(keys), keys
        assert keys == {key: SHORTCUTS[key] for key in keys}
        await pilot.press(SHORTCUTS["x"])
        await till.settle(pilot)
        assert isinstance(app.screen, ReportDialog)


async def test_a_cashier_sees_the_same_keys_for_the_same_entries(settings, now, open_shift, shop, till) -> None:
    app = app_with(settings, now, fake_station(FakePrinter()))
    async with app.run_test(size=(100, 34)) as pilot:
        await till.login(pilot)
        await pilot.press("f12")
        await till.settle(pilot)
        keys = shown_keys(app.screen)
        assert "users" not in keys and "fiscal_z" not in keys
        assert keys["labels"] == SHORTCUTS["labels"] != keys["x"]
        assert len(set(keys.values())) == len(keys), keys

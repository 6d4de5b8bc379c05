"""A return from the till prints its slip (with the drawer kick when cash goes out); the return
screen's own on-screen receipt stays as it was."""

from __future__ import annotations

from test_tui_printing_receipts import sell_cash
from tui_printing_support import app_with, drain, fake_station, printed_text

from pos_tui.devices.print_queue import FakePrinter
from pos_tui.tui.dialogs.views import ReportDialog
from pos_tui.tui.screens.sale import SaleScreen


async def test_a_cash_return_prints_its_slip_and_opens_the_drawer(settings, now, open_shift, shop, till) -> None:
    printer = FakePrinter()
    station = fake_station(printer)
    app = app_with(settings, now, station)
    async with app.run_test(size=(100, 34)) as pilot:
        await till.login(pilot)
        await sell_cash(pilot, till, shop.EKMEK, "20")
        await pilot.press("enter")  # close the preview
        await till.settle(pilot)
        await pilot.press("f4")
        await till.settle(pilot)
        await till.type(pilot, "T1/1", "enter")
        await pilot.press("down", "enter")  # the whole line, by the original payment (cash)
        await till.settle(pilot)
        await pilot.press("f10")
        await till.type(pilot, "2", "enter")  # the second preset reason
        assert isinstance(app.screen, ReportDialog)
        await drain(pilot, station)
        await pilot.press("enter")
        await till.settle(pilot)
        assert isinstance(app.screen, SaleScreen)
    titles = [job.title for job in printer.printed]
    assert titles[0] == "Receipt T1/1" and titles[1].startswith("Return")
    assert "T1/1" in printed_text(printer.printed[1])
    assert printer.printed[1].kick and printer.kicks == 2

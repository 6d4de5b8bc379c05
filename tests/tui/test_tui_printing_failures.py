"""A print job that fails is shown on the screen that asked (the one worker-failure path), never swallowed."""

from __future__ import annotations

from tui_printing_support import app_with, fake_station, menu_entry

from pos_tui.devices.print_queue import FakePrinter
from pos_tui.tui.screens.receipts import ReceiptsScreen
from pos_tui.tui.screens.sale import SaleScreen


async def sell_cash(pilot, till, code: str, cash: str) -> None:
    await till.scan(pilot, code)
    await pilot.press("f8")
    await till.type(pilot, cash, "enter")


async def test_a_receipt_that_cannot_be_printed_is_said_on_the_sale_screen(
    settings, now, open_shift, shop, till, monkeypatch
) -> None:
    station = fake_station(FakePrinter())

    def broken(result):
        raise OSError("the receipt spool is on a full disk")

    monkeypatch.setattr(station, "submit_receipt", broken)
    app = app_with(settings, now, station)
    async with app.run_test(size=(100, 34)) as pilot:
        await till.login(pilot)
        await sell_cash(pilot, till, shop.EKMEK, "20")
        assert isinstance(app.screen, SaleScreen)  # the sale is posted; only its paper failed
        message = till.message(pilot)
        assert "Unexpected error" in message and "the receipt spool is on a full disk" in message


async def test_a_reprint_that_fails_is_said_on_the_receipt_list(
    settings, now, open_shift, shop, till, monkeypatch
) -> None:
    station = fake_station(FakePrinter())
    app = app_with(settings, now, station)
    async with app.run_test(size=(100, 34)) as pilot:
        await till.login(pilot)
        await sell_cash(pilot, till, shop.EKMEK, "20")
        await pilot.press("enter")
        await till.settle(pilot)

        def broken(sale):
            raise RuntimeError("printer driver crashed")

        monkeypatch.setattr(station, "reprint", broken)
        await menu_entry(pilot, till, "receipts")
        assert isinstance(app.screen, ReceiptsScreen)
        await pilot.press("f5")
        await till.settle(pilot)
        assert "printer driver crashed" in till.message(pilot)

"""The receipt on screen after payment, with no receipt printer configured (the README's promise):
the preview shows the receipt, a key closes it, and the next scan closes it by itself and starts
the next sale. F5 (reprint) without a printer says so instead of doing nothing."""

from __future__ import annotations

from textual.widgets import Static
from tui_printing_support import app_with, devices, menu_entry

from pos_tui.store import models as m
from pos_tui.tui.dialogs.receipt_preview import ReceiptPreview
from pos_tui.tui.messages import DeviceScanned
from pos_tui.tui.printing import PrintStation
from pos_tui.tui.screens.receipts import ReceiptsScreen, ReceiptView
from pos_tui.tui.screens.sale import SaleScreen

NO_PRINTER = "No receipt printer is configured: nothing to reprint on"


async def pay_cash(pilot, till, code: str, cash: str) -> None:
    await till.scan(pilot, code)
    await pilot.press("f8")
    await till.type(pilot, cash, "enter")


def error_line(app) -> Static:
    return app.screen.query_one(".error-line", Static)


async def test_without_a_printer_the_receipt_is_shown_and_a_key_closes_it(make_app, open_shift, shop, till) -> None:
    app = make_app()  # no devices.toml: no printer
    async with app.run_test(size=(80, 24)) as pilot:
        await till.login(pilot)
        await pay_cash(pilot, till, shop.EKMEK, "20")
        assert isinstance(app.screen, ReceiptPreview)
        text = till.screen_text(pilot)
        assert "Receipt T1/1" in text and "Ekmek" in text
        assert "No receipt printer: the receipt is on the screen only" in text
        await pilot.press("escape")
        await till.settle(pilot)
        assert isinstance(app.screen, SaleScreen)
        assert "Sale 1 done" in till.message(pilot)


async def test_the_next_scan_closes_the_preview_and_starts_the_next_sale(make_app, open_shift, shop, till) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await till.login(pilot)
        await pay_cash(pilot, till, shop.EKMEK, "20")
        assert isinstance(app.screen, ReceiptPreview)
        await till.scan(pilot, shop.SUT)  # the scanner types the code and Enter: no other key
        assert isinstance(app.screen, SaleScreen)
        assert [ln.name for ln in app.screen.cart.lines] == ["Süt 1 L"]
        # A multiplier typed into the preview works as on the sale screen.
        await pilot.press("f8")
        await till.type(pilot, "50", "enter")
        assert isinstance(app.screen, ReceiptPreview)
        await till.type(pilot, "3*" + shop.EKMEK, "enter")
        assert isinstance(app.screen, SaleScreen)
        (line,) = app.screen.cart.lines
        assert (line.name, line.qty_milli) == ("Ekmek", 3000)
    assert m.Sale.select().count() == 2


async def test_a_serial_scan_closes_the_preview_too(settings, now, open_shift, shop, till) -> None:
    app = app_with(settings, now, PrintStation(devices()))
    async with app.run_test(size=(80, 24)) as pilot:
        await till.login(pilot)
        await pay_cash(pilot, till, shop.EKMEK, "20")
        assert isinstance(app.screen, ReceiptPreview)
        app.post_message(DeviceScanned(shop.CAY, "serial"))
        await till.settle(pilot)
        await pilot.pause(0.1)
        await till.settle(pilot)
        assert isinstance(app.screen, SaleScreen)
        assert [ln.name for ln in app.screen.cart.lines] == ["Çay 500 g"]


async def test_reprint_without_a_printer_says_so(make_app, open_shift, shop, till) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await till.login(pilot)
        await pay_cash(pilot, till, shop.EKMEK, "20")
        assert isinstance(app.screen, ReceiptPreview)
        await pilot.press("f5")
        await till.settle(pilot)
        assert isinstance(app.screen, ReceiptPreview)
        assert NO_PRINTER in str(error_line(app).render())
        assert NO_PRINTER in till.screen_text(pilot)
        await pilot.press("enter")
        await till.settle(pilot)
        # The receipt list's view of a receipt: F5 says the same there.
        await menu_entry(pilot, till, "receipts")
        assert isinstance(app.screen, ReceiptsScreen)
        await pilot.press("enter")
        await till.settle(pilot)
        assert isinstance(app.screen, ReceiptView)
        await pilot.press("f5")
        await till.settle(pilot)
        assert isinstance(app.screen, ReceiptView)
        assert NO_PRINTER in str(error_line(app).render())
        assert NO_PRINTER in till.screen_text(pilot)

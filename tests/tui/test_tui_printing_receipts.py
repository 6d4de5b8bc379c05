"""Receipts from the app: the preview after payment, the drawer on cash only, no-sale, an
offline printer that keeps the jobs in order, reprints marked as copies, X reports on paper."""

from __future__ import annotations

from tui_printing_support import app_with, devices, drain, fake_station, menu_entry, printed_text, status_text

from pos_tui.core.till import NO_FISCAL_VALUE
from pos_tui.devices.print_queue import FakePrinter
from pos_tui.devices.printer import EscposPrinter
from pos_tui.store import models as m
from pos_tui.tui.dialogs.manager import ManagerPinDialog
from pos_tui.tui.dialogs.receipt_preview import ReceiptPreview
from pos_tui.tui.dialogs.views import ReportDialog
from pos_tui.tui.printing import PrintStation
from pos_tui.tui.screens.payment import PaymentScreen
from pos_tui.tui.screens.receipts import ReceiptsScreen
from pos_tui.tui.screens.sale import SaleScreen


async def sell_cash(pilot, till, code: str, cash: str) -> None:
    await till.scan(pilot, code)
    await pilot.press("f8")
    await till.type(pilot, cash, "enter")


async def test_cash_sale_prints_kicks_and_previews(settings, now, open_shift, shop, till) -> None:
    printer = FakePrinter()
    station = fake_station(printer)
    app = app_with(settings, now, station)
    async with app.run_test(size=(100, 34)) as pilot:
        await till.login(pilot)
        await sell_cash(pilot, till, shop.EKMEK, "20")
        assert isinstance(app.screen, ReceiptPreview)
        text = app.screen.text
        assert "Ekmek" in text and "T O T A L" in text and "Receipt no: T1/1" in text
        assert "B İ L G İ" in text  # the no-fiscal-value notice (double size, spaced out)
        assert "Receipt T1/1" in till.screen_text(pilot)
        await drain(pilot, station)
        assert [job.title for job in printer.printed] == ["Receipt T1/1"]
        assert printer.printed[0].kick and printer.kicks == 1
        await pilot.press("enter")
        await till.settle(pilot)
        assert isinstance(app.screen, SaleScreen)
        assert "Sale 1 done" in till.message(pilot)
        assert status_text(app, "printer") == "Printer: ready"


async def test_card_and_split_payments_kick_only_with_cash(settings, now, open_shift, shop, till) -> None:
    printer = FakePrinter()
    station = fake_station(printer)
    app = app_with(settings, now, station)
    async with app.run_test(size=(100, 34)) as pilot:
        await till.login(pilot)
        await till.scan(pilot, shop.EKMEK)
        await pilot.press("f9")
        await till.type(pilot, "", "enter")  # card, no reference
        assert isinstance(app.screen, ReceiptPreview)
        await pilot.press("escape")
        await till.scan(pilot, shop.SUT)
        await pilot.press("f10")
        await till.settle(pilot)
        assert isinstance(app.screen, PaymentScreen)
        await till.type(pilot, "20", "f9")
        await till.type(pilot, "", "enter")  # the card dialog
        await till.type(pilot, "20", "f8")  # 12,50 still due: 20 cash, 7,50 change
        await pilot.press("f10")
        await till.settle(pilot)
        assert isinstance(app.screen, ReceiptPreview)
        await drain(pilot, station)
    assert [(job.title, job.kick) for job in printer.printed] == [("Receipt T1/1", False), ("Receipt T1/2", True)]
    assert printer.kicks == 1


async def test_escpos_bytes_carry_the_kick_on_cash_only(settings, now, open_shift, shop, till) -> None:
    station = PrintStation(devices('[printer]\ndriver = "dummy"\nwidth = 42\n'))
    app = app_with(settings, now, station)
    async with app.run_test(size=(100, 34)) as pilot:
        await till.login(pilot)
        await till.scan(pilot, shop.CAY)
        await pilot.press("f9")
        await till.type(pilot, "", "enter")
        await pilot.press("escape")
        await drain(pilot, station)
        printer = station.printer
        assert isinstance(printer, EscposPrinter)
        kick = printer.kick_bytes()
        card_bytes = printer.sent
        assert kick not in card_bytes
        assert "Çay 500 g" in card_bytes.decode("cp857", errors="replace")
        await sell_cash(pilot, till, shop.EKMEK, "50")
        await pilot.press("escape")
        await drain(pilot, station)
        cash_bytes = printer.sent[len(card_bytes) :]
    assert cash_bytes.count(kick) == 1 and cash_bytes.endswith(kick)  # after the cut
    text = cash_bytes.decode("cp857", errors="replace")
    assert "Ekmek" in text and "40.00" in text  # the change (English settings)
    assert "BİLGİ FİŞİDİR" in text


async def test_no_sale_kicks_the_drawer_with_a_slip_after_the_permission(settings, now, open_shift, shop, till) -> None:
    printer = FakePrinter()
    station = fake_station(printer)
    app = app_with(settings, now, station)
    async with app.run_test(size=(100, 34)) as pilot:
        await till.login(pilot)
        await menu_entry(pilot, till, "no_sale")
        await till.type(pilot, "1", "enter")
        assert isinstance(app.screen, ManagerPinDialog)
        await drain(pilot, station)
        assert printer.printed == []  # nothing opens before a supervisor allows it
        await till.type(pilot, "2222", "enter")
        await till.type(pilot, "change", "enter")
        await drain(pilot, station)
        assert isinstance(app.screen, SaleScreen)
        assert "Drawer opened" in till.message(pilot)
    assert printer.kicks == 1
    slip = printer.printed[0]
    assert slip.kick and "NO SALE" in printed_text(slip) and "ayse" in printed_text(slip)
    assert m.CashMovement.get().kind == "no_sale"


async def test_offline_printer_keeps_jobs_in_order_and_retry_prints_them(settings, now, open_shift, shop, till) -> None:
    printer = FakePrinter()
    printer.offline = True
    station = fake_station(printer, backoff=(30.0, 30.0))  # only the retry key tries again in this test
    app = app_with(settings, now, station)
    async with app.run_test(size=(100, 34)) as pilot:
        await till.login(pilot)
        await sell_cash(pilot, till, shop.EKMEK, "10")
        assert isinstance(app.screen, ReceiptPreview)
        await pilot.press("enter")
        await sell_cash(pilot, till, shop.SUT, "50")
        await pilot.press("enter")
        await till.settle(pilot)
        await pilot.pause(0.1)
        assert isinstance(app.screen, SaleScreen) and app.screen.cart.is_empty  # selling goes on
        assert station.waiting == 2
        assert status_text(app, "printer") == "Printer out of paper — 2 jobs waiting · Ctrl+T: retry"
        assert m.Sale.select().count() == 2  # both sales are posted whatever the printer does
        printer.offline = False
        await pilot.press("ctrl+t")
        await drain(pilot, station)
        assert status_text(app, "printer") == "Printer: ready"
    assert [job.title for job in printer.printed] == ["Receipt T1/1", "Receipt T1/2"]
    assert printer.kicks == 2


async def test_reprint_from_the_receipt_list_is_a_copy_without_the_drawer(
    settings, now, open_shift, shop, till
) -> None:
    printer = FakePrinter()
    station = fake_station(printer)
    app = app_with(settings, now, station)
    async with app.run_test(size=(100, 34)) as pilot:
        await till.login(pilot)
        await sell_cash(pilot, till, shop.EKMEK, "20")
        await pilot.press("enter")
        await sell_cash(pilot, till, shop.SUT, "50")
        await pilot.press("enter")
        await till.settle(pilot)
        await menu_entry(pilot, till, "receipts")
        assert isinstance(app.screen, ReceiptsScreen)
        await pilot.press("down", "f5")  # the older sale (newest first)
        await till.settle(pilot)
        await drain(pilot, station)
        assert "Receipt T1/1: copy sent to the printer" in till.message(pilot)
    copy = printer.printed[-1]
    assert copy.title == "Receipt T1/1" and not copy.kick
    assert "COPY" in printed_text(copy) and "Ekmek" in printed_text(copy)
    assert printer.kicks == 2


async def test_reprint_from_the_preview(settings, now, open_shift, shop, till) -> None:
    printer = FakePrinter()
    station = fake_station(printer)
    app = app_with(settings, now, station)
    async with app.run_test(size=(100, 34)) as pilot:
        await till.login(pilot)
        await sell_cash(pilot, till, shop.EKMEK, "20")
        assert isinstance(app.screen, ReceiptPreview)
        await pilot.press("f5")
        await till.settle(pilot)
        await drain(pilot, station)
        assert "copy sent to the printer" in till.screen_text(pilot)
    assert [("COPY" in printed_text(job), job.kick) for job in printer.printed] == [(False, True), (True, False)]


async def test_x_report_is_printed_too(settings, now, open_shift, shop, till) -> None:
    printer = FakePrinter()
    station = fake_station(printer)
    app = app_with(settings, now, station)
    async with app.run_test(size=(100, 34)) as pilot:
        await till.login(pilot)
        await menu_entry(pilot, till, "x")
        await till.type(pilot, "2222", "enter")  # a cashier's X needs a supervisor (no x_report)
        await till.type(pilot, "drawer check", "enter")
        assert isinstance(app.screen, ReportDialog)
        await drain(pilot, station)
    assert [job.title for job in printer.printed] == ["X report"]
    assert NO_FISCAL_VALUE.split(" — ")[0] + " —" in printed_text(printer.printed[0])


async def test_without_a_printer_the_receipt_is_on_screen_and_nothing_breaks(
    settings, now, open_shift, shop, till
) -> None:
    station = PrintStation(devices())
    app = app_with(settings, now, station)
    async with app.run_test(size=(100, 34)) as pilot:
        await till.login(pilot)
        await sell_cash(pilot, till, shop.EKMEK, "20")
        assert isinstance(app.screen, ReceiptPreview)  # the receipt on screen is the only one there is
        assert station.queue is None and station.preview
        assert "No receipt printer: the receipt is on the screen only" in till.screen_text(pilot)
        await till.type(pilot, "", "enter")
        assert isinstance(app.screen, SaleScreen)
        await menu_entry(pilot, till, "receipts")
        await pilot.press("f5")
        await till.settle(pilot)
        assert "No receipt printer" in till.message(pilot)


async def test_a_bad_printer_section_is_said_once_and_the_till_sells(settings, now, open_shift, shop, till) -> None:
    station = PrintStation(devices('[printer]\ndriver = "laser"\n'))
    app = app_with(settings, now, station)
    async with app.run_test(size=(100, 34)) as pilot:
        await till.login(pilot)
        assert [n.message for n in app._notifications if "driver" in n.message]
        assert "Printer: not used" in status_text(app, "printer")
        await sell_cash(pilot, till, shop.EKMEK, "20")
        assert isinstance(app.screen, ReceiptPreview)
        await till.type(pilot, "", "enter")
        assert isinstance(app.screen, SaleScreen)
    assert m.Sale.select().count() == 1

"""Fiscal mode in the app: the device registers each sale inside the posting; a device error
leaves the payment screen open with its payments (nothing recorded), paying again succeeds, and
the slip then carries the fiscal number and no "no fiscal value" notice. The Z close asks the
device for its Z too, and a device failure there does not undo the shop's Z."""

from __future__ import annotations

from decimal import Decimal

from tui_printing_support import app_with, devices, drain, fake_station, menu_entry, printed_text, status_text

from pos_tui.core import cash
from pos_tui.devices.fiscal import FiscalSimulator
from pos_tui.devices.print_queue import FakePrinter
from pos_tui.store import models as m
from pos_tui.tui.dialogs.receipt_preview import ReceiptPreview
from pos_tui.tui.dialogs.views import ReportDialog
from pos_tui.tui.printing import PrintStation
from pos_tui.tui.screens.payment import PaymentScreen
from pos_tui.tui.screens.sale import SaleScreen


async def test_fiscal_error_keeps_the_payment_screen_then_paying_again_succeeds(
    settings, now, open_shift, shop, till, tmp_path
) -> None:
    device = FiscalSimulator(tmp_path / "okc", serial="SIM0000042")
    printer = FakePrinter()
    station = fake_station(printer, fiscal=device)
    app = app_with(settings, now, station)
    async with app.run_test(size=(100, 34)) as pilot:
        await till.login(pilot)
        assert status_text(app, "fiscal") == "Fiscal device: Z 1 · next no 1"
        device.inject("paper_out")
        await till.scan(pilot, shop.EKMEK)
        await till.scan(pilot, shop.CAY)  # 10,00 + 120,00
        await pilot.press("f10")
        await till.settle(pilot)
        await till.type(pilot, "50", "f9")
        await till.type(pilot, "", "enter")
        await till.type(pilot, "100", "f8")
        await pilot.press("f10")
        await till.settle(pilot)
        screen = app.screen
        assert isinstance(screen, PaymentScreen) and not screen.posting
        assert "out of paper" in till.message(pilot)
        assert [(p.method, p.amount) for p in screen.parts] == [("card", Decimal("50")), ("cash", Decimal("100"))]
        assert m.Sale.select().count() == 0  # nothing recorded
        assert "Fiscal device: The fiscal printer is out of paper" in status_text(app, "fiscal")
        await pilot.press("f10")  # the paper is in: pay again
        await till.settle(pilot)
        assert isinstance(app.screen, ReceiptPreview)
        preview = app.screen.text
        assert "Fiscal no 1 / Z no 1" in preview and "B İ L G İ" not in preview
        await drain(pilot, station)
        assert status_text(app, "fiscal") == "Fiscal device: no 1 · Z 1"
        await pilot.press("enter")
        await till.settle(pilot)
        assert isinstance(app.screen, SaleScreen)
    sale = m.Sale.get()
    assert m.SaleFiscal.get().sale_id == sale.id and m.SaleFiscal.get().fiscal_no == 1
    receipt = printed_text(printer.printed[0])
    assert "Fiscal no 1 / Z no 1" in receipt and "SIM0000042" in receipt and "FİŞİDİR" not in receipt
    assert printer.printed[0].kick  # 100 cash
    [record] = [r for r in device.journal() if r["type"] == "receipt"]
    assert (record["no"], record["total"], record["reference"]) == (1, "130.00", sale.uid)


async def test_sale_screen_cash_key_registers_on_the_device_too(
    settings, now, open_shift, shop, till, tmp_path
) -> None:
    device = FiscalSimulator(tmp_path / "okc")
    station = fake_station(fiscal=device)
    app = app_with(settings, now, station)
    async with app.run_test(size=(100, 34)) as pilot:
        await till.login(pilot)
        device.inject("timeout")
        await till.scan(pilot, shop.EKMEK)
        await pilot.press("f8")
        await till.type(pilot, "10", "enter")
        assert isinstance(app.screen, SaleScreen)
        assert "did not answer" in till.message(pilot)
        assert len(app.screen.cart.lines) == 1  # the cart stays open and payable
        await pilot.press("f8")
        await till.type(pilot, "10", "enter")
        assert isinstance(app.screen, ReceiptPreview)
    assert m.Sale.select().count() == 1
    assert [r["type"] for r in device.journal()] == ["receipt"]  # it failed before opening one


async def test_z_close_also_closes_the_fiscal_day(settings, now, shop, till, tmp_path) -> None:
    cash.open_shift(settings.terminal_id, shop.mehmet, Decimal("0"), now=now)
    device = FiscalSimulator(tmp_path / "okc")
    printer = FakePrinter()
    station = fake_station(printer, fiscal=device)
    app = app_with(settings, now, station)
    async with app.run_test(size=(100, 34)) as pilot:
        await till.login(pilot, "2222")
        await till.scan(pilot, shop.EKMEK)
        await pilot.press("f8")
        await till.type(pilot, "10", "enter")
        await pilot.press("escape")
        await menu_entry(pilot, till, "z")
        await pilot.press("enter")
        await till.settle(pilot)
        assert isinstance(app.screen, ReportDialog)
        assert "Fiscal device SIM0000001: Z 1 closed, 1 receipts" in till.screen_text(pilot)
        z_entry = m.JournalEntry.get(m.JournalEntry.kind == "z")
        anchor = f"{z_entry.id}:{z_entry.hash[:12]}"
        assert anchor in till.screen_text(pilot)  # the report on the screen shows the journal head
        await drain(pilot, station)
    assert m.ZClosure.select().count() == 1
    # the journal head is written on the device's own journal (an info slip) before its Z
    assert [r["type"] for r in device.journal()] == ["receipt", "info_slip", "z"]
    assert device.journal()[1]["lines"] == ["Journal head", anchor]
    assert [job.title for job in printer.printed] == ["Receipt T1/1", "Z report"]
    assert "FİŞİDİR" not in printed_text(printer.printed[1])
    assert anchor in printed_text(printer.printed[1])


async def test_a_fiscal_z_failure_does_not_block_the_shops_z(settings, now, shop, till, tmp_path) -> None:
    cash.open_shift(settings.terminal_id, shop.mehmet, Decimal("0"), now=now)
    device = FiscalSimulator(tmp_path / "okc")
    station = fake_station(fiscal=device)
    app = app_with(settings, now, station)
    async with app.run_test(size=(100, 34)) as pilot:
        await till.login(pilot, "2222")
        device.inject("not_paired")
        await menu_entry(pilot, till, "z")
        await pilot.press("enter")
        await till.settle(pilot)
        assert isinstance(app.screen, ReportDialog)
        text = till.screen_text(pilot)
        assert "Fiscal device Z failed" in text and "not paired" in text
        assert m.ZClosure.select().count() == 1  # the shop's Z stands
        await pilot.press("escape")
        await till.settle(pilot)
        await menu_entry(pilot, till, "fiscal_z")  # the device is fixed: its Z from the menu
        await pilot.press("enter")
        await till.settle(pilot)
        assert "Z 1 closed" in till.message(pilot)
    assert [r["type"] for r in device.journal()] == ["z"]


async def test_a_bad_fiscal_section_is_shown_and_the_till_sells_without_it(
    settings, now, open_shift, shop, till
) -> None:
    station = PrintStation(devices('[fiscal]\ndriver = "okc"\n[printer]\ndriver = "dummy"\n'))
    app = app_with(settings, now, station)
    async with app.run_test(size=(100, 34)) as pilot:
        await till.login(pilot)
        assert station.fiscal is None and not station.fiscal_mode
        assert "Fiscal device: not used" in status_text(app, "fiscal")
        assert sum("driver" in n.message for n in app._notifications) == 1
        await till.scan(pilot, shop.EKMEK)
        await pilot.press("f8")
        await till.type(pilot, "10", "enter")
        assert isinstance(app.screen, ReceiptPreview)
        assert "B İ L G İ" in app.screen.text
    assert m.Sale.select().count() == 1 and m.SaleFiscal.select().count() == 0


async def test_simulator_from_devices_toml(settings, now, open_shift, shop, till, tmp_path) -> None:
    station = PrintStation(devices(f'[fiscal]\ndriver = "simulator"\ndirectory = "{tmp_path / "okc"}"\n'))
    app = app_with(settings, now, station)
    async with app.run_test(size=(100, 34)) as pilot:
        await till.login(pilot)
        assert station.fiscal_mode
        await till.scan(pilot, shop.EKMEK)
        await pilot.press("f8")
        await till.type(pilot, "10", "enter")
        assert isinstance(app.screen, ReceiptPreview)  # no printer: the receipt on screen only
        assert "Fiscal no 1" in app.screen.text
        await till.type(pilot, "", "enter")
        assert isinstance(app.screen, SaleScreen)
    assert m.SaleFiscal.get().fiscal_no == 1

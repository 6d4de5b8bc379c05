"""Shelf labels from the menu: the products changed today, as an A4 PDF under POS_HOME or as
label jobs in the receipt printer's queue."""

from __future__ import annotations

from datetime import timedelta

from tui_printing_support import app_with, drain, fake_station, menu_entry, printed_text

from pos_tui.devices.print_queue import FakePrinter
from pos_tui.tui.dialogs.prompts import ChoiceDialog
from pos_tui.tui.screens.sale import SaleScreen


async def test_labels_for_products_changed_today_as_a_pdf(settings, now, open_shift, shop, till) -> None:
    station = fake_station()
    app = app_with(settings, now, station)
    async with app.run_test(size=(120, 34)) as pilot:
        await till.login(pilot)
        await menu_entry(pilot, till, "labels")
        dialog = app.screen
        assert isinstance(dialog, ChoiceDialog) and dialog.title_text == "5 shelf labels"
        await pilot.press("1")  # PDF
        await till.settle(pilot)
        assert isinstance(app.screen, SaleScreen)
        message = till.message(pilot)
    assert "Wrote 5 labels on 1 pages to" in message
    [pdf] = (settings.home / "labels").glob("labels-*.pdf")
    assert str(pdf) in message.replace("\n", "")
    assert pdf.read_bytes().startswith(b"%PDF")


async def test_labels_to_the_receipt_printer_queue(settings, now, open_shift, shop, till) -> None:
    printer = FakePrinter()
    station = fake_station(printer)
    app = app_with(settings, now, station)
    async with app.run_test(size=(120, 34)) as pilot:
        await till.login(pilot)
        await menu_entry(pilot, till, "labels")
        await pilot.press("2")  # receipt printer
        await till.settle(pilot)
        await drain(pilot, station)
        assert "5 shelf labels sent to the receipt printer" in till.message(pilot)
    assert len(printer.printed) == 5 and not any(job.kick for job in printer.printed)
    assert any("Isparta Gülü Kolonya" in printed_text(job) for job in printer.printed)


async def test_no_product_changed_today(settings, now, open_shift, shop, till) -> None:
    station = fake_station()
    app = app_with(settings, now + timedelta(days=2), station)
    async with app.run_test(size=(120, 34)) as pilot:
        await till.login(pilot)
        await menu_entry(pilot, till, "labels")
        assert isinstance(app.screen, SaleScreen)
        assert "No product changed today" in till.message(pilot)

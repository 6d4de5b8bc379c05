"""Shelf labels for the receipt printer: the Printables, and the bytes D3's ESC/POS driver makes of them."""

from __future__ import annotations

from datetime import date

import pytest
from labels_support import catalog  # noqa: F401 (the fixture, used by name)

from pos_tui.core.catalog import select_products
from pos_tui.core.kernel import PrintLine
from pos_tui.devices.labels_escpos import label_printable, label_printables
from pos_tui.devices.printer import EscposPrinter, PrinterConfig

TODAY = date(2026, 11, 1)


@pytest.mark.usefixtures("catalog")
def test_a_label_is_one_job_with_name_prices_date_and_barcode() -> None:
    (apricot,) = select_products(codes=["1002"], as_of=TODAY)
    job = label_printable(apricot, width=32, language="tr")
    assert job.cut and not job.kick and job.title == "Shelf label 1002"
    texts = [line.text for line in job.lines if line.barcode is None]
    assert texts == [
        "Iğdır Kayısısı Kurusu 500 g",
        "189,50 TL",
        "Unit price per kg",
        "379,00 TL / kg",
        "500 g",
        "25.10.2026                  1002",
    ]
    price, unit_price = job.lines[1], job.lines[3]
    assert (price.double, price.bold) == (True, True)
    assert (unit_price.double, unit_price.bold) == (True, True)  # the same size as the price
    assert job.lines[-1] == PrintLine(align="center", barcode="8690000000029", symbology="EAN13")
    assert all(len(line.text) * (2 if line.double else 1) <= 32 for line in job.lines)


@pytest.mark.usefixtures("catalog")
def test_loose_goods_long_names_and_code128() -> None:
    cheese, cologne = select_products(codes=["2001", "KOL-400"], as_of=TODAY)
    job = label_printable(cheese, width=42, language="tr")
    assert [line.text for line in job.lines[:2]] == ["Ezine Beyaz Peynir", "420,00 TL / kg"]
    assert not any("Unit price" in line.text for line in job.lines)
    assert job.lines[-1].barcode == "2001" and job.lines[-1].symbology == "CODE128"

    narrow = label_printable(cologne, width=24, language="tr")
    assert [line.text for line in narrow.lines[:2]] == ["Isparta Gülü Kolonya 400", "ml"]
    assert not narrow.lines[2].double  # "224,75 TL / lt" twice as wide does not fit 24 characters
    assert all(len(line.text) <= 24 for line in narrow.lines)


@pytest.mark.usefixtures("catalog")
def test_every_label_is_its_own_job_in_order() -> None:
    labels = select_products(category="Kozmetik", as_of=TODAY)
    jobs = label_printables(labels, width=42)
    assert [job.title for job in jobs] == ["Shelf label 1004", "Shelf label KOL-400"]
    assert all(job.cut for job in jobs)


@pytest.mark.usefixtures("catalog")
def test_the_printer_driver_prints_turkish_text_and_its_own_barcode_command() -> None:
    printer = EscposPrinter(PrinterConfig(driver="dummy", width=42))
    (sugar,) = select_products(codes=["1001"], as_of=TODAY)
    (cologne,) = select_products(codes=["KOL-400"], as_of=TODAY)

    ean_bytes = printer.render(label_printable(sugar, width=42, language="tr"))
    text = ean_bytes.decode("cp857")
    assert "Şeker Küp 1 kg" in text and "64,90 TL" in text
    assert b"\x1bt\x0d" in ean_bytes  # ESC t 13: CP857
    assert b"\x1dk\x02869000000001" in ean_bytes  # GS k, EAN-13 (function A), the GTIN's digits
    assert b"\x1dV" in ean_bytes  # GS V: cut

    code_bytes = printer.render(label_printable(cologne, width=42, language="tr"))
    assert "Isparta Gülü Kolonya 400 ml" in code_bytes.decode("cp857")
    assert b"\x1dkI" in code_bytes and b"{BKOL-400" in code_bytes  # GS k, Code 128 set B

"""Helpers for the shelf-label tests: a small catalog written through the real upsert, a
``cli`` fixture for ``pos-admin``, and readers that check a PDF the way a person would — render
it to pixels (pypdfium2) and scan every barcode with an independent decoder (zxing-cpp), and
read its text back (pypdfium2's text layer)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
import zxingcpp
from stdnum import ean
from typer.testing import CliRunner

from pos_tui.cli import common
from pos_tui.core.catalog import ProductInput, upsert_products
from pos_tui.store import close_database

REPO = Path(__file__).resolve().parents[2]
KDV_RATES = (0, 1, 10, 20)
RENDER_DPI = 300

# (code, barcodes, name, unit, price, category) — Turkish letters, a GTIN, a UPC-A, no barcode,
# loose goods by the kg and the litre, packaged goods with a net quantity in their names.
CATALOG: tuple[tuple[str, tuple[str, ...], str, str, str, str], ...] = (
    ("1001", ("8690000000012",), "Şeker Küp 1 kg", "piece", "64.90", "Gıda"),
    ("1002", ("8690000000029",), "Iğdır Kayısısı Kurusu 500 g", "piece", "189.50", "Gıda"),
    ("1003", ("036000291452",), "Çaykur Rize Çayı 1000 g", "piece", "245.00", "İçecek"),
    ("1004", (), "Gül Suyu 250 ml", "piece", "35.00", "Kozmetik"),
    ("2001", (), "Ezine Beyaz Peynir", "kg", "420.00", "Şarküteri"),
    ("2002", ("8690000000036",), "Sızma Zeytinyağı Açık", "lt", "380.00", "Gıda"),
    ("KOL-400", (), "Isparta Gülü Kolonya 400 ml", "piece", "89.90", "Kozmetik"),
)


def gtin(n: int) -> str:
    body = f"869{n:09d}"
    return body + ean.calc_check_digit(body)


def add_products(
    rows: Sequence[tuple[str, tuple[str, ...], str, str, str, str]], *, now: datetime, active: bool = True
) -> None:
    """Create or update products through :func:`pos_tui.core.catalog.products.upsert_products` at ``now``."""
    upsert_products(
        [
            ProductInput(
                code=code,
                barcodes=barcodes,
                name=name,
                unit=unit,
                price=Decimal(price),
                kdv_rate=10,
                category=category,
                active=active,
            )
            for code, barcodes, name, unit, price, category in rows
        ],
        now=now,
        kdv_rates=KDV_RATES,
    )


@pytest.fixture
def catalog(db: object, now: datetime) -> dict[str, tuple[str, tuple[str, ...], str, str, str, str]]:
    """:data:`CATALOG` written a week before ``now``, with "Çaykur" and "Gül Suyu" repriced at ``now``."""
    add_products(CATALOG, now=now - timedelta(days=7))
    changed = [row for row in CATALOG if row[0] in ("1003", "1004")]
    add_products([(c, b, n, u, str(Decimal(p) + 5), cat) for c, b, n, u, p, cat in changed], now=now)
    return {row[0]: row for row in CATALOG}


def decode_pdf(data: bytes, dpi: int = RENDER_DPI) -> list[list[tuple[str, str]]]:
    """Every barcode zxing-cpp finds on each page of the PDF, as (format, text) per page."""
    pages = []
    for page in pdfium.PdfDocument(data):
        image = page.render(scale=dpi / 72, grayscale=True).to_pil()
        pages.append(sorted((r.format.name, r.text) for r in zxingcpp.read_barcodes(image)))
    return pages


def decode_cells(data: bytes, layout: Any, dpi: int = RENDER_DPI) -> list[list[tuple[str, str]]]:
    """The barcodes zxing-cpp finds inside each label cell, sheet by sheet, cell by cell (row by
    row from the top left): checks each barcode sits on its own product's label."""
    from reportlab.lib.units import mm

    scale = dpi / 72
    cells = []
    for page in pdfium.PdfDocument(data):
        image = page.render(scale=scale, grayscale=True).to_pil()
        height = image.height
        for index in range(layout.per_sheet):
            x, y = layout.cell(index)
            box = (x * scale, height - (y + layout.label_height * mm) * scale)
            crop = image.crop(
                (
                    int(box[0]),
                    int(box[1]),
                    int(box[0] + layout.label_width * mm * scale),
                    int(box[1] + layout.label_height * mm * scale),
                )
            )
            cells.append(sorted((r.format.name, r.text) for r in zxingcpp.read_barcodes(crop)))
    return cells


def pdf_text(data: bytes) -> list[str]:
    """The text of each page, as pypdfium2 extracts it (what a search in a PDF viewer sees)."""
    return [page.get_textpage().get_text_range() for page in pdfium.PdfDocument(data)]


def expected_barcodes(labels: Sequence[Any]) -> Counter[tuple[str, str]]:
    """The (zxing format name, text) multiset the labels should scan as."""
    names = {"EAN13": "EAN13", "CODE128": "Code128"}
    return Counter((names[label.symbology], label.barcode) for label in labels if label.barcode is not None)


def run_cli(db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Any]]:
    """Body of a ``cli`` fixture: ``cli(*args, devices_toml="")`` runs pos-admin in-process against
    the test database, with a fresh CLI state per call (as a new process would have) and
    ``devices_toml`` as the devices.toml it reads."""
    devices = tmp_path / "devices.toml"
    env = {
        "POS_DB": str(db_path),
        "POS_HOME": str(tmp_path),
        "POS_CONFIG": str(REPO / "config" / "pos.toml"),
        "POS_DEVICES": str(devices),
        "POS_LANG": "en",
        "POS_TERMINAL": "T1",
    }
    runner = CliRunner(env=env)

    def run(*args: str, devices_toml: str = "") -> Any:
        from pos_tui.cli.app import app

        devices.write_text(devices_toml, encoding="utf-8")
        monkeypatch.setattr(common, "STATE", common.State())
        return runner.invoke(app, list(args))

    yield run
    close_database()

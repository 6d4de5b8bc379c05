"""A small shop with a few real sales, and readers of every export format, for the export tests (a
uniquely named module: the test modules import it by name; it holds no tests itself).

Three sales posted through the till's own service, shop time (Istanbul, UTC+3), all by ayse on T1:

* Friday 30.10.2026 10:00: 2 × Ekmek 10,00 + 1 × Çay 500 g 120,00 = 140,00 (KDV 0,20 + 20,00)
* Saturday 31.10.2026 15:00: 1 × Süt 1 L 32,50 (KDV 0,32)
* Sunday 01.11.2026 09:00: 1 × Deterjan 85,00 (KDV 14,17)

Together 3 receipts, net 257,50, KDV 34,69.
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from pos_tui.core.reports import CATALOGUE, Period, Report, ReportQuery
from pos_tui.settings import Settings
from pos_tui.store import models as m

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
for folder in (HERE.parent / "loyalty", HERE.parent / "accounts"):
    if str(folder) not in sys.path:
        sys.path.append(str(folder))

from accounts_support import make_books  # noqa: E402
from checkout_support import basket, sell  # noqa: E402

TZ = "Europe/Istanbul"
NAMES = [e.name for e in CATALOGUE]
"""Every report of the catalogue: the generic tests run over each (``-k sales-by-day`` for one)."""
FIRST, LAST = "2026-10-30", "2026-11-01"
PERIOD = Period(date(2026, 10, 30), date(2026, 11, 1))
SALES = (  # (UTC moment, ((code, qty), ...))
    (datetime(2026, 10, 30, 7, 0, tzinfo=UTC), (("1001", 2), ("1003", 1))),
    (datetime(2026, 10, 31, 12, 0, tzinfo=UTC), (("1002", 1),)),
    (datetime(2026, 11, 1, 6, 0, tzinfo=UTC), (("1004", 1),)),
)
DAY_NETS = {
    date(2026, 10, 30): Decimal("140.00"),
    date(2026, 10, 31): Decimal("32.50"),
    date(2026, 11, 1): Decimal("85.00"),
}
DAY_KDV = {
    date(2026, 10, 30): Decimal("20.20"),
    date(2026, 10, 31): Decimal("0.32"),
    date(2026, 11, 1): Decimal("14.17"),
}
NET = Decimal("257.50")
KDV = Decimal("34.69")
RECEIPTS = 3
TURKISH = "Güneş Şarküteri İğdır Öç"
"""A shop name with every Turkish letter that Latin-1 lacks or shares (ğ ü ş ı ö ç İ)."""


def seed_shop(settings: Settings, now: datetime) -> list[int]:
    """The users and products of ``make_books`` and the three sales above; their ids."""
    books = make_books(settings, now - timedelta(days=5))
    ids = []
    for at, items in SALES:
        cart = basket(None, *((m.Product.get(m.Product.code == code), qty) for code, qty in items))
        ids.append(sell(books.ayse, cart, at))
    return ids


def query(now: datetime, **options: str) -> ReportQuery:
    """The query of the seeded period (30.10.2026 to 01.11.2026)."""
    return ReportQuery(PERIOD, TZ, now, options=options)


def smtp_config(tmp_path: Path, port: int, *, host: str = "127.0.0.1") -> Path:
    """config/pos.toml with ``[smtp]`` pointing at ``host:port`` (plain, no login)."""
    text = (REPO / "config" / "pos.toml").read_text(encoding="utf-8")
    old = 'host = ""\nport = 587\nstarttls = true\n'
    assert old in text
    text = text.replace(old, f'host = "{host}"\nport = {port}\nstarttls = false\ntimeout = 5\n', 1)
    text = text.replace('sender = ""  ', 'sender = "Demo Market <rapor@demomarket.com.tr>"  ', 1)
    assert "rapor@demomarket.com.tr" in text
    path = tmp_path / "pos-smtp.toml"
    path.write_text(text, encoding="utf-8")
    return path


# --- reading the formats back -------------------------------------------------------------------


def csv_rows(data: bytes) -> list[list[str]]:
    """A CSV export's rows (it must start with the BOM and use ``;``)."""
    assert data.startswith(b"\xef\xbb\xbf"), data[:10]
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))


def pdf_text(data: bytes) -> list[str]:
    """Each page's text, its white space folded."""
    import pypdfium2 as pdfium

    return [" ".join(page.get_textpage().get_text_range().split()) for page in pdfium.PdfDocument(data)]


def xlsx_sheet(data: bytes) -> Any:
    """The first sheet of an XLSX export, read with openpyxl."""
    import openpyxl

    return openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]


def header_row(sheet: Any, labels: Sequence[str]) -> int:
    """The 1-based row of the table's header (the columns' labels)."""
    for row in sheet.iter_rows(min_row=1, max_row=20):
        if [c.value for c in row[: len(labels)]] == list(labels):
            return int(row[0].row)
    raise AssertionError(f"no header row {labels}")


def xlsx_value(cell: Any, kind: str) -> Any:
    """A cell of the table as the report's value: Decimal for money and qty, the percent (not the
    fraction) for percent, a date for a date, ints for counts (checked to be real numbers)."""
    value = cell.value
    if value is None:
        return None
    if kind == "date":
        assert isinstance(value, datetime), (cell.coordinate, value)
        return value.date()
    if kind in ("money", "qty", "percent", "int", "points"):
        assert isinstance(value, int | float) and not isinstance(value, bool), (cell.coordinate, value)
        if kind == "percent":
            return (Decimal(repr(value)) * 100).quantize(Decimal("0.0001")).normalize()
        if kind in ("int", "points"):
            assert value == int(value)
            return int(value)
        return Decimal(repr(value))
    return value


def same(value: Any, expected: Any, kind: str) -> bool:
    """``value`` read back equals the report's ``expected``."""
    if expected is None or value is None:
        return value == expected
    if kind == "percent":
        return Decimal(value) == Decimal(expected).quantize(Decimal("0.0001")).normalize()
    if isinstance(expected, Decimal | int) and not isinstance(expected, bool):
        return Decimal(value) == Decimal(expected)
    return bool(value == expected)


def sample_report(now: datetime, *, chart: Any = None, rows: Sequence[Sequence[Any]] | None = None) -> Report:
    """A hand-made report with a column of every kind and small concrete numbers."""
    from pos_tui.core.reports import Column, Figure, sum_totals

    columns = (
        Column("name", "Ürün", "text"),
        Column("day", "Gün", "date"),
        Column("count", "Adet", "int"),
        Column("qty", "Miktar", "qty"),
        Column("net", "Net", "money"),
        Column("share", "Pay", "percent"),
        Column("points", "Puan", "points"),
    )
    table = tuple(
        tuple(r)
        for r in (
            rows
            or (
                ("Çay 500 g", date(2026, 10, 30), 2, Decimal("1.5"), Decimal("1234.50"), Decimal("12.5"), 10),
                ("=SUM(A1)", date(2026, 10, 31), 3, Decimal("2"), Decimal("-4.25"), Decimal("87.5"), 0),
            )
        )
    )
    return Report(
        name="sales-by-product",
        title="Ürün satışları",
        period=PERIOD,
        columns=columns,
        rows=table,
        generated_at=now,
        totals=sum_totals(columns, table, summed=("count", "qty", "net", "points")),
        summary=(Figure("net", "Net satış", sum(r[4] for r in table), "money"),),
        chart=chart,
        notes=("Maliyet ortalama maliyettir.",),
        filters={"terminal": "T1", "store": None},
    )

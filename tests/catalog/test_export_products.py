"""Exports: formula-injection protection, numbers left alone, and export → import round trips."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from catalog_support import MakeProduct, ean
from hypothesis import given
from hypothesis import strategies as st

from pos_tui.core import catalog
from pos_tui.core.interchange import export_products, import_products
from pos_tui.core.kernel import PRODUCT_COLUMNS, ValidationError, protect_cell, unprotect_cell, write_records
from pos_tui.settings import Settings
from pos_tui.store import open_database


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+90 532", "'+90 532"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("'=1", "''=1"),
        ("-12.50", "-12.50"),
        ("+5", "+5"),
        ("Isparta Gülü", "Isparta Gülü"),
        ("'quoted", "'quoted"),
        ("", ""),
    ],
)
def test_protect_cell(text: str, written: str) -> None:
    assert protect_cell(text) == written
    assert unprotect_cell(written) == text


@given(st.text(max_size=12))
def test_unprotect_is_the_inverse_of_protect(text: str) -> None:
    assert unprotect_cell(protect_cell(text)) == text
    assert protect_cell(text)[:1] not in ("=", "+", "-", "@", "\t", "\r") or protect_cell(text) == text


def test_write_records_csv_keeps_numbers_and_protects_text() -> None:
    out = io.StringIO()
    rows = [{"name": "=cmd()", "amount": Decimal("-12.50"), "qty": -3, "note": "-1.5", "ok": True, "tags": ["a", "b"]}]
    assert write_records(rows, "csv", out) == 1
    assert out.getvalue().splitlines() == ["name,amount,qty,note,ok,tags", "'=cmd(),-12.50,-3,-1.5,true,a|b"]


def test_write_records_json_and_jsonl() -> None:
    rows = [{"a": Decimal("1.50"), "b": "ş"}, {"a": None, "b": "=x"}]
    out = io.StringIO()
    write_records(rows, "json", out)
    assert json.loads(out.getvalue()) == [{"a": "1.50", "b": "ş"}, {"a": None, "b": "=x"}]
    out = io.StringIO()
    write_records(iter(rows), "jsonl", out)
    assert [json.loads(line) for line in out.getvalue().splitlines()] == [
        {"a": "1.50", "b": "ş"},
        {"a": None, "b": "=x"},
    ]
    out = io.StringIO()
    assert write_records([], "json", out) == 0 and json.loads(out.getvalue()) == []
    with pytest.raises(ValidationError):
        write_records(rows, "xml", io.StringIO())


@pytest.fixture
def catalog_rows(make_product: MakeProduct) -> None:
    make_product(
        "1501",
        '=HYPERLINK("http://evil")',
        "129.90",
        barcodes=(ean(1), ean(2)),
        category="+Kişisel Bakım",
        supplier="@Isparta",
        stock=30_000,
        min_stock=6_000,
        cost=Decimal("88"),
    )
    make_product("9", "Dana Kıyma", "549.00", unit="kg", kdv_rate=1, stock=-1_250)
    make_product("-5", "'=Tırnaklı ad", "0.50", active=False)


def test_csv_export_is_protected(catalog_rows: None) -> None:
    out = io.StringIO()
    assert export_products("csv", out) == 3
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert list(rows[0]) == list(PRODUCT_COLUMNS)
    by_code = {r["code"]: r for r in rows}
    kolonya = by_code["1501"]
    assert kolonya["name"] == '\'=HYPERLINK("http://evil")'
    assert kolonya["category"] == "'+Kişisel Bakım"
    assert kolonya["barcode"] == f"{ean(1)}|{ean(2)}"
    assert (kolonya["price"], kolonya["cost"], kolonya["stock"], kolonya["min_stock"]) == ("129.90", "88.00", "30", "6")
    assert by_code["9"]["stock"] == "-1.25"  # a negative number stays a number
    assert by_code["-5"]["name"] == "''=Tırnaklı ad" and by_code["-5"]["active"] == "false"
    for row in rows:
        for value in row.values():
            assert not value or (value[0] not in "=+@\t\r" and not (value[0] == "-" and not value[1:2].isdigit()))


@pytest.mark.parametrize("fmt", ["csv", "json", "jsonl"])
def test_export_then_import_round_trip(
    catalog_rows: None, fmt: str, tmp_path: Path, settings: Settings, now: datetime
) -> None:
    before = {p.code: p for p in (catalog.get_product(c) for c in ("1501", "9", "-5"))}
    path = tmp_path / f"products.{fmt}"
    with path.open("w", encoding="utf-8", newline="") as out:
        export_products(fmt, out)
    report = import_products(path, now=now, settings=settings)
    assert (report.rows, report.created, report.updated, report.unchanged) == (3, 0, 0, 3)

    # Into another, empty shop: the same products come out. (The supplier's code is its name
    # here; a new shop learns supplier names from `import suppliers`.)
    open_database(tmp_path / "other.sqlite3")
    report = import_products(path, now=now, settings=settings)
    assert report.created == 3
    after = {p.code: p for p in (catalog.get_product(c) for c in ("1501", "9", "-5"))}
    for code, product in before.items():
        assert after[code].name == product.name
        assert (after[code].price, after[code].cost, after[code].kdv_rate, after[code].unit) == (
            product.price,
            product.cost,
            product.kdv_rate,
            product.unit,
        )
        assert (after[code].barcodes, after[code].category, after[code].supplier) == (
            product.barcodes,
            product.category,
            product.supplier,
        )
        assert (after[code].stock, after[code].min_stock, after[code].active) == (
            product.stock,
            product.min_stock,
            product.active,
        )

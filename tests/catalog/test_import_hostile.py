"""Hostile import files (issue 10, section 4): every crash the fuzzing found is a row or file
error now, at the core and through ``pos-admin import``, and nothing is half imported."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import Result

from pos_tui.core.interchange import import_customers, import_products, import_suppliers
from pos_tui.core.kernel import ImportRejected
from pos_tui.settings import Settings
from pos_tui.store import models as m

Cli = Callable[..., Result]

# name -> (file name, bytes, the words the error must contain)
CRASHES: dict[str, tuple[str, bytes, str]] = {
    "30-digit price": ("p.csv", b"code,name,price\n1,A," + b"9" * 30 + b"\n", "too large"),
    "25-digit stock": ("p.csv", b"code,name,price,stock\n1,A,1," + b"9" * 25 + b"\n", "too large"),
    "100,000 nested [": ("p.json", b"[" * 100_000, "nested too deeply"),
    "100,000 nested [ (JSONL)": ("p.jsonl", b"[" * 100_000 + b"\n", "nested too deeply"),
    "5,000-digit JSON integer": ("p.json", b'[{"code": "1", "name": "A", "price": ' + b"9" * 5000 + b"}]", "digits"),
    "5,000-digit JSON decimal": ("p.json", b'[{"code": "1", "name": "A", "price": 1.' + b"9" * 5000 + b"}]", "digits"),
    "lone surrogate": ("p.json", b'[{"code": "1", "name": "a\\ud800b", "price": "1"}]', "U+D800"),
    "lone surrogate in a key": ("p.json", b'[{"code": "1", "name": "a", "price": "1", "x\\udc00": 1}]', "unknown"),
    "header over 131,072 characters": ("p.csv", b"code," + b"x" * 140_000 + b"\n1,2\n", "header line is longer"),
    "cell over 131,072 characters": ("p.csv", b'code,name,price\n1,"' + b"x" * 140_000 + b'",1\n', "cell is longer"),
    "NaN price": ("p.json", b'[{"code": "1", "name": "A", "price": NaN}]', "NaN"),
    "nested price": ("p.json", b'[{"code": "1", "name": "A", "price": [[1]], "unit": ["kg"]}]', "single value"),
    "NUL in a name": ("p.csv", b"code,name,price\n1,A\x00B,1\n", "U+0000"),
    "ESC in a name": ("p.csv", b"code,name,price\n1,A\x1b[31mB,1\n", "U+001B"),
    "BEL in a code": ("p.csv", b"code,name,price\n1\x07,A,1\n", "U+0007"),
    "newline in a name": ("p.json", b'[{"code": "1", "name": "A\\nB", "price": "1"}]', "U+000A"),
    "C1 control in a category": ("p.csv", "code,name,price,category\n1,A,1,x\u0085y\n".encode(), "U+0085"),
    "bidi override in a name": ("p.csv", "code,name,price\n1,A\u202eB,1\n".encode(), "U+202E"),
    "Arabic-Indic price": ("p.csv", "code,name,price\n1,A,١٠\n".encode(), "digits other than 0-9"),
    "full-width stock": ("p.csv", "code,name,price,stock\n1,A,1,１０\n".encode(), "digits other than 0-9"),
    "Arabic-Indic KDV": ("p.csv", "code,name,price,kdv\n1,A,1,٢٠\n".encode(), "KDV"),
    "4,301-digit KDV (found by the fuzz test)": ("p.csv", b"code,name,price,kdv\n1,A,1," + b"1" * 4301 + b"\n", "KDV"),
    "Arabic-Indic code": ("p.csv", "code,name,price\n١٢,A,1\n".encode(), "digits other than 0-9"),
    "ESC in a column name": ("p.csv", b"code,name,price,x\x1by\n1,A,1,2\n", "unknown column"),
}


def _counts() -> tuple[int, int, int]:
    return m.Product.select().count(), m.Barcode.select().count(), m.JournalEntry.select().count()


@pytest.mark.parametrize("case", list(CRASHES))
def test_each_crash_found_by_fuzzing_is_a_clear_error(
    case: str, db: object, settings: Settings, now: datetime, tmp_path: Path
) -> None:
    name, data, words = CRASHES[case]
    path = tmp_path / name
    path.write_bytes(data)
    before = _counts()
    with pytest.raises(ImportRejected) as caught:
        import_products(path, now=now, settings=settings)
    assert words in str(caught.value)
    assert _counts() == before
    assert not any(c in str(caught.value) for c in "\x00\x07\x1b\u202e\x85"), "the message echoes a control character"


@pytest.mark.parametrize("case", ["30-digit price", "100,000 nested [", "lone surrogate", "ESC in a column name"])
def test_pos_admin_import_exits_1_without_a_traceback(case: str, cli: Cli, tmp_path: Path) -> None:
    name, data, words = CRASHES[case]
    path = tmp_path / name
    path.write_bytes(data)
    result = cli("import", "products", str(path))
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output and words in result.stderr
    assert "\x1b[31m" not in result.stderr


@pytest.mark.parametrize("importer", [import_customers, import_suppliers])
def test_customers_and_suppliers_refuse_the_same(
    importer: Callable[..., object], db: object, settings: Settings, now: datetime, tmp_path: Path
) -> None:
    cases = {
        "c.csv": ("code,name,address\nC1,Ali\x1b[2J,Ankara\n", "U+001B"),
        "d.json": ('[{"code": "C1", "name": "a\\ud800b"}]', "U+D800"),
        "e.json": ('[{"code": "C1", "name": ' + "[" * 50_000 + "}]", "not valid JSON"),
        "f.csv": ("code,name\n٣,Ali\n", "digits other than 0-9"),
        "g.json": ('[{"code": "C1", "name": "Ali", "phone": ' + "9" * 5000 + "}]", "digits"),
    }
    for file, (text, words) in cases.items():
        path = tmp_path / file
        path.write_text(text, encoding="utf-8")
        with pytest.raises(ImportRejected) as caught:
            importer(path, now=now, settings=settings)
        assert words in str(caught.value), file
    assert m.Customer.select().count() == m.Supplier.select().count() == 0


def test_an_address_may_have_line_breaks_but_no_other_control(
    db: object, settings: Settings, now: datetime, tmp_path: Path
) -> None:
    path = tmp_path / "c.csv"
    path.write_text('code,name,address\nC1,Ali,"Atatürk Cd. 5\nÇankaya"\n', encoding="utf-8")
    import_customers(path, now=now, settings=settings)
    assert m.Customer.get(m.Customer.code == "C1").address == "Atatürk Cd. 5\nÇankaya"
    path.write_text('code,name,address\nC2,Ali,"Atatürk\x00Cd."\n', encoding="utf-8")
    with pytest.raises(ImportRejected, match="U\\+0000"):
        import_customers(path, now=now, settings=settings)


def test_a_ragged_tab_separated_row_names_the_tab_in_words(
    db: object, settings: Settings, now: datetime, tmp_path: Path
) -> None:
    """Found by the fuzz test: the message quoted the delimiter itself, a raw tab."""
    path = tmp_path / "p.csv"
    path.write_bytes(b"code\tname\n\t\t\n")
    with pytest.raises(ImportRejected) as caught:
        import_products(path, now=now, settings=settings)
    assert "\t" not in caught.value.message and "a tab inside a value needs quotes" in caught.value.message


def test_upsert_refuses_a_stock_no_column_holds(db: object, settings: Settings, now: datetime) -> None:
    """The importers' parsers stop a 25-digit stock; the upsert (also used by other callers) does too."""
    from decimal import Decimal

    from pos_tui.core.catalog import ProductInput, upsert_products

    rows = [ProductInput(code="1", name="A", price=Decimal(1), kdv_rate=20, stock=10**25, min_stock=-(10**20))]
    with pytest.raises(ImportRejected) as caught:
        upsert_products(rows, now=now, kdv_rates=settings.kdv_rates)
    assert [(e.line, e.field) for e in caught.value.errors] == [(1, "min_stock"), (1, "min_stock"), (1, "stock")]
    assert m.Product.select().count() == 0

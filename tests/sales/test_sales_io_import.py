"""``import sales``: the engine's rules, idempotency, all or nothing, and the CLI."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from stdnum import ean
from typer.testing import Result

from pos_tui.core.interchange import import_sales
from pos_tui.core.kernel import Actor, ImportRejected, canonical, to_db
from pos_tui.core.till import sale_document
from pos_tui.settings import Settings
from pos_tui.store import models as m

D = Decimal


def price_label(plu: str, kurus: int) -> str:
    body = f"29{plu}{kurus:05d}"
    return body + ean.calc_check_digit(body)


@pytest.fixture
def shop(make_product: Callable[..., m.Product], cashier: Actor, now: datetime) -> None:
    make_product("1001", "Ekmek", "10.00", 1, barcodes=["8690000000012"], stock=100_000)
    make_product("00101", "Beyaz Peynir", "240.00", 10, unit="kg", stock=100_000)
    make_product("1002", "Kolonya", "110.00", 20, stock=100_000)
    m.Customer.create(
        code="C-17", name="Zeynep Şahin", name_key="zeynep sahin", phone="+905321112233", created_at=to_db(now)
    )


def sale(uid: str, **over: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": uid,
        "at": "2026-10-30T18:05:00+03:00",
        "terminal": "T9",
        "cashier": "ayse",
        "lines": [{"barcode": "8690000000012", "qty": "2"}, {"code": "00101", "weight": "1,250", "price": "239.90"}],
        "payments": [{"method": "card", "amount": "100.00", "reference": "RRN123"}, {"method": "cash", "amount": 250}],
    }
    doc.update(over)
    return doc


def write(tmp_path: Path, docs: list[Any], name: str = "sales.jsonl") -> Path:
    path = tmp_path / name
    lines = [d if isinstance(d, str) else json.dumps(d, ensure_ascii=False) for d in docs]
    path.write_text("\ufeff" + "\n".join(lines) + "\n\n", encoding="utf-8")
    return path


def test_imported_sales_go_through_the_engine(shop: None, settings: Settings, now: datetime, tmp_path: Path) -> None:
    path = write(tmp_path, [sale("web-1", customer="+905321112233"), sale("web-2", terminal="T1")])
    result = import_sales(path, settings=settings, now=now)
    assert (result.imported, result.skipped, result.returns, result.read) == (2, 0, 0, 2)
    first = m.Sale.get(m.Sale.uid == "web-1")
    assert (first.source, first.terminal, first.receipt_no) == ("import", "T9", 1)
    doc = sale_document(first.id)
    assert doc["at"] == "2026-10-30T18:05:00+03:00"
    assert doc["customer"] == "C-17"
    assert doc["total"] == "319.88"  # 20.00 + 1.25 kg × 239.90 = 299.875 → 299.88
    assert [(ln["qty"], ln["unit_price"], ln["list_price"]) for ln in doc["lines"]] == [
        ("2", "10.00", "10.00"),
        ("1.25", "239.90", "240.00"),
    ]
    assert [(p["method"], p["amount"], p["change"]) for p in doc["payments"]] == [
        ("card", "100.00", None),
        ("cash", "219.88", "30.12"),
    ]
    entry = m.JournalEntry.get((m.JournalEntry.kind == "sale") & (m.JournalEntry.ref == "web-1"))
    assert entry.payload == canonical(doc)
    assert m.Product.get(m.Product.code == "00101").stock == 100_000 - 2 * 1250
    summary = json.loads(m.JournalEntry.get(m.JournalEntry.kind == "import").payload)
    assert (summary["what"], summary["imported"], summary["sales_total"]) == ("sales", 2, "639.76")


def test_running_the_same_file_twice_imports_it_once(
    shop: None, settings: Settings, now: datetime, tmp_path: Path
) -> None:
    path = write(tmp_path, [sale("web-1"), sale("web-2")])
    import_sales(path, settings=settings, now=now)
    again = import_sales(write(tmp_path, [sale("web-1"), sale("web-2"), sale("web-3")]), settings=settings, now=now)
    assert (again.imported, again.skipped) == (1, 2)
    assert m.Sale.select().count() == 3
    assert [s.receipt_no for s in m.Sale.select().order_by(m.Sale.id)] == [1, 2, 3]


def test_a_bad_line_imports_nothing_and_every_bad_line_is_listed(
    shop: None, settings: Settings, now: datetime, tmp_path: Path
) -> None:
    docs: list[Any] = [
        sale("ok-1"),
        "{not json",
        sale("bad-2", cashier="nobody", at="2026-10-30T18:05:00"),
        sale("bad-3", lines=[{"barcode": "8690000000013"}, {"code": "1001", "qyt": 2}]),
        sale("bad-4", payments=[{"method": "card", "amount": "500.00"}]),
        sale("bad-5", payments=[{"method": "cash", "amount": "10.00"}]),
        sale("ok-1"),
        sale("bad-7", lines=[{"code": "1001", "weight": "1.5"}], customer="C-404", payments=[]),
        sale("bad-8", return_of="never-sold", lines=[{"code": "1001"}]),
    ]
    path = write(tmp_path, docs)
    with pytest.raises(ImportRejected) as rejected:
        import_sales(path, settings=settings, now=now)
    found = {(e.line, e.field) for e in rejected.value.errors}
    assert found == {
        (2, "json"),
        (3, "at"),
        (3, "cashier"),
        (4, "lines[0].barcode"),
        (4, "lines[1]"),
        (5, "payments"),
        (6, "payments"),
        (7, "id"),
        (8, "lines[0].weight"),
        (8, "customer"),
        (9, "return_of"),
    }
    reasons = {(e.line, e.field): e.reason for e in rejected.value.errors}
    assert "check digit" in reasons[(4, "lines[0].barcode")]
    assert "more than the 319.88 still to pay" in reasons[(5, "payments")]
    assert "line 1" in reasons[(7, "id")]
    # Eight bad lines (two of them with two problems each): the summary counts lines.
    assert "sales.jsonl: 8 bad row(s), nothing imported" in str(rejected.value)
    assert m.Sale.select().count() == 0 and m.JournalEntry.select().count() == 0
    assert m.Counter.select().count() == 0


def test_dry_run_checks_everything_and_writes_nothing(
    shop: None, settings: Settings, now: datetime, tmp_path: Path
) -> None:
    result = import_sales(write(tmp_path, [sale("web-1"), sale("web-2")]), settings=settings, now=now, dry_run=True)
    assert (result.imported, result.dry_run, result.sales_total) == (2, True, D("639.76"))
    assert m.Sale.select().count() == 0 and m.JournalEntry.select().count() == 0
    with pytest.raises(ImportRejected):
        import_sales(write(tmp_path, [sale("web-1", payments=[])]), settings=settings, now=now, dry_run=True)


def test_returns_in_the_same_file_and_against_earlier_sales(
    shop: None, settings: Settings, now: datetime, tmp_path: Path
) -> None:
    label = price_label("00101", 1234)
    docs = [
        sale(
            "s-1",
            lines=[{"code": "1001", "qty": 3}, {"code": "1002"}, {"barcode": label}],
            payments=[{"method": "card", "amount": "152.34"}],
        ),
        {
            "id": "r-1",
            "at": "2026-10-31T09:00:00+03:00",
            "terminal": "T9",
            "cashier": "ayse",
            "return_of": "s-1",
            "lines": [{"barcode": "8690000000012", "qty": "2"}, {"line_no": 3, "barcode": label}],
        },
        {
            "id": "r-2",
            "at": "2026-10-31T09:30:00+03:00",
            "terminal": "T9",
            "cashier": "ayse",
            "return_of": "s-1",
            "lines": [{"code": "1001"}, {"code": "1002"}],
            "payments": [{"method": "cash", "amount": "120.00"}],
            "note": "customer moved away",
        },
    ]
    result = import_sales(write(tmp_path, docs), settings=settings, now=now)
    assert (result.imported, result.returns, result.returns_total) == (3, 2, D("152.34"))
    r1 = sale_document(m.Sale.get(m.Sale.uid == "r-1").id)
    assert (r1["type"], r1["return_of"], r1["total"]) == ("return", "s-1", "32.34")
    assert [(p["method"], p["amount"]) for p in r1["payments"]] == [("card", "32.34")]
    r2 = m.Sale.get(m.Sale.uid == "r-2")
    assert r2.note == "customer moved away"
    assert [(p.method, p.amount) for p in r2.payments] == [("cash", 12000)]

    too_many = {
        "id": "r-3",
        "at": "2026-10-31T10:00:00+03:00",
        "terminal": "T9",
        "cashier": "ayse",
        "return_of": "s-1",
        "lines": [{"code": "1001"}],
    }
    with pytest.raises(ImportRejected) as rejected:
        import_sales(write(tmp_path, [too_many], "more.jsonl"), settings=settings, now=now)
    (error,) = rejected.value.errors
    assert (error.line, error.field) == (1, "lines[0].qty")
    assert "sold 3 of 1001" in error.reason


def test_cli_import_sales(shop: None, cli: Callable[..., Result], tmp_path: Path) -> None:
    path = write(tmp_path, [sale("web-1"), sale("web-2")])
    dry = cli("import", "sales", str(path), "--dry-run", "--json")
    assert dry.exit_code == 0, dry.stderr
    assert json.loads(dry.stdout)["imported"] == 2 and json.loads(dry.stdout)["dry_run"] is True
    done = cli("import", "sales", str(path), "--json")
    assert done.exit_code == 0, done.stderr
    assert json.loads(done.stdout) == {
        "file": str(path),
        "read": 2,
        "imported": 2,
        "returns": 0,
        "skipped": 0,
        "dry_run": False,
        "sales_total": "639.76",
        "returns_total": "0.00",
        "wallet_topups": 0,
        "wallet_topups_total": "0.00",
    }
    again = cli("import", "sales", str(path))
    assert again.exit_code == 0 and "skipped 2" in again.stderr and again.stdout == ""
    bad = cli("import", "sales", str(write(tmp_path, [sale("x", cashier="nobody")], "bad.jsonl")), "--json")
    assert bad.exit_code == 1
    assert json.loads(bad.stdout)["errors"] == [{"line": 1, "field": "cashier", "reason": "no user named 'nobody'"}]
    assert "nothing imported" in bad.stderr
    missing = cli("import", "sales", str(tmp_path / "nope.jsonl"))
    assert missing.exit_code == 2


# --------------------------------------------------------------------------- hostile files (issue 10, section 4)

HOSTILE_SALES: dict[str, tuple[str, str]] = {
    "100,000 nested [": ("[" * 100_000, "nested too deeply"),
    "5,000-digit integer": (json.dumps(sale("h-1"))[:-1] + ', "note": ' + "9" * 5000 + "}", "digits"),
    "30-digit price": (json.dumps(sale("h-2", lines=[{"code": "1001", "price": "9" * 30}])), "too large"),
    "25-digit quantity": (json.dumps(sale("h-3", lines=[{"code": "1001", "qty": "9" * 25}])), "too large"),
    "lone surrogate in the note": (json.dumps(sale("h-4"))[:-1] + ', "note": "a\\ud800b"}', "U+D800"),
    "lone surrogate in the id": (json.dumps(sale("x"))[:-1].replace('"x"', '"a\\udc00"') + "}", "U+DC00"),
    "ESC in a key": (json.dumps(sale("h-5"))[:-1] + ', "n\\u001bote": "x"}', "U+001B"),
    "bidi override in a reference": (
        json.dumps(sale("h-6", payments=[{"method": "cash", "amount": "400", "reference": "a\u202eb"}])),
        "U+202E",
    ),
    "a list as the method": (json.dumps(sale("h-7", payments=[{"method": ["cash"], "amount": "400"}])), "method"),
    "the largest price times the largest quantity": (
        json.dumps(sale("h-11", lines=[{"code": "1001", "qty": "9" * 12, "price": "9" * 13}])),
        "too large",
    ),
    "Arabic-Indic quantity": (json.dumps(sale("h-8", lines=[{"code": "1001", "qty": "٢"}])), "digits other than 0-9"),
    "year 1 with an offset": (json.dumps(sale("h-9", at="0001-01-01T00:00:00+14:00")), "past or the future"),
    "NaN amount": (json.dumps(sale("h-10"))[:-1] + ', "payments": [{"method": "cash", "amount": NaN}]}', "NaN"),
}


@pytest.mark.parametrize("case", list(HOSTILE_SALES))
def test_hostile_sales_lines_are_line_errors(
    case: str, shop: None, settings: Settings, now: datetime, tmp_path: Path
) -> None:
    text, words = HOSTILE_SALES[case]
    path = write(tmp_path, [sale("ok-1"), text])
    with pytest.raises(ImportRejected) as caught:
        import_sales(path, settings=settings, now=now)
    assert words in str(caught.value)
    assert [e.line for e in caught.value.errors] == [2] * len(caught.value.errors)
    assert m.Sale.select().count() == 0 and m.JournalEntry.select().count() == 0


def test_pos_admin_import_sales_on_a_file_that_is_not_utf8_exits_1(
    shop: None, cli: Callable[..., Result], tmp_path: Path
) -> None:
    path = tmp_path / "sales.jsonl"
    path.write_bytes(b'{"id": "a\xff"}\n' + b"[" * 100_000 + b"\n")
    result = cli("import", "sales", str(path))
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert "not UTF-8" in result.stderr and "Traceback" not in result.output
    path.write_text("[" * 100_000 + "\n", encoding="utf-8")
    result = cli("import", "sales", str(path))
    assert result.exit_code == 1 and "nested too deeply" in result.stderr

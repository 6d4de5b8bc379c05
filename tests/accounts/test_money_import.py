"""``pos-admin import sales`` with payments on account."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from accounts_support import Books, books_fixture, quick_pins  # noqa: F401

from pos_tui.core import accounts, audit
from pos_tui.core.interchange import import_sales
from pos_tui.core.kernel import ImportRejected
from pos_tui.store import models as m

D = Decimal


def _sale(uid: str, amount: str, *, code: str = "1003", qty: str = "1", **extra: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": uid,
        "at": "2026-11-01T10:15:00+03:00",
        "terminal": "WEB",
        "cashier": "ayse",
        "lines": [{"code": code, "qty": qty}],
        "payments": [{"method": "on_account", "amount": amount}],
    }
    doc.update(extra)
    return doc


def _write(tmp_path: Path, docs: list[Any], name: str = "sales.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
    return path


def test_a_sale_on_account_is_imported_onto_the_account(books: Books, tmp_path: Path) -> None:
    docs = [
        _sale("web-1", "240,00", qty="2", account="BAKKAL"),
        {
            **_sale("web-2", "85.00", code="1004", account="BAKKAL"),
            "payments": [
                {"method": "cash", "amount": "5"},
                {"method": "on_account", "amount": "80", "installments": 2},
            ],
        },
        {"id": "web-3", "at": "2026-11-01T11:00:00+03:00", "terminal": "WEB", "cashier": "ayse",
         "return_of": "web-1", "lines": [{"code": "1003", "qty": "1"}]},
    ]  # fmt: skip
    result = import_sales(_write(tmp_path, docs), settings=books.settings, now=books.now)
    assert (result.imported, result.returns) == (3, 1)
    assert accounts.balance(books.bakkal.id) == D("240.00") + D("80.00") - D("120.00")
    sale = m.Sale.get(m.Sale.uid == "web-1")
    assert sale.customer_id == books.bakkal.customer_id and sale.source == "import"
    (entry,) = m.AccountEntry.select().where(m.AccountEntry.sale == sale.id)
    assert entry.due == date(2026, 12, 1)  # 01.11.2026 + 30 days
    two = m.AccountEntry.select().where(m.AccountEntry.sale == m.Sale.get(m.Sale.uid == "web-2").id)
    assert sorted(e.installment for e in two) == [1, 2]
    report = audit.verify(settings=books.settings)
    assert report.ok, report.problems


def test_bad_accounts_and_the_limit_are_row_errors_and_nothing_is_imported(books: Books, tmp_path: Path) -> None:
    docs = [
        _sale("ok-1", "120.00", account="BAKKAL"),
        _sale("bad-1", "120.00", account="NOPE"),
        _sale("bad-2", "120.00"),
        _sale("bad-3", "120.00", account="ACME"),
        _sale("bad-4", "1200.00", code="1003", qty="10", account="BAKKAL"),  # 120 + 1.200 > 1.000
    ]
    with pytest.raises(ImportRejected) as rejected:
        import_sales(_write(tmp_path, docs), settings=books.settings, now=books.now)
    errors = {e.line: (e.field, e.reason) for e in rejected.value.errors}
    assert set(errors) == {2, 3, 4, 5}, errors
    assert errors[2][0] == "account" and "NOPE" in errors[2][1]
    assert errors[3][0] == "account" and "required" in errors[3][1]
    assert errors[4][0] == "account" and "supplier" in errors[4][1]
    assert errors[5][0] == "payments" and "credit limit" in errors[5][1]
    assert m.Sale.select().count() == 0 and m.AccountEntry.select().count() == 0


def test_cli_import_sales_on_account(books: Books, tmp_path: Path, cli: Any) -> None:
    path = _write(tmp_path, [_sale("web-9", "120.00", account="BAKKAL")])
    done = cli("import", "sales", str(path), "--json")
    assert done.exit_code == 0, done.output
    assert accounts.balance(books.bakkal.id) == D("120.00")
    bad = cli("import", "sales", str(_write(tmp_path, [_sale("web-10", "1.00", account="X")], "b.jsonl")))
    assert bad.exit_code != 0 and "b.jsonl" in bad.stderr and "account" in bad.stderr

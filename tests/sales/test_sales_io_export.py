"""``export sales``: the documented JSON contract, JSONL, CSV, local days and the CLI."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

from pos_tui.core.basket import Cart, Discount, PaymentInput
from pos_tui.core.interchange import export_sales
from pos_tui.core.kernel import Actor, to_db
from pos_tui.core.till import ReturnLineInput, complete_sale, create_return, sale_document
from pos_tui.store import models as m

D = Decimal
AMOUNT = re.compile(r"^\d+\.\d\d$")
TZ = "Europe/Istanbul"


@pytest.fixture
def day(
    db: object,
    cashier: Actor,
    make_product: Callable[..., m.Product],
    add: Callable[..., Cart],
    now: datetime,
) -> list[str]:
    """Three documents: a sale at 23:30 on 31 Oct (local), a sale and a return on 1 Nov."""
    bread = make_product("1001", "Ekmek", "10.00", 1, barcodes=["8690000000012"])
    formula = make_product("1002", '=HYPERLINK("x")', "5.50", 20)
    customer = m.Customer.create(code="C-17", name="Zeynep", name_key="zeynep", created_at=to_db(now))
    late = datetime(2026, 10, 31, 20, 30, tzinfo=now.tzinfo)  # 23:30 in Istanbul
    first = complete_sale("T1", cashier, [PaymentInput("cash", D("20"))], now=late, cart=add(Cart(), bread, 2000))
    cart = add(add(Cart(), bread, 3000, barcode="8690000000012"), formula).with_customer(customer.id)
    cart = cart.discount_cart(Discount("percent", D(10)))
    second = complete_sale(
        "T2",
        cashier,
        [PaymentInput("card", D("10"), reference="R1"), PaymentInput("cash", D("50"))],
        now=now,
        cart=cart,
    )
    ret = create_return("T2", cashier, second.uid, [ReturnLineInput(1, 1000)], now=now + timedelta(hours=1), reason="r")
    return [first.uid, second.uid, ret.uid]


def export(fmt: str, **kw: Any) -> str:
    out = io.StringIO()
    export_sales(out, fmt, tz=TZ, **kw)
    return out.getvalue()


def check_contract(doc: dict[str, Any]) -> None:
    assert set(doc) == {
        "id", "receipt_no", "type", "terminal", "at", "cashier", "customer", "return_of",
        "subtotal", "discount", "total", "kdv", "lines", "payments",
    }  # fmt: skip
    for key in ("subtotal", "discount", "total"):
        assert AMOUNT.match(doc[key]), (key, doc[key])
    for row in doc["kdv"].values():
        assert AMOUNT.match(row["base"]) and AMOUNT.match(row["kdv"])
    assert sum(D(r["base"]) + D(r["kdv"]) for r in doc["kdv"].values()) == D(doc["total"])
    for line in doc["lines"]:
        assert {"code", "barcode", "name", "qty", "unit_price", "discount", "total", "kdv_rate"} <= set(line)
        assert all(AMOUNT.match(line[k]) for k in ("unit_price", "list_price", "discount", "total"))
        assert isinstance(line["kdv_rate"], int)
    assert sum(D(line["total"]) for line in doc["lines"]) == D(doc["total"])
    for pay in doc["payments"]:
        assert {"method", "amount"} <= set(pay) and AMOUNT.match(pay["amount"])
    assert sum(D(p["amount"]) for p in doc["payments"]) == D(doc["total"])
    assert datetime.fromisoformat(doc["at"]).utcoffset() == timedelta(hours=3)


def test_json_is_a_list_of_documents_in_the_contract_shape(day: list[str]) -> None:
    docs = json.loads(export("json"))
    assert [d["id"] for d in docs] == day
    for doc in docs:
        check_contract(doc)
    assert docs == [sale_document(m.Sale.get(m.Sale.uid == uid).id) for uid in day]
    second = docs[1]
    assert (second["type"], second["terminal"], second["customer"], second["total"]) == ("sale", "T2", "C-17", "31.95")
    assert docs[2]["type"] == "return" and docs[2]["return_of"] == day[1]


def test_jsonl_has_one_document_per_line(day: list[str]) -> None:
    lines = export("jsonl").splitlines()
    assert [json.loads(line)["id"] for line in lines] == day


def test_days_are_the_shops_local_days(day: list[str]) -> None:
    from datetime import date

    assert [d["id"] for d in json.loads(export("json", since=date(2026, 10, 31), until=date(2026, 10, 31)))] == day[:1]
    assert [d["id"] for d in json.loads(export("json", since=date(2026, 11, 1)))] == day[1:]
    assert [d["id"] for d in json.loads(export("json", terminal="T1"))] == day[:1]
    assert json.loads(export("json", since=date(2027, 1, 1))) == []


def test_cli_export_sales(day: list[str], cli: Callable[..., Result], tmp_path: Path) -> None:
    shown = cli("export", "sales", "--json")
    assert shown.exit_code == 0, shown.stderr
    assert [d["id"] for d in json.loads(shown.stdout)] == day
    ranged = cli("export", "sales", "--format", "jsonl", "--from", "2026-11-01", "--to", "2026-11-01")
    assert [json.loads(x)["id"] for x in ranged.stdout.splitlines()] == day[1:]
    target = tmp_path / "sales.json"
    written = cli("export", "sales", "--format", "json", "--output", str(target), "--terminal", "T2")
    assert written.exit_code == 0 and written.stdout == ""
    assert "Exported 2 document(s)" in written.stderr
    assert [d["id"] for d in json.loads(target.read_text(encoding="utf-8"))] == day[1:]
    assert cli("export", "sales", "--format", "xml").exit_code == 2
    assert cli("export", "sales", "--from", "yesterday").exit_code == 2
    assert cli("export", "sales", "--from", "2026-11-02", "--to", "2026-11-01").exit_code == 2


def test_csv_has_one_row_per_item_and_is_formula_safe(day: list[str], cli: Callable[..., Result]) -> None:
    shown = cli("export", "sales", "--format", "csv")
    assert shown.exit_code == 0, shown.stderr
    rows = list(csv.DictReader(io.StringIO(shown.stdout.lstrip("\ufeff"))))
    assert [(r["id"], r["line_no"], r["code"]) for r in rows] == [
        (day[0], "1", "1001"),
        (day[1], "1", "1001"),
        (day[1], "2", "1002"),
        (day[2], "1", "1001"),
    ]
    assert rows[1]["sale_total"] == rows[2]["sale_total"] == "31.95"
    assert rows[1]["payments"] == "card:10.00;cash:21.95"
    assert not rows[2]["name"].startswith("=")
    assert rows[2]["name"].endswith('=HYPERLINK("x")')

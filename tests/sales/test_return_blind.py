"""A return without a receipt: today's price, cash, and a manager's approval."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

import pytest

from pos_tui.core.kernel import Actor, NotFound, Override, PermissionDenied, ValidationError, canonical
from pos_tui.core.till import BlindReturnLineInput, create_blind_return, sale_document
from pos_tui.store import models as m

D = Decimal


@pytest.fixture
def shelf(make_product: Callable[..., m.Product]) -> None:
    make_product("1001", "Ekmek", "10.00", 1, barcodes=["8690000000012"], stock=5_000)
    make_product("00101", "Beyaz Peynir", "240.00", 10, unit="kg")


def test_a_cashier_needs_a_manager(shelf: None, cashier: Actor, supervisor: Actor, now: datetime) -> None:
    lines = [BlindReturnLineInput("8690000000012", 2000), BlindReturnLineInput("00101", 250)]
    with pytest.raises(PermissionDenied) as denied:
        create_blind_return("T1", cashier, lines, now=now, reason="no receipt")
    assert denied.value.permission == "return_without_receipt"
    assert m.Sale.select().count() == 0

    result = create_blind_return(
        "T1", cashier, lines, now=now, reason="no receipt", override=Override(supervisor, "regular customer")
    )
    doc = result.document
    assert (doc["type"], doc["return_of"], doc["total"], doc["receipt_no"]) == ("return", None, "80.00", 1)
    assert [(ln["code"], ln["barcode"], ln["qty"], ln["total"]) for ln in doc["lines"]] == [
        ("1001", "8690000000012", "2", "20.00"),
        ("00101", None, "0.25", "60.00"),
    ]
    assert doc["payments"] == [
        {"method": "cash", "amount": "80.00", "tendered": None, "change": None, "reference": None}
    ]
    assert doc["kdv"] == {"1": {"base": "19.80", "kdv": "0.20"}, "10": {"base": "54.55", "kdv": "5.45"}}
    assert m.Product.get(m.Product.code == "1001").stock == 7_000
    assert m.SaleLine.select().where(m.SaleLine.origin_line.is_null(False)).count() == 0
    entry = m.JournalEntry.get(m.JournalEntry.kind == "return")
    assert entry.payload == canonical(sale_document(result.sale_id))
    override = json.loads(m.JournalEntry.get(m.JournalEntry.kind == "override").payload)
    assert (override["action"], override["supervisor"]) == ("return_without_receipt", "mehmet")


def test_a_supervisor_may_do_it_alone(shelf: None, supervisor: Actor, now: datetime) -> None:
    result = create_blind_return("T1", supervisor, [BlindReturnLineInput("1001", 1000)], now=now, reason="r")
    assert result.total == D("10.00")
    assert not m.JournalEntry.select().where(m.JournalEntry.kind == "override").exists()


def test_bad_blind_returns(shelf: None, supervisor: Actor, now: datetime) -> None:
    with pytest.raises(NotFound):
        create_blind_return("T1", supervisor, [BlindReturnLineInput("9999", 1000)], now=now, reason="r")
    with pytest.raises(ValidationError, match="reason"):
        create_blind_return("T1", supervisor, [BlindReturnLineInput("1001", 1000)], now=now, reason="")
    with pytest.raises(ValidationError, match="at least one line"):
        create_blind_return("T1", supervisor, [], now=now, reason="r")
    with pytest.raises(ValidationError, match="whole quantity"):
        create_blind_return("T1", supervisor, [BlindReturnLineInput("1001", 500)], now=now, reason="r")
    assert m.Sale.select().count() == 0

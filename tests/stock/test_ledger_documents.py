"""Stock documents through the ledger: one transaction with their journal entry, and what
``audit verify`` finds when the tables are changed behind pos_tui's back."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from pos_tui.core import stock
from pos_tui.core.audit import verify
from pos_tui.core.kernel import to_db
from pos_tui.settings import Settings
from pos_tui.store import models as m
from pos_tui.store import write_tx


@pytest.fixture
def shop(db: object, now: datetime) -> dict[str, int]:
    at = to_db(now)
    user = m.User.create(name="admin", role="admin", pin_tag="t", pin_hash="x", created_at=at).id
    supplier = m.Supplier.create(code="S1", name="Toptancı", created_at=at).id
    milk = m.Product.create(code="1001", name="Süt", name_key="sut", price=3000, kdv_rate=1, updated_at=at).id
    cheese = m.Product.create(
        code="1002", name="Peynir", name_key="peynir", unit="kg", price=25000, kdv_rate=1, updated_at=at
    ).id
    return {"user": user, "supplier": supplier, "milk": milk, "cheese": cheese}


def _receipt(shop: dict[str, int], now: datetime) -> stock.PostedDocument:
    loc = stock.location_id("MAGAZA")
    return stock.write_stock_document(
        stock.StockDraft(
            kind="receipt",
            at=now - timedelta(days=1),
            now=now,
            terminal="T1",
            user_id=shop["user"],
            location_id=loc,
            supplier_id=shop["supplier"],
            supplier_doc="IRS-1",
            lines=[
                stock.DraftLine(shop["milk"], 10_000, 2_000, 0, 20_000, 1, 200),
                stock.DraftLine(shop["cheese"], 2_500, 18_000, 500, 44_500, 1, 445),
            ],
            movements=[
                stock.Movement(shop["milk"], loc, 10_000, stock.RECEIPT, amount=20_000),
                stock.Movement(shop["cheese"], loc, 2_500, stock.RECEIPT, amount=44_500),
            ],
            data={"total": "649.45"},
        )
    )


def test_a_document_writes_its_lines_movements_caches_and_journal(
    shop: dict[str, int], now: datetime, settings: Settings
) -> None:
    posted = _receipt(shop, now)
    assert (posted.kind, posted.number, len(posted.line_ids)) == ("receipt", 1, 2)
    milk, cheese = m.Product.get_by_id(shop["milk"]), m.Product.get_by_id(shop["cheese"])
    assert (milk.stock, milk.stock_value, milk.cost) == (10_000, 20_000, 2_000)
    assert (cheese.stock, cheese.stock_value, cheese.cost) == (2_500, 44_500, 17_800)
    assert stock.on_hand(shop["cheese"], stock.location_id("MAGAZA")) == 2_500
    entry = m.JournalEntry.get(m.JournalEntry.ref == f"stock:{posted.id}")
    assert entry.kind == "stock_receipt"
    payload = stock.document_payload(posted.id)
    assert payload["supplier"] == "S1" and payload["movements"][1]["value"] == "445.00"
    assert verify(settings=settings).ok
    assert stock.write_stock_document.__name__  # the second document takes the next number
    assert _receipt(shop, now).number == 2


def test_a_failure_inside_writes_nothing(shop: dict[str, int], now: datetime) -> None:
    with pytest.raises(RuntimeError), write_tx():
        _receipt(shop, now)
        raise RuntimeError("the caller's transaction fails after the document")
    assert m.StockDocument.select().count() == 0
    assert m.StockMovement.select().count() == 0
    assert m.StockLevel.select().count() == 0
    assert m.Product.get_by_id(shop["milk"]).stock == 0


def _tamper(path: Path, *sql: str) -> None:
    conn = sqlite3.connect(path)
    try:
        for statement in sql:
            conn.execute(statement)
        conn.commit()
    finally:
        conn.close()


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        (
            [
                "DROP TRIGGER stock_movement_no_update",
                "UPDATE stock_movement SET value = value + 100 WHERE id = 1",
                "UPDATE product SET stock_value = stock_value + 100 WHERE id = 1",
            ],
            "differs from its journal entry",
        ),
        (["UPDATE stock_level SET qty = qty + 1000"], "its movements there add up to"),
        (["UPDATE product SET stock_value = 5"], "its stock value is 0.05"),
        (
            ["DROP TRIGGER journal_entry_no_delete", "DELETE FROM journal_entry WHERE kind = 'stock_receipt'"],
            "has no journal entry",
        ),
        (
            [
                *(f"DROP TRIGGER {t}_no_delete" for t in ("stock_movement", "stock_document_line", "stock_document")),
                "DROP TRIGGER journal_entry_no_delete",
                *(f"DELETE FROM {t}" for t in ("stock_movement", "stock_document_line", "stock_document")),
                "DELETE FROM journal_entry",
                "DELETE FROM meta_entry WHERE key = 'journal_head'",
                "DELETE FROM stock_level",
                "UPDATE product SET stock = 0, stock_value = 0, cost = 0",
            ],
            "numbers 1 to 1 were given but 0 are there",
        ),
    ],
)
def test_audit_finds_changes_behind_its_back(
    shop: dict[str, int], now: datetime, settings: Settings, db_path: Path, sql: list[str], expected: str
) -> None:
    _receipt(shop, now)
    _tamper(db_path, *sql)
    report = verify(settings=settings)
    assert not report.ok
    assert any(expected in p for p in report.problems), report.problems

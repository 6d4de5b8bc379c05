"""Goods receipts post a payable on the supplier's account; returns to the supplier reduce it."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from accounts_support import Books, books_fixture, quick_pins  # noqa: F401

from pos_tui.core import accounts, audit
from pos_tui.core.kernel import ValidationError
from pos_tui.core.stock import receiving
from pos_tui.store import models as m

D = Decimal


def _receive(books: Books, *lines: receiving.ReceiptLineInput, **kw: object) -> receiving.ReceiptInfo:
    return receiving.post_receipt(
        receiving.ReceiptInput(supplier=kw.pop("supplier", "ACME"), lines=lines, **kw),  # type: ignore[arg-type]
        actor=books.admin,
        now=books.now,
        terminal="T1",
        kdv_rates=books.settings.kdv_rates,
        tz=books.settings.shop.timezone,
    )


def _entries(party_id: int) -> list[m.AccountEntry]:
    return list(m.AccountEntry.select().where(m.AccountEntry.party == party_id).order_by(m.AccountEntry.number))


def test_a_receipt_posts_the_payable_with_kdv_due_after_the_terms(books: Books) -> None:
    # 10 × 100,00 at 20 % + 5 × 10,00 at 1 % = 1.200,00 + 50,50 = 1.250,50
    receipt = _receive(
        books,
        receiving.ReceiptLineInput("1003", 10_000, D("100.00")),
        receiving.ReceiptLineInput("1001", 5_000, D("10.00")),
        document="IRS-77",
    )
    (entry,) = _entries(books.acme.id)
    assert (entry.kind, entry.amount, entry.document) == ("receipt", -125050, "IRS-77")
    assert entry.due == books.now.date() + timedelta(days=45)
    doc = m.StockDocument.get((m.StockDocument.kind == "receipt") & (m.StockDocument.number == receipt.number))
    assert entry.stock_document_id == doc.id
    assert accounts.balance(books.acme.id) == D("-1250.50")
    # the receipt's own due date wins
    _receive(books, receiving.ReceiptLineInput("1004", 1000, D("50.00")), due=date(2026, 11, 20))
    assert _entries(books.acme.id)[1].due == date(2026, 11, 20) and _entries(books.acme.id)[1].document.startswith(
        "stock:"
    )
    report = audit.verify(settings=books.settings)
    assert report.ok, report.problems


def test_a_return_to_the_supplier_reduces_the_payable(books: Books) -> None:
    receipt = _receive(books, receiving.ReceiptLineInput("1003", 10_000, D("100.00")), document="IRS-1")
    receiving.post_supplier_return(
        receipt.number,
        [receiving.SupplierReturnLineInput(4_000, line_no=1)],
        actor=books.admin,
        now=books.now + timedelta(hours=2),
        terminal="T1",
        tz=books.settings.shop.timezone,
    )
    first, back = _entries(books.acme.id)
    assert (back.kind, back.amount, back.applies_to_id) == ("supplier_return", 48000, first.id)
    assert accounts.balance(books.acme.id) == D("-720.00")
    assert [i.open for i in accounts.open_items(books.acme.id)] == [-72000]
    assert audit.verify(settings=books.settings).ok


def test_a_supplier_without_an_account_gets_one_and_a_failed_receipt_posts_nothing(books: Books) -> None:
    m.Supplier.create(code="YENI", name="Yeni Tedarik", created_at=books.now, updated_at=books.now)
    _receive(books, receiving.ReceiptLineInput("1002", 2_000, D("20.00")), supplier="YENI")
    party = accounts.get_party("YENI")
    assert party.kind == "supplier" and accounts.balance(party.id) == D("-40.40")
    before = m.AccountEntry.select().count()
    with pytest.raises(ValidationError):
        _receive(books, receiving.ReceiptLineInput("1002", 1_000, D("20.00")), date=date(2030, 1, 1))
    assert m.AccountEntry.select().count() == before


def test_free_goods_post_nothing_on_the_account(books: Books) -> None:
    _receive(books, receiving.ReceiptLineInput("1002", 2_000, D("0.00")))
    assert _entries(books.acme.id) == []

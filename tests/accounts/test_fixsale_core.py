"""The newcomer's till findings, in core: a sale made to an account (Ctrl+A) goes on account only
to that account (the till and an import alike; a loyalty member does not lock it), the over-limit
message adds up, and the receipt of an installment sale lists its installments."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from accounts_support import Books, books_fixture, quick_pins  # noqa: F401 (fixtures)
from money_support import cart_of, on_account, sell

from pos_tui.core import accounts, till
from pos_tui.core.basket import PaymentInput
from pos_tui.core.interchange import import_sales
from pos_tui.core.kernel import ImportRejected, PermissionDenied, ValidationError
from pos_tui.store import models as m

D = Decimal


@pytest.fixture(name="other")
def other_fixture(books: Books) -> accounts.PartyInfo:
    return accounts.add_party(
        accounts.PartyInput(code="M0003", name="İbrahim Çelik", kind="customer", credit_limit=D("1500.00")),
        now=books.now,
    )


def test_a_sale_to_an_account_goes_on_account_only_to_that_account(books: Books, other: accounts.PartyInfo) -> None:
    till.add_item("T1", books.ayse, "1003", now=books.now, masks=books.settings.scale_labels)
    cart = till.set_account("T1", books.ayse, "BAKKAL", now=books.now)
    with pytest.raises(ValidationError, match="to account BAKKAL; a payment on account goes on that account only"):
        till.complete_sale("T1", books.ayse, [on_account(str(cart.total), "M0003")], now=books.now)
    assert m.Sale.select().count() == 0 and m.AccountEntry.select().count() == 0
    result = till.complete_sale("T1", books.ayse, [on_account(str(cart.total), "BAKKAL")], now=books.now)
    sale = m.Sale.get_by_id(result.sale_id)
    (entry,) = m.AccountEntry.select().where(m.AccountEntry.sale == sale.id)
    assert entry.party_id == books.bakkal.id and sale.customer_id == books.bakkal.customer_id


def test_a_sale_without_an_account_goes_on_any_account(books: Books, other: accounts.PartyInfo) -> None:
    result = sell(books, cart_of(("1003", 1)), [on_account("120.00", "M0003")])
    sale = m.Sale.get_by_id(result.sale_id)
    assert sale.customer_id == other.customer_id
    assert accounts.balance(other.id) == D("120.00")


def test_an_import_whose_customer_is_another_account_is_refused(
    books: Books, other: accounts.PartyInfo, tmp_path: Path
) -> None:
    doc = {
        "id": "web-1",
        "at": "2026-11-01T10:15:00+03:00",
        "terminal": "WEB",
        "cashier": "ayse",
        "customer": "BAKKAL",
        "account": "M0003",
        "lines": [{"code": "1003", "qty": "1"}],
        "payments": [{"method": "on_account", "amount": "120.00"}],
    }
    path = tmp_path / "sales.jsonl"
    path.write_text(json.dumps(doc) + "\n", encoding="utf-8")
    with pytest.raises(ImportRejected) as rejected:
        import_sales(path, settings=books.settings, now=books.now)
    (error,) = rejected.value.errors
    assert "BAKKAL" in error.reason and "that account only" in error.reason, error.reason
    assert m.Sale.select().count() == 0 and m.AccountEntry.select().count() == 0


def test_the_over_limit_message_adds_up(books: Books, other: accounts.PartyInfo) -> None:
    sell(books, cart_of(("1003", 1)), [on_account("120.00", "M0003")])
    with pytest.raises(PermissionDenied) as refused:
        sell(books, cart_of(("1003", 13)), [on_account("1560.00", "M0003")])
    text = str(refused.value)
    assert text == (
        "M0003 (İbrahim Çelik): balance 120.00 + this sale 1,560.00 = 1,680.00; credit limit 1,500.00 — "
        "180.00 TL over. A supervisor's PIN is needed."
    ), text


def test_an_imports_over_limit_error_asks_to_raise_the_limit(books: Books, tmp_path: Path) -> None:
    doc = {
        "id": "web-1",
        "at": "2026-11-01T10:15:00+03:00",
        "terminal": "WEB",
        "cashier": "ayse",
        "account": "BAKKAL",
        "lines": [{"code": "1003", "qty": "10"}],
        "payments": [{"method": "on_account", "amount": "1200.00"}],
    }
    path = tmp_path / "sales.jsonl"
    path.write_text(json.dumps(doc) + "\n", encoding="utf-8")
    with pytest.raises(ImportRejected) as rejected:
        import_sales(path, settings=books.settings, now=books.now)
    (error,) = rejected.value.errors
    assert "200.00 TL over. Raise the account's credit limit first." in error.reason, error.reason
    assert "PIN" not in error.reason


def test_the_receipt_of_an_installment_sale_lists_the_installments(books: Books) -> None:
    from pos_tui.core.till import load_receipt, receipt_of

    sale = sell(books, cart_of(("1003", 4)), [PaymentInput("cash", D("0.01")), on_account("479.99", installments=3)])
    slip = receipt_of(
        load_receipt(sale.uid, terminal="T1", tz="Europe/Istanbul"), books.settings, width=42, fiscal=True, copy=False
    )
    text = "\n".join(line.text for line in slip.lines)
    dues = [
        e.due
        for e in m.AccountEntry.select().where(m.AccountEntry.sale == sale.sale_id).order_by(m.AccountEntry.installment)
    ]
    assert "Installments:" in text, text
    for i, (due, amount) in enumerate(zip(dues, ("160.00", "160.00", "159.99"), strict=True), start=1):
        assert f"{i}) {due:%d.%m.%Y}" in text and amount in text, text
    assert text.index("Account: BAKKAL") < text.index("Installments:") < text.index("Signature")


def test_a_loyalty_member_on_an_import_does_not_lock_the_account(books: Books, tmp_path: Path) -> None:
    from pos_tui.core.loyalty import members

    member = members.enroll(name="Zeynep Işık", phone="0542 611 02 77", source="cli", actor=None, now=books.now)
    doc = {
        "id": "web-1",
        "at": "2026-11-01T10:15:00+03:00",
        "terminal": "WEB",
        "cashier": "ayse",
        "customer": "05426110277",
        "account": "BAKKAL",
        "lines": [{"code": "1003", "qty": "1"}],
        "payments": [{"method": "on_account", "amount": "120.00"}],
    }
    path = tmp_path / "sales.jsonl"
    path.write_text(json.dumps(doc) + "\n", encoding="utf-8")
    assert import_sales(path, settings=books.settings, now=books.now).imported == 1
    sale = m.Sale.get()
    assert sale.member_id == member.id and accounts.balance(books.bakkal.id) == D("120.00")


def test_a_member_on_a_till_sale_without_an_account_does_not_lock_it(books: Books) -> None:
    from pos_tui.core.loyalty import members

    member = members.enroll(name="Zeynep Işık", phone="0542 611 02 77", source="cli", actor=None, now=books.now)
    till.add_item("T1", books.ayse, "1003", now=books.now, masks=books.settings.scale_labels)
    till.set_member("T1", books.ayse, member.id, now=books.now)
    result = till.complete_sale("T1", books.ayse, [on_account("120.00")], now=books.now)
    sale = m.Sale.get_by_id(result.sale_id)
    assert sale.member_id == member.id and sale.customer_id == books.bakkal.customer_id
    assert accounts.balance(books.bakkal.id) == D("120.00")

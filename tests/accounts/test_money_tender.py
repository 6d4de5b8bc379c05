"""The on_account tender: the credit limit at the moment of the sale, split tender, installments,
overrides journalled, returns credit the account, and the audit agrees."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from accounts_support import Books, books_fixture, quick_pins  # noqa: F401
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from money_support import cart_of, on_account, sell

from pos_tui.core import accounts, audit
from pos_tui.core.basket import PaymentInput
from pos_tui.core.kernel import Override, PermissionDenied, ValidationError
from pos_tui.core.till import ReturnLineInput, create_return
from pos_tui.store import models as m

D = Decimal


def _sale_entries(sale_id: int) -> list[m.AccountEntry]:
    return list(m.AccountEntry.select().where(m.AccountEntry.sale == sale_id).order_by(m.AccountEntry.number))


def test_a_sale_on_account_posts_the_entry_due_after_the_terms_and_names_the_customer(books: Books) -> None:
    result = sell(books, cart_of(("1003", 2)), [on_account("240.00")])  # 2 × 120,00
    (entry,) = _sale_entries(result.sale_id)
    assert (entry.kind, entry.amount, entry.party_id) == ("sale", 24000, books.bakkal.id)
    assert entry.due == books.now.date() + timedelta(days=30)
    assert entry.document == f"sale:{result.uid}" and entry.installment is None
    sale = m.Sale.get_by_id(result.sale_id)
    assert sale.customer_id == books.bakkal.customer_id
    assert result.document["customer"] == "BAKKAL"
    assert result.document["payments"][0]["reference"] == "BAKKAL"
    status = accounts.payments.credit_status(books.bakkal.id)
    assert (status.limit, status.balance, status.available) == (D("1000.00"), D("240.00"), D("760.00"))
    assert audit.verify(settings=books.settings).ok


def test_split_tender_cash_and_on_account(books: Books) -> None:
    result = sell(books, cart_of(("1003", 1), ("1004", 1)), [PaymentInput("cash", D("100.00")), on_account("105.00")])
    assert result.total == D("205.00") and result.change == D("0.00")
    assert [(p["method"], p["amount"]) for p in result.document["payments"]] == [
        ("cash", "100.00"),
        ("on_account", "105.00"),
    ]
    assert accounts.balance(books.bakkal.id) == D("105.00")
    report = audit.verify(settings=books.settings)
    assert report.ok, report.problems


def test_the_limit_refuses_a_sale_that_passes_it_and_says_by_how_much(books: Books) -> None:
    sell(books, cart_of(("1003", 7)), [on_account("840.00")])
    assert accounts.payments.credit_check(books.bakkal.id, D("160.00")) is None
    assert "80.00 TL over" in (accounts.payments.credit_check(books.bakkal.id, D("240.00")) or "")
    with pytest.raises(PermissionDenied) as refused:
        sell(books, cart_of(("1003", 2)), [on_account("240.00")])
    assert refused.value.permission == "credit_limit"
    text = str(refused.value)
    assert "1,000.00" in text and "840.00" in text and "80.00 TL over" in text, text
    assert accounts.balance(books.bakkal.id) == D("840.00")
    assert m.Sale.select().count() == 1  # nothing of the refused sale was written
    # exactly up to the limit passes
    sell(books, cart_of(("1001", 16)), [on_account("160.00")])
    assert accounts.payments.credit_status(books.bakkal.id).available == D("0.00")


def test_a_supervisor_override_lets_it_pass_and_is_journalled(books: Books) -> None:
    sell(books, cart_of(("1003", 8)), [on_account("960.00")])
    override = Override(books.mehmet, "good customer")
    result = sell(books, cart_of(("1003", 1)), [on_account("120.00")], override=override)
    assert accounts.balance(books.bakkal.id) == D("1080.00")
    rows = list(
        m.JournalEntry.select().where((m.JournalEntry.kind == "override") & (m.JournalEntry.ref == "credit_limit"))
    )
    assert len(rows) == 1
    payload = json.loads(rows[0].payload)
    assert (payload["cashier"], payload["supervisor"], payload["reason"]) == ("ayse", "mehmet", "good customer")
    assert payload["details"]["over"] == "80.00" and payload["details"]["account"] == "BAKKAL"
    assert result.total == D("120.00")
    # a cashier's override cannot pass the limit
    with pytest.raises(PermissionDenied):
        sell(books, cart_of(("1001", 1)), [on_account("10.00")], override=Override(books.ayse, "x"))
    assert audit.verify(settings=books.settings).ok


def test_the_cashier_needs_the_on_account_permission(books: Books) -> None:
    import dataclasses

    clerk = dataclasses.replace(books.ayse, permissions=books.ayse.permissions - {"on_account"})
    with pytest.raises(PermissionDenied) as refused:
        sell(books, cart_of(("1001", 1)), [on_account("10.00")], actor=clerk)
    assert refused.value.permission == "on_account"
    sell(books, cart_of(("1001", 1)), [on_account("10.00")], actor=clerk, override=Override(books.mehmet, "ok"))
    refs = [r.ref for r in m.JournalEntry.select().where(m.JournalEntry.kind == "override")]
    assert refs == ["on_account"]


def test_bad_accounts_are_refused_before_anything_is_written(books: Books) -> None:
    with pytest.raises(ValidationError, match="No customer account 'NOPE'"):
        sell(books, cart_of(("1001", 1)), [on_account("10.00", account="NOPE")])
    with pytest.raises(ValidationError, match="is a supplier's"):
        sell(books, cart_of(("1001", 1)), [on_account("10.00", account="ACME")])
    accounts.set_active("BAKKAL", False, now=books.now)
    with pytest.raises(ValidationError, match="is closed"):
        sell(books, cart_of(("1001", 1)), [on_account("10.00")])
    assert m.Sale.select().count() == 0 and m.AccountEntry.select().count() == 0


def test_installments_split_exactly_and_fall_due_monthly(books: Books) -> None:
    result = sell(books, cart_of(("1002", 3)), [on_account("97.50", installments=4)])  # 3 × 32,50
    entries = _sale_entries(result.sale_id)
    assert [e.installment for e in entries] == [1, 2, 3, 4]
    assert sum(e.amount for e in entries) == 9750
    assert [e.amount for e in entries] == [2438, 2438, 2437, 2437]
    first = books.now.date() + timedelta(days=30)
    assert entries[0].due == first
    assert [e.due for e in entries] == accounts.payments.installment_dues(first, 4)
    assert accounts.payments.installment_dues(date(2027, 1, 31), 3) == [
        date(2027, 1, 31),
        date(2027, 2, 28),
        date(2027, 3, 31),
    ]
    assert audit.verify(settings=books.settings).ok


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kurus=st.integers(min_value=36, max_value=10**9), n=st.integers(min_value=1, max_value=36))
def test_installments_always_sum_to_the_amount(kurus: int, n: int) -> None:
    from pos_tui.core.kernel.money import allocate, from_kurus

    parts = allocate(from_kurus(kurus), [D(1)] * n)
    assert sum(parts) == from_kurus(kurus) and max(parts) - min(parts) <= D("0.01")


def test_a_return_credits_the_account_and_the_audit_agrees(books: Books) -> None:
    sold = sell(books, cart_of(("1003", 2), ("1001", 3)), [PaymentInput("cash", D("30.00")), on_account("240.00")])
    ret = create_return(
        "T1", books.ayse, sold.uid, [ReturnLineInput(1, 1000)], now=books.now + timedelta(hours=1), reason="broken"
    )
    # refunded by the original methods in order: cash 30,00 first, the rest on the account
    assert [(p["method"], p["amount"]) for p in ret.document["payments"]] == [
        ("cash", "30.00"),
        ("on_account", "90.00"),
    ]
    (back,) = _sale_entries(ret.sale_id)
    (original,) = _sale_entries(sold.sale_id)
    assert (back.kind, back.amount, back.applies_to_id) == ("return", -9000, original.id)
    assert accounts.balance(books.bakkal.id) == D("150.00")
    # "cash" refund: the on-account part still goes back on the account, never out of the drawer
    ret2 = create_return(
        "T1",
        books.ayse,
        sold.uid,
        [ReturnLineInput(1, 1000)],
        now=books.now + timedelta(hours=2),
        reason="x",
        refund_method="cash",
    )
    assert [(p["method"], p["amount"]) for p in ret2.document["payments"]] == [("on_account", "120.00")]
    assert accounts.balance(books.bakkal.id) == D("30.00")
    report = audit.verify(settings=books.settings)
    assert report.ok, report.problems


def test_the_audit_finds_a_sale_on_account_without_its_entry(books: Books) -> None:
    sold = sell(books, cart_of(("1001", 2)), [on_account("20.00")])
    db = m.AccountEntry._meta.database
    db.execute_sql("DROP TRIGGER IF EXISTS account_entry_no_delete")
    m.AccountEntry.delete().where(m.AccountEntry.sale == sold.sale_id).execute()
    report = audit.verify(settings=books.settings)
    assert any("paid on account" in p for p in report.problems), report.problems


def test_the_receipt_of_a_sale_on_account_names_the_account_and_has_a_signature_line(books: Books) -> None:
    from pos_tui.core.till import load_receipt, receipt_of

    sale = sell(books, cart_of(("1001", 2)), [PaymentInput("cash", D("5.00")), on_account("15.00")])
    slip = receipt_of(
        load_receipt(sale.uid, terminal="T1", tz="Europe/Istanbul"), books.settings, width=42, fiscal=True, copy=False
    )
    text = "\n".join(line.text for line in slip.lines)
    assert "Account: BAKKAL Köşe Bakkalı Ltd." in text and "Signature" in text
    plain = sell(books, cart_of(("1001", 1)), [PaymentInput("cash", D("10.00"))])
    slip = receipt_of(
        load_receipt(plain.uid, terminal="T1", tz="Europe/Istanbul"), books.settings, width=42, fiscal=True, copy=False
    )
    assert "Signature" not in "\n".join(line.text for line in slip.lines)

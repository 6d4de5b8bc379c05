"""Collections and cash paid to suppliers at the till: in the shift's drawer figures, the X and the Z."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from accounts_support import Books, books_fixture, post, quick_pins  # noqa: F401
from money_support import cart_of, on_account, sell

from pos_tui.core import accounts, audit, cash, till
from pos_tui.core.basket import PaymentInput
from pos_tui.core.kernel import PermissionDenied, ValidationError
from pos_tui.store import models as m

D = Decimal


def test_collections_and_supplier_cash_in_the_drawer_x_and_z(books: Books) -> None:
    now = books.now
    shift = cash.open_shift("T1", books.ayse, D("100.00"), now=now)
    post(books, books.acme, "receipt", "-500.00")
    sell(books, cart_of(("1003", 1)), [PaymentInput("cash", D("200.00"))], shift_id=shift.id)  # 120,00 cash
    sell(books, cart_of(("1004", 1)), [on_account("85.00")], shift_id=shift.id)
    pay = accounts.payments
    later = now + timedelta(minutes=5)
    pay.collect(
        pay.CollectionInput("BAKKAL", D("50.00"), "cash"), actor=books.ayse, terminal="T1", now=later, shift_id=shift.id
    )
    pay.collect(
        pay.CollectionInput("BAKKAL", D("30.00"), "card"), actor=books.ayse, terminal="T1", now=later, shift_id=shift.id
    )
    with pytest.raises(ValidationError, match=r"drawer should hold only 270\.00; cannot pay out 270\.01"):
        cash.pay_supplier_cash("T1", books.admin, "ACME", D("270.01"), now=later)
    with pytest.raises(PermissionDenied):
        cash.pay_supplier_cash("T1", books.ayse, "ACME", D("40.00"), now=later)
    paid = cash.pay_supplier_cash("T1", books.admin, "ACME", D("40.00"), now=later, note="nakliye")
    assert paid.balance_after == D("-460.00") and paid.method == "cash"
    pay.collect(pay.CollectionInput("BAKKAL", D("5.00"), "cash"), actor=books.admin, terminal="T1", now=later)  # office

    x = cash.take_x_report("T1", books.mehmet, now=later)
    assert x.collections == {"card": D("30.00"), "cash": D("50.00")}
    assert x.supplier_payments == {"cash": D("40.00")}
    assert (x.cash_collections, x.cash_supplier_payments) == (D("50.00"), D("40.00"))
    assert x.expected_cash == D("100.00") + D("120.00") + D("50.00") - D("40.00")
    assert x.totals.by_payment == {"cash": D("120.00"), "on_account": D("85.00")}
    printed = till.as_text(till.x_report_for(x, books.settings, width=42))
    assert "Cash collections" in printed and "Cash paid to suppliers" in printed
    assert "Collection Bank transfer" not in printed and "Collection Card" in printed and "On account" in printed

    from rich.console import Console

    from pos_tui.tui.render import render_x, render_z

    screen = Console(width=80, record=True, color_system=None)
    screen.print(render_x(x, books.settings))
    shown = screen.export_text()
    assert "Cash collections" in shown and "Paid to suppliers · Cash" in shown and "Collection · Card" in shown

    z = cash.z_report("T1", books.mehmet, now=later, settings=books.settings)
    screen.print(render_z(z, books.settings))
    assert "Collection · Cash" in screen.export_text()
    assert z.collections == {"card": D("30.00"), "cash": D("50.00")}  # the till's: the office's 5,00 never passed it
    assert z.supplier_payments == {"cash": D("40.00")}
    payload = json.loads(m.JournalEntry.get(m.JournalEntry.kind == "z").payload)
    assert payload["accounts"] == {
        "collections": {"card": "30.00", "cash": "50.00"},
        "supplier_payments": {"cash": "40.00"},
    }
    zprinted = till.as_text(till.z_report_for(z, books.settings, width=42))
    assert "Paid to suppliers Cash" in zprinted
    # the next Z starts after this one
    assert cash.x_preview("T1", now=later + timedelta(minutes=1)).collections == {}

    closed = cash.close_shift("T1", books.ayse, D("230.00"), now=later + timedelta(minutes=2))
    assert (closed.expected_cash, closed.variance) == (D("230.00"), D("0.00"))
    report = audit.verify(settings=books.settings)
    assert report.ok, report.problems


def test_an_x_without_accounts_reads_as_before(books: Books) -> None:
    shift = cash.open_shift("T1", books.ayse, D("10.00"), now=books.now)
    sell(books, cart_of(("1001", 1)), [PaymentInput("cash", D("10.00"))], shift_id=shift.id)
    x = cash.take_x_report("T1", books.mehmet, now=books.now)
    printed = till.as_text(till.x_report_for(x, books.settings, width=42))
    assert "collections" not in printed.lower() and x.expected_cash == D("20.00")

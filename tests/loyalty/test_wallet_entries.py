"""The store credit / cashback wallet: entries, held cashback, guarded spending, clawbacks that
may leave a debt, refunds capped by what a receipt spent, and the manager's journalled
correction. A Hypothesis run checks that the balance is always the sum of the entries and
that spending never takes a wallet below zero."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from loyalty_support import new_member, new_sale

from pos_tui.core.kernel import Actor, NotFound, Override, PermissionDenied, ValidationError, shop_day, to_db
from pos_tui.core.loyalty import InsufficientCredit, wallet
from pos_tui.store import models as m

D = Decimal


def entries(member: int) -> list[tuple[str, int]]:
    w = m.WalletEntry
    return list(w.select(w.kind, w.amount).where(w.member == member).order_by(w.id).tuples())


def test_credit_and_spend_keep_the_sum_of_entries(member: int, now: datetime, make_sale) -> None:
    wallet.credit(member, D("100.00"), kind="import", now=now, reason="opening balance")
    sale = make_sale()
    spent = wallet.spend(member, D("30.50"), now=now, sale_id=sale)
    assert (spent.kind, spent.amount, spent.sale_id) == ("spend", D("-30.50"), sale)
    assert wallet.wallet_balance(member) == D("69.50")
    assert entries(member) == [("import", 10000), ("spend", -3050)]
    status = wallet.wallet_status(member, as_of=shop_day(now))
    assert (status.total, status.available, status.pending) == (D("69.50"), D("69.50"), D("0.00"))
    assert wallet.spent_on_sale(member, sale) == D("30.50")
    assert wallet.payer_of(sale) == member


def test_bad_amounts_and_kinds_are_refused(member: int, now: datetime) -> None:
    with pytest.raises(ValidationError, match="more than zero"):
        wallet.credit(member, D("0"), kind="import", now=now)
    with pytest.raises(ValidationError, match="more than two decimals"):
        wallet.credit(member, D("1.005"), kind="import", now=now)
    with pytest.raises(ValidationError, match="cashback, refund, import"):
        wallet.credit(member, D("1"), kind="adjust", now=now)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="spend, clawback"):
        wallet.debit(member, D("1"), kind="adjust", now=now)  # type: ignore[arg-type]
    with pytest.raises(NotFound):
        wallet.credit(999_999, D("1"), kind="import", now=now)
    assert entries(member) == []


def test_spending_more_than_is_available_is_refused_and_writes_nothing(member: int, now: datetime) -> None:
    wallet.credit(member, D("20.00"), kind="import", now=now)
    with pytest.raises(InsufficientCredit, match=r"Only 20.00 of store credit is available \(0.00 pending\); 20.01"):
        wallet.spend(member, D("20.01"), now=now)
    assert wallet.wallet_balance(member) == D("20.00")
    wallet.spend(member, D("20.00"), now=now)
    assert wallet.wallet_balance(member) == D("0.00")


def test_cashback_is_pending_for_the_hold_then_available(member: int, now: datetime, make_sale) -> None:
    """The brief's fraud with cashback: what a purchase gave back cannot pay until the return
    window is over, exactly as earned points."""
    tv = make_sale()
    wallet.credit(member, D("500.00"), kind="cashback", now=now, sale_id=tv)
    day = shop_day(now)
    status = wallet.wallet_status(member, as_of=day + timedelta(days=3), hold_days=15)
    assert (status.total, status.available, status.pending) == (D("500.00"), D("0.00"), D("500.00"))
    with pytest.raises(InsufficientCredit, match=r"Only 0.00 .* \(500.00 pending\)"):
        wallet.spend(member, D("100.00"), now=now + timedelta(days=3), hold_days=15)
    assert wallet.wallet_status(member, as_of=day + timedelta(days=14), hold_days=15).available == D("0.00")
    assert wallet.wallet_status(member, as_of=day + timedelta(days=15), hold_days=15).available == D("500.00")
    wallet.spend(member, D("100.00"), now=now + timedelta(days=15), hold_days=15)
    assert wallet.wallet_balance(member) == D("400.00")


def test_a_return_takes_pending_cashback_back_and_never_leaves_it_pending(
    member: int, now: datetime, make_sale, cashier: Actor
) -> None:
    """A clawback written against the return document (the posting's convention) nets out
    the original sale's pending cashback just as one written against the sale itself."""
    tv = make_sale()
    wallet.credit(member, D("100.00"), kind="cashback", now=now, sale_id=tv)
    ret = m.Sale.create(
        uid="ret-1",
        kind="return",
        terminal="T1",
        receipt_no=9001,
        at=to_db(now),
        cashier=cashier.user_id,
        subtotal=0,
        total=0,
        return_of=tv,
    )
    wallet.debit(member, D("60.00"), kind="clawback", now=now, sale_id=ret.id)
    status = wallet.wallet_status(member, as_of=shop_day(now))
    assert (status.total, status.pending, status.available) == (D("40.00"), D("40.00"), D("0.00"))
    taken = wallet.clawback_cashback(member, tv, now=now, fraction=D(1))
    assert taken is not None and taken.amount == D("-40.00")
    assert wallet.clawback_cashback(member, tv, now=now, fraction=D(1)) is None
    status = wallet.wallet_status(member, as_of=shop_day(now))
    assert (status.total, status.pending, status.available) == (D("0.00"), D("0.00"), D("0.00"))


def test_clawback_of_spent_cashback_leaves_a_debt_that_blocks_spending(member: int, now: datetime, make_sale) -> None:
    tv = make_sale()
    wallet.credit(member, D("100.00"), kind="cashback", now=now, sale_id=tv)
    later = now + timedelta(days=16)
    wallet.spend(member, D("80.00"), now=later)
    wallet.credit(member, D("10.00"), kind="import", now=later)
    taken = wallet.clawback_cashback(member, tv, now=later, amount=D("150.00"))  # capped at what it gave
    assert taken is not None and taken.amount == D("-100.00")
    assert wallet.wallet_balance(member) == D("-70.00")
    with pytest.raises(InsufficientCredit, match=r"negative \(-70.00\)"):
        wallet.spend(member, D("1.00"), now=later)
    wallet.credit(member, D("75.00"), kind="import", now=later)
    wallet.spend(member, D("5.00"), now=later)
    assert wallet.wallet_balance(member) == D("0.00")


def test_partial_clawbacks_round_half_up_and_never_exceed_the_cashback(member: int, now: datetime, make_sale) -> None:
    sale = make_sale()
    wallet.credit(member, D("10.01"), kind="cashback", now=now, sale_id=sale)
    first = wallet.clawback_cashback(member, sale, now=now, fraction=D("0.5"))
    assert first is not None and first.amount == D("-5.01")  # 500.5 kuruş, half up
    second = wallet.clawback_cashback(member, sale, now=now, amount=D("4.00"))
    assert second is not None and second.amount == D("-4.00")
    last = wallet.clawback_cashback(member, sale, now=now, fraction=D("0.9"))  # asks 9.01, only 1.00 is left
    assert last is not None and last.amount == D("-1.00")
    assert wallet.clawback_cashback(member, sale, now=now, amount=D("1")) is None
    assert wallet.wallet_balance(member) == D("0.00")
    with pytest.raises(ValidationError, match="either the amount or the fraction"):
        wallet.clawback_cashback(member, sale, now=now)
    with pytest.raises(ValidationError, match="fraction"):
        wallet.clawback_cashback(member, sale, now=now, fraction=D("1.5"))


def test_refunds_give_back_at_most_what_the_receipt_spent(member: int, now: datetime, make_sale) -> None:
    wallet.credit(member, D("50.00"), kind="import", now=now)
    sale = make_sale()
    wallet.spend(member, D("30.00"), now=now, sale_id=sale)
    back = wallet.refund_sale(member, sale, D("20.00"), now=now)
    assert (back.kind, back.amount, back.sale_id) == ("refund", D("20.00"), sale)
    with pytest.raises(ValidationError, match=r"paid 10.00 of that receipt .* 10.01 cannot be refunded"):
        wallet.refund_sale(member, sale, D("10.01"), now=now)
    wallet.refund_sale(member, sale, D("10.00"), now=now)
    assert wallet.spent_on_sale(member, sale) == D("0.00")
    assert wallet.wallet_balance(member) == D("50.00")
    # refunded money is the member's at once, even during a cashback hold
    assert wallet.wallet_status(member, as_of=shop_day(now)).available == D("50.00")


def test_balance_as_of_a_day_ignores_later_entries(member: int, now: datetime) -> None:
    wallet.credit(member, D("10.00"), kind="import", now=now)
    wallet.credit(member, D("5.00"), kind="import", now=now + timedelta(days=2))
    day = shop_day(now)
    assert wallet.wallet_balance(member, as_of=day) == D("10.00")
    assert wallet.wallet_balance(member, as_of=day + timedelta(days=2)) == D("15.00")
    assert wallet.wallet_status(member, as_of=day - timedelta(days=1)).total == D("0.00")
    assert [e.amount for e in wallet.wallet_entries(member)] == [D("5.00"), D("10.00")]


def test_adjust_needs_points_adjust_and_a_reason_and_is_journalled(
    member: int, now: datetime, cashier: Actor, supervisor: Actor
) -> None:
    with pytest.raises(PermissionDenied):
        wallet.adjust(member, D("10"), "goodwill", actor=cashier, now=now, terminal="T1")
    with pytest.raises(ValidationError, match="reason"):
        wallet.adjust(member, D("10"), "  ", actor=supervisor, now=now, terminal="T1")
    with pytest.raises(ValidationError, match="not be zero"):
        wallet.adjust(member, D("0"), "nothing", actor=supervisor, now=now, terminal="T1")
    entry = wallet.adjust(member, D("25.00"), "goodwill for a late delivery", actor=supervisor, now=now, terminal="T1")
    assert (entry.kind, entry.amount, entry.actor_id, entry.reason) == (
        "adjust",
        D("25.00"),
        supervisor.user_id,
        "goodwill for a late delivery",
    )
    # a cashier with a supervisor's override; a negative correction may go below zero
    wallet.adjust(
        member,
        D("-30.00"),
        "typed 30 instead of 3",
        actor=cashier,
        now=now,
        terminal="T1",
        override=Override(supervisor, "manager present"),
    )
    assert wallet.wallet_balance(member) == D("-5.00")
    rows = list(m.JournalEntry.select().where(m.JournalEntry.kind == "wallet_adjust").order_by(m.JournalEntry.id))
    payloads = [json.loads(r.payload) for r in rows]
    assert [(p["amount"], p["user"], p.get("supervisor")) for p in payloads] == [
        ("25.00", "mehmet", None),
        ("-30.00", "ayse", "mehmet"),
    ]
    assert all(r.ref == str(member) for r in rows)


_OPS = st.lists(
    st.tuples(
        st.sampled_from(["import", "cashback", "spend", "clawback", "refund", "wait"]),
        st.integers(min_value=1, max_value=50_000),
    ),
    max_size=25,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=_OPS)
def test_balance_is_the_sum_of_entries_and_spending_never_goes_below_zero(
    db: object, cashier: Actor, now: datetime, ops: list[tuple[str, int]]
) -> None:
    member = new_member(now)
    at = now
    sales: list[int] = []
    spent: dict[int, int] = {}
    for op, kurus in ops:
        amount = D(kurus) / 100
        day = shop_day(at)
        before = wallet.wallet_status(member, as_of=day)
        if op == "wait":
            at += timedelta(days=kurus % 20)
        elif op == "import":
            wallet.credit(member, amount, kind="import", now=at)
        elif op == "cashback":
            sale = new_sale(at, cashier.user_id)
            sales.append(sale)
            wallet.credit(member, amount, kind="cashback", now=at, sale_id=sale)
        elif op == "clawback" and sales:
            wallet.clawback_cashback(member, sales[kurus % len(sales)], now=at, fraction=D(kurus % 100 + 1) / 100)
        elif op == "refund" and spent:
            sale = sorted(spent)[kurus % len(spent)]
            open_ = wallet.spent_on_sale(member, sale)
            if open_ > 0:
                wallet.refund_sale(member, sale, min(open_, amount), now=at)
        elif op == "spend":
            sale = new_sale(at, cashier.user_id)
            if before.total >= 0 and amount <= before.available:
                wallet.spend(member, amount, now=at, sale_id=sale)
                spent[sale] = kurus
                after = wallet.wallet_status(member, as_of=day)
                assert after.available >= 0 and after.total >= 0
            else:
                with pytest.raises(InsufficientCredit):
                    wallet.spend(member, amount, now=at, sale_id=sale)
        rows = entries(member)
        status = wallet.wallet_status(member, as_of=shop_day(at))
        assert status.total == D(sum(a for _k, a in rows)) / 100 == wallet.wallet_balance(member)
        assert status.available + status.pending == status.total
        assert status.pending >= 0
        if all(k != "clawback" for k, _a in rows):
            assert status.total >= 0  # only a clawback can leave a debt

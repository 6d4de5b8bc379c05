"""Points as a tender, through the real sale engine: 1 point = 1 TRY, whole points only, the
50 % cap, the minimum balance, pending points and debts that cannot pay (the brief's TV and
oven), several points payments counted together, a preview that writes nothing, and returns
that give back exactly the points that paid — cumulatively over partial returns."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from wallet_support import give_back, payments_of, product, sell

from pos_tui.core.basket import RETURN, SALE, PaymentInput, TenderContext, settle_payments
from pos_tui.core.kernel import Actor, InsufficientPoints, ValidationError, shop_day
from pos_tui.core.loyalty import adjust, balance, earn, register_loyalty_tenders, rules
from pos_tui.store import models as m

D = Decimal


@pytest.fixture(autouse=True)
def _tenders() -> None:
    register_loyalty_tenders()
    register_loyalty_tenders()  # idempotent


def points(member: int, day: datetime) -> tuple[int, int]:
    b = balance(member, as_of=shop_day(day))
    return b.available, b.pending


def redeemed(member: int) -> int:
    e = m.PointsEntry
    return -sum(p for (p,) in e.select(e.points).where((e.member == member) & (e.kind == "redeem")).tuples())


def test_points_pay_at_most_half_of_the_oven(db: object, cashier: Actor, member: int, now: datetime) -> None:
    """1 point = 1 TRY, 50 % cap: of a 2,000 oven, 1,000 may be paid with points."""
    earn(member, 1500, now=now, hold_days=0)
    oven = product(now, "Fırın", "2000.00")
    with pytest.raises(
        ValidationError, match=r"at most 50% of the 2,000.00 to pay, that is 1,000 points \(1,000.00 TL\)"
    ):
        sell(cashier, [(oven, 1)], [("points", "1001"), ("cash", "999")], now=now, member_id=member)
    assert m.Sale.select().count() == 0 and redeemed(member) == 0
    sold = sell(cashier, [(oven, 1)], [("points", "1000"), ("cash", "1000")], now=now, member_id=member)
    assert [(meth, amount) for meth, amount, _r in payments_of(sold.sale_id)] == [("points", 100000), ("cash", 100000)]
    assert redeemed(member) == 1000
    assert points(member, now)[0] == 500


def test_only_whole_points(db: object, cashier: Actor, member: int, now: datetime) -> None:
    earn(member, 100, now=now, hold_days=0)
    bread = product(now, "Ekmek", "25.00", kdv_rate=1)
    with pytest.raises(ValidationError, match=r"1 point is worth 1.00 TL; 12.50 TL is not a whole number of points"):
        sell(cashier, [(bread, 1)], [("points", "12.50"), ("cash", "12.50")], now=now, member_id=member)
    rules.apply_rules("[points]\nvalue = 0.25\n", now=now)
    with pytest.raises(ValidationError, match=r"1 point is worth 0.25 TL; 12.10 TL is not a whole number"):
        sell(cashier, [(bread, 1)], [("points", "12.10"), ("cash", "12.90")], now=now, member_id=member)
    sell(cashier, [(bread, 1)], [("points", "12.25"), ("cash", "12.75")], now=now, member_id=member)
    assert redeemed(member) == 49


def test_a_minimum_balance_is_needed_before_paying_with_points(
    db: object, cashier: Actor, member: int, now: datetime
) -> None:
    rules.apply_rules("[points]\nmin_balance = 500\n", now=now)
    earn(member, 400, now=now, hold_days=0)
    earn(member, 300, now=now, hold_days=15)
    shoes = product(now, "Ayakkabı", "1000.00")
    with pytest.raises(InsufficientPoints, match=r"at least 500 available points; the member has 400 \(300 pending\)"):
        sell(cashier, [(shoes, 1)], [("points", "100"), ("cash", "900")], now=now, member_id=member)
    earn(member, 100, now=now, hold_days=0)
    sell(cashier, [(shoes, 1)], [("points", "100"), ("cash", "900")], now=now, member_id=member)
    assert points(member, now)[0] == 400


def test_pending_points_of_the_tv_cannot_pay_for_the_oven_and_the_return_takes_them_back(
    db: object, cashier: Actor, member: int, now: datetime
) -> None:
    """The brief's fraud: a 10,000 TV earns 1,000 points (a 10 % campaign); three days later
    they cannot pay a 2,000 oven (pending); the TV returned on day 10 takes them back."""
    rules.apply_rules("[earning]\npercent = 10\n", now=now)
    tv, oven = product(now, "Televizyon", "10000.00"), product(now, "Fırın", "2000.00")
    sold_tv = sell(cashier, [(tv, 1)], [("card", "10000")], now=now, member_id=member)
    assert points(member, now) == (0, 1000)
    day3 = now + timedelta(days=3)
    with pytest.raises(InsufficientPoints, match=r"Only 0 points are available \(1,000 pending"):
        sell(cashier, [(oven, 1)], [("points", "1000"), ("cash", "1000")], now=day3, member_id=member)
    assert m.Sale.select().count() == 1  # the oven was not sold half-paid
    day10 = now + timedelta(days=10)
    give_back(cashier, sold_tv.uid, [(1, 1)], now=day10)
    assert points(member, day10) == (0, 0)
    assert balance(member, as_of=shop_day(now + timedelta(days=20))).total == 0


def test_a_debt_after_a_return_blocks_paying_with_points(
    db: object, cashier: Actor, supervisor: Actor, member: int, now: datetime
) -> None:
    earn(member, 100, now=now, hold_days=0)
    adjust(member, -150, "points given by mistake", actor=supervisor, now=now, terminal="T1")
    tea = product(now, "Çay", "100.00")
    with pytest.raises(InsufficientPoints, match=r"negative \(-50\)"):
        sell(cashier, [(tea, 1)], [("points", "10"), ("cash", "90")], now=now, member_id=member)


def test_paying_with_points_needs_a_member(db: object, cashier: Actor, now: datetime) -> None:
    tea = product(now, "Çay", "100.00")
    with pytest.raises(ValidationError, match="needs a member on the receipt"):
        sell(cashier, [(tea, 1)], [("points", "10"), ("cash", "90")], now=now)


def test_two_points_payments_count_together_against_the_cap(
    db: object, cashier: Actor, member: int, now: datetime
) -> None:
    earn(member, 2000, now=now, hold_days=0)
    oven = product(now, "Fırın", "2000.00")
    with pytest.raises(ValidationError, match=r"1,000 points \(1,000.00 TL\); 1,200 points were asked for"):
        sell(cashier, [(oven, 1)], [("points", "600"), ("points", "600"), ("cash", "800")], now=now, member_id=member)
    assert m.Sale.select().count() == 0 and redeemed(member) == 0


def test_the_preview_reads_only(db: object, member: int, cashier: Actor, now: datetime) -> None:
    earn(member, 300, now=now, hold_days=0)
    ctx = TenderContext(SALE, "T1", cashier.user_id, None, D("1000.00"), now, member_id=member)
    applied = settle_payments([PaymentInput("points", D("300")), PaymentInput("cash", D("800"))], ctx)
    assert [(a.method, a.amount, a.change) for a in applied] == [
        ("points", D("300.00"), None),
        ("cash", D("700.00"), D("100.00")),
    ]
    assert applied[0].details["points"] == 300
    assert redeemed(member) == 0 and points(member, now) == (300, 0)
    with pytest.raises(ValidationError, match=r"more than the 1,000.00 still to pay"):
        settle_payments([PaymentInput("points", D("1001"))], ctx)


def test_a_return_gives_back_the_points_that_paid(db: object, cashier: Actor, member: int, now: datetime) -> None:
    earn(member, 1000, now=now, hold_days=0)
    lamp = product(now, "Lamba", "500.00")
    sold = sell(cashier, [(lamp, 2)], [("points", "500"), ("cash", "500")], now=now, member_id=member)
    assert points(member, now)[0] == 500
    later = now + timedelta(days=2)
    first = give_back(cashier, sold.uid, [(1, 1)], now=later)
    assert [(meth, amount) for meth, amount, _r in payments_of(first.sale_id)] == [("points", 50000)]
    assert points(member, later)[0] == 1000
    second = give_back(cashier, sold.uid, [(1, 1)], now=later)
    assert [(meth, amount) for meth, amount, _r in payments_of(second.sale_id)] == [("cash", 50000)]
    assert points(member, later)[0] == 1000  # never more than the receipt redeemed


def test_partial_returns_give_back_points_cumulatively(db: object, cashier: Actor, member: int, now: datetime) -> None:
    """Refunds that are not whole points round per return but add up to exactly what paid."""
    earn(member, 100, now=now, hold_days=0)
    mug = product(now, "Kupa", "33.33")
    sold = sell(cashier, [(mug, 3)], [("points", "49"), ("cash", "50.99")], now=now, member_id=member)
    assert points(member, now)[0] == 51
    give_back(cashier, sold.uid, [(1, 1)], now=now)  # 33.33 back as points → 33 points
    assert points(member, now)[0] == 84
    give_back(cashier, sold.uid, [(1, 1)], now=now)  # 15.67 as points (the rest) + 17.66 cash → 16 points
    assert points(member, now)[0] == 100
    give_back(cashier, sold.uid, [(1, 1)], now=now)  # all cash
    assert points(member, now)[0] == 100


def test_points_cannot_refund_a_receipt_they_did_not_pay(
    db: object, cashier: Actor, member: int, now: datetime
) -> None:
    tea = product(now, "Çay", "100.00")
    sold = sell(cashier, [(tea, 1)], [("cash", "100")], now=now, member_id=member)
    with pytest.raises(ValidationError, match=r"more than the 0.00 paid by points"):
        give_back(cashier, sold.uid, [(1, 1)], now=now, refunds=[PaymentInput("points", D("100"))])
    ctx = TenderContext(RETURN, "T1", cashier.user_id, None, D("100.00"), now, return_of_id=sold.sale_id)
    with pytest.raises(ValidationError, match=r"Points paid 0.00 of that receipt .* 100.00 cannot go back as points"):
        settle_payments([PaymentInput("points", D("100"))], ctx)
    blind = TenderContext(RETURN, "T1", cashier.user_id, None, D("100.00"), now)
    with pytest.raises(ValidationError, match="only against the receipt it paid; refund this return in cash"):
        settle_payments([PaymentInput("points", D("100"))], blind)

"""Issue 16: rewards paid as a discount per point ("each point takes 0,50 TL off", in whole
multiples of 100 points), the points tender's ``redeem_multiple``, and ``max_redeem_percent``
holding for the points tender and the discount rewards together — in the engine, on the open
cart (the same reward picked twice), posted, paid, and returned."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from engine_support import DAY, line, member, per_line, program, total

from pos_tui.core import till
from pos_tui.core.basket import SALE, Cart, PaymentInput, TenderContext
from pos_tui.core.kernel import Actor, ValidationError, shop_day
from pos_tui.core.loyalty import (
    PointsTender,
    check_points_payment,
    discount_rewards_in,
    evaluate,
    ledger,
    points_payable,
    register_loyalty_tenders,
    rules,
)
from pos_tui.core.till import ReturnLineInput, create_return
from pos_tui.settings import Settings
from pos_tui.store import models as m

T = "T1"
TZ = "Europe/Istanbul"

RULES = """
[points]
hold_days = 0
max_redeem_percent = 50
redeem_multiple = 10

[earning]
percent = 1

[earning.excluded]
categories = ["Tütün"]

[[rewards]]
code = "puan-indirim"
name = "100 puana 50 TL indirim"
kind = "discount"
points = 100
discount_per_point = 0.50

[[rewards]]
code = "ekmek"
name = "Ekmek hediye"
product = "50"
points = 10
"""

P = program(RULES)
PICK = "puan-indirim"


def rich(points: int) -> object:
    return member(available_points=points)


# ---------------------------------------------------------------------------- the engine


def test_each_pick_is_100_points_and_50_tl_off_the_lines_that_may_be_discounted() -> None:
    lines = [line(1, "A", "200.00"), line(2, "B", "100.00"), line(3, "SIGARA", "100.00", category="Tütün")]
    ev = evaluate(lines, rich(500), P, day=DAY, rewards=[PICK])
    assert per_line(ev.benefits) == {1: Decimal("33.33"), 2: Decimal("16.67")}
    assert [(b.kind, b.code, b.points) for b in ev.benefits] == [("reward", PICK, 67), ("reward", PICK, 33)]
    assert ev.reward_points == 100
    twice = evaluate(lines, rich(500), P, day=DAY, rewards=[PICK, PICK])
    assert total(twice.benefits) == Decimal("100.00") and twice.reward_points == 200
    assert sum(b.points for b in twice.benefits) == 200
    assert twice.free_units == {}  # a discount, not a free item


def test_picks_need_the_points_and_the_minimum_balance() -> None:
    lines = [line(1, "A", "400.00")]
    ev = evaluate(lines, rich(150), P, day=DAY, rewards=[PICK, PICK], strict=False)
    assert ev.benefits == () and ev.reward_points == 0
    assert ev.problems == ("The rewards cost 200 points; the member has 150 available",)
    # with a product reward on the same receipt the points count together
    both = [line(1, "A", "400.00"), line(2, "50", "10.00")]
    ev = evaluate(both, rich(105), P, day=DAY, rewards=[PICK, "ekmek"], strict=False)
    assert ev.problems == ("The rewards cost 110 points; the member has 105 available",)
    ev = evaluate(both, rich(110), P, day=DAY, rewards=[PICK, "ekmek"])
    assert ev.reward_points == 110 and total(ev.benefits) == Decimal("60.00")


def test_the_cap_holds_for_discount_rewards() -> None:
    # 150 TL receipt, 50 %: points may take 75 → one pick (50), not two (100)
    lines = [line(1, "A", "150.00")]
    ev = evaluate(lines, rich(1000), P, day=DAY, rewards=[PICK, PICK], strict=False)
    assert total(ev.benefits) == Decimal("50.00") and ev.reward_points == 100
    assert ev.problems == (
        "Points may pay at most 50% of this receipt (75.00); with reward 100 puana 50 TL indirim the rewards would "
        "take 100.00",
    )
    with pytest.raises(ValidationError, match="at most 50% of this receipt"):
        evaluate(lines, rich(1000), P, day=DAY, rewards=[PICK, PICK])
    # the cap is of the whole receipt (tobacco too); the discount only of the lines it may take
    lines = [line(1, "A", "40.00"), line(2, "SIGARA", "200.00", category="Tütün")]
    ev = evaluate(lines, rich(1000), P, day=DAY, rewards=[PICK], strict=False)
    assert ev.benefits == ()
    assert ev.problems == (
        "Reward 100 puana 50 TL indirim takes 50.00 off, but the receipt's lines that may be discounted cost only "
        "40.00 more",
    )


def test_discount_rewards_come_after_the_coupons() -> None:
    from pos_tui.core.loyalty import CouponOffer

    lines = [line(1, "A", "300.00")]
    coupon = CouponOffer("MIN300", "amount", amount=Decimal(30), min_spend=Decimal(300))
    ev = evaluate(lines, rich(1000), P, day=DAY, coupons=[coupon], rewards=[PICK])
    # the coupon's minimum is met before the points discount; the cap is of 270
    assert [(b.kind, b.amount) for b in ev.benefits] == [("coupon", Decimal("30.00")), ("reward", Decimal("50.00"))]


# ---------------------------------------------------------------------------- the till


@pytest.fixture
def shop(db: object, now: datetime, cashier: Actor) -> Callable[..., Cart]:
    from engine_support import new_product

    rules.apply_rules(RULES, now=now)
    register_loyalty_tenders()
    new_product(now, "A", "200.00", name="Tencere", category="Mutfak", kdv=20)
    new_product(now, "B", "100.00", name="Tava", category="Mutfak", kdv=20)
    new_product(now, "50", "10.00", name="Ekmek", category="Fırın")

    def ring(*codes: str) -> Cart:
        cart = Cart()
        for code in codes:
            cart = till.add_item(T, cashier, code, now=now, masks=())
        return cart

    return ring


def give(member_id: int, points: int, now: datetime) -> None:
    ledger.earn(member_id, points, now=now - timedelta(days=30), hold_days=0)


def available(member_id: int, now: datetime) -> int:
    return ledger.balance(member_id, as_of=shop_day(now, TZ), tz=TZ).available


def test_the_same_discount_reward_picked_twice_then_refused(
    shop, cashier: Actor, member: int, now: datetime, settings: Settings
) -> None:
    give(member, 250, now)
    shop("A", "B")
    till.set_member(T, cashier, member, now=now)
    till.add_reward(T, cashier, PICK, now=now)
    cart = till.add_reward(T, cashier, PICK, now=now)
    assert cart.rewards == (PICK, PICK)
    assert total(cart.benefits) == Decimal("100.00") and cart.total == Decimal("200.00")
    with pytest.raises(ValidationError, match="The rewards cost 300 points; the member has 250 available"):
        till.add_reward(T, cashier, PICK, now=now)
    cart = till.remove_reward(T, cashier, PICK, now=now)
    assert cart.rewards == (PICK,) and cart.total == Decimal("250.00")
    till.add_reward(T, cashier, PICK, now=now)
    result = till.complete_sale(T, cashier, [PaymentInput("cash", Decimal("200.00"))], now=now, tz=TZ)
    rows = list(m.SaleBenefit.select().where(m.SaleBenefit.sale == result.sale_id))
    assert sum(r.points for r in rows) == 200 and sum(r.amount for r in rows) == 10000
    assert {r.kind for r in rows} == {"reward"}
    assert available(member, now) == 250 - 200 + 2  # 200 redeemed; 200 paid × 1 % earned (hold 0)
    redeem = m.PointsEntry.select().where((m.PointsEntry.sale == result.sale_id) & (m.PointsEntry.kind == "redeem"))
    assert -sum(e.points for e in redeem) == 200
    # printed as a discount line under each line it took from, with its share of the points
    from pos_tui.core.till import load_receipt, receipt_of

    uid = m.Sale.get_by_id(result.sale_id).uid
    slip = receipt_of(load_receipt(uid, terminal=T, tz=TZ), settings, width=42, fiscal=True, copy=False)
    text = [line.text for line in slip.lines]
    rewards = [t for t in text if t.startswith("  100 puana 50 TL ind")]
    assert len(rewards) == 2 and rewards[0].endswith("-66.67") and rewards[1].endswith("-33.33")
    # at 42 columns the long name is shortened, never the points note
    assert rewards[0].startswith("  100 puana 50 TL ind. (133 points) ")
    assert rewards[1].startswith("  100 puana 50 TL indi. (67 points) ")
    assert any(t.startswith("Points spent") and t.endswith("200") for t in text)


def test_the_audit_finds_a_shop_with_discount_rewards_clean(
    shop, cashier: Actor, member: int, now: datetime, settings: object
) -> None:
    """The loyalty audit's per-sale check (reward points redeemed = the reward lines' points)
    holds for discount rewards, whose points are spread over several lines, and their return."""
    from audit_loyalty_support import problems

    give(member, 1000, now)
    shop("A", "B")
    till.set_member(T, cashier, member, now=now)
    till.add_reward(T, cashier, PICK, now=now)
    till.add_reward(T, cashier, PICK, now=now)
    sale = till.complete_sale(
        T, cashier, [PaymentInput("points", Decimal(50)), PaymentInput("cash", Decimal(150))], now=now, tz=TZ
    )
    line = m.SaleLine.get((m.SaleLine.sale == sale.sale_id) & (m.SaleLine.line_no == 1))
    uid = m.Sale.get_by_id(sale.sale_id).uid
    create_return(T, cashier, uid, [ReturnLineInput(1, line.qty)], now=now + timedelta(hours=1), reason="iade")
    assert problems(settings) == []  # type: ignore[arg-type]


def test_the_points_tender_takes_only_whole_multiples(shop, cashier: Actor, member: int, now: datetime) -> None:
    give(member, 500, now)
    cart = shop("A")
    till.set_member(T, cashier, member, now=now)
    with pytest.raises(
        ValidationError,
        match=r"Points pay only in whole multiples of 10 points; 55 points is not one \(take 50 points, 50.00\)",
    ):
        check_points_payment(member, Decimal(55), total=Decimal(200), now=now)
    with pytest.raises(ValidationError, match="whole multiples of 10 points; 5 points is less than one"):
        check_points_payment(member, Decimal(5), total=Decimal(200), now=now)
    assert check_points_payment(member, Decimal(60), total=Decimal(200), now=now) == 60
    # posting refuses it too (an import tells the tender nothing)
    with pytest.raises(ValidationError, match="whole multiples of 10 points"):
        till.complete_sale(
            T, cashier, [PaymentInput("points", Decimal(55)), PaymentInput("cash", Decimal(145))], now=now, tz=TZ
        )
    assert m.Sale.select().count() == 0
    till.complete_sale(
        T, cashier, [PaymentInput("points", Decimal(50)), PaymentInput("cash", Decimal(150))], now=now, tz=TZ
    )
    assert cart.total == Decimal("200.00") and available(member, now) == 450 + 1  # 150 × 1 % earned


def test_the_tender_and_the_discount_rewards_share_the_cap(shop, cashier: Actor, member: int, now: datetime) -> None:
    """A 300 TL receipt, 50 %: points may pay 150 in all. Two picks took 100 → the tender may
    take 50 of the 200 left to pay (not 100, half of 200)."""
    give(member, 1000, now)
    shop("A", "B")
    till.set_member(T, cashier, member, now=now)
    till.add_reward(T, cashier, PICK, now=now)
    cart = till.add_reward(T, cashier, PICK, now=now)
    rewards = discount_rewards_in(cart.benefits)
    assert (cart.total, rewards) == (Decimal("200.00"), Decimal("100.00"))
    kw = {"total": cart.total, "now": now, "reserved": 200, "reward_discount": rewards}
    with pytest.raises(ValidationError, match=r"the rewards took 100.00, so the points payment may take 50 points"):
        check_points_payment(member, Decimal(60), **kw)  # type: ignore[arg-type]
    assert check_points_payment(member, Decimal(50), **kw) == 50  # type: ignore[arg-type]
    assert points_payable(member, most=Decimal(100), **kw) == Decimal("50")  # type: ignore[arg-type]
    ctx = TenderContext(SALE, T, cashier.user_id, None, cart.total, now, member_id=member)
    details = {"reserved_points": 200, "reward_discount": "100.00"}
    with pytest.raises(ValidationError, match="discount rewards included"):
        PointsTender().apply(PaymentInput("points", Decimal(60), details=details), cart.total, ctx)
    # posting reads the receipt's reward lines, whatever the payment said
    with pytest.raises(ValidationError, match="discount rewards included"):
        till.complete_sale(
            T, cashier, [PaymentInput("points", Decimal(60)), PaymentInput("cash", Decimal(140))], now=now, tz=TZ
        )
    assert m.Sale.select().count() == 0
    sale = till.complete_sale(
        T, cashier, [PaymentInput("points", Decimal(50)), PaymentInput("cash", Decimal(150))], now=now, tz=TZ
    )
    assert available(member, now) == 1000 - 200 - 50 + 1  # 150 cash × 1 % earned
    assert sale.sale_id


def test_points_payable_offers_a_fitting_amount(shop, cashier: Actor, member: int, now: datetime) -> None:
    give(member, 37, now)
    kw = {"total": Decimal(200), "now": now}
    assert points_payable(member, most=Decimal(200), **kw) == Decimal("30")  # 37 → a multiple of 10
    assert points_payable(member, most=Decimal(25), **kw) == Decimal("20")
    assert points_payable(member, most=Decimal(200), reserved=30, **kw) == Decimal("0")
    give(member, 1000, now)
    assert points_payable(member, most=Decimal(200), **kw) == Decimal("100")  # the 50 % cap


def test_a_returned_receipt_keeps_the_discount_rewards_points_spent(
    shop, cashier: Actor, member: int, now: datetime
) -> None:
    """Like a product reward's points: the reward's points are its price, not a payment. The
    return refunds what was paid for the lines (after the reward's discount); points that paid
    as a tender come back through the tender."""
    give(member, 1000, now)
    shop("A", "B")
    till.set_member(T, cashier, member, now=now)
    cart = till.add_reward(T, cashier, PICK, now=now)
    assert cart.total == Decimal("250.00")
    sale = till.complete_sale(
        T, cashier, [PaymentInput("points", Decimal(50)), PaymentInput("cash", Decimal(200))], now=now, tz=TZ
    )
    after_sale = available(member, now)
    assert after_sale == 1000 - 100 - 50 + 2  # 200 cash × 1 %
    uid = m.Sale.get_by_id(sale.sale_id).uid
    lines = list(m.SaleLine.select().where(m.SaleLine.sale == sale.sale_id).order_by(m.SaleLine.line_no))
    later = now + timedelta(hours=1)
    back = create_return(
        T, cashier, uid, [ReturnLineInput(ln.line_no, ln.qty) for ln in lines], now=later, reason="iade"
    )
    refund = m.Sale.get_by_id(back.sale_id)
    assert refund.total == 25000  # 300 − the reward's 50
    pays = {p.method: p.amount for p in m.Payment.select().where(m.Payment.sale == back.sale_id)}
    assert pays == {"points": 5000, "cash": 20000}
    # the 50 tender points are back, the 2 earned clawed back, the reward's 100 stay spent
    assert available(member, later) == after_sale + 50 - 2 == 1000 - 100


@pytest.mark.postgres
def test_discount_rewards_and_the_shared_cap_on_postgres(pg_db: object, now: datetime) -> None:
    """The same sale on PostgreSQL: the tender's post reads the discount rewards' lines."""
    from checkout_support import basket, enroll, product_maker, sell
    from loyalty_support import new_user

    from pos_tui.core.loyalty.rules import versions as rules_versions
    from pos_tui.settings import DEFAULT_ROLES

    rules_versions._reset_cache()
    try:
        rules.apply_rules(RULES, now=now)
        register_loyalty_tenders()
        role = DEFAULT_ROLES["cashier"]
        cashier = Actor(new_user(now, "kasa"), "kasa", "cashier", role.permissions, role.max_discount_pct)
        make = product_maker(now)
        pot, pan = make("A", "Tencere", "200.00"), make("B", "Tava", "100.00")
        member_id = enroll(now)
        give(member_id, 1000, now)
        cart = basket(member_id, (pot, 1), (pan, 1)).with_rewards([PICK, PICK])
        with pytest.raises(ValidationError, match="discount rewards included"):
            sell(cashier, cart, now, PaymentInput("points", Decimal(60)), PaymentInput("cash", Decimal(140)))
        sale = sell(cashier, cart, now, PaymentInput("points", Decimal(50)), PaymentInput("cash", Decimal(150)))
        rows = list(m.SaleBenefit.select().where(m.SaleBenefit.sale == sale))
        assert sum(r.points for r in rows) == 200 and sum(r.amount for r in rows) == 10000
        assert available(member_id, now) == 1000 - 200 - 50 + 1
    finally:
        rules_versions._reset_cache()

"""Coupons and rewards entered on the open cart (``till.add_coupon`` / ``remove_coupon`` /
``add_reward`` / ``remove_reward``), and the points tender leaving the rewards' points alone."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from engine_support import SHIPPED, new_product
from loyalty_support import new_sale

from pos_tui.core import till
from pos_tui.core.basket import SALE, Cart, PaymentInput, TenderContext
from pos_tui.core.kernel import Actor, InsufficientPoints, NotFound, ValidationError, shop_day
from pos_tui.core.loyalty import (
    PointsTender,
    check_coupon,
    check_points_payment,
    create_coupon,
    ledger,
    pricing,
    record_use,
    register_loyalty_tenders,
    rules,
)
from pos_tui.store import models as m

T = "T1"
TZ = "Europe/Istanbul"


@pytest.fixture
def shop(db: object, now: datetime) -> dict[str, m.Product]:
    """The shipped program (rewards: ekmek 10 points, Türk kahvesi 65, çay 255) and products."""
    rules.apply_rules(SHIPPED.read_text(encoding="utf-8"), now=now)
    register_loyalty_tenders()
    return {
        "ekmek": new_product(now, "50", "10.00", name="Ekmek", category="Fırın"),
        "kahve": new_product(now, "1005", "64.90", name="Türk Kahvesi", category="Temel Gıda"),
        "sampuan": new_product(now, "1503", "119.90", name="Şampuan", category="Kişisel Bakım", kdv=20),
    }


@pytest.fixture
def ring(shop: dict[str, m.Product], cashier: Actor, now: datetime) -> Callable[..., Cart]:
    def add(*codes: str) -> Cart:
        cart = Cart()
        for code in codes:
            cart = till.add_item(T, cashier, code, now=now, masks=())
        return cart

    return add


def coupon_amount(cart: Cart, code: str) -> Decimal:
    return sum((b.amount for b in cart.benefits if b.kind == "coupon" and b.code == code), Decimal("0.00"))


def give_points(member: int, points: int, now: datetime) -> None:
    ledger.earn(member, points, now=now - timedelta(days=30), hold_days=15)  # available today


# ---------------------------------------------------------------------------- coupons


def test_a_valid_coupon_applies_and_is_kept_in_the_draft(ring, cashier: Actor, now: datetime) -> None:
    create_coupon("YUZDE10", kind="percent", percent=Decimal(10), now=now)
    ring("1503")
    cart = till.add_coupon(T, cashier, " yuzde 10 ", now=now)  # normalised: spaces out, capitals
    assert cart.coupons == ("YUZDE10",)
    assert coupon_amount(cart, "YUZDE10") > 0
    saved = till.load_open_cart(T, cashier.user_id)
    assert saved.coupons == ("YUZDE10",) and saved.benefits == cart.benefits
    with pytest.raises(ValidationError, match="Coupon YUZDE10 is already on this receipt"):
        till.add_coupon(T, cashier, "yuzde10", now=now)
    with pytest.raises(ValidationError, match="Type or scan a coupon code"):
        till.add_coupon(T, cashier, "   ", now=now)


def test_remove_coupon_takes_it_and_its_discount_off(ring, cashier: Actor, now: datetime) -> None:
    create_coupon("ON5", kind="amount", amount=Decimal(5), now=now)
    ring("1503")
    till.add_coupon(T, cashier, "ON5", now=now)
    cart = till.remove_coupon(T, cashier, "on5", now=now)
    assert cart.coupons == () and coupon_amount(cart, "ON5") == 0
    assert till.load_open_cart(T, cashier.user_id).coupons == ()


def test_unusable_coupons_say_why(shop, cashier: Actor, member: int, now: datetime) -> None:
    """The reasons the till shows when it refuses a code (``check_coupon``, as the coupon
    dialog calls it before ``add_coupon``)."""
    day = shop_day(now, TZ)
    create_coupon("ESKI", kind="amount", amount=Decimal(5), valid_to=day - timedelta(days=1), now=now)
    create_coupon("TEKSEFER", kind="amount", amount=Decimal(5), max_uses=1, now=now)
    create_coupon("SENIN", kind="amount", amount=Decimal(5), member_id=member, now=now)
    record_use("TEKSEFER", new_sale(now, cashier.user_id), None, Decimal(5), now)
    with pytest.raises(NotFound, match="No coupon with code NOPE"):
        check_coupon("nope", member_id=None, day=day)
    with pytest.raises(ValidationError, match=r"Coupon ESKI expired on 2026-10-31"):
        check_coupon("ESKI", member_id=None, day=day)
    with pytest.raises(ValidationError, match="Coupon TEKSEFER has already been used"):
        check_coupon("TEKSEFER", member_id=None, day=day)
    with pytest.raises(ValidationError, match="Coupon SENIN is personal: attach the member's card first"):
        check_coupon("SENIN", member_id=None, day=day)


def test_a_coupon_used_up_after_it_was_entered_never_posts(ring, cashier: Actor, now: datetime) -> None:
    """A single-use coupon used on another till while it sits on this cart: cart edits keep it
    (not applied, with the reason) and the sale names it when it is posted; nothing is written."""
    create_coupon("TEKSEFER", kind="amount", amount=Decimal(5), max_uses=1, now=now)
    ring("1503")
    assert coupon_amount(till.add_coupon(T, cashier, "TEKSEFER", now=now), "TEKSEFER") == Decimal("5.00")
    record_use("TEKSEFER", new_sale(now, cashier.user_id), None, Decimal(5), now)
    cart = till.add_item(T, cashier, "50", now=now, masks=())
    assert cart.coupons == ("TEKSEFER",) and coupon_amount(cart, "TEKSEFER") == 0
    assert pricing.quote(cart, now=now, tz=TZ).problems == ("Coupon TEKSEFER has already been used",)
    with pytest.raises(ValidationError, match="Coupon TEKSEFER has already been used"):
        till.complete_sale(T, cashier, [PaymentInput("cash", Decimal(200))], now=now, tz=TZ)
    assert m.Sale.select().count() == 1  # only the other till's
    assert till.remove_coupon(T, cashier, "TEKSEFER", now=now).coupons == ()


def test_add_coupon_refuses_an_unknown_or_expired_code(ring, cashier: Actor, now: datetime) -> None:
    create_coupon("ESKI", kind="amount", amount=Decimal(5), valid_to=shop_day(now, TZ) - timedelta(days=1), now=now)
    ring("50")
    with pytest.raises(NotFound, match="No coupon with code NOPE"):
        till.add_coupon(T, cashier, "NOPE", now=now)
    with pytest.raises(ValidationError, match="Coupon ESKI expired"):
        till.add_coupon(T, cashier, "ESKI", now=now)


def test_a_minimum_not_met_is_kept_unapplied_and_never_blocks_a_void(ring, cashier: Actor, now: datetime) -> None:
    create_coupon("YUZLUK", kind="amount", amount=Decimal(20), min_spend=Decimal(100), now=now)
    ring("50")
    cart = till.add_coupon(T, cashier, "YUZLUK", now=now)  # 10 TL: accepted, not applied
    assert cart.coupons == ("YUZLUK",) and coupon_amount(cart, "YUZLUK") == 0
    (problem,) = pricing.quote(cart, now=now, tz=TZ).problems
    assert problem.startswith("Coupon YUZLUK needs a receipt of at least 100.00")

    cart = till.add_item(T, cashier, "1503", now=now, masks=())  # 129.90 before benefits: applies
    assert coupon_amount(cart, "YUZLUK") == Decimal("20.00")

    cart = till.void_line(T, cashier, 2, "Customer changed their mind", now=now)  # back under: not refused
    assert cart.coupons == ("YUZLUK",) and coupon_amount(cart, "YUZLUK") == 0
    assert till.load_open_cart(T, cashier.user_id).line(2).voided


# ---------------------------------------------------------------------------- rewards


def test_a_reward_needs_a_member(ring, cashier: Actor, now: datetime) -> None:
    ring("50")
    with pytest.raises(ValidationError, match="Choose the customer's loyalty card first"):
        till.add_reward(T, cashier, "ekmek", now=now)
    assert till.load_open_cart(T, cashier.user_id).rewards == ()


def test_a_reward_the_member_can_no_longer_afford_gives_nothing_and_says_why(
    ring, cashier: Actor, member: int, now: datetime
) -> None:
    give_points(member, 12, now)
    ring("50")
    till.set_member(T, cashier, member, now=now)
    assert [b.points for b in till.add_reward(T, cashier, "ekmek", now=now).benefits if b.kind == "reward"] == [10]
    ledger.redeem(member, 3, now=now)  # spent elsewhere meanwhile: 9 left
    cart = till.add_item(T, cashier, "50", now=now, masks=())
    assert cart.rewards == ("ekmek",) and [b for b in cart.benefits if b.kind == "reward"] == []
    assert "The rewards cost 10 points; the member has 9 available" in pricing.quote(cart, now=now, tz=TZ).problems
    with pytest.raises(ValidationError, match="The rewards cost 10 points; the member has 9 available"):
        till.complete_sale(T, cashier, [PaymentInput("cash", Decimal(100))], now=now, tz=TZ)


def test_add_reward_refuses_a_reward_the_member_cannot_afford(ring, cashier: Actor, member: int, now: datetime) -> None:
    ring("50")
    till.set_member(T, cashier, member, now=now)
    with pytest.raises(ValidationError, match="The rewards cost 10 points"):
        till.add_reward(T, cashier, "ekmek", now=now)


def test_a_reward_applies_is_saved_removed_and_dropped_with_the_member(
    ring, cashier: Actor, member: int, now: datetime
) -> None:
    give_points(member, 100, now)
    ring("50", "1005")
    till.set_member(T, cashier, member, now=now)
    cart = till.add_reward(T, cashier, "ekmek", now=now)
    (reward,) = [b for b in cart.benefits if b.kind == "reward"]
    assert (reward.code, reward.amount, reward.points, reward.line_no) == ("ekmek", Decimal("10.00"), 10, 1)
    assert till.load_open_cart(T, cashier.user_id).rewards == ("ekmek",)

    cart = till.remove_reward(T, cashier, "ekmek", now=now)
    assert cart.rewards == () and not [b for b in cart.benefits if b.kind == "reward"]
    assert till.remove_reward(T, cashier, "ekmek", now=now).rewards == ()  # removing twice changes nothing

    till.add_reward(T, cashier, "ekmek", now=now)
    cart = till.set_member(T, cashier, None, now=now)  # detaching takes the member's rewards with them
    assert cart.rewards == () and till.load_open_cart(T, cashier.user_id).rewards == ()


def test_a_posted_sale_redeems_the_reward_and_records_the_coupon(
    ring, cashier: Actor, member: int, now: datetime
) -> None:
    give_points(member, 100, now)
    create_coupon("ON5", kind="amount", amount=Decimal(5), now=now)
    ring("50", "1503")
    till.set_member(T, cashier, member, now=now)
    till.add_reward(T, cashier, "ekmek", now=now)
    cart = till.add_coupon(T, cashier, "ON5", now=now)
    result = till.complete_sale(T, cashier, [PaymentInput("cash", cart.total)], now=now, tz=TZ)
    kinds = {(b.kind, b.code) for b in m.SaleBenefit.select().where(m.SaleBenefit.sale == result.sale_id)}
    assert {("reward", "ekmek"), ("coupon", "ON5")} <= kinds
    assert m.CouponUse.select().where(m.CouponUse.sale == result.sale_id).count() == 1
    assert ledger.balance(member, as_of=shop_day(now, TZ), tz=TZ).available == 90
    assert till.load_open_cart(T, cashier.user_id).is_blank


# ---------------------------------------------------------------------------- points tender


def _points_cart(ring, cashier: Actor, member: int, now: datetime, points: int) -> Cart:
    """A member with ``points`` available, ekmek given as a reward (10 points) and a shampoo."""
    give_points(member, points, now)
    ring("50", "1503")
    till.set_member(T, cashier, member, now=now)
    return till.add_reward(T, cashier, "ekmek", now=now)


def test_points_already_taken_by_rewards_cannot_pay_too(ring, cashier: Actor, member: int, now: datetime) -> None:
    cart = _points_cart(ring, cashier, member, now, 60)
    total = cart.total
    assert sum(b.points for b in cart.benefits if b.kind == "reward") == 10
    assert check_points_payment(member, Decimal(50), total=total, now=now, reserved=10) == 50
    with pytest.raises(InsufficientPoints, match="Only 50 points are free to pay with: 60 available, 10 taken"):
        check_points_payment(member, Decimal(51), total=total, now=now, reserved=10)
    # Earlier points parts of the same receipt count towards both the balance and the cap.
    with pytest.raises(InsufficientPoints, match="Only 20 points are free to pay with"):
        check_points_payment(member, Decimal(21), total=total, now=now, reserved=40, already=30)
    ctx = TenderContext(SALE, T, cashier.user_id, None, total, now, member_id=member)
    tender = PointsTender()
    # Told nothing of the rewards, apply cannot know (post can: see the next test).
    assert tender.apply(PaymentInput("points", Decimal(55)), total, ctx).details["points"] == 55
    with pytest.raises(InsufficientPoints, match="10 taken by the rewards"):
        tender.apply(PaymentInput("points", Decimal(55), details={"reserved_points": 10}), total, ctx)


def test_posting_refuses_points_the_rewards_need(ring, cashier: Actor, member: int, now: datetime) -> None:
    """Even when the till did not say what the rewards take, the tender's post reads the
    receipt's reward lines and refuses before the rewards are redeemed: nothing is written."""
    cart = _points_cart(ring, cashier, member, now, 60)
    payments = [PaymentInput("points", Decimal(55)), PaymentInput("cash", cart.total)]
    with pytest.raises(InsufficientPoints, match="Only 50 points are free to pay with: 60 available, 10 taken"):
        till.complete_sale(T, cashier, payments, now=now, tz=TZ)
    assert m.Sale.select().count() == 0
    payments = [PaymentInput("points", Decimal(50)), PaymentInput("cash", cart.total)]
    till.complete_sale(T, cashier, payments, now=now, tz=TZ)
    assert ledger.balance(member, as_of=shop_day(now, TZ), tz=TZ).available == 0

"""Issue 16 properties (Hypothesis): with caps on every percentage benefit and discount rewards
picked several times, no line ever gets more off than it costs, each capped benefit takes
exactly min(its percentage, its cap) split to the kuruş, each discount reward takes exactly
picks × its discount and its points sum exactly to picks × points, and the points they take
together stay within ``max_redeem_percent`` of the receipt."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from engine_support import DAY, line, program
from hypothesis import given, settings
from hypothesis import strategies as st

from pos_tui.core.basket import Benefit
from pos_tui.core.kernel import to_kurus
from pos_tui.core.loyalty import CouponOffer, MemberContext, evaluate

TEMPLATE = """
[points]
max_redeem_percent = {cap_percent}

[earning.excluded]
categories = ["Tütün"]

[[tiers]]
code = "t"
name = "T"
min_spend = 0
basket_discount_percent = {tier_percent}
basket_discount_max = {tier_max}

[[promotions]]
code = "second"
name = "Second"
kind = "second_item_percent"
percent = {promo_percent}
categories = ["Kozmetik"]
max_amount = {promo_max}

[[promotions]]
code = "bxgy"
name = "BXGY"
kind = "buy_x_get_y"
buy = 2
get = 1
categories = ["Atıştırmalık"]
max_amount = {promo_max}

[[rewards]]
code = "indirim"
name = "İndirim"
kind = "discount"
points = {reward_points}
discount_per_point = {per_point}
"""

CATEGORIES = ["Kozmetik", "Atıştırmalık", "Tütün", "Gıda"]

money = st.integers(min_value=1, max_value=50_000).map(lambda k: f"{Decimal(k) / 100:.2f}")
lines_st = st.lists(
    st.tuples(money, st.integers(min_value=1, max_value=4), st.sampled_from(CATEGORIES)), min_size=1, max_size=8
)


def sum_of(benefits: list[Benefit]) -> int:
    return sum(to_kurus(b.amount) for b in benefits)


@settings(max_examples=150, deadline=None)
@given(
    raw=lines_st,
    tier_percent=st.integers(min_value=1, max_value=50),
    tier_max=st.integers(min_value=1, max_value=500),
    promo_percent=st.integers(min_value=1, max_value=100),
    promo_max=st.integers(min_value=1, max_value=300),
    coupon_percent=st.integers(min_value=1, max_value=100),
    coupon_max=st.integers(min_value=1, max_value=400),
    cap_percent=st.integers(min_value=0, max_value=100),
    reward_points=st.integers(min_value=1, max_value=200),
    per_point=st.sampled_from(["0.01", "0.25", "0.5", "1", "1.1"]),
    picks=st.integers(min_value=0, max_value=4),
)
def test_capped_benefits_and_discount_rewards_sum_exactly_and_fit_their_lines(
    raw: list[tuple[str, int, str]],
    tier_percent: int,
    tier_max: int,
    promo_percent: int,
    promo_max: int,
    coupon_percent: int,
    coupon_max: int,
    cap_percent: int,
    reward_points: int,
    per_point: str,
    picks: int,
) -> None:
    p = program(
        TEMPLATE.format(
            cap_percent=cap_percent,
            tier_percent=tier_percent,
            tier_max=tier_max,
            promo_percent=promo_percent,
            promo_max=promo_max,
            reward_points=reward_points,
            per_point=per_point,
        )
    )
    lines = [line(i, f"P{i}", price, qty, category=cat) for i, (price, qty, cat) in enumerate(raw, 1)]
    who = MemberContext(member_id=1, tier_code="t", available_points=10**6)
    coupon = CouponOffer("C", "percent", percent=Decimal(coupon_percent), max_amount=Decimal(coupon_max))
    ev = evaluate(lines, who, p, day=DAY, coupons=[coupon], rewards=["indirim"] * picks, strict=False)

    # no line gets more off than it costs, no benefit is zero or negative
    off: dict[int, int] = {}
    for b in ev.benefits:
        assert b.amount > 0
        off[b.line_no] = off.get(b.line_no, 0) + to_kurus(b.amount)
    for ln in lines:
        assert off.get(ln.line_no, 0) <= to_kurus(ln.amount)
    excluded = {ln.line_no for ln in lines if ln.category == "Tütün"}
    for b in ev.benefits:
        if b.kind in ("tier", "coupon", "reward"):
            assert b.line_no not in excluded

    def of(kind: str, code: str) -> list[Benefit]:
        return [b for b in ev.benefits if b.kind == kind and b.code == code]

    # promotions: each within its cap
    assert sum_of(of("promotion", "second")) <= promo_max * 100
    assert sum_of(of("promotion", "bxgy")) <= promo_max * 100

    # the tier: exactly min(percent of what the non-excluded lines cost after the promotions, cap)
    left = {ln.line_no: to_kurus(ln.amount) for ln in lines}
    for b in of("promotion", "second") + of("promotion", "bxgy"):
        left[b.line_no] -= to_kurus(b.amount)
    base = sum(k for n, k in left.items() if n not in excluded)
    percent = int((Decimal(base) * tier_percent / 100).to_integral_value(rounding=ROUND_HALF_UP))
    assert sum_of(of("tier", "t")) == min(percent, tier_max * 100)

    # the coupon: exactly min(percent of what is left, cap)
    for b in of("tier", "t"):
        left[b.line_no] -= to_kurus(b.amount)
    base = sum(k for n, k in left.items() if n not in excluded)
    percent = int((Decimal(base) * coupon_percent / 100).to_integral_value(rounding=ROUND_HALF_UP))
    assert sum_of(of("coupon", "C")) == min(percent, coupon_max * 100)

    # discount rewards: whole picks only, each exactly its discount, points summing exactly,
    # within the cap of the receipt before them, and one fewer pick is what did not fit
    for b in of("coupon", "C"):
        left[b.line_no] -= to_kurus(b.amount)
    rewarded = of("reward", "indirim")
    one = to_kurus((Decimal(per_point) * reward_points).quantize(Decimal("0.01")))
    taken = sum_of(rewarded)
    applied = taken // one if one else 0
    assert taken == applied * one
    assert sum(b.points for b in rewarded) == applied * reward_points == ev.reward_points
    receipt = sum(left.values())
    assert taken * 100 <= receipt * cap_percent
    assert applied <= picks
    room = sum(k for n, k in left.items() if n not in excluded)
    if applied < picks:  # the next pick would not have fitted
        assert (applied + 1) * one > room or (applied + 1) * one * 100 > receipt * cap_percent or one == 0
        assert ev.problems

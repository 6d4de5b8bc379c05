"""Properties of the engine over random baskets and programs (Hypothesis): a benefit is never
negative and a line never gets more off than it costs; the tier discount and coupons are
exactly the amounts they promise, split to the kuruş; stamps spent match the free items;
per-line points sum to the receipt's; splitting a basket never earns more points."""

from __future__ import annotations

import json
from decimal import Decimal

from engine_support import DAY, line, program
from hypothesis import given, settings
from hypothesis import strategies as st

from pos_tui.core.basket import Benefit
from pos_tui.core.kernel import ZERO, percent_of
from pos_tui.core.loyalty import (
    CouponOffer,
    EngineLine,
    MemberContext,
    after_benefits,
    earning,
    evaluate,
    program_from_dict,
    program_to_dict,
)

CATEGORIES = ["Kahve", "Atıştırmalık", "Kozmetik", "Tütün", "Gıda"]
CODES = ["A", "B", "C", "D", "E", "F"]

TEMPLATE = """
[earning]
percent = {earn}
[earning.category_multipliers]
"Gıda" = {mult}
[earning.excluded]
categories = ["Tütün"]

[[supplier_funding]]
product = "A"
points = {fund}
supplier_points = {fund_supplier}

[[tiers]]
code = "t1"
name = "T1"
min_spend = 0
basket_discount_percent = {disc1}

[[tiers]]
code = "t2"
name = "T2"
min_spend = 1000
multiplier = {tier_mult}
basket_discount_percent = {disc2}

[[tiers.monthly_benefits]]
code = "t2-free"
label = "Free B"
products = ["B"]
quantity = {monthly}

[[stamp_cards]]
code = "kahve"
name = "Kahve"
categories = ["Kahve"]
needed = {needed}

[[promotions]]
code = "bxgy"
name = "BXGY"
kind = "buy_x_get_y"
buy = {buy}
get = {get}
categories = ["Atıştırmalık", "Kahve"]

[[promotions]]
code = "second"
name = "Second"
kind = "second_item_percent"
percent = {second}
categories = ["Kozmetik"]
members_only = true

[[rewards]]
code = "r"
name = "R"
product = "C"
points = 5
"""

programs = st.builds(
    lambda **kw: program(TEMPLATE.format(**kw)),
    earn=st.sampled_from(["1", "2.5", "0", "10"]),
    mult=st.sampled_from(["0", "1", "1.5", "3"]),
    fund=st.integers(1, 20),
    fund_supplier=st.integers(0, 1),
    disc1=st.sampled_from(["0", "3", "12.5", "100"]),
    disc2=st.sampled_from(["10", "15", "33.33"]),
    tier_mult=st.sampled_from(["1", "1.5", "2"]),
    monthly=st.integers(1, 3),
    needed=st.integers(1, 7),
    buy=st.integers(1, 3),
    get=st.integers(1, 2),
    second=st.sampled_from(["50", "100", "33.33"]),
)

piece_lines = st.tuples(
    st.sampled_from(CODES), st.integers(0, 50_000), st.integers(1, 6), st.sampled_from([*CATEGORIES, None])
)
weighed_lines = st.tuples(
    st.sampled_from(CODES), st.integers(0, 90_000), st.integers(1, 4000), st.sampled_from(CATEGORIES)
)


@st.composite
def baskets(draw: st.DrawFn) -> list[EngineLine]:
    out = []
    for i in range(1, draw(st.integers(1, 10)) + 1):
        code, kurus, qty, category = draw(piece_lines)
        price = Decimal(kurus) / 100
        out.append(line(i, code, f"{price:.2f}", qty, category=category, supplier="SUP"))
        if draw(st.integers(0, 5)) == 0:
            code, kurus, grams, category = draw(weighed_lines)
            price = Decimal(kurus) / 100
            out.append(line(100 + i, code, f"{price:.2f}", unit="kg", qty_milli=grams, category=category))
    return out


members = st.one_of(
    st.none(),
    st.builds(
        lambda tier, stamps, used, points: MemberContext(
            member_id=1,
            tier_code=tier,
            stamps={"kahve": stamps},
            monthly_used={"t2-free": used},
            available_points=points,
        ),
        st.sampled_from([None, "t1", "t2"]),
        st.integers(-3, 12),
        st.integers(0, 3),
        st.integers(0, 20),
    ),
)

coupon_offers = st.lists(
    st.one_of(
        st.builds(
            lambda k: CouponOffer(f"AMT{k}", "amount", amount=Decimal(k) / 100),
            st.integers(1, 100_000),
        ),
        st.builds(
            lambda bp, product: CouponOffer(f"PCT{bp}", "percent", percent=Decimal(bp) / 100, product_code=product),
            st.integers(1, 10_000),
            st.sampled_from([None, *CODES]),
        ),
    ),
    max_size=2,
    unique_by=lambda c: c.code,
)


def _sum(benefits: list[Benefit] | tuple[Benefit, ...]) -> Decimal:
    return sum((b.amount for b in benefits), ZERO)


@settings(max_examples=300, deadline=None)
@given(lines=baskets(), member=members, p=programs, coupons=coupon_offers, rewards=st.lists(st.just("r"), max_size=2))
def test_benefits_never_exceed_the_lines_and_sum_exactly(
    lines: list[EngineLine], member: MemberContext | None, p: object, coupons: list[CouponOffer], rewards: list[str]
) -> None:
    assert hasattr(p, "tiers")
    ev = evaluate(lines, member, p, day=DAY, coupons=coupons, rewards=rewards, strict=False)  # type: ignore[arg-type]
    amounts = {ln.line_no: ln.amount for ln in lines}
    taken: dict[int, Decimal] = {}
    for b in ev.benefits:
        assert b.amount > 0
        assert b.amount == b.amount.quantize(Decimal("0.01"))
        taken[b.line_no] = taken.get(b.line_no, ZERO) + b.amount
    for line_no, off in taken.items():
        assert off <= amounts[line_no]

    excluded = {ln.line_no for ln in lines if ln.category == "Tütün"}
    before_tier = [b for b in ev.benefits if b.kind in ("promotion", "stamp", "reward") or b.code == "t2-free"]
    tier_lines = [b for b in ev.benefits if b.kind == "tier" and b.code in ("t1", "t2")]
    assert not any(b.line_no in excluded for b in tier_lines)
    if member is not None and member.tier_code is not None:
        tier = p.tier(member.tier_code)  # type: ignore[attr-defined]
        off_before: dict[int, Decimal] = {}
        for b in before_tier:
            off_before[b.line_no] = off_before.get(b.line_no, ZERO) + b.amount
        base = sum((ln.amount - off_before.get(ln.line_no, ZERO) for ln in lines if ln.line_no not in excluded), ZERO)
        assert _sum(tier_lines) == percent_of(base, tier.basket_discount_percent)
    else:
        assert tier_lines == []

    for card, change in ev.stamps.items():
        free = [b for b in ev.benefits if b.kind == "stamp" and b.code == card]
        assert change.spent == len(free) * p.stamp_cards[0].needed  # type: ignore[attr-defined]
        assert change.earned >= 0
    assert ev.reward_points == 5 * len([b for b in ev.benefits if b.kind == "reward"])
    if member is not None:
        assert ev.reward_points <= member.available_points
    # Earning straight from the evaluation is the same as earning on the copied lines.
    direct = earning(lines, member, p, day=DAY, evaluation=ev)  # type: ignore[arg-type]
    assert direct == earning(after_benefits(lines, ev), member, p, day=DAY)  # type: ignore[arg-type]


@settings(max_examples=200, deadline=None)
@given(lines=baskets(), member=members, p=programs, paid=st.integers(0, 200_000))
def test_points_split_exactly_and_never_grow_by_splitting_the_basket(
    lines: list[EngineLine], member: MemberContext | None, p: object, paid: int
) -> None:
    non_earning = Decimal(paid) / 100
    result = earning(lines, member, p, day=DAY, non_earning_paid=non_earning)  # type: ignore[arg-type]
    assert sum(lp.points for lp in result.lines) == result.base_points + result.tier_bonus_points
    assert result.points == (
        result.base_points + result.tier_bonus_points + result.bonus_points + result.supplier_points
    )
    assert result.base <= sum((ln.amount for ln in lines), ZERO)
    assert result.base >= 0 and result.tier_bonus_points >= 0 and result.cashback >= 0
    assert sum(s.supplier_points for s in result.supplier) <= result.supplier_points
    if len(lines) > 1:
        half = len(lines) // 2
        first = earning(lines[:half], member, p, day=DAY)  # type: ignore[arg-type]
        second = earning(lines[half:], member, p, day=DAY)  # type: ignore[arg-type]
        whole = earning(lines, member, p, day=DAY)  # type: ignore[arg-type]
        assert whole.base_points + whole.tier_bonus_points >= (
            first.base_points + first.tier_bonus_points + second.base_points + second.tier_bonus_points
        )


@settings(max_examples=100, deadline=None)
@given(p=programs)
def test_the_canonical_form_round_trips(p: object) -> None:
    data = program_to_dict(p)  # type: ignore[arg-type]
    assert program_from_dict(json.loads(json.dumps(data))) == p

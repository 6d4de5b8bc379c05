"""Issue 16: minimum order value on earning, receipt-level ``[[multipliers]]``, and how a
receipt discount spread over lines meets product-scoped earning rules (small numbers)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from engine_support import DAY, line, member, per_line, program

from pos_tui.core.loyalty import CouponOffer, after_benefits, earning, evaluate

DOUBLE = """
[earning]
percent = 1

[earning.excluded]
categories = ["Tütün"]

[[multipliers]]
code = "cift-puan"
factor = 2
min_order = 300
"""


def earn(rules: str, lines: list, *, tier: str | None = None, day: date = DAY, **kw: object):  # type: ignore[no-untyped-def]
    return earning(lines, member(tier), program(rules), day=day, **kw)  # type: ignore[arg-type]


def test_double_points_on_receipts_of_300_and_more() -> None:
    below = earn(DOUBLE, [line(1, "A", "299.99")])
    assert (below.base_points, below.multipliers) == (2, ())  # ⌊299.99 × 1 %⌋
    at = earn(DOUBLE, [line(1, "A", "300.00")])
    assert (at.base_points, at.multipliers) == (6, ("cift-puan",))  # 300 × 2 × 1 %


def test_the_multipliers_minimum_counts_non_excluded_lines_after_discounts() -> None:
    # 250 of goods + 100 of tobacco: 350 on the receipt, 250 that counts → no double points
    lines = [line(1, "A", "250.00"), line(2, "SIGARA", "100.00", category="Tütün")]
    assert earn(DOUBLE, lines).multipliers == ()
    # 310 of goods with a 20 TL coupon: 290 after the discount → no double points
    p = program(DOUBLE)
    goods = [line(1, "A", "310.00")]
    ev = evaluate(goods, member(), p, day=DAY, coupons=[CouponOffer("YIRMI", "amount", amount=Decimal(20))])
    result = earning(after_benefits(goods, ev), member(), p, day=DAY)
    assert (result.base_points, result.multipliers) == (2, ())
    # what points paid does not matter for the minimum: 300 paid, 100 of it with points
    result = earn(DOUBLE, [line(1, "A", "300.00")], non_earning_paid=Decimal(100))
    assert (result.base_points, result.multipliers) == (4, ("cift-puan",))  # 200 × 2 × 1 %


def test_a_line_takes_the_highest_factor_never_a_product() -> None:
    rules = """
[earning]
percent = 1
[earning.product_multipliers]
"ZEYTIN" = 3
"SUT" = 0.5
[earning.category_multipliers]
"Kahvaltılık" = 1.5

[[multipliers]]
code = "kahvalti"
factor = 2
categories = ["Kahvaltılık"]
"""
    lines = [
        line(1, "ZEYTIN", "100.00", category="Kahvaltılık"),  # 3 > 2: keeps 3 → 300
        line(2, "PEYNIR", "100.00", category="Kahvaltılık"),  # 1.5 < 2: 2 → 200
        line(3, "SUT", "100.00", category="Kahvaltılık"),  # its own 0.5 < 2: 2 → 200
        line(4, "EKMEK", "100.00", category="Fırın"),  # out of scope: 1 → 100
    ]
    result = earn(rules, lines)
    assert result.base_points == 8  # (300 + 200 + 200 + 100) × 1 %
    assert result.multipliers == ("kahvalti",)
    assert [lp.points for lp in result.lines] == [3, 2, 2, 1]


def test_the_tier_multiplier_applies_to_the_receipt_on_top() -> None:
    rules = (
        DOUBLE
        + """
[[tiers]]
code = "gumus"
name = "Gümüş"
min_spend = 0
multiplier = 1.5
"""
    )
    result = earn(rules, [line(1, "A", "400.00")], tier="gumus")
    assert (result.base_points, result.tier_bonus_points) == (8, 4)  # 400 × 2 × 1 % = 8, × 1.5 = 12


def test_multipliers_only_inside_their_window_and_the_highest_wins() -> None:
    rules = """
[earning]
percent = 1
[[multipliers]]
code = "kasim"
factor = 2
valid_from = 2026-11-01
valid_to = 2026-11-30
[[multipliers]]
code = "buyuk-sepet"
factor = 3
min_order = 1000
"""
    assert earn(rules, [line(1, "A", "500.00")]).multipliers == ("kasim",)
    assert earn(rules, [line(1, "A", "500.00")], day=date(2026, 12, 1)).multipliers == ()
    big = earn(rules, [line(1, "A", "1000.00")])
    assert (big.base_points, big.multipliers) == (30, ("buyuk-sepet",))


def test_a_minimum_order_on_earning() -> None:
    rules = """
[earning]
percent = 1
min_order = 100
[earning.excluded]
categories = ["Tütün"]
[[bonuses]]
code = "elli"
min_spend = 50
points = 5
"""
    below = earn(rules, [line(1, "A", "99.99"), line(2, "SIGARA", "200.00", category="Tütün")])
    assert (below.base_points, below.below_min_order) == (0, True)
    assert below.bonuses == (("elli", 5),) and below.points == 5  # bonuses follow their own rule
    at = earn(rules, [line(1, "A", "100.00")])
    assert (at.base_points, at.below_min_order, at.points) == (1, False, 6)


# ---------------------------------------------------------------------------- item 4

SPREAD = """
[earning]
percent = 1
[earning.product_multipliers]
"ZEYTIN" = 3
[earning.excluded]
categories = ["Tütün"]
"""


def test_a_whole_receipt_coupon_reduces_earning_only_on_lines_that_earn() -> None:
    """100 TL coupon on: tobacco 200 (excluded), olive oil 100 (×3), bread 100.

    The coupon is spread over the lines it may discount — not the tobacco — in proportion to
    what they cost: 50 off the olive oil, 50 off the bread. Points: (50 × 3 + 50) × 1 % = 2,
    against (300 + 100) × 1 % = 4 without the coupon. A points payment, by contrast, is spread
    over every line, tobacco included."""
    p = program(SPREAD)
    lines = [
        line(1, "SIGARA", "200.00", category="Tütün"),
        line(2, "ZEYTIN", "100.00"),
        line(3, "EKMEK", "100.00"),
    ]
    assert earning(lines, member(), p, day=DAY).base_points == 4
    ev = evaluate(lines, member(), p, day=DAY, coupons=[CouponOffer("YUZ", "amount", amount=Decimal(100))])
    assert per_line(ev.benefits) == {2: Decimal("50.00"), 3: Decimal("50.00")}
    result = earning(after_benefits(lines, ev), member(), p, day=DAY)
    assert result.base_points == 2
    assert [(lp.line_no, lp.base, lp.points) for lp in result.lines] == [
        (1, Decimal("0.00"), 0),
        (2, Decimal("50.00"), 2),  # 150 weighted of 200: the split of 2 points by largest remainder
        (3, Decimal("50.00"), 0),
    ]
    # 100 paid with points instead: 50 of it falls on the tobacco, 25 + 25 on the others
    paid = earning(lines, member(), p, day=DAY, non_earning_paid=Decimal(100))
    assert [lp.base for lp in paid.lines] == [Decimal("0.00"), Decimal("75.00"), Decimal("75.00")]
    assert paid.base_points == 3  # (75 × 3 + 75) × 1 %


def test_a_product_coupon_and_the_tier_discount_follow_the_same_rule() -> None:
    rules = (
        SPREAD
        + """
[[tiers]]
code = "kirmizi"
name = "Kırmızı"
min_spend = 0
basket_discount_percent = 10
"""
    )
    p = program(rules)
    lines = [
        line(1, "SIGARA", "200.00", category="Tütün"),
        line(2, "ZEYTIN", "100.00"),
        line(3, "EKMEK", "100.00"),
    ]
    # the tier's 10 % is 20 off the 200 that may be discounted, 10 + 10; a 30 TL coupon for the
    # bread only takes 30 off the bread
    ev = evaluate(
        lines,
        member("kirmizi"),
        p,
        day=DAY,
        coupons=[CouponOffer("EKMEK30", "amount", amount=Decimal(30), product_code="EKMEK")],
    )
    assert per_line(ev.benefits) == {2: Decimal("10.00"), 3: Decimal("40.00")}
    result = earning(after_benefits(lines, ev), member("kirmizi"), p, day=DAY)
    assert result.base_points == 3  # (90 × 3 + 60) × 1 % = 3.3


def test_a_multiplier_with_scope_and_a_receipt_coupon() -> None:
    """A ×2 on "Kahvaltılık" from 300 TL: a 50 TL coupon is spread 200:150 (28,57 + 21,43), the
    receipt (350 → 300) still reaches the minimum, and only the cheese line is doubled."""
    rules = """
[earning]
percent = 1
[[multipliers]]
code = "kahvalti"
factor = 2
min_order = 300
categories = ["Kahvaltılık"]
"""
    p = program(rules)
    lines = [line(1, "PEYNIR", "200.00", category="Kahvaltılık"), line(2, "DETERJAN", "150.00", category="Temizlik")]
    ev = evaluate(lines, member(), p, day=DAY, coupons=[CouponOffer("ELLI", "amount", amount=Decimal(50))])
    assert per_line(ev.benefits) == {1: Decimal("28.57"), 2: Decimal("21.43")}
    result = earning(after_benefits(lines, ev), member(), p, day=DAY)
    assert result.multipliers == ("kahvalti",)
    assert result.base_points == 4  # (171.43 × 2 + 128.57) × 1 % = 4.71


def test_a_posted_sale_records_the_multipliers_that_applied(db: object, till, product, now) -> None:  # type: ignore[no-untyped-def]
    import json

    from checkout_support import basket, enroll, sell

    from pos_tui.core.loyalty import rules
    from pos_tui.store import models as m

    rules.apply_rules(DOUBLE, now=now)
    pot = product("70", "Tencere", "150.00")
    member_id = enroll(now)
    small = sell(till, basket(member_id, (pot, 1)), now)
    big = sell(till, basket(member_id, (pot, 2)), now)
    data = {s: json.loads(m.SaleLoyalty.get_by_id(s).data) for s in (small, big)}
    assert data[small]["multipliers"] == [] and m.SaleLoyalty.get_by_id(small).points == 1
    assert data[big]["multipliers"] == ["cift-puan"] and m.SaleLoyalty.get_by_id(big).points == 6

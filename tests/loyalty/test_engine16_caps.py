"""Issue 16: a maximum discount amount on every percentage benefit — "20 % off, at most 200 TL".

The cap is per receipt and per benefit; what is left is spread over the lines the benefit would
have had, in proportion to what each would have taken (largest remainder), so the parts sum to
the cap exactly and no line gets more than it costs (or more than it would have uncapped)."""

from __future__ import annotations

from decimal import Decimal

from engine_support import DAY, line, member, per_line, program, total

from pos_tui.core.loyalty import CouponOffer, evaluate

TIERS = """
[earning.excluded]
categories = ["Tütün"]

[[tiers]]
code = "altin"
name = "Altın"
min_spend = 0
basket_discount_percent = 20
basket_discount_max = 200
"""


def test_twenty_percent_at_most_200_on_a_1500_basket_takes_200() -> None:
    p = program(TIERS)
    lines = [line(1, "A", "1000.00"), line(2, "B", "500.00")]
    ev = evaluate(lines, member("altin"), p, day=DAY)
    assert total(ev.benefits, "tier") == Decimal("200.00")  # 20 % would be 300
    # spread in proportion to what the lines cost: 1000:500
    assert per_line(ev.benefits) == {1: Decimal("133.33"), 2: Decimal("66.67")}


def test_under_the_cap_the_percentage_applies_as_before() -> None:
    p = program(TIERS)
    ev = evaluate([line(1, "A", "900.00")], member("altin"), p, day=DAY)
    assert total(ev.benefits, "tier") == Decimal("180.00")
    ev = evaluate([line(1, "A", "1000.00")], member("altin"), p, day=DAY)
    assert total(ev.benefits, "tier") == Decimal("200.00")  # exactly at the cap


def test_the_tier_cap_ignores_excluded_lines() -> None:
    p = program(TIERS)
    lines = [line(1, "A", "1500.00"), line(2, "SIGARA", "300.00", category="Tütün")]
    ev = evaluate(lines, member("altin"), p, day=DAY)
    assert per_line(ev.benefits) == {1: Decimal("200.00")}


PROMOS = """
[[promotions]]
code = "ikincisi"
name = "İkincisi %50, en çok 30 TL"
kind = "second_item_percent"
percent = 50
categories = ["Kozmetik"]
max_amount = 30

[[promotions]]
code = "3al2"
name = "3 al 2 öde, en çok 25 TL"
kind = "buy_x_get_y"
buy = 2
get = 1
categories = ["Atıştırmalık"]
max_amount = 25
"""


def test_second_item_percent_is_capped_per_receipt() -> None:
    p = program(PROMOS)
    # two pairs: 50 % of 40 (line 2) and 50 % of 40 (line 4) = 40 → at most 30, 15 + 15
    lines = [
        line(1, "K1", "100.00", category="Kozmetik"),
        line(2, "K2", "40.00", category="Kozmetik"),
        line(3, "K3", "100.00", category="Kozmetik"),
        line(4, "K4", "40.00", category="Kozmetik"),
    ]
    ev = evaluate(lines, None, p, day=DAY)
    assert total(ev.benefits, "promotion") == Decimal("30.00")
    assert per_line(ev.benefits) == {2: Decimal("15.00"), 4: Decimal("15.00")}
    # one pair: 50 % of 40 = 20, under the cap
    ev = evaluate(lines[:2], None, p, day=DAY)
    assert per_line(ev.benefits) == {2: Decimal("20.00")}


def test_buy_x_get_y_is_capped_too_and_its_units_stay_the_promotions() -> None:
    p = program(PROMOS)
    # 3 al 2 öde on 40, 40, 40: one 40 free → at most 25
    lines = [line(1, "S", "40.00", 3, category="Atıştırmalık")]
    ev = evaluate(lines, None, p, day=DAY)
    assert per_line(ev.benefits) == {1: Decimal("25.00")}
    # the "get" unit is still the promotion's (no stamp or reward takes it), but 15 of its 40 are
    # paid: it is not free (it earns supplier-funded points and a stamp)
    assert ev.free_units == {}
    # three groups: the three cheapest units are free (15 on line 2, 20 + 20 on line 1 = 55) → 25,
    # spread 15:40 → 6,82 + 18,18 (kuruş by largest remainder)
    lines = [
        line(1, "A", "20.00", 2, category="Atıştırmalık"),
        line(2, "B", "15.00", 1, category="Atıştırmalık"),
        line(3, "C", "50.00", 6, category="Atıştırmalık"),
    ]
    ev = evaluate(lines, None, p, day=DAY)
    assert per_line(ev.benefits) == {2: Decimal("6.82"), 1: Decimal("18.18")}
    assert ev.free_units == {}  # no unit wholly paid by its line's share (18,18 of 40; 6,82 of 15)


def test_a_percent_coupon_with_a_maximum_discount() -> None:
    p = program("")
    offer = CouponOffer("YUZDE20", "percent", percent=Decimal(20), max_amount=Decimal(200))
    lines = [line(1, "A", "1000.00"), line(2, "B", "500.00")]
    ev = evaluate(lines, None, p, day=DAY, coupons=[offer])
    assert total(ev.benefits, "coupon") == Decimal("200.00")
    assert per_line(ev.benefits) == {1: Decimal("133.33"), 2: Decimal("66.67")}
    small = evaluate([line(1, "A", "100.00")], None, p, day=DAY, coupons=[offer])
    assert total(small.benefits) == Decimal("20.00")
    # without a maximum: 300
    plain = CouponOffer("YUZDE20", "percent", percent=Decimal(20))
    assert total(evaluate(lines, None, p, day=DAY, coupons=[plain]).benefits) == Decimal("300.00")


def test_an_amount_coupon_is_not_touched_by_the_cap() -> None:
    offer = CouponOffer("TUTAR", "amount", amount=Decimal(250), max_amount=Decimal(200))
    ev = evaluate([line(1, "A", "1000.00")], None, program(""), day=DAY, coupons=[offer])
    assert total(ev.benefits) == Decimal("250.00")

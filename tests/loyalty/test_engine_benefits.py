"""The engine's benefits with the brief's numbers: stamp cards (7th coffee free, 10 lenses →
11th free), promotions (buy 2 get 1 on the cheapest, second item 50 %), rewards, the tiers'
monthly benefits and basket discount (3 / 10 / 15 %: 5,000 spent in October → 750 off a 5,000
basket in November), coupons."""

from __future__ import annotations

from decimal import Decimal

import pytest
from engine_support import DAY, by_kind, line, member, per_line, program, total

from pos_tui.core.kernel import ValidationError
from pos_tui.core.loyalty import CouponOffer, StampChange, evaluate

RULES = """
[earning.excluded]
categories = ["Tütün"]

[[tiers]]
code = "kirmizi"
name = "Kırmızı"
min_spend = 0
basket_discount_percent = 3

[[tiers]]
code = "gumus"
name = "Gümüş"
min_spend = 1000
multiplier = 1.5
basket_discount_percent = 10

[[tiers]]
code = "altin"
name = "Altın"
min_spend = 1500
multiplier = 2
basket_discount_percent = 15

[[tiers.monthly_benefits]]
code = "altin-kahve"
label = "Ayda 1 kahve"
products = ["KAHVE"]
quantity = 1

[[stamp_cards]]
code = "kahve"
name = "Kahve kartı"
categories = ["Kahve"]
needed = 6

[[stamp_cards]]
code = "lens"
name = "Lens kartı"
categories = ["Lens"]
needed = 10

[[promotions]]
code = "3al2ode"
name = "3 al 2 öde"
kind = "buy_x_get_y"
buy = 2
get = 1
categories = ["Atıştırmalık"]

[[promotions]]
code = "ikincisi"
name = "İkincisi %50"
kind = "second_item_percent"
percent = 50
categories = ["Kozmetik"]
members_only = true

[[rewards]]
code = "ekmek"
name = "Ekmek hediye"
product = "EKMEK"
points = 10
"""

P = program(RULES)


def coffee(no: int, qty: int = 1, price: str = "30.00", code: str = "LATTE") -> object:
    return line(no, code, price, qty, category="Kahve")


# ---------------------------------------------------------------------------- stamp cards


def test_the_seventh_coffee_is_free() -> None:
    six_on_card = member(stamps={"kahve": 6})
    ev = evaluate([coffee(1)], six_on_card, P, day=DAY)
    assert [(b.kind, b.code, b.amount) for b in ev.benefits] == [("stamp", "kahve", Decimal("30.00"))]
    assert ev.stamps == {"kahve": StampChange(earned=0, spent=6)}

    # 5 on the card, 2 in the basket: the first is the 6th (paid, earns), the second the 7th (free).
    ev = evaluate([coffee(1, 2)], member(stamps={"kahve": 5}), P, day=DAY)
    assert total(ev.benefits, "stamp") == Decimal("30.00")
    assert ev.stamps["kahve"] == StampChange(earned=1, spent=6)
    assert ev.stamps["kahve"].net == -5

    # An empty card and seven coffees in one basket: six paid, the seventh free.
    ev = evaluate([coffee(1, 7)], member(), P, day=DAY)
    assert total(ev.benefits, "stamp") == Decimal("30.00")
    assert ev.stamps["kahve"] == StampChange(earned=6, spent=6)
    assert ev.free_units == {1: 1}


def test_the_free_coffee_is_the_cheapest_one() -> None:
    lines = [coffee(1, price="45.00", code="MOCHA"), coffee(2, price="30.00")]
    ev = evaluate(lines, member(stamps={"kahve": 6}), P, day=DAY)
    assert [(b.line_no, b.amount) for b in ev.benefits] == [(2, Decimal("30.00"))]
    assert ev.stamps["kahve"] == StampChange(earned=1, spent=6)


def test_five_stamps_and_one_coffee_earns_a_stamp_only() -> None:
    ev = evaluate([coffee(1)], member(stamps={"kahve": 5}), P, day=DAY)
    assert ev.benefits == ()
    assert ev.stamps == {"kahve": StampChange(earned=1, spent=0)}


def test_ten_pairs_of_lenses_then_the_eleventh_is_free() -> None:
    lens = line(1, "LENS-AY", "1500.00", category="Lens")
    ev = evaluate([lens], member(stamps={"lens": 10}), P, day=DAY)
    assert total(ev.benefits, "stamp") == Decimal("1500.00")
    assert ev.stamps["lens"] == StampChange(earned=0, spent=10)

    ev = evaluate([line(1, "LENS-AY", "1500.00", 11, category="Lens")], member(), P, day=DAY)
    assert total(ev.benefits, "stamp") == Decimal("1500.00")
    assert ev.stamps["lens"] == StampChange(earned=10, spent=10)

    ev = evaluate([lens], member(stamps={"lens": 9}), P, day=DAY)
    assert ev.benefits == () and ev.stamps["lens"] == StampChange(earned=1, spent=0)


def test_stamps_need_a_member_and_a_negative_card_repays_first() -> None:
    assert evaluate([coffee(1, 7)], None, P, day=DAY).benefits == ()
    # Stamps clawed back after being spent: the card is at -2, so 8 paid coffees bring it to 6.
    ev = evaluate([coffee(1, 9)], member(stamps={"kahve": -2}), P, day=DAY)
    assert ev.stamps["kahve"] == StampChange(earned=8, spent=6)


def test_each_free_stamp_item_is_its_own_benefit_line() -> None:
    ev = evaluate([coffee(1, 14)], member(), P, day=DAY)
    stamps = by_kind(ev.benefits, "stamp")
    assert len(stamps) == 2 and {b.amount for b in stamps} == {Decimal("30.00")}
    assert ev.stamps["kahve"] == StampChange(earned=12, spent=12)
    assert stamps[0].label == "Kahve kartı: free item"


# ---------------------------------------------------------------------------- promotions


def snack(no: int, price: str, qty: int = 1) -> object:
    return line(no, f"S{no}", price, qty, category="Atıştırmalık")


def test_buy_two_get_one_free_on_the_cheapest() -> None:
    ev = evaluate([snack(1, "30.00"), snack(2, "10.00"), snack(3, "20.00")], None, P, day=DAY)
    assert [(b.line_no, b.kind, b.code, b.amount) for b in ev.benefits] == [
        (2, "promotion", "3al2ode", Decimal("10.00"))
    ]
    # Four items: one group of three; the cheapest of the basket is the free one.
    ev = evaluate([snack(1, "30.00"), snack(2, "20.00"), snack(3, "10.00"), snack(4, "5.00")], None, P, day=DAY)
    assert per_line(ev.benefits) == {4: Decimal("5.00")}
    # Six: two free, the two cheapest.
    prices = ["10.00", "9.00", "8.00", "3.00", "2.00", "1.00"]
    ev = evaluate([snack(i, p) for i, p in enumerate(prices, 1)], None, P, day=DAY)
    assert per_line(ev.benefits) == {5: Decimal("2.00"), 6: Decimal("1.00")}


def test_buy_two_get_one_counts_units_across_lines_and_on_one_line() -> None:
    ev = evaluate([snack(1, "12.50", 3)], None, P, day=DAY)
    assert [(b.line_no, b.amount) for b in ev.benefits] == [(1, Decimal("12.50"))]
    ev = evaluate([snack(1, "12.50", 6), snack(2, "40.00", 1)], None, P, day=DAY)
    assert per_line(ev.benefits) == {1: Decimal("25.00")}
    ev = evaluate([snack(1, "12.50", 2)], None, P, day=DAY)
    assert ev.benefits == ()


def test_second_item_half_price_for_members_only() -> None:
    lines = [line(1, "SAMPUAN", "100.00", category="Kozmetik"), line(2, "KREM", "60.00", category="Kozmetik")]
    assert evaluate(lines, None, P, day=DAY).benefits == ()
    ev = evaluate(lines, member(), P, day=DAY)
    assert [(b.line_no, b.code, b.amount, b.label) for b in ev.benefits] == [
        (2, "ikincisi", Decimal("30.00"), "İkincisi %50")
    ]
    # Three items: one pair, the cheapest is half price; five: two pairs.
    three = [*lines, line(3, "SABUN", "20.00", category="Kozmetik")]
    assert per_line(evaluate(three, member(), P, day=DAY).benefits) == {3: Decimal("10.00")}
    five = [line(1, "X", "10.00", 5, category="Kozmetik")]
    assert total(evaluate(five, member(), P, day=DAY).benefits) == Decimal("10.00")


def test_a_promotion_works_only_inside_its_window() -> None:
    rules = """
[[promotions]]
code = "kasim"
name = "Kasım"
kind = "buy_x_get_y"
buy = 1
get = 1
products = ["A"]
valid_from = 2026-11-01
valid_to = 2026-11-30
"""
    p = program(rules)
    lines = [line(1, "A", "10.00", 2)]
    assert total(evaluate(lines, None, p, day=DAY).benefits) == Decimal("10.00")
    assert evaluate(lines, None, p, day=DAY.replace(month=12)).benefits == ()
    assert evaluate(lines, None, p, day=DAY.replace(month=10, day=31)).benefits == ()


def test_units_of_a_promotion_are_not_also_stamp_items() -> None:
    rules = """
[[stamp_cards]]
code = "k"
name = "K"
products = ["A"]
needed = 1

[[promotions]]
code = "p"
name = "P"
kind = "buy_x_get_y"
buy = 1
get = 1
products = ["A"]
"""
    p = program(rules)
    ev = evaluate([line(1, "A", "10.00", 3)], member(stamps={"k": 5}), p, day=DAY)
    # Two units belong to the promotion (one free, one paid: it earns a stamp); the third is
    # the stamp card's free unit.
    assert total(by_kind(ev.benefits, "promotion")) == Decimal("10.00")
    assert total(by_kind(ev.benefits, "stamp")) == Decimal("10.00")
    assert ev.stamps["k"] == StampChange(earned=1, spent=1)
    assert ev.free_units == {1: 2}


def test_weighed_goods_never_become_free_items() -> None:
    cheese = line(1, "PEYNIR", "389.00", unit="kg", qty_milli=3000, category="Atıştırmalık")
    assert evaluate([cheese], member(), P, day=DAY).benefits == ()


# ---------------------------------------------------------------------------- rewards


def test_a_reward_makes_one_unit_free_for_its_points() -> None:
    lines = [line(1, "EKMEK", "10.00", 2), line(2, "SUT", "39.90")]
    ev = evaluate(lines, member(available_points=25), P, day=DAY, rewards=["ekmek"])
    assert [(b.line_no, b.kind, b.code, b.amount, b.points) for b in ev.benefits] == [
        (1, "reward", "ekmek", Decimal("10.00"), 10)
    ]
    assert ev.reward_points == 10
    two = evaluate(lines, member(available_points=25), P, day=DAY, rewards=["ekmek", "ekmek"])
    assert two.reward_points == 20 and total(two.benefits) == Decimal("20.00")


def test_rewards_that_cannot_apply_are_errors_or_problems() -> None:
    lines = [line(1, "EKMEK", "10.00")]
    with pytest.raises(ValidationError, match="cost 10 points; the member has 9 available"):
        evaluate(lines, member(available_points=9), P, day=DAY, rewards=["ekmek"])
    with pytest.raises(ValidationError, match="put product EKMEK in the cart first"):
        evaluate([line(1, "SUT", "39.90")], member(available_points=99), P, day=DAY, rewards=["ekmek"])
    with pytest.raises(ValidationError, match="no reward 'cay'"):
        evaluate(lines, member(available_points=99), P, day=DAY, rewards=["cay"])
    with pytest.raises(ValidationError, match="need a member"):
        evaluate(lines, None, P, day=DAY, rewards=["ekmek"])
    loose = evaluate(lines, member(available_points=9), P, day=DAY, rewards=["ekmek"], strict=False)
    assert loose.benefits == () and loose.reward_points == 0 and len(loose.problems) == 1
    # Only one bread in the cart, two rewards asked: the second cannot find a unit.
    with pytest.raises(ValidationError, match="in the cart first"):
        evaluate(lines, member(available_points=99), P, day=DAY, rewards=["ekmek", "ekmek"])


def test_the_minimum_balance_applies_to_rewards() -> None:
    p = program(RULES + "\n[points]\nmin_balance = 50\n")
    with pytest.raises(ValidationError, match="from a balance of 50; the member has 20"):
        evaluate([line(1, "EKMEK", "10.00")], member(available_points=20), p, day=DAY, rewards=["ekmek"])


# ---------------------------------------------------------------------------- tiers


def test_monthly_tier_discounts_three_ten_fifteen_percent() -> None:
    # 5,000 spent in October puts the member in Altın (from 1,500) for November: 15 %.
    basket = [line(1, "TV", "5000.00")]
    nov = DAY.replace(day=15)
    assert total(evaluate(basket, member("altin"), P, day=nov).benefits, "tier") == Decimal("750.00")
    assert total(evaluate(basket, member("gumus"), P, day=nov).benefits, "tier") == Decimal("500.00")
    assert total(evaluate(basket, member("kirmizi"), P, day=nov).benefits, "tier") == Decimal("150.00")
    assert evaluate(basket, member(None), P, day=nov).benefits == ()
    assert evaluate(basket, None, P, day=nov).benefits == ()
    ev = evaluate(basket, member("altin"), P, day=nov)
    assert [(b.kind, b.code, b.label) for b in ev.benefits] == [("tier", "altin", "Altın discount 15%")]


def test_the_tier_discount_skips_excluded_products_and_follows_line_benefits() -> None:
    basket = [line(1, "TV", "5000.00"), line(2, "SIGARA", "100.00", category="Tütün")]
    ev = evaluate(basket, member("altin"), P, day=DAY)
    assert per_line(ev.benefits) == {1: Decimal("750.00")}
    # After a stamp item the discount is on what is left: 3 coffees, 1 free → 15 % of 60.
    ev = evaluate([coffee(1, 3)], member("altin", stamps={"kahve": 6}), P, day=DAY)
    assert total(ev.benefits, "stamp") == Decimal("30.00")
    assert total(ev.benefits, "tier") == Decimal("9.00")


def test_the_tier_discount_is_split_exactly_over_lines() -> None:
    lines = [line(i, f"P{i}", "33.33") for i in range(1, 4)]
    ev = evaluate(lines, member("kirmizi"), P, day=DAY)
    tier = by_kind(ev.benefits, "tier")
    assert total(tier) == Decimal("3.00")  # 3 % of 99.99, rounded half up once
    assert sorted(b.amount for b in tier) == [Decimal("1.00"), Decimal("1.00"), Decimal("1.00")]


def test_monthly_benefit_free_units_lapse_and_are_counted() -> None:
    lines = [line(1, "KAHVE", "64.90", 2)]
    ev = evaluate(lines, member("altin"), P, day=DAY)
    monthly = [b for b in ev.benefits if b.code == "altin-kahve"]
    assert [(b.kind, b.amount, b.label) for b in monthly] == [("tier", Decimal("64.90"), "Ayda 1 kahve")]
    assert ev.monthly_used == {"altin-kahve": 1}
    used = evaluate(lines, member("altin", monthly_used={"altin-kahve": 1}), P, day=DAY)
    assert [b.code for b in used.benefits] == ["altin"] and used.monthly_used == {}
    assert not any(b.code == "altin-kahve" for b in evaluate(lines, member("gumus"), P, day=DAY).benefits)


# ---------------------------------------------------------------------------- coupons


def test_an_amount_coupon_is_spread_over_the_lines() -> None:
    lines = [line(1, "A", "200.00"), line(2, "B", "100.00"), line(3, "SIGARA", "100.00", category="Tütün")]
    offer = CouponOffer("INDIRIM50", "amount", amount=Decimal("50.00"), min_spend=Decimal("200.00"))
    ev = evaluate(lines, None, P, day=DAY, coupons=[offer])
    assert [(b.line_no, b.kind, b.code, b.amount) for b in ev.benefits] == [
        (1, "coupon", "INDIRIM50", Decimal("33.33")),
        (2, "coupon", "INDIRIM50", Decimal("16.67")),
    ]
    assert ev.benefits[0].label == "Coupon INDIRIM50"


def test_a_percent_coupon_on_one_product_after_the_tier_discount() -> None:
    lines = [line(1, "A", "200.00"), line(2, "B", "100.00")]
    offer = CouponOffer("FAV", "percent", percent=Decimal("10"), product_code="B")
    ev = evaluate(lines, member("gumus"), P, day=DAY, coupons=[offer])
    assert [(b.line_no, b.kind, b.amount) for b in ev.benefits] == [
        (1, "tier", Decimal("20.00")),
        (2, "tier", Decimal("10.00")),
        (2, "coupon", Decimal("9.00")),
    ]


def test_coupons_that_cannot_apply() -> None:
    lines = [line(1, "A", "150.00")]
    needs = CouponOffer("X200", "amount", amount=Decimal("20.00"), min_spend=Decimal("200.00"))
    with pytest.raises(ValidationError, match=r"needs a receipt of at least 200\.00; this one is 150\.00"):
        evaluate(lines, None, P, day=DAY, coupons=[needs])
    # The minimum spend is checked after the earlier benefits: 210 less 15 % is 178.50.
    with pytest.raises(ValidationError, match=r"this one is 178\.50"):
        evaluate([line(1, "A", "210.00")], member("altin"), P, day=DAY, coupons=[needs])
    other = CouponOffer("FAV", "percent", percent=Decimal("10"), product_code="B")
    with pytest.raises(ValidationError, match="for product B, which is not in the cart"):
        evaluate(lines, None, P, day=DAY, coupons=[other])
    loose = evaluate(lines, None, P, day=DAY, coupons=[needs, other], strict=False)
    assert loose.benefits == () and len(loose.problems) == 2


def test_an_amount_coupon_never_gives_more_than_the_lines_cost() -> None:
    offer = CouponOffer("BIG", "amount", amount=Decimal("500.00"))
    ev = evaluate([line(1, "A", "120.00")], None, P, day=DAY, coupons=[offer])
    assert total(ev.benefits) == Decimal("120.00")


def test_benefits_come_in_the_documented_order() -> None:
    lines = [
        snack(1, "10.00", 3),
        coffee(2, 1),
        line(3, "EKMEK", "10.00"),
        line(4, "KAHVE", "64.90"),
        line(5, "TV", "1000.00"),
    ]
    ev = evaluate(
        lines,
        member("altin", stamps={"kahve": 6}, available_points=10),
        P,
        day=DAY,
        rewards=["ekmek"],
        coupons=[CouponOffer("C", "amount", amount=Decimal("5.00"))],
    )
    kinds = [b.kind for b in ev.benefits]
    assert kinds == sorted(kinds, key=["promotion", "stamp", "reward", "tier", "coupon"].index)
    assert next(b.code for b in ev.benefits if b.kind == "tier") == "altin-kahve"
    assert set(kinds) == {"promotion", "stamp", "reward", "tier", "coupon"}


def test_lookup_tables_are_built_once_per_program_object() -> None:
    from pos_tui.core.loyalty import engine

    assert engine._tables(P) is engine._tables(P)
    twin = program(RULES)
    assert twin == P and engine._tables(twin) is not engine._tables(P)
    # Rule matching is remembered per (product, category).
    tables = engine._tables(P)
    assert tables.stamp_match("LATTE", "Kahve") == (0,) and tables.stamp_match("LENS", "Lens") == (1,)
    assert tables.multiplier("SIGARA", "Tütün") is None and tables.multiplier("A", None) == 1

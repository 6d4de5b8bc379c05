"""Points a receipt earns, with the brief's numbers: 1 % so 1 point = 1 TRY back, rounded down
once per receipt; tobacco earns nothing; Silver +50 %; spend 2,000 → 300 bonus (in the
birthday week); 10 supplier-funded points = 5 shop + 5 supplier; points and store credit paid
earn nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from engine_support import DAY, line, member, program, shipped

from pos_tui.core.kernel import ValidationError
from pos_tui.core.loyalty import (
    EngineLine,
    LinePoints,
    SupplierShare,
    after_benefits,
    earning,
    evaluate,
    in_birthday_week,
)

RULES = """
[earning]
percent = 1

[earning.category_multipliers]
"Kişisel Bakım" = 2

[earning.product_multipliers]
"ZEYTINYAGI" = 3
"KREM" = 1

[earning.excluded]
categories = ["Tütün"]
products = ["ALKOL"]

[[supplier_funding]]
product = "CAY"
points = 10
supplier_points = 5

[[bonuses]]
code = "iki-bin"
min_spend = 2000
points = 300

[[bonuses]]
code = "dogum-gunu"
min_spend = 2000
points = 300
birthday_week = true

[[tiers]]
code = "kirmizi"
name = "Kırmızı"
min_spend = 0

[[tiers]]
code = "gumus"
name = "Gümüş"
min_spend = 1000
multiplier = 1.5

[cashback]
percent = 0.5
"""

P = program(RULES)
NO_BONUS = program(RULES.split("[[bonuses]]")[0] + RULES.split("birthday_week = true")[1])


def test_one_percent_so_one_point_is_one_lira_back() -> None:
    result = earning([line(1, "A", "1000.00")], member(), NO_BONUS, day=DAY)
    assert (result.base, result.base_points, result.points) == (Decimal("1000.00"), 10, 10)
    assert result.tier_bonus_points == 0 and result.bonuses == () and result.supplier == ()
    assert result.lines == (LinePoints(1, Decimal("1000.00"), 10, 0),)


def test_fractions_are_rounded_down_once_per_receipt() -> None:
    # Three lines of 99.99: each alone would earn 0 points; the receipt (299.97) earns 2.
    lines = [line(i, f"P{i}", "99.99") for i in (1, 2, 3)]
    result = earning(lines, member(), NO_BONUS, day=DAY)
    assert result.base_points == 2
    assert sum(lp.points for lp in result.lines) == 2
    assert earning([line(1, "A", "199.99")], member(), NO_BONUS, day=DAY).points == 1


def test_tobacco_and_excluded_products_earn_nothing() -> None:
    lines = [line(1, "SIGARA", "1000.00", category="Tütün"), line(2, "ALKOL", "500.00"), line(3, "A", "100.00")]
    result = earning(lines, member(), NO_BONUS, day=DAY)
    assert result.base == Decimal("100.00") and result.points == 1
    assert [lp.points for lp in result.lines] == [0, 0, 1]
    only_tobacco = earning([line(1, "SIGARA", "5000.00", category="Tütün")], member(), P, day=DAY)
    assert only_tobacco.points == 0 and only_tobacco.bonuses == ()


def test_category_and_product_multipliers() -> None:
    lines = [
        line(1, "SAMPUAN", "100.00", category="Kişisel Bakım"),  # ×2 by category
        line(2, "KREM", "100.00", category="Kişisel Bakım"),  # its own ×1 wins over the category
        line(3, "ZEYTINYAGI", "100.00"),  # ×3
    ]
    result = earning(lines, member(), NO_BONUS, day=DAY)
    assert result.base_points == 6
    assert [lp.points for lp in result.lines] == [2, 1, 3]


def test_silver_earns_fifty_percent_more() -> None:
    result = earning([line(1, "A", "1000.00")], member("gumus"), NO_BONUS, day=DAY)
    assert (result.base_points, result.tier_bonus_points, result.points) == (10, 5, 15)
    red = earning([line(1, "A", "1000.00")], member("kirmizi"), NO_BONUS, day=DAY)
    assert (red.base_points, red.tier_bonus_points) == (10, 0)
    # The multiplier applies to the unrounded receipt: 190 TRY → 1.9 → 1 point; ×1.5 → 2.85 → 2.
    odd = earning([line(1, "A", "190.00")], member("gumus"), NO_BONUS, day=DAY)
    assert (odd.base_points, odd.tier_bonus_points) == (1, 1)


def test_spend_two_thousand_earns_a_three_hundred_point_bonus() -> None:
    result = earning([line(1, "A", "2000.00")], member(), P, day=DAY)
    assert result.bonuses == (("iki-bin", 300),)
    assert result.points == 20 + 300 and result.bonus_points == 300
    assert earning([line(1, "A", "1999.99")], member(), P, day=DAY).bonuses == ()
    # Tobacco does not help reach the threshold.
    mixed = [line(1, "A", "1900.00"), line(2, "SIGARA", "200.00", category="Tütün")]
    assert earning(mixed, member(), P, day=DAY).bonuses == ()


def test_the_birthday_week_bonus() -> None:
    birthday = date(1990, 11, 1)
    week = earning([line(1, "A", "2000.00")], member(birth_date=birthday), P, day=DAY.replace(day=7))
    assert dict(week.bonuses) == {"iki-bin": 300, "dogum-gunu": 300}
    after = earning([line(1, "A", "2000.00")], member(birth_date=birthday), P, day=DAY.replace(day=8))
    assert dict(after.bonuses) == {"iki-bin": 300}
    assert dict(earning([line(1, "A", "2000.00")], member(), P, day=DAY).bonuses) == {"iki-bin": 300}


def test_birthday_weeks_across_the_new_year_and_on_leap_days() -> None:
    assert in_birthday_week(date(1985, 12, 29), date(2027, 1, 4))  # 29, 30, 31, 1, 2, 3, 4
    assert not in_birthday_week(date(1985, 12, 29), date(2027, 1, 5))
    assert not in_birthday_week(date(1985, 12, 29), date(2026, 12, 28))
    assert in_birthday_week(date(2000, 2, 29), date(2027, 2, 28))
    assert in_birthday_week(date(2000, 2, 29), date(2028, 2, 29))
    assert not in_birthday_week(None, DAY)


def test_a_threshold_bonus_in_a_window() -> None:
    p = program(
        '[[bonuses]]\ncode = "yilbasi"\nmin_spend = 2000\npoints = 300\n'
        "valid_from = 2026-12-20\nvalid_to = 2026-12-31\n"
    )
    assert earning([line(1, "A", "2000.00")], member(), p, day=date(2026, 12, 31)).bonuses == (("yilbasi", 300),)
    assert earning([line(1, "A", "2000.00")], member(), p, day=date(2027, 1, 1)).bonuses == ()


def test_supplier_funded_points_five_plus_five() -> None:
    result = earning([line(1, "CAY", "254.90", supplier="TED-RCD")], member(), NO_BONUS, day=DAY)
    assert result.supplier == (SupplierShare("CAY", "TED-RCD", 10, 5),)
    assert result.supplier[0].shop_points == 5
    assert result.points == 2 + 10  # 1 % of 254.90 plus the funded 10
    three = earning([line(1, "CAY", "254.90", 3, supplier="TED-RCD")], member("gumus"), NO_BONUS, day=DAY)
    assert three.supplier == (SupplierShare("CAY", "TED-RCD", 30, 15),)
    assert three.lines[0].supplier_points == 30
    assert three.points == three.base_points + three.tier_bonus_points + 30  # no tier multiplier on them


def test_units_given_free_earn_no_supplier_points() -> None:
    p = program(RULES + '\n[[stamp_cards]]\ncode = "cay"\nname = "Çay"\nproducts = ["CAY"]\nneeded = 2\n')
    lines = [line(1, "CAY", "254.90", 3, supplier="TED-RCD")]
    ev = evaluate(lines, member(stamps={"cay": 2}), p, day=DAY)
    assert ev.free_units == {1: 1}
    after = after_benefits(lines, ev)
    assert after[0].amount == Decimal("509.80") and after[0].free_units == 1
    assert earning(after, member(), p, day=DAY).supplier == (SupplierShare("CAY", "TED-RCD", 20, 10),)


def test_points_and_store_credit_paid_earn_nothing() -> None:
    lines = [line(1, "A", "600.00"), line(2, "B", "400.00")]
    result = earning(lines, member(), NO_BONUS, day=DAY, non_earning_paid=Decimal("400.00"))
    assert result.base == Decimal("600.00") and result.points == 6
    assert [lp.base for lp in result.lines] == [Decimal("360.00"), Decimal("240.00")]
    everything = earning(lines, member(), NO_BONUS, day=DAY, non_earning_paid=Decimal("5000.00"))
    assert everything.base == Decimal("0.00") and everything.points == 0
    # The threshold is on what was paid, whatever paid it.
    bonus = earning([line(1, "A", "2000.00")], member(), P, day=DAY, non_earning_paid=Decimal("1000.00"))
    assert bonus.bonuses == (("iki-bin", 300),) and bonus.base_points == 10
    with pytest.raises(ValidationError):
        earning(lines, member(), P, day=DAY, non_earning_paid=Decimal("-1.00"))


def test_cashback_is_a_percentage_of_the_base_rounded_down() -> None:
    result = earning([line(1, "A", "199.99")], member(), P, day=DAY)
    assert result.cashback == Decimal("0.99")
    assert earning([line(1, "A", "199.99")], member(), NO_BONUS, day=DAY).cashback == Decimal("0.99")
    assert earning([line(1, "A", "199.99")], member(), program(""), day=DAY).cashback == Decimal("0.00")


def test_without_a_member_it_is_what_a_new_member_would_earn() -> None:
    result = earning([line(1, "A", "2000.00")], None, P, day=DAY)
    assert result.points == 20 + 300 and result.tier_bonus_points == 0


def test_the_shipped_program_earns_as_documented() -> None:
    p = shipped()
    lines: list[EngineLine] = [
        line(1, "1003", "254.90", category="Temel Gıda", supplier="TED-RCD"),
        line(2, "1901", "95.00", category="Tütün", supplier="TED-TDA"),
        line(3, "1503", "119.90", category="Kişisel Bakım"),
    ]
    result = earning(lines, member("gumus"), p, day=DAY)
    # 254.90 + 2 × 119.90 = 494.70 weighted → 4.947 points → 4; ×1.5 → 7.42 → 7; +10 for the tea.
    assert (result.base_points, result.tier_bonus_points) == (4, 3)
    assert result.supplier == (SupplierShare("1003", "TED-RCD", 10, 5),)
    assert result.points == 17

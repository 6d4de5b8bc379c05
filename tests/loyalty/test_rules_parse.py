"""Parsing and validating rules files: the shipped config/loyalty.toml is a complete program;
a TOML syntax error names the line; every other problem is listed at once with its place; the
canonical form round-trips through JSON and back through TOML."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from engine_support import SHIPPED, shipped
from hypothesis import given, settings
from hypothesis import strategies as st

from pos_tui.core.kernel import ValidationError
from pos_tui.core.loyalty import (
    ExpiryPolicy,
    Program,
    canonical_json,
    digest_of,
    parse_program,
    program_from_dict,
    program_to_dict,
    program_to_toml,
)


def problems(text: str) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        parse_program(text, source="kurallar.toml")
    return caught.value.message.splitlines()[1:]


def test_the_shipped_program_has_every_mechanic() -> None:
    p = shipped()
    assert p.points.value == Decimal(1) and p.points.hold_days == 15
    assert p.points.max_redeem_percent == Decimal(50)
    assert p.points.expiry == ExpiryPolicy.days_after_available(365)
    assert p.earning.percent == Decimal(1)
    assert "Tütün" in p.earning.excluded.categories
    assert p.earning.category_multipliers and p.earning.product_multipliers
    assert [(f.points, f.supplier_points) for f in p.supplier_funding] == [(10, 5)]
    assert [(b.min_spend, b.points, b.birthday_week) for b in p.bonuses] == [(Decimal(2000), 300, True)]
    assert [(t.min_spend, t.basket_discount_percent, t.multiplier) for t in p.tiers] == [
        (Decimal(0), Decimal(3), Decimal(1)),
        (Decimal(1000), Decimal(10), Decimal("1.5")),
        (Decimal(1500), Decimal(15), Decimal(2)),
    ]
    assert p.tier_qualification.window == "previous_month"
    assert all(t.monthly_benefits for t in p.tiers[1:])
    assert {c.code: c.needed for c in p.stamp_cards} == {"kahve": 6, "lens": 10}
    assert {x.kind for x in p.promotions} == {"buy_x_get_y", "second_item_percent"}
    assert p.rewards and p.charities and p.badges
    assert p.referral.enabled and p.referral.referrer_points > 0
    assert p.cashback.percent == 0 and p.paid_memberships == ()  # shipped off; examples commented
    assert p.messages.birthday and p.messages.expiring_days == 30
    text = SHIPPED.read_text(encoding="utf-8")
    assert "# [[paid_memberships]]" in text and "# percent = 0.5" in text


def test_an_empty_file_is_the_default_program() -> None:
    assert parse_program("") == Program()


def test_a_toml_syntax_error_names_the_file_and_line() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_program('name = "x"\n[points]\nvalue = = 1\n', source="config/loyalty.toml")
    assert caught.value.message.startswith("config/loyalty.toml: not valid TOML:")
    assert "line 3" in caught.value.message


def test_every_problem_is_listed_with_its_place() -> None:
    text = """
name = "Test"
colour = "red"

[points]
hold_days = -1
max_redeem_percent = 150

[points.expiry]
kind = "days_after_available"

[earning]
percent = "lots"

[[tiers]]
code = "silver"
name = "Silver"
min_spend = 1000
multiplier = 0.5

[[tiers]]
code = "bronze"
name = "Bronze"
min_spend = 500

[[tiers]]
code = "silver"
name = "Again"
min_spend = 2000

[[stamp_cards]]
code = "kahve"
name = "Kahve"
needed = 0

[[promotions]]
code = "p"
name = "P"
kind = "buy_one_get_many"
products = ["1"]

[[promotions]]
code = "half"
name = "Half"
kind = "second_item_percent"
percent = 50
buy = 2

[[rewards]]
code = "r"
name = "R"
product = ""
points = 10

[[paid_memberships]]
product = "9001"
tier = "vip"

[[bonuses]]
code = "b"
min_spend = 100
points = 0
valid_from = 2026-12-31
valid_to = 2026-12-01

[[supplier_funding]]
product = "CAY"
points = 5
supplier_points = 6
"""
    found = problems(text)
    expected = [
        "kurallar.toml: colour: unknown key",
        "kurallar.toml: [points.expiry] days: days_after_available needs days of at least 1",
        "kurallar.toml: [points] hold_days: must be at least 0, not -1",
        "kurallar.toml: [points] max_redeem_percent: must be between 0 and 100, not 150",
        "kurallar.toml: [earning] percent: must be a number, not 'lots'",
        "kurallar.toml: [supplier_funding[1]] supplier_points: 6 is more than the 5 points in all",
        "kurallar.toml: [bonuses.b] points: must be at least 1, not 0",
        "kurallar.toml: [bonuses.b] valid_to: 2026-12-01 is before valid_from 2026-12-31",
        "kurallar.toml: [tiers.silver] multiplier: must be at least 1, not 0.5",
        "kurallar.toml: [stamp_cards.kahve] needed: must be at least 1, not 0",
        "kurallar.toml: [stamp_cards.kahve] names no products: give products, categories or all_products = true",
        "kurallar.toml: [promotions.p] kind: must be one of buy_x_get_y, second_item_percent, not 'buy_one_get_many'",
        "kurallar.toml: [promotions.half] buy: second_item_percent always pairs two items",
        "kurallar.toml: [promotions.half] names no products: give products, categories or all_products = true",
        "kurallar.toml: [rewards.r] product: must be a non-empty text, not ''",
        "kurallar.toml: [tiers.silver] code: 'silver' is used by another tier or monthly benefit",
        "kurallar.toml: [tiers.bronze] min_spend: must be more than silver's 1000.00 "
        "(list tiers from the lowest spend up)",
        "kurallar.toml: [paid_memberships[1]] tier: no tier 'vip' (tiers: silver, bronze, silver)",
    ]
    for line in expected:
        assert line in found, f"{line!r} not in {found}"
    assert len(found) == len(expected), found


def test_the_head_line_counts_the_problems_and_nothing_is_half_parsed() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_program("[points]\nhold_days = -1\nmin_balance = -5\n", source="x.toml")
    head = caught.value.message.splitlines()[0]
    assert head == "x.toml: 2 problem(s) in the loyalty rules, nothing applied"


def test_types_are_checked() -> None:
    found = problems(
        """
[points]
min_balance = 1.5
[points.expiry]
kind = "end_of_month"
days = 10
[messages]
birthday = "yes"
[[stamp_cards]]
code = "has space"
name = "X"
products = "1005"
needed = 2
[[badges]]
code = "gold"
name = "Gold"
kind = "tier"
tier = "gold"
threshold = 5
[[bonuses]]
code = "b"
min_spend = 100.001
points = 1
valid_from = 2026-01-01T10:00:00
"""
    )
    assert "kurallar.toml: [points] min_balance: must be a whole number, not 1.5" in found
    assert 'kurallar.toml: [points.expiry] days: only used with kind = "days_after_available"' in found
    assert "kurallar.toml: [messages] birthday: must be true or false, not 'yes'" in found
    assert any("[stamp_cards.has space] code: 'has space' is not a valid code" in f for f in found)
    assert "kurallar.toml: [stamp_cards.has space] products: must be a list, not '1005'" in found
    assert "kurallar.toml: [badges.gold] threshold: only used by visits and spend badges" in found
    assert "kurallar.toml: [badges.gold] tier: no tier 'gold' (tiers: none)" in found
    assert "kurallar.toml: [bonuses.b] min_spend: must have at most 2 decimals, not 100.001" in found
    assert any(
        f.startswith("kurallar.toml: [bonuses.b] valid_from: must be a date (YYYY-MM-DD) without a time") for f in found
    )


def test_values_are_read_exactly_and_leniently() -> None:
    p = parse_program(
        """
[earning]
percent = 1.1
[earning.product_multipliers]
1005 = "1,5"
[[stamp_cards]]
code = "k"
name = "K"
products = [1005, "1006"]
needed = "6"
[[promotions]]
code = "x"
name = "X"
kind = "buy_x_get_y"
buy = 2
all_products = true
valid_from = "2026-11-01"
"""
    )
    assert p.earning.percent == Decimal("1.1")  # not 1.100000000000000088817841970012523
    assert p.earning.product_multipliers == {"1005": Decimal("1.5")}
    assert p.stamp_cards[0].scope.products == frozenset({"1005", "1006"}) and p.stamp_cards[0].needed == 6
    assert p.promotions[0].get == 1 and p.promotions[0].scope.all_products
    assert p.promotions[0].window.valid_from == date(2026, 11, 1)


def test_the_canonical_form_round_trips_and_is_stable() -> None:
    p = shipped()
    data = program_to_dict(p)
    assert program_from_dict(json.loads(json.dumps(data))) == p
    assert parse_program(program_to_toml(p, header="regenerated")) == p
    # Two spellings of one program have one digest.
    a = parse_program("[[bonuses]]\ncode='b'\nmin_spend = 2000\npoints = 300\n[earning]\npercent = 1.50\n")
    b = parse_program('[earning]\npercent = "1.5"\n[[bonuses]]\npoints = 300\nmin_spend = "2000.00"\ncode = "b"\n')
    assert canonical_json(a) == canonical_json(b) and digest_of(a) == digest_of(b)
    assert '"min_spend":"2000.00"' in canonical_json(a)


def test_the_documentation_names_every_key_of_the_format() -> None:
    doc = (SHIPPED.parents[1] / "docs" / "loyalty-rules.md").read_text(encoding="utf-8")

    def keys(value: object, prefix: str = "") -> set[str]:
        out: set[str] = set()
        if isinstance(value, dict):
            for k, v in value.items():
                out.add(k)
                out |= keys(v)
        elif isinstance(value, list):
            for item in value:
                out |= keys(item)
        return out

    data = program_to_dict(shipped())
    data["earning"]["excluded"]["products"] = ["x"]
    data["promotions"][0].update(valid_from="2026-01-01", valid_to="2026-02-01", all_products=True)
    named = keys(data) - set(data["earning"]["product_multipliers"]) - set(data["earning"]["category_multipliers"])
    for key in named:
        assert any(form in doc for form in (f"`{key}`", f"[{key}]", f"[[{key}]]", f".{key}]")), key


@settings(max_examples=60, deadline=None)
@given(
    hold=st.integers(-5, 40),
    percent=st.decimals(min_value=-10, max_value=200, places=3, allow_nan=False),
    needed=st.integers(-2, 12),
)
def test_valid_numbers_parse_and_invalid_ones_are_named(hold: int, percent: Decimal, needed: int) -> None:
    text = (
        f"[points]\nhold_days = {hold}\n[earning]\npercent = {percent}\n"
        f'[[stamp_cards]]\ncode = "k"\nname = "K"\nproducts = ["A"]\nneeded = {needed}\n'
    )
    bad_percent = not 0 <= percent <= 100 or percent != percent.quantize(Decimal("0.01"))
    expected = (hold < 0) + bad_percent + (needed < 1)
    if not expected:
        p = parse_program(text)
        assert (p.points.hold_days, p.earning.percent, p.stamp_cards[0].needed) == (hold, percent, needed)
    else:
        found = problems(text)
        assert len(found) == expected, found
        assert all(f.startswith("kurallar.toml: [") for f in found)

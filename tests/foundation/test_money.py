"""Money and quantities are exact: parsing, rounding once per line, allocation that sums exactly."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pos_tui.core.kernel import (
    ValidationError,
    allocate,
    from_kurus,
    line_amount,
    parse_money,
    parse_quantity,
    split_kdv,
    to_kurus,
)
from pos_tui.core.kernel.money import (
    shown_text,
)

kurus = st.integers(min_value=0, max_value=10**10)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12,50", "12.50"),
        ("12.50", "12.50"),
        ("12,5", "12.50"),
        ("1.234,50", "1234.50"),
        ("1,234.50", "1234.50"),
        ("1 234,50", "1234.50"),
        ("1.234.567", "1234567.00"),
        ("0", "0.00"),
        ("-3,10", "-3.10"),
        ("₺ 7,00", "7.00"),
        ("7 TL", "7.00"),
    ],
)
def test_parse_money_accepts_turkish_and_dot_decimals(text: str, expected: str) -> None:
    assert parse_money(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["", "abc", "12,345,6", "1.2.3,4,5", "12,555", "NaN", "1e5", "--1"])
def test_parse_money_rejects_garbage_and_sub_kurus(text: str) -> None:
    with pytest.raises(ValidationError):
        parse_money(text)


def test_parse_quantity_is_milli_units() -> None:
    assert parse_quantity("3") == 3000
    assert parse_quantity("1,5") == 1500
    assert parse_quantity("0.250") == 250
    with pytest.raises(ValidationError, match="more than 3 decimals"):
        parse_quantity("0,2505")


def test_to_kurus_refuses_to_round() -> None:
    assert to_kurus(Decimal("12.34")) == 1234
    with pytest.raises(ValidationError):
        to_kurus(Decimal("12.345"))


@given(kurus)
def test_kurus_round_trip(k: int) -> None:
    assert to_kurus(from_kurus(k)) == k


def test_line_amount_rounds_half_up_once() -> None:
    assert line_amount(Decimal("39.90"), 1255) == Decimal("50.07")  # 50.0745
    assert line_amount(Decimal("0.05"), 500) == Decimal("0.03")  # 0.025 → half up
    assert line_amount(Decimal("10.00"), 3000) == Decimal("30.00")


@given(kurus, st.sampled_from([0, 1, 8, 10, 18, 20]))
def test_split_kdv_sums_exactly(k: int, rate: int) -> None:
    gross = from_kurus(k)
    base, kdv = split_kdv(gross, rate)
    assert base + kdv == gross
    assert kdv >= 0
    assert abs(base * (100 + rate) / 100 - gross) <= Decimal("0.01") * (100 + rate) / 100


def test_split_kdv_known_value() -> None:
    assert split_kdv(Decimal("120.00"), 20) == (Decimal("100.00"), Decimal("20.00"))
    assert split_kdv(Decimal("10.00"), 1) == (Decimal("9.90"), Decimal("0.10"))


@given(st.integers(min_value=-(10**9), max_value=10**9), st.lists(kurus, min_size=1, max_size=30))
def test_allocate_sums_exactly_and_is_proportional(total_k: int, weights_k: list[int]) -> None:
    total = from_kurus(total_k)
    weights = [from_kurus(w) for w in weights_k]
    parts = allocate(total, weights)
    assert sum(parts, Decimal(0)) == total
    wsum = sum(weights_k) or len(weights_k)
    for part, w in zip(parts, weights_k or [1] * len(parts), strict=True):
        share = Decimal(total_k) * (w if sum(weights_k) else 1) / wsum / 100
        assert abs(part - share) < Decimal("0.01")


# Formatting for people (format_money, format_quantity) is tested in test_formatting.py.


@given(st.text(alphabet="0123456789.,-+ ₺TLabc", max_size=20))
def test_parse_money_never_crashes_and_never_rounds(text: str) -> None:
    try:
        value = parse_money(text)
    except ValidationError:
        return
    assert value == value.quantize(Decimal("0.01"))


# --------------------------------------------------------------------------- hostile input (issue 10, section 4)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("9" * 30, "too large"),  # was decimal.InvalidOperation from quantize
        ("9" * 14, "too large"),
        ("9" * 5000, "not a number"),
        ("١٠", "digits other than 0-9"),
        ("１０,５０", "digits other than 0-9"),
        ("1.٢٣٤,50", "digits other than 0-9"),
        ("1e5", "not a number"),
    ],
)
def test_parse_money_refuses_what_no_till_holds(text: str, words: str) -> None:
    with pytest.raises(ValidationError, match=words):
        parse_money(text)


def test_the_largest_amount_and_quantity_still_parse() -> None:
    assert parse_money("9" * 13 + ",99") == Decimal("9" * 13 + ".99")
    assert parse_quantity("9" * 12 + ",999") == int("9" * 12 + "999")
    with pytest.raises(ValidationError, match="too large"):
        parse_quantity("9" * 13)  # was an int past SQLite's INTEGER (OverflowError at the write)


def test_a_shown_text_is_cut_by_what_it_shows() -> None:
    """Found by the test below: forty characters that are shown escaped made a 200-character message."""
    astral = "\U000103d6" * 40
    assert shown_text(astral) == "\U000103d6" * 4 + "…"
    assert len(repr(shown_text("\x1f" * 80))) < 60
    assert shown_text("Gül Lokumu") == "Gül Lokumu"


@given(st.text(max_size=80))
def test_parsers_raise_nothing_but_validation_errors(text: str) -> None:
    for parse in (parse_money, parse_quantity):
        try:
            parse(text)
        except ValidationError as exc:
            assert len(exc.message) < 200


def test_a_typed_amount_with_one_dot_and_three_digits_is_thousands() -> None:
    """A cashier types ``1.500`` for one thousand five hundred lira: an amount has at most two
    decimals, so one dot before three digits can only group thousands (a newcomer was told "at
    most 2 decimals"). Files keep parse_money's reading; a quantity reads 1.500 as one and a half."""
    from pos_tui.core.kernel import parse_money, parse_quantity, parse_typed_money

    assert parse_typed_money("1.500") == Decimal("1500.00")
    assert parse_typed_money(" -12.000 ") == Decimal("-12000.00")
    assert parse_typed_money("1.599,60") == Decimal("1599.60") == parse_money("1.599,60")
    assert parse_typed_money("12.50") == Decimal("12.50")
    assert parse_quantity("1.500") == 1500
    with pytest.raises(ValidationError, match="more than 2 decimals"):
        parse_typed_money("1,000")  # a decimal comma with three decimals stays refused
    with pytest.raises(ValidationError, match="more than 2 decimals"):
        parse_money("1.500")

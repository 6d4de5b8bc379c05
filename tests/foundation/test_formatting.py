"""Numbers for people: exact, in the shop's language, and readable back by the parsers."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pos_tui.core.kernel import (
    MILLI,
    format_decimal,
    format_money,
    format_percent,
    format_quantity,
    from_kurus,
    parse_decimal,
    parse_money,
    parse_quantity,
)
from pos_tui.i18n import set_language

LANGUAGES = st.sampled_from(["tr", "en"])


def test_money_by_language() -> None:
    assert format_money(Decimal("1234.5"), "tr") == "1.234,50"
    assert format_money(Decimal("1234.5"), "en") == "1,234.50"
    assert format_money(Decimal("2441.29"), "tr") == "2.441,29"
    assert format_money(Decimal("2441.29"), "en") == "2,441.29"
    assert format_money(Decimal("1234567.08"), "tr") == "1.234.567,08"
    assert format_money(Decimal("-1234.5"), "tr") == "-1.234,50"
    assert format_money(Decimal("999.99"), "tr") == "999,99"
    assert format_money(7, "tr") == "7,00"


@pytest.mark.parametrize("zero", [Decimal("0"), Decimal("-0.00"), Decimal("0E+3"), 0])
def test_zero_is_never_negative(zero: Decimal) -> None:
    assert format_money(zero, "tr") == "0,00"
    assert format_money(zero, "en") == "0.00"


def test_finer_than_a_kurus_shows_every_digit_instead_of_rounding() -> None:
    assert format_money(Decimal("1.005"), "tr") == "1,005"
    assert format_money(Decimal("1234.5678"), "en") == "1,234.5678"
    assert format_money(Decimal("1E+3"), "tr") == "1.000,00"


def test_not_a_number_is_refused() -> None:
    with pytest.raises(ValueError):
        format_money(Decimal("NaN"))
    with pytest.raises(ValueError):
        format_money(Decimal("Infinity"))


def test_quantities_by_language() -> None:
    assert format_quantity(1500, "kg", language="tr") == "1,5 kg"
    assert format_quantity(1500, "kg", language="en") == "1.5 kg"
    assert format_quantity(5356, language="tr") == "5,356"
    assert format_quantity(3000, "piece", language="tr") == "3"
    assert format_quantity(500, "piece", language="tr") == "0,5"
    assert format_quantity(1234000, language="tr") == "1234"  # never grouped: "1.234" would read as 1,234
    assert format_quantity(2000, "lt", language="en") == "2 lt"


def test_a_column_or_scale_reading_shows_the_gram() -> None:
    assert format_quantity(1500, "kg", places=3, language="tr") == "1,500 kg"
    assert format_quantity(1500, "kg", places=3, language="en") == "1.500 kg"
    assert format_quantity(3000, "piece", places=3, language="tr") == "3"  # pieces are counted


def test_the_unit_is_the_shops_word() -> None:
    set_language("tr")
    assert format_quantity(500, "piece") == "0,5"
    assert format_quantity(250, "m") == "0,25 m"


def test_percentages_put_the_sign_where_the_language_does() -> None:
    assert format_percent(50, "tr") == "%50"
    assert format_percent(50, "en") == "50%"
    assert format_percent(Decimal("12.50"), "tr") == "%12,5"
    assert format_percent(Decimal("12.50"), "en") == "12.5%"
    assert format_percent(Decimal("10.00"), "tr") == "%10"
    assert format_percent(Decimal("-5"), "tr") == "-%5"
    assert format_percent(Decimal("1E+1"), "en") == "10%"


def test_the_default_is_the_shops_language() -> None:
    set_language("tr")
    assert (format_money(Decimal("2441.29")), format_percent(50)) == ("2.441,29", "%50")
    set_language("en")
    assert (format_money(Decimal("2441.29")), format_percent(50)) == ("2,441.29", "50%")


@given(st.integers(min_value=-(10**12), max_value=10**12), LANGUAGES)
def test_formatted_money_parses_back(k: int, language: str) -> None:
    amount = from_kurus(k)
    text = format_money(amount, language)
    assert parse_money(text) == amount
    assert text.count("," if language == "tr" else ".") == 1  # the decimal mark, once


@given(st.integers(min_value=0, max_value=10**10), LANGUAGES)
def test_grouping_is_by_threes(k: int, language: str) -> None:
    mark, thousands = (",", ".") if language == "tr" else (".", ",")
    text = format_money(from_kurus(k), language)
    integer, fraction = text.split(mark)
    groups = integer.split(thousands)
    assert len(fraction) == 2
    assert 1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])
    assert int("".join(groups)) == k // 100


@given(st.decimals(allow_nan=False, allow_infinity=False, places=6, min_value=-(10**9), max_value=10**9), LANGUAGES)
def test_any_decimal_keeps_its_exact_value(value: Decimal, language: str) -> None:
    text = format_decimal(value, places=2, language=language)
    assert parse_decimal(text, 6) == value
    assert len(text.split("," if language == "tr" else ".")[1]) >= 2


@given(st.integers(min_value=1, max_value=99_999 * MILLI), st.sampled_from(["kg", "piece", None]), LANGUAGES)
def test_formatted_quantity_parses_back(qty: int, unit: str | None, language: str) -> None:
    set_language(language)
    text = format_quantity(qty, unit, language=language)
    number = text.removesuffix(" kg")
    assert parse_quantity(number) == qty


def test_a_moment_is_written_the_turkish_way_in_the_shops_zone() -> None:
    from datetime import UTC, datetime

    from pos_tui.core.kernel import format_moment

    assert format_moment(datetime(2026, 12, 6, 7, 43, tzinfo=UTC), "Europe/Istanbul") == "06.12.2026 10:43"

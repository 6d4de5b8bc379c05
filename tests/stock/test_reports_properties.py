"""Properties of the reports' arithmetic: value sharing, the reorder formula, the card's fast
number and time formatting (against the slow, obviously right ways)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pos_tui.core.kernel.clock import iso
from pos_tui.core.stock import reports
from pos_tui.core.stock.reports import card
from pos_tui.core.stock.reports.common import money_text, qty_text, share


@given(st.integers(0, 10**9), st.lists(st.integers(1, 10**7), min_size=1, max_size=8))
def test_shares_add_up_and_follow_the_weights(total: int, weights: list[int]) -> None:
    parts = share(total, weights)
    assert sum(parts) == total and all(p >= 0 for p in parts)
    whole = sum(weights)
    for part, weight in zip(parts, weights, strict=True):
        assert abs(part * whole - total * weight) < whole  # within one kuruş of the exact share


@given(
    st.integers(-(10**7), 10**7),
    st.integers(0, 10**7),
    st.integers(-(10**6), 10**7),
    st.integers(1, 365),
    st.integers(0, 60),
    st.sampled_from(["piece", "kg", "lt", "m"]),
)
def test_the_suggestion_covers_the_lead_time_and_the_minimum(
    on_hand: int, min_stock: int, sold: int, days: int, lead: int, unit: str
) -> None:
    got = reports.reorder_suggestion(
        on_hand=on_hand, min_stock=min_stock, sold=sold, days=days, lead_time=lead, unit=unit
    )
    assert got >= 0
    expected_sales = max(sold, 0) * lead / days  # a float only in the test, as the yardstick
    if got:
        # what is on hand plus the order still holds the minimum once the lead time's sales are gone
        assert on_hand + got - expected_sales >= min_stock - 1e-9
        smallest = 1000 if unit == "piece" else 1
        assert got % smallest == 0
        # and one unit (gram) less would not
        assert on_hand + got - smallest - expected_sales < min_stock
    else:
        assert on_hand - expected_sales >= min_stock - 1e-9


@given(st.integers(-(10**12), 10**12))
def test_fast_numbers_are_the_slow_ones(value: int) -> None:
    assert card._fast_qty(value) == qty_text(value)
    assert card._fast_money(value) == money_text(value)


@pytest.mark.parametrize("tz", ["Europe/Istanbul", "Europe/Berlin", "Asia/Kolkata", "America/St_Johns", "UTC"])
def test_the_card_writes_times_in_the_shop_zone_across_offset_changes(tz: str) -> None:
    fmt = card._Formatter.__new__(card._Formatter)
    fmt.zone = card.zone(tz)
    fmt._offsets = {}
    start = datetime(2026, 3, 27, 22, 7, 5)  # across Europe's spring change (29 March)
    for step in range(0, 4 * 24 * 60, 17):  # every 17 minutes for four days
        moment = start + timedelta(minutes=step, microseconds=step % 3 * 250_000)
        assert fmt.at(str(moment)) == iso(moment.replace(tzinfo=UTC), tz), (tz, moment)
        assert fmt.at(moment) == iso(moment.replace(tzinfo=UTC), tz)  # PostgreSQL hands datetimes
    autumn = datetime(2026, 10, 24, 23, 59, 59)
    for step in range(0, 3 * 24 * 3600, 977):
        moment = autumn + timedelta(seconds=step)
        assert fmt.at(str(moment)) == iso(moment.replace(tzinfo=UTC), tz), (tz, moment)

"""Report periods: the named ones as of a shop day, --from/--to, and the period before."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pos_tui.core.kernel import ValidationError
from pos_tui.core.reports import PERIODS, Period, named_period, resolve_period

SUNDAY = date(2026, 12, 6)


@pytest.mark.parametrize(
    ("name", "first", "last"),
    [
        ("today", date(2026, 12, 6), date(2026, 12, 6)),
        ("yesterday", date(2026, 12, 5), date(2026, 12, 5)),
        ("week", date(2026, 11, 30), date(2026, 12, 6)),
        ("last-week", date(2026, 11, 23), date(2026, 11, 29)),
        ("month", date(2026, 12, 1), date(2026, 12, 6)),
        ("last-month", date(2026, 11, 1), date(2026, 11, 30)),
        ("year", date(2026, 1, 1), date(2026, 12, 6)),
        ("last-year", date(2025, 1, 1), date(2025, 12, 31)),
    ],
)
def test_named_periods_on_a_sunday(name: str, first: date, last: date) -> None:
    assert named_period(name, SUNDAY) == Period(first, last)


def test_every_name_is_known() -> None:
    assert set(PERIODS) == {"today", "yesterday", "week", "last-week", "month", "last-month", "year", "last-year"}
    with pytest.raises(ValidationError, match="fortnight"):
        named_period("fortnight", SUNDAY)


def test_a_monday_week_is_one_day_and_yesterday_crosses_the_year() -> None:
    assert named_period("week", date(2026, 11, 30)) == Period(date(2026, 11, 30), date(2026, 11, 30))
    assert named_period("yesterday", date(2027, 1, 1)) == Period(date(2026, 12, 31), date(2026, 12, 31))
    assert named_period("last-month", date(2026, 3, 31)) == Period(date(2026, 2, 1), date(2026, 2, 28))


def test_from_and_to() -> None:
    assert resolve_period(period=None, first=None, last=None, today=SUNDAY) == Period(SUNDAY, SUNDAY)
    assert resolve_period(period=None, first=date(2026, 12, 1), last=None, today=SUNDAY).last == SUNDAY
    assert resolve_period(period=None, first=None, last=date(2026, 11, 3), today=SUNDAY) == Period(
        date(2026, 11, 3), date(2026, 11, 3)
    )
    with pytest.raises(ValidationError):
        resolve_period(period="week", first=date(2026, 12, 1), last=None, today=SUNDAY)


def test_a_period_that_ends_before_it_starts_or_is_too_long_is_refused() -> None:
    with pytest.raises(ValidationError, match=r"05\.12\.2026"):
        Period(date(2026, 12, 6), date(2026, 12, 5))
    with pytest.raises(ValidationError):
        Period(date(2020, 1, 1), date(2026, 1, 1))


def test_previous_and_year_before() -> None:
    assert Period(date(2026, 12, 1), date(2026, 12, 31)).previous() == Period(date(2026, 11, 1), date(2026, 11, 30))
    assert Period(date(2026, 3, 1), date(2026, 3, 31)).previous() == Period(date(2026, 2, 1), date(2026, 2, 28))
    assert Period(date(2026, 1, 1), date(2026, 12, 31)).previous() == Period(date(2025, 1, 1), date(2025, 12, 31))
    # this week so far (Monday to Wednesday) against last week's Monday to Wednesday
    assert Period(date(2026, 11, 30), date(2026, 12, 2)).previous() == Period(date(2026, 11, 23), date(2026, 11, 25))
    # a month so far against the same days of the month before (31 March: the end of February)
    assert Period(date(2026, 11, 1), date(2026, 11, 15)).previous() == Period(date(2026, 10, 1), date(2026, 10, 15))
    assert Period(date(2026, 3, 1), date(2026, 3, 30)).previous() == Period(date(2026, 2, 1), date(2026, 2, 28))
    # a year so far against the same days of the year before; any other span: as many days before it
    assert Period(date(2026, 1, 1), date(2026, 12, 6)).previous() == Period(date(2025, 1, 1), date(2025, 12, 6))
    assert Period(date(2026, 12, 2), date(2026, 12, 4)).previous() == Period(date(2026, 11, 29), date(2026, 12, 1))
    assert Period(date(2028, 2, 29), date(2028, 2, 29)).year_before() == Period(date(2027, 2, 28), date(2027, 2, 28))


def test_bounds_are_the_local_days_in_utc() -> None:
    start, end = Period(date(2026, 12, 1), date(2026, 12, 2)).bounds("Europe/Istanbul")
    assert start == datetime(2026, 11, 30, 21, tzinfo=UTC)
    assert end == datetime(2026, 12, 2, 21, tzinfo=UTC)


@given(st.dates(min_value=date(2001, 1, 1), max_value=date(2090, 12, 31)), st.integers(0, 400))
def test_previous_ends_the_day_before_and_never_overlaps(first: date, length: int) -> None:
    period = Period(first, first + timedelta(days=length))
    before = period.previous()
    assert before.last < period.first
    assert before.last == period.first - timedelta(days=1) or period.days < 366  # a part of a week, month, year
    assert abs(before.days - period.days) <= 3 or period.first.month == 1  # February; a year so far: leap days


@given(st.dates(min_value=date(2001, 1, 1), max_value=date(2090, 12, 31)), st.sampled_from(PERIODS))
def test_every_named_period_ends_no_later_than_today(today: date, name: str) -> None:
    period = named_period(name, today)
    assert period.first <= period.last <= today

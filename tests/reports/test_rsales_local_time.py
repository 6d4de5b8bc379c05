"""The sales reports group by the shop's local hour and day, whatever its zone: a half-hour
offset, daylight-saving switches, the small hours; and the fast path (grouping by UTC hour in
SQL) gives the same local hours as converting each time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rsales_support import D, Shop, by, make_shop, ring, sell, summary

from pos_tui.core.reports import Period, ReportQuery, run_report
from pos_tui.core.reports.sales_parts import LocalHours
from pos_tui.settings import Settings


@pytest.fixture
def shop(db: object, settings: Settings, now: datetime) -> Shop:
    return make_shop(settings, now)


def _utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def _query(first: date, last: date, tz: str) -> ReportQuery:
    return ReportQuery(Period(first, last), tz, _utc(2026, 12, 1))


def test_a_half_hour_zone_splits_a_utc_hour_in_two_local_hours(shop: Shop) -> None:
    sell(shop.ayse, _utc(2026, 11, 2, 10, 15), ring((shop.bread, 1000)))  # 15:45 in Kolkata
    sell(shop.ayse, _utc(2026, 11, 2, 10, 45), ring((shop.milk, 1000)))  # 16:15
    sell(shop.ayse, _utc(2026, 11, 2, 18, 40), ring((shop.soap, 1000)))  # 00:10 on Tuesday
    q = _query(date(2026, 11, 2), date(2026, 11, 3), "Asia/Kolkata")
    rows = by(run_report("sales-heatmap", q), "weekday")
    assert (rows["Monday"]["h15"], rows["Monday"]["h16"]) == (D("10.00"), D("32.50"))
    assert rows["Tuesday"]["h00"] == D("85.00")
    day = run_report("sales-by-day", q)
    assert day.values("net") == [D("42.50"), D("85.00")]
    assert [r[1] for r in run_report("basket", q).rows] == [2, 1]


def test_daylight_saving_switches_in_berlin(shop: Shop) -> None:
    sell(shop.ayse, _utc(2026, 10, 24, 22, 30), ring((shop.bread, 1000)))  # 00:30 CEST on Sunday 25th
    sell(shop.ayse, _utc(2026, 10, 25, 0, 30), ring((shop.bread, 2000)))  # 02:30 CEST
    sell(shop.ayse, _utc(2026, 10, 25, 1, 30), ring((shop.bread, 4000)))  # 02:30 CET, after the switch back
    sell(shop.ayse, _utc(2026, 3, 29, 1, 30), ring((shop.milk, 1000)))  # 03:30 CEST, spring forward
    autumn = _query(date(2026, 10, 24), date(2026, 10, 25), "Europe/Berlin")
    rows = by(run_report("sales-heatmap", autumn), "weekday")
    assert (rows["Sunday"]["h00"], rows["Sunday"]["h02"], rows["Sunday"]["h01"]) == (D("10.00"), D("60.00"), D("0.00"))
    assert run_report("sales-by-day", autumn).values("net") == [D("0.00"), D("70.00")]
    spring = _query(date(2026, 3, 29), date(2026, 3, 29), "Europe/Berlin")
    assert summary(run_report("sales-heatmap", spring))["busiest"] == "Sunday 03:00–03:59"


def test_istanbul_small_hours_belong_to_the_local_day(shop: Shop) -> None:
    sell(shop.ayse, _utc(2026, 11, 2, 21, 0), ring((shop.bread, 1000)))  # 00:00 on Tuesday 3rd
    sell(shop.ayse, _utc(2026, 11, 2, 20, 59, 59), ring((shop.milk, 1000)))  # 23:59:59 on Monday
    q = _query(date(2026, 11, 2), date(2026, 11, 3), "Europe/Istanbul")
    assert run_report("sales-by-day", q).values("net") == [D("32.50"), D("10.00")]
    rows = by(run_report("sales-heatmap", q), "weekday")
    assert (rows["Monday"]["h23"], rows["Tuesday"]["h00"]) == (D("32.50"), D("10.00"))


ZONES = [
    "Europe/Istanbul",
    "Europe/Berlin",
    "America/New_York",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Australia/Lord_Howe",
    "America/St_Johns",
    "Asia/Tehran",
]


@given(
    tz=st.sampled_from(ZONES),
    moment=st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2032, 12, 31)),
    text=st.booleans(),
)
def test_local_hours_are_each_time_converted(tz: str, moment: datetime, text: bool) -> None:
    exact = moment.replace(tzinfo=UTC).astimezone(ZoneInfo(tz)).replace(minute=0, second=0, microsecond=0)
    hours = LocalHours(tz)
    assert hours(str(moment) if text else moment) == exact
    whole = hours.whole(str(moment)[:13] if text else moment)
    if whole is not None:  # the whole UTC hour is one local hour: its first and last instants agree
        first = moment.replace(minute=0, second=0, microsecond=0)
        for instant in (first, first + timedelta(hours=1) - timedelta(microseconds=1)):
            local = instant.replace(tzinfo=UTC).astimezone(ZoneInfo(tz))
            assert local.replace(minute=0, second=0, microsecond=0) == whole

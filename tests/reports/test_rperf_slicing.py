"""Reports read long periods in slices (pos_tui.core.reports.slicing): the slices cover the period
exactly, and every report gives the same figures whatever the slices' size.

The shop is the issue-17 benchmark's generator (benchmarks/year_shop.py) at a small size: 400
receipts over 75 days with returns, members, points, goods receipts, waste and a count, so every
report has rows to add up.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from rsales_support import at, make_shop, ring, sell, week_of_sales
from rsales_support import query as rsales_query

from benchmarks.year_shop import TZ, ShopSize, build_shop, shop_now
from pos_tui.core.kernel.clock import day_bounds, to_db
from pos_tui.core.reports import CATALOGUE, Period, ReportQuery, run_report, slicing, stock_common
from pos_tui.settings import Settings
from pos_tui.store import close_database, open_database
from pos_tui.store import models as m

SIZE = ShopSize(receipts=400, days=75, products=60, suppliers=4, members=40, customers=4, first_day=date(2025, 9, 20))
ZONES = ("Europe/Istanbul", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "UTC")


@given(
    first=st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
    length=st.integers(min_value=1, max_value=400),
    days=st.integers(min_value=1, max_value=45),
    tz=st.sampled_from(ZONES),
)
@hsettings(max_examples=200, deadline=None)
def test_slices_run_end_to_start_over_the_whole_period(first: date, length: int, days: int, tz: str) -> None:
    period = Period(first, first + timedelta(days=length - 1))
    pieces = slicing.period_slices(period, tz, days)
    start, end = period.bounds(tz)
    assert pieces[0].start == to_db(start) and pieces[-1].end == to_db(end)
    assert pieces[0].first == period.first and pieces[-1].last == period.last
    for before, after in pairwise(pieces):
        assert before.end == after.start  # no gap, no overlap
        assert after.first == before.last + timedelta(days=1)
    for piece in pieces:
        assert piece.start == to_db(day_bounds(piece.first, tz)[0])
        assert (piece.last - piece.first).days < days
    assert len(pieces) == -(-length // days)


def test_a_month_is_one_slice_and_a_year_twelve() -> None:
    assert len(slicing.period_slices(Period(date(2025, 12, 1), date(2025, 12, 31)), TZ)) == 1
    assert len(slicing.period_slices(Period(date(2025, 1, 1), date(2025, 12, 31)), TZ)) == 12


def test_add_up_sums_each_key_over_the_slices_and_reads_null_as_zero() -> None:
    rows = [(7, 2, 100), (8, 1, None), (7, 3, -40), ("x", None, 5)]
    assert slicing.add_up(iter(rows)) == {7: [5, 60], 8: [1, 0], "x": [0, 5]}
    assert slicing.add_up([(1, "a", 2), (1, "a", 3), (1, "b", 4)], keys=2) == {(1, "a"): [5], (1, "b"): [4]}


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("rperf_shop") / "shop.sqlite3"
    build_shop(path, SIZE)
    yield path


@pytest.fixture
def opened(shop: Path) -> Iterator[Path]:
    open_database(shop, create=False)
    yield shop
    close_database()


def test_id_slices_read_every_movement_once(opened: Path) -> None:
    SM = m.StockMovement
    ids = sorted(i for (i,) in SM.select(SM.id).tuples())
    seen = [i for where in slicing.id_slices(SM, 7) for (i,) in SM.select(SM.id).where(where).tuples()]
    assert sorted(seen) == ids and len(seen) == len(set(seen)) > 1000


QUERIES = (
    ("the whole span", Period(SIZE.first_day, SIZE.last_day), None, None),
    ("a month", Period(date(2025, 10, 1), date(2025, 10, 31)), None, None),
    ("a terminal, 50 days", Period(date(2025, 10, 5), date(2025, 11, 23)), "T2", None),
    ("a store, the whole span", Period(SIZE.first_day, SIZE.last_day), None, "S2"),
)


def _every_report(query_args: tuple[str, Period, str | None, str | None]) -> dict[str, object]:
    _label, period, terminal, shop_store = query_args
    query = ReportQuery(period=period, tz=TZ, now=shop_now(SIZE), terminal=terminal, store=shop_store)
    return {entry.name: run_report(entry.name, query).as_json(TZ) for entry in CATALOGUE}


@pytest.mark.parametrize("query_args", QUERIES, ids=[q[0] for q in QUERIES])
def test_every_report_gives_the_same_figures_whatever_the_slices(
    opened: Path, monkeypatch: pytest.MonkeyPatch, query_args: tuple[str, Period, str | None, str | None]
) -> None:
    monkeypatch.setattr(slicing, "SLICE_DAYS", 100_000)  # one slice: the period in one query
    monkeypatch.setattr(slicing, "SLICE_IDS", 10**12)
    whole = _every_report(query_args)
    assert json.loads(json.dumps(whole["margin-by-product"], default=str))["rows"]  # there is something to add
    for days, ids, written_once in ((1, 5, True), (3, 97, True), (7, 1000, False)):
        monkeypatch.setattr(slicing, "SLICE_DAYS", days)
        monkeypatch.setattr(slicing, "SLICE_IDS", ids)
        if not written_once:  # the SQL written by the ORM for each slice, as when the bounds are not found
            monkeypatch.setattr(slicing, "_bound_positions", lambda _params: ([], []))
        sliced = _every_report(query_args)
        for name, doc in whole.items():
            assert sliced[name] == doc, (name, days, ids)


def _the_week_whatever_the_slices(monkeypatch: pytest.MonkeyPatch, settings: Settings, now: datetime) -> None:
    shop = make_shop(settings, now)
    week_of_sales(shop)
    sell(shop.ayse, at(6, 12), ring((shop.milk, 1000), (shop.bread, 1000)))  # Süt and Fırın again, on Friday
    monkeypatch.setattr(slicing, "SLICE_DAYS", 100_000)
    whole = {entry.name: run_report(entry.name, rsales_query()).as_json(TZ) for entry in CATALOGUE}
    monkeypatch.setattr(slicing, "SLICE_DAYS", 1)
    monkeypatch.setattr(slicing, "SLICE_IDS", 2)
    for entry in CATALOGUE:
        assert run_report(entry.name, rsales_query()).as_json(TZ) == whole[entry.name], entry.name
    # the slices' SQL is written once: its stand-in bounds are found among the driver's parameters
    S = m.Sale
    _sql, params = S.select(S.id).where((S.kind == "sale") & (S.at >= slicing._START) & (S.at < slicing._END)).sql()
    assert slicing._bound_positions(params) == ([1], [2])
    # a product sold on several days counts once in its category (Süt: milk Mon, Tue, Wed's return, Fri)
    categories = run_report("sales-by-category", rsales_query())
    assert {row[0]: row[1] for row in categories.rows} == {"Süt": 2, "Fırın": 1, "(no category)": 1}


def test_the_week_s_reports_are_the_same_in_slices_of_a_day(
    db: object, monkeypatch: pytest.MonkeyPatch, settings: Settings, now: datetime
) -> None:
    _the_week_whatever_the_slices(monkeypatch, settings, now)


@pytest.mark.postgres
def test_the_week_s_reports_are_the_same_in_slices_of_a_day_on_postgres(
    pg_db: object, monkeypatch: pytest.MonkeyPatch, settings: Settings, now: datetime
) -> None:
    _the_week_whatever_the_slices(monkeypatch, settings, now)


@pytest.mark.parametrize("end", [date(2025, 9, 25), date(2025, 10, 31), date(2025, 11, 20), date(2025, 12, 2)])
def test_stock_at_a_past_end_is_the_same_from_the_start_or_back_from_the_caches(
    opened: Path, monkeypatch: pytest.MonkeyPatch, end: date
) -> None:
    at = day_bounds(end, TZ)[1]
    found = {}
    for nearer in (True, False):
        monkeypatch.setattr(stock_common, "_nearer_the_start", lambda _at, nearer=nearer: nearer)
        for places in (None, frozenset({1}), frozenset({2})):
            found[(nearer, places)] = stock_common.stock_at(places, at)
    for places in (None, frozenset({1}), frozenset({2})):
        assert found[(True, places)] == found[(False, places)]
        assert found[(True, places)].held  # something in stock
    # each way sees the movements since: they changed the stock (the caches are not the answer)
    assert stock_common.stock_at(None, at) != stock_common.stock_at(None, None)


def test_the_movements_before_an_end_are_read_when_fewer_than_those_after(opened: Path) -> None:
    assert stock_common._nearer_the_start(day_bounds(date(2025, 10, 1), TZ)[0])
    assert not stock_common._nearer_the_start(day_bounds(date(2025, 11, 20), TZ)[0])

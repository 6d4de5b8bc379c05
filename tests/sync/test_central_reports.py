"""The centre's reports (pos_tui.core.sync.reports) over the shop of central_support.chain_data:
every figure worked out by hand in the support module's docstring."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from central_support import DAY, TZ, Centre, chain_data
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from peewee import Database

from pos_tui.core import sync
from pos_tui.core.kernel.clock import day_bounds
from pos_tui.core.kernel.errors import ValidationError

pytestmark = pytest.mark.postgres

D = Decimal


@pytest.fixture
def centre(db: Database, central_url: str) -> Iterator[Centre]:
    """The shop's data at a fresh centre (``db``, this process's SQLite, keeps the store's proxy
    bound to a file that outlives each test's central database)."""
    central = sync.open_central(central_url)
    central.connect()
    try:
        yield chain_data(central)
    finally:
        central.close()


def _day(day: date = date(2026, 12, 6)) -> dict[str, object]:
    start, end = day_bounds(day, TZ)
    return {"start": start, "end": end}


def test_sales_per_terminal_store_and_in_all(centre: Centre) -> None:
    report = sync.central_sales(centre.db, **_day())
    rows = {(r.store, r.terminal): r.totals for r in report.terminals}
    assert list(rows) == [("S1", "T1"), ("S1", "T2"), ("S2", "T3")]
    t1, t2, t3 = rows[("S1", "T1")], rows[("S1", "T2")], rows[("S2", "T3")]
    assert (t1.sales_count, t1.returns_count, t1.gross, t1.returns, t1.discount, t1.net) == (
        3, 0, D("59.00"), D("0"), D("1.00"), D("59.00"),
    )  # fmt: skip
    assert t1.by_payment == {"card": D("30.00"), "cash": D("29.00")}
    assert {r: (k.base, k.kdv) for r, k in t1.by_kdv.items()} == {
        1: (D("9.90"), D("0.10")),
        20: (D("40.83"), D("8.17")),
    }
    assert (t2.sales_count, t2.returns_count, t2.gross, t2.returns, t2.net) == (1, 1, D("40"), D("10"), D("30"))
    assert t2.by_payment == {"card": D("40.00"), "cash": D("-10.00")}
    assert {r: (k.base, k.kdv) for r, k in t2.by_kdv.items()} == {20: (D("25.00"), D("5.00"))}
    assert (t3.gross, t3.discount, t3.by_payment) == (D("48.00"), D("2.00"), {"cash": D("48.00")})
    stores = {r.store: r.totals for r in report.stores}
    assert (stores["S1"].sales_count, stores["S1"].returns_count, stores["S1"].net) == (4, 1, D("89.00"))
    assert stores["S1"].by_payment == {"card": D("70.00"), "cash": D("19.00")}
    assert stores["S2"].net == D("48.00")
    total = report.totals
    assert (total.sales_count, total.returns_count, total.gross, total.returns, total.discount, total.net) == (
        5, 1, D("147.00"), D("10.00"), D("3.00"), D("137.00"),
    )  # fmt: skip
    assert total.by_payment == {"card": D("70.00"), "cash": D("67.00")}
    assert {r: (k.base, k.kdv) for r, k in total.by_kdv.items()} == {
        1: (D("9.90"), D("0.10")),
        10: (D("43.64"), D("4.36")),
        20: (D("65.83"), D("13.17")),
    }
    # the whole KDV-inclusive turnover is split into base and KDV to the kuruş
    assert sum(k.base + k.kdv for k in total.by_kdv.values()) == total.net
    as_json = report.as_json(TZ)
    assert as_json["totals"]["net"] == "137.00"
    assert as_json["terminals"][0] == {
        "store": "S1",
        "terminal": "T1",
        "from": "2026-12-06T12:00:00+03:00",
        "to": "2026-12-06T15:00:00+03:00",
        "sales_count": 3,
        "returns_count": 0,
        "gross": "59.00",
        "returns": "0.00",
        "discount": "1.00",
        "net": "59.00",
        "by_payment": {"card": "30.00", "cash": "29.00"},
        "by_kdv": {"1": {"base": "9.90", "kdv": "0.10"}, "20": {"base": "40.83", "kdv": "8.17"}},
    }
    assert as_json["period"] == {"from": "2026-12-06T00:00:00+03:00", "to": "2026-12-07T00:00:00+03:00"}


def test_sales_filters_by_store_terminal_and_period(centre: Centre) -> None:
    only_s2 = sync.central_sales(centre.db, store="s2", **_day())
    assert [(r.store, r.terminal) for r in only_s2.terminals] == [("S2", "T3")]
    assert only_s2.totals.net == D("48.00")
    only_t2 = sync.central_sales(centre.db, terminal="T2", **_day())
    assert only_t2.totals.net == D("30.00")
    two_days = sync.central_sales(centre.db, start=_day()["start"], end=_day(date(2026, 12, 7))["end"])  # type: ignore[arg-type]
    assert two_days.totals.net == D("147.00")
    nothing = sync.central_sales(centre.db, **_day(date(2026, 12, 1)))
    assert (nothing.terminals, nothing.totals.count, nothing.totals.net) == ([], 0, D("0"))
    with pytest.raises(ValidationError, match="before it starts"):
        sync.central_sales(centre.db, start=DAY, end=DAY - timedelta(days=1))


def test_z_reports_received(centre: Centre) -> None:
    report = sync.central_z(centre.db)
    assert [(r.terminal, r.z_no, r.seq) for r in report.rows] == [("T1", 1, 3)]
    z = report.rows[0]
    assert (z.totals.sales_count, z.totals.gross, z.totals.net, z.grand_total, z.user) == (
        2, D("54.00"), D("54.00"), D("54.00"), "mehmet",
    )  # fmt: skip
    assert z.totals.by_payment == {"card": D("30.00"), "cash": D("24.00")}
    assert z.at is not None and z.at == DAY + timedelta(hours=2)
    assert report.missing == {}
    row = report.as_json(TZ)["z"][0]
    assert (row["z_no"], row["grand_total"], row["discount"], row["at"]) == (
        1,
        "54.00",
        None,
        "2026-12-06T14:00:00+03:00",
    )
    # T1's next Z arrives, then Z 4 (2 and 3 are still on their way)
    centre.z("T1", DAY + timedelta(hours=4))
    centre.terminals["T1"].z_no = 3
    centre.z("T1", DAY + timedelta(hours=5))
    again = sync.central_z(centre.db, store="S1")
    assert [(r.z_no, r.grand_total) for r in again.rows] == [(1, D("54.00")), (2, D("69.00")), (4, D("69.00"))]
    assert again.missing == {"T1": [3]}
    assert sync.central_z(centre.db, store="S2").rows == []
    later = sync.central_z(centre.db, start=DAY + timedelta(hours=3))
    assert [r.z_no for r in later.rows] == [2, 4]


def test_x_is_what_was_received_since_each_terminals_last_z(centre: Centre) -> None:
    report = sync.central_x(centre.db, now=DAY + timedelta(days=2))
    rows = {r.terminal: r for r in report.terminals}
    t1 = rows["T1"]
    assert (t1.z_no, t1.last_z_seq, t1.last_seq, t1.totals.sales_count, t1.totals.net) == (2, 3, 5, 2, D("15.00"))
    assert (t1.previous_grand_total, t1.grand_total) == (D("54.00"), D("69.00"))
    t2 = rows["T2"]
    assert (t2.z_no, t2.last_z_seq, t2.totals.net, t2.grand_total) == (1, 0, D("30.00"), D("30.00"))
    assert rows["T3"].totals.net == D("48.00")
    assert {s.store: s.totals.net for s in report.stores} == {"S1": D("45.00"), "S2": D("48.00")}
    assert report.totals.net == D("93.00")
    # a Z on T2 empties its X; a terminal with nothing since its Z still shows (a zero row)
    centre.z("T2", DAY + timedelta(hours=5))
    only = sync.central_x(centre.db, now=DAY, terminal="T2")
    assert [(r.terminal, r.z_no, r.totals.count, r.grand_total) for r in only.terminals] == [("T2", 2, 0, D("30.00"))]
    as_json = sync.central_x(centre.db, now=DAY, store="S1").as_json(TZ)
    assert [t["terminal"] for t in as_json["terminals"]] == ["T1", "T2"]
    assert as_json["terminals"][0]["grand_total"] == "69.00"


def test_loyalty_per_terminal_store_and_top_members(centre: Centre) -> None:
    report = sync.central_loyalty(centre.db, **_day())
    rows = {r.terminal: r.figures for r in report.terminals}
    assert rows["T1"].as_json() == {
        "earned": 24, "redeemed": 0, "expired": 0, "other": 0, "net": 24, "active_members": 1,
    }  # fmt: skip
    assert rows["T2"].as_json() == {
        "earned": 40, "redeemed": 5, "expired": 0, "other": -10, "net": 25, "active_members": 2,
    }  # fmt: skip
    assert rows["T3"].as_json() == {
        "earned": 48, "redeemed": 0, "expired": 7, "other": 0, "net": 41, "active_members": 2,
    }  # fmt: skip
    stores = {r.store: r.figures for r in report.stores}
    assert (stores["S1"].earned, stores["S1"].active_members) == (64, 2)
    assert (stores["S2"].expired, stores["S2"].active_members) == (7, 2)
    assert report.totals.as_json() == {
        "earned": 112, "redeemed": 5, "expired": 7, "other": -10, "net": 90, "active_members": 3,
    }  # fmt: skip
    assert [(m.card, m.balance, m.earned) for m in report.top] == [("M1", 67, 72), ("M2", 30, 40), ("M3", -7, 0)]
    s2 = sync.central_loyalty(centre.db, store="S2", top=1, **_day())
    assert [r.terminal for r in s2.terminals] == ["T3"]
    assert [(m.card, m.balance, m.earned) for m in s2.top] == [("M1", 67, 48)]
    assert s2.totals.active_members == 2


def test_stock_per_product_and_location(centre: Centre) -> None:
    rows = [(r.store, r.location, r.code, r.qty, r.movements) for r in sync.central_stock(centre.db)]
    assert rows == [
        ("S1", "MAGAZA", "1001", D("-9"), 5),
        ("S1", "MAGAZA", "1002", D("-2"), 2),
        ("S2", "DEPO2", "1001", D("10"), 1),
        ("S2", "DEPO2", "1003", D("-1"), 1),
    ]
    assert [r.code for r in sync.central_stock(centre.db, location="depo2")] == ["1001", "1003"]
    assert [r.location for r in sync.central_stock(centre.db, store="S1")] == ["MAGAZA", "MAGAZA"]
    assert sync.central_stock(centre.db, store="S9") == []


def test_terminals_high_water_and_waiting_gap(centre: Centre) -> None:
    states = {t.terminal: t for t in sync.central_terminals(centre.db)}
    assert [(t.store, t.high_water, t.last_seq, t.documents, t.missing, t.waiting) for t in states.values()] == [
        ("S1", 5, 5, 5, [], 0),
        ("S1", 3, 3, 3, [], 0),
        ("S2", 3, 3, 3, [], 0),
    ]
    # T3 sends seq 5 and 6 while seq 4 is still on its way
    lost = centre.sale("T3", DAY + timedelta(hours=3), [("1003", 1, "50.00", 10, "0")], [("cash", "50.00")], push=False)
    centre.stock("T3", DAY + timedelta(hours=4), "1003", "DEPO2", 1000)
    centre.stock("T3", DAY + timedelta(hours=5), "1003", "DEPO2", 1000)
    t3 = sync.central_terminals(centre.db, store="S2")[0]
    assert (t3.high_water, t3.last_seq, t3.documents, t3.missing, t3.waiting) == (3, 6, 5, [4], 2)
    centre.insert(lost, DAY + timedelta(hours=3))
    t3 = sync.central_terminals(centre.db, store="S2")[0]
    assert (t3.high_water, t3.missing, t3.waiting) == (6, [], 0)
    assert t3.as_json(TZ)["high_water"] == 6


def test_reports_refuse_a_terminal_database(db: Database) -> None:
    from pos_tui.store import database

    with pytest.raises(sync.NotCentral, match="central"):
        sync.central_sales(database.obj, **_day())


_LINE = st.tuples(
    st.sampled_from(["1001", "1002", "1003"]),
    st.integers(1, 5),
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999.99"), places=2).map(str),
    st.sampled_from([1, 10, 20]),
)
_SALE = st.tuples(
    st.sampled_from(["A", "B", "C"]),  # terminal (A, B in store S1; C in S2)
    st.lists(_LINE, min_size=1, max_size=4),
    st.booleans(),  # a return
    st.integers(0, 100),  # percent of the total paid by card
)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sales=st.lists(_SALE, min_size=1, max_size=8))
def test_sales_add_up_whatever_was_sold(centre: Centre, sales: list[Any]) -> None:
    """Random sales and returns on three fresh terminals: each terminal's figures are the sum of
    its documents, payments and KDV add up to its net, stores and the total add up their parts."""
    run = uuid.uuid4().hex[:6]
    names = {t: f"{t}{run}" for t in "ABC"}
    for t, name in names.items():
        centre.join(name, "S2" if t == "C" else "S1")
    expected: dict[str, list[Decimal]] = {name: [D(0), D(0), D(0), D(0)] for name in names.values()}
    for t, lines, is_return, card_percent in sales:
        total = sum((D(price) * qty for _code, qty, price, _rate in lines), D(0))
        card = (total * card_percent / 100).quantize(D("0.01"))
        pays = [(m, str(a)) for m, a in (("card", card), ("cash", total - card)) if a]
        kind = "return" if is_return else "sale"
        centre.sale(names[t], DAY, [(c, q, p, r, "0") for c, q, p, r in lines], pays, kind=kind)
        acc = expected[names[t]]
        acc[1 if is_return else 0] += total
        acc[2] += -card if is_return else card
        acc[3] += 1
    report = sync.central_sales(centre.db, **_day())
    rows = {r.terminal: r.totals for r in report.terminals if r.terminal in expected}
    for name, (gross, back, card, count) in expected.items():
        if not count:
            assert name not in rows
            continue
        t = rows[name]
        assert (t.gross, t.returns, t.net, t.count) == (gross, back, gross - back, count)
        assert t.by_payment.get("card", D(0)) == card
        assert sum(t.by_payment.values(), D(0)) == t.net
        assert sum((k.base + k.kdv for k in t.by_kdv.values()), D(0)) == t.net
    assert report.totals.net == sum((r.totals.net for r in report.terminals), D(0))
    assert report.totals.net == sum((s.totals.net for s in report.stores), D(0))
    assert report.totals.by_payment == {k: v for k, v in _merged([s.totals.by_payment for s in report.stores]).items()}


def _merged(maps: list[dict[str, Decimal]]) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for one in maps:
        for k, v in one.items():
            out[k] = out.get(k, D(0)) + v
    return dict(sorted(out.items()))

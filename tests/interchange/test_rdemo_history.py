"""The demo shop's sales history (pos_tui/core/interchange/demo_history.py): eight weeks of receipts
on T2 before ``now``'s day, posted through the engine, once, the same for the same ``now``."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from pos_tui.core.basket import Cart, PaymentInput
from pos_tui.core.cash import x_preview
from pos_tui.core.catalog.products import ProductInfo, get_product
from pos_tui.core.interchange import DEMO_POINTS, FIXTURES, import_products, load_demo
from pos_tui.core.interchange.demo_history import HISTORY_DAYS, _plan_day, history_terminal
from pos_tui.core.kernel import from_db, local
from pos_tui.core.kernel.clock import shop_day, zone
from pos_tui.core.reports import Period, ReportQuery, run_report
from pos_tui.core.staff import users as staff
from pos_tui.core.till.documents import sale_documents
from pos_tui.core.till.posting import post_cart
from pos_tui.settings import Settings
from pos_tui.store import close_database, open_database
from pos_tui.store import models as m


def _window(now: datetime, tz: str) -> tuple[date, date]:
    today = shop_day(now, tz)
    return today - timedelta(days=HISTORY_DAYS), today - timedelta(days=1)


def _counts() -> tuple[int, ...]:
    return (
        m.Sale.select().count(),
        m.SaleLine.select().count(),
        m.ZClosure.select().count(),
        m.Payment.select().count(),
        m.StockDocument.select().count(),
        m.StockMovement.select().where(m.StockMovement.kind.in_(["sale", "return", "adjust"])).count(),
        m.PointsEntry.select().count(),
        m.JournalEntry.select().where(m.JournalEntry.kind.in_(["sale", "return", "z"])).count(),
    )


def test_the_demo_has_eight_weeks_of_sales_on_t2(db: object, settings: Settings, now: datetime) -> None:
    tz = settings.shop.timezone
    first_day, last_day = _window(now, tz)
    report = load_demo(settings, now)
    sales = list(m.Sale.select().order_by(m.Sale.id))
    assert report.sales_history == len(sales) and f"Past receipts and returns: {len(sales)}" in str(report)
    kinds = Counter(s.kind for s in sales)
    return_days = [first_day + timedelta(days=n) for n in range(1, HISTORY_DAYS)]  # not the first: no day before
    assert 300 <= kinds["sale"] <= 700 and kinds["return"] == sum(d.toordinal() % 8 == 0 for d in return_days) >= 6
    assert {s.terminal for s in sales} == {"T2"} and {s.source for s in sales} == {"import"}
    # past days only (never now's day), shop hours, every day of the window
    days: dict[date, int] = Counter()
    for s in sales:
        at = local(from_db(s.at), tz)
        assert first_day <= at.date() <= last_day and 8 <= at.hour < 21, at
        days[at.date()] += s.kind == "sale"
    assert sorted(days) == [first_day + timedelta(days=n) for n in range(HISTORY_DAYS)]
    assert all(3 <= n <= 15 for n in days.values())
    # both cashiers; cash, card and split payments; weighed lines; members' receipts
    assert {s.cashier.name for s in sales} == {"ayse", "mehmet"}
    methods: dict[int, set[str]] = defaultdict(set)
    for p in m.Payment.select().join(m.Sale).where(m.Sale.kind == "sale"):
        methods[p.sale_id].add(p.method)
    assert Counter(frozenset(v) for v in methods.values()).keys() >= {
        frozenset({"cash"}),
        frozenset({"card"}),
        frozenset({"cash", "card"}),
    }
    assert m.SaleLine.select().join(m.Product).where(m.Product.unit == "kg").count() > 100
    members = Counter(s.member_id for s in sales if s.member_id is not None)
    assert len(members) >= 4 and sum(members.values()) >= 15
    assert m.PointsEntry.select().where(m.PointsEntry.kind != "adjust").count() > 0  # they earned points
    # every return is of a receipt of the day before, on T2
    for r in (s for s in sales if s.kind == "return"):
        original = r.return_of
        assert local(from_db(original.at), tz).date() == local(from_db(r.at), tz).date() - timedelta(days=1)

    # a Z on T2 after closing every day; this terminal's X is still empty
    zs = list(m.ZClosure.select().order_by(m.ZClosure.z_no))
    assert [z.z_no for z in zs] == list(range(1, HISTORY_DAYS + 1)) and {z.terminal for z in zs} == {"T2"}
    assert [local(from_db(z.at), tz).date() for z in zs] == sorted(days)
    assert all(z.sales_count > 0 for z in zs)
    assert zs[-1].last_sale_id == sales[-1].id  # nothing on T2 waits for a Z
    assert x_preview(settings.terminal_id, now=now).totals.count == 0
    assert history_terminal(settings) == "T2" and history_terminal(replace(settings, terminal_id="T2")) == "T3"

    # the stock card never goes below zero: what the history sells came in as opening stock first
    balance: dict[int, int] = defaultdict(int)
    for product, qty in (
        m.StockMovement.select(m.StockMovement.product, m.StockMovement.qty)
        .order_by(m.StockMovement.at, m.StockMovement.id)
        .tuples()
    ):
        balance[product] += qty
        assert balance[product] >= 0, product
    assert all(p.stock > 0 for p in m.Product.select())
    opening = m.StockDocument.select().where(m.StockDocument.reason == "opening")
    assert opening.count() > 40 and all(local(from_db(d.at), tz).date() == first_day for d in opening)

    # the reports over it: figures, and the same totals by day, by cashier and on the Zs
    query = ReportQuery(Period(first_day, last_day), tz, now)
    by_day, by_cashier = run_report("sales-by-day", query), run_report("sales-by-cashier", query)
    assert by_day.totals is not None and by_cashier.totals is not None
    day_totals = dict(zip((c.key for c in by_day.columns), by_day.totals, strict=True))
    cashier_totals = dict(zip((c.key for c in by_cashier.columns), by_cashier.totals, strict=True))
    net = Decimal(sum(z.net for z in zs)) / 100
    assert day_totals["net"] == cashier_totals["net"] == net > Decimal("50000")
    assert (day_totals["receipts"], day_totals["returns"]) == (kinds["sale"], kinds["return"])
    assert (cashier_totals["receipts"], cashier_totals["returns"]) == (kinds["sale"], kinds["return"])
    heat = run_report("sales-heatmap", query)
    weekday_net = {row[0]: sum(v for v in row[1:] if isinstance(v, Decimal)) for row in heat.rows}
    assert max(weekday_net.values()) == weekday_net[heat.rows[5][0]]  # Saturday is the busiest day
    margin = {f.key: f.value for f in run_report("margin-by-product", query).summary}
    assert isinstance(margin["margin"], Decimal) and margin["margin"] > 0
    loyalty = {f.key: f.value for f in run_report("loyalty-members", query).summary}
    assert loyalty["member_receipts"] == sum(members.values())

    # a second load changes nothing of it (it puts the stock levels back to the file's: import movements)
    before = _counts()
    again = load_demo(settings, now)
    assert again.sales_history == 0 and _counts() == before


def _fingerprint(settings: Settings, path: Path, now: datetime) -> str:
    open_database(path)
    try:
        load_demo(replace(settings, db_url=str(path)), now)
        ids = [sale_id for (sale_id,) in m.Sale.select(m.Sale.id).order_by(m.Sale.id).tuples()]
        docs = sale_documents(ids, settings.shop.timezone)
        zs = list(m.ZClosure.select(m.ZClosure.z_no, m.ZClosure.at, m.ZClosure.net, m.ZClosure.grand_total).tuples())
        points = list(
            m.PointsEntry.select(m.PointsEntry.member, m.PointsEntry.points).order_by(m.PointsEntry.id).tuples()
        )
        return json.dumps({"docs": docs, "z": zs, "points": points}, default=str, sort_keys=True)
    finally:
        close_database()


def test_the_same_now_gives_the_same_history(settings: Settings, tmp_path: Path, now: datetime) -> None:
    first = _fingerprint(settings, tmp_path / "one.sqlite3", now)
    assert first == _fingerprint(settings, tmp_path / "two.sqlite3", now)
    assert '"demo-' in first
    later = _fingerprint(settings, tmp_path / "three.sqlite3", now + timedelta(days=7))
    assert later != first  # a week later, the window moved on


def test_a_database_with_sales_keeps_its_own(db: object, settings: Settings, now: datetime) -> None:
    import_products(FIXTURES / "demo_products.csv", now=now, settings=settings)
    staff.add_user("kasa", "cashier", "4826", now=now, settings=settings)
    bread = get_product("50")
    cart = Cart().add_product(bread, 2000)
    post_cart(
        cart,
        [PaymentInput("cash", Decimal("20.00"))],
        terminal="T1",
        cashier_id=staff.actor_by_name("kasa", settings=settings).user_id,
        now=now - timedelta(hours=1),
    )
    report = load_demo(settings, now)
    assert report.sales_history == 0 and m.Sale.select().count() == 1 and m.ZClosure.select().count() == 0
    assert report.members_given_points == len(DEMO_POINTS)  # the members still get their points


def _products() -> list[ProductInfo]:
    rows = [line.split(",") for line in (FIXTURES / "demo_products.csv").read_text(encoding="utf-8").splitlines()[1:]]
    return [
        ProductInfo(n, r[0], r[0], r[3], Decimal("1"), Decimal("1"), 1, None, None, 0, 0, True, ())
        for n, r in enumerate(rows, start=1)
        if r and r[0].isdigit()
    ]


PRODUCTS = _products()


@hsettings(max_examples=60, deadline=None)
@given(st.dates(min_value=date(2016, 1, 1), max_value=date(2040, 12, 31)))
def test_a_days_plan_is_a_shop_day(day: date) -> None:
    """Any day: 3 to 15 receipts in its shop hours, in order, 1 to 5 products each (none twice),
    weighed ones in grams, unique ids; and the same day is planned the same way twice."""
    tz = "Europe/Istanbul"
    plan = _plan_day(day, tz, PRODUCTS, [1] * len(PRODUCTS))
    opens, closes = (10, 19) if day.weekday() == 6 else (8, 21)
    assert 3 <= len(plan.receipts) <= 15
    assert [r.at for r in plan.receipts] == sorted(r.at for r in plan.receipts)
    units = {p.code: p.unit for p in PRODUCTS}
    for r in plan.receipts:
        assert r.at.date() == day and opens <= r.at.hour < closes and r.at.tzinfo == zone(tz)
        assert 1 <= len(r.lines) <= 5 and len({code for code, _q in r.lines}) == len(r.lines)
        for code, qty in r.lines:
            assert qty > 0 and (units[code] == "kg" or qty % 1000 == 0)
        assert r.cashier in ("ayse", "mehmet") and r.paid in ("cash", "card", "split")
    assert len({r.uid for r in plan.receipts}) == len(plan.receipts)
    assert plan.close.hour == closes and (plan.returned is None) == (day.toordinal() % 8 != 0)
    again = _plan_day(day, tz, PRODUCTS, [1] * len(PRODUCTS))
    assert [(r.uid, r.at, r.lines, r.member) for r in again.receipts] == [
        (r.uid, r.at, r.lines, r.member) for r in plan.receipts
    ]


@pytest.mark.postgres
def test_the_history_on_postgresql(pg_db: object, settings: Settings, now: datetime) -> None:
    tz = settings.shop.timezone
    report = load_demo(settings, now)
    zs = list(m.ZClosure.select())
    assert report.sales_history == m.Sale.select().count() > 300 and len(zs) == HISTORY_DAYS
    by_day = run_report("sales-by-day", ReportQuery(Period(*_window(now, tz)), tz, now))
    net = dict(zip((c.key for c in by_day.columns), by_day.totals or (), strict=True))["net"]
    assert net == Decimal(sum(z.net for z in zs)) / 100 > 0
    before = _counts()
    assert load_demo(settings, now).sales_history == 0 and _counts() == before

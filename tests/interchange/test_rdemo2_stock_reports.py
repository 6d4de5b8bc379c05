"""The demo shop gives the stock reports something to show (pos_tui/core/interchange/demo.py,
demo_history.py, fixtures/demo_products.csv): products under their minimum (stock-low), seasonal
goods that never sold (stock-idle), a posted stock count with differences (count-variances and
shrinkage), and cigarettes at a low but positive margin (stock-value)."""

from __future__ import annotations

import json
import math
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from pos_tui.core.interchange import load_demo
from pos_tui.core.interchange.demo_history import COUNT_DAYS_BEFORE, UNSOLD, history_start
from pos_tui.core.kernel import from_db, local
from pos_tui.core.kernel.clock import shop_day
from pos_tui.core.reports import Period, Report, ReportQuery, named_period, run_report
from pos_tui.settings import Settings
from pos_tui.store import models as m

LOW = ["1011", "1602", "1101", "1104"]  # by supplier name (Marmara, Temiz Kimya, Trakya Süt), then code
IDLE = ["2001", "2002"]  # Mangal Kömürü 3 kg (14 × 105,00), Güneş Kremi SPF 50 (6 × 225,00)


def _rows(report: Report) -> list[dict[str, Any]]:
    keys = [c.key for c in report.columns]
    return [dict(zip(keys, row, strict=True)) for row in report.rows]


def _eight_weeks(now: datetime, tz: str) -> Period:
    """The history's window: the 56 shop days before now's."""
    today = shop_day(now, tz)
    return Period(today - timedelta(days=56), today - timedelta(days=1))


def _run(name: str, period: Period, settings: Settings, now: datetime) -> list[dict[str, Any]]:
    return _rows(run_report(name, ReportQuery(period, settings.shop.timezone, now)))


def test_stock_low_lists_the_products_under_their_minimum(db: object, settings: Settings, now: datetime) -> None:
    load_demo(settings, now)
    rows = _run("stock-low", _eight_weeks(now, settings.shop.timezone), settings, now)
    assert [r["code"] for r in rows] == LOW
    assert [r["supplier"] for r in rows] == ["TED-MGT", "TED-TKA", "TED-TSU", "TED-TSU"]
    assert [r["min_stock"] for r in rows] == [Decimal(5), Decimal(6), Decimal(24), Decimal(10)]
    stock = {p.code: Decimal(p.stock) / 1000 for p in m.Product.select().where(m.Product.code.in_(LOW))}
    for r in rows:
        assert r["on_hand"] == stock[r["code"]] < r["min_stock"]
        assert r["sold"] > 0  # they sell: the pace sets the order
        # the reorder rule over 56 days and a week's lead time: ⌈sold × 7 ÷ 56⌉ + minimum − on hand
        pace = math.ceil(r["sold"] * 7 / 56)
        assert r["order_qty"] == pace + r["min_stock"] - r["on_hand"] > r["min_stock"] - r["on_hand"]
    milk = next(r for r in rows if r["code"] == "1101")
    assert (milk["on_hand"], milk["min_stock"]) == (Decimal(14), Decimal(24))  # the file's 14: no milk came back


def test_stock_idle_lists_the_seasonal_goods_that_never_sold(db: object, settings: Settings, now: datetime) -> None:
    load_demo(settings, now)
    tz = settings.shop.timezone
    rows = _run("stock-idle", _eight_weeks(now, tz), settings, now)
    assert [(r["code"], r["last_sale"], r["qty"], r["value"]) for r in rows] == [
        ("2001", None, Decimal(14), Decimal("1470.00")),
        ("2002", None, Decimal(6), Decimal("1350.00")),
    ]
    assert sorted(UNSOLD) == IDLE
    assert not m.SaleLine.select().where(m.SaleLine.code.in_(IDLE)).exists()
    # the shelves were stocked all through the history: a past month has them too
    last_month = _run("stock-idle", named_period("last-month", shop_day(now, tz)), settings, now)
    assert {"2001", "2002"} <= {r["code"] for r in last_month}
    # the catalogue (and the file's stock) came in when the history began, before its opening stock
    first = (
        m.StockMovement.select(m.StockMovement.at)
        .join(m.Product)
        .where(m.Product.code == "2001")
        .order_by(m.StockMovement.at)
        .first()
    )
    assert first is not None and local(from_db(first.at), tz) == history_start(now, tz)


def test_a_posted_count_a_few_days_ago_shows_its_differences(db: object, settings: Settings, now: datetime) -> None:
    load_demo(settings, now)
    tz = settings.shop.timezone
    rows = _run("count-variances", _eight_weeks(now, tz), settings, now)
    assert [(r["code"], r["difference"], r["unit_cost"], r["value"]) for r in rows] == [
        ("1901", Decimal(-1), Decimal("75.50"), Decimal("-75.50")),  # a pack of cigarettes missing
        ("13", Decimal("-0.18"), Decimal("320.00"), Decimal("-57.60")),  # 180 g of kaşar dried out
        ("1903", Decimal(1), Decimal("12.00"), Decimal("12.00")),  # a lighter found
    ]
    assert all(r["counted"] - r["expected"] == r["difference"] and r["location"] == "MAGAZA" for r in rows)
    (session,) = m.CountSession.select()
    assert (session.status, session.closed_by.name, session.closed_by.role) == ("posted", "mehmet", "supervisor")
    day: date = local(from_db(session.closed_at), tz).date()
    assert day == shop_day(now, tz) - timedelta(days=COUNT_DAYS_BEFORE)
    # all seven tobacco and deli products were counted; four of them right
    assert m.CountLine.select().where(m.CountLine.session == session).count() == 7
    shrinkage = _run("shrinkage", _eight_weeks(now, tz), settings, now)
    counted = {r["code"]: r["loss"] for r in shrinkage if r["code"] in ("1901", "13", "1903")}
    assert counted == {"1901": Decimal("75.50"), "13": Decimal("57.60"), "1903": Decimal("-12.00")}


def test_stock_value_has_no_negative_margin(db: object, settings: Settings, now: datetime) -> None:
    load_demo(settings, now)
    tz = settings.shop.timezone
    today = shop_day(now, tz)
    for period in (Period(today, today), named_period("last-month", today)):
        rows = _run("stock-value", period, settings, now)
        assert len(rows) > 60
        assert [r["code"] for r in rows if r["potential_margin"] < 0] == []
    cigarettes = {
        r["code"]: r for r in _run("stock-value", Period(today, today), settings, now) if r["code"] in ("1901", "1902")
    }
    # a pack of Sigara (Uzun): 100,00 with 20 % KDV is 83,33 without, bought at 79,50: a thin margin, above zero
    assert cigarettes["1902"]["unit_cost"] == Decimal("79.50")
    for r in cigarettes.values():
        assert 0 < r["potential_margin"] < r["sale_value"] * Decimal("0.06")


def test_a_second_load_keeps_the_rows_and_counts_nothing_again(db: object, settings: Settings, now: datetime) -> None:
    load_demo(settings, now)
    load_demo(settings, now)
    tz = settings.shop.timezone
    assert m.CountSession.select().count() == 1 and m.CountEvent.select().count() == 7
    assert [r["code"] for r in _run("stock-low", _eight_weeks(now, tz), settings, now)] == LOW
    assert [r["code"] for r in _run("stock-idle", _eight_weeks(now, tz), settings, now)] == IDLE
    assert len(_run("count-variances", _eight_weeks(now, tz), settings, now)) == 3


def test_pos_admin_demo_then_the_stock_reports(cli: Any) -> None:
    """``pos-admin demo`` (today's clock) then ``pos-admin report … --json``."""
    assert cli("demo").exit_code == 0
    since = (date.today() - timedelta(days=56)).isoformat()

    def codes(*args: str) -> list[str]:
        result = cli("report", *args, "--json")
        assert result.exit_code == 0, result.stderr
        return [row["code"] for row in json.loads(result.stdout)["rows"]]

    assert codes("stock-low", "--from", since) == LOW
    assert codes("stock-idle", "--from", since) == IDLE
    assert codes("count-variances", "--from", since) == ["1901", "13", "1903"]


@pytest.mark.postgres
def test_the_stock_reports_of_the_demo_on_postgresql(pg_db: object, settings: Settings, now: datetime) -> None:
    load_demo(settings, now)
    window = _eight_weeks(now, settings.shop.timezone)
    assert [r["code"] for r in _run("stock-low", window, settings, now)] == LOW
    assert [r["code"] for r in _run("stock-idle", window, settings, now)] == IDLE
    variances = _run("count-variances", window, settings, now)
    assert [(r["code"], r["value"]) for r in variances] == [
        ("1901", Decimal("-75.50")),
        ("13", Decimal("-57.60")),
        ("1903", Decimal("12.00")),
    ]

"""Stock value, low stock, idle stock, count variances and shrinkage against the hand-computed
shop of rstock_support."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from rstock_support import NOW, OCTOBER, SEPTEMBER, TODAY, TZ, Shop, at, build_shop, rows_by, run, summary, totals

from pos_tui.core.kernel import NotFound
from pos_tui.core.kernel.clock import to_db
from pos_tui.core.reports import Period, ReportQuery
from pos_tui.core.reports.stock_common import Holding, reaches_now, stock_at
from pos_tui.core.stock import reports as stock_reports
from pos_tui.settings import Settings
from pos_tui.store import models as m

D = Decimal


@pytest.fixture
def shop(db: object, settings: Settings) -> Shop:
    return build_shop(settings)


# -- stock value -----------------------------------------------------------------------------------


def test_stock_value_at_the_end_of_october(shop: Shop) -> None:
    report = run("stock-value", OCTOBER)
    assert [r[0] for r in report.rows] == ["1002", "1001", "1004", "1006", "1005"]  # the largest value first
    rows = rows_by(report, "code")
    assert rows["1001"] == {
        "code": "1001",
        "name": "Çay",
        "category": "İçecek",
        "qty": D(16),
        "unit_cost": D("6.00"),
        "value": D("96.00"),
        "sale_value": D("133.33"),
        "potential_margin": D("37.33"),
    }
    assert rows["1002"]["qty"] == D(7) and rows["1002"]["value"] == D("105.00")
    assert rows["1002"]["sale_value"] == D("140.00")  # 7 × 20,20 ÷ 1,01
    assert rows["1005"]["value"] == D("16.00") and rows["1006"]["value"] == D("25.00")
    assert totals(report) == {"value": D("302.00"), "sale_value": D("408.33"), "potential_margin": D("106.33")}
    assert summary(report)["products"] == 5
    assert report.notes and "1 product is below zero" in report.notes[0]  # 1003, sold out of no stock


def test_stock_value_now_includes_todays_receipt_and_agrees_with_the_ledger(shop: Shop) -> None:
    now = run("stock-value", TODAY)
    sut = rows_by(now, "code")["1002"]
    assert (sut["qty"], sut["value"], sut["unit_cost"]) == (D(12), D("195.00"), D("16.25"))
    assert totals(now)["value"] == D("392.00")
    # the caches (a period that runs to now) and the movements (the same day seen two days later) agree
    assert reaches_now(ReportQuery(TODAY, TZ, NOW)) and not reaches_now(ReportQuery(TODAY, TZ, NOW.replace(day=3)))
    assert run("stock-value", TODAY, now=NOW.replace(day=3)).rows == now.rows
    assert stock_at(None, None) == stock_at(None, NOW.replace(day=3))
    assert stock_at(None, None) != stock_at(None, NOW)  # before today's receipt: the figures do move
    # and with pos-admin stock levels (now)
    levels = stock_reports.stock_levels()
    assert totals(now)["value"] == D(levels.total_value) / 100


def test_stock_value_at_a_past_period_end(shop: Shop) -> None:
    report = run("stock-value", SEPTEMBER)
    assert [(r[0], r[3], r[5]) for r in report.rows] == [("1005", D(4), D("16.00"))]
    assert report.notes == ()


def test_stock_value_of_a_store_and_of_a_terminal(shop: Shop) -> None:
    s2 = run("stock-value", OCTOBER, store="S2")
    assert [(r[0], r[3], r[5]) for r in s2.rows] == [("1006", D(1), D("25.00"))]
    assert run("stock-value", OCTOBER, terminal="T2").rows == s2.rows
    s1 = run("stock-value", OCTOBER, store="S1")
    assert sorted(r[0] for r in s1.rows) == ["1001", "1002", "1004", "1005"]
    assert totals(s1) == {"value": D("277.00"), "sale_value": D("375.00"), "potential_margin": D("98.00")}
    assert run("stock-value", OCTOBER, store="S1", terminal="T2").rows == ()  # T2 sells from S2's depot
    with pytest.raises(NotFound, match="No store S9"):
        run("stock-value", OCTOBER, store="S9")


# -- low stock ---------------------------------------------------------------------------------------


def test_low_stock_with_what_to_order(shop: Shop) -> None:
    report = run("stock-low", OCTOBER)
    rows = rows_by(report, "code")
    assert list(rows) == ["1001", "1003"]  # by supplier; the product without one last
    # 16 on hand, minimum 20, 3 sold in 31 days: ⌈3 × 7 ÷ 31⌉ = 0,678 + 20 − 16 → 5 pieces at 7,00
    assert rows["1001"] == {
        "code": "1001",
        "name": "Çay",
        "supplier": "ACME",
        "supplier_name": "Acme Gıda A.Ş.",
        "on_hand": D(16),
        "min_stock": D(20),
        "sold": D(3),
        "order_qty": D(5),
        "unit_cost": D("7.00"),
        "order_value": D("35.00"),
    }
    # below zero: ⌈1 × 7 ÷ 31⌉ = 0,226 + 0 + 1 → 2 pieces; never bought: no price
    assert (rows["1003"]["on_hand"], rows["1003"]["order_qty"], rows["1003"]["order_value"]) == (D(-1), D(2), None)
    assert totals(report)["order_value"] == D("35.00")
    assert "1 product was never bought" in report.notes[0]
    assert report.chart is None
    # the minimum is the product's, so a store that holds none of it is short of all of it (as stock low
    # --location is); its own sales set the pace: none at DEPO2
    s2 = run("stock-low", OCTOBER, store="S2")
    assert [(r[0], r[4], r[6], r[7]) for r in s2.rows] == [("1001", D(0), D(0), D(20)), ("1002", D(0), D(0), D(10))]


def test_low_stock_lists_what_pos_admin_stock_low_lists(shop: Shop) -> None:
    report = run("stock-low", Period(date(2026, 10, 3), date(2026, 11, 1)))  # 30 days, as stock low's default
    mine = {r[0]: (r[4], r[7]) for r in report.rows}
    theirs = stock_reports.low_stock(now=NOW.replace(hour=21), days=30, lead_time=7)  # to the end of today
    assert mine == {ln.code: (D(ln.on_hand) / 1000, D(ln.suggestion) / 1000) for ln in theirs}


# -- idle stock --------------------------------------------------------------------------------------


def test_idle_stock_in_october(shop: Shop) -> None:
    report = run("stock-idle", OCTOBER)
    assert [r[0] for r in report.rows] == ["1004", "1005"]  # the largest value first
    kolonya, sabun = report.rows
    assert kolonya[3:] == (None, None, D(3), D("60.00"))  # never sold
    assert sabun[3:] == (date(2026, 9, 15), 46, D(4), D("16.00"))
    assert totals(report)["value"] == D("76.00")
    # in September the soap sold; nothing else was on the shelves
    assert run("stock-idle", SEPTEMBER).rows == ()
    # DEPO2's shampoo sold on 12 October
    assert run("stock-idle", OCTOBER, store="S2").rows == ()
    assert [r[0] for r in run("stock-idle", Period(date(2026, 10, 13), date(2026, 10, 31)), store="S2").rows] == [
        "1006"
    ]


# -- count variances ---------------------------------------------------------------------------------


def test_count_variances_in_october(shop: Shop) -> None:
    report = run("count-variances", OCTOBER)
    assert len(report.rows) == 1
    row = dict(zip([c.key for c in report.columns], report.rows[0], strict=True))
    assert {k: v for k, v in row.items() if k != "count"} == {
        "count_name": "Ekim sayımı",
        "location": "MAGAZA",
        "code": "1002",
        "name": "Süt",
        "expected": D(8),
        "counted": D(7),
        "difference": D(-1),
        "unit_cost": D("15.00"),
        "value": D("-15.00"),
    }
    assert totals(report)["value"] == D("-15.00")
    assert summary(report) == {
        "counts": 1,
        "lines": 1,
        "missing": D("15.00"),
        "found": D("0.00"),
        "value": D("-15.00"),
    }
    assert run("count-variances", SEPTEMBER).rows == ()
    assert run("count-variances", OCTOBER, store="S2").rows == ()


# -- shrinkage ---------------------------------------------------------------------------------------


def test_shrinkage_by_reason_and_product(shop: Shop) -> None:
    report = run("shrinkage", OCTOBER)
    assert [r[1:] for r in report.rows] == [
        ("1002", "Süt", D(1), D(0), D("15.00")),  # the count difference: the largest loss first
        ("1001", "Çay", D(1), D(0), D("6.00")),  # waste
    ]
    assert [r[0] for r in report.rows] == ["count difference", "waste"]
    s = summary(report)
    assert (s["loss"], s["loss_count"], s["loss_waste"], s["loss_damage"]) == (
        D("21.00"),
        D("15.00"),
        D("6.00"),
        D("0.00"),
    )
    # the same figures as pos-admin stock shrinkage
    by_reason = {
        r.key: r.lost_value - r.found_value
        for r in stock_reports.shrinkage_report(first=OCTOBER.first, last=OCTOBER.last, tz=TZ)
    }
    assert by_reason == {"count": 1500, "waste": 600}
    assert run("shrinkage", OCTOBER, store="S2").rows == ()


@pytest.mark.parametrize("moment", [at(9, 20), at(10, 5, 12), at(10, 20, 10), NOW, NOW.replace(day=2)])
def test_the_stock_at_a_moment_is_the_sum_of_the_movements_before_it(shop: Shop, moment: datetime) -> None:
    """The definition, summed here from every movement (each product of this shop sits at one location)."""
    SM = m.StockMovement
    sums: dict[int, list[int]] = {}
    for pid, qty, value in SM.select(SM.product, SM.qty, SM.value).where(SM.at < to_db(moment)).tuples():
        acc = sums.setdefault(pid, [0, 0])
        acc[0] += qty
        acc[1] += value
    expected = {pid: Holding(qty, value) for pid, (qty, value) in sums.items() if qty > 0}
    assert expected and stock_at(None, moment).held == expected

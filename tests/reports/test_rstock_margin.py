"""Margin by product, category and supplier against the hand-computed shop of rstock_support."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from rstock_support import OCTOBER, Shop, build_shop, rows_by, run, summary, totals

from pos_tui.core.reports import Period
from pos_tui.settings import Settings

D = Decimal


@pytest.fixture
def shop(db: object, settings: Settings) -> Shop:
    return build_shop(settings)


def test_margin_by_product_in_october(shop: Shop) -> None:
    report = run("margin-by-product", OCTOBER)
    rows = rows_by(report, "code")
    assert [r[0] for r in report.rows] == ["1003", "1002", "1006", "1001"]  # the largest margin first
    assert rows["1001"] == {
        "code": "1001",
        "name": "Çay",
        "qty": D(3),
        "net": D("25.00"),
        "cost": D("18.00"),
        "margin": D("7.00"),
        "margin_pct": D("28.0"),
    }
    assert rows["1002"] == {
        "code": "1002",
        "name": "Süt",
        "qty": D(2),
        "net": D("40.00"),
        "cost": D("30.00"),
        "margin": D("10.00"),
        "margin_pct": D("25.0"),
    }
    assert rows["1003"]["cost"] == D("0.00") and rows["1003"]["margin_pct"] == D("100.0")  # out of no stock
    assert rows["1006"]["net"] == D("33.33") and rows["1006"]["cost"] == D("25.00")
    assert totals(report) == {"net": D("148.33"), "cost": D("73.00"), "margin": D("75.33"), "margin_pct": D("50.8")}
    assert summary(report)["margin"] == D("75.33")
    assert len(report.notes) == 1 and "1 product was sold out of no stock" in report.notes[0]
    assert report.chart is not None and (report.chart.kind, report.chart.values) == ("bar", ("margin",))


def test_the_sale_day_alone_is_the_brief_example(shop: Shop) -> None:
    """10 units at 5,00 and 10 at 7,00: average 6,00; 4 sold at 10,00 with 20 % KDV: 33,33 − 24,00 = 9,33."""
    report = run("margin-by-product", Period(date(2026, 10, 5), date(2026, 10, 5)))
    cay = rows_by(report, "code")["1001"]
    assert (cay["qty"], cay["net"], cay["cost"], cay["margin"], cay["margin_pct"]) == (
        D(4),
        D("33.33"),
        D("24.00"),
        D("9.33"),
        D("28.0"),
    )


def test_a_return_comes_back_at_the_average_cost_then(shop: Shop) -> None:
    report = run("margin-by-product", Period(date(2026, 10, 10), date(2026, 10, 10)))
    assert rows_by(report, "code")["1001"] == {
        "code": "1001",
        "name": "Çay",
        "qty": D(-1),
        "net": D("-8.33"),
        "cost": D("-6.00"),
        "margin": D("-2.33"),
        "margin_pct": D("28.0"),
    }


def test_margin_by_category_and_supplier(shop: Shop) -> None:
    category = run("margin-by-category", OCTOBER)
    assert [(r[0], r[1], r[4]) for r in category.rows] == [
        ("No category", 1, D("50.00")),
        ("Süt", 1, D("10.00")),
        ("Kozmetik", 1, D("8.33")),
        ("İçecek", 1, D("7.00")),
    ]
    supplier = run("margin-by-supplier", OCTOBER)
    assert [(r[0], r[1], r[2], r[3], r[4], r[5]) for r in supplier.rows] == [
        (None, "No supplier", 1, D("50.00"), D("0.00"), D("50.00")),
        ("ACME", "Acme Gıda A.Ş.", 2, D("58.33"), D("43.00"), D("15.33")),  # 1001 by the catalogue, 1006 bought
        ("BETA", "Beta Süt Ltd.", 1, D("40.00"), D("30.00"), D("10.00")),  # 1002: its last purchase
    ]
    product = run("margin-by-product", OCTOBER)
    for report in (category, supplier):
        assert {k: v for k, v in totals(report).items() if k != "products"} == totals(product)
        assert totals(report)["products"] == 4


def test_terminal_and_store_filters(shop: Shop) -> None:
    t1 = run("margin-by-product", OCTOBER, terminal="T1")
    assert sorted(r[0] for r in t1.rows) == ["1001", "1002", "1003"]
    assert totals(t1)["margin"] == D("67.00") and totals(t1)["margin_pct"] == D("58.3")
    s2 = run("margin-by-product", OCTOBER, store="S2")
    assert [(r[0], r[5]) for r in s2.rows] == [("1006", D("8.33"))]
    assert totals(run("margin-by-product", OCTOBER, store="S1")) == totals(t1)


def test_no_sales_no_rows_and_no_percentage(shop: Shop) -> None:
    report = run("margin-by-product", Period(date(2026, 10, 25), date(2026, 10, 26)))
    assert report.rows == ()
    assert totals(report) == {"net": D("0.00"), "cost": D("0.00"), "margin": D("0.00")}
    assert summary(report)["margin_pct"] is None

"""ABC analysis: six products checked by hand, a tie, and a product with only a return."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from rstock_support import SEPTEMBER, at, people, rows_by, run, sell, summary, totals

from pos_tui.core import catalog
from pos_tui.core.reports import Period
from pos_tui.core.till import ReturnLineInput, create_return
from pos_tui.settings import Settings

D = Decimal
PRICES = {"A1": "400.00", "A2": "250.00", "A3": "150.00", "A4": "80.00", "A5": "80.00", "A6": "40.00", "A7": "30.00"}


@pytest.fixture
def shop(db: object, settings: Settings) -> None:
    admin = people(settings, at(8, 1))
    catalog.upsert_products(
        [catalog.ProductInput(code=c, name=f"Ürün {c}", price=D(p), kdv_rate=20) for c, p in PRICES.items()],
        now=at(8, 1),
        kdv_rates=settings.kdv_rates,
    )
    august = sell(admin, at(8, 20), ("A7", 1))
    # A5 before A4, in two receipts: the tie is still ranked by code
    sell(admin, at(9, 3), ("A5", 1), ("A1", 1), ("A6", 1))
    sell(admin, at(9, 4), ("A3", 1), ("A4", 1), ("A2", 1))
    create_return("T1", admin, august, [ReturnLineInput(1, 1000)], now=at(9, 5), reason="iade", tz="Europe/Istanbul")


def test_six_products_by_hand(shop: None) -> None:
    """Nets 400, 250, 150, 80, 80, 40 of 1.000: shares 40, 25, 15, 8, 8, 4; cumulative 40, 65, 80, 88,
    96, 100. A: up to 80 % (the third ends exactly on it); B: the fourth (80 % before it) and the fifth,
    which crosses 95 %; C: the last. A7 only came back (−30,00) and is not ranked."""
    report = run("abc", SEPTEMBER)
    assert [r[:2] + r[3:] for r in report.rows] == [
        (1, "A1", D("400.00"), D("40.00"), D("40.00"), "A"),
        (2, "A2", D("250.00"), D("25.00"), D("65.00"), "A"),
        (3, "A3", D("150.00"), D("15.00"), D("80.00"), "A"),
        (4, "A4", D("80.00"), D("8.00"), D("88.00"), "B"),
        (5, "A5", D("80.00"), D("8.00"), D("96.00"), "B"),
        (6, "A6", D("40.00"), D("4.00"), D("100.00"), "C"),
    ]
    assert rows_by(report, "code")["A1"]["name"] == "Ürün A1"
    assert totals(report) == {"net": D("1000.00"), "share": D("100.00")}
    assert summary(report) == {
        "products": 6,
        "net": D("1000.00"),
        "a_products": 3,
        "a_share": D("80.00"),
        "b_products": 2,
        "b_share": D("16.00"),
        "c_products": 1,
        "c_share": D("4.00"),
    }
    assert report.notes == ("1 product with no sales above its returns in the period is not ranked.",)
    assert report.chart is not None and report.chart.values == ("net",)


def test_the_product_that_crosses_80_percent_is_a(shop: None) -> None:
    """4 September alone: 250, 150, 80 of 480 → A2 52,08 %; A3 31,25 % (83,33 %: it crosses 80 %, so A);
    A4 16,67 % (83,33 % before it: under 95 %, so B)."""
    report = run("abc", Period(date(2026, 9, 4), date(2026, 9, 4)))
    assert [(r[1], r[4], r[5], r[6]) for r in report.rows] == [
        ("A2", D("52.08"), D("52.08"), "A"),
        ("A3", D("31.25"), D("83.33"), "A"),
        ("A4", D("16.67"), D("100.00"), "B"),
    ]
    assert summary(report)["c_products"] == 0


def test_no_sales(shop: None) -> None:
    report = run("abc", Period(date(2026, 7, 1), date(2026, 7, 31)))
    assert report.rows == () and summary(report)["products"] == 0 and summary(report)["a_share"] == D("0.00")

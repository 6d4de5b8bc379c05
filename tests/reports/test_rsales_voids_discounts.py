"""Returns and voids, and discounts by kind and cashier, from sales, voids and cancels made
through the till's services."""

from __future__ import annotations

from datetime import datetime

import peewee
import pytest
from rsales_support import (
    TZ,
    D,
    Shop,
    at,
    by,
    give_back,
    make_shop,
    open_cart,
    product_coupon,
    query,
    ring,
    run,
    sell,
    summary,
    total,
    week_of_sales,
)

from pos_tui.core import till
from pos_tui.core.basket import Cart, Discount
from pos_tui.core.till import BlindReturnLineInput
from pos_tui.settings import Settings


@pytest.fixture
def shop(db: object, settings: Settings, now: datetime) -> Shop:
    shop = make_shop(settings, now)
    week_of_sales(shop)
    return shop


def test_returns_voids_and_cancels_per_cashier(shop: Shop) -> None:
    _returns_and_voids(shop)


def _returns_and_voids(s: Shop) -> None:
    open_cart(s.ayse, ring((s.bread, 3000), (s.milk, 1000)), at(5, 10))
    till.void_line("T1", s.ayse, 2, "customer changed mind", now=at(5, 10, 1), tz=TZ)  # 32,50
    till.set_quantity("T1", s.ayse, 1, 1000, now=at(5, 10, 2), tz=TZ, reason="two too many")  # 2 × 10,00
    open_cart(s.mehmet, ring((s.cheese, 500), (s.soap, 1000)), at(6, 11), terminal="T2")
    till.cancel_cart("T2", s.mehmet, "customer left", now=at(6, 11, 5))  # 205,00
    till.create_blind_return(
        "T2", s.mehmet, [BlindReturnLineInput("1001", 1000)], now=at(6, 15), reason="no receipt", tz=TZ
    )  # 10,00 back without the receipt
    open_cart(s.mehmet, ring((s.soap, 1000)), at(9, 9), terminal="T2")
    till.void_line("T2", s.mehmet, 1, "wrong item", now=at(9, 9, 1), tz=TZ)  # the week after: not counted

    report = run("returns")
    rows = by(report, "cashier")
    assert rows["ayse"] == {
        "cashier": "ayse",
        "returns": 1,
        "returned": D("32.50"),
        "blind_returns": 0,
        "cancelled": 0,
        "cancelled_amount": D("0"),
        "voided_lines": 2,
        "voided_amount": D("52.50"),
    }
    assert rows["mehmet"]["returns"] == rows["mehmet"]["blind_returns"] == 1
    assert (rows["mehmet"]["returned"], rows["mehmet"]["cancelled"], rows["mehmet"]["cancelled_amount"]) == (
        D("10.00"),
        1,
        D("205.00"),
    )
    assert rows["mehmet"]["voided_lines"] == 0
    assert summary(report) == {
        "returns": 2,
        "returned": D("42.50"),
        "cancelled": 1,
        "cancelled_amount": D("205.00"),
        "voided_lines": 2,
        "voided_amount": D("52.50"),
    }
    # voids and cancels were never sold: only the returns move net sales (279,50 − 10,00)
    assert total(run("sales-by-day"), "net") == D("269.50")

    t1 = by(run("returns", query(terminal="T1")), "cashier")
    assert list(t1) == ["ayse"] and t1["ayse"]["voided_lines"] == 2


def test_discounts_by_kind_and_cashier_net_of_returns(shop: Shop) -> None:
    _discounts(shop)


@pytest.mark.postgres
def test_returns_voids_and_discounts_on_postgres(pg_db: peewee.Database, settings: Settings, now: datetime) -> None:
    shop = make_shop(settings, now)
    week_of_sales(shop)
    _returns_and_voids(shop)
    _discounts(shop)


def _discounts(s: Shop) -> None:
    # ayse: 2 Ekmek with 10 % off the line (2,00), and 1 Deterjan at an account price of 80,00 (5,00)
    cart = ring((s.bread, 2000)).discount_line(1, Discount("percent", D(10)))
    cart = cart.add(
        product_id=s.soap.id,
        code=s.soap.code,
        name=s.soap.name,
        unit=s.soap.unit,
        kdv_rate=s.soap.kdv_rate,
        price=D("85.00"),
        account_price=D("80.00"),
        merge=False,
    )
    sell(s.ayse, at(5, 12), cart)
    # mehmet: 2 Süt at 30,00 instead of 32,50 (5,00 by hand) with a 3,00 coupon on the line
    milk = ring((s.milk, 2000)).override_price(1, D("30.00"), "dented carton")
    sold = sell(s.mehmet, at(6, 12), milk, coupons=[product_coupon("SUT3", s.milk, "3.00", at(1, 9))])
    assert sold.total == D("57.00")
    give_back(s.mehmet, sold, [(1, 1000)], at(7, 12))  # half of it back: 1,50 coupon, 2,50 price

    report = run("discounts")
    rows = by(report, "cashier")
    assert rows["ayse"]["manual"] == D("2.00") and rows["ayse"]["price_list"] == D("5.00")
    assert (rows["ayse"]["total"], rows["ayse"]["receipts"]) == (D("7.00"), 1)
    assert rows["mehmet"]["manual"] == D("20.50")  # Monday's 10 % off the receipt
    assert rows["mehmet"]["coupon"] == D("1.50") and rows["mehmet"]["price_override"] == D("2.50")
    assert (rows["mehmet"]["total"], rows["mehmet"]["receipts"]) == (D("24.50"), 2)
    for kind in ("promotion", "stamp", "reward", "tier"):
        assert total(report, kind) == D("0.00")
    figures = summary(report)
    assert figures["discount"] == D("24.00") == total(run("sales-by-day"), "discount")
    assert figures["below_list"] == D("7.50") and figures["total"] == D("31.50")
    assert report.values("cashier") == ["mehmet", "ayse"]


def test_a_whole_return_gives_back_the_whole_benefit(shop: Shop) -> None:
    s = shop
    coupon = product_coupon("SUT2", s.milk, "2.00", at(1, 9))
    sold = sell(s.ayse, at(5, 9), ring((s.milk, 3000), (s.bread, 1000)), cart_discount="5", coupons=[coupon])
    assert by(run("discounts"), "cashier")["ayse"]["coupon"] == D("2.00")
    give_back(s.ayse, sold, [(1, 1000)], at(5, 10))
    give_back(s.ayse, sold, [(1, 2000), (2, 1000)], at(5, 11))
    rows = by(run("discounts"), "cashier")
    assert rows["ayse"]["coupon"] == D("0.00") and rows["ayse"]["manual"] == D("0.00")


def test_empty_period_gives_empty_reports(db: object, settings: Settings, now: datetime) -> None:
    make_shop(settings, now)
    for name in ("returns", "discounts", "sales-by-cashier", "sales-by-payment", "sales-by-product"):
        report = run(name)
        assert report.rows == (), name
    heat = run("sales-heatmap")
    assert summary(heat)["busiest"] is None and total(heat, "total") == D("0.00")
    assert all(row[1] == 0 for row in run("basket").rows)
    assert isinstance(Cart(), Cart)

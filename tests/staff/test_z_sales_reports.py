"""Sales reports by product, category, cashier and local hour; returns subtract."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from pos_tui.core.basket import Cart, Discount, PaymentInput
from pos_tui.core.cash import ReportRow, sales_report
from pos_tui.core.kernel import Actor, ValidationError
from pos_tui.core.till import ReturnLineInput, create_return, post_cart
from pos_tui.settings import Settings, ShopSettings
from pos_tui.store import models as m

D = Decimal
DAY = date(2026, 11, 1)


@pytest.fixture
def day_of_sales(people: dict[str, Actor], products: dict[str, m.Product], settings: Settings, now: datetime) -> None:
    """10:15 ayse sells 2 bread (2.00 off) and a shampoo for cash; 10:50 the shampoo comes back;
    14:30 mehmet sells 1.5 kg cheese by card; the next morning ayse sells a bread on T2."""
    bakery = m.Category.create(name="Fırın")
    cosmetics = m.Category.create(name="Kozmetik")
    m.Product.update(category=bakery).where(m.Product.code == "1001").execute()
    m.Product.update(category=cosmetics).where(m.Product.code == "2001").execute()
    tz = settings.shop.timezone

    def cart(*items: tuple[str, int]) -> Cart:
        c = Cart()
        for code, qty in items:
            p = products[code]
            c = c.add(
                product_id=p.id,
                code=code,
                name=p.name,
                unit=p.unit,
                kdv_rate=p.kdv_rate,
                price=D(p.price) / 100,
                qty_milli=qty,
            )
        return c

    ayse, mehmet = people["ayse"], people["mehmet"]
    first = cart(("1001", 2000), ("2001", 1000)).discount_line(1, Discount("amount", D("2.00")))
    sale = post_cart(first, [PaymentInput("cash", D("68.00"))], terminal="T1", cashier_id=ayse.user_id, now=now, tz=tz)
    create_return("T1", ayse, sale.uid, [ReturnLineInput(2, 1000)], now=now + timedelta(minutes=35), reason="x", tz=tz)
    post_cart(
        cart(("3001", 1500)),
        [PaymentInput("card", D("300.00"))],
        terminal="T1",
        cashier_id=mehmet.user_id,
        now=now + timedelta(hours=4, minutes=15),
        tz=tz,
    )
    post_cart(
        cart(("1001", 1000)),
        [PaymentInput("cash", D("10.00"))],
        terminal="T2",
        cashier_id=ayse.user_id,
        now=now + timedelta(hours=23),
        tz=tz,
    )


def rows(report: list[ReportRow]) -> list[tuple[str, str, str, str, str, str, int, int]]:
    return [
        (r.key, r.label, str(r.qty), str(r.gross), str(r.discount), str(r.net), r.count, r.returns_count)
        for r in report
    ]


def test_by_product(day_of_sales: None, settings: Settings) -> None:
    assert rows(sales_report("product", DAY, DAY, settings=settings)) == [
        ("3001", "Beyaz Peynir", "1.5", "300.00", "0.00", "300.00", 1, 0),
        ("1001", "Ekmek", "2", "20.00", "2.00", "18.00", 1, 0),
        ("2001", "Şampuan", "0", "0.00", "0.00", "0.00", 1, 1),
    ]


def test_by_category(day_of_sales: None, settings: Settings) -> None:
    assert rows(sales_report("category", DAY, DAY, settings=settings)) == [
        ("", "(no category)", "1.5", "300.00", "0.00", "300.00", 1, 0),
        ("Fırın", "Fırın", "2", "20.00", "2.00", "18.00", 1, 0),
        ("Kozmetik", "Kozmetik", "0", "0.00", "0.00", "0.00", 1, 1),
    ]


def test_by_cashier(day_of_sales: None, settings: Settings) -> None:
    assert rows(sales_report("cashier", DAY, DAY, settings=settings)) == [
        ("mehmet", "mehmet", "1.5", "300.00", "0.00", "300.00", 1, 0),
        ("ayse", "ayse", "2", "20.00", "2.00", "18.00", 1, 1),
    ]


def test_by_local_hour(day_of_sales: None, settings: Settings) -> None:
    assert rows(sales_report("hour", DAY, DAY, settings=settings)) == [
        ("10", "10:00–10:59", "2", "20.00", "2.00", "18.00", 1, 1),
        ("14", "14:00–14:59", "1.5", "300.00", "0.00", "300.00", 1, 0),
    ]
    berlin = replace(settings, shop=ShopSettings(timezone="Europe/Berlin"))
    assert [r.key for r in sales_report("hour", DAY, DAY, settings=berlin)] == ["08", "12"]


def test_days_are_local_and_inclusive_and_terminal_filters(day_of_sales: None, settings: Settings) -> None:
    two_days = sales_report("product", DAY, DAY + timedelta(days=1), settings=settings)
    bread = next(r for r in two_days if r.key == "1001")
    assert (bread.qty, bread.net, bread.count) == (D(3), D("28.00"), 2)
    only_t1 = sales_report("product", DAY, DAY + timedelta(days=1), settings=settings, terminal="T1")
    assert next(r for r in only_t1 if r.key == "1001").net == D("18.00")
    assert sales_report("cashier", DAY - timedelta(days=1), DAY - timedelta(days=1), settings=settings) == []


def test_bad_arguments(db: object, settings: Settings) -> None:
    with pytest.raises(ValidationError, match="Cannot group a sales report by weekday"):
        sales_report("weekday", DAY, DAY, settings=settings)
    with pytest.raises(ValidationError, match="ends"):
        sales_report("product", DAY, DAY - timedelta(days=1), settings=settings)

"""Regression tests of what the review of issue 17 proved: a sale partly out of no stock is noted in the margin
reports; shares add up to 100."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import rsales_support as rsl
import rstock_support as rs
from rstock_support import quick_pins  # noqa: F401

from pos_tui.core import catalog
from pos_tui.store import models as m


def test_partly_uncosted_sale_is_noted(db: object, settings) -> None:
    start = rs.at(8, 1)
    admin = rs.people(settings, start)
    m.Supplier.create(code="ACME", name="Acme", created_at=start.replace(tzinfo=None))
    catalog.upsert_products(
        [catalog.ProductInput(code="1001", name="Çay", price=Decimal("12.00"), kdv_rate=20)],
        now=start,
        kdv_rates=settings.kdv_rates,
    )
    rs.receive(admin, settings, rs.at(10, 1), "ACME", ("1001", "1", "10.00"))
    rs.sell(admin, rs.at(10, 5), ("1001", 3))
    done = rs.run("margin-by-product", rs.OCTOBER)
    row = rs.rows_by(done, "code")["1001"]
    assert row["qty"] == Decimal(3)
    assert row["cost"] == Decimal("10.00")  # 1 unit costed, 2 at no cost
    assert any("no stock" in n for n in done.notes), done.notes


def test_category_shares_add_up_to_100(db: object, settings, now: datetime) -> None:
    shop = rsl.make_shop(settings, now)
    rsl.sell(shop.ayse, rsl.at(2, 10), rsl.ring((shop.bread, 2000), (shop.milk, 1000), (shop.soap, 1000)))
    done = rsl.run("sales-by-category")
    nets = sorted(done.values("net"))
    assert nets == [Decimal("20.00"), Decimal("32.50"), Decimal("85.00")]
    assert sum(done.values("share")) == Decimal(100)


def test_payment_shares_add_up_to_100(db: object, settings, now: datetime) -> None:
    shop = rsl.make_shop(settings, now)
    rsl.sell(
        shop.ayse,
        rsl.at(2, 10),
        rsl.ring((shop.bread, 6000), (shop.soap, 4000)),
        pay=[("cash", "49.00"), ("card", "351.00")],
    )
    done = rsl.run("sales-by-payment")
    # 49,00 of 400,00 = 12,25 % → 12,3 ; 351,00 = 87,75 % → 87,8 : 100,1 %
    assert sum(done.values("share")) == Decimal(100)


def test_a_category_with_only_returns_keeps_its_own_rounding() -> None:
    from pos_tui.core.reports.sales_parts import shares_pct

    assert shares_pct([Decimal("20.00"), Decimal("32.50"), Decimal("85.00")]) == [
        Decimal("14.6"),
        Decimal("23.6"),
        Decimal("61.8"),
    ]
    assert shares_pct([Decimal("100.00"), Decimal("-20.00")]) == [Decimal("125.0"), Decimal("-25.0")]
    assert shares_pct([Decimal("0.00")]) == [None]

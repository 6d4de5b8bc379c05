"""A coupon used on a receipt without a member records its use like any other: a single-use
coupon works once, the audit finds honest sales clean, and two tills selling at the same
moment (two processes, on SQLite and on PostgreSQL) never use a coupon more than it allows."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path

import peewee
import pytest
from checkout_support import Product, basket, sell
from loyalty_support import new_user, pg_url, race

from pos_tui.core import audit
from pos_tui.core.kernel import Actor, ValidationError
from pos_tui.core.loyalty import create_coupon, get_coupon
from pos_tui.settings import DEFAULT_ROLES, Settings
from pos_tui.store import models as m

# One till of the race: ``python -c COUPON_TILL DB PRODUCT TRIES NOW`` sells one unit of
# PRODUCT with coupon KAPI3 and no member TRIES times, printing how many sales took the coupon
# and how many were refused (the coupon used up).
COUPON_TILL = """
import sys
from datetime import datetime
from decimal import Decimal
from pos_tui.core.kernel.actors import Actor
from pos_tui.core.basket.cart import Cart
from pos_tui.core.kernel.errors import StateError, ValidationError
from pos_tui.core.loyalty.pricing import price_cart
from pos_tui.core.basket import PaymentInput
from pos_tui.core.till import complete_sale
from pos_tui.settings import DEFAULT_ROLES
from pos_tui.store import open_database
from pos_tui.store import models as m

path, product, tries, now = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), datetime.fromisoformat(sys.argv[4])
open_database(path)
p = m.Product.get_by_id(product)
user = m.User.get(m.User.name == "ayse")
role = DEFAULT_ROLES["cashier"]
till = Actor(user.id, user.name, "cashier", role.permissions, role.max_discount_pct)
cart = Cart().add(product_id=p.id, code=p.code, name=p.name, unit=p.unit, kdv_rate=p.kdv_rate,
                  price=Decimal(p.price) / 100, qty_milli=1000, merge=False).with_coupons(["KAPI3"])
print("ready", flush=True)
sys.stdin.readline()
got = refused = 0
for _ in range(tries):
    try:
        priced = price_cart(cart, now=now)
        complete_sale("T1", till, [PaymentInput("cash", priced.total)], now=now, cart=priced)
    except (StateError, ValidationError):
        refused += 1
    else:
        got += 1
print(got, refused, flush=True)
"""


def _till(now: datetime) -> Actor:
    role = DEFAULT_ROLES["cashier"]
    return Actor(new_user(now, "ayse"), "ayse", "cashier", role.permissions, role.max_discount_pct)


def test_a_single_use_coupon_without_a_member_is_used_once(
    db: object, settings: Settings, now: datetime, product: Product
) -> None:
    till = _till(now)
    soap = product("7001", "Sabun", "40.00")
    create_coupon("TEKSEFER", kind="amount", amount=Decimal(5), max_uses=1, now=now)
    sale = sell(till, basket(None, (soap, 1)).with_coupons(["TEKSEFER"]), now)
    assert m.Sale.get_by_id(sale).total == 3500
    assert get_coupon("TEKSEFER").uses == 1
    use = m.CouponUse.get()
    assert (use.sale_id, use.member_id, use.amount) == (sale, None, 500)
    with pytest.raises(ValidationError, match="Coupon TEKSEFER has already been used"):
        sell(till, basket(None, (soap, 1)).with_coupons(["TEKSEFER"]), now)
    assert m.Sale.select().count() == 1
    assert audit.verify(settings=settings).problems == []


def test_honest_sales_with_coupons_and_no_member_audit_clean(
    db: object, settings: Settings, now: datetime, product: Product
) -> None:
    till = _till(now)
    soap = product("7001", "Sabun", "40.00")
    create_coupon("HERKES", kind="percent", percent=Decimal(10), max_uses=None, now=now)
    for _ in range(3):
        sell(till, basket(None, (soap, 2)).with_coupons(["HERKES"]), now)
    assert get_coupon("HERKES").uses == 3
    assert audit.verify(settings=settings).problems == []


def _race(database: str, product_id: int, now: datetime) -> None:
    results = race(COUPON_TILL, database, product_id, 6, now)
    assert sum(got for got, _ in results) == 3
    assert sum(refused for _, refused in results) == 9


def test_two_tills_without_members_never_overuse_a_coupon(
    db: object, db_path: Path, settings: Settings, now: datetime, product: Product
) -> None:
    _till(now)
    soap = product("7001", "Sabun", "40.00")
    create_coupon("KAPI3", kind="amount", amount=Decimal(5), max_uses=3, now=now)
    _race(str(db_path), soap.id, now)
    assert get_coupon("KAPI3").uses == 3
    assert m.Sale.select().count() == 3
    assert audit.verify(settings=settings).problems == []


@pytest.mark.postgres
def test_two_tills_without_members_never_overuse_a_coupon_on_postgres(pg_db: peewee.Database, now: datetime) -> None:
    from checkout_support import product_maker

    _till(now)
    soap = product_maker(now)("7001", "Sabun", "40.00")
    create_coupon("KAPI3", kind="amount", amount=Decimal(5), max_uses=3, now=now)
    _race(pg_url(pg_db), soap.id, now)
    assert get_coupon("KAPI3").uses == 3
    assert m.Sale.select().count() == 3
    assert m.CouponUse.select().count() == 3

"""Building real sales for the loyalty tests: products, members, carts priced by the engine,
and sales posted through ``complete_sale`` (the till's own service)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

from pos_tui.core.basket import Cart, PaymentInput
from pos_tui.core.kernel import Actor, to_db, to_kurus
from pos_tui.core.loyalty import members
from pos_tui.core.till import complete_sale
from pos_tui.store import models as m
from pos_tui.text import fold

Product = Callable[..., m.Product]


def product_maker(now: datetime) -> Product:
    def make(code: str, name: str, price: str, category: str | None = None, kdv: int = 20) -> m.Product:
        cat = m.Category.get_or_create(name=category)[0] if category else None
        return m.Product.create(
            code=code,
            name=name,
            name_key=fold(name),
            price=to_kurus(Decimal(price)),
            kdv_rate=kdv,
            category=cat,
            updated_at=to_db(now),
        )

    return make


def enroll(now: datetime, phone: str = "05321234567") -> int:
    return members.enroll(name="Zeynep Yılmaz", phone=phone, source="cli", actor=None, now=now).id


def basket(member_id: int | None, *items: tuple[m.Product, int]) -> Cart:
    cart = Cart(member_id=member_id)
    for p, qty in items:
        cart = cart.add(
            product_id=p.id,
            code=p.code,
            name=p.name,
            unit=p.unit,
            kdv_rate=p.kdv_rate,
            price=Decimal(p.price) / 100,
            qty_milli=qty * 1000,
            merge=False,
        )
    return cart


def sell(till: Actor, cart: Cart, now: datetime, *payments: PaymentInput) -> int:
    from pos_tui.core.loyalty import price_cart

    priced = price_cart(cart, now=now)
    pays = list(payments) or ([PaymentInput("cash", priced.total)] if priced.total else [])
    return complete_sale("T1", till, pays, now=now, cart=priced).sale_id

"""Helpers for the loyalty audit tests: a shop with every loyalty table filled through the real
services (rules, sales with points, store credit, gift card and coupon, a return, an
adjustment), and a raw sqlite3 connection to change it behind pos_tui's back."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

from pos_tui.core import audit
from pos_tui.core.basket import Cart, PaymentInput
from pos_tui.core.kernel import Actor, to_db, to_kurus
from pos_tui.core.loyalty import (
    coupons,
    giftcards,
    ledger,
    members,
    price_cart,
    register_loyalty_tenders,
    rules,
    wallet,
)
from pos_tui.core.till import ReturnLineInput, complete_sale, create_return
from pos_tui.settings import Settings
from pos_tui.store import models as m
from pos_tui.text import fold

RULES = """
[points]
hold_days = 15
[earning]
percent = 10
[[supplier_funding]]
product = "C1"
points = 10
supplier_points = 5
[[stamp_cards]]
code = "kahve"
name = "Kahve"
products = ["K1"]
needed = 6
[cashback]
percent = 2
[referral]
enabled = true
referrer_points = 100
min_first_purchase = 100
"""


@dataclass(frozen=True, slots=True)
class Shop:
    """What :func:`build_shop` made: ids to aim the tampering at."""

    member: int
    other: int
    cashier: Actor
    supervisor: Actor
    coffee_sale: int  # 4 coffees and 2 teas, cash; 1 coffee and 1 tea returned
    mixed_sale: int  # a bag paid with points, store credit, a gift card and cash, with a coupon
    return_id: int
    card_code: str
    coupon_code: str


def actor(settings: Settings, now: datetime, name: str, role: str) -> Actor:
    r = settings.roles[role]
    user = m.User.create(name=name, role=role, pin_tag=f"t-{name}", pin_hash="x", created_at=to_db(now))
    return Actor(user.id, name, role, r.permissions, r.max_discount_pct)


def product(now: datetime, code: str, name: str, price: str, supplier: m.Supplier | None = None) -> m.Product:
    return m.Product.create(
        code=code,
        name=name,
        name_key=fold(name),
        price=to_kurus(Decimal(price)),
        kdv_rate=20,
        supplier=supplier,
        updated_at=to_db(now),
    )


def cart(member_id: int, items: Sequence[tuple[m.Product, int]], coupon: str | None = None) -> Cart:
    c = Cart(member_id=member_id)
    for p, qty in items:
        c = c.add(
            product_id=p.id,
            code=p.code,
            name=p.name,
            unit=p.unit,
            kdv_rate=p.kdv_rate,
            price=Decimal(p.price) / 100,
            qty_milli=qty * 1000,
            merge=False,
        )
    return c.with_coupons([coupon]) if coupon else c


def sell(cashier: Actor, c: Cart, now: datetime, *payments: PaymentInput) -> int:
    priced = price_cart(c, now=now)
    pays = list(payments) or [PaymentInput("cash", priced.total)]
    if payments:
        rest = priced.total - sum((p.amount for p in payments), Decimal(0))
        if rest:
            pays.append(PaymentInput("cash", rest))
    return complete_sale("T1", cashier, pays, now=now, cart=priced).sale_id


def build_shop(settings: Settings, now: datetime) -> Shop:
    """Rules, two members, a coffee-and-tea sale partly returned, and a sale paid with every
    loyalty tender and a coupon, a referred member's first sale; plus a points and a wallet
    adjustment and a deactivated card."""
    register_loyalty_tenders()
    cashier = actor(settings, now, "ayse", "cashier")
    supervisor = actor(settings, now, "mehmet", "supervisor")
    rules.apply_rules(RULES, now=now - timedelta(days=60))
    supplier = m.Supplier.create(code="TED", name="Çaykur Bayi", created_at=to_db(now))
    coffee = product(now, "K1", "Türk Kahvesi", "65")
    tea = product(now, "C1", "Rize Çayı 1 kg", "255", supplier)
    bag = product(now, "B1", "Çanta", "1000")
    member = members.enroll(
        name="Zeynep Yılmaz", phone="05321234567", source="cli", actor=None, now=now - timedelta(days=60)
    ).id
    code = m.Member.get_by_id(member).referral_code
    other = members.enroll(name="Ali Kaya", phone="05329876543", source="cli", actor=None, now=now, referral=code).id
    ledger.earn(member, 600, now=now - timedelta(days=40), hold_days=0)
    wallet.credit(member, Decimal("100.00"), kind="import", now=now - timedelta(days=40))
    card = giftcards.issue_card(Decimal("200.00"), actor=cashier, now=now, terminal="T1", method="card")
    spare = giftcards.issue_card(Decimal("50.00"), actor=cashier, now=now, terminal="T1", method="card")
    giftcards.top_up(spare.code, Decimal("25.00"), actor=cashier, now=now, terminal="T1", method="card")
    giftcards.deactivate(spare.code, actor=supervisor, now=now, terminal="T1", reason="lost")
    coupon = coupons.create_coupon("HOSGELDIN", kind="amount", amount=Decimal("50"), max_uses=1, now=now)

    coffee_sale = sell(cashier, cart(member, [(coffee, 4), (tea, 2)]), now)
    mixed_sale = sell(
        cashier,
        cart(member, [(bag, 1)], coupon.code),
        now + timedelta(minutes=5),
        PaymentInput("points", Decimal("300")),
        PaymentInput("store_credit", Decimal("60.00")),
        PaymentInput("gift_card", Decimal("150.00"), details={"code": card.code}),
    )
    sell(cashier, cart(other, [(bag, 1)]), now + timedelta(minutes=10))  # pays the referrer
    sale = m.Sale.get_by_id(coffee_sale)
    lines = {ln.code: ln.line_no for ln in m.SaleLine.select().where(m.SaleLine.sale == coffee_sale)}
    returned = create_return(
        "T1",
        cashier,
        sale.uid,
        [ReturnLineInput(lines["K1"], 1000), ReturnLineInput(lines["C1"], 1000)],
        now=now + timedelta(hours=1),
        reason="spilt",
    )
    ledger.adjust(member, 25, "goodwill", actor=supervisor, now=now, terminal="T1")
    wallet.adjust(member, Decimal("5.00"), "goodwill", actor=supervisor, now=now, terminal="T1")
    return Shop(
        member,
        other,
        cashier,
        supervisor,
        coffee_sale,
        mixed_sale,
        returned.sale_id,
        card.code,
        coupon.code,
    )


def tamper(db_path: Path, *statements: str) -> None:
    """Change the database with a plain sqlite3 connection, as someone holding the file would;
    ``DROP TRIGGER IF EXISTS`` the insert-only guards first where a statement needs it."""
    conn = sqlite3.connect(db_path)
    try:
        for sql in statements:
            conn.execute(sql)
        conn.commit()
    finally:
        conn.close()


def unguard(*tables: str) -> list[str]:
    """The statements that drop the update/delete guards of ``tables``."""
    return [f"DROP TRIGGER IF EXISTS {t}_no_{op}" for t in tables for op in ("update", "delete")]


def problems(settings: Settings) -> list[str]:
    return audit.verify(settings=settings).problems

"""Helpers for the count tests (no tests here): users, products and stock made directly."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from decimal import Decimal

from pos_tui.core.kernel import Actor, to_db, to_kurus
from pos_tui.core.stock import ledger
from pos_tui.core.stock.locations import terminal_location
from pos_tui.settings import Settings
from pos_tui.store import models as m
from pos_tui.store import write_tx
from pos_tui.text import fold

_pins = itertools.count(5000)
_uids = itertools.count(1)


def make_user(settings: Settings, now: datetime, name: str, role: str) -> Actor:
    user = m.User.create(
        name=name, role=role, pin_tag=f"tag-{next(_pins)}", pin_hash="not-a-real-hash", created_at=to_db(now)
    )
    r = settings.roles[role]
    return Actor(int(user.id), name, role, r.permissions, r.max_discount_pct)


def make_product(
    now: datetime,
    code: str,
    name: str,
    *,
    unit: str = "piece",
    barcodes: tuple[str, ...] = (),
    category: str | None = None,
    active: bool = True,
) -> int:
    cat = None if category is None else m.Category.get_or_create(name=category)[0]
    product = m.Product.create(
        code=code,
        name=name,
        name_key=fold(name),
        unit=unit,
        price=to_kurus(Decimal("10")),
        kdv_rate=20,
        category=cat,
        active=active,
        updated_at=to_db(now),
    )
    for b in barcodes:
        m.Barcode.create(code=b, product=product)
    return int(product.id)


def receive(
    product_id: int, qty: int, unit_cost_kurus: int, now: datetime, user: Actor, location: int | None = None
) -> None:
    """Stock comes in at ``unit_cost_kurus`` per unit (an opening adjustment through the ledger)."""
    loc = location if location is not None else terminal_location(None)
    amount = qty * unit_cost_kurus // 1000
    ledger.write_stock_document(
        ledger.StockDraft(
            kind="adjustment",
            at=now,
            now=now,
            terminal="T1",
            user_id=user.user_id,
            location_id=loc,
            lines=[ledger.DraftLine(product_id, qty)],
            movements=[ledger.Movement(product_id, loc, qty, ledger.ADJUST, amount=amount, reason="opening")],
            reason="opening",
        )
    )


def sell(product_id: int, qty: int, now: datetime, location: int | None = None) -> None:
    """A till sells ``qty`` (what the sale posting does to stock: a ``sale`` movement)."""
    loc = location if location is not None else terminal_location(None)
    with write_tx():
        ledger.post_movements(
            [ledger.Movement(product_id, loc, -qty, ledger.SALE)], at=now, terminal="T2", user_id=None
        )


def uid() -> str:
    return f"test-{next(_uids)}"


def later(now: datetime, minutes: int) -> datetime:
    return now + timedelta(minutes=minutes)

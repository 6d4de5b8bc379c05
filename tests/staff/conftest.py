"""Fixtures for staff, shift, Z, audit and admin-CLI tests.

Users are made through :func:`pos_tui.core.staff.users.add_user` (the real PIN storage), with a
cheap argon2id cost so a test does not spend 0.2 s per PIN; documents are posted through the
real sale engine, so the audit compares what the engine journals.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from pos_tui.core import staff
from pos_tui.core.basket import Cart, PaymentInput
from pos_tui.core.kernel import Actor, to_db, to_kurus
from pos_tui.core.staff import users
from pos_tui.core.till import ReturnLineInput, SaleResult, complete_sale, create_return
from pos_tui.settings import Settings
from pos_tui.store import models as m
from pos_tui.text import fold

REPO = Path(__file__).resolve().parents[2]
DEMO_PINS = {"ayse": "1111", "mehmet": "2222", "admin": "9999"}


@pytest.fixture(autouse=True)
def _cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2id with the smallest cost: the same algorithm and format, a thousandth of the time."""
    monkeypatch.setattr(users, "_HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def people(db: object, settings: Settings, now: datetime) -> dict[str, Actor]:
    """ayse (cashier, 1111), mehmet (supervisor, 2222), admin (admin, 9999), as actors."""
    for name, role in (("ayse", "cashier"), ("mehmet", "supervisor"), ("admin", "admin")):
        staff.add_user(name, role, DEMO_PINS[name], now=now, settings=settings)
    return {name: staff.actor_by_name(name, settings=settings) for name in DEMO_PINS}


@pytest.fixture
def products(db: object, now: datetime) -> dict[str, m.Product]:
    """Bread (1 % KDV, 10.00), shampoo (20 %, 50.00) and cheese by the kg (10 %, 200.00/kg)."""
    made = {}
    for code, name, price, rate, unit in (
        ("1001", "Ekmek", "10.00", 1, "piece"),
        ("2001", "Şampuan", "50.00", 20, "piece"),
        ("3001", "Beyaz Peynir", "200.00", 10, "kg"),
    ):
        made[code] = m.Product.create(
            code=code,
            name=name,
            name_key=fold(name),
            unit=unit,
            price=to_kurus(Decimal(price)),
            kdv_rate=rate,
            updated_at=to_db(now),
        )
    return made


Sell = Callable[..., SaleResult]


@pytest.fixture
def sell(products: dict[str, m.Product], settings: Settings) -> Sell:
    """``sell(actor, [(code, qty_milli), ...], [(method, "amount"), ...], now=..., terminal="T1",
    shift_id=None)``: post a sale through the real engine."""

    def run(
        actor: Actor,
        items: Sequence[tuple[str, int]],
        payments: Sequence[tuple[str, str]],
        *,
        now: datetime,
        terminal: str = "T1",
        shift_id: int | None = None,
    ) -> SaleResult:
        cart = Cart()
        for code, qty in items:
            p = products[code]
            cart = cart.add(
                product_id=p.id,
                code=p.code,
                name=p.name,
                unit=p.unit,
                kdv_rate=p.kdv_rate,
                price=Decimal(p.price) / 100,
                qty_milli=qty,
            )
        return complete_sale(
            terminal,
            actor,
            [PaymentInput(method, Decimal(amount)) for method, amount in payments],
            now=now,
            shift_id=shift_id,
            cart=cart,
            tz=settings.shop.timezone,
        )

    return run


Refund = Callable[..., SaleResult]


@pytest.fixture
def three_sales(people: dict[str, Actor], now: datetime, sell: Sell) -> list[SaleResult]:
    """Three cash sales of one bread on T1, a minute apart (receipts 1, 2, 3)."""
    ayse = people["ayse"]
    return [sell(ayse, [("1001", 1000)], [("cash", "10.00")], now=now + timedelta(minutes=i)) for i in range(3)]


@pytest.fixture
def refund(settings: Settings) -> Refund:
    """``refund(actor, sale_uid, [(line_no, qty_milli), ...], now=..., refund_method="original")``."""

    def run(
        actor: Actor,
        uid: str,
        lines: Sequence[tuple[int, int]],
        *,
        now: datetime,
        terminal: str = "T1",
        shift_id: int | None = None,
        refund_method: str = "original",
    ) -> SaleResult:
        return create_return(
            terminal,
            actor,
            uid,
            [ReturnLineInput(n, q) for n, q in lines],
            now=now,
            reason="customer changed their mind",
            refund_method=refund_method,
            shift_id=shift_id,
            tz=settings.shop.timezone,
        )

    return run


Tamper = Callable[..., None]


@pytest.fixture
def tamper(db_path: Path) -> Tamper:
    """``tamper(*sql)``: change the database behind pos_tui's back with a plain sqlite3
    connection, the way someone holding the file would (dropping a trigger first if needed)."""

    def run(*statements: str) -> None:
        conn = sqlite3.connect(db_path)
        try:
            for sql in statements:
                conn.execute(sql)
            conn.commit()
        finally:
            conn.close()

    return run

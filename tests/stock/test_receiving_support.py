"""Fixtures and helpers the receiving tests share (a uniquely named module: the test modules
import it by name; it holds no tests itself)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import pytest
from argon2 import PasswordHasher

from pos_tui.core import catalog, staff
from pos_tui.core.kernel import Actor, to_db
from pos_tui.core.staff import users
from pos_tui.core.stock import receiving
from pos_tui.settings import Settings
from pos_tui.store import models as m

CAY = "8690000000036"  # 1003 Çay 500 g, piece, KDV 20
SUT = "8690000000029"  # 1002 Süt 1 L, piece, KDV 1
DOMATES_1500G = "2700123015001"  # scale label: PLU 00123 Domates (kg), 1,500 kg


@dataclass(frozen=True)
class Goods:
    admin: Actor
    ayse: Actor
    mehmet: Actor
    settings: Settings
    now: datetime


@pytest.fixture(autouse=True, name="_quick_pins")
def quick_pins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(users, "_HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


def add_supplier(code: str, name: str, now: datetime) -> None:
    m.Supplier.create(code=code, name=name, created_at=to_db(now))


@pytest.fixture(name="goods")
def goods_fixture(db: object, settings: Settings, now: datetime) -> Goods:
    """Users (ayse 1111 cashier, mehmet 2222 supervisor, admin 9999), two suppliers, five products."""
    return make_goods(settings, now)


def make_goods(settings: Settings, now: datetime) -> Goods:
    """The shop of :func:`goods_fixture` in the open database (SQLite or PostgreSQL)."""
    team = {
        "ayse": staff.add_user("ayse", "cashier", "1111", now=now, settings=settings),
        "mehmet": staff.add_user("mehmet", "supervisor", "2222", now=now, settings=settings),
        "admin": staff.add_user("admin", "admin", "9999", now=now, settings=settings),
    }
    add_supplier("ACME", "Acme Gıda A.Ş.", now)
    add_supplier("BETA", "Beta Temizlik Ltd.", now)
    catalog.upsert_products(
        [
            catalog.ProductInput(
                code="1001", name="Ekmek", price=Decimal("10.00"), kdv_rate=1, barcodes=("8690000000012",)
            ),
            catalog.ProductInput(code="1002", name="Süt 1 L", price=Decimal("32.50"), kdv_rate=1, barcodes=(SUT,)),
            catalog.ProductInput(code="1003", name="Çay 500 g", price=Decimal("120.00"), kdv_rate=20, barcodes=(CAY,)),
            catalog.ProductInput(code="1004", name="Deterjan", price=Decimal("85.00"), kdv_rate=20),
            catalog.ProductInput(code="00123", name="Domates", unit="kg", price=Decimal("40.00"), kdv_rate=1),
        ],
        now=now,
        kdv_rates=settings.kdv_rates,
    )
    actors = {name: staff.actor_of(info, settings) for name, info in team.items()}
    return Goods(settings=settings, now=now, **actors)


def line(product: str, qty: str, cost: str, discount: str = "0", kdv: int | None = None) -> receiving.ReceiptLineInput:
    from pos_tui.core.kernel import parse_quantity

    return receiving.ReceiptLineInput(product, parse_quantity(qty), Decimal(cost), Decimal(discount), kdv)


def receive(
    g: Goods,
    lines: Sequence[receiving.ReceiptLineInput],
    *,
    supplier: str = "ACME",
    document: str | None = None,
    kdv_included: bool = False,
    actor: Actor | None = None,
    **kw: object,
) -> receiving.ReceiptInfo:
    return receiving.post_receipt(
        receiving.ReceiptInput(
            supplier=supplier,
            document=document,
            lines=lines,
            kdv_included=kdv_included,
            **kw,  # type: ignore[arg-type]
        ),
        actor=actor or g.admin,
        now=g.now,
        terminal="T1",
        kdv_rates=g.settings.kdv_rates,
        tz=g.settings.shop.timezone,
    )


def product_row(code: str) -> tuple[int, int, int]:
    """(stock milli-units, stock value kuruş, average cost kuruş)."""
    p = m.Product.get(m.Product.code == code)
    return p.stock, p.stock_value, p.cost

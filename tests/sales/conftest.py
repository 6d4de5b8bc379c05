"""Fixtures for the sale engine tests: users, products and actors made directly with the
models, so these tests depend only on the store and the sale engine."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from pos_tui.core.basket import Cart
from pos_tui.core.kernel import Actor, to_db, to_kurus
from pos_tui.settings import Settings
from pos_tui.store import models as m
from pos_tui.text import fold

_pins = itertools.count(1000)

MakeUser = Callable[..., Actor]
MakeProduct = Callable[..., m.Product]


@pytest.fixture
def make_user(db: object, settings: Settings, now: datetime) -> MakeUser:
    def make(name: str, role: str = "cashier") -> Actor:
        user = m.User.create(
            name=name, role=role, pin_tag=f"tag-{next(_pins)}", pin_hash="not-a-real-hash", created_at=to_db(now)
        )
        r = settings.roles[role]
        return Actor(int(user.id), name, role, r.permissions, r.max_discount_pct)

    return make


@pytest.fixture
def make_product(db: object, now: datetime) -> MakeProduct:
    def make(
        code: str,
        name: str,
        price: str,
        kdv_rate: int = 20,
        *,
        unit: str = "piece",
        barcodes: Iterable[str] = (),
        stock: int = 0,
        active: bool = True,
    ) -> m.Product:
        product = m.Product.create(
            code=code,
            name=name,
            name_key=fold(name),
            unit=unit,
            price=to_kurus(Decimal(price)),
            kdv_rate=kdv_rate,
            stock=stock,
            active=active,
            updated_at=to_db(now),
        )
        for b in barcodes:
            m.Barcode.create(code=b, product=product)
        return product

    return make


@pytest.fixture
def cashier(make_user: MakeUser) -> Actor:
    return make_user("ayse", "cashier")


@pytest.fixture
def supervisor(make_user: MakeUser) -> Actor:
    return make_user("mehmet", "supervisor")


def _add(cart: Cart, product: m.Product, qty_milli: int = 1000, **kw: Any) -> Cart:
    return cart.add(
        product_id=product.id,
        code=product.code,
        name=product.name,
        unit=product.unit,
        kdv_rate=product.kdv_rate,
        price=Decimal(product.price) / 100,
        qty_milli=qty_milli,
        **kw,
    )


@pytest.fixture
def add() -> Callable[..., Cart]:
    """``add(cart, product, qty_milli=1000, **kw)``: put a product row on a cart at its catalog
    price, without a catalog lookup."""
    return _add


@pytest.fixture
def cli(db: object, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    """``cli(*args)``: run pos-admin in-process against the test database, with fresh CLI
    state per call (as a real process would have)."""
    from pos_tui.cli import common
    from pos_tui.cli.app import app

    runner = CliRunner(
        env={
            "POS_DB": settings.db_url,
            "POS_HOME": str(settings.home),
            "POS_CONFIG": str(settings.source),
            "POS_LANG": "en",
            "POS_TERMINAL": "T1",
        }
    )

    def run(*args: str) -> Result:
        monkeypatch.setattr(common, "STATE", common.State())
        return runner.invoke(app, list(args))

    return run

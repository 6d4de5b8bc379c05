"""Fixtures for the points ledger tests: a cashier, a supervisor, a member, sale rows."""

from __future__ import annotations

from datetime import datetime

import pytest
from checkout_support import Product, product_maker
from loyalty_support import MakeActor, MakeSale, new_member, new_sale, new_user

from pos_tui.core.kernel import Actor
from pos_tui.settings import Settings


@pytest.fixture
def make_actor(db: object, settings: Settings, now: datetime) -> MakeActor:
    def make(name: str, role: str = "cashier") -> Actor:
        r = settings.roles[role]
        return Actor(new_user(now, name, role), name, role, r.permissions, r.max_discount_pct)

    return make


@pytest.fixture
def cashier(make_actor: MakeActor) -> Actor:
    return make_actor("ayse", "cashier")


@pytest.fixture
def supervisor(make_actor: MakeActor) -> Actor:
    return make_actor("mehmet", "supervisor")


@pytest.fixture
def member(db: object, now: datetime) -> int:
    return new_member(now)


@pytest.fixture
def make_sale(cashier: Actor, now: datetime) -> MakeSale:
    def make(at: datetime | None = None, total_kurus: int = 100_000) -> int:
        return new_sale(at or now, cashier.user_id, total_kurus)

    return make


@pytest.fixture
def till(cashier: Actor) -> Actor:
    """The cashier who rings up the checkout tests' sales."""
    return cashier


@pytest.fixture
def product(db: object, now: datetime) -> Product:
    return product_maker(now)

"""Fixtures and helpers the accounts tests share (a uniquely named module: the test modules import
it by name; it holds no tests itself)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from argon2 import PasswordHasher

from pos_tui.core import accounts, catalog, staff
from pos_tui.core.kernel import Actor, to_kurus
from pos_tui.core.staff import users
from pos_tui.settings import Settings

# Valid identity numbers (python-stdnum's check digits)
VKN = "1234567890"  # a company's VKN (check digit valid)
TCKN = "10000000146"  # a person's TCKN (check digits valid)


@dataclass(frozen=True)
class Books:
    admin: Actor
    ayse: Actor  # cashier
    mehmet: Actor  # supervisor
    settings: Settings
    now: datetime
    bakkal: accounts.PartyInfo  # customer, 30 days, limit 1.000,00
    acme: accounts.PartyInfo  # supplier, 45 days


@pytest.fixture(autouse=True, name="_quick_pins")
def quick_pins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(users, "_HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture(name="books")
def books_fixture(db: object, settings: Settings, now: datetime) -> Books:
    return make_books(settings, now)


def make_books(settings: Settings, now: datetime) -> Books:
    """Users (ayse 1111 cashier, mehmet 2222 supervisor, admin 9999), products 1001–1004, a customer
    account BAKKAL (VKN, 30 days, limit 1.000,00) and a supplier account ACME (45 days)."""
    team = {
        "ayse": staff.add_user("ayse", "cashier", "1111", now=now, settings=settings),
        "mehmet": staff.add_user("mehmet", "supervisor", "2222", now=now, settings=settings),
        "admin": staff.add_user("admin", "admin", "9999", now=now, settings=settings),
    }
    catalog.upsert_products(
        [
            catalog.ProductInput(
                code="1001", name="Ekmek", price=Decimal("10.00"), kdv_rate=1, barcodes=("8690000000012",)
            ),
            catalog.ProductInput(code="1002", name="Süt 1 L", price=Decimal("32.50"), kdv_rate=1),
            catalog.ProductInput(code="1003", name="Çay 500 g", price=Decimal("120.00"), kdv_rate=20),
            catalog.ProductInput(code="1004", name="Deterjan", price=Decimal("85.00"), kdv_rate=20),
        ],
        now=now,
        kdv_rates=settings.kdv_rates,
    )
    bakkal = accounts.add_party(
        accounts.PartyInput(
            code="BAKKAL",
            name="Köşe Bakkalı Ltd.",
            kind="customer",
            vkn=VKN,
            tax_office="Kadıköy",
            phone="0532 111 22 33",
            terms_days=30,
            credit_limit=Decimal("1000.00"),
        ),
        now=now,
    )
    acme = accounts.add_party(
        accounts.PartyInput(code="ACME", name="Acme Gıda A.Ş.", kind="supplier", terms_days=45), now=now
    )
    actors = {name: staff.actor_of(info, settings) for name, info in team.items()}
    return Books(settings=settings, now=now, bakkal=bakkal, acme=acme, **actors)


def post(
    books: Books,
    party: accounts.PartyInfo,
    kind: str,
    amount: str,
    *,
    days: int = 0,
    due_days: int | None = None,
    **kw: object,
) -> accounts.PostedEntry:
    """Post one entry of ``amount`` TRY (signed) ``days`` after ``books.now``, due ``due_days`` later."""
    at = books.now + timedelta(days=days)
    due = None if due_days is None else (at + timedelta(days=due_days)).date()
    (entry,) = accounts.post_entries(
        [
            accounts.EntryDraft(
                party_id=party.id,
                kind=kind,
                amount=to_kurus(Decimal(amount)),
                at=at,
                due=due,
                terminal="T1",
                user_id=books.admin.user_id,
                **kw,  # type: ignore[arg-type]
            )
        ],
        now=at,
        tz=books.settings.shop.timezone,
    )
    return entry


# The state machine's start: Monday 2 November 2026, 09:00 in Istanbul.
NOW_MACHINE = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)

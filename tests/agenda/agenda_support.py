"""Fixtures the agenda tests share (a uniquely named module, imported by name; no tests here).
The shop and its accounts come from the accounts tests' ``make_books``."""

from __future__ import annotations

import sys
from datetime import date, datetime
from pathlib import Path

import pytest
from argon2 import PasswordHasher

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "accounts"))

from accounts_support import Books, make_books, post

from pos_tui.core.kernel import to_db
from pos_tui.core.staff import users
from pos_tui.settings import Settings
from pos_tui.store import models as m

__all__ = ["TZ", "Books", "cheque", "make_books", "post"]

TZ = "Europe/Istanbul"


@pytest.fixture(autouse=True, name="_quick_pins")
def quick_pins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(users, "_HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture(name="books")
def books_fixture(db: object, settings: Settings, now: datetime) -> Books:
    return make_books(settings, now)


def cheque(
    books: Books, number: int, amount: int, due: date, *, status: str = "portfolio", direction: str = "received"
) -> m.Cheque:
    """A cheque row written directly (the cheques helper's services are not merged yet)."""
    party = books.bakkal if direction == "received" else books.acme
    return m.Cheque.create(
        number=number,
        instrument="cheque",
        direction=direction,
        party=party.id,
        amount=amount,
        due=due,
        status=status,
        created_at=to_db(books.now),
    )

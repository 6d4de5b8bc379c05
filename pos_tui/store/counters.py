"""Gapless counters (receipt numbers, Z numbers) per terminal."""

from __future__ import annotations

from pos_tui.store import fast
from pos_tui.store import models as m


def next_value(scope: str, name: str) -> int:
    """Increment and return the counter ``(scope, name)``, starting at 1.

    Call it only inside the write transaction that uses the number: a rollback gives the
    number back, so the sequence has no gaps. The upsert locks the counter row (SQLite holds
    the write lock already; PostgreSQL locks the row), so two terminals never get the same
    number. It is one statement (``INSERT … ON CONFLICT … RETURNING``) where the backend
    supports it: a sale takes a number on every posting.
    """
    return fast.upsert_add(m.Counter, {"scope": scope, "name": name}, "value", 1)

"""Gapless counters (receipt numbers, Z numbers) per terminal."""

from __future__ import annotations

from pos_tui.store import models as m


def next_value(scope: str, name: str) -> int:
    """Increment and return the counter ``(scope, name)``, starting at 1.

    Call it only inside the write transaction that uses the number: a rollback gives the
    number back, so the sequence has no gaps. The upsert locks the counter row (SQLite holds
    the write lock already; PostgreSQL locks the row), so two terminals never get the same
    number.
    """
    m.Counter.insert(scope=scope, name=name, value=1).on_conflict(
        conflict_target=[m.Counter.scope, m.Counter.name],
        update={m.Counter.value: m.Counter.value + 1},
    ).execute()
    where = (m.Counter.scope == scope) & (m.Counter.name == name)
    return int(m.Counter.select(m.Counter.value).where(where).scalar())

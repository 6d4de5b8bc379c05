"""The store: pragmas for a till, insert-only posted documents, and the journal chain."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import peewee
import pytest

from pos_tui.core import kernel
from pos_tui.store import models as m
from pos_tui.store import write_tx
from pos_tui.store.migrations import CURRENT_VERSION, schema_version


def test_sqlite_pragmas_for_a_till(db) -> None:  # type: ignore[no-untyped-def]
    pragma = lambda name: db.execute_sql(f"PRAGMA {name}").fetchone()[0]  # noqa: E731
    assert pragma("journal_mode") == "wal"
    assert pragma("synchronous") == 2  # FULL: committed sales survive power loss
    assert pragma("foreign_keys") == 1
    assert pragma("busy_timeout") == 5000
    assert schema_version(db) == CURRENT_VERSION


def test_journal_is_a_hash_chain_and_insert_only(db, now: datetime) -> None:  # type: ignore[no-untyped-def]
    with write_tx():
        first = kernel.append("test", {"n": 1, "amount": "1.00"}, terminal="T1", now=now)
        second = kernel.append("test", {"n": 2, "ad": "Gül"}, terminal="T1", now=now)
    assert first.prev_hash == kernel.GENESIS
    assert second.prev_hash == first.hash
    assert second.hash == kernel.chain_hash(first.hash, '{"ad":"Gül","n":2}')
    head = m.MetaEntry.get(m.MetaEntry.key == kernel.HEAD_KEY).value
    assert head == f"{second.id}:{second.hash}"
    with pytest.raises(peewee.IntegrityError, match="insert-only"):
        m.JournalEntry.update(payload="{}").where(m.JournalEntry.id == first.id).execute()
    with pytest.raises(peewee.IntegrityError, match="insert-only"):
        m.JournalEntry.delete().execute()


def test_a_failed_transaction_leaves_no_journal_entry(db, now: datetime) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(RuntimeError), write_tx():
        kernel.append("test", {"n": 1}, terminal="T1", now=now)
        raise RuntimeError("boom")
    assert m.JournalEntry.select().count() == 0
    assert m.MetaEntry.get_or_none(m.MetaEntry.key == kernel.HEAD_KEY) is None


def test_closed_shift_cannot_change(db, now: datetime) -> None:  # type: ignore[no-untyped-def]
    user = m.User.create(name="ayse", role="cashier", pin_tag="x", pin_hash="y", created_at=now.replace(tzinfo=None))
    shift = m.Shift.create(terminal="T1", opened_by=user, opened_at=now.replace(tzinfo=None), opening_float=0)
    m.Shift.update(closed_at=now.replace(tzinfo=None), closed_by=user, counted_cash=0).where(
        m.Shift.id == shift.id
    ).execute()
    with pytest.raises(peewee.IntegrityError, match="closed"):
        m.Shift.update(counted_cash=100).where(m.Shift.id == shift.id).execute()


def test_open_database_creates_parent_directory(tmp_path: Path) -> None:
    from pos_tui.store import close_database, open_database

    db = open_database(tmp_path / "a" / "b" / "pos.sqlite3")
    try:
        assert schema_version(db) == CURRENT_VERSION
    finally:
        close_database()


def test_non_durable_write_commits_and_restores_full_sync(db, now: datetime) -> None:  # type: ignore[no-untyped-def]
    with write_tx(durable=False):
        assert db.execute_sql("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL inside
        kernel.append("test", {"n": 1}, terminal="T1", now=now)
    assert db.execute_sql("PRAGMA synchronous").fetchone()[0] == 2  # FULL again for sales
    assert m.JournalEntry.select().count() == 1
    with pytest.raises(RuntimeError), write_tx(durable=False):
        kernel.append("test", {"n": 2}, terminal="T1", now=now)
        raise RuntimeError("boom")
    assert db.execute_sql("PRAGMA synchronous").fetchone()[0] == 2
    assert m.JournalEntry.select().count() == 1

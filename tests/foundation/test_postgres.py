"""The same models, guards and journal run on PostgreSQL (the central store).

Needs ``POS_TEST_PG_URL`` (``.ci/run`` starts a throwaway server and sets it); each test gets
a fresh database created on that server.
"""

from __future__ import annotations

from datetime import datetime

import peewee
import pytest

from pos_tui.core import kernel
from pos_tui.store import models as m
from pos_tui.store import write_tx
from pos_tui.store.migrations import CURRENT_VERSION, schema_version

pytestmark = pytest.mark.postgres


def test_schema_and_guards_on_postgres(pg_db: peewee.Database, now: datetime) -> None:
    assert schema_version(pg_db) == CURRENT_VERSION
    with write_tx():
        a = kernel.append("test", {"ad": "Gül"}, terminal="T1", now=now)
        b = kernel.append("test", {"n": 2}, terminal="T1", now=now)
    assert b.prev_hash == a.hash
    with pytest.raises(peewee.DatabaseError, match="insert-only"), pg_db.atomic():
        m.JournalEntry.update(payload="{}").execute()
    with pytest.raises(peewee.DatabaseError, match="insert-only"), pg_db.atomic():
        m.JournalEntry.delete().execute()
    assert m.JournalEntry.select().count() == 2

"""The same models, guards and journal run on PostgreSQL (the central store).

Needs ``POS_TEST_PG_URL`` (``.ci/run`` starts a throwaway server and sets it); each test gets
a fresh database created on that server.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import datetime

import peewee
import pytest

from pos_tui.core import journal
from pos_tui.store import close_database, open_database, write_tx
from pos_tui.store import models as m
from pos_tui.store.migrations import CURRENT_VERSION, schema_version

pytestmark = pytest.mark.postgres
PG_URL = os.environ.get("POS_TEST_PG_URL")


@pytest.fixture
def pg_db() -> Iterator[peewee.Database]:
    if not PG_URL:
        pytest.skip("POS_TEST_PG_URL is not set (.ci/run starts a PostgreSQL server and sets it)")
    import psycopg2

    name = f"pos_test_{uuid.uuid4().hex[:12]}"
    admin = psycopg2.connect(PG_URL)
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    db = open_database(PG_URL.rsplit("/", 1)[0] + "/" + name)
    try:
        yield db
    finally:
        close_database()
        admin.cursor().execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.close()


def test_schema_and_guards_on_postgres(pg_db: peewee.Database, now: datetime) -> None:
    assert schema_version(pg_db) == CURRENT_VERSION
    with write_tx():
        a = journal.append("test", {"ad": "Gül"}, terminal="T1", now=now)
        b = journal.append("test", {"n": 2}, terminal="T1", now=now)
    assert b.prev_hash == a.hash
    with pytest.raises(peewee.DatabaseError, match="insert-only"), pg_db.atomic():
        m.JournalEntry.update(payload="{}").execute()
    with pytest.raises(peewee.DatabaseError, match="insert-only"), pg_db.atomic():
        m.JournalEntry.delete().execute()
    assert m.JournalEntry.select().count() == 2

"""Fixtures for the sync tests: a fresh central PostgreSQL database per test, switching the
store between databases, and a terminal's identity set without the network.

The store's proxy is bound to one database per process; the centre's side of sync takes its
database explicitly (:func:`pos_tui.core.sync.open_central`), so a test acts as a terminal on its
SQLite file and reaches the centre through that object. To write master data *at* the centre with
the ordinary services (as ``pos-admin --db postgresql://…`` does), use :func:`bound`.
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "accounts"))

from accounts_support import quick_pins  # noqa: F401

from pos_tui.core.sync import connection, identity
from pos_tui.store import close_database, open_database
from pos_tui.store.proxy import database

PG_URL = os.environ.get("POS_TEST_PG_URL")


def _admin():  # type: ignore[no-untyped-def]
    import psycopg2

    conn = psycopg2.connect(PG_URL)
    conn.autocommit = True
    return conn


def new_central() -> str:
    """A new PostgreSQL database with pos_tui's schema; returns its URL."""
    if not PG_URL:
        pytest.skip("POS_TEST_PG_URL is not set (.ci/run starts a PostgreSQL server and sets it)")
    name = f"pos_sync_{uuid.uuid4().hex[:12]}"
    admin = _admin()
    try:
        admin.cursor().execute(f'CREATE DATABASE "{name}"')
    finally:
        admin.close()
    url = PG_URL.rsplit("/", 1)[0] + "/" + name
    with bound(url):
        pass  # open_database creates the schema (and the revision triggers)
    return url


def drop_central(url: str) -> None:
    connection.forget()
    current = _current_url()
    if current is not None and current.rsplit("/", 1)[-1] == url.rsplit("/", 1)[-1]:
        # never leave the store bound to a database about to go: the next test's bound() reopened it
        close_database()
        database.initialize(None)
    admin = _admin()
    try:
        admin.cursor().execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
    finally:
        admin.close()


@pytest.fixture
def central_url() -> Iterator[str]:
    """A fresh central database (schema 11) on the server at ``POS_TEST_PG_URL``; dropped after."""
    url = new_central()
    try:
        yield url
    finally:
        drop_central(url)


def _current_url() -> str | None:
    obj = database.obj
    if obj is None:
        return None
    from peewee import SqliteDatabase

    if isinstance(obj, SqliteDatabase):
        return str(obj.database)
    params = dict(obj.connect_params)
    user = params.get("user", "")
    host = params.get("host", "127.0.0.1")
    port = params.get("port", 5432)
    return f"postgresql://{user}@{host}:{port}/{obj.database}"


@contextmanager
def bound(url: str | Path) -> Iterator[None]:
    """Bind the store to ``url`` for the block (created or upgraded), then back to the database
    it was bound to before."""
    before = _current_url()
    close_database()
    open_database(url)
    try:
        yield
    finally:
        close_database()
        if before is not None:
            open_database(before)


def set_identity(terminal: str, store: str, central: str, *, card_block: int | None = None) -> None:
    """What ``sync init`` records, without asking the centre (tests of one side only). The
    member card block (which the centre gives at the join) is ``card_block``, else the
    terminal code's number (T2: 2)."""
    digits = "".join(c for c in terminal if c.isdigit())
    block = card_block if card_block is not None else (int(digits) if digits and 0 < int(digits) < 1000 else 999)
    identity.put({"terminal": terminal, "store": store, "central": central, "card_block": str(block)})

"""Shared fixtures: a temporary SQLite file per test (never ``:memory:``, which breaks in
worker threads), settings pointing at it, and the language fixed to English so assertions
read the same everywhere (Turkish output has its own tests)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import peewee
import pytest

from pos_tui.i18n import set_language
from pos_tui.settings import Settings, load_settings
from pos_tui.store import close_database, open_database

REPO = Path(__file__).resolve().parent.parent

# A fixed moment for tests: Sunday 1 November 2026, 10:15 in Istanbul.
NOW = datetime(2026, 11, 1, 7, 15, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    set_language("en")
    yield
    set_language("en")


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "pos.sqlite3"


@pytest.fixture
def settings(tmp_path: Path, db_path: Path) -> Settings:
    env = {
        "POS_HOME": str(tmp_path),
        "POS_DB": str(db_path),
        "POS_LANG": "en",
        "POS_CONFIG": str(REPO / "config" / "pos.toml"),
    }
    return load_settings(env)


@pytest.fixture
def db(db_path: Path) -> Iterator[object]:
    database = open_database(db_path)
    yield database
    close_database()


@pytest.fixture
def now() -> datetime:
    return NOW


PG_URL = os.environ.get("POS_TEST_PG_URL")


@pytest.fixture
def pg_db() -> Iterator[peewee.Database]:
    """A fresh PostgreSQL database on the server at ``POS_TEST_PG_URL`` (``.ci/run`` starts a
    throwaway one), dropped after the test. Skips when no server is configured."""
    if not PG_URL:
        pytest.skip("POS_TEST_PG_URL is not set (.ci/run starts a PostgreSQL server and sets it)")
    import psycopg2

    name = f"pos_test_{uuid.uuid4().hex[:12]}"
    admin = psycopg2.connect(PG_URL)
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    database = open_database(PG_URL.rsplit("/", 1)[0] + "/" + name)
    try:
        yield database
    finally:
        close_database()
        admin.cursor().execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.close()

"""Shared fixtures: a temporary SQLite file per test (never ``:memory:``, which breaks in
worker threads), settings pointing at it, and the language fixed to English so assertions
read the same everywhere (Turkish output has its own tests)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import peewee
import pytest
import typer
from typer.testing import CliRunner

from pos_tui.cli import common
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
def cli(db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Any]]:
    """``cli(*args, input=None, env=None, app=None)``: run pos-admin in-process against the test
    database (``app``: a sub-app instead of the whole CLI).

    The CLI keeps per-process state (settings, whether the database is open); each invocation
    here gets a fresh one, as a real process would.
    """
    base = {
        "POS_DB": str(db_path),
        "POS_HOME": str(tmp_path),
        "POS_CONFIG": str(REPO / "config" / "pos.toml"),
        "POS_LANG": "en",
        "POS_TERMINAL": "T1",
    }

    def run(
        *args: str, input: str | None = None, env: dict[str, str] | None = None, app: typer.Typer | None = None
    ) -> Any:
        from pos_tui.cli import output
        from pos_tui.cli.app import app as root

        monkeypatch.setattr(common, "STATE", common.State())
        for console in (output.stdout, output.stderr):  # made again: their width is read from COLUMNS once
            monkeypatch.setattr(console, "_console", None)
        return CliRunner(env={**base, **(env or {})}).invoke(app or root, list(args), input=input)

    yield run
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

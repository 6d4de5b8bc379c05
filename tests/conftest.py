"""Shared fixtures: a temporary SQLite file per test (never ``:memory:``, which breaks in
worker threads), settings pointing at it, and the language fixed to English so assertions
read the same everywhere (Turkish output has its own tests)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

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

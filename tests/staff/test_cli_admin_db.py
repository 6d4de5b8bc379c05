"""``pos-admin init``, ``db upgrade`` and ``backup``."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from pos_tui.cli import dbcmd
from pos_tui.core.kernel import Actor
from pos_tui.core.till import SaleResult
from pos_tui.store import models as m
from pos_tui.store.migrations import CURRENT_VERSION

Cli = Callable[..., Any]
Sell = Callable[..., SaleResult]


def test_init_creates_the_database_and_an_admin(cli: Cli, db_path: Path) -> None:
    assert not db_path.exists()
    first = cli("init", "--admin-pin", "9999")
    assert first.exit_code == 0, first.stderr
    assert f"Database ready: {db_path}" in first.stderr
    assert "Added admin user admin." in first.stderr
    assert db_path.is_file()
    again = cli("init", "--admin-pin", "1234")
    assert again.exit_code == 0 and "User admin already exists; its PIN is unchanged" in again.stderr
    users = json.loads(cli("users", "list", "--json").stdout)
    assert [(u["name"], u["role"]) for u in users] == [("admin", "admin")]
    assert cli("init").exit_code == 0
    bad = cli("init", "--admin-pin", "12", "--admin-name", "root")
    assert bad.exit_code == 1 and "4 to 8 digits" in bad.stderr


def test_db_upgrade_on_a_current_database(cli: Cli) -> None:
    cli("init")
    result = cli("db", "upgrade", "--json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert (doc["from"], doc["to"]) == (CURRENT_VERSION, CURRENT_VERSION)
    assert f"schema {CURRENT_VERSION} is up to date" in cli("db", "upgrade").stderr


def test_db_upgrade_refuses_a_missing_file(cli: Cli, db_path: Path) -> None:
    result = cli("db", "upgrade")
    assert result.exit_code == 1
    assert f"No database at {db_path}; create one with: pos-admin init" in result.stderr
    assert not db_path.exists()


def test_db_upgrade_refuses_a_newer_schema(cli: Cli, db_path: Path) -> None:
    cli("init")
    conn = sqlite3.connect(db_path)
    conn.execute("UPDATE meta_entry SET value = '99' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    result = cli("db", "upgrade")
    assert result.exit_code == 1 and "newer than this pos_tui" in result.stderr


def test_backup_copies_a_live_database_into_one_checked_file(
    people: dict[str, Actor], sell: Sell, now: datetime, cli: Cli, tmp_path: Path
) -> None:
    sale = sell(people["ayse"], [("1001", 1000)], [("cash", "10.00")], now=now)
    dest = tmp_path / "backups" / "pos-2026-11-01.sqlite3"
    result = cli("backup", str(dest))
    assert result.exit_code == 0, result.stderr
    assert f"to {dest}" in result.stderr and "integrity ok" in result.stderr
    assert sorted(p.name for p in dest.parent.iterdir()) == [dest.name]  # no -wal, no leftovers
    conn = sqlite3.connect(dest)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert conn.execute("SELECT uid FROM sale").fetchall() == [(sale.uid,)]
        assert conn.execute("SELECT count(*) FROM journal_entry").fetchone()[0] == m.JournalEntry.select().count()
    finally:
        conn.close()
    verify = cli("--db", str(dest), "audit", "verify")
    assert verify.exit_code == 0, verify.stderr


def test_backup_does_not_overwrite_without_yes(cli: Cli, tmp_path: Path) -> None:
    cli("init")
    dest = tmp_path / "copy.sqlite3"
    dest.write_bytes(b"an older backup")
    refused = cli("backup", str(dest), input="n\n")
    assert refused.exit_code == 1
    assert dest.read_bytes() == b"an older backup"
    replaced = cli("backup", str(dest), "--yes")
    assert replaced.exit_code == 0, replaced.stderr
    assert dbcmd.integrity(dest) == "ok"


def test_a_copy_that_fails_its_integrity_check_is_deleted(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli("init")
    monkeypatch.setattr(dbcmd, "integrity", lambda path: "*** in database main *** Page 7: btreeInitPage() error")
    dest = tmp_path / "copy.sqlite3"
    result = cli("backup", str(dest))
    assert result.exit_code == 1
    assert "The copy failed its integrity check (*** in database main *** Page 7" in result.stderr
    assert list(tmp_path.glob("*copy.sqlite3*")) == []


def test_backup_refuses_the_database_itself_and_postgres(cli: Cli, db_path: Path) -> None:
    cli("init")
    same = cli("backup", str(db_path), "--yes")
    assert same.exit_code == 1 and "cannot overwrite the database itself" in same.stderr
    pg = cli("--db", "postgresql://pos@localhost/pos", "backup", "x.dump")
    assert pg.exit_code == 1 and "pg_dump" in pg.stderr


def test_integrity_of_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"not a database at all" * 100)
    assert dbcmd.integrity(junk) != "ok"


def test_demo_loads_a_shop_that_passes_the_audit(cli: Cli) -> None:
    first = cli("demo")
    assert first.exit_code == 0, first.stderr
    assert "Users added: ayse, mehmet, admin" in first.stderr
    users = {(u["name"], u["role"]) for u in json.loads(cli("users", "list", "--json").stdout)}
    assert users == {("ayse", "cashier"), ("mehmet", "supervisor"), ("admin", "admin")}
    products = m.Product.select().count()
    assert products > 0
    again = cli("demo")
    assert again.exit_code == 0, again.stderr
    assert "Users added" not in again.stderr
    assert m.Product.select().count() == products
    assert cli("audit", "verify").exit_code == 0

"""``pos-admin db upgrade`` takes a schema-1 database (frozen in tests/data/schema_v1.sql) to
the current schema in place: every row kept, the name index back-filled, and the result
indistinguishable from a database created fresh."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pos_tui.store import close_database, open_database
from pos_tui.store.migrations import CURRENT_VERSION
from pos_tui.text import search_key

REPO = Path(__file__).resolve().parents[2]
SCHEMA_V1 = REPO / "tests" / "data" / "schema_v1.sql"
Cli = Callable[..., Any]

ROWS_V1 = """
INSERT INTO category (id, name) VALUES (1, 'Fırın'), (2, 'Şarküteri');
INSERT INTO product (id, code, name, name_key, unit, price, cost, kdv_rate, category_id, supplier_id, min_stock,
                     stock, active, updated_at) VALUES
  (1, '1001', 'Ekmek Tam Buğday', 'ekmek tam bugday', 'piece', 1000, 700, 1, 1, NULL, 0, -2000, 1,
   '2026-10-01 07:00:00'),
  (2, '3001', 'Isparta Gülü Kolonyası', 'isparta gulu kolonyasi', 'piece', 8990, 5000, 20, NULL, NULL, 0, 0, 1,
   '2026-10-01 07:00:00'),
  (3, '4001', 'Beyaz Peynir İnek', 'beyaz peynir inek', 'kg', 24000, 18000, 10, 2, NULL, 1000, 5000, 1,
   '2026-10-01 07:00:00');
INSERT INTO barcode (code, product_id) VALUES ('8690000000011', 1), ('8690000000028', 2);
INSERT INTO user (id, name, role, pin_tag, pin_hash, active, created_at) VALUES
  (1, 'ayse', 'cashier', 'tag-1', '$argon2id$v=19$m=65536,t=3,p=4$x$y', 1, '2026-10-01 06:00:00');
INSERT INTO shift (id, terminal, opened_by_id, opened_at, opening_float) VALUES
  (1, 'T1', 1, '2026-10-01 06:30:00', 10000);
INSERT INTO sale (id, uid, kind, terminal, receipt_no, at, cashier_id, customer_id, shift_id, return_of_id,
                  subtotal, discount, total, source, note) VALUES
  (1, 'abc', 'sale', 'T1', 1, '2026-10-01 07:15:00', 1, NULL, 1, NULL, 2000, 0, 2000, 'till', NULL);
INSERT INTO sale_line (id, sale_id, line_no, product_id, code, barcode, name, unit, qty, unit_price, list_price,
                       discount, total, kdv_rate, kdv, origin_line_id, price_override_reason) VALUES
  (1, 1, 1, 1, '1001', '8690000000011', 'Ekmek Tam Buğday', 'piece', 2000, 1000, 1000, 0, 2000, 1, 20, NULL, NULL);
INSERT INTO payment (id, sale_id, method, amount, tendered, change, reference) VALUES
  (1, 1, 'cash', 2000, 5000, 3000, NULL);
INSERT INTO sale_kdv (sale_id, rate, base, kdv) VALUES (1, 1, 1980, 20);
INSERT INTO stock_movement (id, product_id, at, qty, kind, sale_id, note) VALUES
  (1, 1, '2026-10-01 07:15:00', -2000, 'sale', 1, NULL),
  (2, 3, '2026-10-01 06:00:00', 5000, 'import', NULL, 'opening stock');
INSERT INTO journal_entry (id, at, terminal, kind, ref, payload, prev_hash, hash) VALUES
  (1, '2026-10-01 07:15:00', 'T1', 'sale', 'abc', '{"id":"abc"}', '0000', 'ffff');
INSERT INTO counter (scope, name, value) VALUES ('T1', 'receipt', 1);
"""


def build_v1(path: Path) -> None:
    conn = sqlite3.connect(path)
    try:
        conn.executescript(SCHEMA_V1.read_text(encoding="utf-8"))
        conn.executescript(ROWS_V1)
        conn.commit()
    finally:
        conn.close()


def query(path: Path, sql: str) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def contents(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every ordinary table's rows (not the name index's virtual and shadow tables)."""
    tables = sorted(
        t
        for _s, t, kind, *_rest in query(path, "PRAGMA main.table_list")
        if kind == "table" and not t.startswith("sqlite_")
    )
    return {t: query(path, f'SELECT * FROM "{t}" ORDER BY 1, 2') for t in tables if t != "meta_entry"}


def schema(path: Path) -> dict[str, Any]:
    """Tables with their columns, foreign keys and indexes, and the triggers: what the schema is,
    not how its CREATE statements happened to be spelled."""
    conn = sqlite3.connect(path)
    try:
        out: dict[str, Any] = {}
        tables = [t for (t,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for t in sorted(tables):
            columns = sorted(conn.execute(f'PRAGMA table_info("{t}")').fetchall())
            fks = sorted(tuple(r[2:]) for r in conn.execute(f'PRAGMA foreign_key_list("{t}")'))
            indexes = {}
            for _seq, name, unique, origin, _partial in conn.execute(f'PRAGMA index_list("{t}")'):
                cols = [r[2] for r in conn.execute(f'PRAGMA index_info("{name}")')]
                indexes[name if origin == "c" else f"{origin}:{','.join(cols)}"] = (unique, cols)
            out[t] = {"columns": columns, "foreign_keys": fks, "indexes": indexes}
        out["triggers"] = sorted(
            conn.execute("SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger'").fetchall()
        )
        return out
    finally:
        conn.close()


@pytest.fixture
def v1(tmp_path: Path) -> Path:
    path = tmp_path / "old.sqlite3"
    build_v1(path)
    return path


@pytest.fixture
def fresh(tmp_path: Path) -> Path:
    path = tmp_path / "fresh.sqlite3"
    open_database(path)
    close_database()
    return path


def check_upgraded(path: Path, before: dict[str, list[tuple[Any, ...]]], fresh: Path) -> None:
    assert query(path, "SELECT value FROM meta_entry WHERE key = 'schema_version'") == [(str(CURRENT_VERSION),)]
    after = contents(path)
    for table, rows in before.items():
        # later schemas may add columns at the end (sale.member_id in 4); the old ones keep every
        # value, but product.name_key (column 3), which schema 7 recomputes: checked below
        def kept(row: tuple[Any, ...], table: str = table) -> tuple[Any, ...]:
            return row[:3] + row[4:] if table == "product" else row

        now = after[table]
        if table == "stock_movement":  # schema 8 values the stock on hand: one revalue movement each
            now, added = now[: len(rows)], now[len(rows) :]
            assert [(r[1], r[3], r[4]) for r in added] == [(3, 0, "revalue")], added
        assert len(now) == len(rows), table
        assert [kept(row[: len(old)]) for row, old in zip(now, rows, strict=True)] == [kept(r) for r in rows], table
    # schema 8: every old movement at the default location, the cache filled from them, the stock valued
    assert query(path, "SELECT id, code, is_default FROM stock_location") == [(1, "MAGAZA", 1)]
    assert query(path, "SELECT COUNT(*) FROM stock_movement WHERE location_id IS NULL") == [(0,)]
    assert query(path, "SELECT product_id, location_id, qty FROM stock_level ORDER BY 1") == query(
        path, "SELECT id, 1, stock FROM product WHERE id IN (SELECT product_id FROM stock_movement) ORDER BY 1"
    )
    assert query(path, "SELECT id, stock_value FROM product WHERE stock_value != 0") == query(
        path, "SELECT product_id, SUM(value) FROM stock_movement GROUP BY product_id HAVING SUM(value) != 0"
    )
    names = dict(query(path, "SELECT id, name FROM product"))
    assert dict(query(path, "SELECT id, name_key FROM product")) == {i: search_key(n) for i, n in names.items()}
    assert "product_word" not in after
    for word, found in (("isp", [2]), ("bugday", [1]), ("bug", [1])):  # the name index, built by schema 7
        assert [
            r[0] for r in query(path, f"SELECT rowid FROM product_search WHERE product_search MATCH '{word}*'")
        ] == found
    assert after["cart_draft"] == []
    assert schema(path) == schema(fresh)


def test_cli_upgrade_from_schema_1(v1: Path, fresh: Path, cli: Cli) -> None:
    before = contents(v1)
    assert "product_word" not in before
    result = cli("--db", str(v1), "db", "upgrade", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {"database": str(v1), "from": 1, "to": CURRENT_VERSION}
    check_upgraded(v1, before, fresh)
    again = cli("--db", str(v1), "db", "upgrade", "--json")
    assert json.loads(again.stdout)["from"] == CURRENT_VERSION
    check_upgraded(v1, before, fresh)


def test_the_upgraded_guards_still_hold(v1: Path, cli: Cli) -> None:
    assert cli("--db", str(v1), "db", "upgrade").exit_code == 0
    conn = sqlite3.connect(v1)
    try:
        with pytest.raises(sqlite3.IntegrityError, match="insert-only"):
            conn.execute("UPDATE sale SET total = 1")
    finally:
        conn.close()


@pytest.mark.slow
def test_installed_pos_admin_upgrades_schema_1(v1: Path, fresh: Path, tmp_path: Path) -> None:
    # the pos-admin installed beside the Python running the tests (a venv's bin/ need not be on PATH)
    exe = shutil.which("pos-admin", path=os.path.dirname(sys.executable)) or shutil.which("pos-admin")
    assert exe, "pos-admin is not installed (pip install -e .)"
    before = contents(v1)
    env = {**os.environ, "POS_HOME": str(tmp_path), "POS_LANG": "en", "POS_CONFIG": str(REPO / "config" / "pos.toml")}
    env.pop("POS_DB", None)
    done = subprocess.run([exe, "--db", str(v1), "db", "upgrade"], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert f"{v1}: schema upgraded from 1 to {CURRENT_VERSION}." in done.stderr
    check_upgraded(v1, before, fresh)


def test_schema_6_never_reuses_a_journal_id(v1: Path, fresh: Path, cli: Cli) -> None:
    """Schema 6 rebuilds journal_entry with an AUTOINCREMENT id: every row kept, the triggers back,
    and the id of a deleted last entry is not handed out again (issue 10)."""
    before = query(v1, "SELECT * FROM journal_entry")
    assert cli("--db", str(v1), "db", "upgrade").exit_code == 0
    assert query(v1, "SELECT * FROM journal_entry") == before
    for path in (v1, fresh):
        (sql,) = query(path, "SELECT sql FROM sqlite_master WHERE name = 'journal_entry'")[0]
        assert "AUTOINCREMENT" in sql, path
    conn = sqlite3.connect(v1)
    try:
        with pytest.raises(sqlite3.IntegrityError, match="insert-only"):
            conn.execute("DELETE FROM journal_entry")
        with pytest.raises(sqlite3.IntegrityError, match="insert-only"):
            conn.execute("UPDATE journal_entry SET payload = '{}'")
        conn.execute("DROP TRIGGER journal_entry_no_delete")
        conn.execute("DELETE FROM journal_entry WHERE id = 1")
        conn.execute(
            "INSERT INTO journal_entry (at, terminal, kind, ref, payload, prev_hash, hash) "
            "VALUES ('2026-10-02 07:00:00', 'T1', 'sale', 'x', '{}', '0000', 'eeee')"
        )
        assert conn.execute("SELECT id FROM journal_entry").fetchall() == [(2,)]
    finally:
        conn.close()


def test_schema_6_keeps_the_ids_of_a_tail_cut_before_the_upgrade(v1: Path, cli: Cli) -> None:
    """The head names entry 5 but only entry 1 is left: ids 2..5 are never handed out again."""
    conn = sqlite3.connect(v1)
    try:
        conn.execute("INSERT INTO meta_entry (key, value) VALUES ('journal_head', '5:ffff')")
        conn.commit()
    finally:
        conn.close()
    assert cli("--db", str(v1), "db", "upgrade").exit_code == 0
    assert query(v1, "SELECT seq FROM sqlite_sequence WHERE name = 'journal_entry'") == [(5,)]

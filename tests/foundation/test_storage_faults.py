"""A damaged database file and a full disk (issue 10, sections 2 and 3): a clear refusal with
exit 1 naming the file (and the last good backup), never a traceback, never a write."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pos_tui.store import close_database
from pos_tui.store import db as store_db

HEADER = "code,barcode,name,unit,price,cost,kdv_rate,category,supplier,min_stock,stock\n"


def damage(path: Path) -> None:
    """Overwrite the header of an index's root page: ``PRAGMA quick_check`` reports it."""
    close_database()
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        root = conn.execute(
            "SELECT rootpage FROM sqlite_master WHERE type = 'index' AND name = 'product_code'"
        ).fetchone()[0]
    conn.close()
    with path.open("r+b") as f:
        f.seek((root - 1) * page_size)
        f.write(b"\xff" * 16)
    assert store_db.quick_check(path) != "ok"


def garble(path: Path) -> None:
    """Overwrite the file's header: SQLite no longer reads it as a database."""
    close_database()
    with path.open("r+b") as f:
        f.write(b"this is not a database file at all" * 4)


def products_file(tmp_path: Path, rows: int) -> Path:
    path = tmp_path / "products.csv"
    lines = [
        f"{1000 + i},,Ürün {i} {'uzun bir ad ' * 8},piece,10.00,5.00,20,Kategori {i % 50},,1,5\n" for i in range(rows)
    ]
    path.write_text(HEADER + "".join(lines), encoding="utf-8")
    return path


@pytest.fixture
def shop(cli: Callable[..., Any], db_path: Path) -> Path:
    assert cli("init", "--admin-pin", "9999").exit_code == 0
    close_database()
    return db_path


@pytest.mark.parametrize(
    "args",
    [("users", "list"), ("report", "x"), ("export", "sales"), ("export", "products"), ("init",), ("audit", "verify")],
)
@pytest.mark.parametrize("spoil", [damage, garble])
def test_a_damaged_file_is_refused(
    shop: Path, cli: Callable[..., Any], args: tuple[str, ...], spoil: Callable[[Path], None]
) -> None:
    spoil(shop)
    result = cli(*args)
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert f"the database {shop} is damaged" in result.stderr
    assert "Traceback" not in result.output


def test_import_sales_on_a_damaged_file_is_refused(shop: Path, cli: Callable[..., Any], tmp_path: Path) -> None:
    sales = tmp_path / "sales.jsonl"
    sales.write_text("", encoding="utf-8")
    damage(shop)
    result = cli("import", "sales", str(sales))
    assert result.exit_code == 1
    assert "is damaged" in result.stderr


def test_the_message_names_the_last_good_backup(shop: Path, cli: Callable[..., Any], tmp_path: Path) -> None:
    backups = tmp_path / "backups"
    assert cli("backup").exit_code == 0  # no file given: $POS_HOME/backups/
    [good] = list(backups.iterdir())
    (backups / "zz-broken.sqlite3").write_bytes(b"not a database")  # newer, but fails its check
    damage(shop)
    result = cli("users", "list")
    assert result.exit_code == 1
    assert f"Last good backup: {good}" in result.stderr
    assert f"pos-admin --db {shop} restore {good}" in result.stderr


def test_another_files_backups_are_never_offered(shop: Path, cli: Callable[..., Any], tmp_path: Path) -> None:
    """A damaged file is offered only its own backups, with a restore command for that file:
    the default shop's backup restored by a bare ``pos-admin restore`` would replace a sound
    database."""
    backups = tmp_path / "backups"
    backups.mkdir(exist_ok=True)
    other = tmp_path / "other.sqlite3"
    other.write_bytes(shop.read_bytes())
    assert cli("backup").exit_code == 0  # a good backup of the shop's own file, pos-….sqlite3
    damage(other)
    result = cli("--db", str(other), "users", "list")
    assert result.exit_code == 1
    assert f"No good backup of it found in {backups}" in result.stderr, result.stderr


def test_a_check_that_could_not_run_for_a_full_disk_is_not_called_damage(tmp_path: Path) -> None:
    """SQLite may fail ``quick_check`` itself when the disk is full or failing: the file is
    not damaged then, and the message must not send anyone to ``restore``."""
    path = tmp_path / "pos.sqlite3"
    assert store_db.verdict_fault(path, "ok") is None
    assert store_db.verdict_fault(path, "database or disk is full").kind == store_db.FULL
    assert store_db.verdict_fault(path, "disk I/O error").kind == store_db.IO
    assert store_db.verdict_fault(path, "unable to open database file").kind == store_db.IO
    damaged = store_db.verdict_fault(path, "database disk image is malformed")
    assert damaged is not None and damaged.kind == store_db.DAMAGED


def test_backup_of_an_unreadable_file_is_a_clear_error(shop: Path, cli: Callable[..., Any], tmp_path: Path) -> None:
    garble(shop)
    result = cli("backup", str(tmp_path / "copy.sqlite3"))
    assert result.exit_code == 1
    assert "is damaged" in result.stderr
    assert f"No good backup of it found in {tmp_path / 'backups'}" in result.stderr
    assert not (tmp_path / "copy.sqlite3").exists()


def test_a_full_disk_during_an_import_says_so(
    shop: Path, cli: Callable[..., Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLITE_FULL from ``max_page_count``: before the fix the user saw Peewee's "cannot
    rollback - no transaction is active" at the end of a traceback."""
    with sqlite3.connect(shop) as conn:
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.close()
    monkeypatch.setitem(store_db.SQLITE_PRAGMAS, "max_page_count", pages + 8)
    result = cli("import", "products", str(products_file(tmp_path, 3000)))
    assert result.exit_code == 1, result.output
    assert "disk full: nothing from" in result.stderr and "was written; free space and run it again" in result.stderr
    assert "cannot rollback" not in result.output
    close_database()
    monkeypatch.delitem(store_db.SQLITE_PRAGMAS, "max_page_count")
    with sqlite3.connect(shop) as conn:
        assert conn.execute("SELECT count(*) FROM product").fetchone()[0] == 0
    conn.close()


def test_audit_verify_names_a_payload_that_is_not_utf8(shop: Path, cli: Callable[..., Any]) -> None:
    """Before: a traceback ending in "Could not decode to UTF-8 column 'payload'"."""
    with sqlite3.connect(shop) as conn:
        conn.execute("DROP TRIGGER IF EXISTS journal_entry_no_update")
        conn.execute("UPDATE journal_entry SET payload = CAST(X'7B2261223A22FF227D' AS TEXT) WHERE id = 1")
    conn.close()
    result = cli("audit", "verify")
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "entry 1: its payload is not valid text (UTF-8)" in result.stderr
    json_result = cli("audit", "verify", "--json")
    assert json_result.exit_code == 1
    assert '"first_broken": 1' in json_result.stdout


def test_restore_puts_back_a_good_backup_and_keeps_the_damaged_file(
    shop: Path, cli: Callable[..., Any], tmp_path: Path
) -> None:
    copy = tmp_path / "good.sqlite3"
    assert cli("backup", str(copy)).exit_code == 0
    damage(shop)
    asked = cli("restore", str(copy))  # no terminal, no --yes: nobody can answer the question
    assert asked.exit_code == 2 and "--yes" in asked.stderr
    assert store_db.quick_check(shop) != "ok"
    result = cli("restore", str(copy), "-y")
    assert result.exit_code == 0, result.output
    [aside] = list(tmp_path.glob("pos.sqlite3.damaged-*[0-9]"))
    assert store_db.quick_check(aside) != "ok"
    assert store_db.quick_check(shop) == "ok"
    users = cli("users", "list", "--json")
    assert users.exit_code == 0 and "admin" in users.stdout


def test_restore_refuses_a_damaged_backup(shop: Path, cli: Callable[..., Any], tmp_path: Path) -> None:
    copy = tmp_path / "bad.sqlite3"
    assert cli("backup", str(copy)).exit_code == 0
    garble(copy)
    before = shop.read_bytes()
    result = cli("restore", str(copy), "-y")
    assert result.exit_code == 1
    assert "failed its integrity check" in result.stderr and "nothing was changed" in result.stderr
    assert shop.read_bytes() == before and not list(tmp_path.glob("pos.sqlite3.damaged-*"))


def test_restore_refuses_a_backup_that_fails_audit(shop: Path, cli: Callable[..., Any], tmp_path: Path) -> None:
    copy = tmp_path / "tampered.sqlite3"
    assert cli("backup", str(copy)).exit_code == 0
    with sqlite3.connect(copy) as conn:
        conn.execute("DROP TRIGGER IF EXISTS journal_entry_no_update")
        conn.execute("UPDATE journal_entry SET payload = payload || ' ' WHERE id = 1")
    conn.close()
    result = cli("restore", str(copy), "-y")
    assert result.exit_code == 1, result.output
    assert "fails audit verify" in result.stderr and "nothing was changed" in result.stderr
    assert not list(tmp_path.glob("pos.sqlite3.damaged-*"))


def test_posting_waits_for_the_background_check_and_a_damaged_file_refuses_writes(shop: Path, tmp_path: Path) -> None:
    """The till's start-up check (``check_in_background``): durable writes wait for it; on a
    damaged file every write is refused with DatabaseDamaged."""
    import threading

    from pos_tui.core.kernel import DatabaseDamaged
    from pos_tui.store import open_database, write_tx

    open_database(shop)
    gate = store_db.gate
    gate.start()  # a check is running
    done = threading.Event()

    def post() -> None:
        with write_tx():
            store_db.database.execute_sql("UPDATE meta_entry SET value = value WHERE 0")
        done.set()

    poster = threading.Thread(target=post)
    poster.start()
    assert not done.wait(0.3)  # blocked until the check has passed
    with write_tx(durable=False):  # the cart's quick saves do not wait
        pass
    gate.finish(None)
    poster.join(5)
    assert done.is_set()
    close_database()

    broken = tmp_path / "broken.sqlite3"
    broken.write_bytes(shop.read_bytes())
    damage(broken)
    open_database(shop)
    try:
        store_db.check_in_background(broken).join(10)
        assert gate.fault is not None and gate.fault.path == broken
        with pytest.raises(DatabaseDamaged, match="is damaged"), write_tx(durable=False):
            pass
    finally:
        gate.finish(None)
        close_database()


def test_a_backup_that_finds_no_room_says_disk_full_not_damaged(
    shop: Path, cli: Callable[..., Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pos_tui.cli import dbcmd

    def no_room(source: Path, target: Path) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(dbcmd, "_copy", no_room)
    result = cli("backup", str(tmp_path / "copy.sqlite3"))
    assert result.exit_code == 1
    assert "disk full: nothing was written to" in result.stderr and "damaged" not in result.stderr, result.stderr
    assert not (tmp_path / "copy.sqlite3").exists()


def test_the_damage_message_is_all_in_the_shops_language(shop: Path, cli: Callable[..., Any]) -> None:
    """SQLite's English account (``database disk image is malformed``, page numbers) stays out
    of a Turkish message; the file and what to do are what a shop needs."""
    damage(shop)
    result = cli("users", "list", env={"POS_LANG": "tr"})
    assert result.exit_code == 1
    assert "bozuk" in result.stderr and str(shop) in result.stderr, result.stderr
    assert "malformed" not in result.stderr and "page" not in result.stderr.lower(), result.stderr


def test_the_database_and_its_backups_are_the_owners_alone(cli: Callable[..., Any], tmp_path: Path) -> None:
    """PIN hashes and customers' data: a new database file, the backup folder and every backup
    are readable and writable by their owner only."""
    db = tmp_path / "shop" / "pos.sqlite3"
    assert cli("--db", str(db), "init", "--admin-pin", "9999").exit_code == 0
    close_database()
    backup = tmp_path / "backups" / "copy.sqlite3"
    assert cli("--db", str(db), "backup", str(backup)).exit_code == 0
    for path in (db, backup):
        assert path.stat().st_mode & 0o077 == 0, oct(path.stat().st_mode)
    assert (tmp_path / "shop").stat().st_mode & 0o077 == 0
    assert (tmp_path / "backups").stat().st_mode & 0o077 == 0

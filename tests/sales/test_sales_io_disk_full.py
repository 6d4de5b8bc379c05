"""``import sales`` on a full disk (issue 10, section 3): the cause is said, nothing is written."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from test_sales_io_import import sale, shop, write
from typer.testing import Result

from pos_tui.store import close_database
from pos_tui.store import db as store_db
from pos_tui.store import models as m

__all__ = ["shop"]  # the fixture, used by name


def test_a_full_disk_during_import_sales_says_so_and_writes_nothing(
    shop: None, cli: Callable[..., Result], tmp_path: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each sale is a savepoint inside the import's transaction: after SQLITE_FULL both the
    savepoint's and the transaction's rollback fail; before the fix that is what the user saw."""
    path = write(tmp_path, [sale(f"web-{i}") for i in range(300)])
    close_database()
    with sqlite3.connect(db_path) as conn:
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.close()
    monkeypatch.setitem(store_db.SQLITE_PRAGMAS, "max_page_count", pages + 4)
    result = cli("import", "sales", str(path))
    assert result.exit_code == 1, result.output
    assert f"disk full: nothing from {path} was written; free space and run it again" in result.stderr
    assert "rollback" not in result.output
    monkeypatch.delitem(store_db.SQLITE_PRAGMAS, "max_page_count")
    close_database()
    store_db.open_database(db_path)
    assert not m.Sale.select().exists()

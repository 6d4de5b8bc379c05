"""The outbox record is written by the posting transaction itself (store/outbox.py)."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

from pos_tui.core import staff
from pos_tui.settings import Settings
from pos_tui.store import models as m
from pos_tui.store import write_tx


def _outbox(path: Path) -> list[tuple[int, str]]:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT seq, kind FROM sync_outbox ORDER BY seq").fetchall()


def test_a_posting_transaction_leaves_one_record_with_a_gapless_number(
    db: object, db_path: Path, settings: Settings, now: datetime
) -> None:
    staff.add_user("ayse", "cashier", "1111", now=now, settings=settings)
    staff.add_user("mehmet", "supervisor", "2222", now=now, settings=settings)
    assert _outbox(db_path) == [(1, "user"), (2, "user")]
    with sqlite3.connect(db_path) as conn:
        unsealed = conn.execute("SELECT COUNT(*) FROM sync_capture WHERE outbox IS NULL").fetchone()
        caught = conn.execute("SELECT outbox, tbl FROM sync_capture ORDER BY id").fetchall()
    assert unsealed == (0,)
    assert caught == [(1, "journal_entry"), (2, "journal_entry")]


def test_a_rolled_back_posting_gives_its_number_back(
    db: object, db_path: Path, settings: Settings, now: datetime
) -> None:
    staff.add_user("ayse", "cashier", "1111", now=now, settings=settings)
    try:
        with write_tx():
            staff.add_user("mehmet", "supervisor", "2222", now=now, settings=settings)
            raise RuntimeError("the sale failed half way")
    except RuntimeError:
        pass
    staff.add_user("admin", "admin", "9999", now=now, settings=settings)
    assert [seq for seq, _ in _outbox(db_path)] == [1, 2]


def test_a_transaction_that_posts_nothing_leaves_nothing(db: object, db_path: Path) -> None:
    with write_tx():
        m.MetaEntry.insert(key="anything", value="1").execute()
    assert _outbox(db_path) == []

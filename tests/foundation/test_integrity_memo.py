"""A passed ``PRAGMA quick_check`` is remembered for the file it checked (issue 11): a read of an
unchanged file skips the 1-2 s check, any change brings it back, a damaged file is refused as
before (issue 10), and nothing is ever written to a file that has not passed a check in the
writing process. docs/recovery.md, "When the file is checked".
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from pos_tui.store import close_database
from pos_tui.store import db as store_db
from tests.foundation.test_storage_faults import damage


def settle(path: Path) -> None:
    """Make the file look written a minute ago: a file written less than
    :data:`~pos_tui.store.db.SETTLE_S` before its check is not remembered."""
    old = time.time() - 60
    os.utime(path, (old, old))


@pytest.fixture
def checks(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Path]]:
    """Every ``quick_check`` run, by path."""
    ran: list[Path] = []
    real = store_db.quick_check

    def counted(path: Path, *, full: bool = False) -> str:
        ran.append(path)
        return real(path, full=full)

    monkeypatch.setattr(store_db, "quick_check", counted)
    yield ran
    store_db.gate.finish(None)


@pytest.fixture
def shop(cli: Callable[..., Any], db_path: Path) -> Path:
    assert cli("init", "--admin-pin", "9999").exit_code == 0
    close_database()
    settle(db_path)
    return db_path


def test_a_read_of_an_unchanged_file_skips_the_check(shop: Path, cli: Callable[..., Any], checks: list[Path]) -> None:
    assert cli("users", "list").exit_code == 0
    assert checks == [shop]
    assert store_db.memo_file(shop).is_file()
    assert oct(store_db.memo_file(shop).stat().st_mode & 0o777) == "0o600"
    for args in (("users", "list"), ("report", "x"), ("audit", "verify")):
        result = cli(*args)
        assert result.exit_code in (0, 1) and "damaged" not in result.output, result.output
    assert checks == [shop]  # remembered: no second check


def test_a_changed_file_is_checked_again_and_a_damaged_one_refused_every_time(
    shop: Path, cli: Callable[..., Any], checks: list[Path]
) -> None:
    assert cli("users", "list").exit_code == 0
    damage(shop)  # changes the file: its size or times, so the remembered check no longer holds
    settle(shop)
    checks.clear()
    for _ in range(2):
        result = cli("users", "list")
        assert result.exit_code == 1
        assert f"the database {shop} is damaged" in result.stderr
    assert checks == [shop, shop]  # a failed check is never remembered


def test_a_write_checks_a_remembered_file_first_and_refuses_it_when_damaged(
    shop: Path, cli: Callable[..., Any], checks: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Damage that leaves the file's identity alone (a disk that rots a page) passes a read
    on the remembered check, but the first write runs the check, and nothing is written."""
    assert cli("users", "list").exit_code == 0
    assert checks == [shop]
    monkeypatch.setattr(store_db, "quick_check", lambda path, full=False: checks.append(path) or "page 7: corrupt")
    result = cli("users", "add", "zeynep", "--role", "cashier", "--pin", "4821")
    assert result.exit_code == 1, result.output
    assert f"the database {shop} is damaged" in result.stderr
    assert checks == [shop, shop]
    monkeypatch.undo()
    listed = cli("users", "list", "--json")
    assert listed.exit_code == 0 and "zeynep" not in listed.stdout


def test_a_write_on_a_remembered_sound_file_checks_it_once_and_writes(
    shop: Path, cli: Callable[..., Any], checks: list[Path]
) -> None:
    assert cli("users", "list").exit_code == 0
    result = cli("users", "add", "zeynep", "--role", "cashier", "--pin", "4821")
    assert result.exit_code == 0, result.output
    assert checks == [shop, shop]  # the open trusted the memo, the write checked first
    assert "zeynep" in cli("users", "list", "--json").stdout


def test_a_file_written_just_before_its_check_is_not_remembered(
    cli: Callable[..., Any], db_path: Path, checks: list[Path]
) -> None:
    assert cli("init").exit_code == 0
    close_database()
    checks.clear()
    assert cli("users", "list").exit_code == 0
    assert not store_db.memo_file(db_path).exists()
    assert cli("users", "list").exit_code == 0
    assert checks == [db_path, db_path]


def test_a_remembered_check_of_another_file_does_not_count(
    shop: Path, cli: Callable[..., Any], checks: list[Path], tmp_path: Path
) -> None:
    """The memo names the file by device and inode: a file put in its place (a restore, a copy)
    is checked."""
    assert cli("users", "list").exit_code == 0
    copy = tmp_path / "copy.sqlite3"
    copy.write_bytes(shop.read_bytes())
    os.replace(copy, shop)
    settle(shop)
    assert cli("users", "list").exit_code == 0
    assert checks == [shop, shop]


def test_the_pin_login_does_not_wait_for_the_background_check(
    shop: Path, cli: Callable[..., Any], settings: Any
) -> None:
    """While the till's start-up check runs, the PIN login writes its attempt rows at once
    (a posting still waits: test_storage_faults)."""
    from pos_tui.core import staff
    from pos_tui.core.kernel import utcnow
    from pos_tui.store import open_database

    open_database(shop)
    store_db.gate.start()  # a check is running
    try:
        done = threading.Event()

        def login(early: bool) -> None:
            with store_db.writes_before_check() if early else contextlib.nullcontext():
                staff.login("9999", terminal="T1", now=utcnow(), settings=settings)
            done.set()

        early = threading.Thread(target=login, args=(True,))
        early.start()
        assert done.wait(10)  # not held by the pending check
        done.clear()
        waiting = threading.Thread(target=login, args=(False,))
        waiting.start()
        assert not done.wait(0.5)  # an ordinary durable write waits
        store_db.gate.finish(None)
        assert done.wait(10)
    finally:
        store_db.gate.finish(None)
        close_database()

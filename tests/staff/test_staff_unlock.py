"""``pos-admin users unlock TERMINAL``: an admin lifts a wrong-PIN lock before it runs out.

The lock belongs to the terminal (a wrong PIN names nobody), so the command takes the
terminal id; who unlocked it and when is journalled.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest

from pos_tui.core import staff
from pos_tui.core.kernel import ADMIN_TERMINAL, Actor, AuthenticationFailed, LockedOut, NotFound, PermissionDenied
from pos_tui.settings import Settings
from pos_tui.store import models as m

Cli = Callable[..., Any]


def _lock(terminal: str, settings: Settings, at: datetime) -> None:
    """Type wrong PINs on ``terminal`` until it locks."""
    for i in range(settings.security.max_failed_logins):
        with pytest.raises((AuthenticationFailed, LockedOut)):
            staff.login("0000", terminal=terminal, now=at + timedelta(seconds=i), settings=settings)
    with pytest.raises(LockedOut):
        staff.login("1111", terminal=terminal, now=at + timedelta(seconds=30), settings=settings)


def test_a_locked_terminal_logs_in_again_after_unlock(
    people: dict[str, Actor], settings: Settings, now: datetime
) -> None:
    _lock("T1", settings, now)
    at = now + timedelta(seconds=40)
    done = staff.unlock_terminal("T1", now=at, settings=settings, actor=people["admin"])
    assert done is not None and done.terminal == "T1"
    assert done.until == now + timedelta(seconds=settings.security.max_failed_logins - 1 + 300)

    assert staff.login("1111", terminal="T1", now=at + timedelta(seconds=1), settings=settings).name == "ayse"

    entry = m.JournalEntry.get_by_id(done.journal_id)
    payload = json.loads(entry.payload)
    assert (entry.kind, entry.ref, entry.terminal) == ("unlock", "T1", ADMIN_TERMINAL)
    assert payload["by"] == "admin" and payload["by_id"] == people["admin"].user_id
    assert payload["terminal"] == "T1" and payload["locked_until"].startswith(done.until.date().isoformat())
    assert entry.at.replace(microsecond=0) == at.replace(tzinfo=None, microsecond=0)
    # The unlock ends the round of wrong PINs: the next wrong PIN counts from one again.
    with pytest.raises(AuthenticationFailed, match="4 tries left"):
        staff.login("0000", terminal="T1", now=at + timedelta(seconds=2), settings=settings)


def test_other_terminals_stay_locked(people: dict[str, Actor], settings: Settings, now: datetime) -> None:
    _lock("T1", settings, now)
    _lock("T2", settings, now)
    staff.unlock_terminal("T1", now=now + timedelta(seconds=40), settings=settings, actor=people["admin"])
    with pytest.raises(LockedOut):
        staff.login("1111", terminal="T2", now=now + timedelta(seconds=41), settings=settings)


def test_unlocking_an_unknown_terminal_is_an_error(people: dict[str, Actor], settings: Settings, now: datetime) -> None:
    with pytest.raises(NotFound, match="No terminal T9"):
        staff.unlock_terminal("T9", now=now, settings=settings, actor=people["admin"])
    assert not m.JournalEntry.select().where(m.JournalEntry.kind == "unlock").exists()


def test_unlocking_a_terminal_that_is_not_locked_writes_nothing(
    people: dict[str, Actor], settings: Settings, now: datetime
) -> None:
    staff.login("1111", terminal="T1", now=now, settings=settings)
    attempts = m.LoginAttempt.select().count()
    assert staff.unlock_terminal("T1", now=now, settings=settings, actor=people["admin"]) is None
    assert m.LoginAttempt.select().count() == attempts
    assert not m.JournalEntry.select().where(m.JournalEntry.kind == "unlock").exists()


def test_only_an_admin_may_unlock(people: dict[str, Actor], settings: Settings, now: datetime) -> None:
    _lock("T1", settings, now)
    with pytest.raises(PermissionDenied):
        staff.unlock_terminal("T1", now=now + timedelta(seconds=40), settings=settings, actor=people["mehmet"])
    with pytest.raises(LockedOut):
        staff.login("1111", terminal="T1", now=now + timedelta(seconds=41), settings=settings)


def test_cli_unlock(cli: Cli, people: dict[str, Actor], settings: Settings) -> None:
    from pos_tui.core.kernel import utcnow

    _lock("T1", settings, utcnow())
    done = cli("users", "unlock", "T1")
    assert done.exit_code == 0, done.stderr
    assert "Unlocked terminal T1 (it was locked until " in done.stderr and done.stdout == ""
    entry = m.JournalEntry.get(m.JournalEntry.kind == "unlock")
    assert json.loads(entry.payload)["by"] == "admin"
    assert staff.login("1111", terminal="T1", now=utcnow(), settings=settings).name == "ayse"

    again = cli("users", "unlock", "T1")
    assert again.exit_code == 0 and "Terminal T1 is not locked; nothing to do." in again.stderr
    unknown = cli("users", "unlock", "T9")
    assert unknown.exit_code == 1 and "No terminal T9: nothing was ever recorded there" in unknown.stderr
    cashier = cli("users", "unlock", "T1", "--user", "ayse")
    assert cashier.exit_code == 1 and "ayse may not" in cashier.stderr


def test_cli_unlock_in_turkish(cli: Cli, people: dict[str, Actor]) -> None:
    result = cli("users", "unlock", "T9", env={"POS_LANG": "tr"})
    assert result.exit_code == 1
    assert "Kasa T9 bulunamadı: bu kasada hiçbir kayıt yok" in result.stderr

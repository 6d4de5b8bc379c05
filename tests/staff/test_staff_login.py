"""PIN login: permissions from the role, lockout after repeated failures, every attempt logged."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from pos_tui.core import staff
from pos_tui.core.kernel import Actor, AuthenticationFailed, LockedOut, StateError
from pos_tui.core.staff import users
from pos_tui.settings import RoleSettings, SecuritySettings, Settings
from pos_tui.store import models as m


def attempts(terminal: str = "T1") -> list[tuple[bool, str | None, str]]:
    rows = m.LoginAttempt.select().where(m.LoginAttempt.terminal == terminal).order_by(m.LoginAttempt.id)
    return [(r.success, r.user.name if r.user else None, r.purpose) for r in rows]


def test_login_gives_the_roles_permissions(people: dict[str, Actor], settings: Settings, now: datetime) -> None:
    ayse = staff.login("1111", terminal="T1", now=now, settings=settings)
    assert (ayse.name, ayse.role, ayse.max_discount_pct) == ("ayse", "cashier", 10)
    assert ayse.permissions == settings.roles["cashier"].permissions
    assert not ayse.can("no_sale")
    mehmet = staff.login("2222", terminal="T1", now=now, settings=settings)
    assert mehmet.can("no_sale") and mehmet.can("reports") and not mehmet.can("admin")
    assert attempts() == [(True, "ayse", "login"), (True, "mehmet", "login")]


def test_a_wrong_pin_says_how_many_tries_are_left(people: dict[str, Actor], settings: Settings, now: datetime) -> None:
    with pytest.raises(AuthenticationFailed, match="Wrong PIN; 4 tries left"):
        staff.login("0000", terminal="T1", now=now, settings=settings)
    with pytest.raises(AuthenticationFailed, match="Wrong PIN; 3 tries left"):
        staff.login("12", terminal="T1", now=now, settings=settings)
    assert attempts() == [(False, None, "login"), (False, None, "login")]


def test_five_failures_lock_the_terminal_then_it_unlocks(
    people: dict[str, Actor], settings: Settings, now: datetime
) -> None:
    t = now
    for left in (4, 3, 2, 1):
        with pytest.raises(AuthenticationFailed, match=f"{left} tr"):
            staff.login("0000", terminal="T1", now=t, settings=settings)
        t += timedelta(seconds=10)
    fifth = t
    with pytest.raises(LockedOut, match="locked until 10:20:40") as locked:
        staff.login("0000", terminal="T1", now=fifth, settings=settings)
    assert locked.value.until == fifth + timedelta(seconds=300)

    # While locked even the right PIN is refused, and is not checked at all.
    with pytest.raises(LockedOut):
        staff.login("1111", terminal="T1", now=fifth + timedelta(seconds=299), settings=settings)
    assert attempts()[-1] == (False, None, "login")

    # Another terminal is not affected.
    assert staff.login("1111", terminal="T2", now=fifth, settings=settings).name == "ayse"

    # Once the lock has run out the right PIN works, and the count starts again.
    assert staff.login("1111", terminal="T1", now=fifth + timedelta(seconds=300), settings=settings).name == "ayse"
    with pytest.raises(AuthenticationFailed, match="4 tries left"):
        staff.login("0000", terminal="T1", now=fifth + timedelta(seconds=301), settings=settings)
    assert len(attempts()) == 8
    assert sum(1 for ok, _u, _p in attempts() if not ok) == 7


def test_wrong_pins_after_an_expired_lock_count_from_one(
    people: dict[str, Actor], settings: Settings, now: datetime
) -> None:
    for i in range(5):
        with pytest.raises((AuthenticationFailed, LockedOut)):
            staff.login("0000", terminal="T1", now=now + timedelta(seconds=i), settings=settings)
    later = now + timedelta(seconds=600)
    with pytest.raises(AuthenticationFailed, match="4 tries left"):
        staff.login("0000", terminal="T1", now=later, settings=settings)


def test_a_success_resets_the_count(people: dict[str, Actor], settings: Settings, now: datetime) -> None:
    for _i in range(4):
        with pytest.raises(AuthenticationFailed):
            staff.login("0000", terminal="T1", now=now, settings=settings)
    staff.login("2222", terminal="T1", now=now, settings=settings)
    with pytest.raises(AuthenticationFailed, match="4 tries left"):
        staff.login("0000", terminal="T1", now=now, settings=settings)


def test_the_lockout_policy_comes_from_the_settings(
    people: dict[str, Actor], settings: Settings, now: datetime
) -> None:
    strict = replace(settings, security=SecuritySettings(max_failed_logins=2, lockout_seconds=60))
    with pytest.raises(AuthenticationFailed, match="Wrong PIN; 1 try left"):
        staff.login("0000", terminal="T1", now=now, settings=strict)
    with pytest.raises(LockedOut) as locked:
        staff.login("0000", terminal="T1", now=now, settings=strict)
    assert locked.value.until == now + timedelta(seconds=60)
    assert staff.login("1111", terminal="T1", now=now + timedelta(seconds=60), settings=strict).name == "ayse"


def test_a_disabled_users_pin_is_answered_like_a_wrong_one(
    people: dict[str, Actor], settings: Settings, now: datetime
) -> None:
    """Saying "ayse is disabled" would tell a guesser the PIN was right: the answer is the
    wrong PIN's, the attempt counts toward the lock, and the truth is in the row and journal."""
    staff.disable_user("ayse", now=now, settings=settings)
    with pytest.raises(AuthenticationFailed) as refused:
        staff.login("1111", terminal="T1", now=now, settings=settings)
    assert str(refused.value.message) == "Wrong PIN; 4 tries left before this terminal locks"
    assert "ayse" not in refused.value.message
    assert attempts() == [(False, "ayse", "login")]
    assert staff.lock_state("T1", now, settings.security) == (None, 1)
    last = m.JournalEntry.select().where(m.JournalEntry.kind == "user").order_by(m.JournalEntry.id.desc()).get()
    assert json.loads(last.payload)["action"] == "disabled_user_pin"
    assert json.loads(last.payload)["user"] == "ayse"


def test_a_wrong_pin_costs_the_same_work_as_a_disabled_users_right_one(
    people: dict[str, Actor], settings: Settings, now: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The time an answer takes must not tell a guesser the PIN was right either: a wrong PIN
    runs the same argon2 check and the same second write as a disabled user's right PIN.
    (Counted here, not timed: a timing would be the machine's, not the code's.)"""
    work: list[str] = []

    class Counting:
        """The test's cheap hasher, counting its checks."""

        def __init__(self, hasher: object) -> None:
            self._hasher = hasher

        def __getattr__(self, name: str) -> object:
            return getattr(self._hasher, name)

        def verify(self, *args: object) -> bool:
            work.append("argon2")
            return self._hasher.verify(*args)  # type: ignore[attr-defined]

    monkeypatch.setattr(users, "_HASHER", Counting(users._HASHER))
    real_write = users.write_tx
    monkeypatch.setattr(users, "write_tx", lambda *a, **k: work.append("write") or real_write(*a, **k))

    def cost(pin: str) -> list[str]:
        work.clear()
        with pytest.raises(AuthenticationFailed):
            staff.login(pin, terminal="T1", now=now, settings=settings)
        return sorted(work)

    staff.disable_user("ayse", now=now, settings=settings)
    work.clear()
    assert cost("1111") == cost("4859") == ["argon2", "write", "write"]


def test_a_role_the_configuration_dropped_cannot_log_in(
    people: dict[str, Actor], settings: Settings, now: datetime
) -> None:
    roles = {k: v for k, v in settings.roles.items() if k != "cashier"}
    roles["manager"] = RoleSettings(20, frozenset({"sell"}))
    with pytest.raises(StateError, match="role cashier, which the configuration does not define"):
        staff.login("1111", terminal="T1", now=now, settings=replace(settings, roles=roles))


def test_lock_state_replays_the_failures(people: dict[str, Actor], settings: Settings, now: datetime) -> None:
    security = settings.security
    assert staff.lock_state("T1", now, security) == (None, 0)
    for i in range(3):
        with pytest.raises(AuthenticationFailed):
            staff.login("0000", terminal="T1", now=now + timedelta(seconds=i), settings=settings)
    assert staff.lock_state("T1", now + timedelta(seconds=5), security) == (None, 3)

"""Where sync stands, from the terminal's own file (no network); what closing a shift or taking a Z
says while documents wait; one pass of the service with the centre away."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from ops_support import closed_port_url, post_users
from sync_support import set_identity

from pos_tui.core import cash, staff, sync
from pos_tui.core.sync import identity, service
from pos_tui.settings import Settings, SyncSettings
from pos_tui.store import models as m


def test_a_fresh_database_has_joined_nothing(db: object, now: datetime) -> None:
    current = sync.status.status(now)
    assert not current.joined
    assert (current.terminal, current.central, current.online, current.waiting, current.oldest_at) == (
        None,
        None,
        None,
        0,
        None,
    )
    assert (current.high_water, current.last_seq, current.last_push_at, current.last_error) == (0, 0, None, None)


def test_an_unjoined_database_still_counts_what_it_posted(db: object, settings: Settings, now: datetime) -> None:
    post_users(settings, now, 3)
    current = sync.status.status(now)
    assert not current.joined and current.waiting == 3 and current.last_seq == 3
    assert current.oldest_at == now
    assert sync.waiting_on_close(now, settings.sync) is None  # no centre: nothing to warn about


def test_a_joined_terminal_counts_the_waiting_and_the_oldest(db: object, settings: Settings, now: datetime) -> None:
    set_identity("T1", "S1", "postgresql://t1:gizli@centre.example/shop?sslmode=verify-full")
    post_users(settings, now, 1)
    post_users(settings, now + timedelta(minutes=7), 0)
    staff.add_user("late", "cashier", "6000", now=now + timedelta(minutes=7), settings=settings)
    current = sync.status.status(now + timedelta(minutes=10))
    assert current.joined and (current.terminal, current.store) == ("T1", "S1")
    assert current.central == "postgresql://t1:***@centre.example/shop?sslmode=verify-full"  # never the password
    assert (current.waiting, current.last_seq, current.high_water) == (2, 2, 0)
    assert current.oldest_at == now
    identity.put({"high_water": "1"})
    current = sync.status.status(now)
    assert (current.waiting, current.high_water) == (1, 1)
    assert current.oldest_at == now + timedelta(minutes=7)  # the first record after the acknowledged one
    identity.put({"high_water": "2"})
    assert (sync.status.status(now).waiting, sync.status.status(now).oldest_at) == (0, None)


def test_the_status_reads_by_key_only(db: object, settings: Settings, now: datetime) -> None:
    """The status line asks every few seconds: no scan of the outbox or of meta_entry, however long."""
    from pos_tui.store.proxy import database

    post_users(settings, now, 3)
    seen: list[str] = []
    real = database.obj.execute_sql

    def spy(sql: str, params: object = None, *args: object, **kwargs: object) -> object:
        seen.append(sql)
        return real(sql, params, *args, **kwargs)

    database.obj.execute_sql = spy  # type: ignore[method-assign]
    try:
        sync.status.status(now)
    finally:
        del database.obj.execute_sql
    assert len(seen) == 2
    conn = sqlite3.connect(database.obj.database)
    for sql in seen:
        params = (0,) if sql.count("?") == 1 else ("sync_", "sync`")
        plan = " ".join(str(row[-1]) for row in conn.execute("EXPLAIN QUERY PLAN " + sql, params))
        assert "SCAN" not in plan.replace("SCAN CONSTANT ROW", ""), plan
    conn.close()


def test_what_the_service_recorded_shows(db: object, settings: Settings, now: datetime) -> None:
    set_identity("T1", "S1", closed_port_url())
    post_users(settings, now, 2)
    result = sync.run_once(now + timedelta(minutes=1), settings)
    assert not result.online and result.push is None and result.pull is None
    assert result.error and "cannot be reached" in result.error
    current = sync.status.status(now)
    assert current.online is False and current.waiting == 2
    assert current.last_error == result.error
    service.record(now + timedelta(minutes=2), online=True, error=None, pushed=True)
    current = sync.status.status(now)
    assert current.online is True and current.last_error is None
    assert current.last_push_at == now + timedelta(minutes=2) and current.last_pull_at is None


def test_a_pass_needs_a_centre(db: object, settings: Settings, now: datetime) -> None:
    with pytest.raises(sync.NotJoined, match="sync init"):
        sync.run_once(now, settings)


def test_a_refusal_is_an_error_of_an_online_pass(
    db: object, settings: Settings, now: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pos_tui.core.sync import pushing

    set_identity("T1", "S1", closed_port_url())

    def refused(now: datetime, *, batch: int, url: str) -> None:
        raise sync.SequenceConflict("went backwards")

    monkeypatch.setattr(pushing, "push", refused)
    result = sync.run_once(now, settings)
    assert (result.online, result.error, result.ok) == (True, "went backwards", False)
    assert sync.status.status(now).last_error == "went backwards"


@given(st.integers(min_value=0, max_value=60 * 24 * 9))
@hsettings(max_examples=50)
def test_ages_read_in_minutes_hours_or_days(minutes: int) -> None:
    text = sync.age_text(timedelta(minutes=minutes, seconds=59))
    number, unit = text.split(" ")
    assert unit in ("min", "h", "days")
    scale = {"min": 1, "h": 60, "days": 24 * 60}[unit]
    assert int(number) * scale <= minutes < (int(number) + 1) * scale  # never rounded up
    assert (unit == "min") == (minutes < 120)


# -- closing with documents waiting ----------------------------------------------------------------


def _joined_with_waiting(settings: Settings, now: datetime) -> None:
    set_identity("T1", "S1", closed_port_url())
    post_users(settings, now, 1)


def test_closing_warns_while_documents_wait(db: object, settings: Settings, now: datetime) -> None:
    _joined_with_waiting(settings, now)
    waiting = sync.check_close(now + timedelta(minutes=8), SyncSettings(waiting_on_close="warn"))
    assert waiting is not None and not waiting.blocked and waiting.count == 1
    assert waiting.describe(now + timedelta(minutes=8)) == (
        "1 document has not reached the centre yet (waiting for 8 min)"
    )


def test_block_refuses_the_z_and_the_shift_close_in_core(db: object, settings: Settings, now: datetime) -> None:
    import dataclasses

    admin = staff.actor_of(staff.add_user("admin", "admin", "9999", now=now, settings=settings), settings)
    cash.open_shift("T1", admin, Decimal("0"), now=now)
    _joined_with_waiting(settings, now)
    block = dataclasses.replace(settings, sync=SyncSettings(waiting_on_close="block"))
    later = now + timedelta(hours=3)
    with pytest.raises(
        sync.DocumentsWaiting, match=r"3 documents have not reached the centre yet \(the oldest for 3 h\)"
    ):
        cash.z_report("T1", admin, now=later, settings=block)
    with pytest.raises(sync.DocumentsWaiting, match="pos-admin sync push"):
        cash.close_shift("T1", admin, Decimal("0"), now=later, settings=block)
    assert m.ZClosure.select().count() == 0 and cash.current_shift("T1") is not None
    # acknowledged: the Z and the close go through
    identity.put({"high_water": str(sync.status.status(later).last_seq)})
    cash.close_shift("T1", admin, Decimal("0"), now=later, settings=block)
    with pytest.raises(sync.DocumentsWaiting, match="1 document"):  # the shift's close itself waits now
        cash.z_report("T1", admin, now=later, settings=block)
    identity.put({"high_water": str(sync.status.status(later).last_seq)})
    assert cash.z_report("T1", admin, now=later, settings=block).z_no == 1


def test_warn_lets_the_z_through(db: object, settings: Settings, now: datetime) -> None:
    admin = staff.actor_of(staff.add_user("admin", "admin", "9999", now=now, settings=settings), settings)
    _joined_with_waiting(settings, now)
    assert settings.sync.waiting_on_close == "warn"
    assert cash.z_report("T1", admin, now=now, settings=settings).z_no == 1

"""A review's demonstrated defects of sync, each held by a test (the scripts showed the fault; these
assert it is gone)."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg2
import pytest
from guard_support import CARD, central_balance, central_sql, make_shop
from pull_support import MEMBER_CARD, central, local, seed_centre
from sync_support import bound, set_identity

from pos_tui.core import sync
from pos_tui.core.kernel.errors import StateError
from pos_tui.core.loyalty import members
from pos_tui.core.sync import connection, join, pull, pulling
from pos_tui.settings import Settings
from pos_tui.store import models as m

pytestmark = pytest.mark.postgres


def _register_t1(central_url: str, now: datetime) -> None:
    central_sql(
        central_url,
        "INSERT INTO sync_terminal (terminal, store, high_water, joined_at, series) VALUES ('T1', 'S1', 0, %s, '{}')",
        (now.replace(tzinfo=None),),
    )


def test_a_hold_whose_sale_never_posted_goes_back_with_the_next_sync_pass(
    db: object, settings: Settings, now: datetime, central_url: str
) -> None:
    connection.forget()
    connection.mark(True)
    make_shop(settings, now)
    _register_t1(central_url, now)
    set_identity("T1", "S1", central_url)
    sync.push(now, url=central_url)
    assert central_balance(central_url, "points", CARD) == 1000
    # the till asks for its sale's hold, then dies before the sale's write transaction
    assert sync.check_redemption("points", CARD, -600, document="lost-sale", now=now, settings=settings).online
    assert central_balance(central_url, "points", CARD) == 400
    sync.run_once(now + timedelta(minutes=1), settings)  # within the grace: the sale may still be posting
    assert central_balance(central_url, "points", CARD) == 400
    sync.run_once(now + timedelta(minutes=10), settings)  # the restarted till's worker
    assert central_balance(central_url, "points", CARD) == 1000
    assert list(sync.open_holds(connection.link(central_url))) == []


def test_a_member_the_till_changes_while_the_pull_runs_keeps_the_change(
    central_url: str, db: object, db_path: Path, settings: Settings, now: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_centre(central_url, settings, now)
    join(central_url, "T2", "S1", now, settings)
    member_id = m.Member.get(m.Member.card == MEMBER_CARD).id
    with bound(central_url):  # the centre fixes the name: a new revision the next pull takes
        members.update_member(
            m.Member.get(m.Member.card == MEMBER_CARD).id, name="Zeynep Yılmaz Kaya", actor=None, now=now
        )
    original = pulling._Puller.master

    def master(self: Any, upto: int) -> None:  # the till (another thread) writes while the pull runs
        def till() -> None:
            members.update_member(member_id, email="zeynep@example.com", actor=None, now=now, source="till")

        thread = threading.Thread(target=till)
        thread.start()
        thread.join()
        original(self, upto)

    monkeypatch.setattr(pulling._Puller, "master", master)
    pull(now + timedelta(minutes=1))
    monkeypatch.setattr(pulling._Puller, "master", original)
    assert local(db_path, "SELECT email FROM member") == [("zeynep@example.com",)]
    sync.push(now + timedelta(minutes=2))
    assert central(central_url, "SELECT email FROM member") == [("zeynep@example.com",)]


def test_a_push_meeting_a_master_edit_of_the_same_member_goes_through(
    db: object, settings: Settings, now: datetime, central_url: str
) -> None:
    connection.forget()
    connection.mark(True)
    make_shop(settings, now)
    _register_t1(central_url, now)
    set_identity("T1", "S1", central_url)
    sync.push(now, url=central_url)
    member_id = m.Member.get(m.Member.card == CARD).id
    members.update_member(member_id, email="z@example.com", actor=None, now=now, source="till")
    admin = psycopg2.connect(central_url)
    cur = admin.cursor()
    cur.execute("SELECT tier_code FROM member WHERE card = %s FOR UPDATE", (CARD,))  # the tier job's order
    outcome: dict[str, object] = {}

    def pusher() -> None:
        try:
            outcome["push"] = sync.push(now + timedelta(minutes=1), url=central_url)
        except Exception as exc:
            outcome["push"] = exc

    thread = threading.Thread(target=pusher)
    thread.start()
    time.sleep(1.0)  # the receive holds the advisory lock and waits for the member's row
    try:
        cur.execute("UPDATE member SET tier_code = 'GOLD' WHERE card = %s", (CARD,))
        admin.commit()
    except psycopg2.Error:
        admin.rollback()
    thread.join(30)
    admin.close()
    assert isinstance(outcome["push"], sync.PushResult), outcome["push"]
    assert central(central_url, "SELECT email FROM member WHERE card = %s", (CARD,)) == [("z@example.com",)]


def test_a_database_that_sent_documents_cannot_join_again_under_another_code(
    central_url: str, db: object, settings: Settings, now: datetime
) -> None:
    seed_centre(central_url, settings, now)
    join(central_url, "T2", "S1", now, settings)
    member_id = m.Member.get(m.Member.card == MEMBER_CARD).id
    members.update_member(member_id, email="a@example.com", actor=None, now=now, source="till")
    sync.push(now)
    with pytest.raises(StateError, match="T2"):
        join(central_url, "T3", "S1", now + timedelta(minutes=1), settings, rejoin=True)
    assert sync.identity.identity().terminal == "T2"  # type: ignore[union-attr]
    assert central(central_url, "SELECT terminal FROM sync_terminal ORDER BY 1") == [("T2",)]


def test_sync_passes_in_worker_threads_leave_no_connection_open(
    db: object, settings: Settings, now: datetime, central_url: str
) -> None:
    """A newcomer's till held four idle connections (one per worker thread that ever synced) and
    every other command of that terminal's role was refused: too many connections."""
    connection.forget()
    connection.mark(True)
    make_shop(settings, now)
    _register_t1(central_url, now)
    set_identity("T1", "S1", central_url)

    def one_pass(minutes: int) -> None:
        sync.run_once(now + timedelta(minutes=minutes), settings)

    name = central_url.rsplit("/", 1)[1]
    with ThreadPoolExecutor(max_workers=4) as pool:  # threads that live on between passes
        for future in [pool.submit(one_pass, minutes) for minutes in range(8)]:
            future.result()
        open_ones = central_sql(
            central_url,
            "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = %s AND application_name = 'pos_tui-sync'",
            (name,),
        )
    assert open_ones == [(0,)]


def test_a_terminal_of_another_store_is_not_joined_to_sell_from_the_first_stores_floor(
    central_url: str, db: object, settings: Settings, now: datetime
) -> None:
    """A newcomer's till of store S2 sold from S1's MAGAZA: the join now says so first."""
    from pos_tui.core.stock import locations

    seed_centre(central_url, settings, now)  # stores S1 and S2
    with bound(central_url):
        locations.add_location("KDK", "Kadıköy mağaza", terminal="admin", now=now, store_code="S2")
    with pytest.raises(StateError, match="MAGAZA"):
        join(central_url, "T3", "S2", now, settings)
    assert central(central_url, "SELECT COUNT(*) FROM sync_terminal WHERE terminal = 'T3'") == [(0,)]
    with bound(central_url):
        locations.assign_terminal("T3", "KDK", terminal="admin", now=now)
    join(central_url, "T3", "S2", now, settings)
    assert central(central_url, "SELECT store FROM sync_terminal WHERE terminal = 'T3'") == [("S2",)]

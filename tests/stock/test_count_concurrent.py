"""Two processes scanning into one count session at once: every scan is a row, the totals are
exact (nothing lost, nothing counted twice, including a retried uid). SQLite file, and
PostgreSQL when ``POS_TEST_PG_URL`` is set."""

from __future__ import annotations

import multiprocessing as mp
from datetime import datetime
from pathlib import Path

import peewee
import pytest
from test_count_support import make_product, make_user, receive

from pos_tui.core.stock import counting
from pos_tui.settings import Settings
from pos_tui.store import close_database, open_database

SCANS = 150


def _scanner(url: str, session: int, products: list[int], user: tuple[int, str], terminal: str, now: datetime) -> None:
    from pos_tui.core.kernel import Actor

    open_database(url)
    actor = Actor(user[0], user[1], "cashier", frozenset({"count"}), 0)
    try:
        for i in range(SCANS):
            pid = products[i % len(products)]
            uid = f"{terminal}-{i}"
            counting.record_event(session, pid, 1_000, uid=uid, actor=actor, now=now, terminal=terminal)
            if i % 10 == 0:  # a retry after a timeout: the same uid again
                counting.record_event(session, pid, 1_000, uid=uid, actor=actor, now=now, terminal=terminal)
    finally:
        close_database()


def _run_two(url: str, settings: Settings, now: datetime) -> None:
    boss = make_user(settings, now, "mehmet", "supervisor")
    counter = make_user(settings, now, "ayse", "cashier")
    products = [make_product(now, f"P{i}", f"Ürün {i}") for i in range(7)]
    for pid in products:
        receive(pid, 50_000, 100, now, boss)
    session = counting.open_count("İki kasa", actor=boss, now=now, terminal="T1").id
    close_database()
    ctx = mp.get_context("spawn")
    procs = [
        ctx.Process(target=_scanner, args=(url, session, products, (counter.user_id, counter.name), t, now))
        for t in ("T1", "T2")
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    open_database(url)
    totals = counting.session_totals(session)
    expected = {pid: 0 for pid in products}
    for i in range(SCANS):
        expected[products[i % len(products)]] += 2_000  # one scan per terminal
    assert totals == expected
    from pos_tui.store import models as m

    assert m.CountEvent.select().count() == 2 * SCANS
    assert m.CountLine.select().where(m.CountLine.session == session).count() == len(products)
    assert {ln.expected for ln in m.CountLine.select()} == {50_000}


def test_two_processes_scan_one_session_sqlite(db_path: Path, db: object, settings: Settings, now: datetime) -> None:
    _run_two(str(db_path), settings, now)


@pytest.mark.postgres
def test_two_processes_scan_one_session_postgres(pg_db: peewee.Database, settings: Settings, now: datetime) -> None:
    _run_two(_url(pg_db), settings, now)


def _url(database: peewee.Database) -> str:
    import os

    base = os.environ["POS_TEST_PG_URL"].rsplit("/", 1)[0]
    return f"{base}/{database.database}"


@pytest.mark.postgres
def test_count_post_undo_reverse_on_postgres(pg_db: peewee.Database, settings: Settings, now: datetime) -> None:
    from test_count_support import sell

    from pos_tui.core.stock import ledger

    boss = make_user(settings, now, "mehmet", "supervisor")
    counter = make_user(settings, now, "ayse", "cashier")
    a, b = make_product(now, "A", "A"), make_product(now, "B", "B")
    receive(a, 10_000, 250, now, boss)
    receive(b, 3_000, 100, now, boss)
    session = counting.open_count("PG", actor=boss, now=now, terminal="T1").id
    counting.record_event(session, a, 4_000, uid="1", actor=counter, now=now, terminal="T1")
    sell(a, 1_000, now)
    counting.record_event(session, a, 5_000, uid="2", actor=counter, now=now, terminal="T1")
    counting.record_event(session, a, 5_000, uid="2", actor=counter, now=now, terminal="T1")  # a retry
    counting.record_event(session, b, 7_000, uid="3", actor=counter, now=now, terminal="T1")
    assert counting.undo_event(session, uid="4", actor=counter, now=now, terminal="T1").counted == 0
    posted = counting.post_count(session, uncounted="zero", actor=boss, now=now, terminal="T1")
    assert (posted.movements, posted.zeroed) == (2, 1)
    assert ledger.on_hand(a) == 8_000 and ledger.on_hand(b) == 0
    counting.reverse_count(session, actor=boss, now=now, terminal="T1")
    assert ledger.on_hand(a) == 9_000 and ledger.on_hand(b) == 3_000

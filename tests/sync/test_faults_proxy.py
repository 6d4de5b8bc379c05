"""The fault proxy itself, against a real PostgreSQL: each fault does what it says, and healing
brings the line back (faults_proxy.py)."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator

import pytest
from faults_proxy import DOWN, UP, FaultProxy

psycopg2 = pytest.importorskip("psycopg2")

pytestmark = pytest.mark.postgres

PG_URL = os.environ.get("POS_TEST_PG_URL")


@pytest.fixture
def proxy() -> Iterator[FaultProxy]:
    if not PG_URL:
        pytest.skip("POS_TEST_PG_URL is not set (.ci/run starts a PostgreSQL server and sets it)")
    with FaultProxy.for_url(PG_URL) as p:
        yield p


def _connect(proxy: FaultProxy, **extra: object):  # type: ignore[no-untyped-def]
    assert PG_URL
    conn = psycopg2.connect(proxy.url(PG_URL), connect_timeout=2, **extra)
    conn.autocommit = True
    return conn


def _one(conn, sql: str = "SELECT 41 + 1") -> object:  # type: ignore[no-untyped-def]
    with conn.cursor() as cur:
        cur.execute(sql)
        return cur.fetchone()[0]


def test_a_query_goes_through_and_the_bytes_are_counted(proxy: FaultProxy) -> None:
    conn = _connect(proxy)
    try:
        assert _one(conn) == 42
        assert proxy.accepted == 1
        assert proxy.bytes[UP] > 0 and proxy.bytes[DOWN] > 0
        assert proxy.open_connections == 1
    finally:
        conn.close()


def test_the_url_keeps_user_database_and_parameters(proxy: FaultProxy) -> None:
    url = proxy.url("postgresql://pos:secret@db.example:5432/central?sslmode=disable")
    assert url == f"postgresql://pos:secret@127.0.0.1:{proxy.port}/central?sslmode=disable"


def test_drop_resets_open_connections_and_refuses_new_ones_until_healed(proxy: FaultProxy) -> None:
    conn = _connect(proxy)
    assert _one(conn) == 42
    proxy.drop()
    with pytest.raises(psycopg2.OperationalError):
        _one(conn)
    conn.close()
    started = time.monotonic()
    with pytest.raises(psycopg2.OperationalError):
        _connect(proxy)
    assert time.monotonic() - started < 1.5  # refused at once, not a timeout
    assert proxy.refused >= 1
    proxy.heal()
    again = _connect(proxy)
    try:
        assert _one(again) == 42
    finally:
        again.close()


def test_blackhole_answers_nothing_and_what_it_held_arrives_once_healed(proxy: FaultProxy) -> None:
    conn = _connect(proxy)
    try:
        assert _one(conn) == 42
        proxy.blackhole()
        answer: list[object] = []
        worker = threading.Thread(target=lambda: answer.append(_one(conn, "SELECT 7")))
        worker.start()
        worker.join(0.8)
        assert worker.is_alive() and answer == []  # nothing failed, nothing answered
        assert proxy.open_connections == 1  # the connection is kept
        # a new connection is accepted but its login never answers: only the timeout notices
        started = time.monotonic()
        with pytest.raises(psycopg2.OperationalError):
            _connect(proxy)
        assert time.monotonic() - started >= 1.5
        proxy.heal()
        worker.join(5)
        assert answer == [7]
    finally:
        conn.close()


def test_delay_slows_every_round_trip(proxy: FaultProxy) -> None:
    conn = _connect(proxy)
    try:
        started = time.monotonic()
        _one(conn)
        fast = time.monotonic() - started
        proxy.delay(0.15)
        started = time.monotonic()
        assert _one(conn) == 42
        slow = time.monotonic() - started
        assert slow >= 0.3 > fast  # one chunk up, one chunk down, 0.15 s each
        proxy.heal()
        started = time.monotonic()
        _one(conn)
        assert time.monotonic() - started < 0.15
    finally:
        conn.close()


def test_cut_after_n_bytes_breaks_the_line_mid_batch_and_the_transaction_is_lost(proxy: FaultProxy) -> None:
    assert PG_URL
    direct = psycopg2.connect(PG_URL)
    direct.autocommit = True
    table = f"faults_proxy_{os.getpid()}"
    with direct.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {table}; CREATE TABLE {table} (n int PRIMARY KEY, pad text)")
    conn = _connect(proxy)
    conn.autocommit = False
    try:
        with conn.cursor() as cur:
            cur.execute(f"INSERT INTO {table} VALUES (0, 'first')")
        # a 200 kB batch; the line dies 50 kB into it
        proxy.cut_after(50_000, UP)
        with pytest.raises(psycopg2.OperationalError), conn.cursor() as cur:
            big = ",".join(f"({n}, '{'y' * 1000}')" for n in range(1000, 1200))
            cur.execute(f"INSERT INTO {table} VALUES {big}")
            conn.commit()
        assert proxy.cuts == 1 and not proxy.cut_pending
        # the server rolled the open transaction back: not even the first row is there
        deadline = time.monotonic() + 5
        while True:
            with direct.cursor() as cur:
                cur.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE state LIKE 'idle in transaction%%' AND query LIKE %s",
                    (f"%{table}%",),
                )
                if cur.fetchone()[0] == 0 or time.monotonic() > deadline:
                    break
            time.sleep(0.05)
        with direct.cursor() as cur:
            cur.execute(f"SELECT count(*) FROM {table}")
            assert cur.fetchone()[0] == 0
        # the cut was once: the next connection works
        again = _connect(proxy)
        assert _one(again) == 42
        again.close()
    finally:
        conn.close()
        with direct.cursor() as cur:
            cur.execute(f"DROP TABLE IF EXISTS {table}")
        direct.close()


def test_cut_downstream_breaks_a_reply_half_read(proxy: FaultProxy) -> None:
    conn = _connect(proxy)
    try:
        proxy.cut_after(10_000, DOWN)
        with pytest.raises(psycopg2.OperationalError):
            _one(conn, "SELECT string_agg(md5(n::text), '') FROM generate_series(1, 5000) n")
        assert proxy.cuts == 1
    finally:
        conn.close()

"""The tests' own PostgreSQL cluster (faults_pg.py): it starts, survives a clean restart, an
immediate stop and a ``kill -9`` of its postmaster with every committed row, and a client sees
each of them as a broken connection."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from faults_pg import PgCluster, own_cluster

psycopg2 = pytest.importorskip("psycopg2")

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def cluster() -> Iterator[PgCluster]:
    with own_cluster() as c:
        yield c


def _connect(cluster: PgCluster):  # type: ignore[no-untyped-def]
    conn = psycopg2.connect(cluster.url(), connect_timeout=3)
    conn.autocommit = True
    return conn


def _rows(cluster: PgCluster) -> list[int]:
    conn = _connect(cluster)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT n FROM kept ORDER BY n")
            return [r[0] for r in cur.fetchall()]
    finally:
        conn.close()


def _insert(cluster: PgCluster, n: int) -> None:
    conn = _connect(cluster)
    try:
        with conn.cursor() as cur:
            cur.execute("CREATE TABLE IF NOT EXISTS kept (n int PRIMARY KEY)")
            cur.execute("INSERT INTO kept VALUES (%s)", (n,))
    finally:
        conn.close()


@pytest.mark.parametrize("how", ["fast", "immediate", "kill9"])
def test_committed_rows_survive_and_open_connections_break(cluster: PgCluster, how: str) -> None:
    before = _rows(cluster) if cluster.running and _has_table(cluster) else []
    n = len(before) + 1
    _insert(cluster, n)
    port, pid = cluster.port, cluster.pid
    assert pid is not None
    open_conn = _connect(cluster)
    if how == "kill9":
        cluster.kill9()
    else:
        cluster.stop(how)
    assert not cluster.running
    with pytest.raises(psycopg2.OperationalError):
        _connect(cluster)
    with pytest.raises((psycopg2.OperationalError, psycopg2.InterfaceError)), open_conn.cursor() as cur:
        cur.execute("SELECT 1")
    open_conn.close()
    cluster.start()
    assert cluster.port == port and cluster.pid not in (None, pid)
    assert _rows(cluster) == [*before, n]


def _has_table(cluster: PgCluster) -> bool:
    conn = _connect(cluster)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT to_regclass('kept') IS NOT NULL")
            return bool(cur.fetchone()[0])
    finally:
        conn.close()


def test_restart_keeps_the_port() -> None:
    with own_cluster() as c:
        port = c.port
        c.restart()
        assert c.port == port and c.running
        _insert(c, 1)
        assert _rows(c) == [1]
    assert not c.base.exists()

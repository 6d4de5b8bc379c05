"""Two processes returning goods against the same receipt line at the same time: together they
never return more than was received (the receipt's row is the lock; SQLite and PostgreSQL)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import peewee
import pytest
from test_receiving_support import Goods, goods_fixture, line, make_goods, quick_pins, receive

from pos_tui.core.stock import receiving
from pos_tui.settings import Settings
from pos_tui.store import close_database, open_database

__all__ = ["goods_fixture", "quick_pins"]  # fixtures used by name

REPO = Path(__file__).resolve().parents[2]

RETURNER = """
import sys
from datetime import datetime
from pos_tui.core.kernel.actors import Actor
from pos_tui.core.kernel.errors import ImportRejected
from pos_tui.core.stock import receiving
from pos_tui.store import open_database

url, user_id, now, tries = sys.argv[1], int(sys.argv[2]), datetime.fromisoformat(sys.argv[3]), int(sys.argv[4])
open_database(url)
actor = Actor(user_id, "admin", "admin", frozenset({"receive"}), 100)
print("ready", flush=True)
sys.stdin.readline()
got = refused = 0
for _ in range(tries):
    try:
        receiving.post_supplier_return(
            1, [receiving.SupplierReturnLineInput(1000, line_no=1)], actor=actor, now=now, terminal="T9"
        )
    except ImportRejected:
        refused += 1
    else:
        got += 1
print(got, refused, flush=True)
"""


def _race(url: str, user_id: int, now: datetime, tries: int) -> list[tuple[int, int]]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", RETURNER, url, str(user_id), now.isoformat(), str(tries)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
            cwd=REPO,
        )
        for _ in range(2)
    ]
    for proc in procs:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    results = []
    for proc in procs:
        out, _err = proc.communicate(timeout=180)
        assert proc.returncode == 0
        got, refused = map(int, out.split())
        results.append((got, refused))
    return results


def _check(results: list[tuple[int, int]]) -> None:
    assert sum(got for got, _ in results) == 7  # exactly what was received
    assert sum(refused for _, refused in results) == 5
    receipt = receiving.get_receipt(1)
    assert receipt.lines[0].returned == 7000 and receipt.lines[0].returnable == 0


def test_two_processes_on_sqlite(goods: Goods, db_path: Path) -> None:
    receive(goods, [line("1003", "7", "10.00")])
    close_database()
    results = _race(str(db_path), goods.admin.user_id, goods.now, 6)
    open_database(db_path)
    _check(results)


@pytest.mark.postgres
def test_two_processes_on_postgres(pg_db: peewee.Database, settings: Settings, now: datetime) -> None:
    from tests.conftest import PG_URL

    assert PG_URL is not None
    g = make_goods(settings, now)
    receive(g, [line("1003", "7", "10.00")])
    url = PG_URL.rsplit("/", 1)[0] + "/" + str(pg_db.database)
    _check(_race(url, g.admin.user_id, now, 6))

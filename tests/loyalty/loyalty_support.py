"""Helpers shared by the loyalty tests (a uniquely named module, so it never collides with
another directory's ``conftest``): members and real sale rows for the ledger's ``sale``
references, whose foreign keys are enforced."""

from __future__ import annotations

import itertools
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime

from pos_tui.core.kernel import Actor, to_db
from pos_tui.store import models as m

MakeSale = Callable[..., int]
MakeActor = Callable[..., Actor]

_seq = itertools.count(1)

# One terminal of the concurrency tests: ``python -c TERMINAL DB MEMBER TRIES NOW`` opens the
# database, says "ready", waits for a line on stdin, then redeems one point TRIES times and
# prints how many redemptions succeeded and how many were refused.
TERMINAL = """
import sys
from datetime import datetime
from pos_tui.core.kernel.errors import InsufficientPoints
from pos_tui.core.loyalty import redeem
from pos_tui.store import open_database

path, member, tries, now = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), datetime.fromisoformat(sys.argv[4])
open_database(path)
print("ready", flush=True)
sys.stdin.readline()  # both terminals start redeeming together
got = refused = 0
for _ in range(tries):
    try:
        redeem(member, 1, now=now)
    except InsufficientPoints:
        refused += 1
    else:
        got += 1
print(got, refused, flush=True)
"""


def new_member(now: datetime, name: str = "Zeynep Yılmaz") -> int:
    n = next(_seq)
    return int(m.Member.create(card=f"2990000{n:06d}", name=name, created_at=to_db(now)).id)


def new_user(now: datetime, name: str, role: str = "cashier") -> int:
    user = m.User.create(name=name, role=role, pin_tag=f"tag-{next(_seq)}", pin_hash="x", created_at=to_db(now))
    return int(user.id)


def new_sale(now: datetime, cashier_id: int, total_kurus: int = 100_000) -> int:
    n = next(_seq)
    sale = m.Sale.create(
        uid=f"loyalty-test-{n}",
        kind="sale",
        terminal="T1",
        receipt_no=n,
        at=to_db(now),
        cashier=cashier_id,
        subtotal=total_kurus,
        total=total_kurus,
    )
    return int(sale.id)


def race(script: str, database: str, member_id: int, tries: int, now: datetime) -> list[tuple[int, int]]:
    """Start two terminal processes running ``script`` against ``database`` (a SQLite path or a
    PostgreSQL URL), let them go at the same moment, and return each one's (got, refused)."""
    terminals = [
        subprocess.Popen(
            [sys.executable, "-c", script, database, str(member_id), str(tries), now.isoformat()],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for t in terminals:
        assert t.stdout is not None
        line = t.stdout.readline().strip()
        if line != "ready":
            t.kill()
            raise AssertionError(f"a terminal did not start: {line!r} {t.communicate()[1]}")
    for t in terminals:
        assert t.stdin is not None
        t.stdin.write("go\n")
        t.stdin.flush()
    results = []
    for t in terminals:
        out, _err = t.communicate(timeout=120)
        assert t.returncode == 0
        got, refused = map(int, out.split())
        results.append((got, refused))
    return results


def pg_url(db: object) -> str:
    """The URL another process opens to reach the test's PostgreSQL database."""
    params = db.connect_params  # type: ignore[attr-defined]
    return "postgresql://{user}@{host}:{port}/{db}".format(
        user=params.get("user"),
        host=params.get("host"),
        port=params.get("port"),
        db=db.database,  # type: ignore[attr-defined]
    )

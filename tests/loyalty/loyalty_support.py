"""Helpers shared by the loyalty tests (a uniquely named module, so it never collides with
another directory's ``conftest``): members and real sale rows for the ledger's ``sale``
references, whose foreign keys are enforced."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import datetime

from pos_tui.core.actors import Actor
from pos_tui.core.clock import to_db
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
from pos_tui.core.errors import InsufficientPoints
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

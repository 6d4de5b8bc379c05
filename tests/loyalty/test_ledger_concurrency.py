"""Two terminals (two processes on one SQLite file) redeeming from the same member at the same
time can never overdraw: together they get exactly the available points, never one more."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from pathlib import Path

from loyalty_support import TERMINAL, new_member

from pos_tui.core.loyalty import balance, earn
from pos_tui.core.loyalty.ledger import shop_day
from pos_tui.store import close_database
from pos_tui.store import models as m


def test_two_processes_never_overdraw(db: object, db_path: Path, now: datetime) -> None:
    member = new_member(now)
    earn(member, 100, now=now, hold_days=0)
    close_database()
    terminals = [
        subprocess.Popen(
            [sys.executable, "-c", TERMINAL, str(db_path), str(member), "80", now.isoformat()],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for t in terminals:
        assert t.stdout is not None and t.stdout.readline().strip() == "ready"
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
    assert sum(got for got, _ in results) == 100
    assert sum(refused for _, refused in results) == 60
    assert balance(member, as_of=shop_day(now)).available == 0
    consumed = m.PointsEntry.select().where(m.PointsEntry.kind == "redeem").count()
    assert consumed == 100

"""Two terminals (two processes on one SQLite file) redeeming from the same member at the same
time can never overdraw: together they get exactly the available points, never one more."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from loyalty_support import TERMINAL, new_member, race

from pos_tui.core.kernel import shop_day
from pos_tui.core.loyalty import balance, earn
from pos_tui.store import close_database
from pos_tui.store import models as m


def test_two_processes_never_overdraw(db: object, db_path: Path, now: datetime) -> None:
    member = new_member(now)
    earn(member, 100, now=now, hold_days=0)
    close_database()
    results = race(TERMINAL, str(db_path), member, 80, now)
    assert sum(got for got, _ in results) == 100
    assert sum(refused for _, refused in results) == 60
    assert balance(member, as_of=shop_day(now)).available == 0
    consumed = m.PointsEntry.select().where(m.PointsEntry.kind == "redeem").count()
    assert consumed == 100

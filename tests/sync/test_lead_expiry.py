"""A lot that came down from another terminal is expired by that terminal, never twice."""

from __future__ import annotations

from datetime import date, datetime

from pos_tui.core.loyalty import ledger
from pos_tui.store import models as m
from pos_tui.store import write_tx


def _lot(member: m.Member, now: datetime) -> int:
    return int(
        m.PointsEntry.insert(
            member=member,
            at=now,
            kind="earn",
            points=100,
            available_from=date(2026, 1, 1),
            expires_on=date(2026, 6, 30),
        ).execute()
    )


def test_only_this_databases_own_lots_get_expire_entries(db: object, now: datetime) -> None:
    with write_tx():
        member = m.Member.create(card="2000000000017", name="Ayşe", created_at=now)
        own = _lot(member, now)
        foreign = _lot(member, now)
        m.SyncOrigin.insert(tbl="points_entry", origin="T1:points_entry:9", local_id=foreign).execute()
    assert ledger.expire_due(as_of=date(2026, 7, 1)) == 1
    expired = [e.lot_id for e in m.PointsEntry.select().where(m.PointsEntry.kind == "expire")]
    assert expired == [own]

"""The guard end to end with the push: a hold taken online is settled when the sale's document
arrives (the balance counts the redemption once), and an offline redemption on a stale synced
balance that takes the centre below zero is recorded as an overdraft and shown by the
reconciliation report."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from guard_support import (
    CARD,
    UNREACHABLE,
    Shop,
    central_balance,
    central_sql,
    make_shop,
    pay,
    points,
    set_synced,
)
from peewee import fn
from sync_support import set_identity

from pos_tui.core import sync
from pos_tui.core.sync import connection
from pos_tui.settings import Settings
from pos_tui.store import models as m

pytestmark = pytest.mark.postgres


@pytest.fixture
def joined(db: object, settings: Settings, now: datetime, central_url: str) -> Iterator[tuple[Shop, str]]:
    """Terminal T1 with a member of 1000 points, registered at the centre, its opening pushed."""
    connection.forget()
    connection.mark(True)
    shop = make_shop(settings, now)
    central_sql(
        central_url,
        "INSERT INTO sync_terminal (terminal, store, high_water, joined_at, series) VALUES ('T1', 'S1', 0, %s, '{}')",
        (now.replace(tzinfo=None),),
    )
    set_identity("T1", "S1", central_url)
    sync.push(now, url=central_url)
    assert central_balance(central_url, "points", CARD) == 1000
    yield shop, central_url
    connection.forget()
    connection.mark(True)


def _points(sale_id: int | None, kind: str | None) -> int:
    E = m.PointsEntry
    query = E.select(fn.COALESCE(fn.SUM(E.points), 0))
    if sale_id is not None:
        query = query.where((E.sale == sale_id) & (E.kind == kind))
    return int(query.scalar())


def test_an_online_hold_is_settled_when_the_sale_arrives(joined: tuple[Shop, str], now: datetime) -> None:
    shop, url = joined
    sale = pay(shop, [points(200)], now=now)
    assert central_balance(url, "points", CARD) == 800  # held
    sync.push(now + timedelta(minutes=1), url=url)
    earned = _points(sale.sale_id, "earn")
    assert earned > 0
    assert central_balance(url, "points", CARD) == 800 + earned  # counted once: the rows replace the hold
    assert central_balance(url, "points", CARD) == _points(None, None)  # the centre's sum is the terminal's
    (hold,) = sync.holds_of(connection.link(url), sale.uid)
    assert hold.settled_at is not None and hold.released_at is None
    db = connection.link(url)
    assert sync.open_holds(db) == [] and sync.reconciliation(db, now=now + timedelta(hours=2)) == []
    assert sync.release_orphans(now + timedelta(hours=1)) == 0  # the sale posted: nothing to release


def test_an_offline_overdraft_shows_in_the_reconciliation(joined: tuple[Shop, str], now: datetime) -> None:
    shop, url = joined
    set_synced("points", CARD, 1000)  # what the last pull said
    db = connection.link(url)
    sync.hold(db, "T3-SALE", "points", CARD, -800, terminal="T3", now=now)  # another terminal, online
    set_identity("T1", "S1", UNREACHABLE)
    connection.forget()
    sale = pay(shop, [points(500)], now=now)  # offline on the stale balance: allowed min(1000, 1000) = 1000
    set_identity("T1", "S1", url)
    connection.mark(True)
    sync.push(now + timedelta(minutes=5), url=url)
    assert central_balance(url, "points", CARD) == -300 + _points(sale.sale_id, "earn")
    balance = central_balance(url, "points", CARD)
    report = sync.reconciliation(connection.link(url), now=now + timedelta(minutes=10))
    assert [(r.kind, r.ledger, r.key, r.balance, r.terminal) for r in report] == [
        ("overdraft", "points", CARD, balance, "T1"),
        ("balance", "points", CARD, balance, None),
    ]

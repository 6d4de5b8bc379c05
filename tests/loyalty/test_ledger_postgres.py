"""The ledger on PostgreSQL: the same rules, the grouped expiry query, and two processes
redeeming from one member (the member row locked ``FOR UPDATE``) never overdraw."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import peewee
import pytest
from loyalty_support import TERMINAL, new_member, new_sale, new_user, pg_url, race

from pos_tui.core.kernel import Actor, InsufficientPoints, shop_day
from pos_tui.core.loyalty import ExpiryPolicy, adjust, balance, clawback, earn, expire_due, redeem, restore, transfer
from pos_tui.settings import DEFAULT_ROLES
from pos_tui.store import models as m

pytestmark = pytest.mark.postgres
DAY = timedelta(days=1)


def test_ledger_on_postgres(pg_db: peewee.Database, now: datetime) -> None:
    member, friend = new_member(now), new_member(now, "Ali Kaya")
    role = DEFAULT_ROLES["supervisor"]
    manager = Actor(new_user(now, "mehmet", "supervisor"), "mehmet", "supervisor", role.permissions, 50)
    sale = new_sale(now, manager.user_id)
    earn(member, 100, now=now, sale_id=sale)
    earn(member, 60, now=now, hold_days=0, expiry=ExpiryPolicy.days_after_available(5))
    earn(member, 40, now=now, hold_days=0)
    with pytest.raises(InsufficientPoints):
        redeem(member, 101, now=now)
    paid = new_sale(now, manager.user_id)
    assert [c.points for c in redeem(member, 70, now=now, sale_id=paid)] == [60, 10]
    assert [lot.points for lot in restore(member, paid, 10, now=now)] == [10]
    assert [lot.points for lot in transfer(member, friend, 10, now=now)] == [10]
    taken = clawback(member, sale, fraction=Decimal(1), now=now + 3 * DAY)
    assert sum(c.points for c in taken) == 100
    adjust(member, -50, "card misuse", actor=manager, now=now, terminal="T1")
    today = shop_day(now)
    b = balance(member, as_of=today + 3 * DAY)
    assert (b.available, b.pending, b.total) == (-20, 0, -20)
    earn(member, 20, now=now, hold_days=0, expiry=ExpiryPolicy.days_after_available(1))
    assert balance(member, as_of=today + 3 * DAY).total == 0
    earn(friend, 5, now=now, hold_days=0, expiry=ExpiryPolicy.days_after_available(1))
    assert expire_due(as_of=today + 10 * DAY) == 1  # the friend's 5; the member's lots are settled
    assert expire_due(as_of=today + 10 * DAY) == 0
    assert balance(friend, as_of=today + 10 * DAY).available == 10
    assert sum(e.points for e in m.PointsEntry.select()) == 10


def test_two_processes_never_overdraw_on_postgres(pg_db: peewee.Database, now: datetime) -> None:
    member = new_member(now)
    earn(member, 100, now=now, hold_days=0)
    url = pg_url(pg_db)
    results = race(TERMINAL, url, member, 80, now)
    assert sum(got for got, _ in results) == 100
    assert balance(member, as_of=shop_day(now)).available == 0

"""A Hypothesis state machine over earn, redeem, clawback (returns), restore, expire and
adjust on random days. After every step the ledger, read straight from its rows, must agree
with the services: the balance equals the sum of the entries (less what has expired but not
yet been written off), no lot is below zero, pending points were never spent, and a
redemption succeeds exactly when the available balance covers it."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from loyalty_support import new_member, new_sale, new_user

from pos_tui.core.kernel import Actor, InsufficientPoints, from_db, local, shop_day
from pos_tui.core.kernel.clock import SHOP_TZ
from pos_tui.core.loyalty import ExpiryPolicy, adjust, balance, clawback, earn, expire_due, redeem, restore
from pos_tui.settings import DEFAULT_ROLES
from pos_tui.store import models as m

POLICIES = st.sampled_from(
    [
        ExpiryPolicy.never(),
        ExpiryPolicy.days_after_available(5),
        ExpiryPolicy.days_after_available(30),
        ExpiryPolicy.end_of_month(),
        ExpiryPolicy.end_of_year(),
    ]
)
SPENDING = ("redeem", "donate", "transfer_out")


def ledger_rows(member: int) -> list[m.PointsEntry]:
    return list(m.PointsEntry.select().where(m.PointsEntry.member == member).order_by(m.PointsEntry.id))


class Ledger(RuleBasedStateMachine):
    start: datetime

    def __init__(self) -> None:
        super().__init__()
        self.days = 0
        self.member = new_member(self.start)
        role = DEFAULT_ROLES["supervisor"]
        name = f"manager{self.member}"
        self.manager = Actor(new_user(self.start, name, "supervisor"), name, "supervisor", role.permissions, 50)
        self.earned_sales: list[int] = []
        self.redeemed_sales: list[int] = []

    @property
    def now(self) -> datetime:
        return self.start + timedelta(days=self.days)

    @property
    def today(self) -> date:
        return shop_day(self.now)

    @initialize()
    def opening_points(self) -> None:
        earn(self.member, 100, now=self.now, hold_days=0, expiry=ExpiryPolicy.end_of_year())

    @rule(days=st.integers(0, 40))
    def time_passes(self, days: int) -> None:
        self.days += days

    @rule(points=st.integers(1, 400), hold=st.sampled_from([0, 3, 15]), policy=POLICIES, with_sale=st.booleans())
    def earn_points(self, points: int, hold: int, policy: ExpiryPolicy, with_sale: bool) -> None:
        sale = new_sale(self.now, self.manager.user_id) if with_sale else None
        lot = earn(self.member, points, now=self.now, sale_id=sale, hold_days=hold, expiry=policy)
        assert lot.available_from == self.today + timedelta(days=hold)
        if sale is not None:
            self.earned_sales.append(sale)

    @rule(points=st.integers(1, 300))
    def redeem_points(self, points: int) -> None:
        before = balance(self.member, as_of=self.today)
        sale = new_sale(self.now, self.manager.user_id)
        try:
            taken = redeem(self.member, points, now=self.now, sale_id=sale)
        except InsufficientPoints:
            assert before.available < points
        else:
            assert before.available >= points
            assert sum(c.points for c in taken) == points
            assert balance(self.member, as_of=self.today).available == before.available - points
            self.redeemed_sales.append(sale)

    @precondition(lambda self: self.earned_sales)
    @rule(data=st.data(), fraction=st.sampled_from([Decimal("0.25"), Decimal("0.5"), Decimal(1)]))
    def return_a_sale(self, data: st.DataObject, fraction: Decimal) -> None:
        sale = data.draw(st.sampled_from(self.earned_sales))
        before = balance(self.member, as_of=self.today).total
        taken = clawback(self.member, sale, fraction=fraction, now=self.now)
        assert balance(self.member, as_of=self.today).total == before - sum(c.points for c in taken)

    @precondition(lambda self: self.redeemed_sales)
    @rule(data=st.data(), points=st.integers(1, 300))
    def restore_points(self, data: st.DataObject, points: int) -> None:
        sale = data.draw(st.sampled_from(self.redeemed_sales))
        before = balance(self.member, as_of=self.today).total
        lots = restore(self.member, sale, points, now=self.now)
        assert sum(lot.points for lot in lots) <= points
        assert balance(self.member, as_of=self.today).total == before + sum(lot.points for lot in lots)

    @rule(points=st.integers(-300, 300).filter(bool))
    def manager_adjusts(self, points: int) -> None:
        before = balance(self.member, as_of=self.today).total
        adjust(self.member, points, "correction", actor=self.manager, now=self.now, terminal="T1")
        assert balance(self.member, as_of=self.today).total == before + points

    @rule()
    def nightly_job(self) -> None:
        before = balance(self.member, as_of=self.today)
        expire_due(as_of=self.today)
        assert expire_due(as_of=self.today) == 0
        assert balance(self.member, as_of=self.today) == before
        assert before.total == sum(e.points for e in ledger_rows(self.member))

    @invariant()
    def ledger_agrees_with_the_services(self) -> None:
        rows = ledger_rows(self.member)
        lots = {e.id: e for e in rows if e.available_from is not None}
        remaining: dict[int, int] = {lot_id: lot.points for lot_id, lot in lots.items()}
        for e in rows:
            if e.lot_id is not None:
                remaining[e.lot_id] += e.points
                if e.kind in SPENDING:
                    spent_on = local(from_db(e.at), SHOP_TZ).date()
                    assert lots[e.lot_id].available_from <= spent_on, "pending points were spent"
        assert all(left >= 0 for left in remaining.values()), "a lot went below zero"
        gone = sum(
            left
            for lot_id, left in remaining.items()
            if lots[lot_id].expires_on is not None and lots[lot_id].expires_on < self.today
        )
        b = balance(self.member, as_of=self.today)
        assert b.total == sum(e.points for e in rows) - gone
        assert b.total == b.available + b.pending
        pending = sum(
            left
            for lot_id, left in remaining.items()
            if lots[lot_id].available_from > self.today
            and (lots[lot_id].expires_on is None or lots[lot_id].expires_on >= self.today)
        )
        assert b.pending == pending
        debt = sum(e.points for e in rows if e.lot_id is None and e.available_from is None)
        if debt < 0:
            assert b.pending == 0 and b.available == debt, "an open debt leaves every lot empty"
        expiring: dict[date, int] = defaultdict(int)
        for lot_id, left in remaining.items():
            on = lots[lot_id].expires_on
            if on is not None and on >= self.today and left:
                expiring[on] += left
        assert dict((on, points) for points, on in b.expiring if points) == dict(expiring)


def test_ledger_state_machine(db: object, now: datetime) -> None:
    Ledger.start = now
    run_state_machine_as_test(
        Ledger,
        settings=settings(
            max_examples=40,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )

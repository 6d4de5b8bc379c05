"""The ledger's fast paths give exactly what the straightforward computation gives.

- ``balance`` folds the member's lots in one grouped SQL statement. The oracle here is the
  implementation it replaced, kept verbatim (:func:`folded_balance`): read every entry of the
  member, fold them per lot in Python. Both are compared on random ledgers built through the
  services (debts, settles, pending, expired lots, transfers, restores, the expiry job having
  run on some nights) and on raw random rows (entries written after the day, consumptions
  of lots written later or of another member's lots), for past, present and future days.
- ``expire_due`` writes its entries in bulk. The oracle (:func:`expected_expiries`) walks
  every lot and sums what points at it; the rows written must be exactly those (every column).
"""

from __future__ import annotations

import contextlib
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import peewee
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from loyalty_support import new_member, new_sale, new_user

from pos_tui.core.kernel import Actor, InsufficientPoints, shop_day, to_db
from pos_tui.core.kernel.clock import SHOP_TZ
from pos_tui.core.loyalty import (
    Balance,
    ExpiryPolicy,
    adjust,
    balance,
    clawback,
    donate,
    earn,
    expire_due,
    redeem,
    restore,
    transfer,
)
from pos_tui.core.loyalty.ledger import _day_start
from pos_tui.settings import DEFAULT_ROLES
from pos_tui.store import fast
from pos_tui.store import models as m

DAY = timedelta(days=1)
START = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
POLICIES = (
    ExpiryPolicy.never(),
    ExpiryPolicy.days_after_available(5),
    ExpiryPolicy.days_after_available(30),
    ExpiryPolicy.end_of_month(),
    ExpiryPolicy.end_of_year(),
)
ZONES = (SHOP_TZ, "UTC", "America/New_York", "Asia/Tokyo")
SLOW_DB = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


# --------------------------------------------------------------------------- the oracles


def folded_balance(member_id: int, *, as_of: date, tz: str = SHOP_TZ) -> Balance:
    """``ledger.balance`` as it was before the SQL fold (``_load`` + the live-lot sums), kept
    as the oracle: every entry written before the end of ``as_of``, folded per lot."""
    e = m.PointsEntry
    before = _day_start(as_of + DAY, tz)
    query = e.select(e.id, e.kind, e.points, e.lot, e.available_from, e.expires_on).where(
        (e.member == member_id) & (e.at < before)
    )
    lots: dict[int, list[object]] = {}  # id -> [remaining, available_from, expires_on]
    taken: dict[int, int] = defaultdict(int)
    debt = 0
    for eid, _kind, points, lot_id, available_from, expires_on in query.tuples().iterator():
        if lot_id is not None:
            taken[lot_id] += points
        elif available_from is not None:
            lots[eid] = [points, available_from, expires_on]
        else:
            debt += points
    for lot_id, delta in taken.items():
        if lot_id in lots:
            lots[lot_id][0] += delta  # type: ignore[operator]
    live = [
        (remaining, available_from, expires_on)
        for remaining, available_from, expires_on in lots.values()
        if remaining > 0 and not (expires_on is not None and expires_on < as_of)  # type: ignore[operator]
    ]
    available = sum(r for r, frm, _on in live if not frm > as_of) + debt  # type: ignore[operator,misc]
    pending = sum(r for r, frm, _on in live if frm > as_of)  # type: ignore[operator,misc]
    expiring: dict[date, int] = defaultdict(int)
    for remaining, _frm, on in live:
        if on is not None:
            expiring[on] += remaining  # type: ignore[index,operator]
    return Balance(
        member_id,
        as_of,
        available,
        pending,
        available + pending,
        [(points, day) for day, points in sorted(expiring.items())],
    )


Row = tuple[object, ...]


def expiry_rows(where: peewee.Expression | None = None) -> list[Row]:
    """Every column but the id of the ``expire`` entries (optionally only some), sorted."""
    e = m.PointsEntry
    cols = (e.member, e.kind, e.points, e.lot, e.at, e.sale, e.available_from, e.expires_on, e.reason, e.actor)
    query = e.select(*cols).where(e.kind == "expire")
    if where is not None:
        query = query.where(where)
    return sorted(query.tuples(), key=repr)


def expected_expiries(as_of: date, tz: str) -> list[Row]:
    """The entries ``expire_due(as_of)`` must write, lot by lot: every lot whose last day is
    before ``as_of`` and that still holds points (its points plus every entry pointing at it)
    gets one entry for what it holds, dated at the start of the day after its last day."""
    e = m.PointsEntry
    pointing: dict[int, int] = defaultdict(int)
    for lot_id, points in e.select(e.lot, e.points).where(e.lot.is_null(False)).tuples():
        pointing[lot_id] += points
    out: list[Row] = []
    lots = e.select(e.id, e.member, e.points, e.expires_on).where(e.lot.is_null() & e.available_from.is_null(False))
    for lot_id, member_id, points, expires_on in lots.tuples():
        left = points + pointing[lot_id]
        if expires_on is not None and expires_on < as_of and left > 0:
            at = _day_start(expires_on + DAY, tz)
            out.append((member_id, "expire", -left, lot_id, at, None, None, None, None, None))
    return sorted(out, key=repr)


def check_expire_due(as_of: date, tz: str) -> int:
    """Run ``expire_due`` and check it wrote exactly the oracle's rows; a second run writes none."""
    before = expiry_rows()
    want = expected_expiries(as_of, tz)
    written = expire_due(as_of=as_of, tz=tz)
    after = expiry_rows()
    new = list(after)
    for row in before:
        new.remove(row)
    assert new == want
    assert written == len(want)
    assert expire_due(as_of=as_of, tz=tz) == 0
    return written


# --------------------------------------------------------------------------- random ledgers

EARN, REDEEM, DONATE, TRANSFER, CLAWBACK, RESTORE, ADJUST, EXPIRE = range(8)
OPERATIONS = st.lists(
    st.tuples(
        st.integers(EARN, EXPIRE),  # what happens
        st.integers(0, 45),  # days since the step before
        st.integers(0, 1),  # which member
        st.integers(1, 300),  # points
        st.integers(0, 4),  # hold / policy / fraction choice
    ),
    min_size=1,
    max_size=25,
)


@dataclass
class Shop:
    """Two members and a manager; the sales each member earned on and paid with points."""

    members: tuple[int, int]
    manager: Actor
    tz: str
    now: datetime
    earned: dict[int, list[int]]
    redeemed: dict[int, list[int]]

    @classmethod
    def open(cls, tz: str, start: datetime = START) -> Shop:
        a, b = new_member(start), new_member(start, "Ali Kaya")
        role = DEFAULT_ROLES["supervisor"]
        name = f"manager{a}"
        manager = Actor(new_user(start, name, "supervisor"), name, "supervisor", role.permissions, 50)
        return cls((a, b), manager, tz, start, {a: [], b: []}, {a: [], b: []})

    def step(self, op: int, days: int, who: int, points: int, choice: int) -> None:
        """One business event ``days`` after the last; refusals (too few points) are part of it."""
        self.now += days * DAY
        member, other = self.members[who], self.members[1 - who]
        now, tz = self.now, self.tz
        try:
            if op == EARN:
                sale = new_sale(now, self.manager.user_id) if choice % 2 == 0 else None
                hold = (0, 3, 15, 15, 60)[choice]
                earn(member, points, now=now, sale_id=sale, hold_days=hold, expiry=POLICIES[choice], tz=tz)
                if sale is not None:
                    self.earned[member].append(sale)
            elif op == REDEEM:
                sale = new_sale(now, self.manager.user_id)
                redeem(member, points, now=now, sale_id=sale, tz=tz)
                self.redeemed[member].append(sale)
            elif op == DONATE:
                donate(member, points, "TEMA", now=now, tz=tz)
            elif op == TRANSFER:
                transfer(member, other, points, now=now, tz=tz)
            elif op == CLAWBACK and self.earned[member]:
                sale = self.earned[member][points % len(self.earned[member])]
                fraction = (Decimal("0.25"), Decimal("0.5"), Decimal(1), Decimal(1), Decimal("0.1"))[choice]
                clawback(member, sale, fraction=fraction, now=now, tz=tz)
            elif op == RESTORE and self.redeemed[member]:
                sale = self.redeemed[member][points % len(self.redeemed[member])]
                restore(member, sale, points, now=now, tz=tz)
            elif op == ADJUST:
                signed = points if choice % 2 else -points * 2  # negative ones can leave a debt
                adjust(member, signed, "correction", actor=self.manager, now=now, terminal="T1", tz=tz)
            elif op == EXPIRE:
                expire_due(as_of=shop_day(now, tz), tz=tz)
        except InsufficientPoints:
            pass

    def days_to_check(self) -> list[date]:
        """Days around everything that happened: before the start, every day of an entry, each
        lot's first and last day and the day after, and a few days well after."""
        first = shop_day(START, self.tz)
        days = {first - DAY, first, shop_day(self.now, self.tz) + DAY, shop_day(self.now, self.tz) + 400 * DAY}
        e = m.PointsEntry
        for frm, on in e.select(e.available_from, e.expires_on).where(e.member.in_(self.members)).tuples():
            if frm is not None:
                days |= {frm - DAY, frm}
            if on is not None:
                days |= {on, on + DAY}
        return sorted(days)


def assert_balances_agree(members: tuple[int, ...] | list[int], days: list[date], tz: str) -> None:
    for member in members:
        for day in days:
            assert balance(member, as_of=day, tz=tz) == folded_balance(member, as_of=day, tz=tz), (member, day)


# --------------------------------------------------------------------------- balance


@SLOW_DB
@given(operations=OPERATIONS, tz=st.sampled_from(ZONES))
def test_balance_equals_the_entry_by_entry_fold_on_service_ledgers(
    db: object, operations: list[tuple[int, int, int, int, int]], tz: str
) -> None:
    shop = Shop.open(tz)
    for operation in operations:
        shop.step(*operation)
    assert_balances_agree(shop.members, shop.days_to_check(), tz)


RAW_ENTRY = st.tuples(
    st.integers(0, 5),  # 0-2: a lot, 3: a consumption, 4: a debt, 5: a positive entry without a lot (settle)
    st.integers(-40, 400),  # day of the entry, from START
    st.integers(1, 500),  # points
    st.integers(-5, 60),  # lot: hold; consumption: which earlier entry (modulo)
    st.one_of(st.none(), st.integers(0, 90)),  # lot: days usable (none: never)
    st.booleans(),  # written for the other member
)


@SLOW_DB
@given(entries=st.lists(RAW_ENTRY, min_size=1, max_size=40), days=st.lists(st.integers(-45, 500), max_size=8))
def test_balance_equals_the_fold_on_raw_rows(
    db: object, entries: list[tuple[int, int, int, int, int | None, bool]], days: list[int]
) -> None:
    """Rows the services would never write in this order (consumptions before their lot,
    lots overdrawn, consumptions of another member's lot): the fold and the SQL still agree."""
    members = (new_member(START), new_member(START, "Ali Kaya"))
    ids: list[int] = []
    first = shop_day(START)
    for kind, day, points, link, usable, other in entries:
        member = members[1 if other else 0]
        at = to_db(START + day * DAY)
        values: dict[str, object] = {"member": member, "at": at}
        if kind <= 2:
            frm = first + (day + link) * DAY
            values |= {
                "kind": "earn",
                "points": points,
                "available_from": frm,
                "expires_on": None if usable is None else frm + usable * DAY,
            }
        elif kind == 3 and ids:
            values |= {"kind": "redeem", "points": -points, "lot": ids[link % len(ids)]}
        elif kind == 4:
            values |= {"kind": "clawback", "points": -points}
        else:
            values |= {"kind": "settle", "points": points}
        ids.append(int(m.PointsEntry.insert(**values).execute()))
    check = sorted({first + d * DAY for d in days} | {first - DAY, first + 30 * DAY})
    assert_balances_agree(members, check, SHOP_TZ)


def test_balance_sql_is_rendered_once(member: int, now: datetime) -> None:
    """The parameters are passed in the order the statement renders them, so the SQL text is
    composed on the first balance and reused (a change to the query that breaks the order
    would silently make every balance render it again)."""
    earn(member, 100, now=now, hold_days=0)
    balance(member, as_of=shop_day(now))
    key = (type(m.database.obj), ("rendered", "ledger.balance", 8))
    assert key in fast._cache
    assert balance(member, as_of=shop_day(now)).available == 100


def test_balance_of_a_long_history_matches_the_fold(member: int, now: datetime) -> None:
    """Two years of weekly receipts, a quarter of them partly paid with points, one returned."""
    rnd = random.Random(7)
    role = DEFAULT_ROLES["supervisor"]
    manager = Actor(new_user(now, "mehmet", "supervisor"), "mehmet", "supervisor", role.permissions, 50)
    start = now - 730 * DAY
    sales = []
    for week in range(104):
        when = start + week * 7 * DAY
        sale = new_sale(when, manager.user_id)
        sales.append(sale)
        earn(member, rnd.randint(20, 400), now=when, sale_id=sale, expiry=ExpiryPolicy.days_after_available(365))
        if week % 4 == 3:
            with contextlib.suppress(InsufficientPoints):
                redeem(member, rnd.randint(1, 300), now=when, sale_id=new_sale(when, manager.user_id))
        if week == 50:
            clawback(member, sales[48], fraction=Decimal(1), now=when)
        if week % 26 == 0:
            expire_due(as_of=shop_day(when))
    today = shop_day(now)
    days = [today + d * DAY for d in range(-760, 400, 11)] + [today]
    assert_balances_agree([member], days, SHOP_TZ)


# --------------------------------------------------------------------------- expire_due


@SLOW_DB
@given(operations=OPERATIONS, later=st.integers(0, 400), tz=st.sampled_from(ZONES))
def test_expire_due_writes_what_the_per_lot_walk_gives(
    db: object, operations: list[tuple[int, int, int, int, int]], later: int, tz: str
) -> None:
    shop = Shop.open(tz)
    for operation in operations:
        shop.step(*operation)
    day = shop_day(shop.now, tz) + later * DAY
    balances = [balance(member, as_of=day, tz=tz) for member in shop.members]
    check_expire_due(day, tz)
    assert [balance(member, as_of=day, tz=tz) for member in shop.members] == balances


def test_expire_due_over_many_chunks_on_a_mixed_ledger(db: object) -> None:
    """Hundreds of lots over many members (more than two full multi-row statements), partly
    spent, some of them emptied or overdrawn into a debt, some pending, some expired on
    earlier nights, next to a few service-built ledgers; then two nights of the job."""
    rnd = random.Random(11)
    shops = [Shop.open(SHOP_TZ) for _ in range(3)]
    for shop in shops:
        for _ in range(30):
            shop.step(
                rnd.randint(EARN, EXPIRE), rnd.randint(0, 20), rnd.randint(0, 1), rnd.randint(1, 300), rnd.randint(0, 4)
            )
    members = [new_member(START) for _ in range(40)]
    lots: list[dict[str, object]] = []
    first = shop_day(START)
    for i in range(1200):
        when = START + rnd.randint(0, 300) * DAY
        frm = shop_day(when) + rnd.choice((0, 15, 15, 400)) * DAY
        lots.append(
            {
                "member": members[i % len(members)],
                "at": to_db(when),
                "kind": "earn",
                "points": rnd.randint(1, 500),
                "available_from": frm,
                "expires_on": None if i % 9 == 0 else frm + rnd.choice((30, 60, 120, 365)) * DAY,
            }
        )
    m.PointsEntry.insert_many(lots).execute()
    e = m.PointsEntry
    made = list(e.select(e.id, e.member, e.points, e.at).where(e.member.in_(members)).tuples())
    spends = []
    for lot_id, member_id, points, at in made:
        roll = rnd.random()
        if roll < 0.3:
            taken = points if roll < 0.1 else rnd.randint(1, points)  # emptied, or partly spent
            spends.append({"member": member_id, "at": at, "kind": "redeem", "points": -taken, "lot": lot_id})
        elif roll < 0.35:  # clawed back more than it held: the rest became a debt
            spends.append({"member": member_id, "at": at, "kind": "clawback", "points": -points, "lot": lot_id})
            spends.append({"member": member_id, "at": at, "kind": "clawback", "points": -rnd.randint(1, 50)})
    m.PointsEntry.insert_many(spends).execute()
    assert check_expire_due(first + 150 * DAY, SHOP_TZ) > 0  # an earlier night
    assert check_expire_due(first + 1200 * DAY, SHOP_TZ) > 2 * (fast.MAX_PARAMS // 5)  # three statements
    assert check_expire_due(first + 1201 * DAY, SHOP_TZ) == 0


def test_expire_due_with_nothing_to_do(db: object) -> None:
    assert expire_due(as_of=date(2026, 1, 1)) == 0


@pytest.mark.postgres
def test_fast_paths_on_postgres(pg_db: peewee.Database) -> None:
    """The same comparisons on PostgreSQL (dates come back as dates, sums as ``Decimal``)."""
    rnd = random.Random(5)
    shop = Shop.open(SHOP_TZ)
    for _ in range(60):
        shop.step(
            rnd.randint(EARN, EXPIRE), rnd.randint(0, 20), rnd.randint(0, 1), rnd.randint(1, 300), rnd.randint(0, 4)
        )
    assert_balances_agree(shop.members, shop.days_to_check(), SHOP_TZ)
    check_expire_due(shop_day(shop.now) + 200 * DAY, SHOP_TZ)
    assert_balances_agree(shop.members, shop.days_to_check(), SHOP_TZ)

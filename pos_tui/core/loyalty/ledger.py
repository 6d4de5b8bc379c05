"""The points ledger: insert-only entries, lots with a hold and an expiry, derived balances.

Model (docs/loyalty.md has the long version):

- Every entry that creates points is a **lot** (``earn``, ``restore``, ``transfer_in``, a
  positive ``adjust``) with ``available_from`` (the hold) and ``expires_on`` (the last
  shop-local day it can be spent; empty for never).
- Every entry that takes points from a lot (``redeem``, ``donate``, ``transfer_out``,
  ``clawback``, ``expire``, ``settle``, a negative ``adjust``) points at the lot and carries
  negative points. A lot's remaining points are its points plus those entries: balances are
  derived, there is no mutable "remaining" column that could drift from the entries.
- A clawback or negative adjustment larger than everything the member holds leaves a
  **debt**: a negative entry without a lot. The next lot created for the member repays it
  at once (a ``settle`` pair: minus on the lot, plus on the debt), so while a debt is open
  every lot is empty and redemption is blocked.

Days are the shop's calendar days (``tz``, the shop's ``settings.shop.timezone``): services
take an aware ``now`` and convert it once; ``balance`` and ``expire_due`` take a date. A
lot whose ``expires_on`` is before ``as_of`` counts as gone whether or not
:func:`expire_due` has written its ``expire`` entry, so a balance read for any date is right.

Concurrency: every write runs in one ``write_tx``. On SQLite that is ``BEGIN IMMEDIATE``,
which serialises writers before the balance is read; on PostgreSQL the member row is locked
``FOR UPDATE`` first, so two terminals redeeming from one member queue up and the second
sees the first's entries. Either way a member can never be overdrawn.
"""

from __future__ import annotations

import calendar
import functools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any, Literal, cast

from peewee import JOIN, SQL, fn

from pos_tui.core.kernel import journal
from pos_tui.core.kernel.actors import Actor, Override, require
from pos_tui.core.kernel.clock import SHOP_TZ, shop_day, to_db, zone
from pos_tui.core.kernel.errors import InsufficientPoints, NotFound, ValidationError
from pos_tui.core.kernel.pan import refuse_pan
from pos_tui.i18n import _
from pos_tui.store import fast
from pos_tui.store import models as m
from pos_tui.store.db import write_tx

DEFAULT_HOLD_DAYS = 15  # the 14-day legal return window plus one day


@dataclass(frozen=True, slots=True)
class ExpiryPolicy:
    """When a lot's points expire, counted from the day they become available.

    ``never``; ``days_after_available`` (usable for ``days`` days after ``available_from``,
    through ``available_from + days``); ``end_of_month`` / ``end_of_year`` (usable through the
    last day of the month / year in which they became available).
    """

    kind: Literal["never", "days_after_available", "end_of_month", "end_of_year"] = "never"
    days: int = 0

    def __post_init__(self) -> None:
        if self.kind == "days_after_available" and self.days < 1:
            raise ValidationError(_("Points must stay usable for at least one day"))

    @classmethod
    def never(cls) -> ExpiryPolicy:
        return cls("never")

    @classmethod
    def days_after_available(cls, days: int) -> ExpiryPolicy:
        return cls("days_after_available", days)

    @classmethod
    def end_of_month(cls) -> ExpiryPolicy:
        return cls("end_of_month")

    @classmethod
    def end_of_year(cls) -> ExpiryPolicy:
        return cls("end_of_year")

    def expires_on(self, available_from: date) -> date | None:
        """The last day points that become available on ``available_from`` can be spent."""
        if self.kind == "days_after_available":
            return available_from + timedelta(days=self.days)
        if self.kind == "end_of_month":
            last = calendar.monthrange(available_from.year, available_from.month)[1]
            return available_from.replace(day=last)
        if self.kind == "end_of_year":
            return date(available_from.year, 12, 31)
        return None


@dataclass(frozen=True, slots=True)
class Lot:
    """Points created by one entry, spendable from ``available_from`` through ``expires_on``."""

    id: int
    member_id: int
    kind: str
    points: int
    available_from: date
    expires_on: date | None
    sale_id: int | None


@dataclass(frozen=True, slots=True)
class Consumption:
    """Points taken from one lot by one entry (``points`` is positive: how many were taken)."""

    entry_id: int
    lot_id: int | None  # None: the part that became a debt (a clawback of spent points)
    kind: str
    points: int
    expires_on: date | None


@dataclass(frozen=True, slots=True)
class Balance:
    """A member's points as of a day. ``available`` is negative while a debt is open."""

    member_id: int
    as_of: date
    available: int
    pending: int
    total: int
    expiring: list[tuple[int, date]]  # (points, last usable day), soonest first


@dataclass(slots=True)
class _LotState:
    id: int
    kind: str
    points: int
    remaining: int
    available_from: date
    expires_on: date | None
    sale_id: int | None

    def expired(self, day: date) -> bool:
        return self.expires_on is not None and self.expires_on < day

    def pending(self, day: date) -> bool:
        return self.available_from > day

    def fifo_key(self) -> tuple[bool, date, date, int]:
        return (self.expires_on is None, self.expires_on or date.max, self.available_from, self.id)


@dataclass(slots=True)
class _State:
    lots: list[_LotState]
    debt: int  # <= 0: the sum of entries without a lot that are not lots themselves
    clawed_by_sale: dict[int, int]  # points already clawed back per sale (positive)
    redeemed_by_sale: dict[int, dict[date | None, int]]  # sale → expiry → points redeemed
    restored_by_sale: dict[int, dict[date | None, int]]

    def live(self, day: date) -> list[_LotState]:
        return [lot for lot in self.lots if lot.remaining > 0 and not lot.expired(day)]

    def available(self, day: date) -> list[_LotState]:
        return sorted((lot for lot in self.live(day) if not lot.pending(day)), key=_LotState.fifo_key)

    def pending(self, day: date) -> list[_LotState]:
        return sorted((lot for lot in self.live(day) if lot.pending(day)), key=_LotState.fifo_key)


def points_for(amount: Decimal, percent: Decimal) -> int:
    """Points earned on ``amount`` TRY at ``percent`` %: rounded **down** to a whole point, once
    per receipt (never per line, so splitting a basket never earns more). 199.99 TRY at 1 %
    is 1 point; a negative amount or rate is refused."""
    if amount < 0 or percent < 0:
        raise ValidationError(_("Points are earned on a positive amount at a positive rate"))
    return int((amount * percent / Decimal(100)).to_integral_value(rounding=ROUND_DOWN))


def _day_start(day: date, tz: str) -> datetime:
    """Naive UTC of the local midnight that starts ``day`` (how day bounds are stored)."""
    return datetime.combine(day, time.min, tzinfo=zone(tz)).astimezone(UTC).replace(tzinfo=None)


def _date(value: object) -> date | None:
    """A ``DATE`` column as the driver returns it (PostgreSQL: a date; SQLite: ISO text, parsed
    as Peewee's ``DateField`` does, once per distinct text)."""
    if isinstance(value, datetime):
        return value.date()
    if value is None or isinstance(value, date):
        return value
    return _parse_date(str(value))


@functools.lru_cache(maxsize=4096)
def _parse_date(text: str) -> date:
    return cast(date, m.PointsEntry.expires_on.adapt(text))


def _positive(points: int, what: str) -> int:
    if isinstance(points, bool) or not isinstance(points, int):
        raise ValidationError(_("{what} must be a whole number of points").format(what=what))
    if points <= 0:
        raise ValidationError(_("{what} must be more than zero").format(what=what))
    return points


def _lock_member(member_id: int) -> None:
    """Lock the member row (PostgreSQL ``FOR UPDATE``; SQLite's write transaction already
    excludes other writers) and check that the member exists."""
    if fast.select_first(m.Member, ("id",), {"id": member_id}, for_update=True) is None:
        raise NotFound(_("No member with id {id}").format(id=member_id))


def _load(member_id: int, before: datetime | None = None) -> _State:
    """Every entry of the member (written before ``before``, naive UTC, when given), folded."""
    e = m.PointsEntry
    query = e.select(e.id, e.kind, e.points, e.lot, e.sale, e.available_from, e.expires_on).where(e.member == member_id)
    if before is not None:
        query = query.where(e.at < before)
    lots: dict[int, _LotState] = {}
    taken: dict[int, int] = defaultdict(int)
    debt = 0
    clawed: dict[int, int] = defaultdict(int)
    redeemed_entries: list[tuple[int, int, int]] = []  # (sale, lot, points)
    restored: dict[int, dict[date | None, int]] = defaultdict(lambda: defaultdict(int))
    for eid, kind, points, lot_id, sale_id, available_from, expires_on in query.tuples().iterator():
        if lot_id is not None:
            taken[lot_id] += points
        elif available_from is not None:
            lots[eid] = _LotState(eid, kind, points, points, available_from, expires_on, sale_id)
        else:
            debt += points
        if sale_id is not None:
            if kind == "clawback":
                clawed[sale_id] -= points
            elif kind == "redeem" and lot_id is not None:
                redeemed_entries.append((sale_id, lot_id, -points))
            elif kind == "restore":
                restored[sale_id][expires_on] += points
    for lot_id, delta in taken.items():
        if lot_id in lots:
            lots[lot_id].remaining += delta
    redeemed: dict[int, dict[date | None, int]] = defaultdict(lambda: defaultdict(int))
    for sale_id, lot_id, points in redeemed_entries:
        if lot_id in lots:
            redeemed[sale_id][lots[lot_id].expires_on] += points
    return _State(list(lots.values()), debt, dict(clawed), redeemed, restored)


def _insert(member_id: int, kind: str, points: int, at: datetime, **values: object) -> int:
    return int(m.PointsEntry.insert(member=member_id, kind=kind, points=points, at=at, **values).execute())


def _lot(row_id: int, member_id: int, kind: str, points: int, day: date, expires: date | None, sale: int | None) -> Lot:
    return Lot(row_id, member_id, kind, points, day, expires, sale)


def _new_lot(
    state: _State,
    member_id: int,
    kind: str,
    points: int,
    *,
    at: datetime,
    available_from: date,
    expires_on: date | None,
    sale_id: int | None = None,
    reason: str | None = None,
    actor_id: int | None = None,
) -> Lot:
    """Insert a lot; an open debt is repaid from it at once (a ``settle`` pair)."""
    lot_id = _insert(
        member_id,
        kind,
        points,
        at,
        available_from=available_from,
        expires_on=expires_on,
        sale=sale_id,
        reason=reason,
        actor=actor_id,
    )
    repay = min(-state.debt, points)
    if repay > 0:
        _insert(member_id, "settle", -repay, at, lot=lot_id)
        _insert(member_id, "settle", repay, at)
        state.debt += repay
    state.lots.append(_LotState(lot_id, kind, points, points - repay, available_from, expires_on, sale_id))
    return _lot(lot_id, member_id, kind, points, available_from, expires_on, sale_id)


def _take(
    member_id: int,
    lots: Iterable[_LotState],
    points: int,
    kind: str,
    at: datetime,
    *,
    sale_id: int | None = None,
    reason: str | None = None,
    actor_id: int | None = None,
) -> tuple[list[Consumption], int]:
    """Take up to ``points`` from ``lots`` in the given order; returns the entries and what is left."""
    out: list[Consumption] = []
    for lot in lots:
        if points == 0:
            break
        part = min(points, lot.remaining)
        if part <= 0:
            continue
        eid = _insert(member_id, kind, -part, at, lot=lot.id, sale=sale_id, reason=reason, actor=actor_id)
        lot.remaining -= part
        points -= part
        out.append(Consumption(eid, lot.id, kind, part, lot.expires_on))
    return out, points


def _spend(
    member_id: int,
    points: int,
    kind: str,
    *,
    now: datetime,
    tz: str,
    sale_id: int | None = None,
    reason: str | None = None,
) -> list[Consumption]:
    """Spend available points (redeem, donate, transfer out): the lot that expires first goes
    first; pending points never count; refused while a debt is open."""
    _lock_member(member_id)
    day = shop_day(now, tz)
    state = _load(member_id)
    if state.debt < 0:
        raise InsufficientPoints(
            _("The member's points balance is negative ({points}); points cannot be used until it is positive").format(
                points=state.debt
            )
        )
    lots = state.available(day)
    have = sum(lot.remaining for lot in lots)
    if points > have:
        pending = sum(lot.remaining for lot in state.pending(day))
        raise InsufficientPoints(
            _("Only {available} points are available ({pending} pending); {points} were asked for").format(
                available=have, pending=pending, points=points
            )
        )
    taken, _rest = _take(member_id, lots, points, kind, to_db(now), sale_id=sale_id, reason=reason)
    return taken


def earn(
    member_id: int,
    points: int,
    *,
    now: datetime,
    sale_id: int | None = None,
    hold_days: int = DEFAULT_HOLD_DAYS,
    expiry: ExpiryPolicy = ExpiryPolicy(),
    tz: str = SHOP_TZ,
    reason: str | None = None,
) -> Lot:
    """Credit ``points`` as a new lot, pending for ``hold_days`` days (usable from the shop day
    of ``now`` plus ``hold_days``), expiring by ``expiry`` counted from that day. ``reason``
    says why when it is not the receipt's own earning (``referral:<member id>``)."""
    _positive(points, _("Earned points"))
    if hold_days < 0:
        raise ValidationError(_("The hold period cannot be negative"))
    available_from = shop_day(now, tz) + timedelta(days=hold_days)
    with write_tx():
        _lock_member(member_id)
        state = _load(member_id)
        return _new_lot(
            state,
            member_id,
            "earn",
            points,
            at=to_db(now),
            available_from=available_from,
            expires_on=expiry.expires_on(available_from),
            sale_id=sale_id,
            reason=reason,
        )


def _balance_params(member_id: int, cutoff: datetime, as_of: date) -> tuple[Any, ...]:
    """The parameters of :func:`_balance_query` in the order its SQL renders them, so that
    :func:`fast.select_rendered` renders it once (a query whose rendered parameters differ
    from these still runs, just rendered anew each time)."""
    return (as_of, member_id, cutoff, member_id, cutoff, as_of, member_id, cutoff)


def _balance_query(as_of: date, member_id: int, cutoff: datetime, *_repeated: Any) -> Any:
    """What a member's lots hold at the end of ``as_of``, summed per (pending?, last usable
    day), then one row for the debt (``pending`` and ``expires_on`` empty).

    Only entries written before ``cutoff`` count (a balance for a past day). A lot counts when
    it has not expired by ``as_of`` and still holds points after the member's entries that
    point at it (``GROUP BY`` lot, through the indexes on ``member_id`` and ``lot_id``); the
    database then sums the lots, so the answer is a handful of rows however many years of
    entries the member has. Called with :func:`_balance_params`."""
    lot = m.PointsEntry.alias("lot")
    used = m.PointsEntry.alias("used")
    left = lot.points + fn.COALESCE(fn.SUM(used.points), SQL("0"))
    pending = (lot.available_from > as_of).alias("pending")
    per_lot = (
        lot.select(pending, lot.expires_on.alias("expires_on"), left.alias("left"))
        .join(used, JOIN.LEFT_OUTER, on=(used.lot == lot.id) & (used.member == member_id) & (used.at < cutoff))
        .where(
            (lot.member == member_id)
            & lot.lot.is_null()
            & lot.available_from.is_null(False)
            & (lot.at < cutoff)
            & (lot.expires_on.is_null() | (lot.expires_on >= as_of))
        )
        .group_by(lot.id, lot.available_from, lot.expires_on, lot.points)
        .having(left > SQL("0"))
        .alias("per_lot")
    )
    lots = (
        m.PointsEntry.select(per_lot.c.pending, per_lot.c.expires_on, fn.SUM(per_lot.c.left))
        .from_(per_lot)
        .group_by(per_lot.c.pending, per_lot.c.expires_on)
    )
    e = m.PointsEntry
    debt = e.select(SQL("NULL"), SQL("NULL"), fn.SUM(e.points)).where(
        (e.member == member_id) & e.lot.is_null() & e.available_from.is_null() & (e.at < cutoff)
    )
    return lots.union_all(debt)


def _available_params(member_id: int, cutoff: datetime, as_of: date) -> tuple[Any, ...]:
    """The parameters of :func:`_available_query` in the order its SQL renders them."""
    return (member_id, cutoff, member_id, as_of, cutoff, as_of, member_id, cutoff)


def _available_query(member_id: int, cutoff: datetime, _member: int, as_of: date, *_repeated: Any) -> Any:
    """:func:`_balance_query` reduced to the one figure a cart needs: the points of the lots
    usable on ``as_of`` and the debt, summed by the database (two rows of one sum). Called
    with :func:`_available_params`."""
    lot = m.PointsEntry.alias("lot")
    used = m.PointsEntry.alias("used")
    left = lot.points + fn.COALESCE(fn.SUM(used.points), SQL("0"))
    per_lot = (
        lot.select(left.alias("left"))
        .join(used, JOIN.LEFT_OUTER, on=(used.lot == lot.id) & (used.member == member_id) & (used.at < cutoff))
        .where(
            (lot.member == member_id)
            & lot.lot.is_null()
            & (lot.available_from <= as_of)
            & (lot.at < cutoff)
            & (lot.expires_on.is_null() | (lot.expires_on >= as_of))
        )
        .group_by(lot.id, lot.points)
        .having(left > SQL("0"))
        .alias("per_lot")
    )
    e = m.PointsEntry
    lots = m.PointsEntry.select(fn.SUM(per_lot.c.left)).from_(per_lot)
    debt = e.select(fn.SUM(e.points)).where(
        (e.member == member_id) & e.lot.is_null() & e.available_from.is_null() & (e.at < cutoff)
    )
    return lots.union_all(debt)


def available_points(member_id: int, *, as_of: date, tz: str = SHOP_TZ) -> int:
    """``balance(member_id, as_of=as_of, tz=tz).available`` in one statement returning two
    sums (the usable lots, the debt), for a member the caller has already read (no check
    that they exist: a member without entries has 0). What pricing a cart with a reward
    needs on every scan; ``tests/loyalty/test_speed_equivalence.py`` pins it to ``balance``
    and to the entry-by-entry fold."""
    cutoff = _day_start(as_of + timedelta(days=1), tz)
    rows = fast.select_rendered("ledger.available", _available_query, *_available_params(member_id, cutoff, as_of))
    return sum(int(summed) for (summed,) in rows if summed is not None)


def balance(member_id: int, *, as_of: date, tz: str = SHOP_TZ) -> Balance:
    """The member's points at the end of shop day ``as_of``: entries written after that day are
    ignored, lots past their expiry count as gone even if no ``expire`` entry was written.

    Read on every change of a member's cart (``pricing.member_context``), so the database does
    the folding (:func:`_balance_query`, one statement rendered once) rather than Python
    reading the member's whole ledger. It gives exactly what folding the entries one by one
    gives (``tests/loyalty/test_ledger_speedpaths.py`` compares the two); the writes still
    fold in Python (``_load``), as they need every lot."""
    if fast.select_first(m.Member, ("id",), {"id": member_id}) is None:
        raise NotFound(_("No member with id {id}").format(id=member_id))
    cutoff = _day_start(as_of + timedelta(days=1), tz)
    rows = fast.select_rendered("ledger.balance", _balance_query, *_balance_params(member_id, cutoff, as_of))
    available = pending = 0
    expiring: dict[date, int] = defaultdict(int)
    for is_pending, expires_on, summed in rows:
        if summed is None:  # no debt entries
            continue
        points = int(summed)
        if is_pending is None:  # the debt row
            available += points
        elif is_pending:
            pending += points
        else:
            available += points
        last_day = _date(expires_on)
        if last_day is not None:
            expiring[last_day] += points
    return Balance(
        member_id,
        as_of,
        available,
        pending,
        available + pending,
        [(points, day) for day, points in sorted(expiring.items())],
    )


def redeem(
    member_id: int, points: int, *, now: datetime, sale_id: int | None = None, tz: str = SHOP_TZ
) -> list[Consumption]:
    """Spend ``points`` available points (e.g. as a tender); raises InsufficientPoints."""
    _positive(points, _("Redeemed points"))
    with write_tx():
        return _spend(member_id, points, "redeem", now=now, tz=tz, sale_id=sale_id)


def donate(member_id: int, points: int, charity: str, *, now: datetime, tz: str = SHOP_TZ) -> list[Consumption]:
    """Give ``points`` available points to ``charity`` (recorded as the entries' reason)."""
    _positive(points, _("Donated points"))
    charity = charity.strip()
    if not charity:
        raise ValidationError(_("Name the charity the points go to"))
    with write_tx():
        return _spend(member_id, points, "donate", now=now, tz=tz, reason=charity)


def transfer(from_member: int, to_member: int, points: int, *, now: datetime, tz: str = SHOP_TZ) -> list[Lot]:
    """Move ``points`` available points to another member: each lot they come from becomes a
    lot of the receiver, available at once and expiring on the same day."""
    _positive(points, _("Transferred points"))
    if from_member == to_member:
        raise ValidationError(_("Points can only be transferred to another member"))
    day = shop_day(now, tz)
    at = to_db(now)
    with write_tx():
        for member_id in sorted((from_member, to_member)):  # one lock order: no deadlock
            _lock_member(member_id)
        taken = _spend(from_member, points, "transfer_out", now=now, tz=tz, reason=f"member:{to_member}")
        state = _load(to_member)
        return [
            _new_lot(
                state,
                to_member,
                "transfer_in",
                c.points,
                at=at,
                available_from=day,
                expires_on=c.expires_on,
                reason=f"member:{from_member}",
            )
            for c in taken
        ]


def clawback(
    member_id: int,
    sale_id: int,
    *,
    now: datetime,
    points: int | None = None,
    fraction: Decimal | None = None,
    tz: str = SHOP_TZ,
) -> list[Consumption]:
    """Take back points sale ``sale_id`` earned: ``points`` of them, or ``fraction`` (0–1] of
    what it earned rounded half up (a return of part of the receipt). Never more than the sale
    earned and is not yet clawed back. Taken from the sale's own lots, pending first, then
    from the member's other lots (pending first, then available by expiry); what the member
    already spent becomes a debt (a negative balance). Never refuses: a return is never blocked.
    """
    if (points is None) == (fraction is None):
        raise ValidationError(_("Give either the points or the fraction to claw back"))
    if fraction is not None and not Decimal(0) < fraction <= Decimal(1):
        raise ValidationError(_("The returned fraction must be more than 0 and at most 1"))
    if points is not None:
        _positive(points, _("Clawed-back points"))
    day = shop_day(now, tz)
    at = to_db(now)
    with write_tx():
        _lock_member(member_id)
        state = _load(member_id)
        earned_lots = [lot for lot in state.lots if lot.kind == "earn" and lot.sale_id == sale_id]
        earned = sum(lot.points for lot in earned_lots)
        if fraction is not None:
            points = int((earned * fraction).to_integral_value(rounding=ROUND_HALF_UP))
        assert points is not None
        # Points of the sale that expired unused already left the member: taking them back
        # from other lots would take them twice.
        lapsed = _lapsed(earned_lots, day)
        want = min(points, earned - lapsed - state.clawed_by_sale.get(sale_id, 0))
        if want <= 0:
            return []
        own = {lot.id for lot in earned_lots}
        order = (
            [lot for lot in state.pending(day) if lot.id in own]
            + [lot for lot in state.available(day) if lot.id in own]
            + [lot for lot in state.pending(day) if lot.id not in own]
            + [lot for lot in state.available(day) if lot.id not in own]
        )
        taken, rest = _take(member_id, order, want, "clawback", at, sale_id=sale_id)
        if rest > 0:
            eid = _insert(member_id, "clawback", -rest, at, sale=sale_id)
            taken.append(Consumption(eid, None, "clawback", rest, None))
        return taken


def _lapsed(lots: Sequence[_LotState], day: date) -> int:
    """Points of ``lots`` that expired unused by ``day``: written ``expire`` entries, and what
    is left on lots past their last day whose expiry the nightly job has not written yet."""
    e = m.PointsEntry
    written = -int(
        e.select(fn.COALESCE(fn.SUM(e.points), 0))
        .where(e.lot.in_([lot.id for lot in lots]) & (e.kind == "expire"))
        .scalar()
        or 0
    ) if lots else 0  # fmt: skip
    return written + sum(lot.remaining for lot in lots if lot.expired(day))


def restore(member_id: int, sale_id: int, points: int, *, now: datetime, tz: str = SHOP_TZ) -> list[Lot]:
    """Give back up to ``points`` that paid for sale ``sale_id`` (a return of goods bought with
    points), never more than that sale redeemed and is not yet restored.

    Each restored part is a new lot, available at once and expiring on the same day as the lot
    it was redeemed from (the member gets back what they had, not fresher points), but never
    before the day of the return, so restored points can always be used that day. The latest
    expiring points are given back first.
    """
    _positive(points, _("Restored points"))
    day = shop_day(now, tz)
    at = to_db(now)
    with write_tx():
        _lock_member(member_id)
        state = _load(member_id)
        redeemed = state.redeemed_by_sale.get(sale_id, {})
        restored = state.restored_by_sale.get(sale_id, {})
        lots: list[Lot] = []
        for expires_on in sorted(redeemed, key=lambda d: (d is None, d or date.min), reverse=True):
            open_ = redeemed[expires_on] - restored.get(expires_on, 0)
            part = min(points, open_)
            if part <= 0:
                continue
            kept = None if expires_on is None else max(expires_on, day)
            lots.append(
                _new_lot(state, member_id, "restore", part, at=at, available_from=day, expires_on=kept, sale_id=sale_id)
            )
            points -= part
            if points == 0:
                break
        return lots


def adjust(
    member_id: int,
    points: int,
    reason: str,
    *,
    actor: Actor,
    now: datetime,
    terminal: str,
    override: Override | None = None,
    expiry: ExpiryPolicy = ExpiryPolicy(),
    tz: str = SHOP_TZ,
) -> list[Consumption] | Lot:
    """A manager's correction (permission ``points_adjust``, or a supervisor's override),
    journalled with the reason. Positive: a lot available at once, expiring by ``expiry``.
    Negative: taken from available points by expiry, then pending ones, then as a debt."""
    result, _journal_id = adjust_journalled(
        member_id,
        points,
        reason,
        actor=actor,
        now=now,
        terminal=terminal,
        override=override,
        expiry=expiry,
        tz=tz,
    )
    return result


def adjust_journalled(
    member_id: int,
    points: int,
    reason: str,
    *,
    actor: Actor,
    now: datetime,
    terminal: str,
    override: Override | None = None,
    expiry: ExpiryPolicy = ExpiryPolicy(),
    tz: str = SHOP_TZ,
) -> tuple[list[Consumption] | Lot, int]:
    """:func:`adjust`, also returning the id of its ``points_adjust`` journal entry (what
    ``pos-admin points adjust --json`` prints as ``journal_id``)."""
    used = require(actor, "points_adjust", override)
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("A reason is needed"))
    refuse_pan(reason)
    if isinstance(points, bool) or not isinstance(points, int) or points == 0:
        raise ValidationError(_("An adjustment must be a whole, non-zero number of points"))
    day = shop_day(now, tz)
    at = to_db(now)
    with write_tx():
        _lock_member(member_id)
        state = _load(member_id)
        result: list[Consumption] | Lot
        if points > 0:
            result = _new_lot(
                state,
                member_id,
                "adjust",
                points,
                at=at,
                available_from=day,
                expires_on=expiry.expires_on(day),
                reason=reason,
                actor_id=actor.user_id,
            )
        else:
            order = state.available(day) + state.pending(day)
            taken, rest = _take(member_id, order, -points, "adjust", at, reason=reason, actor_id=actor.user_id)
            if rest > 0:
                eid = _insert(member_id, "adjust", -rest, at, reason=reason, actor=actor.user_id)
                taken.append(Consumption(eid, None, "adjust", rest, None))
            result = taken
        payload: dict[str, object] = {"member_id": member_id, "points": points, "reason": reason, "user": actor.name}
        if used is not None:
            payload["supervisor"] = used.supervisor.name
            payload["override_reason"] = used.reason
        entry = journal.append("points_adjust", payload, terminal=terminal, now=now, ref=str(member_id))
        return result, int(entry.id)


def _expiry_query(as_of: date) -> Any:
    """Lots past their last usable day (before ``as_of``) that still hold points, with what
    they hold: one grouped query over the lots and the entries pointing at them. The only
    parameter is ``as_of`` (the zeros are literals), so :func:`fast.select_rendered` can keep
    the rendered SQL.

    Only this database's own lots: a lot another terminal of the chain wrote (it came down with
    the sync pull and is named in ``sync_origin``) is expired by that terminal, so one lot never
    gets two ``expire`` entries at the centre (docs/sync.md). Balances do not wait for the entry:
    an expired lot stops counting on its day wherever it is read."""
    lot = m.PointsEntry.alias("lot")
    used = m.PointsEntry.alias("used")
    remaining = lot.points + fn.COALESCE(fn.SUM(used.points), SQL("0"))
    foreign = m.SyncOrigin.select(m.SyncOrigin.local_id).where(m.SyncOrigin.tbl == "points_entry")
    return (
        lot.select(lot.id, lot.member, lot.expires_on, remaining)
        .join(used, JOIN.LEFT_OUTER, on=(used.lot == lot.id))
        .where(
            lot.available_from.is_null(False) & lot.lot.is_null() & (lot.expires_on < as_of) & lot.id.not_in(foreign)
        )
        .group_by(lot.id, lot.member, lot.expires_on, lot.points)
        .having(remaining > SQL("0"))
    )


def expire_due(*, as_of: date, tz: str = SHOP_TZ) -> int:
    """Write an ``expire`` entry for every lot whose last usable day is before ``as_of`` and
    that still holds points; returns how many were written. Running it again writes nothing.
    Each entry is dated at the start of the day after the lot's last usable day.

    Built for a backlog (a first run over years of lots writes 100,000s of entries): the
    lots come back as the driver's tuples, each distinct expiry day is converted once, and
    the entries go in through :func:`fast.insert_many`, whose multi-row ``INSERT`` is composed
    once per chunk size (within the parameter limit) instead of Peewee rendering every value
    anew; all in the one write transaction, so a crash writes none of them."""
    with write_tx():
        found = fast.select_rendered("ledger.expire_due", _expiry_query, as_of)
        dated: dict[object, datetime] = {}
        rows: list[tuple[int, str, int, int, datetime]] = []
        for lot_id, member_id, expires_on, left in found:
            at = dated.get(expires_on)
            if at is None:
                last_day = _date(expires_on)
                assert last_day is not None  # the query only returns lots that expire
                at = dated[expires_on] = _day_start(last_day + timedelta(days=1), tz)
            rows.append((int(member_id), "expire", -int(left), int(lot_id), at))
        fast.insert_many(m.PointsEntry, ("member", "kind", "points", "lot", "at"), rows)
        return len(rows)

"""Loyalty KPIs: what the program does for the shop, over a period of shop days.

Every figure is computed with set-based queries over the posted tables (no member-by-member
loop), so the report costs the same few queries for 100 or 100,000 members. Definitions (the
period is ``date_from``..``date_to``, shop-local days, both included):

Receipts and tickets
    A receipt is a ``sale`` document of the period; it is a member's when ``sale.member`` is
    set. Net sales are the period's sales minus the period's returns (by the return's day, as
    in the sales reports); a return is a member's when it or the receipt it returns names a
    member. **Average ticket** = net sales / receipts, for members and for everyone else.
    **Enrollment share** = members' receipts / all receipts.
**Repeat purchase rate**
    Members with at least two receipts in the period / members with at least one.
Points (from ``points_entry``, by the entry's day)
    *issued*: ``earn`` lots plus positive manager adjustments; *redeemed*: points that paid
    (``redeem``) minus points given back by returns (``restore``); *clawed back*: points
    returns took back; *donated*; *expired*: what lots whose last usable day was the day before
    a day of the period still held (derived from the lots, so it is right whether or not
    ``loyalty run`` wrote the ``expire`` entries). **Redemption rate** = redeemed / issued.
Outstanding points and the **liability**
    What every member holds at the end of ``date_to``: the remaining points of the lots not
    yet expired, ``available`` (hold over) and ``pending`` (still on hold); a member's debt (a
    clawback of points already spent) is shown apart and does not lower the liability, which is
    ``outstanding × program.points.value`` TRY.
**Customer lifetime value**
    Net spend of members (sales minus returns) from their enrollment to the end of
    ``date_to``, divided by the members enrolled by then.
Supplier settlement
    Per supplier, the supplier-funded points of the period's sales net of returns, and what
    they cost in TRY at the point value: what the supplier owes the shop.
Donations
    Points given to each charity (``donate`` entries; the charity is the entry's reason).

Percentages are ``Decimal`` with two places (half up) and ``None`` when the base is zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from peewee import JOIN, Case, fn

from pos_tui import store
from pos_tui.core.kernel.clock import SHOP_TZ, zone
from pos_tui.core.kernel.errors import ValidationError
from pos_tui.core.kernel.money import ZERO, from_kurus
from pos_tui.core.loyalty.program import Program
from pos_tui.i18n import _
from pos_tui.store import models as m

CENT = Decimal("0.01")


def _day_start(day: date, tz: str) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone(tz)).astimezone(UTC).replace(tzinfo=None)


def _bounds(date_from: date, date_to: date, tz: str) -> tuple[datetime, datetime]:
    if date_to < date_from:
        raise ValidationError(
            _("The report ends ({to}) before it starts ({start})").format(
                to=date_to.isoformat(), start=date_from.isoformat()
            )
        )
    return _day_start(date_from, tz), _day_start(date_to + timedelta(days=1), tz)


def percent(part: int | Decimal, whole: int | Decimal) -> Decimal | None:
    """``part / whole`` in percent with two places, half up; None when ``whole`` is zero."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(CENT, rounding=ROUND_HALF_UP)


def _money(value: Decimal) -> str:
    return f"{value.quantize(CENT, rounding=ROUND_HALF_UP):.2f}"


def _pct(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def _average(total_kurus: int, count: int) -> Decimal | None:
    if not count:
        return None
    return (Decimal(total_kurus) / 100 / count).quantize(CENT, rounding=ROUND_HALF_UP)


# --------------------------------------------------------------------------- pieces


def _tickets(lo: datetime, hi: datetime) -> dict[str, Any]:
    S = m.Sale
    orig = m.Sale.alias("orig")
    is_member = Case(None, [(fn.COALESCE(S.member, orig.member).is_null(), 0)], 1)
    query = (
        S.select(is_member, S.kind, fn.COUNT(S.id), fn.SUM(S.total))
        .join(orig, JOIN.LEFT_OUTER, on=(S.return_of == orig.id))
        .where((S.at >= lo) & (S.at < hi))
        .group_by(is_member, S.kind)
    )
    figures = {(side, kind): (0, 0) for side in (0, 1) for kind in ("sale", "return")}
    for side, kind, count, total in store.rows(query):
        figures[(int(side), kind)] = (int(count), int(total or 0))
    out: dict[str, Any] = {}
    for side, name in ((1, "members"), (0, "non_members")):
        receipts, sold = figures[(side, "sale")]
        returns, returned = figures[(side, "return")]
        out[name] = {
            "receipts": receipts,
            "returns": returns,
            "net_sales": from_kurus(sold - returned),
            "average_ticket": _average(sold - returned, receipts),
        }
    return out


def _repeat(lo: datetime, hi: datetime) -> tuple[int, int]:
    """(members with ≥ 1 receipt, members with ≥ 2) in one grouped query."""
    S = m.Sale
    per_member = (
        S.select(S.member, fn.COUNT(S.id).alias("n"))
        .where((S.kind == "sale") & S.member.is_null(False) & (S.at >= lo) & (S.at < hi))
        .group_by(S.member)
        .alias("per_member")
    )
    buying, repeat = next(
        store.rows(
            m.Sale.select(fn.COUNT(per_member.c.n), fn.SUM(Case(None, [(per_member.c.n >= 2, 1)], 0))).from_(per_member)
        )
    )
    return int(buying or 0), int(repeat or 0)


def _points_moves(lo: datetime, hi: datetime) -> dict[str, int]:
    E = m.PointsEntry
    positive = Case(None, [(E.points > 0, 1)], 0)
    query = E.select(E.kind, positive, fn.SUM(E.points)).where((E.at >= lo) & (E.at < hi)).group_by(E.kind, positive)
    sums: dict[tuple[str, int], int] = {}
    for kind, pos, total in store.rows(query):
        sums[(kind, int(pos))] = int(total or 0)

    def got(kind: str, pos: int) -> int:
        return sums.get((kind, pos), 0)

    return {
        "issued": got("earn", 1) + got("adjust", 1),
        "redeemed_gross": -got("redeem", 0),
        "restored": got("restore", 1),
        "clawed_back": -got("clawback", 0),
        "donated": -got("donate", 0),
        "adjusted_down": -got("adjust", 0),
    }


def _expired(date_from: date, date_to: date) -> int:
    """Points still held by lots whose last usable day is the day before a day of the period.
    Nothing takes from an expired lot except its ``expire`` entry, so what the lot held at
    expiry is its points plus every other entry against it."""
    lot = m.PointsEntry.alias("lot")
    used = m.PointsEntry.alias("used")
    left = lot.points + fn.COALESCE(fn.SUM(used.points), 0)
    per_lot = (
        lot.select(left.alias("left"))
        .join(used, JOIN.LEFT_OUTER, on=((used.lot == lot.id) & (used.kind != "expire")))
        .where(
            lot.available_from.is_null(False)
            & lot.lot.is_null()
            & (lot.expires_on >= date_from - timedelta(days=1))
            & (lot.expires_on <= date_to - timedelta(days=1))
        )
        .group_by(lot.id, lot.points)
        .having(left > 0)
        .alias("per_lot")
    )
    total = m.PointsEntry.select(fn.SUM(per_lot.c.left)).from_(per_lot).scalar()
    return int(total or 0)


def outstanding_points(as_of: date, *, tz: str = SHOP_TZ) -> tuple[int, int, int]:
    """``(available, pending, debt)`` summed over every member at the end of ``as_of``: the
    remaining points of unexpired lots (entries written after that day ignored) split by the
    hold, and the open debts (negative). Two queries, whatever the number of members."""
    cutoff = _day_start(as_of + timedelta(days=1), tz)
    lot = m.PointsEntry.alias("lot")
    used = m.PointsEntry.alias("used")
    left = lot.points + fn.COALESCE(fn.SUM(used.points), 0)
    held = Case(None, [(lot.available_from > as_of, 1)], 0)
    per_lot = (
        lot.select(held.alias("pending"), left.alias("left"))
        .join(used, JOIN.LEFT_OUTER, on=((used.lot == lot.id) & (used.at < cutoff)))
        .where(
            lot.available_from.is_null(False)
            & lot.lot.is_null()
            & (lot.at < cutoff)
            & (lot.expires_on.is_null() | (lot.expires_on >= as_of))
        )
        .group_by(lot.id, lot.points, lot.available_from)
        .having(left > 0)
        .alias("per_lot")
    )
    available = pending = 0
    for is_pending, total in store.rows(
        m.PointsEntry.select(per_lot.c.pending, fn.SUM(per_lot.c.left)).from_(per_lot).group_by(per_lot.c.pending)
    ):
        if int(is_pending):
            pending = int(total or 0)
        else:
            available = int(total or 0)
    E = m.PointsEntry
    debt = (
        E.select(fn.COALESCE(fn.SUM(E.points), 0))
        .where(E.lot.is_null() & E.available_from.is_null() & (E.at < cutoff))
        .scalar()
    )
    return available, pending, int(debt or 0)


def _lifetime(hi: datetime) -> tuple[int, int]:
    """(members enrolled by ``hi``, their net spend in kuruş up to ``hi``)."""
    M = m.Member
    members = M.select(fn.COUNT(M.id)).where(M.created_at < hi).scalar()
    S = m.Sale
    orig = m.Sale.alias("orig")
    who = fn.COALESCE(S.member, orig.member)
    signed = Case(None, [(S.kind == "return", S.total * -1)], S.total)
    spend = (
        S.select(fn.COALESCE(fn.SUM(signed), 0))
        .join(orig, JOIN.LEFT_OUTER, on=(S.return_of == orig.id))
        .where(who.is_null(False) & (S.at < hi))
        .scalar()
    )
    return int(members or 0), int(spend or 0)


# --------------------------------------------------------------------------- reports


@dataclass(frozen=True, slots=True)
class SupplierRow:
    supplier_id: int
    code: str
    name: str
    points: int  # every supplier-funded product point (shop's share included)
    supplier_points: int  # the supplier's share
    amount: Decimal  # TRY the supplier owes: supplier_points × point value

    def as_json(self) -> dict[str, Any]:
        return {
            "supplier_id": self.supplier_id,
            "code": self.code,
            "name": self.name,
            "points": self.points,
            "supplier_points": self.supplier_points,
            "amount": _money(self.amount),
        }


@dataclass(frozen=True, slots=True)
class DonationRow:
    charity: str  # the code (or the name written on the entries)
    name: str
    points: int
    donations: int
    amount: Decimal  # TRY at the point value

    def as_json(self) -> dict[str, Any]:
        return {
            "charity": self.charity,
            "name": self.name,
            "points": self.points,
            "donations": self.donations,
            "amount": _money(self.amount),
        }


def supplier_settlement(
    date_from: date, date_to: date, *, tz: str = SHOP_TZ, program: Program | None = None
) -> list[SupplierRow]:
    """Supplier-funded points of the period (returns' negative rows included), per supplier,
    largest amount first."""
    lo, hi = _bounds(date_from, date_to, tz)
    value = (program or Program()).points.value
    P, S, Sup = m.SupplierPoints, m.Sale, m.Supplier
    query = (
        P.select(Sup.id, Sup.code, Sup.name, fn.SUM(P.points), fn.SUM(P.supplier_points))
        .join(S, on=(P.sale == S.id))
        .switch(P)
        .join(Sup, on=(P.supplier == Sup.id))
        .where((S.at >= lo) & (S.at < hi))
        .group_by(Sup.id, Sup.code, Sup.name)
    )
    rows = [
        SupplierRow(int(sid), code, name, int(points or 0), int(theirs or 0), Decimal(int(theirs or 0)) * value)
        for sid, code, name, points, theirs in store.rows(query)
    ]
    return sorted(rows, key=lambda r: (-r.amount, r.code))


def donation_report(
    date_from: date, date_to: date, *, tz: str = SHOP_TZ, program: Program | None = None
) -> list[DonationRow]:
    """Points donated per charity in the period, most points first."""
    lo, hi = _bounds(date_from, date_to, tz)
    program = program or Program()
    names = {c.code: c.name for c in program.charities}
    names.update({c.name: c.name for c in program.charities if c.name not in names})
    code_of = {c.name: c.code for c in program.charities}
    E = m.PointsEntry
    # One donation writes one entry per lot it takes from: count donations by (member, time).
    query = (
        E.select(E.reason, E.member, E.at, fn.SUM(E.points))
        .where((E.kind == "donate") & (E.at >= lo) & (E.at < hi))
        .group_by(E.reason, E.member, E.at)
    )
    points: dict[str, int] = {}
    count: dict[str, int] = {}
    for reason, _member, _at, total in store.rows(query):
        key = code_of.get(reason or "", reason or "")
        points[key] = points.get(key, 0) - int(total or 0)
        count[key] = count.get(key, 0) + 1
    rows = [
        DonationRow(key, names.get(key, key), pts, count[key], Decimal(pts) * program.points.value)
        for key, pts in points.items()
    ]
    return sorted(rows, key=lambda r: (-r.points, r.charity))


def loyalty_report(
    *, date_from: date, date_to: date, tz: str = SHOP_TZ, program: Program | None = None
) -> dict[str, Any]:
    """Every loyalty KPI of the period as a JSON-ready dict (amounts and percentages as
    strings with two decimals, points and counts as integers); see the module doc."""
    lo, hi = _bounds(date_from, date_to, tz)
    program = program or Program()
    value = program.points.value
    tickets = _tickets(lo, hi)
    members_receipts = tickets["members"]["receipts"]
    all_receipts = members_receipts + tickets["non_members"]["receipts"]
    buying, repeat = _repeat(lo, hi)
    moves = _points_moves(lo, hi)
    expired = _expired(date_from, date_to)
    redeemed = moves["redeemed_gross"] - moves["restored"]
    available, pending, debt = outstanding_points(date_to, tz=tz)
    outstanding = available + pending
    enrolled, lifetime_kurus = _lifetime(hi)
    M = m.Member
    joined = M.select(fn.COUNT(M.id)).where((M.created_at >= lo) & (M.created_at < hi)).scalar()
    clv = _average(lifetime_kurus, enrolled)
    suppliers = supplier_settlement(date_from, date_to, tz=tz, program=program)

    def side(name: str) -> dict[str, Any]:
        t = tickets[name]
        return {
            "receipts": t["receipts"],
            "returns": t["returns"],
            "net_sales": _money(t["net_sales"]),
            "average_ticket": None if t["average_ticket"] is None else _money(t["average_ticket"]),
        }

    return {
        "from": date_from.isoformat(),
        "to": date_to.isoformat(),
        "receipts": all_receipts,
        "members": side("members"),
        "non_members": side("non_members"),
        "enrollment_share_percent": _pct(percent(members_receipts, all_receipts)),
        "repeat_purchase": {
            "members_buying": buying,
            "members_repeat": repeat,
            "rate_percent": _pct(percent(repeat, buying)),
        },
        "points": {
            "issued": moves["issued"],
            "redeemed": redeemed,
            "redeemed_gross": moves["redeemed_gross"],
            "restored": moves["restored"],
            "clawed_back": moves["clawed_back"],
            "donated": moves["donated"],
            "adjusted_down": moves["adjusted_down"],
            "expired": expired,
            "outstanding": outstanding,
            "available": available,
            "pending": pending,
            "debt": debt,
            "redemption_rate_percent": _pct(percent(redeemed, moves["issued"])),
        },
        # a point worth 0,005 TL is "0.005", not "0.01": the program may give it up to four decimals
        "point_value": _money(value) if value == value.quantize(CENT) else format(value.normalize(), "f"),
        "liability": _money(Decimal(outstanding) * value),
        "customer_lifetime_value": {
            "members": enrolled,
            "net_spend": _money(from_kurus(lifetime_kurus)),
            "average": None if clv is None else _money(clv),
        },
        "members_enrolled_in_period": int(joined or 0),
        "supplier_settlement": [r.as_json() for r in suppliers],
        "supplier_owes_total": _money(sum((r.amount for r in suppliers), ZERO)),
    }

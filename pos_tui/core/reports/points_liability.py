"""Points liability, day by day: the points members hold and what they are worth.

Per shop day of the period (the loyalty report's definitions, :mod:`pos_tui.core.loyalty.reports`):

* ``issued``: points earned, plus managers' positive adjustments;
* ``redeemed``: points that paid, minus points returns gave back (net, as the loyalty report's
  ``redeemed``);
* ``expired``: what lots whose last usable day was the day before still held (from the lots, so it
  is right whether or not ``loyalty run`` wrote the ``expire`` entries);
* ``other``: every other movement of points members hold (donations, transfers, negative
  adjustments, points taken back by returns, repaid debts), signed;
* ``outstanding``: the points members hold at the end of the day, available or still on hold
  (:func:`pos_tui.core.loyalty.outstanding_points`; a member's debt is not netted against it):
  the outstanding points at the end of the day before the period, plus each day's
  ``issued − redeemed − expired + other``;
* ``liability``: ``outstanding`` × the program's value of a point (today's program), rounded once
  to the kuruş (half up), as the loyalty report's ``liability``.

So the last day's ``outstanding`` and ``liability`` are those of ``pos-admin report loyalty`` for a
period ending that day, and the period's ``issued``, ``redeemed`` and ``expired`` its own. Three
grouped reads, whatever the period: the opening balance, the day's movements and the expiries.
Points are the whole chain's: the terminal and store filters do not apply (the notes say so)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from peewee import JOIN, SQL, Case, fn

from pos_tui import store
from pos_tui.core import loyalty
from pos_tui.core.kernel.clock import to_db
from pos_tui.core.reports.common import ReportQuery
from pos_tui.core.reports.model import Cell, Chart, Column, Figure, Report, sum_totals
from pos_tui.core.reports.party_aging import chain_wide_notes
from pos_tui.core.reports.registry import new_report
from pos_tui.core.reports.shop_days import as_day, day_case
from pos_tui.i18n import _
from pos_tui.store import models as m

CENT = Decimal("0.01")
ISSUED, REDEEMED, EXPIRED, OTHER = 0, 1, 2, 3


def liability(points: int, value: Decimal) -> Decimal:
    return (Decimal(points) * value).quantize(CENT, rounding=ROUND_HALF_UP)


def day_moves(query: ReportQuery) -> dict[date, list[int]]:
    """``day -> [issued, redeemed, 0, other]``: the movements of points held in lots, by the
    entry's day, in one grouped query. A movement counts while its lot is usable on that day (the
    ``expire`` entry of a lot already past its last day is the expiry, counted from the lots)."""
    E = m.PointsEntry
    lot = m.PointsEntry.alias("lot_of")
    start, end = query.period.bounds(query.tz)
    day = day_case(E.at, query.period, query.tz)
    expiry = Case(None, [(E.lot.is_null(), E.expires_on)], lot.expires_on)
    positive = Case(None, [(E.points > 0, 1)], 0).alias("positive")
    grouped = (
        E.select(day.alias("shop_day"), E.kind, positive, fn.SUM(E.points))
        .join(lot, JOIN.LEFT_OUTER, on=(E.lot == lot.id))
        .where(
            (E.at >= to_db(start))
            & (E.at < to_db(end))
            & (E.lot.is_null(False) | E.available_from.is_null(False))  # a debt is not held points
            & (expiry.is_null() | (expiry >= day))
        )
        .group_by(SQL("shop_day"), E.kind, SQL("positive"))
    )
    moves: dict[date, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for shop_day, kind, is_positive, total in store.rows(grouped):
        points = int(total or 0)
        acc = moves[as_day(shop_day)]
        if kind == "earn" or (kind == "adjust" and int(is_positive)):
            acc[ISSUED] += points
        elif kind == "redeem" or kind == "restore":
            acc[REDEEMED] -= points
        else:
            acc[OTHER] += points
    return moves


def expiries(first: date, last: date) -> dict[date, int]:
    """``day -> points`` that expired that day (lots whose last usable day was the day before),
    as the loyalty report counts them, grouped by the day in one query."""
    lot = m.PointsEntry.alias("lot")
    used = m.PointsEntry.alias("used")
    left = lot.points + fn.COALESCE(fn.SUM(used.points), 0)
    per_lot = (
        lot.select(lot.expires_on.alias("expires_on"), left.alias("left"))
        .join(used, JOIN.LEFT_OUTER, on=((used.lot == lot.id) & (used.kind != "expire")))
        .where(
            lot.available_from.is_null(False)
            & lot.lot.is_null()
            & (lot.expires_on >= first - timedelta(days=1))
            & (lot.expires_on <= last - timedelta(days=1))
        )
        .group_by(lot.id, lot.points, lot.expires_on)
        .having(left > 0)
        .alias("per_lot")
    )
    grouped = (
        m.PointsEntry.select(per_lot.c.expires_on, fn.SUM(per_lot.c.left)).from_(per_lot).group_by(per_lot.c.expires_on)
    )
    return {as_day(day) + timedelta(days=1): int(total or 0) for day, total in store.rows(grouped)}


def build(query: ReportQuery) -> Report:
    first, last = query.period.first, query.period.last
    value = loyalty.active_program().points.value
    available, pending, _debt = loyalty.outstanding_points(first - timedelta(days=1), tz=query.tz)
    opening = available + pending
    moves = day_moves(query)
    for day, points in expiries(first, last).items():
        moves[day][EXPIRED] += points
    columns = (
        Column("day", _("Day"), "date"),
        Column("issued", _("Points issued"), "points"),
        Column("redeemed", _("Points redeemed"), "points"),
        Column("expired", _("Points expired"), "points"),
        Column("other", _("Other points movements"), "points"),
        Column("outstanding", _("Points outstanding"), "points"),
        Column("liability", _("Points liability"), "money"),
    )
    table: list[tuple[Cell, ...]] = []
    outstanding = opening
    for day in query.period.each_day():
        issued, redeemed, expired, other = moves[day]
        outstanding += issued - redeemed - expired + other
        table.append((day, issued, redeemed, expired, other, outstanding, liability(outstanding, value)))
    rows = tuple(table)
    summed = sum_totals(columns, rows, summed=("issued", "redeemed", "expired", "other"))
    totals = (*summed[:5], outstanding, liability(outstanding, value))
    summary = (
        Figure("opening_outstanding", _("Points outstanding at the start"), opening, "points"),
        Figure("outstanding", _("Points outstanding at the end"), outstanding, "points"),
        Figure("opening_liability", _("Liability at the start"), liability(opening, value), "money"),
        Figure("liability", _("Liability at the end"), liability(outstanding, value), "money"),
        Figure("point_value", _("Value of a point"), value, "money"),
    )
    return new_report(
        "points-liability",
        query,
        columns=columns,
        rows=rows,
        totals=totals,
        summary=summary,
        chart=Chart("line" if query.period.days > 1 else "bar", "day", ("liability",), _("Points liability")),
        notes=chain_wide_notes(query),
    )

"""Shrinkage: stock that went off the books in the period (fire, zayi, kayıp…), per reason and
product, in quantity and value.

The movements are those of ``pos-admin stock shrinkage``
(:mod:`pos_tui.core.stock.reports.shrinkage`): adjustments (except an opening stock, which
brings goods onto the books), count differences and their reversals (reason "count
difference") and transfer differences, dated in the period, at the query's locations
(:mod:`~pos_tui.core.reports.stock_common`). Each is valued as that command values it: its
quantity × the unit cost it moved at (the average cost then in force), rounded half up to the
kuruş; so a count difference may differ here by a kuruş from the value its posting moved (count
variances show the latter).

A row per reason and product: ``lost`` (went off the books), ``found`` (came back on: a count
that found more) and ``loss``, the value lost net of the value found (negative: more was found).
Rows by reason, the reason with the largest loss first, then the largest loss first (ties by
code); the totals row sums the loss and the summary gives each reason's loss, which is the
"by reason" view (``loss_waste``, ``loss_damage``, ``loss_loss``, ``loss_internal``,
``loss_correction``, ``loss_count``, ``loss_transfer``, always, then any other reason found).
The chart is a bar per row of its loss: a bar per reason would need rows per reason, and the
owner acts on products.
"""

from __future__ import annotations

from collections import defaultdict

from peewee import fn

from pos_tui import store
from pos_tui.core.kernel.clock import to_db
from pos_tui.core.kernel.costing import line_value
from pos_tui.core.kernel.money import from_kurus, qty_to_decimal
from pos_tui.core.kernel.vocabulary import reason_label
from pos_tui.core.reports.common import ReportQuery
from pos_tui.core.reports.model import Cell, Chart, Column, Figure, Report, sum_totals
from pos_tui.core.reports.product_lookup import products_by_id
from pos_tui.core.reports.registry import new_report
from pos_tui.core.reports.stock_common import query_locations
from pos_tui.core.stock import ADJUST, COUNT
from pos_tui.i18n import _
from pos_tui.store import models as m

OPENING = "opening"  # as pos_tui.core.stock.reports.shrinkage: goods coming onto the books
TRANSFER_DIFFERENCE = "transfer"
REASONS = ("waste", "damage", "loss", "internal", "correction", COUNT, TRANSFER_DIFFERENCE)
"""The reasons the summary always names, in this order (a fixed JSON shape), then any other."""


def shrinkage_by_product(query: ReportQuery) -> dict[tuple[str, int], list[int]]:
    """``{(reason, product): [lost, found, lost value, found value]}`` (milli-units, kuruş) of
    the period at the query's locations; count differences under ``count``."""
    places = query_locations(query)
    found: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    if places is not None and not places:
        return found
    SM = m.StockMovement
    start, end = query.period.bounds(query.tz)
    no_reason = SM.reason.is_null(True)
    where = ((SM.kind.in_([ADJUST, COUNT])) & (no_reason | (SM.reason != OPENING))) | (SM.reason == TRANSFER_DIFFERENCE)
    # the period as a condition no index serves (the column inside an expression): the few
    # movements of these kinds are found by reading the table once (0.16 s a year's 1,100,000
    # movements), not down the (product, at) index one product at a time with a random page per
    # movement (1.7 s a year, which SQLite chooses once ANALYZE has run)
    at = fn.COALESCE(SM.at, SM.at)
    where = where & (at >= to_db(start)) & (at < to_db(end))
    if places is not None:
        where &= SM.location.in_(sorted(places))
    for kind, reason, pid, qty, unit_cost in store.rows(
        SM.select(SM.kind, SM.reason, SM.product, SM.qty, SM.unit_cost).where(where)
    ):
        acc = found[(reason or kind, int(pid))]
        worth = line_value(abs(int(qty)), int(unit_cost))
        if qty < 0:
            acc[0] += -int(qty)
            acc[2] += worth
        else:
            acc[1] += int(qty)
            acc[3] += worth
    return found


def build(query: ReportQuery) -> Report:
    moved = shrinkage_by_product(query)
    facts = products_by_id(pid for _reason, pid in moved)
    per_reason: dict[str, int] = defaultdict(int)
    for (reason, _pid), (_lost, _found, lost_value, found_value) in moved.items():
        per_reason[reason] += lost_value - found_value
    lines = []
    for (reason, pid), (lost, got, lost_value, found_value) in moved.items():
        p, loss = facts[pid], lost_value - found_value
        lines.append(
            (
                (-per_reason[reason], reason, -loss, p.code),
                (reason_label(reason), p.code, p.name, qty_to_decimal(lost), qty_to_decimal(got), from_kurus(loss)),
            )
        )
    lines.sort(key=lambda item: item[0])
    rows: tuple[tuple[Cell, ...], ...] = tuple(row for _key, row in lines)
    columns = (
        Column("reason", _("Reason")),
        Column("code", _("Code")),
        Column("name", _("Product")),
        Column("lost", _("Lost"), "qty"),
        Column("found", _("Found"), "qty"),
        Column("loss", _("Value lost"), "money"),
    )
    totals = sum_totals(columns, rows, summed=("loss",))
    reasons = [*REASONS, *sorted(set(per_reason) - set(REASONS))]
    summary = [Figure("loss", _("Value lost"), totals[5], "money")]
    summary += [Figure(f"loss_{r}", reason_label(r), from_kurus(per_reason[r]), "money") for r in reasons]
    return new_report(
        "shrinkage",
        query,
        columns=columns,
        rows=rows,
        totals=totals,
        summary=tuple(summary),
        chart=Chart("bar", "name", ("loss",), _("Value lost")),
    )

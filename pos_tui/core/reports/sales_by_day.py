"""Sales by day: each shop day's receipts, returns and what they took, net of returns.

``gross`` is before discounts, ``net`` what was charged (``gross - discount``), both net of returns
(a return subtracts on the day it is made); ``kdv`` is the KDV in ``net``. The days without a
document are rows of zeros, so a chart shows the gaps. The totals row is what the period's Z
reports add up to (their ``net``)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from peewee import fn

from pos_tui import store
from pos_tui.core.kernel.clock import from_db, local
from pos_tui.core.kernel.money import from_kurus
from pos_tui.core.reports.common import ReportQuery, sale_where
from pos_tui.core.reports.model import Chart, Column, Figure, Report, sum_totals
from pos_tui.core.reports.registry import new_report
from pos_tui.i18n import _
from pos_tui.store import models as m


def build(query: ReportQuery) -> Report:
    S = m.Sale
    # one row per document (its local day depends on the zone's history, so the day is found in Python)
    per_day: dict[date, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])  # sales, returns, gross, discount, net
    kdv_by_day: dict[date, int] = defaultdict(int)
    rows = store.rows(S.select(S.at, S.kind, S.discount, S.total).where(sale_where(query)))
    for at, kind, discount, total in rows:
        day = local(from_db(at), query.tz).date()
        acc = per_day[day]
        sign = -1 if kind == "return" else 1
        acc[0 if kind == "sale" else 1] += 1
        acc[2] += sign * (total + discount)
        acc[3] += sign * discount
        acc[4] += sign * total
    K = m.SaleKdv
    kdv_rows = store.rows(
        K.select(S.at, S.kind, fn.SUM(K.kdv)).join(S).where(sale_where(query)).group_by(S.id, S.at, S.kind)
    )
    for at, kind, kdv in kdv_rows:
        kdv_by_day[local(from_db(at), query.tz).date()] += -(kdv or 0) if kind == "return" else (kdv or 0)

    columns = (
        Column("day", _("Day"), "date"),
        Column("receipts", _("Receipts"), "int"),
        Column("returns", _("Returns"), "int"),
        Column("gross", _("Gross"), "money"),
        Column("discount", _("Discount"), "money"),
        Column("net", _("Net"), "money"),
        Column("kdv", _("KDV"), "money"),
    )
    table = tuple(
        (
            day,
            per_day[day][0],
            per_day[day][1],
            from_kurus(per_day[day][2]),
            from_kurus(per_day[day][3]),
            from_kurus(per_day[day][4]),
            from_kurus(kdv_by_day[day]),
        )
        for day in query.period.each_day()
    )
    totals = sum_totals(columns, table, summed=("receipts", "returns", "gross", "discount", "net", "kdv"))
    receipts = sum(a[0] for a in per_day.values())
    net = from_kurus(sum(a[4] for a in per_day.values()))
    return new_report(
        "sales-by-day",
        query,
        columns=columns,
        rows=table,
        totals=totals,
        summary=(
            Figure("receipts", _("Receipts"), receipts, "int"),
            Figure("net", _("Net sales"), net, "money"),
        ),
        chart=Chart("line" if query.period.days > 1 else "bar", "day", ("net",), _("Net sales")),
    )

"""Sales by day: each shop day's receipts, returns and what they took, net of returns.

``receipts`` are the day's sale documents, ``returns`` its return documents. ``gross`` is before
discounts, ``net`` what was charged (``gross - discount``), both net of returns (a return
subtracts on the day it is made); ``discount`` is the sales' line, receipt and loyalty discounts
minus what the returns gave back; ``kdv`` is the KDV in ``net`` (the documents' per-rate KDV, as
the Z has it). A document's day is the shop's local day of its time. The days without a document
are rows of zeros, so a chart shows the gaps. The totals row is what the period's Z reports of
the same documents add up to (their ``net``).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from pos_tui.core.kernel.money import from_kurus
from pos_tui.core.reports.common import ReportQuery
from pos_tui.core.reports.model import Chart, Column, Figure, Report, sum_totals
from pos_tui.core.reports.registry import new_report
from pos_tui.core.reports.sales_parts import Tally, daily_documents, daily_kdv
from pos_tui.i18n import _


def build(query: ReportQuery) -> Report:
    per_day: dict[date, Tally] = defaultdict(Tally)
    kdv_by_day: dict[date, int] = defaultdict(int)
    for day, kind, n, total, discount in daily_documents(query):
        per_day[day].add(kind, n, total, discount)
    for day, kdv in daily_kdv(query):
        kdv_by_day[day] += kdv

    columns = (
        Column("day", _("Day"), "date"),
        Column("receipts", _("Receipts"), "int"),
        Column("returns", _("Returns"), "int"),
        Column("gross", _("Gross"), "money"),
        Column("discount", _("Discount"), "money"),
        Column("net", _("Net"), "money"),
        Column("kdv", _("KDV"), "money"),
    )
    empty = Tally()
    rows = []
    for day in query.period.each_day():
        t = per_day.get(day, empty)
        rows.append(
            (
                day,
                t.sales,
                t.returns,
                from_kurus(t.gross),
                from_kurus(t.discount),
                from_kurus(t.net),
                from_kurus(kdv_by_day[day]),
            )
        )
    table = tuple(rows)
    totals = sum_totals(columns, table, summed=("receipts", "returns", "gross", "discount", "net", "kdv"))
    return new_report(
        "sales-by-day",
        query,
        columns=columns,
        rows=table,
        totals=totals,
        summary=(
            Figure("receipts", _("Receipts"), totals[1], "int"),
            Figure("net", _("Net sales"), totals[5], "money"),
        ),
        chart=Chart("line" if query.period.days > 1 else "bar", "day", ("net",), _("Net sales")),
    )

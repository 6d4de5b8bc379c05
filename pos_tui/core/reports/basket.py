"""Average basket per day: how many receipts, how big, how many lines and items.

One row per shop day of the period (days without a document are zeros, so the chart shows the
gaps): ``receipts`` (sale receipts), ``net`` (the sales' totals minus the returns', as in
sales-by-day), ``average_basket`` (the day's sale receipts' totals ÷ their number, half up to the
kuruş: a return is not a basket, so it changes the day's net but not its average basket),
``lines`` and ``items`` per receipt (the sale receipts' lines, and their items, ÷ their number,
two places half up; a piece line counts its quantity as items, a kg, litre or metre line counts
one). Days without receipts have no averages. The totals row has the period's receipts and net
and the period's averages (over all its receipts, not an average of the days').
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from pos_tui.core.kernel.money import MILLI, from_kurus
from pos_tui.core.reports.common import ReportQuery
from pos_tui.core.reports.model import Cell, Chart, Column, Figure, Report
from pos_tui.core.reports.registry import new_report
from pos_tui.core.reports.sales_parts import average_basket, daily_documents, daily_lines, per_receipt
from pos_tui.i18n import _


def build(query: ReportQuery) -> Report:
    # per day: receipts, net, sold (the sales' totals), lines, items (milli-units)
    days: dict[date, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for day, kind, n, total, _discount in daily_documents(query):
        acc = days[day]
        if kind == "return":
            acc[1] -= total
        else:
            acc[0] += n
            acc[1] += total
            acc[2] += total
    for day, lines, items in daily_lines(query):
        acc = days[day]
        acc[3] += lines
        acc[4] += items

    def cells(receipts: int, net: int, sold: int, lines: int, items: int) -> tuple[Cell, ...]:
        return (
            receipts,
            from_kurus(net),
            average_basket(sold, receipts),
            per_receipt(lines, receipts),
            per_receipt(Decimal(items) / MILLI, receipts),
        )

    columns = (
        Column("day", _("Day"), "date"),
        Column("receipts", _("Receipts"), "int"),
        Column("net", _("Net"), "money"),
        Column("average_basket", _("Average basket"), "money"),
        Column("lines", _("Lines per receipt"), "qty"),
        Column("items", _("Items per receipt"), "qty"),
    )
    rows: tuple[tuple[Cell, ...], ...] = tuple((day, *cells(*days[day])) for day in query.period.each_day())
    whole = [sum(acc[i] for acc in days.values()) for i in range(5)]
    totals = (None, *cells(*whole))
    return new_report(
        "basket",
        query,
        columns=columns,
        rows=rows,
        totals=totals,
        summary=(
            Figure("receipts", _("Receipts"), whole[0], "int"),
            Figure("average_basket", _("Average basket"), totals[3], "money"),
            Figure("lines", _("Lines per receipt"), totals[4], "qty"),
            Figure("items", _("Items per receipt"), totals[5], "qty"),
        ),
        chart=Chart("line" if query.period.days > 1 else "bar", "day", ("average_basket",), _("Average basket")),
    )

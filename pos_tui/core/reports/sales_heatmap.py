"""Sales by hour and weekday: when the shop sells, as a heat map.

One row per weekday, Monday to Sunday; one column per hour of the day, ``h00`` to ``h23``
(``h18`` is 18:00–18:59 at the shop's local time of the document, daylight-saving history
included), and ``total``. A cell is the net sales of the period's documents posted at that
weekday and hour: the sales' totals minus the returns' totals (a return subtracts at the hour it
is made, as in sales-by-day), so the table adds up to the period's net. The totals row is each
hour over the whole week. The summary names the busiest hour (the largest cell; on a tie the
earlier weekday, then the earlier hour) and what it took; none when nothing sold.
"""

from __future__ import annotations

from pos_tui.core.kernel.money import from_kurus
from pos_tui.core.reports.common import ReportQuery
from pos_tui.core.reports.model import Cell, Chart, Column, Figure, Report, sum_totals
from pos_tui.core.reports.registry import new_report
from pos_tui.core.reports.sales_parts import hourly_documents
from pos_tui.i18n import N_, _

WEEKDAYS = (N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"), N_("Saturday"), N_("Sunday"))
HOURS = tuple(f"h{h:02d}" for h in range(24))


def build(query: ReportQuery) -> Report:
    cells = [[0] * 24 for _day in range(7)]
    receipts = 0
    for at, kind, n, total, _discount in hourly_documents(query):
        if kind == "return":
            cells[at.weekday()][at.hour] -= total
        else:
            cells[at.weekday()][at.hour] += total
            receipts += n

    columns = (
        Column("weekday", _("Weekday"), "text"),
        *(Column(key, f"{h:02d}", "money") for h, key in enumerate(HOURS)),
        Column("total", _("Total"), "money"),
    )
    rows: tuple[tuple[Cell, ...], ...] = tuple(
        (_(WEEKDAYS[d]), *(from_kurus(v) for v in cells[d]), from_kurus(sum(cells[d]))) for d in range(7)
    )
    totals = sum_totals(columns, rows, summed=(*HOURS, "total"))
    busiest: tuple[int, int, int] | None = None  # (net, weekday, hour)
    for d in range(7):
        for h in range(24):
            if cells[d][h] > 0 and (busiest is None or cells[d][h] > busiest[0]):
                busiest = (cells[d][h], d, h)
    when = None
    if busiest is not None:
        hours = f"{busiest[2]:02d}:00–{busiest[2]:02d}:59"
        when = _("{weekday} {hours}").format(weekday=_(WEEKDAYS[busiest[1]]), hours=hours)
    busiest_net = from_kurus(busiest[0]) if busiest else None
    return new_report(
        "sales-heatmap",
        query,
        columns=columns,
        rows=rows,
        totals=totals,
        summary=(
            Figure("busiest", _("Busiest hour"), when, "text"),
            Figure("busiest_net", _("Net sales in the busiest hour"), busiest_net, "money"),
            Figure("receipts", _("Receipts"), receipts, "int"),
            Figure("net", _("Net sales"), from_kurus(sum(map(sum, cells))), "money"),
        ),
        chart=Chart("heatmap", "weekday", HOURS, _("Net sales by hour and weekday")),
    )

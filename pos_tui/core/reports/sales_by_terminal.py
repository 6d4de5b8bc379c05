"""Sales by terminal: what each till's documents took, and their average basket.

One row per terminal (where the document was posted: a return counts on the terminal that made
it) with the same figures as sales-by-cashier: ``receipts`` (sales), ``returns``, ``gross``
(before discounts), ``discount``, ``net`` (the sales' totals minus the returns') and
``average_basket`` (the sale receipts' totals ÷ their number, half up to the kuruş). Sorted by
net, largest first. Each row's net is what that terminal's Z reports of the same documents add
up to.
"""

from __future__ import annotations

from pos_tui.core.reports.common import ReportQuery
from pos_tui.core.reports.model import Column, Report
from pos_tui.core.reports.sales_parts import tallies, tally_report
from pos_tui.i18n import _
from pos_tui.store import models as m


def build(query: ReportQuery) -> Report:
    groups = {str(key[0]): t for key, t in tallies(query, m.Sale.terminal).items()}
    return tally_report(
        "sales-by-terminal",
        query,
        Column("terminal", _("Terminal"), "text"),
        groups,
        count=("terminals", _("Terminals")),
        chart_title=_("Net sales by terminal"),
    )

"""Sales by cashier: what each cashier's documents took, and their average basket.

One row per cashier (the user who posted the document: a return counts for the cashier who made
the return, not the one who made the sale) with ``receipts`` (sales), ``returns``, ``gross``
(before discounts), ``discount``, ``net`` (the sales' totals minus the returns') and
``average_basket`` (the cashier's sale receipts' totals ÷ their number, half up to the kuruş;
returns left out: docs/reports.md, "Sales reports"). Sorted by net, largest first. The totals row
is sales-by-day's and the Z's net of the same documents; its average basket is the whole period's.
"""

from __future__ import annotations

from pos_tui.core.reports.common import ReportQuery
from pos_tui.core.reports.model import Column, Report
from pos_tui.core.reports.sales_parts import Tally, tallies, tally_report, users
from pos_tui.i18n import _
from pos_tui.store import models as m


def build(query: ReportQuery) -> Report:
    by_id = {key[0]: t for key, t in tallies(query, m.Sale.cashier).items()}
    names = users(list(by_id))
    groups: dict[str, Tally] = {}
    for uid, t in by_id.items():  # user names are unique; an id without its user keeps the id
        groups.setdefault(names.get(uid, f"#{uid}"), Tally()).merge(t)
    return tally_report(
        "sales-by-cashier",
        query,
        Column("cashier", _("Cashier"), "text"),
        groups,
        count=("cashiers", _("Cashiers")),
        chart_title=_("Net sales by cashier"),
    )

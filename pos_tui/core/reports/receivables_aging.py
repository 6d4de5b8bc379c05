"""Receivables aging: what each customer owes at the end of the period's last day, by how long it is
overdue (the definitions are :mod:`pos_tui.core.reports.party_aging`'s). ``balance`` > 0: the
customer owes the shop; < 0: an advance or credit in the customer's favour (an account that is both
customer and supplier may owe the other way)."""

from __future__ import annotations

from pos_tui.core import accounts
from pos_tui.core.reports.common import ReportQuery
from pos_tui.core.reports.model import Report
from pos_tui.core.reports.party_aging import aging_report
from pos_tui.i18n import _


def build(query: ReportQuery) -> Report:
    return aging_report("receivables-aging", query, kind=accounts.CUSTOMER, balance_label=_("Balance"))

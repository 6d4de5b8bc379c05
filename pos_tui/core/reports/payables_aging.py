"""Payables aging: what the shop owes each supplier at the end of the period's last day, by how long
it is overdue (the definitions are :mod:`pos_tui.core.reports.party_aging`'s). Amounts are what the
shop owes, positive: the accounts area's balance with its sign turned (``balance`` = −the account's
balance); < 0 means the supplier owes the shop (an advance paid, goods sent back)."""

from __future__ import annotations

from pos_tui.core import accounts
from pos_tui.core.reports.common import ReportQuery
from pos_tui.core.reports.model import Report
from pos_tui.core.reports.party_aging import aging_report
from pos_tui.i18n import _


def build(query: ReportQuery) -> Report:
    return aging_report("payables-aging", query, kind=accounts.SUPPLIER, balance_label=_("We owe"))

"""Margin by category: the products sold or returned in the period summed per category (a
product's category now, in the catalogue), with the number of products, net sales excluding
KDV, cost of goods sold at average cost, margin and margin % (defined in
:mod:`~pos_tui.core.reports.margin_common`), the largest margin first (ties by name).

Products without a category make a row of their own, its ``category`` the words "No category"
in the shop's language. The totals equal margin by product's."""

from __future__ import annotations

from collections.abc import Hashable

from pos_tui.core.reports.common import ReportQuery
from pos_tui.core.reports.margin_common import Group, ProductMargin, grouped_report
from pos_tui.core.reports.model import Column, Report
from pos_tui.core.reports.product_lookup import ProductFacts
from pos_tui.i18n import _


def _by_category(margins: dict[int, ProductMargin], facts: dict[int, ProductFacts]) -> dict[Hashable, Group]:
    groups: dict[Hashable, Group] = {}
    none = _("No category")
    for pid, figures in margins.items():
        category = facts[pid].category
        key = (category is None, category or "")
        group = groups.setdefault(key, Group(key, (category if category is not None else none,), []))
        group.products.append(figures)
    return groups


def build(query: ReportQuery) -> Report:
    head = (Column("category", _("Category")),)
    return grouped_report("margin-by-category", query, head, _by_category, chart_label="category")

"""Margin by product: each product sold or returned in the period, with its quantity, net sales
excluding KDV, cost of goods sold at average cost, margin and margin % (the figures are defined
in :mod:`~pos_tui.core.reports.margin_common`), the largest margin first (ties by code).

The totals row and the summary are the period's totals, the same in margin by category and by
supplier. Quantities are in each product's unit, so they are not totalled."""

from __future__ import annotations

from collections.abc import Hashable

from pos_tui.core.kernel.money import qty_to_decimal
from pos_tui.core.reports.common import ReportQuery
from pos_tui.core.reports.margin_common import Group, ProductMargin, grouped_report
from pos_tui.core.reports.model import Column, Report
from pos_tui.core.reports.product_lookup import ProductFacts
from pos_tui.i18n import _


def _by_product(margins: dict[int, ProductMargin], facts: dict[int, ProductFacts]) -> dict[Hashable, Group]:
    groups: dict[Hashable, Group] = {}
    for pid, figures in margins.items():
        p = facts[pid]
        groups[pid] = Group((p.code,), (p.code, p.name, qty_to_decimal(figures.qty)), [figures])
    return groups


def build(query: ReportQuery) -> Report:
    head = (Column("code", _("Code")), Column("name", _("Product")), Column("qty", _("Quantity"), "qty"))
    return grouped_report("margin-by-product", query, head, _by_product, chart_label="name", with_products=False)

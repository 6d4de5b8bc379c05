"""Margin by supplier: the products sold or returned in the period summed per supplier, with the
number of products, net sales excluding KDV, cost of goods sold at average cost, margin and
margin % (defined in :mod:`~pos_tui.core.reports.margin_common`), the largest margin first.

A product's supplier is the one the catalogue names, else the one it was last bought from
(:mod:`~pos_tui.core.reports.product_lookup`); products with neither make a row of their own
("No supplier", ``supplier`` code null). The totals equal margin by product's."""

from __future__ import annotations

from collections.abc import Hashable

from pos_tui.core.reports.common import ReportQuery
from pos_tui.core.reports.margin_common import Group, ProductMargin, grouped_report
from pos_tui.core.reports.model import Column, Report
from pos_tui.core.reports.product_lookup import ProductFacts, purchases_of, suppliers_of
from pos_tui.i18n import _


def _by_supplier(margins: dict[int, ProductMargin], facts: dict[int, ProductFacts]) -> dict[Hashable, Group]:
    chosen, named = suppliers_of(list(facts.values()), purchases_of(facts))
    groups: dict[Hashable, Group] = {}
    none = _("No supplier")
    for pid, figures in margins.items():
        sid = chosen[pid]
        if sid is None:
            key: tuple[object, ...] = (True, "")
            cells: tuple[str | None, ...] = (None, none)
        else:
            s = named[sid]
            key, cells = (False, s.code), (s.code, s.name)
        group = groups.setdefault(key, Group(key, cells, []))
        group.products.append(figures)
    return groups


def build(query: ReportQuery) -> Report:
    head = (Column("supplier", _("Supplier")), Column("name", _("Name")))
    return grouped_report("margin-by-supplier", query, head, _by_supplier, chart_label="name")

"""Sales by product: how much of each product sold and what it took, net of returns.

One row per product sold or returned in the period: ``code``, ``name`` and ``unit`` (as the
catalog has them now), ``qty`` (sold minus returned, in the product's unit), ``gross`` (before
discounts: the lines' prices × quantities), ``discount`` (its lines' discounts, their share of
receipt discounts and loyalty discounts included), ``net`` (``gross - discount``: what its lines
charged), ``kdv`` (the KDV inside net, the lines' own KDV: the per-rate KDV of the Z may differ by
a kuruş of rounding per receipt) and ``receipts`` (the sale receipts it was on). Returns subtract
on the day they are made. Sorted by net, largest first. The net column adds up to the period's
net sales (sales-by-day).
"""

from __future__ import annotations

from typing import Any

from pos_tui.core.kernel.vocabulary import unit_label
from pos_tui.core.reports.common import ReportQuery
from pos_tui.core.reports.model import Cell, Chart, Column, Figure, Report, sum_totals
from pos_tui.core.reports.product_lookup import products_by_id
from pos_tui.core.reports.registry import new_report
from pos_tui.core.reports.sales_parts import line_cells, line_figures
from pos_tui.core.reports.slicing import add_up, sliced_rows
from pos_tui.i18n import _
from pos_tui.store import models as m


def build(query: ReportQuery) -> Report:
    S, L = m.Sale, m.SaleLine

    def grouped(where: Any) -> Any:  # by the product's id alone (a small sort key), code and name read after
        return L.select(L.product, *line_figures()).join(S).where(where).group_by(L.product)

    sums = add_up(sliced_rows(query, grouped))
    facts = products_by_id(sums)
    ranked = sorted(sums, key=lambda pid: (-sums[pid][3], facts[pid].code))  # net, the largest first, then code
    found: list[tuple[Cell, ...]] = []
    for pid in ranked:
        qty, gross, disc, net, kdv, receipts = sums[pid]
        p = facts[pid]
        found.append((p.code, p.name, unit_label(p.unit), *line_cells(qty, gross, disc, net, kdv), receipts))
    columns = (
        Column("code", _("Code"), "text"),
        Column("name", _("Product"), "text"),
        Column("unit", _("Unit"), "text"),
        Column("qty", _("Quantity"), "qty"),
        Column("gross", _("Gross"), "money"),
        Column("discount", _("Discount"), "money"),
        Column("net", _("Net"), "money"),
        Column("kdv", _("KDV"), "money"),
        Column("receipts", _("Receipts"), "int"),
    )
    rows: tuple[tuple[Cell, ...], ...] = tuple(found)
    totals = sum_totals(columns, rows, summed=("gross", "discount", "net", "kdv"))
    return new_report(
        "sales-by-product",
        query,
        columns=columns,
        rows=rows,
        totals=totals,
        summary=(
            Figure("products", _("Products"), len(rows), "int"),
            Figure("net", _("Net sales"), totals[6], "money"),
        ),
        chart=Chart("bar", "name", ("net",), _("Net sales by product")),
    )

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

from pos_tui import store
from pos_tui.core.kernel.vocabulary import unit_label
from pos_tui.core.reports.common import ReportQuery, sale_where
from pos_tui.core.reports.model import Cell, Chart, Column, Figure, Report, sum_totals
from pos_tui.core.reports.registry import new_report
from pos_tui.core.reports.sales_parts import line_cells, line_figures
from pos_tui.i18n import _
from pos_tui.store import models as m


def build(query: ReportQuery) -> Report:
    S, L, P = m.Sale, m.SaleLine, m.Product
    figures = [f.alias(f"f{n}") for n, f in enumerate(line_figures())]
    # grouped by the product's id alone (a small sort key), its code and name joined after
    grouped = L.select(L.product.alias("product_id"), *figures).join(S).where(sale_where(query)).group_by(L.product)
    select = P.select(P.code, P.name, P.unit, *(getattr(grouped.c, f"f{n}") for n in range(len(figures)))).join(
        grouped, on=(P.id == grouped.c.product_id)
    )
    found = [
        (code, name, unit_label(unit), *line_cells(qty, gross, disc, net, kdv), receipts)
        for code, name, unit, qty, gross, disc, net, kdv, receipts in store.rows(select)
    ]
    found.sort(key=lambda r: (-r[6], r[0]))  # net, then code
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

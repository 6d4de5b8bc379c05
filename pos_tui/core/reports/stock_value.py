"""Stock value: what is on the shelves at the end of the period and what it is worth.

One row per product with stock (a quantity above zero) at the query's locations at the
period's end (:mod:`~pos_tui.core.reports.stock_common`: the store's locations, the terminal's
location, or all; at the end of the last day, or now from the ledger's caches when the period
runs to today): its category, quantity, ``value`` at moving average cost (the ledger's value),
``unit_cost`` (value ÷ quantity, to the kuruş), ``sale_value`` (the quantity at today's sale
price, **excluding KDV** so that it compares with the cost) and ``potential_margin``
(``sale_value − value``: what selling it all at today's prices would earn). The largest value
first (ties by code); totals of value, sale value and potential margin.

The chart is a bar per product of its value, in that order: the products that tie up the most
money first, which is what the chart is for (a bar per category would need rows per category,
and the category is a column here so the table can be sorted and filtered by it).
"""

from __future__ import annotations

from pos_tui.core.kernel.money import from_kurus, qty_to_decimal
from pos_tui.core.reports.common import ReportQuery
from pos_tui.core.reports.model import Cell, Chart, Column, Figure, Report, sum_totals
from pos_tui.core.reports.product_lookup import products_by_id
from pos_tui.core.reports.registry import new_report
from pos_tui.core.reports.stock_common import negative_notes, sale_value, stock_for, unit_cost
from pos_tui.i18n import _


def build(query: ReportQuery) -> Report:
    stock = stock_for(query)
    facts = products_by_id(stock.held)
    order = sorted(stock.held, key=lambda pid: (-stock.held[pid].value, facts[pid].code))
    rows: list[tuple[Cell, ...]] = []
    for pid in order:
        p, h = facts[pid], stock.held[pid]
        worth = sale_value(h.qty, p.price, p.kdv_rate)
        rows.append(
            (
                p.code,
                p.name,
                p.category,
                qty_to_decimal(h.qty),
                from_kurus(unit_cost(h.qty, h.value)),
                from_kurus(h.value),
                from_kurus(worth),
                from_kurus(worth - h.value),
            )
        )
    columns = (
        Column("code", _("Code")),
        Column("name", _("Product")),
        Column("category", _("Category")),
        Column("qty", _("On hand"), "qty"),
        Column("unit_cost", _("Unit cost"), "money"),
        Column("value", _("Value"), "money"),
        Column("sale_value", _("Sale value excl. KDV"), "money"),
        Column("potential_margin", _("Potential margin"), "money"),
    )
    table = tuple(rows)
    totals = sum_totals(columns, table, summed=("value", "sale_value", "potential_margin"))
    return new_report(
        "stock-value",
        query,
        columns=columns,
        rows=table,
        totals=totals,
        summary=(
            Figure("products", _("Products in stock"), len(rows), "int"),
            Figure("value", _("Stock value"), totals[5], "money"),
            Figure("sale_value", _("Sale value excl. KDV"), totals[6], "money"),
            Figure("potential_margin", _("Potential margin"), totals[7], "money"),
        ),
        chart=Chart("bar", "name", ("value",), _("Stock value")),
        notes=negative_notes(stock.negative),
    )

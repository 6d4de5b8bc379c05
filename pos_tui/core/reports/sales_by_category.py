"""Sales by category: what each category's products sold and took, net of returns.

One row per category (the product's category in the catalog now; products without one together
as "(no category)") with ``products`` (how many of its products sold or came back), ``qty``
(their quantities added as numbers, sold minus returned: pieces and kilograms alike, so read it
for a category of one unit), ``gross`` (before discounts), ``discount``, ``net`` (what the lines
charged), ``kdv`` (inside net), ``receipts`` (the sale receipts with one of its products) and
``share`` (its part of the whole net in percent, one place half up). The same definitions as
sales-by-product, so each category's net is its products' and the net column adds up to the
period's net sales. Sorted by net, largest first.
"""

from __future__ import annotations

from peewee import fn

from pos_tui import store
from pos_tui.core.reports.common import ReportQuery, sale_where
from pos_tui.core.reports.model import Cell, Chart, Column, Figure, Report, sum_totals
from pos_tui.core.reports.registry import new_report
from pos_tui.core.reports.sales_parts import line_cells, line_figures, share_pct
from pos_tui.i18n import _
from pos_tui.store import models as m


def build(query: ReportQuery) -> Report:
    S, L, P, C = m.Sale, m.SaleLine, m.Product, m.Category
    select = (
        L.select(P.category, fn.COUNT(fn.DISTINCT(L.product)), *line_figures())
        .join(S)
        .switch(L)
        .join(P)
        .where(sale_where(query))
        .group_by(P.category)  # the id: a small sort key; the names are read after
    )
    grouped = list(store.rows(select))
    ids = [cid for cid, *_rest in grouped if cid is not None]
    names = dict(store.rows(C.select(C.id, C.name).where(C.id.in_(ids)))) if ids else {}
    found = [
        (names.get(cid) if cid is not None else None, products, *line_cells(qty, gross, disc, net, kdv), receipts)
        for cid, products, qty, gross, disc, net, kdv, receipts in grouped
    ]
    whole = sum(r[5] for r in found)
    none = _("(no category)")
    found.sort(key=lambda r: (-r[5], r[0] is None, r[0] or ""))
    rows: tuple[tuple[Cell, ...], ...] = tuple(
        (name if name is not None else none, *rest, share_pct(rest[4], whole)) for name, *rest in found
    )
    columns = (
        Column("category", _("Category"), "text"),
        Column("products", _("Products"), "int"),
        Column("qty", _("Quantity"), "qty"),
        Column("gross", _("Gross"), "money"),
        Column("discount", _("Discount"), "money"),
        Column("net", _("Net"), "money"),
        Column("kdv", _("KDV"), "money"),
        Column("receipts", _("Receipts"), "int"),
        Column("share", _("Share"), "percent"),
    )
    totals = sum_totals(columns, rows, summed=("products", "gross", "discount", "net", "kdv"))
    return new_report(
        "sales-by-category",
        query,
        columns=columns,
        rows=rows,
        totals=totals,
        summary=(
            Figure("categories", _("Categories"), len(rows), "int"),
            Figure("net", _("Net sales"), totals[5], "money"),
        ),
        chart=Chart("bar", "category", ("net",), _("Net sales by category")),
    )

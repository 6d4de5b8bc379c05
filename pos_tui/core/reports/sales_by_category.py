"""Sales by category: what each category's products sold and took, net of returns.

One row per category (the product's category in the catalog now; products without one together
as "(no category)") with ``products`` (how many of its products sold or came back), ``qty``
(their quantities added as numbers, sold minus returned: pieces and kilograms alike, so read it
for a category of one unit), ``gross`` (before discounts), ``discount``, ``net`` (what the lines
charged), ``kdv`` (inside net), ``receipts`` (the sale receipts with one of its products) and
``share`` (its part of the whole net in percent, one place, adding up to 100 by the largest
remainder). The same definitions as sales-by-product, so each category's net is its products' and
the net column adds up to the period's net sales. Sorted by net, largest first.
"""

from __future__ import annotations

from typing import Any

from peewee import Cast, fn

from pos_tui import store
from pos_tui.core.kernel.money import from_kurus
from pos_tui.core.reports.common import ReportQuery
from pos_tui.core.reports.model import Cell, Chart, Column, Figure, Report, sum_totals
from pos_tui.core.reports.registry import new_report
from pos_tui.core.reports.sales_parts import line_cells, line_figures, shares_pct
from pos_tui.core.reports.slicing import sliced_rows
from pos_tui.i18n import _
from pos_tui.store import models as m


def _product_ids() -> Any:
    """The distinct products of a group as text (``3,17,42``): a count of distinct products does
    not add up over slices, their lists do."""
    L = m.SaleLine
    if store.is_sqlite():
        return fn.GROUP_CONCAT(fn.DISTINCT(L.product))
    return fn.STRING_AGG(fn.DISTINCT(Cast(L.product, "text")), ",")


def build(query: ReportQuery) -> Report:
    S, L, P, C = m.Sale, m.SaleLine, m.Product, m.Category

    def grouped(where: Any) -> Any:  # by the category's id: a small sort key, the names read after
        select = L.select(P.category, _product_ids(), *line_figures()).join(S).switch(L).join(P)
        return select.where(where).group_by(P.category)

    sums: dict[int | None, list[int]] = {}
    products: dict[int | None, set[str]] = {}
    for cid, ids, *figures in sliced_rows(query, grouped):
        products.setdefault(cid, set()).update(str(ids or "").split(","))
        acc = sums.setdefault(cid, [0] * len(figures))
        for i, value in enumerate(figures):
            acc[i] += int(value or 0)
    known = [cid for cid in sums if cid is not None]
    names = dict(store.rows(C.select(C.id, C.name).where(C.id.in_(known)))) if known else {}
    found = []
    for cid, (qty, gross, disc, net, kdv, receipts) in sums.items():
        name = names.get(cid) if cid is not None else None
        count = len(products[cid] - {""})
        found.append((name, count, line_cells(qty, gross, disc, net, kdv), receipts, from_kurus(net)))
    none = _("(no category)")
    found.sort(key=lambda f: (-f[4], f[0] is None, f[0] or ""))
    shares = shares_pct([f[4] for f in found])
    rows: tuple[tuple[Cell, ...], ...] = tuple(
        (name if name is not None else none, count, *cells, receipts, share)
        for (name, count, cells, receipts, _net), share in zip(found, shares, strict=True)
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

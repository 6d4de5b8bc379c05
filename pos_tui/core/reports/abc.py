"""ABC analysis: which products make the period's revenue.

Each product's **net** is its net sales including KDV, as in sales by product: the lines'
totals (what was charged, after every discount), a return's lines subtracting. Only products
with a net above zero are ranked; a product whose returns match or exceed its sales in the
period (returns of earlier sales) has no revenue to rank and is left out, and a note says how
many. The ranking is by net, the largest first; equal nets are ranked by product code, so every
product has its own rank.

``share`` is the product's net ÷ the ranked products' total × 100, to two decimals; the shares
are rounded by the largest remainder so that they add up to exactly 100. ``cumulative`` is the
running total of the exact shares down to and including the product, rounded half up to two
decimals (the last is 100). The class is decided on the exact figures, not the rounded ones:

- **A**: the products whose cumulative share is at most 80 %, plus the one that crosses 80 %
  (a product is A when the products above it make less than 80 %);
- **B**: the next ones up to 95 % in the same way (those above it make less than 95 %);
- **C**: the rest.

The summary gives each class's number of products and share of revenue (shares by the largest
remainder, adding up to 100); the chart is a bar per product of its net, in rank order.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from peewee import Case, fn

from pos_tui.core.kernel.money import from_kurus
from pos_tui.core.reports.common import ReportQuery
from pos_tui.core.reports.model import Cell, Chart, Column, Figure, Report
from pos_tui.core.reports.product_lookup import products_by_id
from pos_tui.core.reports.registry import new_report
from pos_tui.core.reports.shares import largest_remainder, percent
from pos_tui.core.reports.slicing import add_up, sliced_rows
from pos_tui.i18n import _, ngettext
from pos_tui.store import models as m

CLASSES = (("A", 80), ("B", 95), ("C", 100))
"""Each class and the cumulative share (percent) it runs to."""


def product_nets(query: ReportQuery) -> dict[int, int]:
    """Net sales including KDV per product sold or returned in the query (kuruş), grouped over
    the period's slices (:mod:`~pos_tui.core.reports.slicing`)."""
    S, L = m.Sale, m.SaleLine
    net = fn.SUM(Case(None, [(S.kind == "return", L.total * -1)], L.total))

    def grouped(where: Any) -> Any:
        return L.select(L.product, net).join(S, on=(L.sale == S.id)).where(where).group_by(L.product)

    return {int(pid): total for pid, (total,) in add_up(sliced_rows(query, grouped)).items()}


def classify(nets: list[int]) -> list[str]:
    """The class of each net (ranked, largest first, all > 0): the module docstring's rule."""
    total = sum(nets)
    classes: list[str] = []
    before = 0
    for net in nets:
        classes.append(next(name for name, limit in CLASSES if 100 * before < limit * total))
        before += net
    return classes


def _percent(basis_points: int) -> Decimal:
    return (Decimal(basis_points) / 100).quantize(Decimal("0.01"))


def build(query: ReportQuery) -> Report:
    nets = product_nets(query)
    facts = products_by_id(nets)
    ranked = sorted(((net, facts[pid].code, pid) for pid, net in nets.items() if net > 0), key=lambda r: (-r[0], r[1]))
    left_out = sum(1 for net in nets.values() if net <= 0)
    amounts = [net for net, _code, _pid in ranked]
    total = sum(amounts)
    shares = largest_remainder(10_000, amounts)
    classes = classify(amounts)
    columns = (
        Column("rank", _("Rank"), "int"),
        Column("code", _("Code")),
        Column("name", _("Product")),
        Column("net", _("Net sales"), "money"),
        Column("share", _("Share"), "percent"),
        Column("cumulative", _("Cumulative"), "percent"),
        Column("class", _("Class")),
    )
    rows: list[tuple[Cell, ...]] = []
    running = 0
    for n, ((net, code, pid), share, klass) in enumerate(zip(ranked, shares, classes, strict=True), start=1):
        running += net
        rows.append((n, code, facts[pid].name, from_kurus(net), _percent(share), percent(running, total), klass))
    per_class = {name: [0, 0] for name, _limit in CLASSES}
    for net, klass in zip(amounts, classes, strict=True):
        per_class[klass][0] += 1
        per_class[klass][1] += net
    class_shares = largest_remainder(10_000, [v[1] for v in per_class.values()])
    summary: list[Figure] = [
        Figure("products", _("Products ranked"), len(ranked), "int"),
        Figure("net", _("Net sales"), from_kurus(total), "money"),
    ]
    for (name, (count, _net)), share in zip(per_class.items(), class_shares, strict=True):
        key = name.lower()
        products = _("Class {name}: products").format(name=name)
        revenue = _("Class {name}: share of sales").format(name=name)
        summary.append(Figure(f"{key}_products", products, count, "int"))
        summary.append(Figure(f"{key}_share", revenue, _percent(share), "percent"))
    notes: tuple[str, ...] = ()
    if left_out:
        notes = (
            ngettext(
                "{n} product with no sales above its returns in the period is not ranked.",
                "{n} products with no sales above their returns in the period are not ranked.",
                left_out,
            ).format(n=left_out),
        )
    totals: tuple[Cell, ...] = (None, None, None, from_kurus(total), _percent(10_000) if total else None, None, None)
    return new_report(
        "abc",
        query,
        columns=columns,
        rows=tuple(rows),
        totals=totals,
        summary=tuple(summary),
        chart=Chart("bar", "name", ("net",), _("Net sales")),
        notes=notes,
    )

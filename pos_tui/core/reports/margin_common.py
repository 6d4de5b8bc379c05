"""What the three margin reports share (by product, category, supplier): the figures per product,
summed into any grouping, so the three always add up to the same totals.

Per product, over the query's sales and returns (:func:`~pos_tui.core.reports.common.sale_where`:
the period, terminal and store):

``qty``
    Units sold, net of returns (milli-units in the database; the product's unit).
``net``
    Net sales **excluding KDV**: each line's total (what was charged, after every discount)
    minus the KDV in it; a return's lines subtract.
``cost``
    Cost of goods sold at **average cost**, from the stock ledger: every sale and return posts a
    ``sale`` / ``return`` movement linked to its document, valued by the moving average rule
    (:mod:`pos_tui.core.kernel.costing`): a sale takes its units out at the average cost then in
    force, a return brings them back **at the average cost at the time of the return** (not the
    sale's). ``cost = −Σ value`` of those movements, so a return lowers the cost by what its
    units came back at.
``margin``
    ``net − cost``; ``margin %`` is ``margin ÷ net × 100`` to one decimal (half up), none when
    ``net`` is 0.

Units sold out of no stock (negative stock, or a product never received or costed) leave the
ledger at no value (the next goods receipt re-costs them and the sale is never changed): they
count at no cost here, and the report's notes say how many products that touched.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from peewee import Case, fn

from pos_tui.core.kernel.money import from_kurus
from pos_tui.core.reports.common import ReportQuery
from pos_tui.core.reports.model import Cell, Chart, Column, Figure, Report
from pos_tui.core.reports.product_lookup import ProductFacts, products_by_id
from pos_tui.core.reports.registry import new_report
from pos_tui.core.reports.shares import percent
from pos_tui.core.reports.slicing import add_up, sliced_rows
from pos_tui.core.stock import RETURN, SALE
from pos_tui.i18n import _, ngettext
from pos_tui.store import models as m


@dataclass(frozen=True, slots=True)
class ProductMargin:
    """One product's figures (module docstring). Quantities in milli-units, money in kuruş."""

    product_id: int
    qty: int = 0
    net: int = 0
    cost: int = 0
    uncosted: int = 0  # milli-units that left at no value

    @property
    def margin(self) -> int:
        return self.net - self.cost


def _signed(kind: Any, value: Any) -> Case:
    """``value`` for a sale, ``−value`` for a return (portable CASE)."""
    return Case(None, [(kind == "return", value * -1)], value)


def product_margins(query: ReportQuery) -> dict[int, ProductMargin]:
    """Every product sold or returned in the query, with its figures: two grouped queries, each
    over the period's slices (:mod:`~pos_tui.core.reports.slicing`: a year's million lines grouped
    a month at a time)."""
    S, L, SM = m.Sale, m.SaleLine, m.StockMovement

    def lines(where: Any) -> Any:
        return (
            L.select(L.product, fn.SUM(_signed(S.kind, L.qty)), fn.SUM(_signed(S.kind, L.total - L.kdv)))
            .join(S, on=(L.sale == S.id))
            .where(where)
            .group_by(L.product)
        )

    # Units that left at no value (sold out of no stock): a whole movement at 0, or the part of one
    # whose value falls short of its units at its unit cost by more than the average cost's rounding
    # (at most a kuruş a unit, plus one): 3 units sold with 1 in stock at 10,00 → 2 uncosted.
    expected = SM.qty * -1 * SM.unit_cost  # kuruş × 1000 (qty is milli-units)
    short = expected - SM.value * -1000
    uncosted = Case(
        None,
        [
            ((SM.kind == SALE) & (SM.value == 0), SM.qty * -1),
            ((SM.kind == SALE) & (SM.unit_cost > 0) & (short > SM.qty * -1 + 1000), short / SM.unit_cost),
        ],
        0,
    )

    def moved(where: Any) -> Any:
        return (
            SM.select(SM.product, fn.SUM(SM.value), fn.SUM(uncosted))
            .join(S, on=(SM.sale == S.id))
            .where(where & SM.kind.in_([SALE, RETURN]))
            .group_by(SM.product)
        )

    sold = {int(pid): [qty, net, 0, 0] for pid, (qty, net) in add_up(sliced_rows(query, lines)).items()}
    for pid, (value, lost) in add_up(sliced_rows(query, moved)).items():
        acc = sold.setdefault(int(pid), [0, 0, 0, 0])
        acc[2] = -value
        acc[3] = lost
    return {pid: ProductMargin(pid, *acc) for pid, acc in sold.items()}


def margin_percent(net: int, margin: int) -> Decimal | None:
    """``margin ÷ net × 100`` to one decimal, half up; None when ``net`` is 0."""
    return None if net == 0 else percent(margin, net, 1)


FIGURE_COLUMNS = ("net", "cost", "margin", "margin_pct")


def figure_columns() -> tuple[Column, ...]:
    """The columns every margin report ends with."""
    return (
        Column("net", _("Net excl. KDV"), "money"),
        Column("cost", _("Cost"), "money"),
        Column("margin", _("Gross margin"), "money"),
        Column("margin_pct", _("Margin %"), "percent"),
    )


def figure_cells(net: int, cost: int) -> tuple[Cell, ...]:
    return (from_kurus(net), from_kurus(cost), from_kurus(net - cost), margin_percent(net, net - cost))


@dataclass(frozen=True, slots=True)
class Group:
    """A row of a grouped margin report: its leading cells and the products in it."""

    sort_key: tuple[object, ...]
    cells: tuple[Cell, ...]
    products: list[ProductMargin]


def grouped_report(
    name: str,
    query: ReportQuery,
    head: Sequence[Column],
    group_of: Callable[[dict[int, ProductMargin], dict[int, ProductFacts]], dict[Hashable, Group]],
    *,
    chart_label: str,
    with_products: bool = True,
) -> Report:
    """A margin report with a row per group (``group_of`` puts each product in one): ``head``'s
    cells, the number of products (``with_products``) and the figures; sorted by margin, the
    largest first (ties: the leading cells' ``sort_key``); a totals row; a bar chart of the margin."""
    margins = product_margins(query)
    facts = products_by_id(margins)
    groups = group_of(margins, facts)
    count_col = (Column("products", _("Products"), "int"),) if with_products else ()
    columns = (*head, *count_col, *figure_columns())
    ranked = []
    for group in groups.values():
        net = sum(p.net for p in group.products)
        cost = sum(p.cost for p in group.products)
        count = (len(group.products),) if with_products else ()
        ranked.append(((-(net - cost), group.sort_key), (*group.cells, *count, *figure_cells(net, cost))))
    ranked.sort(key=lambda item: item[0])
    rows = tuple(row for _key, row in ranked)
    net = sum(p.net for p in margins.values())
    cost = sum(p.cost for p in margins.values())
    totals: list[Cell] = [None] * len(head)
    if with_products:
        totals.append(len(margins))
    totals.extend(figure_cells(net, cost))
    return new_report(
        name,
        query,
        columns=columns,
        rows=rows,
        totals=tuple(totals),
        summary=(
            Figure("net", _("Net sales excl. KDV"), from_kurus(net), "money"),
            Figure("cost", _("Cost of goods sold"), from_kurus(cost), "money"),
            Figure("margin", _("Gross margin"), from_kurus(net - cost), "money"),
            Figure("margin_pct", _("Margin %"), margin_percent(net, net - cost), "percent"),
        ),
        chart=Chart("bar", chart_label, ("margin",), _("Gross margin")),
        notes=uncosted_notes(margins),
    )


def uncosted_notes(margins: dict[int, ProductMargin]) -> tuple[str, ...]:
    """A note when some units left the stock at no value (the module docstring)."""
    touched = [p for p in margins.values() if p.uncosted > 0]
    if not touched:
        return ()
    n = len(touched)
    return (
        ngettext(
            "{n} product was sold out of no stock or without a cost: those units count at no cost here.",
            "{n} products were sold out of no stock or without a cost: those units count at no cost here.",
            n,
        ).format(n=n),
    )

"""Period over period: this period's sales figures against another period's.

``--against previous`` (the default) compares with the period just before it (as many days; a
whole calendar month or year with the whole one before: :meth:`Period.previous`), ``last-year``
with the same days a year earlier (:meth:`Period.year_before`). The terminal and store filters
apply to both periods.

Rows, in this order: this period, the other period (the one it is compared with) and the
difference (this minus other), each named by ``label`` and, for the periods, ``first`` and
``last``. Columns, each with its own kind (a column is money, a count or a ratio, so every format
writes it right): ``net`` (the sales' totals minus the returns'), ``receipts`` (sale
receipts), ``average_basket`` (the sale receipts' totals ÷ their number, half up to the kuruş),
``lines_per_basket`` (the sale receipts' lines ÷ their number, two places half up), ``returns``
(what the returns refunded) and ``discount`` (the sales' discounts minus those the returns gave
back) — the definitions of the other sales reports. The summary gives each figure's change in
percent of the other period (one place, half up; none when the other period's figure is zero).
The notes name both periods.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from peewee import fn

from pos_tui.core.kernel.money import from_kurus
from pos_tui.core.reports.common import ReportQuery, sale_where
from pos_tui.core.reports.model import Cell, Chart, Column, Figure, Report
from pos_tui.core.reports.period import Period
from pos_tui.core.reports.registry import new_report
from pos_tui.core.reports.sales_parts import change_pct, per_receipt, tallies, total_tally
from pos_tui.i18n import _
from pos_tui.store import models as m

FIGURES = ("net", "receipts", "average_basket", "lines_per_basket", "returns", "discount")


@dataclass(frozen=True, slots=True)
class Figures:
    net: Decimal
    receipts: int
    average_basket: Decimal | None
    lines_per_basket: Decimal | None
    returns: Decimal
    discount: Decimal

    def cells(self) -> tuple[Cell, ...]:
        return tuple(getattr(self, k) for k in FIGURES)


def figures(query: ReportQuery) -> Figures:
    """The compared figures of ``query``'s documents (two grouped queries)."""
    t = total_tally(tallies(query))
    S, L = m.Sale, m.SaleLine
    lines = L.select(fn.COUNT(L.id)).join(S).where(sale_where(query) & (S.kind == "sale")).scalar() or 0
    return Figures(
        net=from_kurus(t.net),
        receipts=t.sales,
        average_basket=t.average_basket,
        lines_per_basket=per_receipt(lines, t.sales),
        returns=from_kurus(t.returned),
        discount=from_kurus(t.discount),
    )


def other_period(query: ReportQuery) -> Period:
    if query.options.get("against", "previous") == "last-year":
        return query.period.year_before()
    return query.period.previous()


def _minus(a: Cell, b: Cell) -> Cell:
    if isinstance(a, Decimal | int) and isinstance(b, Decimal | int):
        return a - b
    return None


def build(query: ReportQuery) -> Report:
    other = other_period(query)
    this_f = figures(query)
    other_f = figures(replace(query, period=other))
    last_year = query.options.get("against", "previous") == "last-year"
    columns = (
        Column("label", _("Period"), "text"),
        Column("first", _("From"), "date"),
        Column("last", _("To"), "date"),
        Column("net", _("Net sales"), "money"),
        Column("receipts", _("Receipts"), "int"),
        Column("average_basket", _("Average basket"), "money"),
        Column("lines_per_basket", _("Lines per basket"), "qty"),
        Column("returns", _("Returns"), "money"),
        Column("discount", _("Discount"), "money"),
    )
    rows: tuple[tuple[Cell, ...], ...] = (
        (_("This period"), query.period.first, query.period.last, *this_f.cells()),
        (
            _("Same days last year") if last_year else _("Period before"),
            other.first,
            other.last,
            *other_f.cells(),
        ),
        (_("Difference"), None, None, *map(_minus, this_f.cells(), other_f.cells())),
    )
    labels = {
        "net": _("Net sales, change"),
        "receipts": _("Receipts, change"),
        "average_basket": _("Average basket, change"),
        "lines_per_basket": _("Lines per basket, change"),
        "returns": _("Returns, change"),
        "discount": _("Discount, change"),
    }
    summary = tuple(
        Figure(f"{key}_change_pct", labels[key], change_pct(a, b), "percent")  # type: ignore[arg-type]
        for key, a, b in zip(FIGURES, this_f.cells(), other_f.cells(), strict=True)
    )
    return new_report(
        "sales-compare",
        query,
        columns=columns,
        rows=rows,
        summary=summary,
        chart=Chart("bar", "label", ("net",), _("Net sales")),
        notes=(
            _("This period: {this}; compared with: {other}").format(this=query.period.label(), other=other.label()),
        ),
    )

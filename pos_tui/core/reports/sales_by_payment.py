"""Sales by payment method: what each method took, net of refunds.

One row per payment method (``method``: its code, as the JSON and scripts know it; ``label``: its
name in the shop's language) with ``sales`` (what the period's sale receipts were paid with that
method: the amount applied to the receipt, change given back already taken off), ``refunds``
(what the returns paid back with it) and ``net`` (``sales - refunds``), and ``share``: the
method's part of the whole net in percent (one place, adding up to 100 by the largest remainder).
The same figures as the Z's ``by_payment`` (the same function computes them); the net column adds
up to the period's net sales. Sorted by net, largest first.
"""

from __future__ import annotations

from decimal import Decimal

from pos_tui.core.cash import document_totals
from pos_tui.core.kernel.money import ZERO
from pos_tui.core.kernel.vocabulary import method_label
from pos_tui.core.reports.common import ReportQuery, sale_where
from pos_tui.core.reports.model import Cell, Chart, Column, Figure, Report, sum_totals
from pos_tui.core.reports.registry import new_report
from pos_tui.core.reports.sales_parts import shares_pct
from pos_tui.i18n import _


def build(query: ReportQuery) -> Report:
    totals_ = document_totals(sale_where(query))
    methods = set(totals_.sale_payments) | set(totals_.return_payments)
    sums: dict[str, tuple[Decimal, Decimal]] = {
        k: (totals_.sale_payments.get(k, ZERO), totals_.return_payments.get(k, ZERO)) for k in methods
    }
    whole = sum((s - r for s, r in sums.values()), ZERO)
    ordered = sorted(sums.items(), key=lambda kv: (-(kv[1][0] - kv[1][1]), kv[0]))
    columns = (
        Column("method", _("Code"), "text"),
        Column("label", _("Payment method"), "text"),
        Column("sales", _("Taken by sales"), "money"),
        Column("refunds", _("Refunded"), "money"),
        Column("net", _("Net"), "money"),
        Column("share", _("Share"), "percent"),
    )
    shares = shares_pct([s - r for _code, (s, r) in ordered])
    rows: tuple[tuple[Cell, ...], ...] = tuple(
        (code, method_label(code), s, r, s - r, share) for (code, (s, r)), share in zip(ordered, shares, strict=True)
    )
    totals = sum_totals(columns, rows, summed=("sales", "refunds", "net"))
    return new_report(
        "sales-by-payment",
        query,
        columns=columns,
        rows=rows,
        totals=totals,
        summary=(
            Figure("methods", _("Payment methods"), len(rows), "int"),
            Figure("net", _("Net sales"), whole, "money"),
        ),
        chart=Chart("bar", "label", ("net",), _("Net by payment method")),
    )

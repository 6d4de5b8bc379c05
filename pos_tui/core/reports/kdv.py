"""KDV by rate per day: what the accountant asks for, receipts and invoices apart and never counted
twice.

One row per shop day and KDV rate that has a document (base = the amount without KDV, KDV, both
signed; ``rate`` 20 is 20 %):

* **receipts** (``receipts_base``, ``receipts_kdv``): the till's documents of the day, sales minus
  returns (a return subtracts on the day it is made), from their posted KDV rows (``sale_kdv``):
  exactly the Z reports' ``by_kdv`` of the same documents;
* **trade invoices** (``trade_base``, ``trade_kdv``): standalone wholesale invoices (e-Fatura or
  e-Arşiv, ``pos-admin einvoice wholesale``: SATIS, ISTISNA at 0 %, TEVKIFAT), which no receipt
  covers, by the day they were issued, from the invoice's own KDV subtotals; TEVKIFAT's
  ``trade_kdv`` is the KDV calculated, of which the buyer pays the withheld part (``withheld`` in the
  summary) to the tax office;
* ``total_base``, ``total_kdv`` = receipts + trade invoices: the shop's sales KDV;
* **of which on invoices**, informational (``earsiv_*``, ``efatura_*``): the standing e-Arşiv and
  e-Fatura invoices issued that day, those for receipts and trade invoices alike, to check against
  the integrator's lists. An invoice issued for a receipt (or several, a periodic invoice) repeats
  that receipt's KDV rows (docs/einvoice.md: to the kuruş), so it is counted here and never again in
  the total: the receipt is already in.

Invoices count while they stand (not cancelled or rejected, as their status is now). IADE invoices
to suppliers (goods sent back, from the stock area) are not sales: they are left out (the notes
count them). The terminal and store filters apply to the receipts' terminal and to the invoices'
(the terminal that issued them). The totals row is the period's; the summary has each rate's total.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

from peewee import SQL, fn

from pos_tui import store
from pos_tui.core import einvoice
from pos_tui.core.kernel.clock import to_db
from pos_tui.core.kernel.formatting import format_money
from pos_tui.core.kernel.money import from_kurus, to_kurus
from pos_tui.core.reports.common import ReportQuery, terminal_where
from pos_tui.core.reports.model import Cell, Column, Figure, Report, sum_totals
from pos_tui.core.reports.registry import new_report
from pos_tui.core.reports.shop_days import as_day, day_case
from pos_tui.core.reports.slicing import slice_cursors
from pos_tui.i18n import _, ngettext
from pos_tui.store import models as m

RELEASED = (einvoice.CANCELLED, einvoice.REJECTED)
SALES_SOURCES = (einvoice.FROM_SALE, einvoice.FROM_SALES)
# per (day, rate): receipts base, kdv; trade base, kdv; e-Arşiv base, kdv; e-Fatura base, kdv (kuruş)
RECEIPTS, TRADE, EARSIV, EFATURA = 0, 2, 4, 6
AMOUNTS = (
    "receipts_base",
    "receipts_kdv",
    "trade_base",
    "trade_kdv",
    "total_base",
    "total_kdv",
    "earsiv_base",
    "earsiv_kdv",
    "efatura_base",
    "efatura_kdv",
)


def _invoices_where(query: ReportQuery) -> Any:
    E, Q = m.EInvoice, m.EInvoiceQueue
    start, end = query.period.bounds(query.tz)
    return (
        (E.issued_at >= to_db(start))
        & (E.issued_at < to_db(end))
        & Q.status.not_in(list(RELEASED))
        & terminal_where(E.terminal, query)
    )


def receipt_kdv(query: ReportQuery) -> Iterator[tuple[date, str, int, int, int]]:
    """(shop day, kind, rate, base, KDV) of the query's documents' KDV rows, summed per day, kind
    and rate: a query per day (:func:`~pos_tui.core.reports.slicing.slice_cursors` of one day), each
    grouping its day's rows, so that no row needs its day worked out and no sort holds more than
    a day (a year's 600,000 rows grouped by a day expression in one query: twice the time)."""
    S, K = m.Sale, m.SaleKdv

    def grouped(where: Any) -> Any:
        return K.select(S.kind, K.rate, fn.SUM(K.base), fn.SUM(K.kdv)).join(S).where(where).group_by(S.kind, K.rate)

    for piece, rows in slice_cursors(query, grouped, 1):
        for kind, rate, base, kdv in rows:
            yield piece.first, str(kind), int(rate), int(base or 0), int(kdv or 0)


def build(query: ReportQuery) -> Report:
    cells: dict[tuple[date, int], list[int]] = defaultdict(lambda: [0] * 8)
    for shop_day, kind, rate, base, kdv in receipt_kdv(query):
        sign = -1 if kind == "return" else 1
        acc = cells[(shop_day, int(rate))]
        acc[RECEIPTS] += sign * int(base or 0)
        acc[RECEIPTS + 1] += sign * int(kdv or 0)

    E, Q, ES, K = m.EInvoice, m.EInvoiceQueue, m.EInvoiceSale, m.SaleKdv
    where = _invoices_where(query)
    issued = day_case(E.issued_at, query.period, query.tz).alias("shop_day")
    # invoices of receipts: their sales' KDV rows, as the invoice carries them
    of_sales = (
        E.select(issued, E.profile, K.rate, fn.SUM(K.base), fn.SUM(K.kdv))
        .join(Q, on=(Q.invoice == E.id))
        .switch(E)
        .join(ES, on=(ES.invoice == E.id))
        .join(K, on=(K.sale == ES.sale))
        .where(where & E.source.in_(SALES_SOURCES))
        .group_by(SQL("shop_day"), E.profile, K.rate)
    )
    for shop_day, profile, rate, base, kdv in store.rows(of_sales):
        acc = cells[(as_day(shop_day), int(rate))]
        at = EARSIV if profile == einvoice.EARSIVFATURA else EFATURA
        acc[at] += int(base or 0)
        acc[at + 1] += int(kdv or 0)

    # trade invoices: few, each read from its own KDV subtotals
    withheld = 0
    trade = E.select(issued, E.profile, E.xml, E.withholding).join(Q, on=(Q.invoice == E.id))
    for shop_day, profile, xml, held in store.rows(trade.where(where & (E.source == einvoice.FROM_WHOLESALE))):
        withheld += int(held or 0)
        at = EARSIV if profile == einvoice.EARSIVFATURA else EFATURA
        for tax in einvoice.render.read_invoice(str(xml).encode()).kdv:
            acc = cells[(as_day(shop_day), int(Decimal(tax.percent)))]
            base, kdv = to_kurus(tax.taxable), to_kurus(tax.amount)
            acc[TRADE] += base
            acc[TRADE + 1] += kdv
            acc[at] += base
            acc[at + 1] += kdv
    returns_to_suppliers = (
        E.select(fn.COUNT(E.id))
        .join(Q, on=(Q.invoice == E.id))
        .where(where & (E.source == einvoice.FROM_SUPPLIER_RETURN))
        .scalar()
    )

    columns = (
        Column("day", _("Day"), "date"),
        Column("rate", _("KDV rate"), "percent"),
        Column("receipts_base", _("Receipts base"), "money"),
        Column("receipts_kdv", _("Receipts KDV"), "money"),
        Column("trade_base", _("Trade invoices base"), "money"),
        Column("trade_kdv", _("Trade invoices KDV"), "money"),
        Column("total_base", _("Total base"), "money"),
        Column("total_kdv", _("Total KDV"), "money"),
        Column("earsiv_base", _("e-Arşiv base"), "money"),
        Column("earsiv_kdv", _("e-Arşiv KDV"), "money"),
        Column("efatura_base", _("e-Fatura base"), "money"),
        Column("efatura_kdv", _("e-Fatura KDV"), "money"),
    )
    table: list[tuple[Cell, ...]] = []
    by_rate: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for (shop_day, rate), acc in sorted(cells.items()):
        total_base = acc[RECEIPTS] + acc[TRADE]
        total_kdv = acc[RECEIPTS + 1] + acc[TRADE + 1]
        by_rate[rate][0] += total_base
        by_rate[rate][1] += total_kdv
        kurus = (*acc[RECEIPTS:EARSIV], total_base, total_kdv, *acc[EARSIV:])
        table.append((shop_day, Decimal(rate), *(from_kurus(k) for k in kurus)))
    rows = tuple(table)
    totals = sum_totals(columns, rows, summed=AMOUNTS)
    summary: list[Figure] = [
        Figure("total_kdv", _("Total KDV"), totals[7], "money"),
        Figure("receipts_kdv", _("Receipts KDV"), totals[3], "money"),
        Figure("trade_kdv", _("Trade invoices KDV"), totals[5], "money"),
        Figure("withheld", _("KDV withheld by buyers"), from_kurus(withheld), "money"),
    ]
    for rate, (base, kdv) in sorted(by_rate.items()):
        summary.append(Figure(f"base_{rate}", _("Base at {rate} %").format(rate=rate), from_kurus(base), "money"))
        summary.append(Figure(f"kdv_{rate}", _("KDV at {rate} %").format(rate=rate), from_kurus(kdv), "money"))
    notes = [
        _("Invoices issued for receipts are in the e-Arşiv and e-Fatura columns only: their KDV is in the receipts.")
    ]
    if withheld:
        notes.append(
            _(
                "Trade invoices' KDV includes {amount} withheld (TEVKİFAT), which the buyers pay to the tax office."
            ).format(amount=format_money(from_kurus(withheld)))
        )
    if returns_to_suppliers:
        count = int(returns_to_suppliers)
        notes.append(
            ngettext(
                "{n} return invoice (İADE) to a supplier is not a sale and is left out.",
                "{n} return invoices (İADE) to suppliers are not sales and are left out.",
                count,
            ).format(n=count)
        )
    return new_report(
        "kdv", query, columns=columns, rows=rows, totals=totals, summary=tuple(summary), notes=tuple(notes)
    )

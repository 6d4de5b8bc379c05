"""Returns and voids: what went back, what was struck off before it was sold, and by whom.

One row per cashier (the user who made the return, voided the line or cancelled the sale):

- ``returns``, ``returned``: the return documents posted in the period and what they refunded
  (their totals); ``blind_returns``: those of them made without the original receipt;
- ``cancelled``, ``cancelled_amount``: sales cancelled whole before payment (the till's "cancel
  sale", journal kind ``cart_cancel``) and what their lines came to at that moment, discounts
  taken off;
- ``voided_lines``, ``voided_amount``: lines voided on an open receipt (journal kind
  ``line_void``: a line struck off, or its quantity lowered) and their amount before discounts
  (for a lowered quantity, the part taken off).

Returns are documents and subtract from net sales (the other sales reports); cancelled sales and
voided lines were never sold, so they are not in any sales figure: they come from the journal,
which records each with the cashier, the terminal and the amount. A void or a cancel is counted
at the time it was made (its journal entry). Sorted by cashier name.
"""

from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal

from peewee import Case, fn

from pos_tui import store
from pos_tui.core.kernel.clock import to_db
from pos_tui.core.kernel.money import MILLI, ZERO, from_kurus, line_amount
from pos_tui.core.reports.common import ReportQuery, sale_where, terminal_where
from pos_tui.core.reports.model import Cell, Chart, Column, Figure, Report, sum_totals
from pos_tui.core.reports.registry import new_report
from pos_tui.core.reports.sales_parts import users
from pos_tui.i18n import _
from pos_tui.store import models as m

VOID_KINDS = ("line_void", "cart_cancel")


def _voided_amount(payload: dict[str, object]) -> Decimal:
    """What a ``line_void`` entry took off the receipt: the line's amount, or for a lowered
    quantity the amount of the units taken off."""
    line = payload.get("line")
    if not isinstance(line, dict):
        return ZERO
    amount = Decimal(str(line.get("amount", "0")))
    qty_to = payload.get("qty_to")
    if qty_to is None:
        return amount
    left = line_amount(Decimal(str(line.get("unit_price", "0"))), int(Decimal(str(qty_to)) * MILLI))
    return max(amount - left, ZERO)


def build(query: ReportQuery) -> Report:
    S, J = m.Sale, m.JournalEntry
    acc: dict[int, list[Decimal | int]] = defaultdict(lambda: [0, ZERO, 0, 0, ZERO, 0, ZERO])
    returns = (
        S.select(
            S.cashier,
            fn.COUNT(S.id),
            fn.SUM(S.total),
            fn.COUNT(Case(None, [(S.return_of.is_null(), S.id)], None)),
        )
        .where(sale_where(query) & (S.kind == "return"))
        .group_by(S.cashier)
    )
    for uid, n, total, blind in store.rows(returns):
        a = acc[uid]
        a[0], a[1], a[2] = n, from_kurus(total or 0), blind

    start, end = query.period.bounds(query.tz)
    journal = J.select(J.kind, J.payload).where(
        J.kind.in_(VOID_KINDS) & (J.at >= to_db(start)) & (J.at < to_db(end)) & terminal_where(J.terminal, query)
    )
    by_name: dict[str, int] | None = None
    for kind, text in store.rows(journal):
        payload = json.loads(text)
        uid = payload.get("cashier_id")
        if uid is None:  # an entry that names its cashier only by name
            if by_name is None:
                by_name = {name: i for i, name in store.rows(m.User.select(m.User.id, m.User.name))}
            uid = by_name.get(str(payload.get("cashier")), 0)
        a = acc[int(uid)]
        if kind == "cart_cancel":
            a[3] = int(a[3]) + 1
            a[4] += Decimal(str(payload.get("total", "0")))
        else:
            a[5] = int(a[5]) + 1
            a[6] += _voided_amount(payload)

    names = users(list(acc))
    columns = (
        Column("cashier", _("Cashier"), "text"),
        Column("returns", _("Returns"), "int"),
        Column("returned", _("Returned"), "money"),
        Column("blind_returns", _("Without receipt"), "int"),
        Column("cancelled", _("Cancelled sales"), "int"),
        Column("cancelled_amount", _("Cancelled amount"), "money"),
        Column("voided_lines", _("Voided lines"), "int"),
        Column("voided_amount", _("Voided amount"), "money"),
    )
    rows: tuple[tuple[Cell, ...], ...] = tuple(
        sorted(((names.get(uid, f"#{uid}"), *a) for uid, a in acc.items()), key=lambda r: str(r[0]))
    )
    summed = tuple(c.key for c in columns[1:])
    totals = sum_totals(columns, rows, summed=summed)
    figures = dict(zip(summed, totals[1:], strict=True))
    return new_report(
        "returns",
        query,
        columns=columns,
        rows=rows,
        totals=totals,
        summary=(
            Figure("returns", _("Returns"), figures["returns"], "int"),
            Figure("returned", _("Returned"), figures["returned"], "money"),
            Figure("cancelled", _("Cancelled sales"), figures["cancelled"], "int"),
            Figure("cancelled_amount", _("Cancelled amount"), figures["cancelled_amount"], "money"),
            Figure("voided_lines", _("Voided lines"), figures["voided_lines"], "int"),
            Figure("voided_amount", _("Voided amount"), figures["voided_amount"], "money"),
        ),
        chart=Chart("bar", "cashier", ("returned", "cancelled_amount", "voided_amount"), _("Returns and voids")),
        notes=(_("Cancelled sales and voided lines were never sold: they are not in net sales."),),
    )

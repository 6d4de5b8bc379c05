"""What :mod:`receivables_aging` and :mod:`payables_aging` share: the accounts area's aging
(:func:`pos_tui.core.accounts.reports.aging`, the one matching rule of open items) as a report.

As of the end of the period's last shop day, one row per account of the side (an account that is
both customer and supplier is on both reports, with its one net balance) that has an open balance:
``balance`` is the account's balance at that moment, exactly what the accounts area shows
(``pos-admin accounts show CODE --as-of DAY``); ``not_due`` … ``d90_plus`` split its open items by
days overdue (the last day − the item's due day: 0 or less not yet due, 1–30, 31–60, 61–90, over
90), and always add up to ``balance``. Payables are shown as what the shop owes (positive; the
accounts area keeps them negative). Largest balance first.

Accounts belong to the whole chain: the terminal and store filters do not apply (the report says so
in its notes when one is given)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from pos_tui.core import accounts
from pos_tui.core.kernel.money import from_kurus
from pos_tui.core.reports.common import ReportQuery
from pos_tui.core.reports.model import Cell, Chart, Column, Figure, Report, sum_totals
from pos_tui.core.reports.registry import new_report
from pos_tui.i18n import _

BUCKETS = (30, 60, 90)
BUCKET_KEYS = ("d1_30", "d31_60", "d61_90", "d90_plus")
AMOUNT_KEYS = ("balance", "not_due", *BUCKET_KEYS)


def chain_wide_notes(query: ReportQuery) -> tuple[str, ...]:
    """The note of a report whose figures are the whole chain's, when a terminal or store filter was
    given (it is shown, not silently dropped)."""
    if query.terminal is None and query.store is None:
        return ()
    return (_("These figures are the whole chain's: the terminal and store filters do not apply to them."),)


def aging_columns(balance_label: str) -> tuple[Column, ...]:
    return (
        Column("code", _("Code")),
        Column("name", _("Name")),
        Column("balance", balance_label, "money"),
        Column("not_due", _("Not due"), "money"),
        Column("d1_30", _("1–30 days"), "money"),
        Column("d31_60", _("31–60 days"), "money"),
        Column("d61_90", _("61–90 days"), "money"),
        Column("d90_plus", _("Over 90 days"), "money"),
    )


def aging_report(name: str, query: ReportQuery, *, kind: str, balance_label: str) -> Report:
    """Report ``name``: the aging of the ``kind`` side (``accounts.CUSTOMER`` or ``SUPPLIER``)."""
    sign = 1 if kind == accounts.CUSTOMER else -1
    found = accounts.reports.aging(query.period.last, kind=kind, buckets=BUCKETS, tz=query.tz)
    table: list[tuple[Cell, ...]] = []
    for row in sorted(found.parties, key=lambda r: (-sign * r.balance, r.code)):
        # the open items add up to the balance (accounts' own invariant); the balance is the account's
        assert row.total == row.balance, (row.code, row.total, row.balance)
        amounts = (row.balance, row.not_due, *row.buckets)
        table.append((row.code, row.name, *(from_kurus(sign * a) for a in amounts)))
    columns = aging_columns(balance_label)
    rows = tuple(table)
    totals = sum_totals(columns, rows, summed=AMOUNT_KEYS)
    total = _money(totals, columns, "balance")
    overdue = sum((_money(totals, columns, k) for k in BUCKET_KEYS), Decimal(0))
    summary = (
        Figure("accounts", _("Accounts"), len(rows), "int"),
        Figure("balance", balance_label, total, "money"),
        Figure("not_due", _("Not due"), _money(totals, columns, "not_due"), "money"),
        Figure("overdue", _("Overdue"), overdue, "money"),
        Figure("over_90", _("Over 90 days"), _money(totals, columns, "d90_plus"), "money"),
    )
    return new_report(
        name,
        query,
        columns=columns,
        rows=rows,
        totals=totals,
        summary=summary,
        chart=Chart("bar", "code", ("not_due", *BUCKET_KEYS), _("By days overdue")),
        notes=chain_wide_notes(query),
    )


def _money(totals: Sequence[Cell], columns: Sequence[Column], key: str) -> Decimal:
    index = next(n for n, c in enumerate(columns) if c.key == key)
    value = totals[index]
    assert isinstance(value, Decimal)
    return value

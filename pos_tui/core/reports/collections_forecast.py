"""Collections forecast: what is due to come in and go out, week by week, from the period's first
day (only the first day counts: the forecast runs ``--weeks`` weeks, eight unless told).

What is known at the end of the period's first day (the accounts area's own forecast,
``pos-admin accounts forecast --from DAY``, counts the same items):

* **receivables**: customers' open items owed to the shop (:func:`pos_tui.core.accounts.reports.forecast`,
  the one matching rule of open items; advances and credits in the customer's favour are left out:
  they are not collections), by due date;
* **cheques in**: cheques and notes received from customers still to be collected (in the portfolio
  or at the bank; an endorsed one is the supplier's business), by their due date. Receiving a cheque
  already credited the customer's account, so it is not in the receivables as well;
* **payables**: what the shop owes suppliers on their open items (shown positive), by due date;
* **cheques out**: the shop's own cheques and notes issued to suppliers and not yet paid, by due date.

``incoming`` = receivables + cheques in, ``outgoing`` = payables + cheques out, ``net`` = incoming −
outgoing. Rows: ``overdue`` (everything due before the first day), then eight weeks, Monday to
Sunday, the first one starting on the first day (a short week when that is not a Monday), labelled
``dd.mm–dd.mm``. What falls due after the last week is in the summary (``later_incoming``,
``later_outgoing``), not in the rows or totals.

Accounts and cheques belong to the whole chain: the terminal and store filters do not apply (the
notes say so when one is given)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from peewee import fn

from pos_tui import store
from pos_tui.core import accounts
from pos_tui.core.kernel.clock import to_db
from pos_tui.core.kernel.money import from_kurus
from pos_tui.core.reports.common import ReportQuery
from pos_tui.core.reports.model import Cell, Chart, Column, Figure, Report, sum_totals
from pos_tui.core.reports.party_aging import chain_wide_notes
from pos_tui.core.reports.registry import OptionRejected, new_report
from pos_tui.i18n import _, ngettext
from pos_tui.store import models as m

WEEKS = 8  # the default of --weeks
MAX_WEEKS = 52
OVERDUE = -1
AMOUNTS = ("receivables", "cheques_in", "incoming", "payables", "cheques_out", "outgoing", "net")

# cheque events: the first makes it live, these end what the shop still has to collect or pay
_STARTS = ("received", "issued")
_ENDS = ("endorsed", "collected", "bounced", "paid")


def week_of(due: date, monday: date, weeks: int = WEEKS) -> int:
    """The row of a due day: ``OVERDUE`` before the first day is handled by the caller; 0 … weeks − 1
    the weeks from ``monday`` (the Monday of the first day's week); ``weeks`` (later) after them."""
    return min((due - monday).days // 7, weeks)


def weeks_option(text: str) -> int:
    """``--weeks``: a whole number of weeks from 1 to 52, or a clear refusal."""
    if not text.strip().isdigit() or not 1 <= int(text) <= MAX_WEEKS:
        raise OptionRejected(
            _("--weeks is a whole number of weeks from 1 to {most}, not {value}").format(
                most=MAX_WEEKS, value=repr(text)
            )
        )
    return int(text)


def live_cheques(as_of: date, tz: str) -> dict[tuple[str, date], int]:
    """``(direction, due) -> kuruş`` of the cheques and notes still to be collected (received, in
    the portfolio or at the bank) or paid (issued) at the end of shop day ``as_of``, from their
    events (not the status, which is today's): one grouped query."""
    C, E = m.Cheque, m.ChequeEvent
    cutoff = to_db(accounts.end_of_day(as_of, tz))
    started = E.select(E.cheque).where(E.kind.in_(_STARTS) & (E.at < cutoff))
    ended = E.select(E.cheque).where(E.kind.in_(_ENDS) & (E.at < cutoff))
    query = (
        C.select(C.direction, C.due, fn.SUM(C.amount))
        .where(C.id.in_(started) & C.id.not_in(ended))
        .group_by(C.direction, C.due)
    )
    return {(direction, due): int(total or 0) for direction, due, total in store.rows(query)}


def build(query: ReportQuery) -> Report:
    weeks = weeks_option(query.options.get("weeks", str(WEEKS)))
    later_row = weeks
    first = query.period.first
    monday = first - timedelta(days=first.weekday())
    # [receivables, cheques in, payables, cheques out] per row (OVERDUE, 0 … weeks − 1, later)
    slots: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0])

    def slot(due: date) -> list[int]:
        return slots[OVERDUE if due < first else week_of(due, monday, weeks)]

    far = date(9999, 12, 25)
    for column, kind in ((0, accounts.CUSTOMER), (2, accounts.SUPPLIER)):
        found = accounts.reports.forecast(first, far, kind=kind, by="day", tz=query.tz, as_of=first)
        for group in found.groups:
            assert group.end is not None  # an overdue group ends the day before the first day
            slot(group.end)[column] += group.amount
    for (direction, due), amount in live_cheques(first, query.tz).items():
        slot(due)[1 if direction == "received" else 3] += amount

    columns = (
        Column("week", _("Week")),
        Column("from", _("From"), "date"),
        Column("to", _("To"), "date"),
        Column("receivables", _("Receivables"), "money"),
        Column("cheques_in", _("Cheques in"), "money"),
        Column("incoming", _("Incoming"), "money"),
        Column("payables", _("Payables"), "money"),
        Column("cheques_out", _("Cheques out"), "money"),
        Column("outgoing", _("Outgoing"), "money"),
        Column("net", _("Net"), "money"),
    )

    def amounts(row: int) -> tuple[Decimal, ...]:
        rec, cin, pay, cout = slots[row]
        return tuple(from_kurus(k) for k in (rec, cin, rec + cin, pay, cout, pay + cout, rec + cin - pay - cout))

    table: list[tuple[Cell, ...]] = [(_("Overdue"), None, first - timedelta(days=1), *amounts(OVERDUE))]
    for week in range(weeks):
        start = max(first, monday + timedelta(days=7 * week))
        end = monday + timedelta(days=7 * week + 6)
        label = f"{start.strftime('%d.%m')}–{end.strftime('%d.%m')}"
        table.append((label, start, end, *amounts(week)))
    rows = tuple(table)
    totals = sum_totals(columns, rows, summed=AMOUNTS)
    later = amounts(later_row)
    last_day = monday + timedelta(days=7 * weeks - 1)
    summary = (
        Figure("incoming", _("Incoming"), totals[5], "money"),
        Figure("outgoing", _("Outgoing"), totals[8], "money"),
        Figure("net", _("Net"), totals[9], "money"),
        Figure("overdue_incoming", _("Overdue incoming"), rows[0][5], "money"),
        Figure("overdue_outgoing", _("Overdue outgoing"), rows[0][8], "money"),
        Figure(
            "later_incoming", _("Incoming after {day}").format(day=last_day.strftime("%d.%m.%Y")), later[2], "money"
        ),
        Figure(
            "later_outgoing", _("Outgoing after {day}").format(day=last_day.strftime("%d.%m.%Y")), later[5], "money"
        ),
    )
    notes = (
        ngettext(
            "Known at the end of {day}; what falls due from that day to {last}, in {n} week (Monday to Sunday).",
            "Known at the end of {day}; what falls due from that day to {last}, in {n} weeks (Monday to Sunday).",
            weeks,
        ).format(day=first.strftime("%d.%m.%Y"), n=weeks, last=last_day.strftime("%d.%m.%Y")),
        *chain_wide_notes(query),
    )
    return new_report(
        "collections-forecast",
        query,
        columns=columns,
        rows=rows,
        totals=totals,
        summary=summary,
        chart=Chart("bar", "week", ("incoming", "outgoing"), _("Incoming and outgoing")),
        notes=notes,
    )

"""The statement of a period (hesap ekstresi) and the account summary.

A statement is the balance before the first day (``opening``), every entry dated in the period
with the running balance after it, and the balance at the end of the last day (``closing``):
``opening + Σ (debit − credit) == closing`` always, because all three are read from the same
entries. A cancelled entry and its cancellation both appear, each ``cancelled`` (marked), and
net to zero.

The summary is what the till's look-up and ``accounts show`` print: balance, credit limit,
available credit, what is overdue and the open items (by the one matching rule of
:mod:`pos_tui.core.accounts.items`).

``available_credit`` = credit limit − balance, shown as 0,00 when the balance is already at or
over the limit (never negative); ``None`` for a supplier-only account (no credit sales).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from pos_tui.core.accounts.items import OpenItem, end_of_day, open_items, overdue_kurus
from pos_tui.core.accounts.ledger import (
    CANCEL,
    balance_kurus,
    document_labels,
    entry_label,
    entry_select,
    read_entries,
)
from pos_tui.core.accounts.parties import PartyInfo, get_party
from pos_tui.core.kernel.clock import SHOP_TZ, day_bounds, to_db, zone
from pos_tui.core.kernel.errors import ValidationError
from pos_tui.core.kernel.formats import protect_cell
from pos_tui.core.kernel.formatting import format_money
from pos_tui.core.kernel.money import ZERO, from_kurus
from pos_tui.i18n import _
from pos_tui.store import models as m
from pos_tui.store import reading as store


@dataclass(frozen=True, slots=True)
class StatementLine:
    """One entry of a statement. ``debit``: what the party came to owe (> 0 amounts), ``credit``:
    what it paid or was credited; ``balance`` the running balance after the line."""

    number: int
    day: date
    due: date
    kind: str
    document: str | None  # what a person reads (``Fiş T1/12``): :func:`~pos_tui.core.accounts.ledger.document_labels`
    text: str
    debit: Decimal
    credit: Decimal
    balance: Decimal
    cancelled: bool
    reference: str | None = None  # the stored reference (``sale:<uid>``): scripts match on it


@dataclass(frozen=True, slots=True)
class Statement:
    party: PartyInfo
    start: date
    end: date
    opening: Decimal
    lines: list[StatementLine]
    closing: Decimal

    @property
    def total_debit(self) -> Decimal:
        return sum((line.debit for line in self.lines), ZERO)

    @property
    def total_credit(self) -> Decimal:
        return sum((line.credit for line in self.lines), ZERO)


def _cents(kurus: int) -> Decimal:
    """Kuruş as a two-place Decimal (what ``from_kurus`` gives, without its division: 100,000 lines)."""
    return Decimal(kurus).scaleb(-2)


def _line_text(text: str, note: str | None, reason: str | None) -> str:
    if not note and not reason:
        return text
    extra = " · ".join(part for part in (reason, note) if part)
    return f"{text}: {extra}" if extra else text


def statement(party_id: int, start: date, end: date, *, tz: str = SHOP_TZ) -> Statement:
    """The statement of party ``party_id`` for the shop days ``start`` … ``end`` (both included)."""
    if end < start:
        raise ValidationError(
            _("The statement's last day {end} is before its first day {start}").format(
                end=end.strftime("%d.%m.%Y"), start=start.strftime("%d.%m.%Y")
            )
        )
    party = get_party(party_id)
    since, until = day_bounds(start, tz)[0], end_of_day(end, tz)
    opening = balance_kurus(party_id, until=since)
    E = m.AccountEntry
    cancelled = {
        int(r[0]) for r in store.rows(E.select(E.cancels).where((E.party == party_id) & E.cancels.is_null(False)))
    }
    running = opening
    lines: list[StatementLine] = []
    E2 = m.AccountEntry
    query = (
        entry_select()
        .where((E2.party == party_id) & (E2.at >= to_db(since)) & (E2.at < to_db(until)))
        .order_by(E2.at, E2.id)  # the (party, at) index's order: the numbers' order, no sort
    )
    zone_of = zone(tz)
    labels: dict[str, str] = {}
    for e in read_entries(query):
        running += e.amount
        lines.append(
            StatementLine(
                e.number,
                e.at.astimezone(zone_of).date(),
                e.due,
                e.kind,
                None,
                _line_text(labels.get(e.kind) or labels.setdefault(e.kind, entry_label(e.kind)), e.note, e.reason),
                _cents(e.amount) if e.amount > 0 else ZERO,
                _cents(-e.amount) if e.amount < 0 else ZERO,
                _cents(running),
                e.kind == CANCEL or e.cancels is not None or e.id in cancelled,
                e.document,
            )
        )
    texts = document_labels(line.reference for line in lines)
    lines = [replace(line, document=texts.get(line.reference or "")) for line in lines]
    return Statement(party, start, end, from_kurus(opening), lines, from_kurus(running))


# -- the account summary ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Summary:
    party: PartyInfo
    balance: Decimal
    credit_limit: Decimal | None
    available_credit: Decimal | None
    overdue: Decimal
    open_items: list[OpenItem]


def account_summary(party_id: int, as_of: date, tz: str = SHOP_TZ) -> Summary:
    """The party's figures at the end of shop day ``as_of`` (see the module for available credit)."""
    party = get_party(party_id)
    balance = balance_kurus(party_id, until=end_of_day(as_of, tz))
    items = open_items(party_id, as_of=as_of, tz=tz)
    limit: Decimal | None = party.credit_limit if party.is_customer else None
    available = None if limit is None else max(ZERO, limit - from_kurus(balance))
    return Summary(party, from_kurus(balance), limit, available, from_kurus(overdue_kurus(items, as_of)), items)


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def summary_json(s: Summary) -> dict[str, Any]:
    """``accounts show --json``: amounts as strings (``"1234.50"``), dates ISO; ``document`` the stored
    reference, ``document_text`` what a person reads."""
    texts = document_labels(i.document for i in s.open_items)
    return {
        "code": s.party.code,
        "name": s.party.name,
        "kind": s.party.kind,
        "vkn": s.party.vkn,
        "tckn": s.party.tckn,
        "phone": s.party.phone,
        "terms": s.party.terms_days,
        "price_list": s.party.price_list,
        "active": s.party.active,
        "balance": _money(s.balance),
        "credit_limit": _money(s.credit_limit),
        "available_credit": _money(s.available_credit),
        "overdue": _money(s.overdue),
        "open_items": [
            {
                "number": i.number,
                "kind": i.kind,
                "document": i.document,
                "document_text": texts.get(i.document or ""),
                "date": i.day.isoformat(),
                "due": i.due.isoformat(),
                "amount": _money(from_kurus(i.amount)),
                "open": _money(from_kurus(i.open)),
            }
            for i in s.open_items
        ],
    }


# -- statement files --------------------------------------------------------------------------


def statement_json(s: Statement) -> dict[str, Any]:
    return {
        "code": s.party.code,
        "name": s.party.name,
        "from": s.start.isoformat(),
        "to": s.end.isoformat(),
        "opening": _money(s.opening),
        "lines": [
            {
                "number": line.number,
                "date": line.day.isoformat(),
                "due": line.due.isoformat(),
                "kind": line.kind,
                "document": line.reference,
                "document_text": line.document,
                "text": line.text,
                "debit": _money(line.debit),
                "credit": _money(line.credit),
                "balance": _money(line.balance),
                "cancelled": line.cancelled,
            }
            for line in s.lines
        ],
        "debit": _money(s.total_debit),
        "credit": _money(s.total_credit),
        "closing": _money(s.closing),
    }


def statement_header() -> list[str]:
    return [
        _("No"),
        _("Date"),
        _("Due date"),
        _("Entry"),
        _("Document"),
        _("Debits"),
        _("Credits"),
        _("Balance"),
        _("Cancelled"),
    ]


def _day(value: date) -> str:
    return value.strftime("%d.%m.%Y")


def statement_rows(s: Statement, language: str | None = None) -> list[list[str]]:
    """The statement as rows of text in the shop's words and numbers: the opening balance, each
    entry, the closing balance (CSV, XLSX and PDF share them)."""
    money = lambda v: format_money(v, language)  # noqa: E731
    rows = [["", _day(s.start), "", _("Opening balance"), "", "", "", money(s.opening), ""]]
    for line in s.lines:
        rows.append(
            [
                str(line.number),
                _day(line.day),
                _day(line.due),
                line.text,
                line.document or "",
                money(line.debit) if line.debit else "",
                money(line.credit) if line.credit else "",
                money(line.balance),
                _("yes") if line.cancelled else "",
            ]
        )
    rows.append(
        [
            "",
            _day(s.end),
            "",
            _("Closing balance"),
            "",
            money(s.total_debit),
            money(s.total_credit),
            money(s.closing),
            "",
        ]
    )
    return rows


def statement_csv(s: Statement, language: str | None = None) -> str:
    """CSV with Turkish headers (``;``-separated, as Turkish spreadsheets expect with decimal commas)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(statement_header())
    for row in statement_rows(s, language):
        row[3], row[4] = protect_cell(row[3]), protect_cell(row[4])  # a note "=HYPERLINK(…)" stays text
        writer.writerow(row)
    return out.getvalue()


def statement_xlsx(s: Statement) -> bytes:
    """An XLSX workbook: amounts as numbers (two decimals), dates as dates, a header block."""
    import xlsxwriter  # type: ignore[import-untyped]

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet(_("Statement")[:31])
    bold = book.add_format({"bold": True})
    amount = book.add_format({"num_format": "#,##0.00"})
    amount_bold = book.add_format({"num_format": "#,##0.00", "bold": True})
    day = book.add_format({"num_format": "dd.mm.yyyy"})
    sheet.write_string(0, 0, _("Account statement"), bold)
    sheet.write_string(1, 0, f"{s.party.code} — {s.party.name}")
    sheet.write_string(2, 0, f"{_day(s.start)} – {_day(s.end)}")
    head = statement_header()
    top = 4
    for c, text in enumerate(head):
        sheet.write_string(top, c, text, bold)
    r = top + 1
    sheet.write_datetime(r, 1, _as_datetime(s.start), day)
    sheet.write_string(r, 3, _("Opening balance"), bold)
    sheet.write_number(r, 7, s.opening, amount_bold)
    for line in s.lines:
        r += 1
        sheet.write_number(r, 0, line.number)
        sheet.write_datetime(r, 1, _as_datetime(line.day), day)
        sheet.write_datetime(r, 2, _as_datetime(line.due), day)
        sheet.write_string(r, 3, line.text)
        if line.document:
            sheet.write_string(r, 4, line.document)
        if line.debit:
            sheet.write_number(r, 5, line.debit, amount)
        if line.credit:
            sheet.write_number(r, 6, line.credit, amount)
        sheet.write_number(r, 7, line.balance, amount)
        if line.cancelled:
            sheet.write_string(r, 8, _("yes"))
    r += 1
    sheet.write_datetime(r, 1, _as_datetime(s.end), day)
    sheet.write_string(r, 3, _("Closing balance"), bold)
    sheet.write_number(r, 5, s.total_debit, amount_bold)
    sheet.write_number(r, 6, s.total_credit, amount_bold)
    sheet.write_number(r, 7, s.closing, amount_bold)
    sheet.set_column(1, 2, 11)
    sheet.set_column(3, 3, 36)
    sheet.set_column(4, 4, 24)
    sheet.set_column(5, 7, 14)
    sheet.freeze_panes(top + 1, 0)
    book.close()
    return out.getvalue()


def _as_datetime(value: date) -> Any:
    from datetime import datetime

    return datetime(value.year, value.month, value.day)


def balance_words(balance: Decimal, party: PartyInfo, shop: str, language: str | None = None) -> str:
    """Who owes whom, in a sentence (the reconciliation letter, the look-up)."""
    amount = format_money(abs(balance), language)
    if balance > 0:
        return _("{party} owes {shop} {amount} TL.").format(party=party.name, shop=shop, amount=amount)
    if balance < 0:
        return _("{shop} owes {party} {amount} TL.").format(party=party.name, shop=shop, amount=amount)
    return _("The account is settled: neither side owes the other anything.")


def lines_total(lines: Sequence[StatementLine]) -> Decimal:
    return sum((line.debit - line.credit for line in lines), ZERO)

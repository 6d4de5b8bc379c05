"""The account ledger: insert-only entries per party; the balance is their sum.

Every entry is written by :func:`post_entries` inside the caller's transaction: a gapless number
(counter ``("accounts", "account_entry")``), the row, and one journal entry of kind
``account_entry`` whose payload is :func:`entry_payload` (``audit verify`` rebuilds it from the
table and compares). Nothing updates or deletes an entry; a mistake is corrected by a ``cancel``
entry (the opposite amount, ``cancels`` pointing at the original: both leave the open items) or a
``correction`` with a reason.

Sign: a positive amount is what the party owes the shop more (a sale on account, a payment to a
supplier, a bounced cheque); a negative amount what the shop owes more or the party paid (a
collection, a goods receipt, a return). Balance > 0: the party owes the shop.

Concurrency: :func:`lock_party` takes the party's row lock (``SELECT … FOR UPDATE`` on
PostgreSQL; on SQLite ``BEGIN IMMEDIATE`` already serialises writers), so a check of the balance
and the entry it allows are one step for every terminal: two sales on account can never pass the
credit limit together.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from peewee import fn

from pos_tui.core.kernel import journal
from pos_tui.core.kernel.clock import SHOP_TZ, shop_day, to_db
from pos_tui.core.kernel.errors import NotFound, ValidationError
from pos_tui.core.kernel.money import from_kurus
from pos_tui.core.kernel.pan import refuse_pan
from pos_tui.i18n import N_, _
from pos_tui.store import fast, write_tx
from pos_tui.store import models as m
from pos_tui.store import reading as store
from pos_tui.store.counters import next_value

SALE = "sale"
RETURN = "return"
COLLECTION = "collection"
RECEIPT = "receipt"
SUPPLIER_RETURN = "supplier_return"
PAYMENT = "payment"
OPENING = "opening"
CORRECTION = "correction"
CHEQUE_IN = "cheque_in"
CHEQUE_OUT = "cheque_out"
CHEQUE_ENDORSE = "cheque_endorse"
CHEQUE_BOUNCE = "cheque_bounce"
CANCEL = "cancel"

ENTRY_KINDS = (
    SALE,
    RETURN,
    COLLECTION,
    RECEIPT,
    SUPPLIER_RETURN,
    PAYMENT,
    OPENING,
    CORRECTION,
    CHEQUE_IN,
    CHEQUE_OUT,
    CHEQUE_ENDORSE,
    CHEQUE_BOUNCE,
    CANCEL,
)
ENTRY_LABELS = {
    SALE: N_("sale on account"),
    RETURN: N_("return on account"),
    COLLECTION: N_("collection"),
    RECEIPT: N_("goods receipt"),
    SUPPLIER_RETURN: N_("return to supplier"),
    PAYMENT: N_("payment"),
    OPENING: N_("opening balance"),
    CORRECTION: N_("correction"),
    CHEQUE_IN: N_("cheque or note received"),
    CHEQUE_OUT: N_("cheque or note issued"),
    CHEQUE_ENDORSE: N_("cheque or note endorsed"),
    CHEQUE_BOUNCE: N_("cheque or note returned unpaid"),
    CANCEL: N_("cancellation"),
}
METHODS = ("cash", "card", "transfer", "cheque")
JOURNAL_KIND = "account_entry"
MAX_NOTE = 500
MAX_AMOUNT_KURUS = 10**15


def entry_label(kind: str) -> str:
    label = ENTRY_LABELS.get(kind)
    return _(label) if label else kind


def document_labels(documents: Iterable[str | None]) -> dict[str, str]:
    """What each stored ``document`` reference says to a person, in a few queries: ``sale:<uid>``
    → ``Fiş T1/12``, ``stock:<id>`` → the stock document's kind and number, ``opening:<code>``
    → opening balance, ``entry:<n>`` → the entry it cancels, ``cheque:<n>`` → the cheque's
    portfolio number, ``einvoice:<number>`` → the e-invoice (a wholesale invoice's entry); anything
    else (a supplier's document number) is shown as it is."""
    from pos_tui.core.kernel.vocabulary import document_label

    wanted = {d for d in documents if d}
    out: dict[str, str] = {}
    uids = [d.split(":", 1)[1] for d in wanted if d.startswith("sale:")]
    S = m.Sale
    for start in range(0, len(uids), 500):
        for uid, terminal, number in store.rows(
            S.select(S.uid, S.terminal, S.receipt_no).where(S.uid.in_(uids[start : start + 500]))
        ):
            out[f"sale:{uid}"] = _("Receipt {receipt}").format(receipt=f"{terminal}/{number}")
    ids = [int(d.split(":", 1)[1]) for d in wanted if d.startswith("stock:") and d.split(":", 1)[1].isdigit()]
    D = m.StockDocument
    for start in range(0, len(ids), 500):
        for doc_id, kind, number, supplier_doc in store.rows(
            D.select(D.id, D.kind, D.number, D.supplier_doc).where(D.id.in_(ids[start : start + 500]))
        ):
            text = f"{document_label(kind)} {number}"
            out[f"stock:{doc_id}"] = f"{text} ({supplier_doc})" if supplier_doc else text
    for d in wanted - set(out):
        kind, _sep, rest = d.partition(":")
        if kind == "opening":
            out[d] = _("opening balance")
        elif kind == "entry":
            out[d] = _("cancels entry {n}").format(n=rest)
        elif kind == "cheque":
            out[d] = _("cheque or note {n}").format(n=rest)
        elif kind == "einvoice":
            out[d] = _("Invoice {number}").format(number=rest)
        else:
            out[d] = d
    return out


def document_text(document: str | None) -> str | None:
    """:func:`document_labels` of one reference (``None`` stays ``None``)."""
    return None if not document else document_labels([document])[document]


@dataclass(frozen=True, slots=True, kw_only=True)
class EntryDraft:
    """An entry ready to be written. ``amount`` signed kuruş (see the module); ``at`` aware (the
    entry's date), ``due`` a shop day (default: the day of ``at``)."""

    party_id: int
    kind: str
    amount: int
    at: datetime
    terminal: str
    user_id: int
    due: date | None = None
    method: str | None = None
    document: str | None = None
    sale_id: int | None = None
    stock_document_id: int | None = None
    cheque_id: int | None = None
    installment: int | None = None
    applies_to: int | None = None
    cancels: int | None = None
    shift_id: int | None = None
    reason: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class PostedEntry:
    id: int
    number: int
    party_id: int
    kind: str
    amount: int
    due: date | None
    journal_entry: int


_FIELDS = (
    "number",
    "party",
    "kind",
    "at",
    "posted_at",
    "due",
    "amount",
    "currency",
    "method",
    "document",
    "sale",
    "stock_document",
    "cheque",
    "installment",
    "applies_to",
    "cancels",
    "terminal",
    "user",
    "shift",
    "reason",
    "note",
)


def clean_note(note: str | None) -> str | None:
    """A note on an entry: trimmed, None when empty, at most :data:`MAX_NOTE`, never a card number."""
    if note is None or not note.strip():
        return None
    note = note.strip()
    if len(note) > MAX_NOTE:
        raise ValidationError(_("A note may have at most {n} characters").format(n=MAX_NOTE))
    refuse_pan(note)
    return note


def lock_party(party_id: int) -> None:
    """Hold the party's row lock until the transaction ends (call inside ``write_tx``)."""
    if fast.select_first(m.Party, ("id",), {"id": party_id}, for_update=True) is None:
        raise NotFound(_("No account with id {id}").format(id=party_id))


def post_entries(drafts: Sequence[EntryDraft], *, now: datetime, tz: str = SHOP_TZ) -> list[PostedEntry]:
    """Write ``drafts`` (one transaction, a savepoint of the caller's) with their journal entries."""
    posted: list[PostedEntry] = []
    with write_tx():
        for d in drafts:
            if d.kind not in ENTRY_KINDS:
                raise ValueError(f"unknown account entry kind {d.kind!r}")
            if d.amount == 0:
                raise ValidationError(_("An account entry of 0,00 changes nothing"))
            if abs(d.amount) >= MAX_AMOUNT_KURUS:
                raise ValidationError(_("That amount is too large"))
            if d.method is not None and d.method not in METHODS:
                raise ValidationError(
                    _("Unknown payment method {method!r}; use cash, card, transfer or cheque").format(method=d.method)
                )
            due = d.due if d.due is not None else shop_day(d.at, tz)
            number = next_value("accounts", "account_entry")
            entry_id = fast.insert_one(
                m.AccountEntry,
                dict(
                    zip(
                        _FIELDS,
                        (
                            number,
                            d.party_id,
                            d.kind,
                            to_db(d.at),
                            to_db(now),
                            due,
                            d.amount,
                            "TRY",
                            d.method,
                            d.document,
                            d.sale_id,
                            d.stock_document_id,
                            d.cheque_id,
                            d.installment,
                            d.applies_to,
                            d.cancels,
                            d.terminal,
                            d.user_id,
                            d.shift_id,
                            d.reason,
                            clean_note(d.note),
                        ),
                        strict=True,
                    )
                ),
            )
            entry = journal.append(
                JOURNAL_KIND, entry_payload(entry_id), terminal=d.terminal, now=now, ref=f"account:{entry_id}"
            )
            posted.append(PostedEntry(entry_id, number, d.party_id, d.kind, d.amount, due, int(entry.id)))
    return posted


def _money(kurus: int) -> str:
    return f"{from_kurus(kurus):.2f}"


def entry_payload(entry_id: int) -> dict[str, Any]:
    """The journal payload of entry ``entry_id``, from the tables (the audit compares)."""
    found = entry_payloads(m.AccountEntry.id == entry_id)
    if not found:
        raise NotFound(_("No account entry {id}").format(id=entry_id))
    return found[entry_id]


def entry_payloads(where: Any) -> dict[int, dict[str, Any]]:
    """The journal payloads of the entries matching the peewee expression ``where``, by id, in
    one query (the audit reads them a chunk at a time)."""
    E, P, U = m.AccountEntry, m.Party, m.User
    query = (
        E.select(
            E.id,
            E.number,
            P.code,
            E.kind,
            E.at,
            E.due,
            E.amount,
            E.currency,
            E.method,
            E.document,
            E.sale,
            E.stock_document,
            E.cheque,
            E.installment,
            E.applies_to,
            E.cancels,
            E.terminal,
            U.name,
            E.shift,
            E.reason,
            E.note,
        )
        .join(P, on=(E.party == P.id))
        .switch(E)
        .join(U, on=(E.user == U.id))
        .where(where)
    )
    out: dict[int, dict[str, Any]] = {}
    for row in store.rows(query):
        (entry_id, number, code, kind, at, due, amount, currency, method, document, sale, stock_doc, cheque, inst,
         applies, cancels, terminal, user, shift, reason, note) = row  # fmt: skip
        out[entry_id] = {
            "id": entry_id,
            "number": number,
            "party": code,
            "kind": kind,
            "at": at.isoformat() if isinstance(at, datetime) else str(at),
            "due": None if due is None else str(due),
            "amount": _money(amount),
            "currency": currency,
            "method": method,
            "document": document,
            "sale": sale,
            "stock_document": stock_doc,
            "cheque": cheque,
            "installment": inst,
            "applies_to": applies,
            "cancels": cancels,
            "terminal": terminal,
            "user": user,
            "shift": shift,
            "reason": reason,
            "note": note,
        }
    return out


# -- reading ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Entry:
    """An entry as reports read it (money in kuruş; ``at`` aware UTC)."""

    id: int
    number: int
    party_id: int
    kind: str
    at: datetime
    due: date
    amount: int
    method: str | None
    document: str | None
    applies_to: int | None
    cancels: int | None
    installment: int | None
    note: str | None
    reason: str | None


ENTRY_COLUMNS = (
    "id",
    "number",
    "party",
    "kind",
    "at",
    "due",
    "amount",
    "method",
    "document",
    "applies_to",
    "cancels",
    "installment",
    "note",
    "reason",
)


def entry_select() -> Any:
    """A select of :data:`ENTRY_COLUMNS`, for :func:`read_entries`."""
    E = m.AccountEntry
    return E.select(*(getattr(E, c) for c in ENTRY_COLUMNS))


def _stamp(value: Any) -> datetime:
    """A stored ``at`` (naive UTC: a ``datetime`` from PostgreSQL, text from SQLite) as aware UTC."""
    if isinstance(value, str):
        return datetime.fromisoformat(value + "+00:00")
    return value.replace(tzinfo=UTC)


def _day(value: Any) -> date:
    return date.fromisoformat(value[:10]) if isinstance(value, str) else value


def read_entries(query: Any) -> Iterator[Entry]:
    """The entries a select of :data:`ENTRY_COLUMNS` (:func:`entry_select`) finds, streamed from the
    driver's cursor with the two conversions they need (``at``, ``due``) instead of Peewee's
    per-column converters, which cost four times the query on 100,000 rows. Every reader of
    entries (one party's, a statement's, aging's, the agenda's) goes through it."""
    db = m.AccountEntry._meta.database
    sql, params = db.get_sql_context().sql(query).query()
    cursor = db.execute_sql(sql, params)
    while True:
        batch = cursor.fetchmany(5000)
        if not batch:
            return
        for eid, number, party, kind, at, due, amount, method, document, applies, cancels, inst, note, reason in batch:
            yield Entry(eid, number, party, kind, _stamp(at), _day(due), amount, method, document, applies, cancels,
                        inst, note, reason)  # fmt: skip


def entries(party_id: int, *, until: datetime | None = None, since: datetime | None = None) -> list[Entry]:
    """The party's entries in the order they count: by date, then by number."""
    E = m.AccountEntry
    query = entry_select().where(E.party == party_id)
    if until is not None:
        query = query.where(E.at < to_db(until))
    if since is not None:
        query = query.where(E.at >= to_db(since))
    return list(read_entries(query.order_by(E.at, E.number)))


def entries_of(party_ids: Sequence[int]) -> dict[int, list[Entry]]:
    """The entries of ``party_ids`` grouped by party, each list in the order :func:`entries` gives:
    a query per 500 parties instead of one per party."""
    E = m.AccountEntry
    grouped: dict[int, list[Entry]] = {}
    for start in range(0, len(party_ids), 500):
        query = entry_select().where(E.party.in_(list(party_ids[start : start + 500])))
        for entry in read_entries(query.order_by(E.party, E.at, E.number)):
            grouped.setdefault(entry.party_id, []).append(entry)
    return grouped


def balance_kurus(party_id: int, *, until: datetime | None = None) -> int:
    """The party's balance in kuruş (> 0: the party owes the shop), of entries dated before ``until``."""
    E = m.AccountEntry
    query = E.select(fn.COALESCE(fn.SUM(E.amount), 0)).where(E.party == party_id)
    if until is not None:
        query = query.where(E.at < to_db(until))
    return int(query.scalar() or 0)


def balances_kurus() -> dict[int, int]:
    """Every party's balance in kuruş by party id (parties without entries are left out), in one query."""
    E = m.AccountEntry
    return {int(pid): int(total) for pid, total in store.rows(E.select(E.party, fn.SUM(E.amount)).group_by(E.party))}


def balance(party_id: int, *, until: datetime | None = None) -> Decimal:
    return from_kurus(balance_kurus(party_id, until=until))


def get_entry(entry_id: int) -> Entry:
    for entry in read_entries(entry_select().where(m.AccountEntry.id == entry_id)):
        return entry
    raise NotFound(_("No account entry {id}").format(id=entry_id))


def entry_by_number(number: int) -> Entry:
    row = fast.select_first(m.AccountEntry, ("id",), {"number": number})
    if row is None:
        raise NotFound(_("No account entry number {n}").format(n=number))
    return get_entry(int(row[0]))

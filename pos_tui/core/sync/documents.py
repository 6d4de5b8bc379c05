"""The body of each outbox record as it travels (docs/sync.md, "The body").

A body is built at push time from what the transaction caught (``sync_capture``): its journal
entries, and each other row as ``data`` with every reference written as a **natural key** (a
product's code, a member's card, a sale's uid…) or, for a row that has none, as that row's
**origin** (``T2:points_entry:55``, or the name a row that came from elsewhere keeps in
``sync_origin``), never a local id. The mapping is derived from the Peewee models' foreign keys,
so a new column follows by itself; :data:`REFERENCE_KEYS` and :data:`LEDGER_OF` are the public
description the centre and the pull read back with the same rules.

Everything is read in batches (one query per table per batch, not per row): building 500
records is a handful of queries.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any

from peewee import BooleanField, DateField, DateTimeField, Field, ForeignKeyField

from pos_tui.core.sync import identity
from pos_tui.core.sync.model import (
    ACCOUNT,
    CHEQUE,
    COUPON,
    GIFT_CARD,
    POINTS,
    SPEND,
    STAMPS,
    STOCK,
    TIER,
    WALLET,
    OutboxRecord,
)
from pos_tui.store import models as m
from pos_tui.store import rows
from pos_tui.store.outbox import CAPTURED, CAPTURED_UPDATES, MASTER_KEYS
from pos_tui.store.proxy import database

VERSION = 1  # the body's format ("v")
CHUNK = 500  # ids per IN (...) list: well below SQLite's variable limit

# A reference to a row of one of these tables is written as that row's natural key (this column);
# a reference to any other table is written as the row's origin. Master tables keyed by their id
# (price_list_item) have no natural key: origin.
REFERENCE_KEYS: dict[str, str] = {table: key for table, key in MASTER_KEYS.items() if key != "id"} | {"sale": "uid"}

# Fields a row's data leaves out besides its own id: the centre's revision means nothing on the way up.
LEFT_OUT = frozenset({"revision"})

ORIGIN = "@origin"  # LedgerRule.key: the row's own origin (rows without a natural key)


@dataclass(frozen=True, slots=True)
class LedgerRule:
    """What a captured table's row moves: ``ledger`` (None: a shared row, not a ledger), and which
    ``data`` fields give ``key`` and ``place`` (None: ``""``) and ``amount`` (a field name, or a
    constant). ``key`` :data:`ORIGIN` means the row's own origin."""

    ledger: str | None
    key: str
    place: str | None = None
    amount: str | int = 0

    def describe(self, data: Mapping[str, Any], origin: str) -> tuple[str | None, str, str, int]:
        key = origin if self.key == ORIGIN else data.get(self.key)
        place = "" if self.place is None else data.get(self.place)
        amount = self.amount if isinstance(self.amount, int) else data.get(self.amount)
        return self.ledger, "" if key is None else str(key), "" if place is None else str(place), int(amount or 0)


LEDGER_OF: dict[str, LedgerRule] = {
    "stock_movement": LedgerRule(STOCK, "product", "location", "qty"),
    "points_entry": LedgerRule(POINTS, "member", None, "points"),
    "wallet_entry": LedgerRule(WALLET, "member", None, "amount"),
    "gift_card_entry": LedgerRule(GIFT_CARD, "card", None, "amount"),
    "account_entry": LedgerRule(ACCOUNT, "party", None, "amount"),
    "stamp_entry": LedgerRule(STAMPS, "member", "card", "stamps"),
    "coupon_use": LedgerRule(COUPON, "coupon", None, 1),
    "tier_change": LedgerRule(TIER, "member", None, 0),
    "cheque_event": LedgerRule(CHEQUE, "cheque", None, 0),
    "member": LedgerRule(None, "card"),
    "gift_card": LedgerRule(None, "code"),
    "coupon": LedgerRule(None, "code"),
    "agenda_entry": LedgerRule(None, ORIGIN),
    "cheque": LedgerRule(None, ORIGIN),
}

JOURNAL_FIELDS = ("id", "at", "terminal", "kind", "ref", "payload", "prev_hash", "hash")

# The journal kinds of a sale document (``ref``: the sale's uid). A document with a member adds a
# ``spend`` row to its body (docs/sync-tiers.md): its ``sale`` row is not captured itself.
SPEND_KINDS = ("sale", "return")
SPEND_TABLE = "sale"  # the table a spend row's origin names (``T1:sale:12``)


@cache
def models_by_table() -> dict[str, type[m.BaseModel]]:
    return {model._meta.table_name: model for model in m.ALL_MODELS}


@cache
def data_fields(table: str) -> tuple[Field, ...]:
    """The fields of ``table`` a row's ``data`` carries, in the model's order (its own id left out)."""
    model = models_by_table()[table]
    pk = model._meta.primary_key
    return tuple(f for f in model._meta.sorted_fields if f is not pk and f.name not in LEFT_OUT)


@cache
def _pk_column(table: str) -> str:
    pk: Any = models_by_table()[table]._meta.primary_key
    return str(pk.column_name)


def reference_of(field: Field) -> str | None:
    """The table a foreign key ``field`` points at (None: not a reference)."""
    if not isinstance(field, ForeignKeyField):
        return None
    return str(field.rel_model._meta.table_name)


def origin(terminal: str, table: str, row_id: int) -> str:
    """The global name of a row this terminal wrote."""
    return f"{terminal}:{table}:{row_id}"


def plain(value: Any) -> Any:
    """A column's value as JSON carries it (times and days as ISO text)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _chunks(ids: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _iso_time(value: Any) -> str:
    """A stored time as ISO text (SQLite hands back ``2026-11-01 07:23:00``: no parsing needed)."""
    return value.replace(" ", "T", 1) if isinstance(value, str) else value.isoformat()


def _iso_day(value: Any) -> str:
    return value if isinstance(value, str) else value.isoformat()


@cache
def _layout(table: str) -> tuple[tuple[str, str | None, Callable[[Any], Any] | None], ...]:
    """Per data field of ``table``: its name, the table it refers to (None: a value) and how a
    stored value becomes JSON (None: as it is)."""
    out = []
    for f in data_fields(table):
        convert: Callable[[Any], Any] | None = None
        if isinstance(f, DateTimeField):
            convert = _iso_time
        elif isinstance(f, DateField):
            convert = _iso_day
        elif isinstance(f, BooleanField):
            convert = bool
        out.append((f.name, reference_of(f), convert))
    return tuple(out)


def _select_in(table: str, columns: Sequence[str], key: str, ids: Sequence[Any], where: str = "") -> list[Any]:
    """``SELECT columns FROM table WHERE key IN ids`` (chunked), plain SQL on either backend."""
    db = database
    found: list[Any] = []
    cols = ", ".join(f'"{c}"' for c in columns)
    for chunk in _chunks(list(ids)):
        marks = ", ".join([db.param] * len(chunk))
        sql = f'SELECT {cols} FROM "{table}" WHERE {where}"{key}" IN ({marks})'
        found.extend(db.execute_sql(sql, list(chunk)).fetchall())
    return found


class _Names:
    """Natural keys and origins of the rows a batch refers to, read once per table."""

    def __init__(self, terminal: str) -> None:
        self.terminal = terminal
        self.keys: dict[str, dict[int, Any]] = {}
        self.origins: dict[str, dict[int, str]] = {}

    def load_keys(self, table: str, ids: set[int]) -> None:
        known = self.keys.setdefault(table, {})
        wanted = sorted(i for i in ids if i not in known)
        if not wanted:
            return
        pk, key = _pk_column(table), models_by_table()[table]._meta.fields[REFERENCE_KEYS[table]].column_name
        known.update(_select_in(table, (pk, key), pk, wanted))

    def load_origins(self, table: str, ids: set[int]) -> None:
        known = self.origins.setdefault(table, {})
        wanted = sorted(i for i in ids if i not in known)
        if not wanted:
            return
        where = f"tbl = {database.param} AND "
        for chunk in _chunks(wanted):
            params = [table, *chunk]
            marks = ", ".join([database.param] * len(chunk))
            sql = f"SELECT local_id, origin FROM sync_origin WHERE {where}local_id IN ({marks})"
            known.update(database.execute_sql(sql, params).fetchall())
        for i in wanted:
            known.setdefault(i, origin(self.terminal, table, i))

    def name(self, table: str, row_id: int | None) -> Any:
        if row_id is None:
            return None
        if table in REFERENCE_KEYS:
            return self.keys[table].get(row_id)
        return self.origins[table][row_id]


def _read_rows(table: str, ids: set[int]) -> dict[int, tuple[Any, ...]]:
    """``table``'s rows with ``ids`` (id -> the stored values of :func:`data_fields`)."""
    pk = _pk_column(table)
    columns = [pk, *(f.column_name for f in data_fields(table))]
    return {row[0]: row[1:] for row in _select_in(table, columns, pk, sorted(ids))}


def _spend_rows(uids: Sequence[str], terminal: str) -> dict[str, dict[str, Any]]:
    """The ``spend`` row of each sale or return with a member among ``uids`` (sale uid -> row):
    ``amount`` the signed net total as the tiers count it (a return < 0), ``key`` the member's
    card — for a return of a receipt the receipt's member, as :mod:`pos_tui.core.loyalty.tiers`
    counts it — and in ``data`` the document's ``at`` and, for a return of a receipt, that
    receipt's uid and ``at`` (``return_of_at``): the tiers count a return in the window of the
    receipt it returns."""
    found: dict[str, dict[str, Any]] = {}
    p = database.param
    for chunk in _chunks(list(uids)):
        marks = ", ".join([p] * len(chunk))
        sql = (
            "SELECT s.id, s.uid, s.kind, s.at, s.total, s.return_of_id, sm.card, om.card, o.uid, o.at "
            "FROM sale s LEFT JOIN member sm ON sm.id = s.member_id LEFT JOIN sale o ON o.id = s.return_of_id "
            f"LEFT JOIN member om ON om.id = o.member_id WHERE s.uid IN ({marks})"
        )
        for row_id, uid, kind, at, total, return_of, own_card, of_card, of_uid, of_at in database.execute_sql(
            sql, list(chunk)
        ).fetchall():
            card = own_card if return_of is None else of_card
            if card is None:
                continue
            amount = -int(total) if kind == "return" else int(total)
            found[str(uid)] = {
                "table": SPEND_TABLE,
                "op": "i",
                "origin": origin(terminal, SPEND_TABLE, int(row_id)),
                "ledger": SPEND,
                "key": str(card),
                "place": "",
                "amount": amount,
                "data": {
                    "member": card,
                    "sale": uid,
                    "kind": kind,
                    "at": _iso_time(at),
                    "total": int(total),
                    "return_of": of_uid,
                    "return_of_at": None if of_at is None else _iso_time(of_at),
                },
            }
    return found


def describe_rows(wanted: Mapping[str, Iterable[int]], terminal: str) -> dict[tuple[str, int], dict[str, Any]]:
    """The rows ``wanted`` (table -> local ids) of the captured tables as a body carries them
    (``table``, ``op`` "i", ``origin``, ``ledger``, ``key``, ``place``, ``amount``, ``data``), read
    through the store's proxy in batches; a row that is not there is left out. ``terminal``
    names the rows written here (``TERMINAL:table:id``). The centre's adoption
    (:mod:`pos_tui.core.sync.adoption`) reads its own rows with it too."""
    found = {table: _read_rows(table, set(ids)) for table, ids in wanted.items()}
    names = _Names(terminal)
    refs: dict[str, set[int]] = defaultdict(set)
    for table, by_id in found.items():
        names_needed = refs[table]
        names_needed.update(by_id)  # the rows' own origins
        for index, (_name, target, _convert) in enumerate(_layout(table)):
            if target is not None:
                refs[target].update(row[index] for row in by_id.values() if row[index] is not None)
    for table, ids in refs.items():
        if table in REFERENCE_KEYS:
            names.load_keys(table, ids)
        if table not in REFERENCE_KEYS or table in found:
            names.load_origins(table, ids)
    out: dict[tuple[str, int], dict[str, Any]] = {}
    for table, by_id in found.items():
        rule = LEDGER_OF.get(table, LedgerRule(None, ORIGIN))
        for row_id, row in by_id.items():
            data: dict[str, Any] = {}
            for (name, target, convert), value in zip(_layout(table), row, strict=True):
                if value is None:
                    data[name] = None
                elif target is not None:
                    data[name] = names.name(target, value)
                else:
                    data[name] = value if convert is None else convert(value)
            own = names.origins[table][row_id]
            ledger, key, place, amount = rule.describe(data, own)
            out[(table, row_id)] = {
                "table": table,
                "op": "i",
                "origin": own,
                "ledger": ledger,
                "key": key,
                "place": place,
                "amount": amount,
                "data": data,
            }
    return out


def _outbox_rows(limit: int, after_seq: int) -> list[tuple[int, str, datetime, str, str]]:
    o = m.SyncOutbox
    query = o.select(o.seq, o.uid, o.at, o.kind, o.hash).where(o.seq > after_seq).order_by(o.seq).limit(limit)
    return list(rows(query))


def _bodies(outbox: Sequence[tuple[int, str, datetime, str, str]], terminal: str, store: str) -> list[str]:
    if not outbox:
        return []
    lo, hi = outbox[0][0], outbox[-1][0]
    caught: dict[int, dict[tuple[str, int], str]] = defaultdict(dict)  # seq -> (table, id) -> op, in order
    p = database.param
    sql = f"SELECT outbox, tbl, row_id, op FROM sync_capture WHERE outbox BETWEEN {p} AND {p} ORDER BY outbox, id"
    for seq, table, row_id, op in database.execute_sql(sql, (lo, hi)).fetchall():
        ops = caught[seq]
        ops[(table, row_id)] = "i" if ops.get((table, row_id)) == "i" else op  # inserted, then updated: inserted
    wanted: dict[str, set[int]] = defaultdict(set)
    for ops in caught.values():
        for table, row_id in ops:
            wanted[table].add(row_id)
    journal: dict[int, tuple[Any, ...]] = {}
    if wanted.get("journal_entry"):
        found_entries = _select_in("journal_entry", JOURNAL_FIELDS, "id", sorted(wanted.pop("journal_entry")))
        journal = {row[0]: row for row in found_entries}
    kind_at, ref_at = JOURNAL_FIELDS.index("kind"), JOURNAL_FIELDS.index("ref")
    spends = _spend_rows(
        sorted({str(e[ref_at]) for e in journal.values() if e[kind_at] in SPEND_KINDS and e[ref_at]}), terminal
    )
    described = describe_rows(wanted, terminal)
    bodies = []
    for seq, uid, at, kind, digest in outbox:
        entries: list[dict[str, Any]] = []
        moved: list[dict[str, Any]] = []
        spent: list[dict[str, Any]] = []
        for (table, row_id), op in caught.get(seq, {}).items():
            if table == "journal_entry":
                entry = journal.get(row_id)
                if entry is not None:
                    journalled = dict(zip(JOURNAL_FIELDS, entry, strict=True))
                    journalled["at"] = _iso_time(journalled["at"])
                    entries.append(journalled)
                    if journalled["kind"] in SPEND_KINDS and journalled["ref"] in spends:
                        spent.append(spends[journalled["ref"]])
                continue
            row = described.get((table, row_id))
            if row is None:
                continue  # a shared row deleted since (an agenda task): nothing to send
            moved.append({**row, "op": op})
        body = {
            "v": VERSION,
            "terminal": terminal,
            "store": store,
            "seq": seq,
            "uid": uid,
            "at": plain(at),
            "kind": kind,
            "hash": digest,
            "journal": entries,
            "rows": moved + spent,
        }
        bodies.append(json.dumps(body, ensure_ascii=False, separators=(",", ":")))
    return bodies


def pending(limit: int, after_seq: int) -> list[OutboxRecord]:
    """Up to ``limit`` outbox records with ``seq > after_seq``, in order, each with its body."""
    ident = identity.require()
    outbox = _outbox_rows(limit, after_seq)
    bodies = _bodies(outbox, ident.terminal, ident.store)
    return [
        OutboxRecord(seq, uid, at, kind, digest, body)
        for (seq, uid, at, kind, digest), body in zip(outbox, bodies, strict=True)
    ]


def body_of(seq: int) -> str | None:
    """The body of outbox record ``seq`` as it would be sent now (None: no such record)."""
    found = pending(1, seq - 1)
    return found[0].body if found and found[0].seq == seq else None


def captured_tables() -> tuple[str, ...]:
    """The tables whose rows travel (the journal first)."""
    return CAPTURED + CAPTURED_UPDATES

"""The centre's side of a push: a terminal's outbox records received exactly once
(docs/sync.md, "The centre"). Every function takes the central ``db`` (a PostgreSQL database of
its own: the store's proxy stays bound to the terminal's file).

:func:`receive` takes a batch in **one** central transaction:

1. the terminal's ``sync_terminal`` row is locked (``FOR UPDATE``): one terminal's batches take
   turns, so what was already received is known exactly while the batch is checked;
2. a record whose ``seq`` the centre holds under another ``uid`` (or whose ``uid`` it holds under
   another ``seq``) means the terminal's sequence went backwards (an old backup): the whole batch
   is refused with :class:`SequenceConflict`, nothing written; so is a batch that breaks the
   terminal's journal chain (a document's first ``prev_hash`` is not the previous one's ``hash``);
3. the documents are inserted with ``ON CONFLICT (uid) DO NOTHING`` (a retry, a replay, the same
   batch twice: each document once), and only for the documents inserted *now* their ledger
   rows (``ON CONFLICT (origin) DO NOTHING``), the balances they move (holds settled: their
   amount was applied when held), the overdrafts they caused, and the members, gift cards and
   coupons they wrote (applied to the centre's own tables by natural key; a clash is recorded as
   a conflict, never a failed push);
4. ``high_water`` moves over the contiguous sequence received (a batch out of order is kept and
   the mark jumps when the gap is filled).

Lock order, for everyone who writes here: the terminal's row, then
``pg_advisory_xact_lock(REVISION_LOCK)`` (taken before any ``sync_ledger`` id or revision is
drawn, held to the commit, so ids and revisions become visible in order for the pulls), then
``sync_hold`` and ``sync_balance`` rows.
"""

from __future__ import annotations

import io
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import peewee
from peewee import Database, ForeignKeyField, IntegrityError

from pos_tui.core.kernel.clock import SHOP_TZ, from_db, to_db
from pos_tui.core.kernel.errors import ValidationError
from pos_tui.core.kernel.formatting import format_moment
from pos_tui.core.sync import documents
from pos_tui.core.sync.connection import central_tx
from pos_tui.core.sync.model import (
    ACCOUNT,
    COUPON,
    GIFT_CARD,
    POINTS,
    SPEND,
    STAMPS,
    WALLET,
    NotJoined,
    OutboxRecord,
    Receipt,
    SequenceConflict,
)
from pos_tui.i18n import N_, _
from pos_tui.store.outbox import MASTER_KEYS, REVISION_LOCK

# Shared rows a terminal writes that the centre applies to its own tables (by natural key), so
# they get a revision and reach the other terminals. agenda_entry and cheque stay documents.
APPLIED = ("member", "gift_card", "coupon")
LABELS = {"member": N_("Member"), "gift_card": N_("Gift card"), "coupon": N_("Coupon")}
# Ledgers that must not go below zero; the account must not go above the party's credit limit;
# a coupon must not be used more often than its max_uses.
NOT_NEGATIVE = (POINTS, WALLET, GIFT_CARD, STAMPS)
# Ledgers kept in sync_ledger only: never summed into sync_balance, so never checked against a
# bound (a member's spend counts per tier window, docs/sync-tiers.md).
UNBALANCED = (SPEND,)
# An update the centre does not take: a terminal's stale copy must not bring an erased member back.
KEEP = {"member": '"member".anonymized_at IS NULL OR EXCLUDED.anonymized_at IS NOT NULL'}
PAGE = 1000  # rows per multi-row INSERT
# A member's tier at the centre changes only by a document that decides one (docs/sync-tiers.md):
# a tier_change row for the member, or a journal entry of these kinds (a term set by hand or by a
# return of a paid membership). Any other document carrying the member (an e-mail changed at a
# terminal that has not pulled the latest tier yet) keeps the centre's tier; its term only ever
# lengthens, and only while the terminal holds the same tier (the loyalty terminal's nightly
# renewals, which journal nothing).
TIER_DECISIONS = ("tier_change", "tier_evaluation")
TIER_KEPT = {
    "tier_code": '"member".tier_code',
    "tier_until": 'CASE WHEN "member".tier_code IS NOT DISTINCT FROM EXCLUDED.tier_code '
    'THEN GREATEST("member".tier_until, EXCLUDED.tier_until) ELSE "member".tier_until END',
}


@dataclass(slots=True)
class _Doc:
    record: OutboxRecord
    body: Mapping[str, Any]
    first_prev: str | None  # its first journal entry's prev_hash


@dataclass(slots=True)
class _Effect:
    """What one inserted document does to one balance."""

    seq: int
    uid: str
    group: tuple[str, str, str]
    delta: int
    held: bool


def _values(db: Database, sql: str, rows: Sequence[Sequence[Any]], *, fetch: bool = False) -> list[tuple[Any, ...]]:
    """A multi-row ``INSERT … VALUES %s`` (psycopg2's execute_values), errors as Peewee's."""
    if not rows:
        return []
    from psycopg2.extras import execute_values

    with peewee.__exception_wrapper__:  # type: ignore[attr-defined]
        cursor = db.cursor()
        found = execute_values(cursor, sql, rows, page_size=PAGE, fetch=fetch)
    return list(found or [])


def _stored(at: datetime) -> datetime:
    """A time as the centre stores it (naive UTC; the outbox's times are already)."""
    return at if at.tzinfo is None else to_db(at)


def _sql(db: Database, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    return list(db.execute_sql(sql, params).fetchall())


def terminal_high_water(db: Database, terminal: str) -> int:
    """The terminal's contiguous sequence received (NotJoined: the centre does not know it)."""
    found = _sql(db, "SELECT high_water FROM sync_terminal WHERE terminal = %s", (terminal,))
    if not found:
        raise _not_joined(terminal)
    return int(found[0][0])


def _not_joined(terminal: str) -> NotJoined:
    return NotJoined(
        _("Terminal '{terminal}' has not joined this centre: run 'pos-admin sync init' on it").format(terminal=terminal)
    )


def _backwards(terminal: str, seq: int) -> SequenceConflict:
    return SequenceConflict(
        _(
            "The centre already holds another document {seq} of terminal '{terminal}': its sequence went "
            "backwards (restored from an old backup?). Nothing was sent over it; the centre's copy stays"
        ).format(seq=seq, terminal=terminal)
    )


def _broken(terminal: str, seq: int) -> SequenceConflict:
    return SequenceConflict(
        _(
            "The journal chain of terminal '{terminal}' is broken at document {seq}: it does not follow the "
            "document before it. Nothing was received"
        ).format(seq=seq, terminal=terminal)
    )


def _parse(
    terminal: str, records: Sequence[OutboxRecord], bodies: Sequence[Mapping[str, Any]] | None = None
) -> list[_Doc]:
    """The batch's records once each, in ``seq`` order, with their bodies read and checked
    (``bodies``: already read, what ``json.loads`` of each record's body gives)."""
    by_uid: dict[str, _Doc] = {}
    by_seq: dict[int, str] = {}
    for index, record in enumerate(records):
        if record.uid in by_uid:
            if by_uid[record.uid].record.seq != record.seq:
                raise _backwards(terminal, record.seq)
            continue
        if by_seq.get(record.seq, record.uid) != record.uid:
            raise _backwards(terminal, record.seq)
        try:
            body = json.loads(record.body) if bodies is None else bodies[index]
        except ValueError as exc:
            raise ValidationError(_("Document {seq} arrived unreadable").format(seq=record.seq)) from exc
        if not isinstance(body, Mapping):
            raise ValidationError(_("Document {seq} arrived unreadable").format(seq=record.seq))
        if body.get("terminal") != terminal or body.get("seq") != record.seq or body.get("uid") != record.uid:
            raise ValidationError(
                _("Document {seq} does not belong to terminal '{terminal}'").format(seq=record.seq, terminal=terminal)
            )
        journal = body.get("journal") or []
        first_prev = journal[0].get("prev_hash") if journal else None
        by_uid[record.uid] = _Doc(record, body, first_prev)
        by_seq[record.seq] = record.uid
    return sorted(by_uid.values(), key=lambda d: d.record.seq)


def _check(db: Database, terminal: str, docs: list[_Doc]) -> list[_Doc]:
    """Refuse a batch that goes backwards or breaks the chain; return the documents not yet held."""
    seqs = [d.record.seq for d in docs]
    uids = [d.record.uid for d in docs]
    held = _sql(
        db,
        "SELECT uid, terminal, seq FROM sync_document WHERE (terminal = %s AND seq = ANY(%s)) OR uid = ANY(%s)",
        (terminal, seqs, uids),
    )
    known = {uid: (t, seq) for uid, t, seq in held}
    taken = {seq: uid for uid, t, seq in held if t == terminal}
    fresh = []
    for doc in docs:
        seq, uid = doc.record.seq, doc.record.uid
        if uid in known and known[uid] != (terminal, seq):
            raise _backwards(terminal, seq)
        if taken.get(seq, uid) != uid:
            raise _backwards(terminal, seq)
        if uid not in known:
            fresh.append(doc)
    if fresh:
        _check_chain(db, terminal, docs, fresh)
    return fresh


def _check_chain(db: Database, terminal: str, docs: list[_Doc], fresh: list[_Doc]) -> None:
    """Each new document follows the one before it, and the one after it follows it, where both
    are known (in the batch or at the centre) and the later one has a journal entry."""
    links: dict[int, tuple[str, str | None]] = {d.record.seq: (d.record.hash, d.first_prev) for d in docs}
    around = sorted({s for d in fresh for s in (d.record.seq - 1, d.record.seq + 1)} - set(links))
    if around:
        for seq, digest, first_prev in _sql(
            db,
            "SELECT seq, hash, (body::json -> 'journal' -> 0 ->> 'prev_hash') FROM sync_document "
            "WHERE terminal = %s AND seq = ANY(%s)",
            (terminal, around),
        ):
            links[seq] = (digest, first_prev)
    for doc in fresh:
        seq = doc.record.seq
        for earlier, later in ((seq - 1, seq), (seq, seq + 1)):
            if earlier in links and later in links:
                first_prev = links[later][1]
                if first_prev is not None and first_prev != links[earlier][0]:
                    raise _broken(terminal, later)


def _copy_field(value: Any) -> str:
    """A value in ``COPY``'s text format."""
    if value is None:
        return "\\N"
    if isinstance(value, str):
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    if isinstance(value, datetime):
        return value.isoformat(" ")
    return str(value)


def _copy_in(db: Database, table: str, columns: str, rows: Iterable[Sequence[Any]]) -> None:
    """``rows`` into a new temporary table ``table`` (dropped at the commit) with one ``COPY``: no
    statement text built per row, nothing for the centre to parse but the values themselves."""
    buffer = io.StringIO()
    buffer.writelines("\t".join([_copy_field(v) for v in row]) + "\n" for row in rows)
    buffer.seek(0)
    with peewee.__exception_wrapper__:  # type: ignore[attr-defined]
        cursor = db.cursor()
        # (dropped first: a receive nested in a caller's transaction may run twice before a commit)
        cursor.execute(
            f"DROP TABLE IF EXISTS pg_temp.{table}; CREATE TEMPORARY TABLE {table} ({columns}) ON COMMIT DROP"
        )
        cursor.copy_expert(f"COPY {table} FROM STDIN", buffer)


def _insert_documents(db: Database, terminal: str, store: str, docs: list[_Doc], now: datetime) -> set[str]:
    """Insert the documents the centre does not hold (``ON CONFLICT (uid) DO NOTHING``); return
    the uids inserted now."""
    received = to_db(now)
    _copy_in(
        db,
        "sync_in_document",
        "uid text, seq integer, kind text, at timestamp, hash text, body text",
        ((d.record.uid, d.record.seq, d.record.kind, _stored(d.record.at), d.record.hash, d.record.body) for d in docs),
    )
    inserted = _sql(
        db,
        "INSERT INTO sync_document (uid, terminal, store, seq, kind, at, hash, body, received_at) "
        "SELECT uid, %s, %s, seq, kind, at, hash, body, %s FROM sync_in_document ORDER BY seq "
        "ON CONFLICT (uid) DO NOTHING RETURNING uid",
        (terminal, store, received),
    )
    return {row[0] for row in inserted}


Moved = tuple[str, str, str, str, str, int, str | None]  # origin, document, ledger, key, place, amount, sale


def _text(value: Any) -> str | None:
    """A JSON value as ``->>`` gives it (None: null)."""
    if value is None or isinstance(value, str):
        return value
    return _DUMP(value)


_DUMP = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _insert_ledger(db: Database, terminal: str, store: str, docs: Sequence[_Doc]) -> list[Moved]:
    """The ledger rows of ``docs`` (just inserted), taken from their bodies (already read by
    :func:`_parse`) and loaded with one ``COPY``: ``ON CONFLICT (origin) DO NOTHING``, in the
    documents' order; returns the rows written now (an origin already held: none)."""
    rows: list[tuple[Any, ...]] = []
    moved: list[Moved] = []
    for doc in docs:
        for r in doc.body.get("rows") or ():
            ledger = _text(r.get("ledger"))
            if ledger is None:
                continue
            data = r.get("data")
            fields = data if isinstance(data, dict) else {}
            at, amount = fields.get("at"), r.get("amount")
            origin, key, place = _text(r.get("origin")), _text(r.get("key")), _text(r.get("place")) or ""
            moved_by = 0 if amount is None else int(amount)
            data_text = "{}" if "data" not in r else _DUMP(data)
            stamp = _stored(doc.record.at) if at is None else _text(at)
            rows.append(
                (
                    len(rows),
                    origin,
                    doc.record.uid,
                    _text(r.get("table")),
                    ledger,
                    key,
                    place,
                    moved_by,
                    stamp,
                    data_text,
                )
            )
            moved.append((origin, doc.record.uid, ledger, key, place, moved_by, _text(fields.get("sale"))))  # type: ignore[arg-type]
    if not rows:
        return []
    _copy_in(
        db,
        "sync_in_ledger",
        'n integer, origin text, document text, tbl text, ledger text, "key" text, place text, amount bigint, '
        "at timestamp, data text",
        rows,
    )
    written = {
        origin
        for (origin,) in _sql(
            db,
            'INSERT INTO sync_ledger (origin, document, terminal, store, tbl, ledger, "key", place, amount, at, data) '
            'SELECT origin, document, %s, %s, tbl, ledger, "key", place, amount, at, data FROM sync_in_ledger '
            "ORDER BY n ON CONFLICT (origin) DO NOTHING RETURNING origin",
            (terminal, store),
        )
    }
    out = []
    for row in moved:  # an origin twice in the batch: its first row was written
        if row[0] in written:
            written.discard(row[0])
            out.append(row)
    return out


def _effects(db: Database, docs: list[_Doc], moved: list[Moved], now: datetime) -> list[_Effect]:
    """What each document does to each balance, open holds settled: a hold's amount was applied
    when it was taken, so its sale's rows add only what differs from it. A hold of a sale whose
    document moved nothing on that balance is settled too (giving its amount back)."""
    sums: dict[tuple[int, str, tuple[str, str, str], str | None], int] = defaultdict(int)
    seq_of = {d.record.uid: d.record.seq for d in docs}
    docs_by_seq = {d.record.seq: d for d in docs}
    sales: dict[str, int] = {}  # a sale uid -> the first document (seq) carrying it
    for _origin, uid, ledger, key, place, amount, sale in moved:
        if ledger in UNBALANCED:
            continue
        seq = seq_of[uid]
        sums[(seq, uid, (ledger, key, place), sale)] += amount
        if sale is not None:
            sales[sale] = min(seq, sales.get(sale, seq))
    holds: dict[tuple[str, tuple[str, str, str]], int] = {}
    if sales:
        for document, ledger, key, place, amount in _sql(
            db,
            'SELECT document, ledger, "key", place, amount FROM sync_hold WHERE document = ANY(%s) '
            'AND settled_at IS NULL AND released_at IS NULL ORDER BY ledger, "key", place, document FOR UPDATE',
            (sorted(sales),),
        ):
            holds[(document, (ledger, key, place))] = int(amount)
    effects: list[_Effect] = []
    settled: list[tuple[str, tuple[str, str, str]]] = []
    for (seq, uid, group, sale), total in sorted(sums.items(), key=lambda item: item[0][0]):
        hold = holds.pop((sale, group), None) if sale is not None else None
        if hold is None:
            effects.append(_Effect(seq, uid, group, total, held=False))
        else:
            effects.append(_Effect(seq, uid, group, total - hold, held=True))
            settled.append((sale, group))  # type: ignore[arg-type]
    for (sale, group), hold in holds.items():  # held, but the sale's document did not move it
        seq = sales[sale]
        effects.append(_Effect(seq, docs_by_seq[seq].record.uid, group, -hold, held=True))
        settled.append((sale, group))
    _values(
        db,
        "UPDATE sync_hold AS h SET settled_at = v.at FROM (VALUES %s) AS v(document, ledger, key, place, at) "
        'WHERE h.document = v.document AND h.ledger = v.ledger AND h."key" = v.key AND h.place = v.place',
        [(sale, *group, to_db(now)) for sale, group in settled],
    )
    return sorted(effects, key=lambda e: e.seq)


def _apply_balances(db: Database, effects: list[_Effect]) -> dict[tuple[str, str, str], int]:
    """Add the effects to ``sync_balance`` (each changed row a new revision, in commit order);
    return the balances after them."""
    totals: dict[tuple[str, str, str], int] = defaultdict(int)
    for effect in effects:
        totals[effect.group] += effect.delta
    changed = sorted(group for group, delta in totals.items() if delta)
    return _upsert_balances(db, [(*group, totals[group]) for group in changed]) if changed else {}


def _upsert_balances(db: Database, rows: list[tuple[str, str, str, int]]) -> dict[tuple[str, str, str], int]:
    """Add ``rows`` (in this order: the lock order) to ``sync_balance``, each a new revision."""
    _copy_in(
        db,
        "sync_in_balance",
        'n integer, ledger text, "key" text, place text, amount bigint',
        ((n, *row) for n, row in enumerate(rows)),
    )
    found = _sql(
        db,
        'INSERT INTO sync_balance (ledger, "key", place, amount, revision) '
        "SELECT ledger, \"key\", place, amount, nextval('sync_revision_seq') FROM sync_in_balance ORDER BY n "
        'ON CONFLICT (ledger, "key", place) DO UPDATE SET amount = sync_balance.amount + EXCLUDED.amount, '
        'revision = EXCLUDED.revision RETURNING ledger, "key", place, amount',
    )
    return {(a, b, c): int(amount) for a, b, c, amount in found}


def _bounds(db: Database, groups: Iterable[tuple[str, str, str]]) -> dict[tuple[str, str, str], int | None]:
    """The upper bound of account and coupon balances (a party's credit limit, a coupon's uses)."""
    parties = sorted({key for ledger, key, _p in groups if ledger == ACCOUNT})
    coupons = sorted({key for ledger, key, _p in groups if ledger == COUPON})
    bounds: dict[tuple[str, str, str], int | None] = {}
    if parties:
        for code, limit in _sql(db, "SELECT code, credit_limit FROM party WHERE code = ANY(%s)", (parties,)):
            bounds[(ACCOUNT, code, "")] = int(limit)
    if coupons:
        for code, uses in _sql(db, "SELECT code, max_uses FROM coupon WHERE code = ANY(%s)", (coupons,)):
            bounds[(COUPON, code, "")] = None if uses is None else int(uses)
    return bounds


def _overdrafts(
    db: Database, terminal: str, effects: list[_Effect], after: Mapping[tuple[str, str, str], int], now: datetime
) -> int:
    """Record every balance an offline document (no hold) took past its bound, with the balance
    right after that document."""
    totals: dict[tuple[str, str, str], int] = defaultdict(int)
    for effect in effects:
        totals[effect.group] += effect.delta
    now_at = dict(after)
    unchanged = sorted({e.group for e in effects if e.group not in now_at and not e.held and e.delta})
    if unchanged:  # moved down and back up within the batch: the balance is read as it stands
        found = _values(
            db,
            'SELECT b.ledger, b."key", b.place, b.amount FROM sync_balance b JOIN (VALUES %s) AS v(ledger, key, place) '
            'ON b.ledger = v.ledger AND b."key" = v.key AND b.place = v.place',
            unchanged,
            fetch=True,
        )
        now_at.update({(a, b, c): int(amount) for a, b, c, amount in found})
        now_at.update({group: 0 for group in unchanged if group not in now_at})
    running = {group: now_at[group] - totals[group] for group in now_at}
    bounds = _bounds(db, now_at)
    rows = []
    for effect in effects:
        if effect.group not in running:
            continue
        running[effect.group] += effect.delta
        balance = running[effect.group]
        if effect.held or not effect.delta:
            continue
        ledger = effect.group[0]
        over = False
        if ledger in NOT_NEGATIVE:
            over = effect.delta < 0 and balance < 0
        elif ledger in (ACCOUNT, COUPON):
            bound = bounds.get(effect.group)
            over = bound is not None and effect.delta > 0 and balance > bound
        if over:
            rows.append(("overdraft", *effect.group, balance, effect.uid, terminal, to_db(now), None))
    _values(
        db,
        'INSERT INTO sync_overdraft (kind, ledger, "key", place, balance, document, terminal, at, note) VALUES %s',
        rows,
    )
    return len(rows)


# -- shared rows (members, gift cards, coupons) ------------------------------------------------


def _central_ids(db: Database, table: str, keys: set[str]) -> dict[str, int]:
    if not keys:
        return {}
    column = documents.REFERENCE_KEYS[table]
    return {
        str(key): int(row_id)
        for row_id, key in _sql(db, f'SELECT id, "{column}" FROM "{table}" WHERE "{column}" = ANY(%s)', (sorted(keys),))
    }


def _constraint_column(exc: BaseException, table: str) -> str | None:
    """The column a unique violation was about (psycopg2's diagnostics: ``member_phone``)."""
    for candidate in (exc, *exc.args[:1], exc.__context__, exc.__cause__):
        diag = getattr(candidate, "diag", None)
        name = getattr(diag, "constraint_name", None) if diag is not None else None
        if name:
            return str(name).removeprefix(f"{table}_").removesuffix("_key")
    return None


def _conflict(terminal: str, table: str, key: str, uid: str, now: datetime, note: str) -> tuple[Any, ...]:
    return ("conflict", table, key, "", 0, uid, terminal, to_db(now), note)


def _decides_tier(doc: _Doc, card: str) -> bool:
    """Does ``doc`` decide the tier of member ``card`` (:data:`TIER_DECISIONS`)?"""
    if any(entry.get("kind") in TIER_DECISIONS for entry in doc.body.get("journal") or []):
        return True
    return any(
        row.get("table") == "tier_change" and (row.get("data") or {}).get("member") == card
        for row in doc.body.get("rows") or []
    )


# What tells two shared rows with the same natural key apart: when each was made. A terminal's row
# made at another moment than the centre's row under the same key is another person's card (or
# another gift card sold under the same typed code), never the same one: it must not overwrite it.
BIRTH = {"member": "created_at", "gift_card": "issued_at", "coupon": "created_at"}


def _moment(value: Any) -> datetime | None:
    """A stored or carried time as naive UTC (None: none or unreadable)."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    return _stored(value) if isinstance(value, datetime) else None


def _clash(db: Database, terminal: str, table: str, key: str, data: Mapping[str, Any]) -> str | None:
    """The conflict note when the terminal's row ``data`` is another row than the centre's under
    the same natural ``key`` (None: no row there, or the same one: apply it). The same row was
    made at the same moment (a terminal's copy of a pulled row has the centre's); an insert of a
    row the terminal made itself can only meet a row made elsewhere. Works for updates too: a
    terminal that has not pulled the centre's row yet still edits its own."""
    born = _moment(data.get(BIRTH[table]))
    if born is None:
        return None
    member = table == "member"
    found = _sql(
        db,
        f'SELECT "{BIRTH[table]}"{", name, phone" if member else ""} FROM "{table}" WHERE "{MASTER_KEYS[table]}" = %s',
        (key,),
    )
    if not found or _moment(found[0][0]) == born:
        return None
    theirs = {BIRTH[table]: found[0][0]} | ({"name": found[0][1], "phone": found[0][2]} if member else {})
    return _(
        "{table} '{key}' of terminal {terminal} was not applied at the centre: the centre already has "
        "another one under it ({central}); the terminal's ({mine}) was kept out and the centre's stays"
    ).format(
        table=_(LABELS[table]),
        key=key,
        terminal=terminal,
        central=_described(table, theirs),
        mine=_described(table, data),
    )


def _described(table: str, data: Mapping[str, Any]) -> str:
    """A shared row as a person tells it apart: a member's name and phone, when it was made."""
    born = _moment(data.get(BIRTH[table]))
    when = "" if born is None else format_moment(from_db(born), SHOP_TZ)
    if table == "member":
        return ", ".join(str(part) for part in (data.get("name"), data.get("phone"), when) if part)
    return _("made {when}").format(when=when) if when else "?"


def _apply_shared(db: Database, terminal: str, docs: list[_Doc], now: datetime) -> list[tuple[Any, ...]]:
    """Apply the members, gift cards and coupons the new documents wrote to the centre's tables,
    in order, each in a savepoint; return the conflict rows for what could not be applied."""
    shared = [(doc, row) for doc in docs for row in doc.body.get("rows") or [] if row.get("table") in APPLIED]
    if not shared:
        return []
    wanted: dict[str, set[str]] = defaultdict(set)
    for _doc, row in shared:
        for f in documents.data_fields(row["table"]):
            if isinstance(f, ForeignKeyField):
                value = (row.get("data") or {}).get(f.name)
                if value is not None:
                    wanted[documents.reference_of(f) or ""].add(str(value))
    ids = {table: _central_ids(db, table, keys) for table, keys in wanted.items() if table in documents.REFERENCE_KEYS}

    def central_id(target: str, value: str) -> int | None:
        known = ids.setdefault(target, {})
        if value not in known and target in documents.REFERENCE_KEYS:  # written by an earlier row of the batch?
            known.update(_central_ids(db, target, {value}))
        return known.get(value)

    conflicts = []
    for doc, row in shared:
        table, data = row["table"], row.get("data") or {}
        key_column = MASTER_KEYS[table]
        key = str(data.get(key_column) or row.get("key") or "")
        clash = _clash(db, terminal, table, key, data)
        if clash is not None:  # never over another person's card: the centre's row stays
            conflicts.append(_conflict(terminal, table, key, doc.record.uid, now, clash))
            continue
        columns: list[str] = []
        values: list[Any] = []
        missing = []
        for f in documents.data_fields(table):
            if f.name not in data:
                continue
            value = data[f.name]
            target = documents.reference_of(f)
            if target is not None and value is not None:
                central = central_id(target, str(value))
                if central is None:
                    missing.append(f"{f.name} '{value}'")
                value = central
            columns.append(f.column_name)
            values.append(value)
        kept = TIER_KEPT if table == "member" and not _decides_tier(doc, key) else {}
        taken = {c: kept.get(c) or f'EXCLUDED."{c}"' for c in columns if c != key_column}
        updates = ", ".join(f'"{c}" = {value}' for c, value in taken.items())
        keep = KEEP.get(table)
        sql = (
            f'INSERT INTO "{table}" ({", ".join(f"{chr(34)}{c}{chr(34)}" for c in columns)}) '
            f"VALUES ({', '.join(['%s'] * len(columns))}) "
            f'ON CONFLICT ("{key_column}") DO UPDATE SET {updates}'
            + (f" WHERE {keep}" if keep else "")
            + " RETURNING id"
        )
        try:
            with db.atomic():  # a savepoint: a clash undoes this row only
                applied = _sql(db, sql, values)
        except IntegrityError as exc:
            column = _constraint_column(exc, table)
            shown = data.get(column) if column else None
            note = (
                _(
                    "{table} '{key}' was not applied at the centre: another row already has '{column}' = '{value}'"
                ).format(table=_(LABELS[table]), key=key, column=column, value=shown)
                if column
                else _("{table} '{key}' was not applied at the centre: it clashes with another row").format(
                    table=_(LABELS[table]), key=key
                )
            )
            conflicts.append(_conflict(terminal, table, key, doc.record.uid, now, note))
            continue
        if not applied:
            note = _("{table} '{key}' was not applied at the centre: it was erased there").format(
                table=_(LABELS[table]), key=key
            )
            conflicts.append(_conflict(terminal, table, key, doc.record.uid, now, note))
        elif missing:
            note = _("{table} '{key}' was applied without references the centre does not know: {names}").format(
                table=_(LABELS[table]), key=key, names=", ".join(missing)
            )
            conflicts.append(_conflict(terminal, table, key, doc.record.uid, now, note))
    return conflicts


def _advance(db: Database, terminal: str, mark: int, head: str | None, now: datetime) -> int:
    """Move the terminal's high-water mark over the contiguous sequence the centre holds."""
    for seq, digest in _sql(
        db, "SELECT seq, hash FROM sync_document WHERE terminal = %s AND seq > %s ORDER BY seq", (terminal, mark)
    ):
        if seq != mark + 1:
            break
        mark, head = seq, digest
    db.execute_sql(
        "UPDATE sync_terminal SET high_water = %s, head_hash = %s, last_push_at = %s WHERE terminal = %s",
        (mark, head, to_db(now), terminal),
    )
    return mark


def receive(
    db: Database,
    terminal: str,
    records: Sequence[OutboxRecord],
    now: datetime,
    *,
    bodies: Sequence[Mapping[str, Any]] | None = None,
) -> Receipt:
    """Take a batch of ``terminal``'s outbox records in one central transaction (module docstring).
    ``bodies``: the records' bodies already read (the pushing terminal's own, as it wrote them:
    :func:`documents.pending_read`), one per record; otherwise each body's text is read here."""
    if bodies is not None and len(bodies) != len(records):
        raise ValueError("one body per record")
    with central_tx(db):
        found = _sql(
            db, "SELECT store, high_water, head_hash FROM sync_terminal WHERE terminal = %s FOR UPDATE", (terminal,)
        )
        if not found:
            raise _not_joined(terminal)
        store, mark, head = found[0][0], int(found[0][1]), found[0][2]
        docs = _parse(terminal, records, bodies)
        fresh = _check(db, terminal, docs)
        inserted: set[str] = set()
        if fresh:
            inserted = _insert_documents(db, terminal, store, fresh, now)
            new = [d for d in fresh if d.record.uid in inserted]
            # Held to the commit, before the first ledger id and revision are taken: terminals pull
            # ledger rows by id and balances by revision ("> last seen"), so both must become
            # visible in the order they are numbered, and no push may commit a lower one late.
            db.execute_sql("SELECT pg_advisory_xact_lock(%s)", (REVISION_LOCK,))
            moved = _insert_ledger(db, terminal, store, new)
            effects = _effects(db, new, moved, now)
            after = _apply_balances(db, effects)
            _overdrafts(db, terminal, effects, after, now)
            conflicts = _apply_shared(db, terminal, new, now)
            _values(
                db,
                'INSERT INTO sync_overdraft (kind, ledger, "key", place, balance, document, terminal, at, note) '
                "VALUES %s",
                conflicts,
            )
        mark = _advance(db, terminal, mark, head, now)
    return Receipt(high_water=mark, inserted=len(inserted), duplicates=len(docs) - len(inserted))

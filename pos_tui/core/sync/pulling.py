"""The terminal's pull: master data, the other terminals' ledger rows and the chain's balances
come down from the centre (docs/sync.md, "Master data flows down"; docs/sync-pull.md).

One REPEATABLE READ, READ ONLY transaction at the centre gives the whole pull one consistent
snapshot. Its highest visible revision ``R`` bounds it: each master table, in
:data:`pos_tui.store.outbox.MASTER_KEYS` order, is read in revision order, ``mark < revision <=
R``, in batches, every foreign key written at the centre as the referenced row's natural key
(the Peewee models say which columns are references and to what), and written locally by natural
key (``price_list_item`` by its central id, through ``sync_origin``). Local ids stay local. Then
the deletions (``sync_tombstone``), the other terminals' ledger rows (``sync_ledger``, in the
body format of docs/sync.md) and the changed balances (``sync_balance``).

Each batch and its progress mark are one local write transaction, which forgets what the
capture triggers caught (:func:`pos_tui.store.outbox.discard`): pulled rows never travel back
up. So a pull cut off anywhere leaves the terminal consistent — every row it has is whole, with
its references — and the next pull goes on from the marks.

Caches stay local: ``product.stock``, ``stock_value`` and ``cost`` are never taken from the
centre; the other terminals' stock movements move them here exactly as the stock ledger does
for this terminal's own movements, so ``pos-admin audit verify`` agrees.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cache
from typing import Any

from peewee import (
    BooleanField,
    Database,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegrityError,
    InterfaceError,
    Model,
    OperationalError,
)

from pos_tui.core.kernel.errors import StateError
from pos_tui.core.sync import cards, connection, identity
from pos_tui.core.sync.model import SPEND, CentralUnreachable, PullResult
from pos_tui.i18n import _
from pos_tui.store import database, fast, write_tx
from pos_tui.store import models as m
from pos_tui.store.outbox import CACHE_COLUMNS, MASTER_KEYS, discard

BATCH = 5000
ORIGIN_KEY = "id"  # a master table matched by its central id, through sync_origin (price_list_item)
CENTRAL = "c"  # the prefix of a central row's origin: c:<id>
TOMBSTONES = "sync_tombstone"
LEDGER_SEEN, BALANCE_SEEN = "ledger_seen", "balance_seen"
BALANCE_MARK = "balance_high_water"  # guard.BALANCE_MARK (sync's modules do not import the guard)
# Local ledger tables the other terminals' rows go into; account entries stay out (their
# numbers are per database: the accounts' balances come down as sync_balance rows instead).
LEDGER_MODELS: dict[str, type[Model]] = {
    "points_entry": m.PointsEntry,
    "wallet_entry": m.WalletEntry,
    "gift_card_entry": m.GiftCardEntry,
    "stamp_entry": m.StampEntry,
    "coupon_use": m.CouponUse,
    "tier_change": m.TierChange,
    "stock_movement": m.StockMovement,
}
_CHUNK = 900  # keys per IN (…): under SQLite's parameter limit
_DEPTH = 8  # how deep a reference may pull the row it needs first (a member's referrer's referrer…)

Row = tuple[Any, ...]


def pulled_mark(table: str) -> str:
    """The ``sync_*`` key of a master table's progress (the revision its rows are applied to)."""
    return f"pulled:{table}"


def _first_mark(table: str) -> str:
    """The key of the first pull's progress through rows that have no revision yet (rows the
    centre had before schema 11 numbered its changes): the last primary key taken, or ``*``."""
    return f"pulled0:{table}"


# --------------------------------------------------------------------------- the plan


@dataclass(frozen=True, slots=True)
class _Ref:
    """A reference of a master table: its column, the table it points at and that table's
    natural key (what travels instead of the id)."""

    column: str
    table: str
    key_column: str
    target_column: str  # the referenced column (its id)
    nullable: bool


@dataclass(frozen=True, slots=True)
class _Plan:
    table: str
    model: type[Model]
    key_column: str  # the natural key ("id": the central id, through sync_origin)
    pk_column: str  # the primary key (ordering of rows without a revision)
    plain: tuple[str, ...]  # columns copied as they are
    refs: tuple[_Ref, ...]
    caches: tuple[tuple[str, Any], ...]  # local-only columns and what a new row starts with
    unique_key: bool  # the key column is unique locally: INSERT … ON CONFLICT

    @property
    def by_origin(self) -> bool:
        return self.key_column == ORIGIN_KEY


def _models() -> dict[str, type[Model]]:
    return {model._meta.table_name: model for model in m.ALL_MODELS}


@cache
def plans() -> dict[str, _Plan]:
    """How every master table is pulled, derived from the models and :data:`MASTER_KEYS`."""
    models = _models()
    out: dict[str, _Plan] = {}
    for table, key in MASTER_KEYS.items():
        model = models[table]
        fields = model._meta.sorted_fields
        key_field = model._meta.fields[key]
        pk: Any = model._meta.primary_key
        caches = tuple(
            (model._meta.fields[name].column_name, model._meta.fields[name].default)
            for name in CACHE_COLUMNS.get(table, ())
            if name != "updated_at"  # a change of the catalogue's own, not a ledger's cache
        )
        cache_columns = {column for column, _default in caches}
        plain: list[str] = []
        refs: list[_Ref] = []
        for f in fields:
            if f.column_name in cache_columns or f.name == "revision":
                continue
            if f.name == "id" and f.primary_key:
                continue  # local ids stay local
            if isinstance(f, ForeignKeyField):
                target = f.rel_model._meta.table_name
                if target not in MASTER_KEYS:
                    raise RuntimeError(f"master table {table} refers to {target}, which is not pulled")
                refs.append(
                    _Ref(
                        f.column_name,
                        target,
                        f.rel_model._meta.fields[MASTER_KEYS[target]].column_name,
                        f.rel_field.column_name,
                        bool(f.null),
                    )
                )
            else:
                plain.append(f.column_name)
        out[table] = _Plan(
            table,
            model,
            key_field.column_name,
            pk.column_name,
            tuple(plain),
            tuple(refs),
            caches,
            unique_key=bool(key_field.unique or key_field.primary_key) and key != ORIGIN_KEY,
        )
    return out


# --------------------------------------------------------------------------- the centre


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class _Centre:
    """Reads at the centre inside the pull's snapshot; a lost connection is CentralUnreachable."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        try:
            return [tuple(row) for row in self.db.execute_sql(sql, tuple(params)).fetchall()]
        except (OperationalError, InterfaceError) as exc:
            with contextlib.suppress(Exception):
                self.db.close()
            connection.mark(False)
            raise connection.unreachable(exc) from exc

    def value(self, sql: str, params: Sequence[Any] = ()) -> Any:
        found = self.rows(sql, params)
        return found[0][0] if found else None

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """One REPEATABLE READ, READ ONLY transaction: every read of the pull sees one state."""
        try:
            self.db.execute_sql("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        except (OperationalError, InterfaceError) as exc:
            with contextlib.suppress(Exception):
                self.db.close()
            connection.mark(False)
            raise connection.unreachable(exc) from exc
        try:
            yield
        finally:
            try:
                self.db.execute_sql("ROLLBACK")  # read only: nothing to keep
            except Exception:  # a broken connection: it ends the transaction by itself
                with contextlib.suppress(Exception):
                    self.db.close()


def _select(plan: _Plan) -> str:
    """SELECT revision, central id, the plain columns, the references' natural keys."""
    cols = ["t.revision", f"t.{_q('id')}" if plan.by_origin else "NULL"]
    cols += [f"t.{_q(c)}" for c in plan.plain]
    joins = []
    for i, ref in enumerate(plan.refs):
        if ref.target_column == ref.key_column:
            cols.append(f"t.{_q(ref.column)}")
            continue
        cols.append(f"r{i}.{_q(ref.key_column)}")
        joins.append(f"LEFT JOIN {_q(ref.table)} r{i} ON r{i}.{_q(ref.target_column)} = t.{_q(ref.column)}")
    return f"SELECT {', '.join(cols)} FROM {_q(plan.table)} t {' '.join(joins)}"


def snapshot_revision(centre: _Centre) -> int:
    """The highest revision this snapshot sees (of master rows and tombstones). Not the
    sequence's last value: that counts revisions of transactions not committed yet."""
    parts = [f"(SELECT MAX(revision) FROM {_q(table)})" for table in MASTER_KEYS]
    parts.append(f"(SELECT MAX(revision) FROM {_q(TOMBSTONES)})")
    return int(centre.value(f"SELECT COALESCE(GREATEST({', '.join(parts)}), 0)") or 0)


# --------------------------------------------------------------------------- the terminal


def _local_value(value: Any) -> Any:
    """What SQLite stores for a value the centre gave (as Peewee would have written it)."""
    if isinstance(value, datetime):
        return value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _local_ids(table: str, key_column: str, target_column: str, keys: Iterable[Any]) -> dict[Any, Any]:
    """Natural key -> local id of the rows of ``table`` that exist here."""
    wanted = sorted({k for k in keys if k is not None}, key=str)
    found: dict[Any, Any] = {}
    for part in _chunks(wanted):
        marks = ", ".join([database.param] * len(part))
        sql = f"SELECT {_q(key_column)}, {_q(target_column)} FROM {_q(table)} WHERE {_q(key_column)} IN ({marks})"
        for key, local in database.execute_sql(sql, tuple(part)).fetchall():
            found[key] = local
    return found


def _origin_ids(table: str, origins: Iterable[str]) -> dict[str, int]:
    wanted = sorted(set(origins))
    found: dict[str, int] = {}
    for part in _chunks(wanted):
        marks = ", ".join([database.param] * len(part))
        sql = f"SELECT origin, local_id FROM sync_origin WHERE tbl = {database.param} AND origin IN ({marks})"
        for origin, local in database.execute_sql(sql, (table, *part)).fetchall():
            found[str(origin)] = int(local)
    return found


def _deferred_mark(table: str) -> str:
    return f"pull_deferred:{table}"


def _deferred(table: str) -> set[str]:
    text = identity.get(_deferred_mark(table))
    return set(json.loads(text)) if text else set()


def _pending_changes(table: str) -> set[int]:
    """Local ids of rows of the shared ``table`` (members, gift cards, coupons) this terminal
    changed and the centre has not acknowledged yet."""
    high_water = identity.int_value("high_water")
    sql = f"SELECT row_id FROM sync_capture WHERE outbox > {database.param} AND tbl = {database.param}"
    return {int(row_id) for (row_id,) in database.execute_sql(sql, (high_water, table)).fetchall()}


def _put_marks(values: dict[str, str | None]) -> None:
    """Progress marks, written only when they change (a pull with nothing new writes nothing)."""
    changed = {k: v for k, v in values.items() if identity.get(k) != v}
    if changed:
        identity.put(changed)


@contextmanager
def _local_tx() -> Iterator[None]:
    """One batch of the pull: a local write transaction that forgets what the capture triggers
    caught, so the rows that came down never go back up."""
    with write_tx():
        yield
        discard()


@dataclass
class _Tally:
    rows: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    tombstones: int = 0
    ledger_rows: int = 0
    balances: int = 0
    notes: list[str] = field(default_factory=list)


class _Puller:
    """One pull: the centre's snapshot and what was written so far."""

    def __init__(self, centre: _Centre, terminal: str, batch: int) -> None:
        self.centre = centre
        self.terminal = terminal
        self.batch = max(1, batch)
        self.tally = _Tally()
        self.plans = plans()
        self.deferred: dict[str, set[str]] = defaultdict(set)  # table -> keys put off in this batch

    # -- master rows -------------------------------------------------------------------------

    def master(self, upto: int) -> None:
        for table, plan in self.plans.items():
            self._first_rows(plan)
            self._put_off_rows(plan)
            mark = identity.int_value(pulled_mark(table))
            while mark < upto:
                rows = self.centre.rows(
                    f"{_select(plan)} WHERE t.revision > %s AND t.revision <= %s ORDER BY t.revision LIMIT %s",
                    (mark, upto, self.batch),
                )
                top = int(rows[-1][0]) if len(rows) == self.batch else upto
                with _local_tx():
                    self._write(plan, rows)
                    self._keep_deferred()
                    _put_marks({pulled_mark(table): str(top)})
                mark = top

    def _put_off_rows(self, plan: _Plan) -> None:
        """Rows an earlier pull put off (this terminal had changed them and not yet sent the
        change): taken now from the snapshot, once the change is sent."""
        keys = _deferred(plan.table)
        if not keys:
            return
        with _local_tx():
            self._fetch_keys(plan, sorted(keys), 0)  # still pending ones are put off again
            self._keep_deferred(replace={plan.table})

    def _keep_deferred(self, replace: set[str] | frozenset[str] = frozenset()) -> None:
        """Record the keys put off in this batch (in its transaction): the next pull takes them."""
        tables = set(self.deferred) | set(replace)
        marks: dict[str, str | None] = {}
        for table in tables:
            keys = set(self.deferred.get(table, set())) | (set() if table in replace else _deferred(table))
            marks[_deferred_mark(table)] = json.dumps(sorted(keys)) if keys else None
        self.deferred.clear()
        if marks:
            _put_marks(marks)

    def _first_rows(self, plan: _Plan) -> None:
        """Rows without a revision (the centre had them before it numbered changes), on the
        first pull of the table, in primary key order."""
        key = _first_mark(plan.table)
        last = identity.get(key)
        if last == "*":
            return
        pk = _q(plan.pk_column)
        while True:
            where = "t.revision IS NULL"
            params: list[Any] = []
            if last is not None:
                where += f" AND t.{pk} > %s"
                params.append(int(last) if plan.pk_column == "id" else last)
            rows = self.centre.rows(
                f"{_select(plan).replace('SELECT ', f'SELECT t.{pk}, ', 1)} WHERE {where} ORDER BY t.{pk} LIMIT %s",
                (*params, self.batch),
            )
            done = len(rows) < self.batch
            with _local_tx():
                self._write(plan, [row[1:] for row in rows])
                last = "*" if done else str(rows[-1][0])
                _put_marks({key: last})
            if done:
                return

    def _fetch_keys(self, plan: _Plan, keys: Sequence[Any], depth: int) -> None:
        """Rows of ``plan`` this batch refers to that are not here yet (a store's price list,
        pulled later in the order; a member's referrer, changed later): taken first, from the
        same snapshot. Their own turn writes them again."""
        if depth > _DEPTH:
            raise StateError(_("The centre's {table} rows refer to each other too deeply").format(table=plan.table))
        rows = self.centre.rows(f"{_select(plan)} WHERE t.{_q(plan.key_column)} = ANY(%s)", (list(keys),))
        self._write(plan, rows, depth + 1)

    def _resolve(self, plan: _Plan, rows: Sequence[Row], depth: int) -> list[dict[Any, Any]]:
        """Per reference of ``plan``: natural key -> local id, fetching rows not here yet."""
        maps: list[dict[Any, Any]] = []
        start = 2 + len(plan.plain)
        for i, ref in enumerate(plan.refs):
            keys = {row[start + i] for row in rows} - {None}
            found = _local_ids(ref.table, ref.key_column, ref.target_column, keys)
            missing = sorted(keys - set(found), key=str)
            if missing:
                self._fetch_keys(self.plans[ref.table], missing, depth)
                found.update(_local_ids(ref.table, ref.key_column, ref.target_column, missing))
                still = sorted(keys - set(found), key=str)
                if still:
                    raise StateError(
                        _("The centre's {table} refers to {target} {keys}, which it does not have").format(
                            table=plan.table, target=ref.table, keys=", ".join(map(str, still[:5]))
                        )
                    )
            maps.append(found)
        return maps

    def _write(self, plan: _Plan, rows: Sequence[Row], depth: int = 0) -> None:
        """Insert or update ``rows`` (as :func:`_select` reads them) by natural key. A row this
        terminal changed and has not sent yet (a member edited at the till) is put off: the
        centre's older version must not overwrite the change before the push has built its body."""
        rows = self._without_pending(plan, rows)
        if not rows:
            return
        maps = self._resolve(plan, rows, depth)
        start = 2 + len(plan.plain)
        local: list[tuple[Row, Row]] = []  # (values, the central row)
        for row in rows:
            values = [_local_value(v) for v in row[2:start]]
            values += [maps[i].get(row[start + i]) if row[start + i] is not None else None for i in range(len(maps))]
            values.append(row[0])
            local.append((tuple(values), row))
        columns = [*plan.plain, *(ref.column for ref in plan.refs), "revision"]
        if plan.unique_key:
            self._upsert(plan, columns, local)
        else:
            for one, row in local:
                self._match(plan, columns, one, row)
        self.tally.rows[plan.table] += len(rows)

    def _without_pending(self, plan: _Plan, rows: Sequence[Row]) -> Sequence[Row]:
        # read inside the batch's write transaction (BEGIN IMMEDIATE keeps the till out): a change the
        # till commits while the pull runs is seen here, never overwritten by the centre's older row
        pending = _pending_changes(plan.table)
        if not pending or plan.by_origin:
            return rows
        at = 2 + plan.plain.index(plan.key_column)
        ids = _local_ids(plan.table, plan.key_column, plan.pk_column, [row[at] for row in rows])
        held = {key for key, local_id in ids.items() if local_id in pending}
        if not held:
            return rows
        self.deferred[plan.table].update(str(key) for key in held)
        return [row for row in rows if row[at] not in held]

    def _upsert(self, plan: _Plan, columns: list[str], local: list[tuple[Row, Row]]) -> None:
        all_columns = [*columns, *(c for c, _d in plan.caches)]
        updates = ", ".join(f"{_q(c)} = excluded.{_q(c)}" for c in columns if c != plan.key_column)
        marks = ", ".join([database.param] * len(all_columns))
        sql = (
            f"INSERT INTO {_q(plan.table)} ({', '.join(map(_q, all_columns))}) VALUES ({marks}) "
            f"ON CONFLICT ({_q(plan.key_column)}) DO UPDATE SET {updates}"
        )
        starts = tuple(default() if callable(default) else default for _c, default in plan.caches)
        params = [values + starts for values, _row in local]
        try:
            with database.atomic():
                database.cursor().executemany(sql, params)
        except (IntegrityError, sqlite3.IntegrityError):
            for values in params:  # one by one: make room for each row a local one stands in the way of
                self._insert_clearing(plan, sql, all_columns, values)

    def _insert_clearing(self, plan: _Plan, sql: str, columns: list[str], values: Row) -> None:
        for _attempt in range(2):
            try:
                with database.atomic():
                    database.execute_sql(sql, values)
                return
            except (IntegrityError, sqlite3.IntegrityError) as exc:
                error = exc
                if not self._clear_clashes(plan, dict(zip(columns, values, strict=True))):
                    break
        key = dict(zip(columns, values, strict=True)).get(plan.key_column)
        raise StateError(
            _("The centre's {table} {key} cannot be written here: {error}").format(
                table=plan.table, key=key, error=error
            )
        ) from error

    def _clear_clashes(self, plan: _Plan, values: dict[str, Any]) -> bool:
        """Another local row holds a unique value (a phone number, a card) the centre gave this
        row: the centre's word wins; the other row loses the value (it is the centre's row too,
        changed later in this pull, or a local one whose change the centre will judge)."""
        cleared = False
        for f in plan.model._meta.sorted_fields:
            column = f.column_name
            if not f.unique or not f.null or column == plan.key_column or values.get(column) is None:
                continue
            sql = (
                f"UPDATE {_q(plan.table)} SET {_q(column)} = NULL WHERE {_q(column)} = {database.param} "
                f"AND {_q(plan.key_column)} <> {database.param}"
            )
            count = database.execute_sql(sql, (values[column], values[plan.key_column])).rowcount
            if count:
                cleared = True
                self.tally.notes.append(
                    _("{table}: {column} {value} moved to {key} as at the centre").format(
                        table=plan.table, column=column, value=values[column], key=values[plan.key_column]
                    )
                )
        return cleared

    def _match(self, plan: _Plan, columns: list[str], values: Row, row: Row) -> None:
        """A table whose key is not unique here: by origin (``c:<central id>``) or the first row
        with the key (loyalty rules by digest)."""
        P = database.param
        if plan.by_origin:
            origin = f"{CENTRAL}:{row[1]}"
            found = _origin_ids(plan.table, [origin])
            local_id = found.get(origin)
        else:
            key = values[columns.index(plan.key_column)]
            hit = database.execute_sql(
                f"SELECT {_q(plan.pk_column)} FROM {_q(plan.table)} WHERE {_q(plan.key_column)} = {P} "
                f"ORDER BY {_q(plan.pk_column)} LIMIT 1",
                (key,),
            ).fetchone()
            local_id = None if hit is None else hit[0]
        if local_id is not None:
            sets = ", ".join(f"{_q(c)} = {P}" for c in columns)
            database.execute_sql(
                f"UPDATE {_q(plan.table)} SET {sets} WHERE {_q(plan.pk_column)} = {P}", (*values, local_id)
            )
            return
        all_columns = [*columns, *(c for c, _d in plan.caches)]
        starts = tuple(default() if callable(default) else default for _c, default in plan.caches)
        cursor = database.execute_sql(
            f"INSERT INTO {_q(plan.table)} ({', '.join(map(_q, all_columns))}) "
            f"VALUES ({', '.join([P] * len(all_columns))})",
            values + starts,
        )
        if plan.by_origin:
            database.execute_sql(
                f"INSERT INTO sync_origin (tbl, origin, local_id) VALUES ({P}, {P}, {P})",
                (plan.table, f"{CENTRAL}:{row[1]}", cursor.lastrowid),
            )

    # -- deletions ---------------------------------------------------------------------------

    def tombstones(self, upto: int) -> None:
        mark = identity.int_value(pulled_mark(TOMBSTONES))
        while mark < upto:
            rows = self.centre.rows(
                "SELECT revision, tbl, key FROM sync_tombstone WHERE revision > %s AND revision <= %s "
                "ORDER BY revision LIMIT %s",
                (mark, upto, self.batch),
            )
            top = int(rows[-1][0]) if len(rows) == self.batch else upto
            alive = self._alive(rows)
            with _local_tx():
                for _revision, table, key in rows:
                    if table in self.plans and (table, key) not in alive:
                        self._delete(self.plans[table], key)
                _put_marks({pulled_mark(TOMBSTONES): str(top)})
            mark = top

    def _alive(self, rows: Sequence[Row]) -> set[tuple[str, str]]:
        """The deleted keys the centre has again (deleted, then made anew): their rows stay."""
        keys: dict[str, set[str]] = defaultdict(set)
        for _revision, table, key in rows:
            if table in self.plans and key is not None:
                keys[table].add(str(key))
        alive: set[tuple[str, str]] = set()
        for table, wanted in keys.items():
            column = _q(self.plans[table].key_column)
            found = self.centre.rows(
                f"SELECT {column}::text FROM {_q(table)} WHERE {column}::text = ANY(%s)", (sorted(wanted),)
            )
            alive.update((table, str(key)) for (key,) in found)
        return alive

    def _delete(self, plan: _Plan, key: str) -> None:
        """Delete the local row of a deleted central one; a row this terminal's own rows still
        refer to is deactivated instead (or kept, and said so, when it cannot be)."""
        P = database.param
        param: Any = key
        where = f"{_q(plan.key_column)} = {P}"
        if plan.by_origin:
            origin = f"{CENTRAL}:{key}"
            param = _origin_ids(plan.table, [origin]).get(origin)
            if param is None:
                return
            where = f"{_q(plan.pk_column)} = {P}"
        try:
            with database.atomic():
                count = database.execute_sql(f"DELETE FROM {_q(plan.table)} WHERE {where}", (param,)).rowcount
                if plan.by_origin:
                    database.execute_sql(
                        f"DELETE FROM sync_origin WHERE tbl = {P} AND origin = {P}", (plan.table, f"{CENTRAL}:{key}")
                    )
        except (IntegrityError, sqlite3.IntegrityError):
            if "active" in plan.model._meta.fields:
                database.execute_sql(f"UPDATE {_q(plan.table)} SET active = {P} WHERE {where}", (False, param))
                self.tally.notes.append(
                    _("{table} {key} was deleted at the centre; kept here, inactive: records here refer to it").format(
                        table=plan.table, key=key
                    )
                )
            else:
                self.tally.notes.append(
                    _("{table} {key} was deleted at the centre; kept here: records here refer to it").format(
                        table=plan.table, key=key
                    )
                )
            self.tally.tombstones += 1
            return
        if count:
            self.tally.tombstones += 1

    # -- the other terminals' ledger rows ----------------------------------------------------

    def ledger(self) -> None:
        seen = identity.int_value(LEDGER_SEEN)
        upto = int(self.centre.value("SELECT COALESCE(MAX(id), 0) FROM sync_ledger") or 0)
        while seen < upto:
            rows = self.centre.rows(
                'SELECT id, origin, tbl, data, ledger, document, terminal, store, "key", place, amount, at '
                "FROM sync_ledger WHERE id > %s AND id <= %s AND terminal <> %s ORDER BY id LIMIT %s",
                (seen, upto, self.terminal, self.batch),
            )
            top = int(rows[-1][0]) if len(rows) == self.batch else upto
            with _local_tx():
                self._ledger_rows(rows)
                _put_marks({LEDGER_SEEN: str(top)})
            seen = top

    def _ledger_rows(self, rows: Sequence[Row]) -> None:
        spend = [row for row in rows if row[4] == SPEND]
        if spend:
            self._spend_rows(spend)
            rows = [row for row in rows if row[4] != SPEND]
        wanted: dict[str, list[str]] = defaultdict(list)
        for _id, origin, table, _data, *_rest in rows:
            wanted[table].append(str(origin))
        have = {(table, origin) for table, origins in wanted.items() for origin in _origin_ids(table, origins)}
        stock: list[tuple[int, int, int, int]] = []  # product, location, qty, value
        P = database.param
        for _id, origin, table, data, *_rest in rows:
            model = LEDGER_MODELS.get(table)
            if model is None or (table, origin) in have:
                continue
            values = self._ledger_values(model, origin, json.loads(data) if isinstance(data, str) else data)
            if values is None:
                continue
            local_id = int(model.insert(values).execute())
            database.execute_sql(
                f"INSERT INTO sync_origin (tbl, origin, local_id) VALUES ({P}, {P}, {P})", (table, origin, local_id)
            )
            have.add((table, origin))
            self.tally.ledger_rows += 1
            if model is m.StockMovement:
                stock.append((values["product"], values["location"], values["qty"], values.get("value") or 0))
        if stock:
            self._stock_caches(stock)

    def _spend_rows(self, rows: Sequence[Row]) -> None:
        """The other terminals' ``spend`` rows (a member's sales and returns as the tiers count
        them, docs/sync-tiers.md) go into this terminal's own ``sync_ledger`` as they are: the
        tiers read them there (unique ``origin``: never taken twice)."""
        P = database.param
        values = []
        for _id, origin, table, data, ledger, document, terminal, store, key, place, amount, at in rows:
            text = data if isinstance(data, str) else json.dumps(data)
            values.append(
                (origin, document, terminal, store, table, ledger, key, place or "", amount, _local_value(at), text)
            )
        cursor = database.cursor()
        cursor.executemany(
            'INSERT INTO sync_ledger (origin, document, terminal, store, tbl, ledger, "key", place, amount, at, data) '
            f"VALUES ({', '.join([P] * 11)}) ON CONFLICT (origin) DO NOTHING",
            values,
        )
        self.tally.ledger_rows += max(0, cursor.rowcount)

    def _ledger_values(self, model: type[Model], origin: str, data: dict[str, Any]) -> dict[str, Any] | None:
        """The local row of another terminal's ledger row: its references back to local ids.
        None (and a note) when a reference it cannot do without is not here."""
        table = model._meta.table_name
        values: dict[str, Any] = {}
        for f in model._meta.sorted_fields:
            if f.name == "id":
                continue
            raw = data.get(f.name)
            if isinstance(f, ForeignKeyField):
                local = None if raw is None else self._reference(model, f, str(raw))
                if local is None and not f.null:
                    self.tally.notes.append(
                        _(
                            "{table} {origin} from another terminal was left out: its {field} {value} is not here"
                        ).format(table=table, origin=origin, field=f.name, value=raw)
                    )
                    return None
                if local is None and raw is not None and f.name == "lot":
                    self.tally.notes.append(
                        _("{table} {origin}: the lot it takes from ({lot}) is not here").format(
                            table=table, origin=origin, lot=raw
                        )
                    )
                values[f.name] = local
            elif raw is None:
                if not f.null and f.default is not None:
                    values[f.name] = f.default() if callable(f.default) else f.default
                else:
                    values[f.name] = None
            elif isinstance(f, DateTimeField):
                at = datetime.fromisoformat(str(raw))
                values[f.name] = at if at.tzinfo is None else at.astimezone(UTC).replace(tzinfo=None)
            elif isinstance(f, DateField):
                values[f.name] = date.fromisoformat(str(raw)[:10])
            elif isinstance(f, BooleanField):
                values[f.name] = bool(raw)
            else:
                values[f.name] = raw
        return values

    def _reference(self, model: type[Model], f: ForeignKeyField, raw: str) -> int | None:
        target = f.rel_model
        table = target._meta.table_name
        if target is m.Sale:  # the sale is another terminal's; here only when it is this one's
            row = database.execute_sql(f"SELECT id FROM sale WHERE uid = {database.param}", (raw,)).fetchone()
            return None if row is None else int(row[0])
        if table in MASTER_KEYS and MASTER_KEYS[table] != ORIGIN_KEY:
            column = target._meta.fields[MASTER_KEYS[table]].column_name
            found = _local_ids(table, column, f.rel_field.column_name, [raw])
            return found.get(raw)
        # a row of the same kind or one without a natural key: its origin
        prefix = f"{self.terminal}:{table}:"
        if raw.startswith(prefix) and raw[len(prefix) :].isdigit():
            local_id = int(raw[len(prefix) :])
            exists = database.execute_sql(f"SELECT 1 FROM {_q(table)} WHERE id = {database.param}", (local_id,))
            return local_id if exists.fetchone() else None
        return _origin_ids(table, [raw]).get(raw)

    def _stock_caches(self, moved: Sequence[tuple[int, int, int, int]]) -> None:
        """The caches the stock ledger keeps (docs/stock.md): on hand and value per product, on
        hand per product and location; the movements' own values, as the terminal posted them."""
        per_product: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        per_place: dict[tuple[int, int], int] = defaultdict(int)
        for product, location, qty, value in moved:
            per_product[product][0] += qty
            per_product[product][1] += value
            per_place[(product, location)] += qty
        P = database.param
        database.cursor().executemany(
            f"UPDATE product SET stock = stock + {P}, stock_value = stock_value + {P} WHERE id = {P}",
            [(qty, value, product) for product, (qty, value) in per_product.items()],
        )
        fast.upsert_add_many(
            m.StockLevel,
            ("product", "location"),
            "qty",
            [(product, location, qty) for (product, location), qty in per_place.items() if qty],
        )

    # -- balances ----------------------------------------------------------------------------

    def balances(self) -> None:
        """The changed balances, then the mark the offline bound reads (docs/sync-guard.md): this
        terminal's high-water in the same snapshot, so every own document up to it is inside them."""
        seen = identity.int_value(BALANCE_SEEN)
        upto = int(self.centre.value("SELECT COALESCE(MAX(revision), 0) FROM sync_balance") or 0)
        mine = self.centre.value("SELECT high_water FROM sync_terminal WHERE terminal = %s", (self.terminal,))
        P = database.param
        while seen < upto:
            rows = self.centre.rows(
                'SELECT ledger, "key", place, amount, revision FROM sync_balance '
                "WHERE revision > %s AND revision <= %s ORDER BY revision LIMIT %s",
                (seen, upto, self.batch),
            )
            top = int(rows[-1][4]) if len(rows) == self.batch else upto
            with _local_tx():
                database.cursor().executemany(
                    'INSERT INTO sync_balance (ledger, "key", place, amount, revision) '
                    f"VALUES ({P}, {P}, {P}, {P}, {P}) "
                    'ON CONFLICT (ledger, "key", place) DO UPDATE SET amount = excluded.amount, '
                    "revision = excluded.revision",
                    rows,
                )
                _put_marks({BALANCE_SEEN: str(top)})
            self.tally.balances += len(rows)
            seen = top
        if mine is not None:
            _put_marks({BALANCE_MARK: str(int(mine))})


def _run(db: Database, terminal: str, batch: int) -> PullResult:
    centre = _Centre(db)
    puller = _Puller(centre, terminal, batch)
    with centre.snapshot():
        upto = snapshot_revision(centre)
        puller.master(upto)
        puller.tombstones(upto)
        puller.ledger()
        puller.balances()
    tally = puller.tally
    return PullResult(
        revision=upto,
        rows={table: n for table, n in tally.rows.items() if n},
        tombstones=tally.tombstones,
        ledger_rows=tally.ledger_rows,
        balances=tally.balances,
        notes=tuple(tally.notes),
    )


def pull_from(db: Database, terminal: str, now: datetime, *, batch: int = BATCH) -> PullResult:
    """:func:`pull` from an open central database ``db`` (``join`` uses it)."""
    try:
        result = _run(db, terminal, batch)
        if identity.get(cards.LOCAL_KEY) is None:  # joined before card blocks were given out
            cards.keep_block(db, terminal)
    except CentralUnreachable as exc:
        with _local_tx():
            _put_marks({"online": "0", "last_error": str(exc)})
        raise
    with _local_tx():
        stamp = identity.stamp(now)
        marks: dict[str, str | None] = {"pulled": str(result.revision), "last_pull": stamp, "last_contact": stamp}
        _put_marks({**marks, "online": "1", "last_error": None})
    connection.mark(True)
    return result


def pull(now: datetime, *, url: str | None = None, batch: int = BATCH) -> PullResult:
    """Bring this terminal up to the centre: master data, deletions, the other terminals' ledger
    rows and the balances. ``url``: the centre (default: the one this terminal joined).
    :class:`CentralUnreachable` when the centre cannot be reached or the line drops half way
    (what came down so far stays, whole; the next pull goes on)."""
    joined = identity.require()
    db = connection.link(url or joined.central)
    return pull_from(db, joined.terminal, now, batch=batch)

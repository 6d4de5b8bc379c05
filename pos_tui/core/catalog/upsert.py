"""Creating and changing products in bulk, streamed: the one way products are written.

:func:`upsert_numbered` reads its rows as they come (an import of a million lines never holds
the file or its rows in memory), checks and writes them a chunk at a time inside **one**
transaction, and rolls everything back if any row was bad: all rows or none, and every bad
row named with its line, field and reason.

How a streamed run still sees the whole file
    Rows already written are in the database, inside the same transaction, so a later row
    is checked against them by the same lookups that check it against the stored catalogue.
    What only the run knows is kept compact: for every product id the line that touched it
    (an ``array`` of ints, 4 bytes a product), the codes and barcodes of bad rows (bounded by
    the errors), and the barcodes a row takes from a product that a *later* row may still
    release ("moves", resolved at the end).

Speed
    Rows go to the database through ``executemany`` with plain statements. Loading an empty
    catalogue drops the secondary indexes and the name index's insert trigger and builds them
    once at the end (the unique code and barcode indexes stay: the lookups need them); the
    names of each chunk are indexed by one ``INSERT … SELECT``
    (:func:`pos_tui.store.search.index_range`).
"""

from __future__ import annotations

import queue
import threading
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from itertools import islice
from typing import Any, NamedTuple, TypeVar

from peewee import Field, Model, fn

from pos_tui import store
from pos_tui.core.catalog.barcodes import normalize_barcode
from pos_tui.core.catalog.products import CODE_LENGTH, NAME_LENGTH, UNITS, ProductInput, UpsertResult
from pos_tui.core.kernel import costing
from pos_tui.core.kernel.clock import to_db
from pos_tui.core.kernel.errors import ImportRejected, RowError, ValidationError
from pos_tui.core.kernel.formatting import format_money
from pos_tui.core.kernel.vocabulary import field_label
from pos_tui.i18n import _
from pos_tui.store import database, fast, is_sqlite, search, write_tx
from pos_tui.store import models as m
from pos_tui.text import fold, search_key, words

T = TypeVar("T")

CHUNK = 2000  # rows checked and written together
_IN_CHUNK = 500  # IN (...) lists stay below every backend's parameter limit
# A chunk creating at least this many products indexes their names in one statement instead
# of row by row (the insert trigger is dropped for the rest of the run).
BULK_SEARCH = 500


class _Stored(NamedTuple):
    id: int
    code: str
    name: str
    unit: str
    price: int
    cost: int
    kdv_rate: int
    category_id: int | None
    supplier_id: int | None
    min_stock: int
    stock: int
    active: bool
    stock_value: int


_STORED_FIELDS = (
    m.Product.id,
    m.Product.code,
    m.Product.name,
    m.Product.unit,
    m.Product.price,
    m.Product.cost,
    m.Product.kdv_rate,
    m.Product.category,
    m.Product.supplier,
    m.Product.min_stock,
    m.Product.stock,
    m.Product.active,
    m.Product.stock_value,
)

# Product columns written, in this order (id last for UPDATE … WHERE id).
_WRITE_FIELDS = (
    m.Product.code,
    m.Product.name,
    m.Product.name_key,
    m.Product.unit,
    m.Product.price,
    m.Product.cost,
    m.Product.kdv_rate,
    m.Product.category,
    m.Product.supplier,
    m.Product.min_stock,
    m.Product.stock,
    m.Product.active,
    m.Product.updated_at,
    m.Product.stock_value,
)


class _Row(NamedTuple):
    """A checked row resolved to the values it will store (kuruş, milli-units, ids)."""

    line: int
    stored: _Stored | None
    code: str
    name: str
    unit: str
    price: int
    cost: int
    kdv_rate: int
    category_id: int | None
    supplier_id: int | None
    min_stock: int
    stock: int
    active: bool
    barcodes: tuple[str, ...] | None  # None: keep the stored ones


class _Move(NamedTuple):
    """A barcode a row takes from a product no row has touched yet: decided at the end."""

    line: int
    barcode: str
    owner: int
    code: str  # the taking product's code (its id may not exist yet)


def _quote(name: str) -> str:
    q = database.quote
    return f"{q[0]}{name}{q[1]}"


def _table(model: type[Model]) -> str:
    return _quote(model._meta.table_name)


def _insert_sql(model: type[Model], fields: Sequence[Field]) -> str:
    columns = ", ".join(_quote(f.column_name) for f in fields)
    return f"INSERT INTO {_table(model)} ({columns}) VALUES ({', '.join([database.param] * len(fields))})"


_SM = m.StockMovement
_MOVEMENT_FIELDS = (_SM.product, _SM.at, _SM.qty, _SM.kind, _SM.location, _SM.unit_cost, _SM.value)


def _update_sql() -> str:
    assignments = ", ".join(f"{_quote(f.column_name)} = {database.param}" for f in _WRITE_FIELDS)
    return f"UPDATE {_table(m.Product)} SET {assignments} WHERE {_quote(m.Product.id.column_name)} = {database.param}"


def _lookup(field: Field, keys: Iterable[Any], *select: Field) -> Iterator[tuple[Any, ...]]:
    """``SELECT select FROM table WHERE field IN (keys)`` in chunks, as plain SQL: rendering a
    500-value IN list through Peewee costs more than running it."""
    columns = ", ".join(_quote(f.column_name) for f in select)
    head = f"SELECT {columns} FROM {_quote(field.model._meta.table_name)} WHERE {_quote(field.column_name)} IN "
    keys = list(keys)
    for start in range(0, len(keys), _IN_CHUNK):
        chunk = keys[start : start + _IN_CHUNK]
        sql = head + "(" + ", ".join([database.param] * len(chunk)) + ")"
        yield from database.execute_sql(sql, chunk)


def _check_code(text: str) -> str | None:
    if not text:
        return _("code is empty")
    if len(text) > CODE_LENGTH:
        return _("code is longer than {n} characters").format(n=CODE_LENGTH)
    if not text.isprintable():
        return _("code has characters that cannot be typed")
    return None


def _supplier_code(name: str, taken: set[str]) -> str:
    """A new supplier's code: the reference itself when it is short and free, else a slug."""
    if len(name) <= 32 and " " not in name and name not in taken:
        return name
    base = ("-".join(words(name)).upper() or "SUPPLIER")[: CODE_LENGTH - 6]
    code, n = base, 1
    while code in taken:
        n += 1
        code = f"{base}-{n}"
    return code


def _also_on(template: str, value: str, line: int) -> str:
    """``template`` (with ``{code}`` and an escaped ``{{line}}``) filled in; a code may hold
    braces itself, so the line goes in before the code does."""
    return template.replace("{{line}}", str(line)).format(code=value)


def upsert_products(
    rows: Iterable[ProductInput],
    *,
    now: datetime,
    kdv_rates: Sequence[int],
    default_kdv_rate: int | None = None,
    lines: Iterable[int] | None = None,
    source: str = "products",
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> UpsertResult:
    """:func:`upsert_numbered` for rows numbered by ``lines`` (default 1, 2, 3…)."""
    numbered: Iterable[tuple[int, ProductInput]] = (
        enumerate(rows, start=1) if lines is None else zip(lines, rows, strict=True)
    )
    return upsert_numbered(
        numbered,
        now=now,
        kdv_rates=kdv_rates,
        default_kdv_rate=default_kdv_rate,
        source=source,
        dry_run=dry_run,
        progress=progress,
    )


def _read_ahead(rows: Iterable[T], size: int) -> Iterator[list[T]]:
    """``rows`` in lists of ``size``. After a first full list, the rest are read by a thread
    one list ahead: reading and checking a file is Python work and writing a chunk is mostly
    the database's own (which lets other threads run), so on two cores they overlap."""
    it = iter(rows)
    first = list(islice(it, size))
    if len(first) < size:
        if first:
            yield first
        return
    yield first
    ready: queue.Queue[list[T] | BaseException | None] = queue.Queue(maxsize=2)
    stop = threading.Event()

    def read() -> None:
        try:
            while not stop.is_set() and (chunk := list(islice(it, size))):
                while not stop.is_set():
                    try:
                        ready.put(chunk, timeout=0.1)
                        break
                    except queue.Full:
                        continue
            item: BaseException | None = None
        except BaseException as exc:  # re-raised in the caller's thread
            item = exc
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    reader = threading.Thread(target=read, name="upsert-read-ahead", daemon=True)
    reader.start()
    try:
        while (item := ready.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        reader.join()


class _RolledBack(Exception):
    def __init__(self, result: UpsertResult) -> None:
        self.result = result


def upsert_numbered(
    rows: Iterable[tuple[int, ProductInput]],
    *,
    now: datetime,
    kdv_rates: Sequence[int],
    default_kdv_rate: int | None = None,
    source: str = "products",
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> UpsertResult:
    """Create or update products from ``(line, row)`` pairs, in one transaction: all rows or none.

    A row is matched by ``code``; a row without a code by any of its barcodes already known
    (or, when none is, it creates a product whose code is its first barcode). Every row is
    checked: its values, duplicates of earlier rows, barcodes owned by another product,
    barcodes pointing at two products. A barcode may move to another product only when its
    old product, updated in the same run (before or after), no longer lists it. On any
    problem :class:`ImportRejected` lists them all by line and nothing is written. ``dry_run``
    checks and counts, then rolls back. ``progress(n)`` is called as rows are written. A new
    product without ``kdv_rate`` gets ``default_kdv_rate``, or is refused when that is None.
    """
    run = _Run(now=now, kdv_rates=tuple(kdv_rates), default_kdv_rate=default_kdv_rate)
    advance = progress or (lambda n: None)
    try:
        with write_tx():
            run.start()
            for chunk in _read_ahead(rows, CHUNK):
                run.chunk(chunk)
                advance(len(chunk))
            run.finish()
            if run.problems:
                run.problems.sort(key=lambda e: e.line)
                raise ImportRejected(source, run.problems)
            result = UpsertResult(run.created, run.updated, run.unchanged)
            if dry_run:
                raise _RolledBack(result)
    except _RolledBack as rolled_back:
        return rolled_back.result
    return result


@dataclass
class _Run:
    """One streamed upsert: what it has learnt so far (see the module's docstring)."""

    now: datetime
    kdv_rates: tuple[int, ...]
    default_kdv_rate: int | None
    problems: list[RowError] = field(default_factory=list)
    # by product id: the line that touched it, negative when that row kept the stored barcodes
    line_of: array[int] = field(default_factory=lambda: array("i"))
    bad_codes: dict[str, int] = field(default_factory=dict)
    bad_barcodes: dict[str, int] = field(default_factory=dict)
    moves: list[_Move] = field(default_factory=list)
    categories: dict[str, int] = field(default_factory=dict)  # folded name -> id
    category_keys: dict[str, str] = field(default_factory=dict)  # as written -> folded
    suppliers_by_code: dict[str, int] = field(default_factory=dict)
    suppliers_by_name: dict[str, list[int]] = field(default_factory=dict)
    resolved_suppliers: dict[str, int | None] = field(default_factory=dict)
    supplier_codes: set[str] | None = None
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    empty_at_start: bool = False
    rebuilt_indexes: list[str] | None = None  # CREATE INDEX statements to run at the end
    bulk_search: bool = False

    def __post_init__(self) -> None:
        stamp = to_db(self.now)
        self.stamp = stamp
        # sqlite3 would turn the datetime into this same text once per row (its default adapter)
        self.at: datetime | str = stamp.isoformat(" ") if is_sqlite() else stamp
        self.rates = set(self.kdv_rates)
        # composed here, not at import: the placeholder and quotes are the open backend's
        self.update_sql = _update_sql()
        self.product_insert = _insert_sql(m.Product, _WRITE_FIELDS)
        self.barcode_insert = _insert_sql(m.Barcode, (m.Barcode.code, m.Barcode.product))
        self.movement_insert = _insert_sql(m.StockMovement, _MOVEMENT_FIELDS)
        self.level_insert = _insert_sql(m.StockLevel, (m.StockLevel.product, m.StockLevel.location, m.StockLevel.qty))
        self.location = 0  # the default stock location, where an import's stock is booked (start())

    # -- set-up and end --------------------------------------------------------------------

    def start(self) -> None:
        for cid, cname in store.rows(m.Category.select(m.Category.id, m.Category.name).order_by(m.Category.id)):
            self.categories.setdefault(fold(cname), cid)
        for sid, scode, sname in store.rows(m.Supplier.select(m.Supplier.id, m.Supplier.code, m.Supplier.name)):
            self.suppliers_by_code[scode] = sid
            self.suppliers_by_name.setdefault(fold(sname), []).append(sid)
        default = m.StockLocation.select(m.StockLocation.id).where(m.StockLocation.is_default).scalar()
        self.location = int(default or 0)
        top = m.Product.select(fn.MAX(m.Product.id)).scalar() or 0
        self._grow(top)
        self.empty_at_start = top == 0 and not m.Product.select().exists()

    def _grow(self, top: int) -> None:
        if top >= len(self.line_of):
            self.line_of.frombytes(bytes(4 * (top + 1 - len(self.line_of))))

    def _touch(self, product_id: int, line: int, listed: bool) -> None:
        self._grow(product_id)
        self.line_of[product_id] = line if listed else -line

    def _line(self, product_id: int) -> int:
        return self.line_of[product_id] if product_id < len(self.line_of) else 0

    def _bulk_load(self) -> None:
        """An empty catalogue loaded in bulk: secondary indexes and the name index are built
        once at the end. Unique indexes stay, since every chunk's lookups use them."""
        statements: list[str] = []
        for model in (m.Product, m.Barcode, m.StockMovement):
            for index in database.get_indexes(model._meta.table_name):
                if not index.unique and index.sql:
                    statements.append(index.sql)
                    database.execute_sql(f"DROP INDEX {_quote(index.name)}")
        self.rebuilt_indexes = statements
        self._bulk_search()

    def _bulk_search(self) -> None:
        if not self.bulk_search:
            search.bulk_insert_begin(database)
            self.bulk_search = True

    def finish(self) -> None:
        self._resolve_moves()
        if self.rebuilt_indexes is not None:
            for sql in self.rebuilt_indexes:
                database.execute_sql(sql)
        if self.bulk_search:
            search.bulk_insert_end(database)

    def _resolve_moves(self) -> None:
        for move in self.moves:
            holder = next(_lookup(m.Barcode.code, [move.barcode], m.Barcode.product), None)
            if holder is None:  # released by its product's row: it moves
                taker = next(_lookup(m.Product.code, [move.code], m.Product.id), None)
                if taker is not None:  # else the row turned out bad, and the run fails anyway
                    database.execute_sql(self.barcode_insert, (move.barcode, taker[0]))
                continue
            line = self._line(holder[0])
            if line > 0:
                reason = _also_on(_("barcode {code} is also on line {{line}}"), move.barcode, line)
            else:
                other = next(_lookup(m.Product.id, [holder[0]], m.Product.code, m.Product.name))
                reason = _("barcode {code} already belongs to product {other} ({name})").format(
                    code=move.barcode, other=other[0], name=other[1]
                )
            self.problems.append(RowError(move.line, "barcode", reason))

    # -- one chunk -------------------------------------------------------------------------

    def chunk(self, items: list[tuple[int, ProductInput]]) -> None:
        problems = self.problems
        bad: set[int] = set()

        def add(k: int, field_name: str, reason: str) -> None:
            problems.append(RowError(items[k][0], field_name, reason))
            bad.add(k)

        # 1. Each row alone, and against the rows before it in this chunk and bad rows before.
        codes: list[str | None] = []
        barcode_lists: list[tuple[str, ...] | None] = []
        first_code: dict[str, int] = {}  # code -> index in this chunk
        first_barcode: dict[str, int] = {}
        for k, (_line, row) in enumerate(items):
            code = row.code.strip() if row.code is not None else None
            if code is not None and (problem := _check_code(code)) is not None:
                add(k, "code", problem)
            elif code is not None:
                if code in first_code:
                    other = items[first_code[code]][0]
                    add(k, "code", _also_on(_("code {code} is also on line {{line}}"), code, other))
                elif code in self.bad_codes:
                    add(k, "code", _also_on(_("code {code} is also on line {{line}}"), code, self.bad_codes[code]))
                else:
                    first_code[code] = k
            bcs: tuple[str, ...] | None = None
            if row.barcodes is not None:
                valid: dict[str, None] = {}
                for raw in row.barcodes:
                    try:
                        bc = normalize_barcode(raw)
                    except ValidationError as exc:
                        add(k, "barcode", exc.message)
                        continue
                    other_k = first_barcode.setdefault(bc, k)
                    if other_k != k:
                        add(k, "barcode", _also_on(_("barcode {code} is also on line {{line}}"), bc, items[other_k][0]))
                    elif bc in self.bad_barcodes:
                        template = _("barcode {code} is also on line {{line}}")
                        add(k, "barcode", _also_on(template, bc, self.bad_barcodes[bc]))
                    else:
                        valid[bc] = None
                bcs = tuple(valid)
            if row.code is None and row.barcodes is None:
                add(k, "code", _("a row needs a code or a barcode"))
            codes.append(code)
            barcode_lists.append(bcs)

        # 2. What the database holds (the stored catalogue and the rows written so far).
        wanted = set(first_code)
        for k, (_line, row) in enumerate(items):
            bcs = barcode_lists[k]
            if row.code is None and bcs:
                wanted.add(bcs[0])
        by_code = {r[1]: _Stored(*r) for r in _lookup(m.Product.code, wanted, *_STORED_FIELDS)}
        owner: dict[str, int] = dict(_lookup(m.Barcode.code, first_barcode, m.Barcode.code, m.Barcode.product))
        by_id = {s.id: s for s in by_code.values()}
        for r in _lookup(m.Product.id, {pid for pid in owner.values() if pid not in by_id}, *_STORED_FIELDS):
            by_id[r[0]] = _Stored(*r)

        # 3. The stored product (if any) each row targets, and its final code.
        targets: list[_Stored | None] = []
        final_codes: list[str | None] = []
        target_row: dict[int, int] = {}  # product id -> index in this chunk
        for k, (_line, row) in enumerate(items):
            code, target, bcs = codes[k], None, barcode_lists[k]
            by_barcode = False
            if code is not None:
                target = by_code.get(code)
            elif row.code is None and bcs:
                owners = sorted({owner[b] for b in bcs if b in owner})
                if len(owners) > 1:
                    listed = ", ".join(by_id[o].code for o in owners)
                    add(k, "barcode", _("the barcodes belong to different products ({codes})").format(codes=listed))
                elif owners:
                    target, by_barcode = by_id[owners[0]], True
                else:
                    target = by_code.get(bcs[0])
                code = target.code if target is not None else bcs[0]
                if target is None:
                    if code in first_code:
                        other = items[first_code[code]][0]
                        add(k, "code", _also_on(_("code {code} is also on line {{line}}"), code, other))
                    elif code in self.bad_codes:
                        add(k, "code", _also_on(_("code {code} is also on line {{line}}"), code, self.bad_codes[code]))
                    else:
                        first_code[code] = k
            if target is not None:
                before = abs(self._line(target.id))
                if not before and target.id in target_row:
                    before = items[target_row[target.id]][0]
                if before:
                    template = (
                        _("product {code} is also on line {{line}}")
                        if by_barcode
                        else _("code {code} is also on line {{line}}")
                    )
                    add(k, "code", _also_on(template, target.code, before))
                else:
                    target_row[target.id] = k
            targets.append(target)
            final_codes.append(code)

        # 4. Barcodes owned by another product: a move within this chunk, an error, or a move
        #    decided at the end (the owner's row may come later and release the barcode).
        replaced = {
            t.id: k for k, t in enumerate(targets) if t is not None and barcode_lists[k] is not None and k not in bad
        }
        held: dict[int, set[str]] = {}
        for bc, pid in _lookup(m.Barcode.product, replaced, m.Barcode.code, m.Barcode.product):
            held.setdefault(pid, set()).add(bc)
        release: set[str] = set()
        for pid, bcs_held in held.items():
            release |= bcs_held - set(barcode_lists[replaced[pid]] or ())
        deferred: set[str] = set()
        for bc, pid in owner.items():
            k = first_barcode[bc]
            target = targets[k]
            if (target is not None and target.id == pid) or bc in release:
                continue
            line = self._line(pid)
            if line > 0:
                add(k, "barcode", _also_on(_("barcode {code} is also on line {{line}}"), bc, line))
            elif line < 0 or pid in target_row:
                holder = by_id[pid]
                add(
                    k,
                    "barcode",
                    _("barcode {code} already belongs to product {other} ({name})").format(
                        code=bc, other=holder.code, name=holder.name
                    ),
                )
            elif k not in bad and final_codes[k] is not None:
                deferred.add(bc)
                self.moves.append(_Move(items[k][0], bc, pid, final_codes[k] or ""))

        # 5. Values: each row merged with what is stored, checked, classified.
        creates: list[_Row] = []
        updates: list[_Row] = []
        for k, (line, row) in enumerate(items):
            resolved = self._values(k, line, row, targets[k], final_codes[k], barcode_lists[k], add)
            if resolved is None or k in bad:
                continue
            target = targets[k]
            if target is None:
                creates.append(resolved)
            elif _changed(resolved, target, held.get(target.id, set())):
                updates.append(resolved)
            else:
                self.unchanged += 1
                self._touch(target.id, line, barcode_lists[k] is not None)

        # Bad rows' codes and barcodes, for the rows after them.
        for k in bad:
            line = items[k][0]
            if codes[k] is not None:
                self.bad_codes.setdefault(codes[k] or "", line)
            for bc in barcode_lists[k] or ():
                self.bad_barcodes.setdefault(bc, line)

        self._write(creates, updates, release, held, deferred)

    def _values(
        self,
        k: int,
        line: int,
        row: ProductInput,
        target: _Stored | None,
        code: str | None,
        bcs: tuple[str, ...] | None,
        add: Callable[[int, str, str], None],
    ) -> _Row | None:
        if code is None:  # no code and no usable barcode: the row's error is written already (step 1)
            return None
        before = len(self.problems)
        name = row.name.strip() if row.name is not None else (target.name if target else None)
        if name is None:
            add(k, "name", _("a new product needs a name"))
        elif not name:
            add(k, "name", _("name is empty"))
        elif len(name) > NAME_LENGTH:
            add(k, "name", _("name is longer than {n} characters").format(n=NAME_LENGTH))
        unit = row.unit if row.unit is not None else (target.unit if target else "piece")
        if unit not in UNITS:
            add(k, "unit", _("unit {unit} is not one of {units}").format(unit=unit, units=", ".join(UNITS)))
        price = _kurus(add, k, "price", row.price, target.price if target else None)
        if row.price is None and target is None:
            add(k, "price", _("a new product needs a price"))
        cost = _kurus(add, k, "cost", row.cost, target.cost if target else 0)
        kdv = row.kdv_rate if row.kdv_rate is not None else (target.kdv_rate if target else self.default_kdv_rate)
        if kdv is None:
            add(k, "kdv_rate", _("a new product needs a KDV rate"))
        elif kdv not in self.rates and (row.kdv_rate is not None or target is None):
            rate_list = ", ".join(map(str, self.kdv_rates))
            add(k, "kdv_rate", _("KDV rate {rate} is not one of {rates}").format(rate=kdv, rates=rate_list))
        min_stock = row.min_stock if row.min_stock is not None else (target.min_stock if target else 0)
        if min_stock < 0:
            add(k, "min_stock", _("minimum stock cannot be negative"))
        stock = row.stock if row.stock is not None else (target.stock if target else 0)
        for field_name, qty in (("min_stock", min_stock), ("stock", stock)):
            if abs(qty) >= 2**53:  # milli-units; beyond this a SUM of movements leaves exact integers
                add(k, field_name, _("{field} is too large").format(field=field_label(field_name)))
        active = row.active if row.active is not None else (bool(target.active) if target else True)
        category_id = self._category(k, row, target, add)
        supplier_id = self._supplier(k, row, target, add)
        if len(self.problems) > before:
            return None
        assert code is not None and name is not None and price is not None and cost is not None and kdv is not None
        return _Row(
            line,
            target,
            code,
            name,
            unit,
            price,
            cost,
            kdv,
            category_id,
            supplier_id,
            min_stock,
            stock,
            bool(active),
            bcs,
        )

    def _category(
        self, k: int, row: ProductInput, target: _Stored | None, add: Callable[[int, str, str], None]
    ) -> int | None:
        if row.category is None:
            return target.category_id if target else None
        cname = row.category.strip()
        if len(cname) > 128:
            add(k, "category", _("category is longer than {n} characters").format(n=128))
            return None
        if not cname:
            return None
        key = self.category_keys.get(cname) or self.category_keys.setdefault(cname, fold(cname))
        found = self.categories.get(key)
        if found is None:  # created now: the transaction takes it back if the run fails
            found = self.categories[key] = m.Category.create(name=cname).id
        return found

    def _supplier(
        self, k: int, row: ProductInput, target: _Stored | None, add: Callable[[int, str, str], None]
    ) -> int | None:
        if row.supplier is None:
            return target.supplier_id if target else None
        ref = row.supplier.strip()
        if not ref:
            return None
        if ref not in self.resolved_suppliers:
            matches = self.suppliers_by_name.get(fold(ref), [])
            if ref in self.suppliers_by_code:
                self.resolved_suppliers[ref] = self.suppliers_by_code[ref]
            elif len(matches) > 1:
                add(k, "supplier", _("several suppliers are named {name}; use the supplier's code").format(name=ref))
                return None
            elif len(ref) > NAME_LENGTH:
                add(k, "supplier", _("supplier is longer than {n} characters").format(n=NAME_LENGTH))
                return None
            else:
                self.resolved_suppliers[ref] = matches[0] if matches else self._new_supplier(ref)
        return self.resolved_suppliers[ref]

    def _new_supplier(self, ref: str) -> int:
        if self.supplier_codes is None:
            self.supplier_codes = set(self.suppliers_by_code)
        code = _supplier_code(ref, self.supplier_codes)
        self.supplier_codes.add(code)
        supplier_id = int(m.Supplier.create(code=code, name=ref, created_at=self.stamp).id)
        self.suppliers_by_code[code] = supplier_id
        self.suppliers_by_name.setdefault(fold(ref), []).append(supplier_id)
        return supplier_id

    # -- writing ---------------------------------------------------------------------------

    def _values_of(self, row: _Row, state: costing.CostState) -> tuple[Any, ...]:
        return (
            row.code,
            row.name,
            search_key(row.name),
            row.unit,
            row.price,
            state.cost,
            row.kdv_rate,
            row.category_id,
            row.supplier_id,
            row.min_stock,
            row.stock,
            row.active,
            self.at,
            state.value,
        )

    def _costed(self, row: _Row) -> tuple[costing.CostState, list[tuple[int, str, int, int]]]:
        """The row's cost state after the import and the movements that take it there, each
        ``(qty, kind, unit cost, value)``: a changed ``cost`` sets the average cost (the stock on
        hand revalued at it, a ``revalue`` movement), a changed ``stock`` books the difference at
        the default location at that cost (kernel.costing has the rule)."""
        stored = row.stored
        state = costing.CostState(stored.stock, stored.stock_value, stored.cost) if stored else costing.CostState()
        steps: list[tuple[int, str, int, int]] = []
        if row.cost != state.cost:
            step = costing.revalue(state, row.cost)
            if step.value:
                steps.append((0, "revalue", step.unit_cost, step.value))
            state = step.state
        if row.stock != state.qty:
            step = costing.move(state, row.stock - state.qty)
            steps.append((row.stock - state.qty, "import", step.unit_cost, step.value))
            state = step.state
        return state, steps

    def _movements(self, pid: int, steps: list[tuple[int, str, int, int]]) -> list[tuple[Any, ...]]:
        return [(pid, self.at, qty, kind, self.location, unit_cost, value) for qty, kind, unit_cost, value in steps]

    def _write(
        self,
        creates: list[_Row],
        updates: list[_Row],
        release: set[str],
        held: dict[int, set[str]],
        deferred: set[str],
    ) -> None:
        cursor = database.cursor()
        if self.empty_at_start and self.rebuilt_indexes is None and len(creates) >= CHUNK // 2:
            self._bulk_load()
        elif len(creates) >= BULK_SEARCH:
            self._bulk_search()
        # Barcodes leaving their product go first, so another row may take them.
        sorted_release = sorted(release)
        for start in range(0, len(sorted_release), _IN_CHUNK):
            part = sorted_release[start : start + _IN_CHUNK]
            m.Barcode.delete().where(m.Barcode.code.in_(part)).execute()

        if updates:
            barcodes: list[tuple[str, int]] = []
            movements: list[tuple[Any, ...]] = []
            values: list[tuple[Any, ...]] = []
            for r in updates:
                assert r.stored is not None
                pid = r.stored.id
                state, steps = self._costed(r)
                values.append((*self._values_of(r, state), pid))
                movements += self._movements(pid, steps)
                self._touch(pid, r.line, r.barcodes is not None)
                kept = held.get(pid, set())
                barcodes += [(bc, pid) for bc in r.barcodes or () if bc not in kept and bc not in deferred]
            cursor.executemany(self.update_sql, values)
            cursor.executemany(self.barcode_insert, barcodes)
            cursor.executemany(self.movement_insert, movements)
            fast.upsert_add_many(
                m.StockLevel,
                ("product", "location"),
                "qty",
                [(mv[0], self.location, mv[2]) for mv in movements if mv[2]],
            )
            self.updated += len(updates)

        if creates:
            top = m.Product.select(fn.MAX(m.Product.id)).scalar() or 0
            costed = [self._costed(r) for r in creates]
            cursor.executemany(
                self.product_insert, [self._values_of(r, st) for r, (st, _steps) in zip(creates, costed, strict=True)]
            )
            last = m.Product.select(fn.MAX(m.Product.id)).scalar() or 0
            if last - top == len(creates):  # every new id above the old top, one each: in order
                ids = list(range(top + 1, last + 1))
            else:  # ids handed out elsewhere meanwhile (a PostgreSQL sequence): ask by code
                found = dict(_lookup(m.Product.code, [r.code for r in creates], m.Product.code, m.Product.id))
                ids = [found[r.code] for r in creates]
            self._grow(max(ids))
            barcodes = []
            movements = []
            for r, pid, (_state, steps) in zip(creates, ids, costed, strict=True):
                self.line_of[pid] = r.line if r.barcodes is not None else -r.line
                barcodes += [(bc, pid) for bc in r.barcodes or () if bc not in deferred]
                movements += self._movements(pid, steps)
            cursor.executemany(self.barcode_insert, barcodes)
            cursor.executemany(self.movement_insert, movements)
            cursor.executemany(self.level_insert, [(mv[0], self.location, mv[2]) for mv in movements if mv[2]])
            if self.bulk_search:
                search.index_range(database, min(ids), max(ids))
            self.created += len(creates)


def _kurus(
    add: Callable[[int, str, str], None], k: int, field_name: str, value: Decimal | None, stored: int | None
) -> int | None:
    if value is None:
        return stored
    if not value.is_finite():
        add(k, field_name, _("{field} is not a number").format(field=field_label(field_name)))
        return None
    scaled = value * 100  # to_kurus without the quantize: this runs a million times in an import
    kurus = int(scaled)
    if kurus != scaled:
        add(k, field_name, _("Amount {amount} has more than two decimals").format(amount=format_money(value)))
        return None
    if kurus < 0:
        add(k, field_name, _("{field} cannot be negative").format(field=field_label(field_name)))
        return None
    if kurus >= 2**53:
        add(k, field_name, _("{field} is too large").format(field=field_label(field_name)))
        return None
    return kurus


def _changed(row: _Row, stored: _Stored, stored_barcodes: set[str]) -> bool:
    values = (
        row.name,
        row.unit,
        row.price,
        row.cost,
        row.kdv_rate,
        row.category_id,
        row.supplier_id,
        row.min_stock,
        row.stock,
        row.active,
    )
    stored_values = (
        stored.name,
        stored.unit,
        stored.price,
        stored.cost,
        stored.kdv_rate,
        stored.category_id,
        stored.supplier_id,
        stored.min_stock,
        stored.stock,
        bool(stored.active),
    )
    return values != stored_values or (row.barcodes is not None and set(row.barcodes) != stored_barcodes)


def stale_search_keys(*, batch: int = 5000) -> Iterator[tuple[int, str, str]]:
    """``(id, code, key)`` of every product whose ``name_key`` is not its name's search key (a
    name changed outside pos_tui), with the key it should have; streamed in id order."""
    last = 0
    while True:
        rows = list(
            database.execute_sql(
                f"SELECT {_quote('id')}, {_quote('code')}, {_quote('name')}, {_quote('name_key')} "
                f"FROM {_table(m.Product)} WHERE {_quote('id')} > {database.param} "
                f"ORDER BY {_quote('id')} LIMIT {database.param}",
                (last, batch),
            )
        )
        if not rows:
            return
        for pid, code, name, key in rows:
            wanted = search_key(name)
            if wanted != key:
                yield pid, code, wanted
        last = rows[-1][0]


def reindex_names() -> int:
    """Put right every product's search key and build the name index again from the names, in
    one transaction (``pos-admin db reindex``); returns how many keys were wrong."""
    with write_tx():
        fixes = [(key, pid) for pid, _code, key in stale_search_keys()]
        update = (
            f"UPDATE {_table(m.Product)} SET {_quote('name_key')} = {database.param} "
            f"WHERE {_quote('id')} = {database.param}"
        )
        database.cursor().executemany(update, fixes)
        search.rebuild(database)
    return len(fixes)

"""The catalog: products and their barcodes, scanning, Turkish-aware search, bulk upsert.

Reading
    :func:`scan` turns what the cashier typed or scanned into a product (and, for a scale
    label, a quantity or a price); :func:`get_product` does the same for admin tools, inactive
    products included; :func:`search_products` finds products by the words of their name.

Search
    Every folded word of every name (:func:`pos_tui.text.words`) is a row of
    ``product_word``. A query's words must each be the prefix of some word of the name. The
    rarest query word (probed with a capped count) drives an index range scan
    ``word >= w AND word < successor(w)``; the other words filter with ``EXISTS`` on the
    product's own words. Both are plain SQL comparisons that use the ``(word, product)``
    primary key on SQLite and PostgreSQL alike (no ``LIKE``, whose index use depends on the
    collation). The range scan is capped (:data:`SEARCH_CANDIDATES`, :data:`SEARCH_SCAN`)
    and only those candidates are ordered by name, so a one-letter query on a million
    products costs about the same as a precise one; a vague query shows the first matches,
    and another word narrows it.

Writing
    :func:`upsert_products` is the one way products are created or changed, in bulk, in one
    transaction: it validates every row against the others and the database first and
    writes nothing if any row is bad (:class:`~pos_tui.core.kernel.errors.ImportRejected` lists
    them all). ``Product.stock`` is a cache of ``SUM(stock_movement.qty)``: setting a stock
    writes an ``import`` movement of the difference.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, NamedTuple

from peewee import JOIN, SQL, Field, Model, Select, chunked, fn

from pos_tui import store
from pos_tui.core.catalog.barcodes import has_valid_check_digit, is_gtin_length, normalize_barcode, parse_scale_label
from pos_tui.core.kernel.clock import to_db
from pos_tui.core.kernel.errors import ImportRejected, NotFound, RowError, ValidationError
from pos_tui.core.kernel.formatting import format_money
from pos_tui.core.kernel.money import MILLI, from_kurus, qty_to_decimal, to_kurus
from pos_tui.core.kernel.vocabulary import field_label
from pos_tui.i18n import _
from pos_tui.settings import ScaleLabelMask
from pos_tui.store import database, is_sqlite, write_tx
from pos_tui.store import models as m
from pos_tui.store.fast import select_rendered
from pos_tui.text import fold, words

UNITS = ("piece", "kg", "lt", "m")
SEARCH_CANDIDATES = 1000  # a one-word query orders at most this many matches by name
SEARCH_SCAN = 2000  # a many-word query reads at most this many entries of its rarest word
WORD_LENGTH = 64  # ProductWord.word max_length
NAME_LENGTH = 255
CODE_LENGTH = 64

# Lookups with IN (...) are chunked below every backend's parameter limit.
_IN_CHUNK = 500
_WORD = re.compile(r"[0-9a-z]+")  # a word of a folded name, as in pos_tui.text.words
_WRITE_CHUNK = 5000
# An initial load at least this big rebuilds the secondary indexes once instead of updating
# them row by row (several times faster for a million products).
BULK_INDEX_REBUILD = 20_000


@dataclass(frozen=True, slots=True)
class ProductInfo:
    """A product as services and screens see it. Money in lira, quantities in milli-units."""

    id: int
    code: str
    name: str
    unit: str
    price: Decimal
    cost: Decimal
    kdv_rate: int
    category: str | None
    supplier: str | None
    min_stock: int
    stock: int
    active: bool
    barcodes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ScanResult:
    """What a scan means for the cart.

    ``qty_milli`` is set by scale labels (grams for a weight label; derived from the price
    for a price label on a weighed product). ``line_price`` is set by price labels: it is
    exactly what the customer pays for the line. ``barcode`` is the barcode or label scanned,
    None when the product was found by its code (PLU).
    """

    product: ProductInfo
    barcode: str | None
    qty_milli: int | None
    line_price: Decimal | None


class ProductInput(NamedTuple):
    """One product row to create or update, keyed by ``code`` (or by a known barcode).

    ``None`` means "not given": an update keeps the stored value and a new product gets the
    default (unit ``piece``, cost 0, no category or supplier, min stock 0, stock 0, active).
    ``category`` and ``supplier`` set to ``""`` clear them. ``barcodes``, when given, is the
    product's complete list: barcodes it no longer lists are removed. ``stock`` sets the
    stock level (a movement of the difference is recorded). New products need ``name`` and
    ``price``; without a code, a new product takes its first barcode as its code.
    (A named tuple rather than a dataclass: an import builds a million of them.)
    """

    code: str | None = None
    barcodes: tuple[str, ...] | None = None
    name: str | None = None
    unit: str | None = None
    price: Decimal | None = None
    cost: Decimal | None = None
    kdv_rate: int | None = None
    category: str | None = None
    supplier: str | None = None
    min_stock: int | None = None
    stock: int | None = None
    active: bool | None = None


@dataclass(frozen=True, slots=True)
class UpsertResult:
    created: int
    updated: int
    unchanged: int


# ---------------------------------------------------------------------------------------------
# Reading


def _select() -> Any:
    return (
        m.Product.select(
            m.Product.id,
            m.Product.code,
            m.Product.name,
            m.Product.unit,
            m.Product.price,
            m.Product.cost,
            m.Product.kdv_rate,
            m.Category.name,
            m.Supplier.name,
            m.Product.min_stock,
            m.Product.stock,
            m.Product.active,
        )
        .join(m.Category, JOIN.LEFT_OUTER, on=(m.Product.category == m.Category.id))
        .switch(m.Product)
        .join(m.Supplier, JOIN.LEFT_OUTER, on=(m.Product.supplier == m.Supplier.id))
    )


def _with_codes(*codes: str) -> Any:
    return _select().where(m.Product.code.in_(codes))


def _with_barcodes(*codes: str) -> Any:
    query = _select().select_extend(m.Barcode.code).switch(m.Product)
    return query.join(m.Barcode, on=(m.Barcode.product == m.Product.id)).where(m.Barcode.code.in_(codes))


def _barcodes_of(*ids: int) -> Any:
    return (
        m.Barcode.select(m.Barcode.product, m.Barcode.code)
        .where(m.Barcode.product.in_(ids))
        .order_by(m.Barcode.product, m.Barcode.code)
    )


def _slices(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    """``items`` in consecutive slices of at most ``size``.

    For lists already in memory: Peewee's ``chunked`` pads every chunk to ``size`` and pops
    the padding back off, which on a scan (one id) cost more than the query.
    """
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _infos(query: Any) -> list[ProductInfo]:
    return _infos_of(list(store.rows(query)))


def _infos_of(rows: Sequence[tuple[Any, ...]]) -> list[ProductInfo]:
    """ProductInfos from rows of :func:`_select` (extra trailing columns are ignored)."""
    if not rows:
        return []
    barcodes: dict[int, list[str]] = {}
    for chunk in _slices([r[0] for r in rows], _IN_CHUNK):
        for pid, code in select_rendered("barcodes_of", _barcodes_of, *chunk):
            barcodes.setdefault(pid, []).append(code)
    return [
        ProductInfo(
            id=r[0],
            code=r[1],
            name=r[2],
            unit=r[3],
            price=from_kurus(r[4]),
            cost=from_kurus(r[5]),
            kdv_rate=r[6],
            category=r[7],
            supplier=r[8],
            min_stock=r[9],
            stock=r[10],
            active=bool(r[11]),
            barcodes=tuple(barcodes.get(r[0], ())),
        )
        for r in rows
    ]


def product_by_id(product_id: int) -> ProductInfo:
    found = _infos(_select().where(m.Product.id == product_id))
    if not found:
        raise NotFound(_("No product with id {id}").format(id=product_id))
    return found[0]


def _barcode_variants(code: str) -> list[str]:
    """A UPC-A is the EAN-13 with a leading zero: scanners send either form."""
    if len(code) == 12 and code.isdigit():
        return [code, "0" + code]
    if len(code) == 13 and code.startswith("0") and code.isdigit():
        return [code, code[1:]]
    return [code]


def _by_barcode(code: str) -> tuple[ProductInfo, str] | None:
    variants = _barcode_variants(code)
    rows = select_rendered("by_barcode", _with_barcodes, *variants)
    for variant in variants:
        for row in rows:
            if row[-1] == variant:
                return _infos_of([row])[0], variant
    return None


def _by_code(code: str) -> ProductInfo | None:
    found = _infos_of(select_rendered("by_code", _with_codes, code))
    return found[0] if found else None


def _by_plu(plu: str) -> ProductInfo | None:
    """A scale's PLU is zero-padded: ``00042`` is product code ``00042`` or ``42``."""
    stripped = plu.lstrip("0") or "0"
    found = {p.code: p for p in _infos_of(select_rendered("by_code", _with_codes, *dict.fromkeys((plu, stripped))))}
    return found.get(plu) or found.get(stripped)


def get_product(code_or_barcode: str) -> ProductInfo:
    """A product by barcode or by code, active or not (for admin tools; the till uses :func:`scan`)."""
    text = code_or_barcode.strip()
    hit = _by_barcode(text)
    if hit is not None:
        return hit[0]
    info = _by_code(text)
    if info is None:
        raise NotFound(_("No product with barcode or code {code}").format(code=text))
    return info


def _sellable(info: ProductInfo) -> ProductInfo:
    if not info.active:
        raise ValidationError(_("Product {code} ({name}) is not for sale").format(code=info.code, name=info.name))
    return info


def _round_div(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` rounded half-up, for non-negative integers."""
    return (2 * numerator + denominator) // (2 * denominator)


def scan(code: str, masks: Sequence[ScaleLabelMask]) -> ScanResult:
    """Resolve a scanned or typed code: barcode, then scale label, then product code (PLU).

    Raises :class:`ValidationError` for a damaged scale label or GTIN (bad check digit), a
    label that does not fit the product (a weight on a piece product), or an inactive
    product; :class:`NotFound` when nothing matches.
    """
    text = code.strip()
    if not text:
        raise ValidationError(_("Nothing was scanned"))
    hit = _by_barcode(text)
    if hit is not None:
        return ScanResult(_sellable(hit[0]), hit[1], None, None)
    label = parse_scale_label(text, masks)
    if label is not None:
        info = _by_plu(label.plu)
        if info is None:
            raise NotFound(_("Scale label {code}: no product with PLU {plu}").format(code=text, plu=label.plu))
        _sellable(info)
        if label.grams is not None:
            if info.unit != "kg":
                raise ValidationError(
                    _("Scale label {code} carries a weight, but {name} is sold by {unit}").format(
                        code=text, name=info.name, unit=info.unit
                    )
                )
            return ScanResult(info, text, label.grams, None)
        assert label.price_kurus is not None
        line_price = from_kurus(label.price_kurus)
        if info.unit == "piece":
            return ScanResult(info, text, MILLI, line_price)
        unit_kurus = to_kurus(info.price)
        if unit_kurus <= 0:
            raise ValidationError(
                _("Scale label {code}: {name} has no price, so the quantity cannot be derived").format(
                    code=text, name=info.name
                )
            )
        qty = max(1, _round_div(label.price_kurus * MILLI, unit_kurus))
        return ScanResult(info, text, qty, line_price)
    info = _by_code(text)
    if info is not None:
        return ScanResult(_sellable(info), None, None, None)
    if is_gtin_length(text) and not has_valid_check_digit(text):
        raise ValidationError(_("Barcode {code}: bad check digit; scan it again").format(code=text))
    raise NotFound(_("No product with barcode or code {code}").format(code=text))


def _successor(prefix: str) -> str | None:
    """The smallest string above every string starting with ``prefix`` (words are ``[0-9a-z]+``).

    Trailing ``z`` carry over (``abz`` → ``ac``); ``9`` steps to ``a``. Staying inside the
    word alphabet keeps the bound right under any collation that sorts digits before
    letters, which every common one does. None when there is no upper bound (``zz``).
    """
    head = prefix.rstrip("z")
    if not head:
        return None
    last = head[-1]
    return head[:-1] + ("a" if last == "9" else chr(ord(last) + 1))


def _word_range(column: Field, prefix: str) -> Any:
    upper = _successor(prefix)
    condition = column >= prefix
    return condition if upper is None else condition & (column < upper)


def _capped_count(lower: str, *upper_and_cap: Any) -> Any:
    """``SELECT COUNT(1) FROM (the first ``cap`` entries in [lower, upper))``; parameters in
    the order the SQL uses them, as :func:`~pos_tui.store.fast.select_rendered` needs."""
    pw = m.ProductWord
    *upper, cap = upper_and_cap
    condition = pw.word >= lower if not upper else (pw.word >= lower) & (pw.word < upper[0])
    return Select([pw.select(SQL("1")).where(condition).limit(cap)], [fn.COUNT(SQL("1"))])


def _matches_up_to(word: str, cap: int) -> int:
    """How many index entries start with ``word``, counting no further than ``cap``.

    Through :func:`~pos_tui.store.fast.select_rendered`: a many-word search probes every word, and rendering each probe
    through Peewee cost about as much as running it.
    """
    upper = _successor(word)
    bounds = (word,) if upper is None else (word, upper)
    return int(select_rendered("word_count", _capped_count, *bounds, cap)[0][0])


def search_query(query: str, limit: int = 50, *, include_inactive: bool = False) -> Any | None:
    """The SELECT behind :func:`search_products` (exposed so tests can EXPLAIN it); None for
    a query without words.

    One word: the first :data:`SEARCH_CANDIDATES` index entries of its range, ordered by
    name. Several words: each is probed (its range counted up to :data:`SEARCH_SCAN`), the
    rarest drives (at most :data:`SEARCH_SCAN` entries) and the others filter with EXISTS.
    """
    qwords = list(dict.fromkeys(w[:WORD_LENGTH] for w in words(query)))
    if not qwords:
        return None
    if len(qwords) > 1:
        counts = {w: _matches_up_to(w, SEARCH_SCAN + 1) for w in qwords}  # SCAN or less: it all fits
        qwords.sort(key=lambda w: (counts[w], -len(w)))
    driver, others = qwords[0], qwords[1:]
    pw = m.ProductWord
    driving = pw.select(pw.product).where(_word_range(pw.word, driver))
    select = _select().where(m.Product.id.in_(driving.limit(SEARCH_SCAN if others else SEARCH_CANDIDATES)))
    for other in others:
        alias = pw.alias()
        exists = alias.select(SQL("1")).where((alias.product == m.Product.id) & _word_range(alias.word, other))
        select = select.where(fn.EXISTS(exists))
    if not include_inactive:
        select = select.where(m.Product.active == True)  # noqa: E712 (a SQL expression)
    return select.order_by(m.Product.name_key, m.Product.id).limit(limit)


def search_products(query: str, limit: int = 50, *, include_inactive: bool = False) -> list[ProductInfo]:
    """Products whose name has, for every word of ``query``, a word starting with it.

    Turkish-aware: ``ISPARTA``, ``ısparta``, ``Isparta`` and ``İSPARTA`` all find
    "Isparta Gülü", and so does ``gul``. Results are ordered by name among a bounded set of
    candidates (:func:`search_query`).
    """
    select = search_query(query, limit, include_inactive=include_inactive)
    return [] if select is None else _infos(select)


def iter_products(*, batch: int = 2000, include_inactive: bool = True) -> Iterator[tuple[ProductInfo, str | None]]:
    """Every product in code order with its supplier's code, streamed in batches (for exports)."""
    last_code: str | None = None
    while True:
        q = _select().select_extend(m.Supplier.code)
        if not include_inactive:
            q = q.where(m.Product.active == True)  # noqa: E712
        if last_code is not None:
            q = q.where(m.Product.code > last_code)
        rows = list(store.rows(q.order_by(m.Product.code).limit(batch)))
        if not rows:
            return
        for info, r in zip(_infos_of(rows), rows, strict=True):
            yield info, r[-1]
        last_code = rows[-1][1]


def product_record(info: ProductInfo) -> dict[str, Any]:
    """A product as JSON for ``pos-admin products show/search``: amounts ``"12.50"``,
    quantities as decimal strings (``"1.5"``)."""
    return {
        "id": info.id,
        "code": info.code,
        "name": info.name,
        "unit": info.unit,
        "price": f"{info.price:.2f}",
        "cost": f"{info.cost:.2f}",
        "kdv_rate": info.kdv_rate,
        "category": info.category,
        "supplier": info.supplier,
        "min_stock": str(qty_to_decimal(info.min_stock)),
        "stock": str(qty_to_decimal(info.stock)),
        "active": info.active,
        "barcodes": list(info.barcodes),
    }


# ---------------------------------------------------------------------------------------------
# Writing


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
)

# Product columns written by the bulk path, in this order (id last for UPDATE … WHERE id).
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
)


class _Row(NamedTuple):
    """A validated row resolved to the values it will store (kuruş, milli-units, ids)."""

    stored: _Stored | None
    code: str
    name: str
    name_key: str
    unit: str
    price: int
    cost: int
    kdv_rate: int
    category_id: int | None
    new_category: str | None  # folded name of a category this run creates
    supplier_id: int | None
    new_supplier: str | None  # name of a supplier this run creates
    min_stock: int
    stock: int
    active: bool
    barcodes: tuple[str, ...] | None  # None: keep the stored ones


class _Problem(NamedTuple):
    """A bad row. ``reason`` may hold ``{line}``: the line of row ``other``, filled in at the end."""

    row: int
    field: str
    reason: str
    other: int | None = None


@dataclass
class _Plan:
    creates: list[_Row]
    updates: list[_Row]
    unchanged: int
    problems: list[_Problem]
    new_categories: dict[str, str]  # folded name -> name as first written
    new_suppliers: list[str]
    held: dict[int, set[str]]  # barcodes stored now, for products whose barcode list is replaced
    release: set[str]  # barcodes leaving their product in this run


def _quote(name: str) -> str:
    q = database.quote
    return f"{q[0]}{name}{q[1]}"


def _bulk_insert(model: type[Model], fields: Sequence[Field], rows: Iterable[Sequence[Any]]) -> None:
    """INSERT many rows through the driver's ``executemany``.

    Peewee's ``insert_many`` renders SQL text for every chunk, which costs more than the
    database's own work on a million rows; ``executemany`` runs one plain, portable INSERT
    (``database.param`` placeholders). Values must be what the column stores.
    """
    columns = ", ".join(_quote(f.column_name) for f in fields)
    params = ", ".join([database.param] * len(fields))
    sql = f"INSERT INTO {_quote(model._meta.table_name)} ({columns}) VALUES ({params})"
    cursor = database.cursor()
    for chunk in chunked(rows, _WRITE_CHUNK):
        cursor.executemany(sql, chunk)


def _bulk_update(rows: Iterable[Sequence[Any]]) -> None:
    """UPDATE product rows; each row is the :data:`_WRITE_FIELDS` values followed by the id."""
    assignments = ", ".join(f"{_quote(f.column_name)} = {database.param}" for f in _WRITE_FIELDS)
    table = _quote(m.Product._meta.table_name)
    sql = f"UPDATE {table} SET {assignments} WHERE {_quote(m.Product.id.column_name)} = {database.param}"
    cursor = database.cursor()
    for chunk in chunked(rows, _WRITE_CHUNK):
        cursor.executemany(sql, chunk)


@contextmanager
def _indexes_rebuilt(enabled: bool) -> Iterator[None]:
    """Drop the catalog's secondary indexes for an initial bulk load and build them once at the end.

    Used only when the product table is empty, inside the caller's transaction: DDL is
    transactional on SQLite and PostgreSQL, so a failure brings the indexes back with the
    rollback. Codes and barcodes are checked for uniqueness before writing and the unique
    index is rebuilt before commit, so the database's own guarantee still holds.
    """
    if not enabled:
        yield
        return
    models: tuple[Any, ...] = (m.Product, m.ProductWord, m.Barcode, m.StockMovement)
    for model in models:
        model._schema.drop_indexes(safe=True)
    yield
    for model in models:
        model._schema.create_indexes(safe=True)


def _lookup(field: Field, keys: Iterable[Any], *select: Field) -> Iterator[tuple[Any, ...]]:
    """``SELECT select FROM table WHERE field IN (keys)`` in chunks, as plain SQL: rendering a
    500-value IN list through Peewee costs more than running it."""
    columns = ", ".join(_quote(f.column_name) for f in select)
    head = f"SELECT {columns} FROM {_quote(field.model._meta.table_name)} WHERE {_quote(field.column_name)} IN "
    for chunk in _slices(list(keys), _IN_CHUNK):
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


def _name_words(key: str) -> list[str]:
    """The index words of a folded name (``fold(name)``): the same as
    :func:`pos_tui.text.words` of the name, cut to the column's length, without
    folding twice."""
    found = _WORD.findall(key)
    if len(key) > WORD_LENGTH:  # only then can a word be too long for the column
        found = [w[:WORD_LENGTH] for w in found]
    return list(dict.fromkeys(found))


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


def upsert_products(
    rows: Sequence[ProductInput],
    *,
    now: datetime,
    kdv_rates: Sequence[int],
    default_kdv_rate: int | None = None,
    lines: Sequence[int] | None = None,
    source: str = "products",
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> UpsertResult:
    """Create or update products in one transaction: all rows or none.

    A row is matched by ``code``; a row without a code by any of its barcodes already
    known (or, when none is, it creates a product whose code is its first barcode). Every
    row is checked before anything is written: values, duplicates inside ``rows``, barcodes
    owned by a product outside the batch, barcodes pointing at two products. On any problem
    :class:`ImportRejected` lists them all, row ``i`` reported as line ``lines[i]``
    (default ``i + 1``). ``dry_run`` checks and counts but writes nothing. ``progress(n)`` is
    called as rows are written. A new product without ``kdv_rate`` gets
    ``default_kdv_rate``, or is refused when that is None.
    """
    where = list(lines) if lines is not None else [i + 1 for i in range(len(rows))]
    with write_tx():
        plan = _plan(rows, kdv_rates=kdv_rates, default_kdv_rate=default_kdv_rate)
        if plan.problems:
            errors = [
                RowError(where[p.row], p.field, p.reason if p.other is None else p.reason.format(line=where[p.other]))
                for p in plan.problems
            ]
            errors.sort(key=lambda e: e.line)
            raise ImportRejected(source, errors)
        result = UpsertResult(len(plan.creates), len(plan.updates), plan.unchanged)
        if not dry_run and (plan.creates or plan.updates):
            _write(plan, now=now, progress=progress or (lambda n: None))
    return result


def _plan(rows: Sequence[ProductInput], *, kdv_rates: Sequence[int], default_kdv_rate: int | None) -> _Plan:
    """Validate ``rows`` against each other and the database; decide what to create and update."""
    problems: list[_Problem] = []
    add = problems.append

    # 1. Each row alone: its code, its barcodes; duplicates inside the batch.
    codes: list[str | None] = []
    barcode_lists: list[tuple[str, ...] | None] = []
    first_code: dict[str, int] = {}
    first_barcode: dict[str, int] = {}
    for i, row in enumerate(rows):
        code = row.code.strip() if row.code is not None else None
        if code is not None and (problem := _check_code(code)) is not None:
            add(_Problem(i, "code", problem))
        elif code is not None:
            if code in first_code:
                add(_Problem(i, "code", _("code {code} is also on line {{line}}").format(code=code), first_code[code]))
            else:
                first_code[code] = i
        bcs: tuple[str, ...] | None = None
        if row.barcodes is not None:
            valid: dict[str, None] = {}
            for raw in row.barcodes:
                try:
                    bc = normalize_barcode(raw)
                except ValidationError as exc:
                    add(_Problem(i, "barcode", exc.message))
                    continue
                other = first_barcode.setdefault(bc, i)
                if other != i:
                    add(_Problem(i, "barcode", _("barcode {code} is also on line {{line}}").format(code=bc), other))
                    continue
                valid[bc] = None
            bcs = tuple(valid)
        if row.code is None and row.barcodes is None:
            add(_Problem(i, "code", _("a row needs a code or a barcode")))
        codes.append(code)
        barcode_lists.append(bcs)

    # 2. What the database holds for these codes and barcodes.
    wanted_codes = set(first_code)
    for i, row in enumerate(rows):
        bcs = barcode_lists[i]
        if row.code is None and bcs:
            wanted_codes.add(bcs[0])
    by_code: dict[str, _Stored] = {r[1]: _Stored(*r) for r in _lookup(m.Product.code, wanted_codes, *_STORED_FIELDS)}
    owner: dict[str, int] = dict(_lookup(m.Barcode.code, first_barcode, m.Barcode.code, m.Barcode.product))
    by_id: dict[int, _Stored] = {s.id: s for s in by_code.values()}
    for r in _lookup(m.Product.id, {pid for pid in owner.values() if pid not in by_id}, *_STORED_FIELDS):
        by_id[r[0]] = _Stored(*r)

    # 3. The stored product (if any) each row targets, and its final code.
    targets: list[_Stored | None] = []
    final_codes: list[str | None] = []
    target_row: dict[int, int] = {}
    for i, row in enumerate(rows):
        code, target, bcs = codes[i], None, barcode_lists[i]
        if code is not None:
            target = by_code.get(code)
        elif row.code is None and bcs:
            owners = sorted({owner[b] for b in bcs if b in owner})
            if len(owners) > 1:
                listed = ", ".join(by_id[o].code for o in owners)
                add(
                    _Problem(
                        i, "barcode", _("the barcodes belong to different products ({codes})").format(codes=listed)
                    )
                )
            elif owners:
                target = by_id[owners[0]]
            else:
                target = by_code.get(bcs[0])
            code = target.code if target is not None else bcs[0]
            if target is None and code in first_code:
                add(_Problem(i, "code", _("code {code} is also on line {{line}}").format(code=code), first_code[code]))
        if target is not None:
            other = target_row.setdefault(target.id, i)
            if other != i:
                add(_Problem(i, "code", _("product {code} is also on line {{line}}").format(code=target.code), other))
        targets.append(target)
        final_codes.append(code)

    # 4. A barcode may move to another product only when its old product, updated in the
    #    same batch, no longer lists it.
    replaced = {t.id: i for i, t in enumerate(targets) if t is not None and barcode_lists[i] is not None}
    held: dict[int, set[str]] = {}
    for bc, pid in _lookup(m.Barcode.product, replaced, m.Barcode.code, m.Barcode.product):
        held.setdefault(pid, set()).add(bc)
    release: set[str] = set()
    for pid, bcs_held in held.items():
        release |= bcs_held - set(barcode_lists[replaced[pid]] or ())
    for bc, pid in owner.items():
        i = first_barcode[bc]
        target = targets[i]
        if (target is not None and target.id == pid) or bc in release:
            continue
        holder = by_id[pid]
        add(
            _Problem(
                i,
                "barcode",
                _("barcode {code} already belongs to product {other} ({name})").format(
                    code=bc, other=holder.code, name=holder.name
                ),
            )
        )

    # 5. Categories by folded name; suppliers by code, then by folded name.
    categories: dict[str, int] = {}
    for cid, cname in store.rows(m.Category.select(m.Category.id, m.Category.name).order_by(m.Category.id)):
        categories.setdefault(fold(cname), cid)
    suppliers_by_code: dict[str, int] = {}
    suppliers_by_name: dict[str, list[int]] = {}
    for sid, scode, sname in store.rows(m.Supplier.select(m.Supplier.id, m.Supplier.code, m.Supplier.name)):
        suppliers_by_code[scode] = sid
        suppliers_by_name.setdefault(fold(sname), []).append(sid)
    new_categories: dict[str, str] = {}
    category_keys: dict[str, str] = {}  # name as written -> folded (a few names, a million rows)
    new_suppliers: dict[str, None] = {}
    resolved_suppliers: dict[str, int | None] = {}

    # 6. Values: each row merged with what is stored, checked, classified.
    rates = set(kdv_rates)
    bad_rows = {p.row for p in problems}
    creates: list[_Row] = []
    updates: list[_Row] = []
    unchanged = 0
    for i, row in enumerate(rows):
        target, code = targets[i], final_codes[i]
        before = len(problems)
        name = row.name.strip() if row.name is not None else (target.name if target else None)
        if name is None:
            add(_Problem(i, "name", _("a new product needs a name")))
        elif not name:
            add(_Problem(i, "name", _("name is empty")))
        elif len(name) > NAME_LENGTH:
            add(_Problem(i, "name", _("name is longer than {n} characters").format(n=NAME_LENGTH)))
        unit = row.unit if row.unit is not None else (target.unit if target else "piece")
        if unit not in UNITS:
            add(_Problem(i, "unit", _("unit {unit} is not one of {units}").format(unit=unit, units=", ".join(UNITS))))
        price = _kurus(problems, i, "price", row.price, target.price if target else None)
        if row.price is None and target is None:
            add(_Problem(i, "price", _("a new product needs a price")))
        cost = _kurus(problems, i, "cost", row.cost, target.cost if target else 0)
        kdv = row.kdv_rate if row.kdv_rate is not None else (target.kdv_rate if target else default_kdv_rate)
        if kdv is None:
            add(_Problem(i, "kdv_rate", _("a new product needs a KDV rate")))
        elif kdv not in rates and (row.kdv_rate is not None or target is None):
            rate_list = ", ".join(map(str, kdv_rates))
            add(_Problem(i, "kdv_rate", _("KDV rate {rate} is not one of {rates}").format(rate=kdv, rates=rate_list)))
        min_stock = row.min_stock if row.min_stock is not None else (target.min_stock if target else 0)
        if min_stock < 0:
            add(_Problem(i, "min_stock", _("minimum stock cannot be negative")))
        stock = row.stock if row.stock is not None else (target.stock if target else 0)
        for field, qty in (("min_stock", min_stock), ("stock", stock)):
            if abs(qty) >= 2**53:  # milli-units; beyond this a SUM of movements leaves exact integers
                add(_Problem(i, field, _("{field} is too large").format(field=field_label(field))))
        active = row.active if row.active is not None else (bool(target.active) if target else True)

        category_id = target.category_id if target else None
        new_category: str | None = None
        if row.category is not None:
            cname = row.category.strip()
            category_id = None
            if len(cname) > 128:
                add(_Problem(i, "category", _("category is longer than {n} characters").format(n=128)))
            elif cname:
                key = category_keys.get(cname) or category_keys.setdefault(cname, fold(cname))
                category_id = categories.get(key)
                if category_id is None:
                    new_category = key
                    new_categories.setdefault(key, cname)

        supplier_id = target.supplier_id if target else None
        new_supplier: str | None = None
        if row.supplier is not None:
            ref = row.supplier.strip()
            supplier_id = None
            if ref and ref not in resolved_suppliers:
                matches = suppliers_by_name.get(fold(ref), [])
                if ref in suppliers_by_code:
                    resolved_suppliers[ref] = suppliers_by_code[ref]
                elif len(matches) > 1:
                    message = _("several suppliers are named {name}; use the supplier's code").format(name=ref)
                    add(_Problem(i, "supplier", message))
                elif len(ref) > NAME_LENGTH:
                    add(_Problem(i, "supplier", _("supplier is longer than {n} characters").format(n=NAME_LENGTH)))
                else:
                    resolved_suppliers[ref] = matches[0] if matches else None
            if ref in resolved_suppliers:
                supplier_id = resolved_suppliers[ref]
                if supplier_id is None:
                    new_supplier = ref
                    new_suppliers[ref] = None

        if len(problems) > before or i in bad_rows:
            continue
        assert code is not None and name is not None and price is not None and cost is not None and kdv is not None
        resolved = _Row(
            target,
            code,
            name,
            fold(name),
            unit,
            price,
            cost,
            kdv,
            category_id,
            new_category,
            supplier_id,
            new_supplier,
            min_stock,
            stock,
            bool(active),
            barcode_lists[i],
        )
        if target is None:
            creates.append(resolved)
        elif _changed(resolved, target, held.get(target.id, set())):
            updates.append(resolved)
        else:
            unchanged += 1
    return _Plan(creates, updates, unchanged, problems, new_categories, list(new_suppliers), held, release)


def _kurus(problems: list[_Problem], i: int, field: str, value: Decimal | None, stored: int | None) -> int | None:
    if value is None:
        return stored
    if not value.is_finite():
        problems.append(_Problem(i, field, _("{field} is not a number").format(field=field_label(field))))
        return None
    scaled = value * 100  # to_kurus without the quantize: this runs a million times in an import
    kurus = int(scaled)
    if kurus != scaled:
        problems.append(
            _Problem(i, field, _("Amount {amount} has more than two decimals").format(amount=format_money(value)))
        )
        return None
    if kurus < 0:
        problems.append(_Problem(i, field, _("{field} cannot be negative").format(field=field_label(field))))
        return None
    if kurus >= 2**53:
        problems.append(_Problem(i, field, _("{field} is too large").format(field=field_label(field))))
        return None
    return kurus


def _changed(row: _Row, stored: _Stored, stored_barcodes: set[str]) -> bool:
    if row.new_category is not None or row.new_supplier is not None:
        return True
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


def _write(plan: _Plan, *, now: datetime, progress: Callable[[int], None]) -> None:
    stamp = to_db(now)
    # sqlite3 would turn the datetime into this same text once per row (its default adapter).
    at: datetime | str = stamp.isoformat(" ") if is_sqlite() else stamp
    movement_at = at
    movement_fields = (m.StockMovement.product, m.StockMovement.at, m.StockMovement.qty, m.StockMovement.kind)
    word_fields = (m.ProductWord.word, m.ProductWord.product)
    barcode_fields = (m.Barcode.code, m.Barcode.product)

    category_ids = {key: m.Category.create(name=name).id for key, name in plan.new_categories.items()}
    supplier_ids: dict[str, int] = {}
    if plan.new_suppliers:
        taken = {code for (code,) in store.rows(m.Supplier.select(m.Supplier.code))}
        for ref in plan.new_suppliers:
            code = _supplier_code(ref, taken)
            taken.add(code)
            supplier_ids[ref] = m.Supplier.create(code=code, name=ref, created_at=stamp).id

    def values(row: _Row) -> tuple[Any, ...]:
        category_id = category_ids[row.new_category] if row.new_category is not None else row.category_id
        supplier_id = supplier_ids[row.new_supplier] if row.new_supplier is not None else row.supplier_id
        return (
            row.code,
            row.name,
            row.name_key,
            row.unit,
            row.price,
            row.cost,
            row.kdv_rate,
            category_id,
            supplier_id,
            row.min_stock,
            row.stock,
            row.active,
            at,
        )

    initial_load = not plan.updates and m.Product.select(fn.COUNT(m.Product.id)).scalar() == 0
    with _indexes_rebuilt(initial_load and len(plan.creates) >= BULK_INDEX_REBUILD):
        # Barcodes leaving their product go first, so another row may take them.
        for chunk in _slices(sorted(plan.release), _IN_CHUNK):
            m.Barcode.delete().where(m.Barcode.code.in_(chunk)).execute()

        updates = [(r, r.stored) for r in plan.updates if r.stored is not None]
        if updates:
            renamed = [s.id for r, s in updates if s.name != r.name]
            for renamed_ids in _slices(renamed, _IN_CHUNK):
                m.ProductWord.delete().where(m.ProductWord.product.in_(renamed_ids)).execute()
            _bulk_update((*values(r), s.id) for r, s in updates)
            progress(len(updates))
            _bulk_insert(
                m.ProductWord,
                word_fields,
                ((w, s.id) for r, s in updates if s.name != r.name for w in _name_words(r.name_key)),
            )
            _bulk_insert(
                m.Barcode,
                barcode_fields,
                (
                    (bc, s.id)
                    for r, s in updates
                    if r.barcodes is not None
                    for bc in r.barcodes
                    if bc not in plan.held.get(s.id, ())
                ),
            )
            _bulk_insert(
                m.StockMovement,
                movement_fields,
                ((s.id, movement_at, r.stock - s.stock, "import") for r, s in updates if r.stock != s.stock),
            )

        if plan.creates:
            before = m.Product.select(fn.MAX(m.Product.id)).scalar() or 0
            for batch in _slices(plan.creates, _WRITE_CHUNK):
                _bulk_insert(m.Product, _WRITE_FIELDS, [values(r) for r in batch])
                progress(len(batch))
            # Read the new ids back in one pass: every row above the old maximum that has one
            # of our codes is ours (the codes are unique). Portable, unlike RETURNING on SQLite.
            new_codes = {r.code for r in plan.creates}
            ids: dict[str, int] = {}
            product, code_column, id_column = (
                _quote(m.Product._meta.table_name),
                _quote(m.Product.code.column_name),
                _quote(m.Product.id.column_name),
            )
            read_back = f"SELECT {code_column}, {id_column} FROM {product} WHERE {id_column} > {database.param}"
            for code, pid in database.execute_sql(read_back, (before,)):
                if code in new_codes:
                    ids[code] = pid
            _bulk_insert(
                m.Barcode, barcode_fields, ((bc, ids[r.code]) for r in plan.creates for bc in (r.barcodes or ()))
            )
            _bulk_insert(
                m.ProductWord,
                word_fields,
                ((w, pid) for r in plan.creates for pid in (ids[r.code],) for w in _name_words(r.name_key)),
            )
            _bulk_insert(
                m.StockMovement,
                movement_fields,
                ((ids[r.code], movement_at, r.stock, "import") for r in plan.creates if r.stock != 0),
            )

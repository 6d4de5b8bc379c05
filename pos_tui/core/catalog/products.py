"""The catalog: products and their barcodes, scanning, Turkish-aware search, bulk upsert.

Reading
    :func:`scan` turns what the cashier typed or scanned into a product (and, for a scale
    label, a quantity or a price); :func:`get_product` does the same for admin tools, inactive
    products included; :func:`search_products` finds products by the words of their name.

Search
    Each query word must be the prefix of some word of the name, in any order. The
    database's own full-text index over the folded name (:mod:`pos_tui.store.search`: FTS5
    on SQLite, a GIN ``tsvector`` index on PostgreSQL) finds the candidates, capped at
    :data:`SEARCH_CANDIDATES`, and only those are ordered by name, so a one-letter query on a
    million products costs about the same as a precise one; a vague query shows the first
    matches, and another word narrows it.

Writing
    :mod:`pos_tui.core.catalog.upsert` is the one way products are created or changed, in
    bulk, streamed, in one transaction, all rows or none. ``Product.stock`` is a cache of
    ``SUM(stock_movement.qty)``: setting a stock writes an ``import`` movement of the
    difference.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from peewee import JOIN, EnclosedNodeList

from pos_tui import store
from pos_tui.core.catalog.barcodes import has_valid_check_digit, is_gtin_length, parse_scale_label
from pos_tui.core.kernel.errors import NotFound, ValidationError
from pos_tui.core.kernel.money import MILLI, from_kurus, qty_to_decimal, to_kurus
from pos_tui.i18n import _
from pos_tui.settings import ScaleLabelMask
from pos_tui.store import database, search
from pos_tui.store import models as m
from pos_tui.store.fast import select_rendered
from pos_tui.text import words

UNITS = ("piece", "kg", "lt", "m")
SEARCH_CANDIDATES = 1000  # a query orders at most this many matches by name
NAME_LENGTH = 255
CODE_LENGTH = 64

# Lookups with IN (...) are chunked below every backend's parameter limit.
_IN_CHUNK = 500


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


def _search_select(match: str, candidates: int, limit: int, *, include_inactive: bool = False) -> Any:
    ids = EnclosedNodeList([search.matching_ids(database, match, candidates)])
    select = _select().where(m.Product.id.in_(ids))
    if not include_inactive:
        select = select.where(m.Product.active)
    return select.order_by(m.Product.name_key, m.Product.id).limit(limit)


def _search_all(match: str, candidates: int, limit: int) -> Any:
    return _search_select(match, candidates, limit, include_inactive=True)


def search_query(query: str, limit: int = 50, *, include_inactive: bool = False) -> Any | None:
    """The SELECT behind :func:`search_products` (exposed so tests can EXPLAIN it); None for
    a query without words.

    The database's name index (:mod:`pos_tui.store.search`) gives at most
    :data:`SEARCH_CANDIDATES` products whose names have a word starting with each query word;
    only those are ordered by name.
    """
    qwords = list(dict.fromkeys(words(query)))
    if not qwords:
        return None
    match = search.match_expression(database, qwords)
    return _search_select(match, SEARCH_CANDIDATES, limit, include_inactive=include_inactive)


def search_products(query: str, limit: int = 50, *, include_inactive: bool = False) -> list[ProductInfo]:
    """Products whose name has, for every word of ``query``, a word starting with it.

    Turkish-aware: ``ISPARTA``, ``ısparta``, ``Isparta`` and ``İSPARTA`` all find
    "Isparta Gülü", and so does ``gul``; words match in any order. Results are ordered by name
    among a bounded set of candidates (:func:`search_query`). The statement is rendered once
    per backend (only the query's expression and the limits change).
    """
    qwords = list(dict.fromkeys(words(query)))
    if not qwords:
        return []
    match = search.match_expression(database, qwords)
    build = _search_all if include_inactive else _search_select
    return _infos_of(select_rendered(("search", include_inactive), build, match, SEARCH_CANDIDATES, limit))


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

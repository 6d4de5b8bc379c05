"""What the margin and stock reports show of a product, read once for every product a report
names (chunked ``IN`` lists, never one query per row), and the supplier a product is bought from.

The supplier of a product (margin by supplier, the reorder list) is the one the catalogue names
(``product.supplier``); without one, the supplier it was last bought from (the latest goods
receipt price in ``supplier_price``, ties by the later document); without either, none.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from peewee import JOIN

from pos_tui import store
from pos_tui.store import models as m

CHUNK = 500
"""Ids per ``IN`` list (SQLite's limit on parameters is far above; PostgreSQL's plan stays cheap)."""


def chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    """``ids`` sorted, without repeats, in lists of at most :data:`CHUNK`."""
    wanted = sorted(set(ids))
    for start in range(0, len(wanted), CHUNK):
        yield wanted[start : start + CHUNK]


@dataclass(frozen=True, slots=True)
class ProductFacts:
    """A product as the reports show it. Money in kuruş, quantities in milli-units."""

    id: int
    code: str
    name: str
    unit: str
    category: str | None
    supplier_id: int | None  # the catalogue's; see :func:`suppliers_of` for the one the reports use
    price: int  # sale price, KDV included
    kdv_rate: int
    cost: int  # average cost now
    min_stock: int
    stock: int  # on hand now, all locations (the cache)
    stock_value: int  # its value now (the cache)
    active: bool


def products_by_id(ids: Iterable[int]) -> dict[int, ProductFacts]:
    """The products ``ids`` (unknown ids are simply absent)."""
    P, C = m.Product, m.Category
    found: dict[int, ProductFacts] = {}
    for part in chunks(ids):
        query = (
            P.select(
                P.id,
                P.code,
                P.name,
                P.unit,
                C.name,
                P.supplier,
                P.price,
                P.kdv_rate,
                P.cost,
                P.min_stock,
                P.stock,
                P.stock_value,
                P.active,
            )
            .join(C, JOIN.LEFT_OUTER, on=(P.category == C.id))
            .where(P.id.in_(part))
        )
        for row in store.rows(query):
            pid, code, name, unit, category, supplier, price, rate, cost, min_stock, stock, value, active = row
            found[int(pid)] = ProductFacts(
                int(pid),
                str(code),
                str(name),
                str(unit),
                category,
                None if supplier is None else int(supplier),
                int(price),
                int(rate),
                int(cost),
                int(min_stock),
                int(stock),
                int(value),
                bool(active),
            )
    return found


@dataclass(frozen=True, slots=True)
class SupplierFacts:
    id: int
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class Purchase:
    """The last goods receipt price of a product from one supplier (kuruş a unit, excluding KDV,
    after the line discount)."""

    supplier_id: int
    unit_cost: int
    at: datetime  # naive UTC, as stored
    document: int


def purchases_of(ids: Iterable[int]) -> dict[int, list[Purchase]]:
    """Each product's last purchase price per supplier, the latest first."""
    SP = m.SupplierPrice
    found: dict[int, list[Purchase]] = {}
    for part in chunks(ids):
        query = SP.select(SP.product, SP.supplier, SP.unit_cost, SP.at, SP.document).where(SP.product.in_(part))
        for pid, supplier, unit_cost, at, document in store.rows(query):
            found.setdefault(int(pid), []).append(Purchase(int(supplier), int(unit_cost), at, int(document)))
    for purchases in found.values():
        purchases.sort(key=lambda p: (p.at, p.document), reverse=True)
    return found


def suppliers_of(
    products: Sequence[ProductFacts], purchases: dict[int, list[Purchase]]
) -> tuple[dict[int, int | None], dict[int, SupplierFacts]]:
    """The supplier of each product (the module docstring's rule) and the suppliers named."""
    chosen: dict[int, int | None] = {}
    for p in products:
        if p.supplier_id is not None:
            chosen[p.id] = p.supplier_id
        else:
            bought = purchases.get(p.id)
            chosen[p.id] = bought[0].supplier_id if bought else None
    S = m.Supplier
    named: dict[int, SupplierFacts] = {}
    for part in chunks(s for s in chosen.values() if s is not None):
        for sid, code, name in store.rows(S.select(S.id, S.code, S.name).where(S.id.in_(part))):
            named[int(sid)] = SupplierFacts(int(sid), str(code), str(name))
    return chosen, named

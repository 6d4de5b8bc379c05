"""The stock ledger: every change of stock is an insert-only movement.

On hand per product and location is the sum of the movements; ``product.stock`` (all
locations), ``stock_level.qty`` (per location) and ``product.stock_value`` are caches that
:func:`post_movements` keeps in step in the caller's transaction and ``pos-admin audit
verify`` checks. Each movement is valued by the moving average cost rule of
:mod:`pos_tui.core.kernel.costing`, in the order movements are posted; a transfer's movements
carry no value (they move stock between locations, not in or out of the shop).

:func:`write_stock_document` is the one way a stock document (goods receipt, supplier return,
adjustment, transfer, count, reversal) is written: its header, lines and movements, and a
journal entry whose payload :func:`document_payload` rebuilds from the tables, so the audit can
compare the two.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from pos_tui import store
from pos_tui.core.kernel import costing, journal
from pos_tui.core.kernel.clock import to_db
from pos_tui.core.kernel.money import from_kurus
from pos_tui.store import database, fast, write_tx
from pos_tui.store import models as m
from pos_tui.store.counters import next_value

SALE = "sale"
RETURN = "return"
IMPORT = "import"
RECEIPT = "receipt"
SUPPLIER_RETURN = "supplier_return"
ADJUST = "adjust"
COUNT = "count"
TRANSFER_OUT = "transfer_out"
TRANSFER_IN = "transfer_in"
REVALUE = "revalue"
MOVEMENT_KINDS = (SALE, RETURN, IMPORT, RECEIPT, SUPPLIER_RETURN, ADJUST, COUNT, TRANSFER_OUT, TRANSFER_IN, REVALUE)
TRANSFER_KINDS = frozenset({TRANSFER_OUT, TRANSFER_IN})

# Adjustment reasons (fire, zayi, kayıp, iç kullanım, düzeltme, açılış).
REASONS = ("waste", "damage", "loss", "internal", "correction", "opening")

# Stock document kinds (stock_document.kind).
DOCUMENT_KINDS = ("receipt", "supplier_return", "adjustment", "transfer_out", "transfer_in", "count", "reversal")


@dataclass(frozen=True, slots=True)
class Movement:
    """One movement to post. ``qty`` is signed milli-units; ``amount`` the kuruş an inflow is
    worth (a receipt line's net) or an outflow takes out (a supplier return), None: at average cost."""

    product_id: int
    location_id: int
    qty: int
    kind: str
    amount: int | None = None
    reason: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Posted:
    """A posted movement: what it was and how it was valued."""

    movement: Movement
    value: int  # kuruş, signed
    unit_cost: int  # kuruş per unit
    balance: int  # the product's on hand (all locations) after it


def _states(product_ids: Sequence[int]) -> dict[int, costing.CostState]:
    """The products' cost states, their rows locked until the transaction ends (PostgreSQL; a
    SQLite write transaction excludes other writers already). Locked in id order: no deadlock."""
    states: dict[int, costing.CostState] = {}
    P = m.Product
    for start in range(0, len(product_ids), 500):
        part = list(product_ids[start : start + 500])
        query = P.select(P.id, P.stock, P.stock_value, P.cost).where(P.id.in_(part)).order_by(P.id)
        if database.for_update:
            query = query.for_update()
        for pid, qty, value, cost in store.rows(query):
            states[pid] = costing.CostState(qty, value, cost)
    return states


_MOVEMENT_FIELDS = (
    "product",
    "at",
    "qty",
    "kind",
    "sale",
    "note",
    "location",
    "unit_cost",
    "value",
    "reason",
    "document",
    "terminal",
    "user",
)


def post_movements(
    movements: Sequence[Movement],
    *,
    at: datetime,
    terminal: str | None,
    user_id: int | None,
    document_id: int | None = None,
    sale_id: int | None = None,
) -> list[Posted]:
    """Write ``movements`` (in order) and keep the caches in step. Call inside a write
    transaction; ``at`` is aware (stored as naive UTC)."""
    if not movements:
        return []
    transferred: dict[int, int] = {}
    for mv in movements:
        if mv.kind in TRANSFER_KINDS:
            transferred[mv.product_id] = transferred.get(mv.product_id, 0) + mv.qty
    if any(transferred.values()):  # a transfer moves stock between locations, never in or out of the shop
        raise ValueError("a document's transfer movements must add up to zero per product")
    states = _states(sorted({mv.product_id for mv in movements}))
    at_db = to_db(at)
    posted: list[Posted] = []
    rows: list[tuple[Any, ...]] = []
    levels: dict[tuple[int, int], int] = {}
    for mv in movements:
        state = states[mv.product_id]
        if mv.kind in TRANSFER_KINDS:
            step = costing.Step(costing.CostState(state.qty + mv.qty, state.value, state.cost), 0, state.cost)
        else:
            step = costing.move(state, mv.qty, mv.amount)
        states[mv.product_id] = step.state
        posted.append(Posted(mv, step.value, step.unit_cost, step.state.qty))
        rows.append(
            (
                mv.product_id,
                at_db,
                mv.qty,
                mv.kind,
                sale_id,
                mv.note,
                mv.location_id,
                step.unit_cost,
                step.value,
                mv.reason,
                document_id,
                terminal,
                user_id,
            )
        )
        key = (mv.product_id, mv.location_id)
        levels[key] = levels.get(key, 0) + mv.qty
    fast.insert_many(m.StockMovement, _MOVEMENT_FIELDS, rows)
    cursor = database.cursor()
    param = database.param
    update = f"UPDATE product SET stock = {param}, stock_value = {param}, cost = {param} WHERE id = {param}"
    cursor.executemany(update, [(s.qty, s.value, s.cost, pid) for pid, s in states.items()])
    changed = [(pid, loc, delta) for (pid, loc), delta in levels.items() if delta]
    fast.upsert_add_many(m.StockLevel, ("product", "location"), "qty", changed)
    return posted


# -- documents ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DraftLine:
    """A document line: ``qty`` positive milli-units; money in kuruş excluding KDV (receipts)."""

    product_id: int
    qty: int
    unit_cost: int = 0
    discount: int = 0
    net: int = 0
    kdv_rate: int = 0
    kdv: int = 0
    refers_to: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class StockDraft:
    """A stock document ready to be written: its header, its lines and the movements it posts.
    ``at`` is the document's date (aware), ``now`` when it is written."""

    kind: str
    at: datetime
    now: datetime
    terminal: str
    user_id: int
    location_id: int
    lines: Sequence[DraftLine]
    movements: Sequence[Movement]
    other_location_id: int | None = None
    supplier_id: int | None = None
    supplier_doc: str | None = None
    due_date: date | None = None
    refers_to: int | None = None
    reason: str | None = None
    note: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PostedDocument:
    id: int
    kind: str
    number: int
    line_ids: tuple[int, ...]
    movements: tuple[Posted, ...]
    journal_entry: int


_LINE_FIELDS = ("document", "line_no", "product", "qty", "unit_cost", "discount", "net", "kdv_rate", "kdv", "refers_to")


def write_stock_document(draft: StockDraft) -> PostedDocument:
    """Write the document, its lines, its movements and its journal entry in one transaction
    (a savepoint of the caller's, when there is one)."""
    if draft.kind not in DOCUMENT_KINDS:
        raise ValueError(f"unknown stock document kind {draft.kind!r}")
    with write_tx():
        number = next_value("stock", f"stock_{draft.kind}")  # not "receipt": that is a till's series
        doc_id = fast.insert_one(
            m.StockDocument,
            {
                "kind": draft.kind,
                "number": number,
                "at": to_db(draft.at),
                "posted_at": to_db(draft.now),
                "terminal": draft.terminal,
                "user": draft.user_id,
                "location": draft.location_id,
                "other_location": draft.other_location_id,
                "supplier": draft.supplier_id,
                "supplier_doc": draft.supplier_doc,
                "due_date": draft.due_date,
                "refers_to": draft.refers_to,
                "reason": draft.reason,
                "note": draft.note,
                "data": journal.canonical(dict(draft.data)),
            },
        )
        fast.insert_many(
            m.StockDocumentLine,
            _LINE_FIELDS,
            [
                (doc_id, i, ln.product_id, ln.qty, ln.unit_cost, ln.discount, ln.net, ln.kdv_rate, ln.kdv, ln.refers_to)
                for i, ln in enumerate(draft.lines, start=1)
            ],
        )
        L = m.StockDocumentLine
        line_ids = tuple(i for (i,) in store.rows(L.select(L.id).where(L.document == doc_id).order_by(L.line_no)))
        posted = post_movements(
            draft.movements, at=draft.at, terminal=draft.terminal, user_id=draft.user_id, document_id=doc_id
        )
        entry = journal.append(
            f"stock_{draft.kind}",
            document_payload(doc_id),
            terminal=draft.terminal,
            now=draft.now,
            ref=f"stock:{doc_id}",
        )
    return PostedDocument(doc_id, draft.kind, number, line_ids, tuple(posted), int(entry.id))


def _money(kurus: int) -> str:
    return f"{from_kurus(kurus):.2f}"


def document_payload(doc_id: int) -> dict[str, Any]:
    """The journal payload of stock document ``doc_id``, from the tables (the audit compares)."""
    D, L, SM, P, Loc, S, U = (
        m.StockDocument,
        m.StockDocumentLine,
        m.StockMovement,
        m.Product,
        m.StockLocation,
        m.Supplier,
        m.User,
    )
    locations = dict(store.rows(Loc.select(Loc.id, Loc.code)))
    head = next(
        store.rows(
            D.select(
                D.kind,
                D.number,
                D.at,
                D.terminal,
                D.user,
                D.location,
                D.other_location,
                D.supplier,
                D.supplier_doc,
                D.due_date,
                D.refers_to,
                D.reason,
                D.note,
                D.data,
            ).where(D.id == doc_id)
        )
    )
    kind, number, at, terminal, user_id, loc, other, supplier_id, supplier_doc, due, refers, reason, note, data = head
    user = next(store.rows(U.select(U.name).where(U.id == user_id)))[0]
    supplier = None
    if supplier_id is not None:
        supplier = next(store.rows(S.select(S.code).where(S.id == supplier_id)))[0]

    lines = [
        {
            "line": no,
            "code": code,
            "qty": qty,
            "unit_cost": _money(uc),
            "discount": _money(disc),
            "net": _money(net),
            "kdv_rate": rate,
            "kdv": _money(kdv),
            "refers_to": ref,
        }
        for no, code, qty, uc, disc, net, rate, kdv, ref in store.rows(
            L.select(L.line_no, P.code, L.qty, L.unit_cost, L.discount, L.net, L.kdv_rate, L.kdv, L.refers_to)
            .join(P, on=(L.product == P.id))
            .where(L.document == doc_id)
            .order_by(L.line_no)
        )
    ]
    movements = [
        {
            "code": code,
            "location": locations[loc_id],
            "qty": qty,
            "kind": mkind,
            "reason": mreason,
            "unit_cost": _money(uc),
            "value": _money(value),
        }
        for code, loc_id, qty, mkind, mreason, uc, value in store.rows(
            SM.select(P.code, SM.location, SM.qty, SM.kind, SM.reason, SM.unit_cost, SM.value)
            .join(P, on=(SM.product == P.id))
            .where(SM.document == doc_id)
            .order_by(SM.id)
        )
    ]
    return {
        "id": doc_id,
        "kind": kind,
        "number": number,
        "at": at.isoformat() if isinstance(at, datetime) else str(at),
        "terminal": terminal,
        "user": user,
        "location": locations[loc],
        "other_location": None if other is None else locations[other],
        "supplier": supplier,
        "supplier_doc": supplier_doc,
        "due_date": None if due is None else str(due),
        "refers_to": refers,
        "reason": reason,
        "note": note,
        "data": json.loads(data),
        "lines": lines,
        "movements": movements,
    }


# -- reading ----------------------------------------------------------------------------------


def on_hand(product_id: int, location_id: int | None = None) -> int:
    """Milli-units on hand now (from the caches), at one location or all."""
    if location_id is None:
        row = fast.select_first(m.Product, ("stock",), {"id": product_id})
    else:
        row = fast.select_first(m.StockLevel, ("qty",), {"product": product_id, "location": location_id})
    return 0 if row is None else int(row[0])

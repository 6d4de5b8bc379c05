"""Posting sales and returns, tenders, and reading posted documents back.

Everything a sale writes happens in one write transaction: the receipt number (gapless per
terminal, from the ``counter`` table, so a failed sale never burns a number), the ``sale``
row, its lines, payments, per-rate KDV rows, stock movements and the product stock cache,
whatever the tenders post, and the journal entry whose payload is exactly
:func:`sale_document`. Any error rolls all of it back.

Returns are documents of kind ``return`` pointing at the sale (``return_of``) and, line by
line, at the sold line (``origin_line``). A line never gives back more than was sold minus
what earlier returns took, and the money follows the quantity *cumulatively*: after returning
``c`` of ``n`` units in total, ``round(net × c / n)`` has been refunded, so the last units
return exactly what is left and all returns of a line sum to its net to the kuruş.

Tenders live in :mod:`pos_tui.core.tenders` (re-exported here): ``cash`` and ``card`` are
built in; loyalty adds points, store credit and gift cards without touching the sale flow.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from peewee import JOIN, fn

from pos_tui import store
from pos_tui.core import journal
from pos_tui.core.actors import Actor, Override, require
from pos_tui.core.cart import Benefit, Cart, CartTotals, KdvRow, check_quantity
from pos_tui.core.carts import discard_open_cart, load_open_cart
from pos_tui.core.catalog import get_product
from pos_tui.core.clock import from_db, iso, to_db
from pos_tui.core.errors import NotFound, StateError, ValidationError
from pos_tui.core.fiscal import FiscalHook, FiscalItem, FiscalPayment, FiscalRecord, FiscalTicket
from pos_tui.core.formatting import format_money, format_quantity
from pos_tui.core.loyalty import posting as loyalty_posting
from pos_tui.core.loyalty import pricing as loyalty_pricing
from pos_tui.core.loyalty.engine import Evaluation
from pos_tui.core.loyalty.tenders import LOYALTY_METHODS, register_loyalty_tenders
from pos_tui.core.money import ZERO, from_kurus, money, qty_to_decimal, split_kdv, to_kurus
from pos_tui.core.staff import record_override
from pos_tui.core.tenders import (
    RETURN,
    SALE,
    AppliedPayment,
    PaymentInput,
    TenderContext,
    settle_payments,
    tender_for,
)
from pos_tui.i18n import _
from pos_tui.settings import ShopSettings
from pos_tui.store import fast, write_tx
from pos_tui.store import models as m
from pos_tui.store.counters import next_value

# The loyalty tenders (points, store_credit, gift_card) belong to every sale flow.
register_loyalty_tenders()

DEFAULT_TZ = ShopSettings().timezone
REFUND_METHODS = ("original", "cash")

SaleRef = str | tuple[str, int]
"""A posted document: its uid, or ``(terminal, receipt_no)``."""


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class SaleResult:
    """A posted sale or return. ``change`` is the cash handed back (zero for returns)."""

    sale_id: int
    uid: str
    receipt_no: int
    total: Decimal
    change: Decimal
    document: dict[str, Any]


@dataclass(frozen=True, slots=True)
class SaleSummary:
    """One row of the receipt list."""

    sale_id: int
    uid: str
    kind: str
    terminal: str
    receipt_no: int
    at: datetime
    cashier: str
    customer_id: int | None
    total: Decimal
    return_of_id: int | None
    source: str


@dataclass(frozen=True, slots=True)
class ReturnLineInput:
    """Give back ``qty_milli`` of line ``line_no`` of the original receipt."""

    line_no: int
    qty_milli: int


@dataclass(frozen=True, slots=True)
class BlindReturnLineInput:
    """Give back ``qty_milli`` of the product with this PLU or barcode, at today's price."""

    code: str
    qty_milli: int


@dataclass(frozen=True, slots=True)
class ReturnableLine:
    """What is left to return of one sold line."""

    line_no: int
    code: str
    barcode: str | None
    name: str
    unit: str
    kdv_rate: int
    unit_price: Decimal
    sold_milli: int
    returned_milli: int
    total: Decimal
    refunded: Decimal

    @property
    def remaining_milli(self) -> int:
        return self.sold_milli - self.returned_milli

    @property
    def remaining_amount(self) -> Decimal:
        return self.total - self.refunded


# --------------------------------------------------------------------------- documents


@dataclass(frozen=True, slots=True)
class _Head:
    """The columns of a posted document that returns need."""

    id: int
    uid: str
    kind: str
    terminal: str
    receipt_no: int
    customer_id: int | None
    member_id: int | None


@dataclass(frozen=True, slots=True)
class _Sold:
    """A sold line with what earlier returns took of it (quantity, net, discount)."""

    id: int
    line_no: int
    product_id: int
    code: str
    barcode: str | None
    name: str
    unit: str
    qty: int
    unit_price: int
    list_price: int
    discount: int
    total: int
    kdv_rate: int
    returned: int
    refunded: int
    discount_back: int


def _amount(kurus: int | None) -> str | None:
    return None if kurus is None else str(from_kurus(kurus))


def _line_json(
    line_no: int,
    code: str,
    barcode: str | None,
    name: str,
    unit: str,
    qty: int,
    unit_price: int,
    list_price: int,
    discount: int,
    total: int,
    kdv_rate: int,
) -> dict[str, Any]:
    return {
        "line_no": line_no,
        "code": code,
        "barcode": barcode,
        "name": name,
        "unit": unit,
        "qty": str(qty_to_decimal(qty)),
        "unit_price": _amount(unit_price),
        "list_price": _amount(list_price),
        "discount": _amount(discount),
        "total": _amount(total),
        "kdv_rate": kdv_rate,
    }


def _payment_json(
    method: str, amount: int, tendered: int | None, change: int | None, reference: str | None
) -> dict[str, Any]:
    return {
        "method": method,
        "amount": _amount(amount),
        "tendered": _amount(tendered),
        "change": _amount(change),
        "reference": reference,
    }


def _document_json(
    uid: str,
    receipt_no: int,
    kind: str,
    terminal: str,
    at: datetime,
    cashier: str,
    customer: str | None,
    return_of: str | None,
    subtotal: int,
    discount: int,
    total: int,
    *,
    kdv: dict[str, dict[str, str | None]],
    lines: list[dict[str, Any]],
    payments: list[dict[str, Any]],
    tz: str,
    member: str | None = None,
    benefits: list[dict[str, Any]] | None = None,
    fiscal: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The contract shape from stored values (kuruş, milli-units, naive UTC ``at``): the one
    formatter behind both :func:`sale_document` and the document a posting journals.
    ``member`` (the loyalty card), ``benefits`` (loyalty discount lines) and ``fiscal`` (the
    fiscal device's confirmation) appear only on documents that have them, so documents posted
    before loyalty or without a fiscal device keep their exact shape."""
    doc = {
        "id": uid,
        "receipt_no": receipt_no,
        "type": kind,
        "terminal": terminal,
        "at": iso(from_db(at), tz),
        "cashier": cashier,
        "customer": customer,
        "return_of": return_of,
        "subtotal": _amount(subtotal),
        "discount": _amount(discount),
        "total": _amount(total),
        "kdv": kdv,
        "lines": lines,
        "payments": payments,
    }
    if member is not None:
        doc["member"] = member
    if benefits:
        doc["benefits"] = benefits
    if fiscal is not None:
        doc["fiscal"] = fiscal
    return doc


def _benefit_json(line_no: int, kind: str, code: str, label: str, amount: int, points: int) -> dict[str, Any]:
    return {"line_no": line_no, "kind": kind, "code": code, "label": label, "amount": _amount(amount), "points": points}


def sale_document(sale_id: int, tz: str = DEFAULT_TZ) -> dict[str, Any]:
    """The canonical JSON shape of a posted sale or return (docs/architecture.md), read from
    the tables. It is the journal payload, the export record and what the audit recomputes;
    ``tz`` is the shop's time zone (``Settings.shop.timezone``), which gives ``at`` its offset."""
    docs = sale_documents([sale_id], tz)
    if not docs:
        raise NotFound(_("No sale {sale_id}").format(sale_id=sale_id))
    return docs[0]


_CHUNK = 500


def sale_documents(sale_ids: Sequence[int], tz: str = DEFAULT_TZ) -> list[dict[str, Any]]:
    """:func:`sale_document` of many documents with a handful of queries per 500 (exports),
    in the order of ``sale_ids``; ids that do not exist are left out."""
    docs: list[dict[str, Any]] = []
    for start in range(0, len(sale_ids), _CHUNK):
        docs.extend(_documents(list(sale_ids[start : start + _CHUNK]), tz))
    return docs


def _documents(ids: list[int], tz: str) -> list[dict[str, Any]]:
    original = m.Sale.alias("original")
    S = m.Sale
    heads = store.rows(
        S.select(
            S.id,
            S.uid,
            S.receipt_no,
            S.kind,
            S.terminal,
            S.at,
            m.User.name,
            m.Customer.code,
            original.uid,
            S.subtotal,
            S.discount,
            S.total,
            m.Member.card,
        )
        .join(m.User, on=(S.cashier == m.User.id))
        .switch(S)
        .join(m.Member, JOIN.LEFT_OUTER, on=(S.member == m.Member.id))
        .switch(S)
        .join(m.Customer, JOIN.LEFT_OUTER, on=(S.customer == m.Customer.id))
        .switch(S)
        .join(original, JOIN.LEFT_OUTER, on=(S.return_of == original.id))
        .where(S.id.in_(ids))
    )
    lines: dict[int, list[dict[str, Any]]] = defaultdict(list)
    L = m.SaleLine
    for sale_id, *line in store.rows(
        L.select(
            L.sale,
            L.line_no,
            L.code,
            L.barcode,
            L.name,
            L.unit,
            L.qty,
            L.unit_price,
            L.list_price,
            L.discount,
            L.total,
            L.kdv_rate,
        )
        .where(L.sale.in_(ids))
        .order_by(L.sale, L.line_no)
    ):
        lines[sale_id].append(_line_json(*line))
    payments: dict[int, list[dict[str, Any]]] = defaultdict(list)
    P = m.Payment
    for sale_id, *payment in store.rows(
        P.select(P.sale, P.method, P.amount, P.tendered, P.change, P.reference)
        .where(P.sale.in_(ids))
        .order_by(P.sale, P.id)
    ):
        payments[sale_id].append(_payment_json(*payment))
    kdv: dict[int, dict[str, dict[str, str | None]]] = defaultdict(dict)
    K = m.SaleKdv
    for sale_id, rate, base, tax in store.rows(
        K.select(K.sale, K.rate, K.base, K.kdv).where(K.sale.in_(ids)).order_by(K.sale, K.rate)
    ):
        kdv[sale_id][str(rate)] = {"base": _amount(base), "kdv": _amount(tax)}
    benefits: dict[int, list[dict[str, Any]]] = defaultdict(list)
    B = m.SaleBenefit
    for sale_id, *benefit in store.rows(
        B.select(B.sale, B.line_no, B.kind, B.code, B.label, B.amount, B.points)
        .where(B.sale.in_(ids))
        .order_by(B.sale, B.id)
    ):
        benefits[sale_id].append(_benefit_json(*benefit))
    F = m.SaleFiscal
    fiscal = {
        sale_id: FiscalRecord(device, no, z, from_db(at)).as_json()
        for sale_id, device, no, z, at in store.rows(
            F.select(F.sale, F.device, F.fiscal_no, F.z_no, F.at).where(F.sale.in_(ids))
        )
    }
    by_id = {
        sale_id: _document_json(
            *head,
            kdv=kdv.get(sale_id, {}),
            lines=lines.get(sale_id, []),
            payments=payments.get(sale_id, []),
            tz=tz,
            member=member,
            benefits=benefits.get(sale_id),
            fiscal=fiscal.get(sale_id),
        )
        for sale_id, *head, member in heads
    }
    return [by_id[i] for i in ids if i in by_id]


def _resolve(ref: SaleRef) -> _Head:
    S = m.Sale
    query = S.select(S.id, S.uid, S.kind, S.terminal, S.receipt_no, S.customer, S.member)
    if isinstance(ref, str):
        row = next(store.rows(query.where(S.uid == ref)), None)
        if row is None:
            raise NotFound(_("No receipt with id {uid}").format(uid=ref))
        return _Head(*row)
    terminal, receipt_no = ref
    row = next(store.rows(query.where((S.terminal == terminal) & (S.receipt_no == receipt_no))), None)
    if row is None:
        raise NotFound(
            _("No receipt {receipt_no} on terminal {terminal}").format(receipt_no=receipt_no, terminal=terminal)
        )
    return _Head(*row)


def find_sale(receipt_no: int, terminal: str, tz: str = DEFAULT_TZ) -> dict[str, Any]:
    """The document of receipt ``receipt_no`` of ``terminal`` (for reprints and returns)."""
    return sale_document(_resolve((terminal, receipt_no)).id, tz)


def get_sale(uid: str, tz: str = DEFAULT_TZ) -> dict[str, Any]:
    """The document with id ``uid``."""
    return sale_document(_resolve(uid).id, tz)


def list_sales(
    terminal: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int | None = 100,
    kind: str | None = None,
) -> list[SaleSummary]:
    """Posted documents, newest first: ``since <= at < until`` (aware datetimes)."""
    S = m.Sale
    query = (
        S.select(
            S.id,
            S.uid,
            S.kind,
            S.terminal,
            S.receipt_no,
            S.at,
            m.User.name,
            S.customer,
            S.total,
            S.return_of,
            S.source,
        )
        .join(m.User, on=(S.cashier == m.User.id))
        .order_by(S.at.desc(), S.id.desc())
    )
    if terminal is not None:
        query = query.where(S.terminal == terminal)
    if since is not None:
        query = query.where(S.at >= to_db(since))
    if until is not None:
        query = query.where(S.at < to_db(until))
    if kind is not None:
        query = query.where(S.kind == kind)
    if limit is not None:
        query = query.limit(limit)
    return [
        SaleSummary(
            sale_id=sale_id,
            uid=uid,
            kind=kind_,
            terminal=term,
            receipt_no=receipt_no,
            at=from_db(at),
            cashier=cashier,
            customer_id=customer_id,
            total=from_kurus(total),
            return_of_id=return_of_id,
            source=source,
        )
        for sale_id, uid, kind_, term, receipt_no, at, cashier, customer_id, total, return_of_id, source in store.rows(
            query
        )
    ]


# --------------------------------------------------------------------------- posting


@dataclass(frozen=True, slots=True)
class _DocLine:
    product_id: int
    code: str
    barcode: str | None
    name: str
    unit: str
    qty_milli: int
    unit_price: Decimal
    list_price: Decimal
    discount: Decimal
    total: Decimal
    kdv_rate: int
    origin_line_id: int | None = None
    price_override_reason: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DocumentDraft:
    """A document ready to be written by :func:`_write_document`: what it is, its lines and
    settled payments, and whom and what it belongs to, as one value.

    Sales, returns and blind returns are drafts of kind ``sale`` or ``return``; a new document
    kind (goods receipt, account entry, invoice) is another draft through the same path (one
    transaction, a receipt number, the journal entry the audit recomputes), not more
    parameters. ``payments`` are already settled (:func:`settle_payments`); ``benefits`` are
    the loyalty discount lines as ``(document line_no, benefit)``, their amounts already inside
    the lines' discounts; ``evaluation`` is the loyalty evaluation keyed by document line.
    """

    kind: str
    uid: str
    terminal: str
    cashier_id: int
    lines: Sequence[_DocLine]
    kdv_rows: Sequence[KdvRow]
    payments: Sequence[AppliedPayment]
    now: datetime
    source: str
    tz: str
    customer_id: int | None = None
    shift_id: int | None = None
    return_of_id: int | None = None
    return_of_uid: str | None = None
    note: str | None = None
    member_id: int | None = None
    benefits: Sequence[tuple[int, Benefit]] = ()
    evaluation: Evaluation | None = None


def _check_shift(shift_id: int | None, terminal: str) -> None:
    if shift_id is None:
        return
    shift = fast.select_first(m.Shift, ("terminal", "closed_at"), {"id": shift_id})
    if shift is None or shift[0] != terminal:
        raise StateError(
            _("Shift {shift_id} is not a shift of terminal {terminal}").format(shift_id=shift_id, terminal=terminal)
        )
    if shift[1] is not None:
        raise StateError(_("Shift {shift_id} is closed; open a new shift to sell").format(shift_id=shift_id))


def _check_uid(uid: str | None) -> str:
    if uid is None:
        return uuid.uuid4().hex
    uid = uid.strip()
    if not uid or len(uid) > 64:
        raise ValidationError(_("A document id must have 1 to 64 characters"))
    if fast.select_first(m.Sale, ("id",), {"uid": uid}) is not None:
        raise ValidationError(_("A document with id {uid} already exists").format(uid=uid))
    return uid


_LINE_FIELDS = (
    "sale",
    "line_no",
    "product",
    "code",
    "barcode",
    "name",
    "unit",
    "qty",
    "unit_price",
    "list_price",
    "discount",
    "total",
    "kdv_rate",
    "kdv",
    "origin_line",
    "price_override_reason",
)
_BENEFIT_FIELDS = ("sale", "line_no", "kind", "code", "label", "amount", "points")
_PAYMENT_FIELDS = ("sale", "method", "amount", "tendered", "change", "reference")


def _one(row: tuple[Any, ...] | None) -> Any:
    """The single column of a row read by :func:`fast.select_first` (``None`` without a row)."""
    return None if row is None else row[0]


def _kdv_rows(lines: Sequence[_DocLine]) -> list[KdvRow]:
    by_rate: dict[int, Decimal] = {}
    for ln in lines:
        by_rate[ln.kdv_rate] = by_rate.get(ln.kdv_rate, ZERO) + ln.total
    return [KdvRow(rate, *split_kdv(amount, rate)) for rate, amount in sorted(by_rate.items())]


def _write_document(draft: DocumentDraft, ctx: TenderContext, *, fiscal: FiscalHook | None = None) -> SaleResult:
    """Write ``draft`` and everything that hangs off it; the caller holds the transaction.

    ``ctx`` is the tender context the payments were settled in; each tender posts its side
    effects (a gift card's entry, store credit) against the new document. ``fiscal`` registers
    the sale on the fiscal device once everything that could refuse it is written (see
    :mod:`pos_tui.core.fiscal`); its error rolls the whole document back.

    Loyalty effects (points earned, stamps, clawback on a return…) are written by
    :func:`pos_tui.core.loyalty.posting.after_document` in the same transaction, after the
    tenders.

    The journalled document is formatted from the very values written (with the formatter
    :func:`sale_document` uses), which saves reading the rows back on every sale; the tests
    and ``audit verify`` check that the two never differ.
    """
    kind, uid, terminal, cashier_id, now, tz = (
        draft.kind,
        draft.uid,
        draft.terminal,
        draft.cashier_id,
        draft.now,
        draft.tz,
    )
    lines, kdv_rows, applied, benefits, evaluation = (
        draft.lines,
        draft.kdv_rows,
        draft.payments,
        draft.benefits,
        draft.evaluation,
    )
    customer_id, shift_id, member_id, return_of_id, return_of_uid, source, note = (
        draft.customer_id,
        draft.shift_id,
        draft.member_id,
        draft.return_of_id,
        draft.return_of_uid,
        draft.source,
        draft.note,
    )
    receipt_no = next_value(terminal, "receipt")
    total = to_kurus(sum((ln.total for ln in lines), ZERO))
    discount = to_kurus(sum((ln.discount for ln in lines), ZERO))
    at = to_db(now)
    sale_id = fast.insert_one(
        m.Sale,
        {
            "uid": uid,
            "kind": kind,
            "terminal": terminal,
            "receipt_no": receipt_no,
            "at": at,
            "cashier": cashier_id,
            "customer": customer_id,
            "shift": shift_id,
            "return_of": return_of_id,
            "subtotal": total + discount,
            "discount": discount,
            "total": total,
            "source": source,
            "note": note,
            "member": member_id,
        },
    )
    line_rows = [
        (
            sale_id,
            i,
            ln.product_id,
            ln.code,
            ln.barcode,
            ln.name,
            ln.unit,
            ln.qty_milli,
            to_kurus(ln.unit_price),
            to_kurus(ln.list_price),
            to_kurus(ln.discount),
            to_kurus(ln.total),
            ln.kdv_rate,
            to_kurus(split_kdv(ln.total, ln.kdv_rate)[1]),
            ln.origin_line_id,
            ln.price_override_reason,
        )
        for i, ln in enumerate(lines, start=1)
    ]
    fast.insert_many(m.SaleLine, _LINE_FIELDS, line_rows)
    payment_rows = [
        (
            sale_id,
            a.method,
            to_kurus(a.amount),
            None if a.tendered is None else to_kurus(a.tendered),
            None if a.change is None else to_kurus(a.change),
            a.reference,
        )
        for a in applied
    ]
    fast.insert_many(m.Payment, _PAYMENT_FIELDS, payment_rows)
    kdv_table = [(r.rate, to_kurus(r.base), to_kurus(r.kdv)) for r in kdv_rows]
    fast.insert_many(m.SaleKdv, ("sale", "rate", "base", "kdv"), [(sale_id, *row) for row in kdv_table])
    sign = -1 if kind == SALE else 1
    fast.insert_many(
        m.StockMovement,
        ("product", "at", "qty", "kind", "sale"),
        [(ln.product_id, at, sign * ln.qty_milli, kind, sale_id) for ln in lines],
    )
    per_product: dict[int, int] = {}
    for ln in lines:
        per_product[ln.product_id] = per_product.get(ln.product_id, 0) + sign * ln.qty_milli
    fast.add_by_id(m.Product, "stock", per_product)
    benefit_rows = [
        (sale_id, line_no, b.kind, b.code, b.label[:255], to_kurus(b.amount), b.points) for line_no, b in benefits
    ]
    if benefit_rows:
        fast.insert_many(m.SaleBenefit, _BENEFIT_FIELDS, benefit_rows)
    posted = dataclasses.replace(ctx, sale_id=sale_id, member_id=member_id)
    for a in applied:
        tender_for(a.method).post(a, posted)
    if member_id is not None or benefits:  # coupons are used without a member too
        loyalty_posting.after_document(
            loyalty_posting.PostedDocument(
                sale_id=sale_id,
                kind=kind,
                terminal=terminal,
                cashier_id=cashier_id,
                member_id=member_id,
                return_of_id=return_of_id,
                lines=tuple(
                    loyalty_posting.PostedLine(i, ln.product_id, ln.code, ln.qty_milli, ln.total, ln.origin_line_id)
                    for i, ln in enumerate(lines, start=1)
                ),
                benefits=tuple(benefits),
                payments=tuple(applied),
                total=from_kurus(total),
                now=now,
                tz=tz,
                evaluation=evaluation,
            )
        )
    cashier = _one(fast.select_first(m.User, ("name",), {"id": cashier_id}))
    record = None
    if fiscal is not None:
        record = fiscal(_fiscal_ticket(uid, terminal, receipt_no, cashier, lines, applied))
        fast.insert_many(
            m.SaleFiscal,
            ("sale", "device", "fiscal_no", "z_no", "at"),
            [(sale_id, record.device, record.fiscal_no, record.z_no, to_db(record.at))],
        )
    customer = None if customer_id is None else _one(fast.select_first(m.Customer, ("code",), {"id": customer_id}))
    card = None if member_id is None else _one(fast.select_first(m.Member, ("card",), {"id": member_id}))
    document = _document_json(
        uid,
        receipt_no,
        kind,
        terminal,
        at,
        cashier,
        customer,
        return_of_uid,
        total + discount,
        discount,
        total,
        kdv={str(r): {"base": _amount(b), "kdv": _amount(k)} for r, b, k in kdv_table},
        lines=[_line_json(row[1], *row[3:13]) for row in line_rows],  # line_no, code … kdv_rate
        payments=[_payment_json(*row[1:]) for row in payment_rows],
        tz=tz,
        member=card,
        benefits=[_benefit_json(*row[1:]) for row in benefit_rows],
        fiscal=None if record is None else record.as_json(),
    )
    journal.append(kind, document, terminal=terminal, now=now, ref=uid)
    change = sum((a.change for a in applied if a.change is not None), ZERO)
    return SaleResult(sale_id, uid, receipt_no, from_kurus(total), change, document)


def _fiscal_ticket(
    uid: str, terminal: str, receipt_no: int, cashier: str, lines: Sequence[_DocLine], applied: Sequence[AppliedPayment]
) -> FiscalTicket:
    items = tuple(
        FiscalItem(ln.name, ln.qty_milli, ln.unit, ln.unit_price, ln.kdv_rate, ln.discount, ln.total) for ln in lines
    )
    payments = tuple(FiscalPayment(a.method, a.amount) for a in applied)
    total = sum((ln.total for ln in lines), ZERO)
    change = sum((a.change for a in applied if a.change is not None), ZERO)
    return FiscalTicket(uid, terminal, receipt_no, cashier, items, payments, total, change)


def _doc_benefits(cart: Cart, totals: CartTotals) -> list[tuple[int, Benefit]]:
    """The cart's loyalty benefits numbered by document line (active lines are 1..n), each at
    the amount the cart arithmetic actually took (a benefit beyond its line's cost is cut)."""
    numbers = {ln.line_no: i for i, ln in enumerate(cart.active_lines, start=1)}
    room = {lt.line_no: lt.benefit for lt in totals.lines}
    out: list[tuple[int, Benefit]] = []
    for b in cart.benefits:
        amount = min(b.amount, room.get(b.line_no, ZERO))
        if b.line_no in numbers and amount > 0:
            room[b.line_no] -= amount
            out.append((numbers[b.line_no], dataclasses.replace(b, amount=amount)))
    return out


def _by_document_line(cart: Cart, evaluation: Evaluation) -> Evaluation:
    """``evaluation`` with its free units keyed by document line (active lines are 1..n)."""
    numbers = {ln.line_no: i for i, ln in enumerate(cart.active_lines, start=1)}
    free = {numbers[n]: units for n, units in evaluation.free_units.items() if n in numbers}
    return dataclasses.replace(evaluation, free_units=free)


def _doc_lines(cart: Cart, totals: CartTotals) -> list[_DocLine]:
    """The cart's active lines as document lines, with each line's share of every discount."""
    by_no = {lt.line_no: lt for lt in totals.lines}
    return [
        _DocLine(
            product_id=ln.product_id,
            code=ln.code,
            barcode=ln.barcode,
            name=ln.name,
            unit=ln.unit,
            qty_milli=ln.qty_milli,
            unit_price=ln.unit_price,
            list_price=ln.list_price,
            discount=by_no[ln.line_no].discount,
            total=by_no[ln.line_no].net,
            kdv_rate=ln.kdv_rate,
            price_override_reason=ln.price_override_reason,
        )
        for ln in cart.active_lines
    ]


def post_cart(
    cart: Cart,
    payments: Sequence[PaymentInput],
    *,
    terminal: str,
    cashier_id: int,
    now: datetime,
    shift_id: int | None = None,
    uid: str | None = None,
    source: str = "till",
    tz: str = DEFAULT_TZ,
) -> SaleResult:
    """Post ``cart`` as a sale without a permission check: the engine under
    :func:`complete_sale` and the sales import (whose authority is the admin running it)."""
    with write_tx():
        return _post_cart(
            cart,
            payments,
            terminal=terminal,
            cashier_id=cashier_id,
            now=now,
            shift_id=shift_id,
            uid=uid,
            source=source,
            tz=tz,
        )


def _post_cart(
    cart: Cart,
    payments: Sequence[PaymentInput],
    *,
    terminal: str,
    cashier_id: int,
    now: datetime,
    shift_id: int | None,
    uid: str | None,
    source: str,
    tz: str,
    fiscal: FiscalHook | None = None,
) -> SaleResult:
    """:func:`post_cart` inside the caller's write transaction."""
    if cart.is_empty:
        raise ValidationError(_("The cart is empty"))
    # Benefits are recomputed inside the transaction: a coupon used up or points spent on
    # another terminal since the cart was last priced cannot be used twice.
    quote = loyalty_pricing.quote(cart, now=now, tz=tz, strict=True)
    cart = quote.cart
    totals = cart.totals()
    lines = _doc_lines(cart, totals)
    _check_shift(shift_id, terminal)
    uid = _check_uid(uid)
    ctx = TenderContext(SALE, terminal, cashier_id, cart.customer_id, totals.total, now, member_id=cart.member_id)
    applied = settle_payments(payments, ctx)
    draft = DocumentDraft(
        kind=SALE,
        uid=uid,
        terminal=terminal,
        cashier_id=cashier_id,
        lines=lines,
        kdv_rows=totals.kdv,
        payments=applied,
        now=now,
        source=source,
        tz=tz,
        customer_id=cart.customer_id,
        shift_id=shift_id,
        note=cart.note,
        member_id=cart.member_id,
        benefits=_doc_benefits(cart, totals),
        evaluation=_by_document_line(cart, quote.evaluation),
    )
    return _write_document(draft, ctx, fiscal=fiscal)


def complete_sale(
    terminal: str,
    actor: Actor,
    payments: Sequence[PaymentInput],
    *,
    now: datetime,
    shift_id: int | None = None,
    cart: Cart | None = None,
    tz: str = DEFAULT_TZ,
    fiscal: FiscalHook | None = None,
) -> SaleResult:
    """Post the cashier's open cart (or ``cart``) paid with ``payments``, in one transaction.

    Raises ValidationError for an empty cart or payments that do not settle the total (only
    cash may exceed it), StateError for a closed or foreign shift; nothing is written then.
    Posting the open cart removes it, so the next scan starts a new sale. With ``fiscal`` (fiscal
    mode) the sale is registered on the fiscal device last: a FiscalError leaves the cart open.
    """
    require(actor, "sell")
    with write_tx():
        own = cart is None
        posted = load_open_cart(terminal, actor.user_id) if cart is None else cart
        result = _post_cart(
            posted,
            payments,
            terminal=terminal,
            cashier_id=actor.user_id,
            now=now,
            shift_id=shift_id,
            uid=None,
            source="till",
            tz=tz,
            fiscal=fiscal,
        )
        if own:
            discard_open_cart(terminal, actor.user_id)
    return result


# --------------------------------------------------------------------------- returns


def _share(amount: int, part: int, whole: int) -> int:
    """round_half_up(amount × part / whole) on non-negative integers."""
    return (2 * amount * part + whole) // (2 * whole)


def _returnable(original: _Head) -> list[_Sold]:
    """Each sold line of ``original`` with what its earlier returns took."""
    L = m.SaleLine
    sold = list(
        store.rows(
            L.select(
                L.id,
                L.line_no,
                L.product,
                L.code,
                L.barcode,
                L.name,
                L.unit,
                L.qty,
                L.unit_price,
                L.list_price,
                L.discount,
                L.total,
                L.kdv_rate,
            )
            .where(L.sale == original.id)
            .order_by(L.line_no)
        )
    )
    taken: dict[int, tuple[int, int, int]] = {}
    if sold:
        rows = store.rows(
            L.select(L.origin_line, fn.SUM(L.qty), fn.SUM(L.total), fn.SUM(L.discount))
            .where(L.origin_line.in_([row[0] for row in sold]))
            .group_by(L.origin_line)
        )
        taken = {int(origin): (int(q), int(t), int(d)) for origin, q, t, d in rows}
    result = []
    for sold_id, line_no, product_id, code, barcode, name, unit, qty, price, list_price, disc, total, rate in sold:
        returned, refunded, discount_back = taken.get(sold_id, (0, 0, 0))
        result.append(
            _Sold(
                sold_id,
                line_no,
                product_id,
                code,
                barcode,
                name,
                unit,
                qty,
                price,
                list_price,
                disc,
                total,
                rate,
                returned,
                refunded,
                discount_back,
            )
        )
    return result


def returnable_lines(original: SaleRef) -> list[ReturnableLine]:
    """What may still be returned of each line of a sale (for the return screen)."""
    sale = _resolve(original)
    return [
        ReturnableLine(
            line_no=ln.line_no,
            code=ln.code,
            barcode=ln.barcode,
            name=ln.name,
            unit=ln.unit,
            kdv_rate=ln.kdv_rate,
            unit_price=from_kurus(ln.unit_price),
            sold_milli=ln.qty,
            returned_milli=ln.returned,
            total=from_kurus(ln.total),
            refunded=from_kurus(ln.refunded),
        )
        for ln in _returnable(sale)
    ]


def _original_refundable(original: _Head) -> dict[str, Decimal]:
    """Per method, in the order the sale was paid: what it paid minus what returns refunded."""
    P = m.Payment
    paid: dict[str, int] = {}
    for method, amount in store.rows(P.select(P.method, P.amount).where(P.sale == original.id).order_by(P.id)):
        paid[method] = paid.get(method, 0) + amount
    refunded: dict[str, int] = {
        method: int(amount)
        for method, amount in store.rows(
            P.select(P.method, fn.SUM(P.amount))
            .join(m.Sale, on=(P.sale == m.Sale.id))
            .where(m.Sale.return_of == original.id)
            .group_by(P.method)
        )
    }
    return {method: from_kurus(max(amount - int(refunded.get(method, 0)), 0)) for method, amount in paid.items()}


def _refunds_by_original(original: _Head, total: Decimal) -> list[PaymentInput]:
    remaining = total
    refunds: list[PaymentInput] = []
    for method, available in _original_refundable(original).items():
        take = min(available, remaining)
        if take > 0:
            refunds.append(PaymentInput(method, take))
            remaining -= take
    if remaining > 0:
        refunds.append(PaymentInput("cash", remaining))
    return refunds


def _cash_refunds(original: _Head, total: Decimal) -> list[PaymentInput]:
    """A refund "in cash": what points, store credit or a gift card paid still goes back to
    them (their value is never paid out as cash); everything else is cash."""
    kept = [p for p in _refunds_by_original(original, total) if p.method in LOYALTY_METHODS]
    cash = total - sum((p.amount for p in kept), ZERO)
    return [*kept, PaymentInput("cash", cash)] if cash > 0 else kept


def _check_refunds(original: _Head, refunds: Sequence[PaymentInput]) -> None:
    """Explicit refunds may pay back by a non-cash method only what that method paid."""
    available = _original_refundable(original)
    asked: dict[str, Decimal] = {}
    for r in refunds:
        asked[r.method] = asked.get(r.method, ZERO) + money(r.amount)
    for method, amount in asked.items():
        if method != "cash" and amount > available.get(method, ZERO):
            raise ValidationError(
                _(
                    "A {method} refund of {amount} is more than the {available} paid by {method} and not yet refunded"
                ).format(
                    method=method, amount=format_money(amount), available=format_money(available.get(method, ZERO))
                )
            )


def _receipt_label(sale: _Head) -> str:
    return f"{sale.terminal}/{sale.receipt_no}"


def _plan_return(original: _Head, lines: Sequence[ReturnLineInput]) -> list[_DocLine]:
    """The lines of a return of ``lines`` from ``original``: quantities checked against what
    is left, money by the cumulative rule of the module docstring."""
    if original.kind != SALE:
        raise ValidationError(
            _("Receipt {receipt} is a return; return against the sale itself").format(receipt=_receipt_label(original))
        )
    if not lines:
        raise ValidationError(_("Choose at least one line to return"))
    sold = {ln.line_no: ln for ln in _returnable(original)}
    seen: set[int] = set()
    doc_lines: list[_DocLine] = []
    for req in lines:
        if req.line_no in seen:
            raise ValidationError(_("Line {line_no} is listed twice").format(line_no=req.line_no))
        seen.add(req.line_no)
        if req.line_no not in sold:
            raise ValidationError(
                _("Receipt {receipt} has no line {line_no}").format(
                    receipt=_receipt_label(original), line_no=req.line_no
                )
            )
        line = sold[req.line_no]
        returned, refunded, disc_back = line.returned, line.refunded, line.discount_back
        check_quantity(req.qty_milli, line.unit)
        left = line.qty - returned
        if req.qty_milli > left:
            raise ValidationError(
                _(
                    "Line {line_no} ({name}): {asked} asked back, but {sold} were sold and {returned} already "
                    "returned, so at most {left} can be returned"
                ).format(
                    line_no=line.line_no,
                    name=line.name,
                    asked=format_quantity(req.qty_milli),
                    sold=format_quantity(line.qty),
                    returned=format_quantity(returned),
                    left=format_quantity(left),
                )
            )
        after = returned + req.qty_milli
        if after == line.qty:
            net, disc = line.total - refunded, line.discount - disc_back
        else:
            net = min(max(_share(line.total, after, line.qty) - refunded, 0), line.total - refunded)
            disc = min(max(_share(line.discount, after, line.qty) - disc_back, 0), line.discount - disc_back)
        doc_lines.append(
            _DocLine(
                product_id=line.product_id,
                code=line.code,
                barcode=line.barcode,
                name=line.name,
                unit=line.unit,
                qty_milli=req.qty_milli,
                unit_price=from_kurus(line.unit_price),
                list_price=from_kurus(line.list_price),
                discount=from_kurus(max(disc, 0)),
                total=from_kurus(max(net, 0)),
                kdv_rate=line.kdv_rate,
                origin_line_id=line.id,
            )
        )
    return doc_lines


def return_total(original: SaleRef, lines: Sequence[ReturnLineInput]) -> Decimal:
    """What returning ``lines`` would refund, with the same checks as :func:`create_return`
    (for the return screen, before the cashier confirms). Reads only."""
    return sum((ln.total for ln in _plan_return(_resolve(original), lines)), ZERO)


def post_return(
    original_receipt: SaleRef,
    lines: Sequence[ReturnLineInput],
    *,
    terminal: str,
    cashier_id: int,
    now: datetime,
    reason: str,
    refund_method: str = "original",
    refunds: Sequence[PaymentInput] | None = None,
    shift_id: int | None = None,
    uid: str | None = None,
    source: str = "till",
    tz: str = DEFAULT_TZ,
) -> SaleResult:
    """Post a return against ``original_receipt`` without a permission check (see :func:`create_return`).

    ``refunds`` overrides ``refund_method`` with explicit refund payments (the sales import);
    they must sum to the refund, and a non-cash method may not refund more than it paid.
    """
    if refund_method not in REFUND_METHODS:
        raise ValidationError(
            _("Refund method must be 'original' or 'cash', not {method!r}").format(method=refund_method)
        )
    text = (reason or "").strip()
    if not text:
        raise ValidationError(_("A reason is needed"))
    with write_tx():
        original = _resolve(original_receipt)
        _check_shift(shift_id, terminal)
        uid = _check_uid(uid)
        doc_lines = _plan_return(original, lines)
        total = sum((ln.total for ln in doc_lines), ZERO)
        ctx = TenderContext(
            RETURN,
            terminal,
            cashier_id,
            original.customer_id,
            total,
            now,
            return_of_id=original.id,
            member_id=original.member_id,
        )
        if refunds is not None:
            _check_refunds(original, refunds)
            wanted = list(refunds)
        elif refund_method == "cash":
            wanted = _cash_refunds(original, total)
        else:
            wanted = _refunds_by_original(original, total)
        applied = settle_payments(wanted, ctx)
        draft = DocumentDraft(
            kind=RETURN,
            uid=uid,
            terminal=terminal,
            cashier_id=cashier_id,
            lines=doc_lines,
            kdv_rows=_kdv_rows(doc_lines),
            payments=applied,
            now=now,
            source=source,
            tz=tz,
            customer_id=original.customer_id,
            shift_id=shift_id,
            return_of_id=original.id,
            return_of_uid=original.uid,
            note=text,
            member_id=original.member_id,
        )
        return _write_document(draft, ctx)


def create_return(
    terminal: str,
    actor: Actor,
    original_receipt: SaleRef,
    lines: Sequence[ReturnLineInput],
    *,
    now: datetime,
    reason: str,
    refund_method: str = "original",
    override: Override | None = None,
    shift_id: int | None = None,
    tz: str = DEFAULT_TZ,
) -> SaleResult:
    """Take back part or all of a sale: needs ``return``. Each line returns at most what was
    sold minus earlier returns; the money is refunded by the original payment methods (in the
    order they paid, each up to what it paid minus earlier refunds) or all in cash."""
    used = require(actor, "return", override)
    with write_tx():
        original = _resolve(original_receipt)
        result = post_return(
            original.uid,
            lines,
            terminal=terminal,
            cashier_id=actor.user_id,
            now=now,
            reason=reason,
            refund_method=refund_method,
            shift_id=shift_id,
            tz=tz,
        )
        if used is not None:
            record_override(
                actor,
                used,
                "return",
                terminal=terminal,
                now=now,
                details={"receipt": _receipt_label(original), "return": result.uid, "total": str(result.total)},
            )
    return result


def create_blind_return(
    terminal: str,
    actor: Actor,
    lines: Sequence[BlindReturnLineInput],
    *,
    now: datetime,
    reason: str,
    override: Override | None = None,
    shift_id: int | None = None,
    customer_id: int | None = None,
    tz: str = DEFAULT_TZ,
) -> SaleResult:
    """Take back goods without a receipt, at today's prices, refunded in cash. Needs
    ``return_without_receipt`` (a manager's override for a cashier)."""
    used = require(actor, "return_without_receipt", override)
    if not lines:
        raise ValidationError(_("Choose at least one line to return"))
    text = (reason or "").strip()
    if not text:
        raise ValidationError(_("A reason is needed"))
    cart = Cart()
    for req in lines:
        product = get_product(req.code)
        cart = cart.add_product(product, req.qty_milli, barcode=req.code if req.code != product.code else None)
    totals = cart.totals()
    doc_lines = _doc_lines(cart, totals)
    with write_tx():
        _check_shift(shift_id, terminal)
        uid = _check_uid(None)
        ctx = TenderContext(RETURN, terminal, actor.user_id, customer_id, totals.total, now)
        applied = settle_payments([PaymentInput("cash", totals.total)] if totals.total > 0 else [], ctx)
        draft = DocumentDraft(
            kind=RETURN,
            uid=uid,
            terminal=terminal,
            cashier_id=actor.user_id,
            lines=doc_lines,
            kdv_rows=totals.kdv,
            payments=applied,
            now=now,
            source="till",
            tz=tz,
            customer_id=customer_id,
            shift_id=shift_id,
            note=text,
        )
        result = _write_document(draft, ctx)
        if used is not None:
            record_override(
                actor,
                used,
                "return_without_receipt",
                terminal=terminal,
                now=now,
                details={"return": result.uid, "total": str(result.total)},
            )
    return result

"""Posted documents as values: the JSON that is the journal payload of a sale or return (:func:`sale_document`),
and reading posted documents back.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from peewee import JOIN

from pos_tui import store
from pos_tui.core.kernel.clock import SHOP_TZ, from_db, iso, to_db
from pos_tui.core.kernel.errors import NotFound
from pos_tui.core.kernel.money import from_kurus, qty_to_decimal
from pos_tui.core.till.fiscal import FiscalRecord
from pos_tui.core.till.results import SaleRef, SaleSummary
from pos_tui.i18n import _
from pos_tui.store import models as m


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


def amount_text(kurus: int | None) -> str | None:
    return None if kurus is None else str(from_kurus(kurus))


def line_json(
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
        "unit_price": amount_text(unit_price),
        "list_price": amount_text(list_price),
        "discount": amount_text(discount),
        "total": amount_text(total),
        "kdv_rate": kdv_rate,
    }


def payment_json(
    method: str, amount: int, tendered: int | None, change: int | None, reference: str | None
) -> dict[str, Any]:
    return {
        "method": method,
        "amount": amount_text(amount),
        "tendered": amount_text(tendered),
        "change": amount_text(change),
        "reference": reference,
    }


def document_json(
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
        "subtotal": amount_text(subtotal),
        "discount": amount_text(discount),
        "total": amount_text(total),
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


def benefit_json(line_no: int, kind: str, code: str, label: str, amount: int, points: int) -> dict[str, Any]:
    return {
        "line_no": line_no,
        "kind": kind,
        "code": code,
        "label": label,
        "amount": amount_text(amount),
        "points": points,
    }


def sale_document(sale_id: int, tz: str = SHOP_TZ) -> dict[str, Any]:
    """The canonical JSON shape of a posted sale or return (docs/architecture.md), read from
    the tables. It is the journal payload, the export record and what the audit recomputes;
    ``tz`` is the shop's time zone (``Settings.shop.timezone``), which gives ``at`` its offset."""
    docs = sale_documents([sale_id], tz)
    if not docs:
        raise NotFound(_("No sale {sale_id}").format(sale_id=sale_id))
    return docs[0]


_CHUNK = 500


def sale_documents(sale_ids: Sequence[int], tz: str = SHOP_TZ) -> list[dict[str, Any]]:
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
        lines[sale_id].append(line_json(*line))
    payments: dict[int, list[dict[str, Any]]] = defaultdict(list)
    P = m.Payment
    for sale_id, *payment in store.rows(
        P.select(P.sale, P.method, P.amount, P.tendered, P.change, P.reference)
        .where(P.sale.in_(ids))
        .order_by(P.sale, P.id)
    ):
        payments[sale_id].append(payment_json(*payment))
    kdv: dict[int, dict[str, dict[str, str | None]]] = defaultdict(dict)
    K = m.SaleKdv
    for sale_id, rate, base, tax in store.rows(
        K.select(K.sale, K.rate, K.base, K.kdv).where(K.sale.in_(ids)).order_by(K.sale, K.rate)
    ):
        kdv[sale_id][str(rate)] = {"base": amount_text(base), "kdv": amount_text(tax)}
    benefits: dict[int, list[dict[str, Any]]] = defaultdict(list)
    B = m.SaleBenefit
    for sale_id, *benefit in store.rows(
        B.select(B.sale, B.line_no, B.kind, B.code, B.label, B.amount, B.points)
        .where(B.sale.in_(ids))
        .order_by(B.sale, B.id)
    ):
        benefits[sale_id].append(benefit_json(*benefit))
    F = m.SaleFiscal
    fiscal = {
        sale_id: FiscalRecord(device, no, z, from_db(at)).as_json()
        for sale_id, device, no, z, at in store.rows(
            F.select(F.sale, F.device, F.fiscal_no, F.z_no, F.at).where(F.sale.in_(ids))
        )
    }
    by_id = {
        sale_id: document_json(
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


def find_sale(receipt_no: int, terminal: str, tz: str = SHOP_TZ) -> dict[str, Any]:
    """The document of receipt ``receipt_no`` of ``terminal`` (for reprints and returns)."""
    return sale_document(_resolve((terminal, receipt_no)).id, tz)


def get_sale(uid: str, tz: str = SHOP_TZ) -> dict[str, Any]:
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

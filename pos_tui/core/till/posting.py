"""Posting a sale: everything a sale writes happens in one write transaction.

The receipt number (gapless per terminal, from the ``counter`` table, so a failed sale never burns a number),
the ``sale`` row, its lines, payments, per-rate KDV rows, stock movements and the product stock cache,
whatever the tenders post, and the journal entry whose payload is exactly
:func:`~pos_tui.core.till.documents.sale_document`. Any error rolls all of it back.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from pos_tui.core import stock
from pos_tui.core.accounts.payments.tender import register_account_tenders
from pos_tui.core.basket.cart import Benefit, Cart, CartTotals, KdvRow
from pos_tui.core.basket.tenders import (
    SALE,
    AppliedPayment,
    PaymentInput,
    TenderContext,
    settle_payments,
    tender_for,
)
from pos_tui.core.kernel import journal
from pos_tui.core.kernel.actors import Actor, Override, require
from pos_tui.core.kernel.clock import SHOP_TZ, to_db
from pos_tui.core.kernel.errors import StateError, ValidationError
from pos_tui.core.kernel.money import ZERO, from_kurus, split_kdv, to_kurus
from pos_tui.core.loyalty import posting as loyalty_posting
from pos_tui.core.loyalty import pricing as loyalty_pricing
from pos_tui.core.loyalty.engine import Evaluation
from pos_tui.core.loyalty.tenders import register_loyalty_tenders
from pos_tui.core.till import guarding
from pos_tui.core.till.carts import discard_open_cart, load_open_cart
from pos_tui.core.till.documents import amount_text, benefit_json, document_json, line_json, payment_json
from pos_tui.core.till.fiscal import FiscalHook, FiscalItem, FiscalPayment, FiscalTicket
from pos_tui.core.till.results import SaleResult
from pos_tui.i18n import _
from pos_tui.settings import SyncSettings
from pos_tui.store import fast, write_tx
from pos_tui.store import models as m
from pos_tui.store.counters import next_value

# The loyalty tenders (points, store_credit, gift_card) belong to every sale flow (and to returns,
# which write through this module).
register_loyalty_tenders()
register_account_tenders()  # on_account: a sale on the customer's account


@dataclass(frozen=True, slots=True)
class DocLine:
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
    """A document ready to be written by :func:`write_document`: what it is, its lines and
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
    lines: Sequence[DocLine]
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


def _kdv_rows(lines: Sequence[DocLine]) -> list[KdvRow]:
    by_rate: dict[int, Decimal] = {}
    for ln in lines:
        by_rate[ln.kdv_rate] = by_rate.get(ln.kdv_rate, ZERO) + ln.total
    return [KdvRow(rate, *split_kdv(amount, rate)) for rate, amount in sorted(by_rate.items())]


def write_document(draft: DocumentDraft, ctx: TenderContext, *, fiscal: FiscalHook | None = None) -> SaleResult:
    """Write ``draft`` and everything that hangs off it; the caller holds the transaction.

    ``ctx`` is the tender context the payments were settled in; each tender posts its side
    effects (a gift card's entry, store credit) against the new document. ``fiscal`` registers
    the sale on the fiscal device once everything that could refuse it is written (see
    :mod:`pos_tui.core.till.fiscal`); its error rolls the whole document back.

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
    location = stock.terminal_location(terminal)
    stock.post_movements(
        [stock.Movement(ln.product_id, location, sign * ln.qty_milli, kind) for ln in lines],
        at=now,
        terminal=terminal,
        user_id=cashier_id,
        sale_id=sale_id,
    )
    benefit_rows = [
        (sale_id, line_no, b.kind, b.code, b.label[:255], to_kurus(b.amount), b.points) for line_no, b in benefits
    ]
    if benefit_rows:
        fast.insert_many(m.SaleBenefit, _BENEFIT_FIELDS, benefit_rows)
    posted = dataclasses.replace(ctx, sale_id=sale_id, member_id=member_id)
    for a in applied:
        tender_for(a.method).post(a, posted)
    # Every sale (coupon uses and next-order coupons need no member) and every return of a
    # receipt (it may withdraw the receipt's next-order coupons).
    if kind == SALE or return_of_id is not None or member_id is not None or benefits:
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
                uid=uid,
                source=source,
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
    document = document_json(
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
        kdv={str(r): {"base": amount_text(b), "kdv": amount_text(k)} for r, b, k in kdv_table},
        lines=[line_json(row[1], *row[3:13]) for row in line_rows],  # line_no, code … kdv_rate
        payments=[payment_json(*row[1:]) for row in payment_rows],
        tz=tz,
        member=card,
        benefits=[benefit_json(*row[1:]) for row in benefit_rows],
        fiscal=None if record is None else record.as_json(),
    )
    journal.append(kind, document, terminal=terminal, now=now, ref=uid)
    change = sum((a.change for a in applied if a.change is not None), ZERO)
    return SaleResult(sale_id, uid, receipt_no, from_kurus(total), change, document)


def _fiscal_ticket(
    uid: str, terminal: str, receipt_no: int, cashier: str, lines: Sequence[DocLine], applied: Sequence[AppliedPayment]
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


def _doc_lines(cart: Cart, totals: CartTotals) -> list[DocLine]:
    """The cart's active lines as document lines, with each line's share of every discount."""
    by_no = {lt.line_no: lt for lt in totals.lines}
    return [
        DocLine(
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
    tz: str = SHOP_TZ,
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
    actor: Actor | None = None,
    override: Override | None = None,
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
    ctx = TenderContext(
        SALE,
        terminal,
        cashier_id,
        cart.customer_id,
        totals.total,
        now,
        member_id=cart.member_id,
        tz=tz,
        actor=actor,
        override=override,
        account_id=None if cart.account is None else cart.account.party_id,
    )
    applied = settle_payments(payments, ctx)
    customer_id = cart.customer_id if cart.customer_id is not None else _payments_customer(applied)
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
        customer_id=customer_id,
        shift_id=shift_id,
        note=cart.note,
        member_id=cart.member_id,
        benefits=_doc_benefits(cart, totals),
        evaluation=_by_document_line(cart, quote.evaluation),
    )
    return write_document(draft, ctx, fiscal=fiscal)


def _payments_customer(applied: Sequence[AppliedPayment]) -> int | None:
    """The customer a tender names (a sale on account is the account's customer's sale)."""
    for a in applied:
        customer = a.details.get("customer_id")
        if customer is not None:
            return int(customer)
    return None


def complete_sale(
    terminal: str,
    actor: Actor,
    payments: Sequence[PaymentInput],
    *,
    now: datetime,
    shift_id: int | None = None,
    cart: Cart | None = None,
    tz: str = SHOP_TZ,
    fiscal: FiscalHook | None = None,
    override: Override | None = None,
    sync: SyncSettings | None = None,
) -> SaleResult:
    """Post the cashier's open cart (or ``cart``) paid with ``payments``, in one transaction.

    Raises ValidationError for an empty cart or payments that do not settle the total (only
    cash may exceed it), StateError for a closed or foreign shift; nothing is written then.
    Posting the open cart removes it, so the next scan starts a new sale. With ``fiscal`` (fiscal
    mode) the sale is registered on the fiscal device last: a FiscalError leaves the cart open.
    ``override`` is a supervisor's, for what a tender needs (selling on account, past a credit limit).

    On a terminal that joined a centre, what the sale redeems (points, store credit, gift card,
    on account) is checked with the centre first, outside the write transaction
    (:mod:`pos_tui.core.till.guarding`; ``sync``: the offline limits, ``[sync]``); a posting that
    fails gives the holds back.
    """
    require(actor, "sell")
    uid: str | None = None
    if guarding.joined():  # one indexed read: a shop without a centre pays nothing more
        preview = load_open_cart(terminal, actor.user_id) if cart is None else cart
        document = uuid.uuid4().hex
        if guarding.guard_sale(
            preview, payments, document=document, now=now, settings=sync, tz=tz, actor=actor, override=override
        ):
            uid = document
    try:
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
                uid=uid,
                source="till",
                tz=tz,
                fiscal=fiscal,
                actor=actor,
                override=override,
            )
            if own:
                discard_open_cart(terminal, actor.user_id)
    except BaseException:
        if uid is not None:
            guarding.unguard(uid, now=now)
        raise
    return result

"""Returns: documents of kind ``return`` pointing at the sale (``return_of``) and, line by line, at the sold line
(``origin_line``).

A line never gives back more than was sold minus what earlier returns took, and the money follows the quantity
*cumulatively*: after returning ``c`` of ``n`` units in total, ``round(net × c / n)`` has been refunded, so
the last units return exactly what is left and all returns of a line sum to its net to the kuruş. The
discount given back is what ``round(gross × c / n)`` (the price before the discount, cumulatively) leaves
over the net, so a returned line's price before its discount is its quantity × unit price (for pieces):
the return slip's subtotal agrees with its lines.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from peewee import fn

from pos_tui import store
from pos_tui.core.accounts.payments.tender import ON_ACCOUNT
from pos_tui.core.basket.cart import Cart, check_quantity
from pos_tui.core.basket.tenders import (
    RETURN,
    SALE,
    PaymentInput,
    TenderContext,
    settle_payments,
)
from pos_tui.core.catalog.products import get_product
from pos_tui.core.kernel.actors import Actor, Override, require
from pos_tui.core.kernel.clock import SHOP_TZ
from pos_tui.core.kernel.errors import ValidationError
from pos_tui.core.kernel.formatting import format_money, format_quantity
from pos_tui.core.kernel.money import ZERO, from_kurus, money
from pos_tui.core.kernel.pan import refuse_pan
from pos_tui.core.loyalty.tenders import GIFT_CARD_NEW, LOYALTY_METHODS, STORE_CREDIT, store_credit_refund_refusal
from pos_tui.core.staff.users import record_override
from pos_tui.core.till.carts import store_priced
from pos_tui.core.till.documents import _Head, _resolve, _Sold
from pos_tui.core.till.posting import (
    DocLine,
    DocumentDraft,
    _check_shift,
    _check_uid,
    _doc_lines,
    _kdv_rows,
    write_document,
)
from pos_tui.core.till.results import (
    REFUND_METHODS,
    BlindReturnLineInput,
    ReturnableLine,
    ReturnLineInput,
    SaleRef,
    SaleResult,
)
from pos_tui.i18n import _
from pos_tui.store import models as m
from pos_tui.store import write_tx


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


def _converted_refunds(original: _Head, total: Decimal, method: str) -> list[PaymentInput]:
    """A refund "in cash", "into store credit" or "onto a new gift card" (``method``): what
    points, store credit or a gift card paid still goes back to them (their value is never paid
    out, nor turned into another kind of money), what was put on the customer's account goes
    back on it (it was never paid); everything else goes to ``method``. Into store credit the
    part store credit paid and the rest are one payment."""
    kept = [p for p in _refunds_by_original(original, total) if p.method in (*LOYALTY_METHODS, ON_ACCOUNT)]
    rest = total - sum((p.amount for p in kept), ZERO)
    if rest <= 0:
        return kept
    if method == STORE_CREDIT:
        refusal = store_credit_refund_refusal(original.member_id)
        if refusal is not None:
            raise ValidationError(refusal)
        paid = sum((p.amount for p in kept if p.method == STORE_CREDIT), ZERO)
        others = [p for p in kept if p.method != STORE_CREDIT]
        return [*others, PaymentInput(STORE_CREDIT, paid + rest)]
    return [*kept, PaymentInput(method, rest)]


def _check_method(refund_method: str) -> None:
    if refund_method not in REFUND_METHODS:
        raise ValidationError(
            _(
                "Refund method must be 'original', 'cash', 'store_credit' (into the member's store credit) or "
                "'gift_card_new' (onto a new gift card), not {method!r}"
            ).format(method=refund_method)
        )


def _wanted(original: _Head, total: Decimal, refund_method: str) -> list[PaymentInput]:
    if refund_method == "original":
        return _refunds_by_original(original, total)
    return _converted_refunds(original, total, "cash" if refund_method == "cash" else refund_method)


def refund_split(original: SaleRef, total: Decimal, refund_method: str = "original") -> list[PaymentInput]:
    """How a return of ``total`` against ``original`` would be refunded with ``refund_method``
    (what :func:`post_return` posts when no refunds are given): per method, in the sale's order;
    the part paid on account goes back on the account either way, and so do the parts points,
    store credit and gift cards paid unless the method is ``original``. ``store_credit`` puts
    the rest into the member's store credit (refused when the shop does not allow it or the
    receipt has no member); ``gift_card_new`` loads it onto a new gift card. Reads only (the
    return screen shows it before posting)."""
    _check_method(refund_method)
    head = _resolve(original)
    if total <= 0:
        return []
    return _wanted(head, total, refund_method)


def _check_refunds(original: _Head, refunds: Sequence[PaymentInput]) -> None:
    """Explicit refunds may pay back by a non-cash method only what that method paid; store
    credit may take more when the shop allows it and the receipt has a member, and a new gift
    card any amount (the tenders check the rest)."""
    available = _original_refundable(original)
    asked: dict[str, Decimal] = {}
    for r in refunds:
        asked[r.method] = asked.get(r.method, ZERO) + money(r.amount)
    for method, amount in asked.items():
        if method in ("cash", GIFT_CARD_NEW) or amount <= available.get(method, ZERO):
            continue
        refusal = store_credit_refund_refusal(original.member_id) if method == STORE_CREDIT else None
        if method == STORE_CREDIT and refusal is None:
            continue
        text = _("A {method} refund of {amount} is more than the {available} paid by {method} and not yet refunded")
        text = text.format(
            method=method, amount=format_money(amount), available=format_money(available.get(method, ZERO))
        )
        raise ValidationError(text if refusal is None else f"{text}: {refusal}")


def _receipt_label(sale: _Head) -> str:
    return f"{sale.terminal}/{sale.receipt_no}"


def _plan_return(original: _Head, lines: Sequence[ReturnLineInput]) -> list[DocLine]:
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
    doc_lines: list[DocLine] = []
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
            # The discount is what the gross share leaves over the net one, so the line's price
            # before its discount is round(gross × c / n) cumulatively (quantity × unit price for
            # pieces): rounded apart, net and discount could each round up and the slip's subtotal
            # come to 429,91 under "1 × 429,90".
            gross = _share(line.total + line.discount, after, line.qty)
            disc = min(max(gross - (refunded + net) - disc_back, 0), line.discount - disc_back)
        doc_lines.append(
            DocLine(
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
    tz: str = SHOP_TZ,
) -> SaleResult:
    """Post a return against ``original_receipt`` without a permission check (see :func:`create_return`).

    ``refunds`` overrides ``refund_method`` with explicit refund payments (the sales import);
    they must sum to the refund, and a non-cash method may not refund more than it paid (but
    ``store_credit`` may, when the shop allows it and the receipt has a member, and
    ``gift_card_new`` loads any amount onto a new card).
    """
    _check_method(refund_method)
    text = (reason or "").strip()
    if not text:
        raise ValidationError(_("A reason is needed"))
    refuse_pan(text)
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
            tz=tz,
        )
        if refunds is not None:
            _check_refunds(original, refunds)
            wanted = list(refunds)
        else:
            wanted = _wanted(original, total, refund_method)
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
        return write_document(draft, ctx)


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
    tz: str = SHOP_TZ,
) -> SaleResult:
    """Take back part or all of a sale: needs ``return``. Each line returns at most what was
    sold minus earlier returns; the money is refunded by the original payment methods (in the
    order they paid, each up to what it paid minus earlier refunds), or in cash, into the
    member's store credit or onto a new gift card (``refund_method``; see :func:`refund_split`)."""
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
    tz: str = SHOP_TZ,
) -> SaleResult:
    """Take back goods without a receipt, at today's prices, refunded in cash. Needs
    ``return_without_receipt`` (a manager's override for a cashier)."""
    used = require(actor, "return_without_receipt", override)
    if not lines:
        raise ValidationError(_("Choose at least one line to return"))
    text = (reason or "").strip()
    if not text:
        raise ValidationError(_("A reason is needed"))
    refuse_pan(text)
    cart = Cart()
    for req in lines:
        product = store_priced(get_product(req.code), now, tz)
        cart = cart.add_product(product, req.qty_milli, barcode=req.code if req.code != product.code else None)
    totals = cart.totals()
    doc_lines = _doc_lines(cart, totals)
    with write_tx():
        _check_shift(shift_id, terminal)
        uid = _check_uid(None)
        ctx = TenderContext(RETURN, terminal, actor.user_id, customer_id, totals.total, now, tz=tz)
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
        result = write_document(draft, ctx)
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

"""Payment methods (tenders): validation of what the cashier entered and what each method posts.

``cash`` and ``card`` are built in. Loyalty adds ``points``, ``store_credit`` and ``gift_card``
(:mod:`pos_tui.core.loyalty.tenders`) through :func:`register_tender`, without touching the
sale flow: :func:`settle_payments` validates the payments before anything is written, and the
sale calls each handler's ``post`` inside its transaction after the payment row exists.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

from pos_tui.core.kernel.actors import Actor, Override
from pos_tui.core.kernel.clock import SHOP_TZ
from pos_tui.core.kernel.errors import ValidationError
from pos_tui.core.kernel.formatting import format_money
from pos_tui.core.kernel.money import money
from pos_tui.core.kernel.pan import looks_like_pan
from pos_tui.core.kernel.vocabulary import method_label
from pos_tui.i18n import _

SALE = "sale"
RETURN = "return"

# --------------------------------------------------------------------------- tenders


@dataclass(frozen=True, slots=True)
class PaymentInput:
    """One payment as the cashier entered it. For cash ``amount`` is what the customer handed
    over (the change is computed); for every other method it is the amount paid with it.
    ``details`` carries what a later tender needs (a gift card code, a customer account)."""

    method: str
    amount: Decimal
    reference: str | None = None
    details: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AppliedPayment:
    """A validated payment: ``amount`` is what it contributes to the document."""

    method: str
    amount: Decimal
    tendered: Decimal | None = None
    change: Decimal | None = None
    reference: str | None = None
    details: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TenderContext:
    """What a tender handler may look at. ``kind`` is ``sale`` (money in) or ``return``
    (money out); ``sale_id`` is set once the document row exists (for :meth:`Tender.post`)."""

    kind: str
    terminal: str
    cashier_id: int
    customer_id: int | None
    total: Decimal
    now: datetime
    sale_id: int | None = None
    return_of_id: int | None = None
    member_id: int | None = None  # the loyalty member on the receipt (points, store credit)
    tz: str = SHOP_TZ  # the shop's zone: which calendar day it is for balances and gift cards
    actor: Actor | None = None  # who takes the payment at the till (None: an import, the admin's authority)
    override: Override | None = None  # a supervisor's override for what the tender needs (credit limit)
    # The customer account (party id) the sale is made to (the till's account, Ctrl+A; an import's customer
    # that is an account's and not a loyalty member): a payment on account goes on that account only.
    account_id: int | None = None


class Tender(Protocol):
    """A payment method.

    ``apply`` validates one payment against what is still to pay (``remaining``) and returns
    the applied payment; only a method that gives change may apply less than it received.
    ``post`` runs inside the sale's transaction after the ``payment`` row is written and
    writes whatever else the method needs (a points ledger entry, a gift card debit).
    Raise :class:`~pos_tui.core.kernel.errors.ValidationError` to refuse; nothing is written then.
    """

    def apply(self, payment: PaymentInput, remaining: Decimal, ctx: TenderContext) -> AppliedPayment: ...

    def post(self, applied: AppliedPayment, ctx: TenderContext) -> None: ...


def _check_reference(reference: str | None) -> str | None:
    text = (reference or "").strip()
    if not text:
        return None
    if len(text) > 64:
        raise ValidationError(_("A payment reference has at most 64 characters"))
    if looks_like_pan(text):  # a reference is what the terminal prints (approval code, RRN, a masked PAN)
        raise ValidationError(
            _("That looks like a card number; enter only the card terminal's reference, never the card number")
        )
    return text


class CashTender:
    """Cash: a sale may receive more than is due and gives change; a refund pays out exactly."""

    def apply(self, payment: PaymentInput, remaining: Decimal, ctx: TenderContext) -> AppliedPayment:
        if ctx.kind == RETURN:
            if payment.amount > remaining:
                raise ValidationError(
                    _("A cash refund of {amount} is more than the {remaining} to refund").format(
                        amount=format_money(payment.amount), remaining=format_money(remaining)
                    )
                )
            return AppliedPayment("cash", payment.amount, reference=_check_reference(payment.reference))
        applied = min(payment.amount, remaining)
        return AppliedPayment(
            "cash",
            applied,
            tendered=payment.amount,
            change=payment.amount - applied,
            reference=_check_reference(payment.reference),
        )

    def post(self, applied: AppliedPayment, ctx: TenderContext) -> None:
        return None


class CardTender:
    """Card: the amount charged on the card terminal and its optional reference; never more
    than what is still to pay, and never a card number."""

    def apply(self, payment: PaymentInput, remaining: Decimal, ctx: TenderContext) -> AppliedPayment:
        if payment.amount > remaining:
            what = _("to refund") if ctx.kind == RETURN else _("still to pay")
            raise ValidationError(
                _("A card payment of {amount} is more than the {remaining} {what}; only cash may be more").format(
                    amount=format_money(payment.amount), remaining=format_money(remaining), what=what
                )
            )
        return AppliedPayment("card", payment.amount, reference=_check_reference(payment.reference))

    def post(self, applied: AppliedPayment, ctx: TenderContext) -> None:
        return None


_TENDERS: dict[str, Tender] = {"cash": CashTender(), "card": CardTender()}


def register_tender(method: str, handler: Tender) -> None:
    """Add (or replace) the handler of payment ``method`` (≤ 16 characters, e.g. ``points``)."""
    if not method or len(method) > 16 or not method.replace("_", "").isalnum():
        raise ValueError(f"bad tender method name {method!r}")
    _TENDERS[method] = handler


def tender_methods() -> tuple[str, ...]:
    return tuple(_TENDERS)


def tender_for(method: str) -> Tender:
    try:
        return _TENDERS[method]
    except KeyError:
        raise ValidationError(
            _("Unknown payment method {method!r}; known: {known}").format(method=method, known=", ".join(_TENDERS))
        ) from None


def settle_payments(payments: Sequence[PaymentInput], ctx: TenderContext) -> list[AppliedPayment]:
    """Validate ``payments`` in order against ``ctx.total``; they must cover it exactly (cash
    may exceed it and gives change). Reads only, so the UI may call it to preview the change."""
    remaining = ctx.total
    applied: list[AppliedPayment] = []
    for p in payments:
        handler = tender_for(p.method)
        try:
            amount = money(p.amount)
        except ValidationError as exc:
            label = method_label(p.method)
            raise ValidationError(_("{method}: {error}").format(method=label, error=exc.message)) from None
        if amount <= 0:
            raise ValidationError(
                _("A {method} payment must be more than zero, not {amount}").format(
                    method=method_label(p.method), amount=format_money(amount)
                )
            )
        if remaining <= 0:
            raise ValidationError(
                _("Nothing is left to pay; the {method} payment of {amount} is one too many").format(
                    method=p.method, amount=format_money(amount)
                )
            )
        a = handler.apply(dataclasses.replace(p, amount=amount), remaining, ctx)
        if a.amount <= 0 or a.amount > remaining:
            raise ValidationError(
                _("The {method} payment applies {amount} to the {remaining} still open").format(
                    method=p.method, amount=format_money(a.amount), remaining=format_money(remaining)
                )
            )
        remaining -= a.amount
        applied.append(a)
    if remaining > 0:
        paid = ctx.total - remaining
        if ctx.kind == RETURN:
            raise ValidationError(
                _("Refunds of {paid} do not cover the {total} to refund").format(
                    paid=format_money(paid), total=format_money(ctx.total)
                )
            )
        raise ValidationError(
            _("Payments of {paid} do not cover the total of {total}; {remaining} is still to pay").format(
                paid=format_money(paid), total=format_money(ctx.total), remaining=format_money(remaining)
            )
        )
    return applied

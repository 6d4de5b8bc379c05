"""Building the core calls that post a sale, shared by the sale and payment screens."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from textual.message_pump import MessagePump

from pos_tui.core import basket, till
from pos_tui.core.kernel import Override
from pos_tui.core.till import FiscalHook
from pos_tui.i18n import _
from pos_tui.tui.calls import CoreCall
from pos_tui.tui.messages import SaleCompleted
from pos_tui.tui.session import Session


def cash(tendered: Decimal) -> basket.PaymentInput:
    """Cash handed over (may be more than due; the core computes the change)."""
    return basket.PaymentInput("cash", tendered)


def card(amount: Decimal, reference: str | None) -> basket.PaymentInput:
    """A card payment with the card terminal's optional reference (never a card number)."""
    return basket.PaymentInput("card", amount, reference or None)


def complete_sale_call(
    session: Session,
    payments: Sequence[basket.PaymentInput],
    target: MessagePump,
    *,
    fiscal: FiscalHook | None = None,
    overridable: bool = False,
) -> CoreCall[till.SaleResult]:
    """Post the cashier's open cart with ``payments``; :class:`SaleCompleted` goes to ``target``.
    ``fiscal`` (fiscal mode, :meth:`pos_tui.tui.printing.PrintStation.fiscal_hook`) registers the sale
    on the device inside the posting (this worker thread); its FiscalError leaves the cart open.
    ``overridable``: a PermissionDenied (a sale on account past the credit limit) asks a supervisor's
    PIN and posts again with the override, which the core journals; nothing was written the first time."""
    actor = session.require_actor()
    shift_id = None if session.shift is None else session.shift.id
    tz = session.settings.shop.timezone
    paid = list(payments)

    def run(override: Override | None) -> till.SaleResult:
        return till.complete_sale(
            session.terminal,
            actor,
            paid,
            now=session.now(),
            shift_id=shift_id,
            tz=tz,
            fiscal=fiscal,
            override=override,
            sync=session.settings.sync,
        )

    return CoreCall(
        run=run,
        reply=SaleCompleted,
        target=target,
        description=_("Posting the sale"),
        group="sale",
        overridable=overridable,
    )

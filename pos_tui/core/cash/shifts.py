"""Shifts: a cash drawer session on one terminal, from its opening float to the counted cash.

Cash expected in the drawer = opening float + cash taken by sales − cash given back by
returns + paid in − paid out + cash received for gift cards (a ``gift_card`` cash movement:
the money for a card is a liability, not a sale) + cash received for store credit (a
``store_credit`` cash movement, a member's wallet top-up: a liability too) + cash collected on
customers' accounts − cash paid to suppliers from the till (account entries of kind
``collection`` / ``payment`` with the shift: :func:`account_money`). ``Payment.amount`` is what a
tender applied to the document (change already netted), so the cash sums are exact. Sales point at their shift through
``sale.shift_id``; documents without a shift (imported ones) belong to no drawer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from peewee import fn

from pos_tui import store
from pos_tui.core import accounts, sync
from pos_tui.core.cash.closures import JournalHead, journal_head
from pos_tui.core.cash.reports import DocumentTotals, account_money, document_totals
from pos_tui.core.kernel import journal
from pos_tui.core.kernel.actors import Actor, Override, require
from pos_tui.core.kernel.clock import SHOP_TZ, from_db, to_db
from pos_tui.core.kernel.errors import StateError, ValidationError
from pos_tui.core.kernel.formatting import format_money
from pos_tui.core.kernel.money import ZERO, from_kurus, money, to_kurus
from pos_tui.core.kernel.pan import refuse_pan
from pos_tui.core.staff.users import record_override
from pos_tui.i18n import _
from pos_tui.settings import Settings
from pos_tui.store import fast, write_tx
from pos_tui.store import models as m

CASH = "cash"


@dataclass(frozen=True, slots=True)
class ShiftInfo:
    id: int
    terminal: str
    opened_by: str
    opened_at: datetime
    opening_float: Decimal
    closed_by: str | None = None
    closed_at: datetime | None = None
    counted_cash: Decimal | None = None
    expected_cash: Decimal | None = None
    variance: Decimal | None = None  # counted − expected: negative when cash is missing

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


@dataclass(frozen=True, slots=True)
class CashMovementInfo:
    id: int
    shift_id: int
    terminal: str
    user: str
    at: datetime
    kind: str  # paid_in | paid_out | no_sale | gift_card | store_credit
    amount: Decimal
    reason: str


@dataclass(frozen=True, slots=True)
class XReport:
    """The state of an open shift's drawer at ``at``; nothing is written."""

    shift: ShiftInfo
    at: datetime
    opening_float: Decimal
    cash_sales: Decimal
    cash_refunds: Decimal
    paid_in: Decimal
    paid_out: Decimal
    no_sales: int
    totals: DocumentTotals
    gift_cards: Decimal = ZERO  # cash received for gift cards sold or topped up
    store_credit: Decimal = ZERO  # cash received for store credit (members' wallet top-ups)
    journal_head: JournalHead | None = None  # the journal's head when the X was read (printed as an anchor)
    collections: dict[str, Decimal] = field(default_factory=dict)  # collections on account, by method
    supplier_payments: dict[str, Decimal] = field(default_factory=dict)  # paid to suppliers, by method

    @property
    def cash_collections(self) -> Decimal:
        return self.collections.get(CASH, ZERO)

    @property
    def cash_supplier_payments(self) -> Decimal:
        return self.supplier_payments.get(CASH, ZERO)

    @property
    def expected_cash(self) -> Decimal:
        return (
            self.opening_float
            + self.cash_sales
            - self.cash_refunds
            + self.paid_in
            - self.paid_out
            + self.gift_cards
            + self.store_credit
            + self.cash_collections
            - self.cash_supplier_payments
        )


def _info(row: m.Shift) -> ShiftInfo:
    def amount(k: int | None) -> Decimal | None:
        return None if k is None else from_kurus(k)

    return ShiftInfo(
        id=row.id,
        terminal=row.terminal,
        opened_by=row.opened_by.name,
        opened_at=from_db(row.opened_at),
        opening_float=from_kurus(row.opening_float),
        closed_by=row.closed_by.name if row.closed_by else None,
        closed_at=from_db(row.closed_at) if row.closed_at else None,
        counted_cash=amount(row.counted_cash),
        expected_cash=amount(row.expected_cash),
        variance=amount(row.variance),
    )


def _open_row(terminal: str) -> m.Shift | None:
    return (
        m.Shift.select()
        .where((m.Shift.terminal == terminal) & (m.Shift.closed_at.is_null()))
        .order_by(m.Shift.id.desc())
        .first()
    )


def _require_open(terminal: str) -> m.Shift:
    row = _open_row(terminal)
    if row is None:
        raise StateError(_("No shift is open on terminal {terminal}; open one first").format(terminal=terminal))
    return row


def _non_negative(amount: Decimal, what: str) -> Decimal:
    value = money(amount)
    if value < 0:
        raise ValidationError(_("{what} cannot be negative").format(what=what))
    return value


def current_shift(terminal: str) -> ShiftInfo | None:
    """The open shift of ``terminal``, or None."""
    row = _open_row(terminal)
    return _info(row) if row else None


def open_shift(terminal: str, actor: Actor, opening_float: Decimal, *, now: datetime) -> ShiftInfo:
    """Open a shift with ``opening_float`` in the drawer; one open shift per terminal."""
    require(actor, "sell")
    float_ = _non_negative(opening_float, _("The opening float"))
    with write_tx():
        if _open_row(terminal) is not None:
            raise StateError(_("A shift is already open on terminal {terminal}").format(terminal=terminal))
        row = m.Shift.create(
            terminal=terminal, opened_by=actor.user_id, opened_at=to_db(now), opening_float=to_kurus(float_)
        )
        journal.append(
            "shift_open",
            {"shift_id": row.id, "terminal": terminal, "user": actor.name, "opening_float": f"{float_:.2f}"},
            terminal=terminal,
            now=now,
            ref=str(row.id),
        )
    return _info(row)


def _movement(
    kind: str,
    permission: str,
    terminal: str,
    actor: Actor,
    amount: Decimal,
    reason: str,
    now: datetime,
    override: Override | None,
) -> CashMovementInfo:
    used = require(actor, permission, override)
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("A reason is needed"))
    refuse_pan(reason)
    value = _non_negative(amount, _("The amount"))
    if kind != "no_sale" and value == 0:
        raise ValidationError(_("The amount must be more than zero"))
    with write_tx():
        shift = _require_open(terminal)
        if kind == "paid_out":
            in_drawer = _expected_cash(shift)
            if value > in_drawer:
                raise ValidationError(
                    _("The drawer should hold only {cash}; cannot pay out {amount}").format(
                        cash=format_money(in_drawer), amount=format_money(value)
                    )
                )
        row = m.CashMovement.create(
            shift=shift.id,
            terminal=terminal,
            user=actor.user_id,
            at=to_db(now),
            kind=kind,
            amount=to_kurus(value),
            reason=reason,
        )
        payload = {
            "movement_id": row.id,
            "shift_id": shift.id,
            "user": actor.name,
            "amount": f"{value:.2f}",
            "reason": reason,
        }
        journal.append(kind, payload, terminal=terminal, now=now, ref=str(row.id))
        if used is not None:
            record_override(
                actor, used, kind, terminal=terminal, now=now, details={"movement_id": row.id, "amount": f"{value:.2f}"}
            )
    return CashMovementInfo(row.id, shift.id, terminal, actor.name, now, kind, value, reason)


def paid_in(
    terminal: str, actor: Actor, amount: Decimal, reason: str, *, now: datetime, override: Override | None = None
) -> CashMovementInfo:
    """Cash put into the drawer outside a sale (change from the bank...); needs ``cash_movement``."""
    return _movement("paid_in", "cash_movement", terminal, actor, amount, reason, now, override)


def paid_out(
    terminal: str, actor: Actor, amount: Decimal, reason: str, *, now: datetime, override: Override | None = None
) -> CashMovementInfo:
    """Cash taken out of the drawer (a supplier paid in cash...); never more than it holds."""
    return _movement("paid_out", "cash_movement", terminal, actor, amount, reason, now, override)


def pay_supplier_cash(
    terminal: str,
    actor: Actor,
    account: str,
    amount: Decimal,
    *,
    now: datetime,
    note: str | None = None,
    applies_to: int | None = None,
    tz: str = SHOP_TZ,
    override: Override | None = None,
) -> accounts.payments.PaymentResult:
    """Pay supplier ``account`` in cash out of the open shift's drawer: a paid-out that is also a
    ``payment`` entry on the supplier's account (:func:`accounts.payments.pay`, permission
    ``accounts``). Never more than the drawer should hold; the shift's row is locked while checking."""
    value = _non_negative(amount, _("The amount"))
    with write_tx():
        shift = _require_open(terminal)
        fast.select_first(m.Shift, ("id",), {"id": shift.id}, for_update=True)
        in_drawer = _expected_cash(shift)
        if value > in_drawer:
            raise ValidationError(
                _("The drawer should hold only {cash}; cannot pay out {amount}").format(
                    cash=format_money(in_drawer), amount=format_money(value)
                )
            )
        return accounts.payments.pay(
            accounts.payments.PaymentOutInput(account, value, "cash", note=note, applies_to=applies_to),
            actor=actor,
            terminal=terminal,
            now=now,
            shift_id=shift.id,
            tz=tz,
            override=override,
        )


def no_sale(
    terminal: str, actor: Actor, reason: str, *, now: datetime, override: Override | None = None
) -> CashMovementInfo:
    """Record opening the drawer without a sale (the UI then kicks the drawer); needs ``no_sale``."""
    return _movement("no_sale", "no_sale", terminal, actor, ZERO, reason, now, override)


def _cash_figures(shift: m.Shift) -> tuple[Decimal, Decimal, Decimal, Decimal, int, Decimal, Decimal]:
    """(cash sales, cash refunds, paid in, paid out, no-sale count, gift card cash, store credit
    cash) of ``shift``."""
    S, P, C = m.Sale, m.Payment, m.CashMovement
    cash_query = P.select(S.kind, fn.SUM(P.amount)).join(S).where((S.shift == shift.id) & (P.method == CASH))
    cash: dict[str, int] = {kind: amount for kind, amount in store.rows(cash_query.group_by(S.kind))}
    moves = {
        kind: (n, total)
        for kind, n, total in store.rows(
            C.select(C.kind, fn.COUNT(C.id), fn.SUM(C.amount)).where(C.shift == shift.id).group_by(C.kind)
        )
    }
    return (
        from_kurus(cash.get("sale") or 0),
        from_kurus(cash.get("return") or 0),
        from_kurus(moves.get("paid_in", (0, 0))[1] or 0),
        from_kurus(moves.get("paid_out", (0, 0))[1] or 0),
        moves.get("no_sale", (0, 0))[0],
        from_kurus(moves.get("gift_card", (0, 0))[1] or 0),
        from_kurus(moves.get("store_credit", (0, 0))[1] or 0),
    )


def _expected_cash(shift: m.Shift) -> Decimal:
    sales, refunds, pin, pout, _n, gift_cards, store_credit = _cash_figures(shift)
    collections, payments = account_money(m.AccountEntry.shift == shift.id)
    return (
        from_kurus(shift.opening_float)
        + sales
        - refunds
        + pin
        - pout
        + gift_cards
        + store_credit
        + collections.get(CASH, ZERO)
        - payments.get(CASH, ZERO)
    )


def x_report(terminal: str, *, now: datetime) -> XReport:
    """The open shift's figures so far (any time, nothing written)."""
    shift = _require_open(terminal)
    sales, refunds, pin, pout, no_sales, gift_cards, store_credit = _cash_figures(shift)
    collections, payments = account_money(m.AccountEntry.shift == shift.id)
    return XReport(
        shift=_info(shift),
        at=now,
        opening_float=from_kurus(shift.opening_float),
        cash_sales=sales,
        cash_refunds=refunds,
        paid_in=pin,
        paid_out=pout,
        no_sales=no_sales,
        totals=document_totals(m.Sale.shift == shift.id),
        gift_cards=gift_cards,
        store_credit=store_credit,
        journal_head=journal_head(),
        collections=collections,
        supplier_payments=payments,
    )


def take_x_report(terminal: str, actor: Actor, *, now: datetime, override: Override | None = None) -> XReport:
    """The X report as a user takes it at the till: needs ``x_report`` (the roles' permission
    table decides, as for the Z); a supervisor's override is journalled. Nothing else is written."""
    used = require(actor, "x_report", override)
    if used is not None:
        with write_tx():
            report = x_report(terminal, now=now)
            record_override(actor, used, "x_report", terminal=terminal, now=now, details={"shift": report.shift.id})
        return report
    return x_report(terminal, now=now)


def close_shift(
    terminal: str, actor: Actor, counted_cash: Decimal, *, now: datetime, settings: Settings | None = None
) -> ShiftInfo:
    """Close the open shift with the cash counted in the drawer; records expected cash and the
    variance (counted − expected). A closed shift never changes again (a trigger guards it).

    With ``settings``, on a terminal of a centre, documents not yet sent refuse the close when
    ``[sync] waiting_on_close`` is ``block`` (:class:`~pos_tui.core.sync.DocumentsWaiting`)."""
    require(actor, "sell")
    if settings is not None:
        sync.check_close(now, settings.sync)
    counted = _non_negative(counted_cash, _("The counted cash"))
    with write_tx():
        shift = _require_open(terminal)
        expected = _expected_cash(shift)
        variance = counted - expected
        m.Shift.update(
            closed_by=actor.user_id,
            closed_at=to_db(now),
            counted_cash=to_kurus(counted),
            expected_cash=to_kurus(expected),
            variance=to_kurus(variance),
        ).where(m.Shift.id == shift.id).execute()
        journal.append(
            "shift_close",
            {
                "shift_id": shift.id,
                "terminal": terminal,
                "user": actor.name,
                "expected_cash": f"{expected:.2f}",
                "counted_cash": f"{counted:.2f}",
                "variance": f"{variance:.2f}",
            },
            terminal=terminal,
            now=now,
            ref=str(shift.id),
        )
        row = m.Shift.get_by_id(shift.id)
    return _info(row)

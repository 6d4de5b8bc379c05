"""The ``on_account`` tender (açık hesap / veresiye): a sale paid by the customer's account.

``PaymentInput("on_account", amount, details={"account": "CODE", "installments": N})``.

``apply`` (reads only; the till previews with it) checks the account exists, is a customer (or
both) and active, and that the cashier may sell on account (permission ``on_account``, a
supervisor's override otherwise). ``post`` runs inside the sale's transaction: it takes the
party's row lock (:func:`~pos_tui.core.accounts.ledger.lock_party`), reads the balance and
refuses with :class:`PermissionDenied` (permission ``credit_limit``) when the balance plus the
amount would pass the credit limit — checked *at that moment*, under the lock, so two terminals
selling on account to the same customer can never pass the limit together. A supervisor's
override lets it through and is journalled. Then it writes the sale's entries: kind ``sale``,
due the sale day + the party's terms; with ``installments`` N > 1, N entries split exactly to
the kuruş, due monthly from the first due date.

A return of a sale paid on account refunds ``on_account`` to the same account (kind ``return``,
negative, ``applies_to`` the sale's last installment), never more than the sale put on it.

Imports (``ctx.actor is None``: ``pos-admin import sales``) are the admin's authority: no
``on_account`` permission is asked, but the credit limit is enforced as at the till (a row error;
raise the limit first to import past it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from peewee import fn

from pos_tui.core.accounts import ledger
from pos_tui.core.accounts.parties import BOTH, CUSTOMER, PartyInfo, credit_limit_kurus, find_party, get_party
from pos_tui.core.basket.tenders import RETURN, AppliedPayment, PaymentInput, TenderContext, register_tender
from pos_tui.core.kernel.actors import Override, require
from pos_tui.core.kernel.clock import shop_day
from pos_tui.core.kernel.errors import NotFound, PermissionDenied, ValidationError
from pos_tui.core.kernel.formatting import format_money
from pos_tui.core.kernel.money import allocate, from_kurus, to_kurus
from pos_tui.core.staff.users import record_override
from pos_tui.i18n import _
from pos_tui.store import fast
from pos_tui.store import models as m
from pos_tui.store import reading as store

ON_ACCOUNT = "on_account"
MAX_INSTALLMENTS = 36


class CreditLimitExceeded(ValidationError):
    """A sale without a cashier (an import) would pass the account's credit limit."""


@dataclass(frozen=True, slots=True)
class CreditStatus:
    """A customer's credit at this moment (TRY): ``available`` = limit − balance (never below 0)."""

    limit: Decimal
    balance: Decimal
    available: Decimal


def credit_status(party_id: int) -> CreditStatus:
    """The party's credit limit, balance and what is still available for sales on account."""
    limit = credit_limit_kurus(party_id)
    bal = ledger.balance_kurus(party_id)
    return CreditStatus(from_kurus(limit), from_kurus(bal), from_kurus(max(limit - bal, 0)))


def credit_check(party_id: int, amount: Decimal) -> str | None:
    """Would a sale of ``amount`` on the account pass its credit limit now? The refusal's text, or
    None. Reads only (the till warns before posting; posting checks again under the lock)."""
    party = get_party(party_id)
    limit = credit_limit_kurus(party_id)
    bal = ledger.balance_kurus(party_id)
    kurus = to_kurus(amount)
    return None if bal + kurus <= limit else over_limit_message(party, limit, bal, kurus)


def customer_account(text: str) -> PartyInfo:
    """The active customer account ``text`` names (its code, card, phone, VKN/TCKN)."""
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("Choose the customer account to put the sale on"))
    party = find_party(text)
    if party is None:
        try:
            party = get_party(text)
        except NotFound:
            raise ValidationError(_("No customer account {code!r}").format(code=text)) from None
    if party.kind not in (CUSTOMER, BOTH):
        raise ValidationError(
            _("Account {code} is a supplier's; only a customer can buy on account").format(code=party.code)
        )
    if not party.active:
        raise ValidationError(_("Account {code} is closed; it takes no new sales on account").format(code=party.code))
    return party


def _installments(payment: PaymentInput) -> int:
    raw = payment.details.get("installments", 1)
    try:
        n = int(raw if raw is not None else 1)
    except (TypeError, ValueError):
        raise ValidationError(
            _("The number of installments must be a whole number, not {value!r}").format(value=raw)
        ) from None
    if isinstance(raw, float | Decimal) and raw != n:
        raise ValidationError(_("The number of installments must be a whole number, not {value!r}").format(value=raw))
    if not 1 <= n <= MAX_INSTALLMENTS:
        raise ValidationError(_("Installments: 1 to {most}, not {n}").format(most=MAX_INSTALLMENTS, n=n))
    return n


def over_limit_message(party: PartyInfo, limit: int, balance: int, amount: int, *, pin: bool = True) -> str:
    """Why a sale of ``amount`` kuruş on ``party``'s account is refused (Turkish in the catalog):
    the balance plus this sale, the limit, and by how much it is passed. ``pin``: the till's
    words (a supervisor's PIN lets it through); otherwise an import's (raise the limit first)."""
    figures = _("{code} ({name}): balance {balance} + this sale {amount} = {after}; credit limit {limit}").format(
        code=party.code,
        name=party.name,
        balance=format_money(from_kurus(balance)),
        amount=format_money(from_kurus(amount)),
        after=format_money(from_kurus(balance + amount)),
        limit=format_money(from_kurus(limit)),
    )
    over = format_money(from_kurus(balance + amount - limit))
    if pin:
        return _("{figures} — {over} TL over. A supervisor's PIN is needed.").format(figures=figures, over=over)
    return _("{figures} — {over} TL over. Raise the account's credit limit first.").format(figures=figures, over=over)


def other_account_message(code: str, key: str = "Ctrl+A") -> str:
    """The refusal of a payment on account to another party than the sale's own account (``key``:
    the till's account key, which changes the sale's account)."""
    return _(
        "This sale is to account {code}; a payment on account goes on that account only — to use another "
        "account, change the sale's account with {key}"
    ).format(code=code, key=key)


def installment_dues(first: date, n: int) -> list[date]:
    """``n`` due dates, monthly from ``first`` (31 Jan → 28/29 Feb → 31 Mar)."""
    return [first + relativedelta(months=i) for i in range(n)]


def _sale_entries(sale_id: int, party_id: int) -> list[tuple[int, int]]:
    """(id, amount) of the ``sale`` entries ``sale_id`` left on ``party_id``, latest due first."""
    E = m.AccountEntry
    query = (
        E.select(E.id, E.amount)
        .where((E.sale == sale_id) & (E.party == party_id) & (E.kind == ledger.SALE))
        .order_by(E.due.desc(), E.id.desc())
    )
    return [(int(i), int(a)) for i, a in store.rows(query)]


def _original_party(original_id: int) -> int | None:
    E = m.AccountEntry
    row = fast.select_first(E, ("party",), {"sale": original_id, "kind": ledger.SALE})
    return None if row is None else int(row[0])


def _on_account_left(original_id: int, party_id: int) -> int:
    """Kuruş the sale put on the account minus what its returns took back."""
    E, S = m.AccountEntry, m.Sale
    put = int(
        E.select(fn.COALESCE(fn.SUM(E.amount), 0))
        .where((E.sale == original_id) & (E.party == party_id) & (E.kind == ledger.SALE))
        .scalar()
        or 0
    )
    back = int(
        E.select(fn.COALESCE(fn.SUM(E.amount), 0))
        .join(S, on=(E.sale == S.id))
        .where((S.return_of == original_id) & (E.party == party_id) & (E.kind == ledger.RETURN))
        .scalar()
        or 0
    )
    return put + back


class OnAccountTender:
    """See the module docstring."""

    def apply(self, payment: PaymentInput, remaining: Decimal, ctx: TenderContext) -> AppliedPayment:
        if payment.amount > remaining:
            what = _("to refund") if ctx.kind == RETURN else _("still to pay")
            raise ValidationError(
                _("A payment on account of {amount} is more than the {remaining} {what}").format(
                    amount=format_money(payment.amount), remaining=format_money(remaining), what=what
                )
            )
        if ctx.kind == RETURN:
            return self._apply_return(payment, ctx)
        party = customer_account(str(payment.details.get("account") or payment.reference or ""))
        if ctx.account_id is not None and party.id != ctx.account_id:
            raise ValidationError(other_account_message(get_party(ctx.account_id).code))
        n = _installments(payment)
        if n > 1 and to_kurus(payment.amount) < n:
            raise ValidationError(
                _("{amount} cannot be split into {n} installments").format(amount=format_money(payment.amount), n=n)
            )
        if ctx.actor is not None:
            require(ctx.actor, ON_ACCOUNT, ctx.override)
        return AppliedPayment(
            ON_ACCOUNT,
            payment.amount,
            reference=party.code,
            details={"account": party.code, "party_id": party.id, "customer_id": party.customer_id, "installments": n},
        )

    def _apply_return(self, payment: PaymentInput, ctx: TenderContext) -> AppliedPayment:
        if ctx.return_of_id is None:
            raise ValidationError(_("Only a return against its receipt goes back on the customer's account"))
        party_id = _original_party(ctx.return_of_id)
        if party_id is None:
            raise ValidationError(_("That receipt was not paid on account; refund it another way"))
        left = _on_account_left(ctx.return_of_id, party_id)
        if to_kurus(payment.amount) > left:
            raise ValidationError(
                _(
                    "A refund on account of {amount} is more than the {left} the receipt still has on the account"
                ).format(amount=format_money(payment.amount), left=format_money(from_kurus(left)))
            )
        party = get_party(party_id)
        return AppliedPayment(
            ON_ACCOUNT, payment.amount, reference=party.code, details={"account": party.code, "party_id": party_id}
        )

    def post(self, applied: AppliedPayment, ctx: TenderContext) -> None:
        if ctx.sale_id is None:
            raise ValueError("on_account posts only against a written document")
        party_id = int(applied.details["party_id"])
        row = fast.select_first(m.Sale, ("uid", "shift", "terminal", "receipt_no"), {"id": ctx.sale_id})
        assert row is not None
        uid, shift_id, terminal, receipt_no = row
        ledger.lock_party(party_id)
        amount = to_kurus(applied.amount)
        document = f"sale:{uid}"
        user_id = ctx.actor.user_id if ctx.actor is not None else ctx.cashier_id
        if ctx.kind == RETURN:
            assert ctx.return_of_id is not None
            left = _on_account_left(ctx.return_of_id, party_id)
            if amount > left:
                raise ValidationError(
                    _(
                        "A refund on account of {amount} is more than the {left} the receipt still has on the account"
                    ).format(amount=format_money(applied.amount), left=format_money(from_kurus(left)))
                )
            targets = _sale_entries(ctx.return_of_id, party_id)
            ledger.post_entries(
                [
                    ledger.EntryDraft(
                        party_id=party_id,
                        kind=ledger.RETURN,
                        amount=-amount,
                        at=ctx.now,
                        terminal=terminal,
                        user_id=user_id,
                        document=document,
                        sale_id=ctx.sale_id,
                        applies_to=targets[0][0] if targets else None,
                        shift_id=shift_id,
                    )
                ],
                now=ctx.now,
                tz=ctx.tz,
            )
            return
        party = get_party(party_id)
        self._check_limit(party, amount, ctx, receipt=f"{terminal}/{receipt_no}")
        n = int(applied.details.get("installments") or 1)
        first = shop_day(ctx.now, ctx.tz) + timedelta(days=party.terms_days)
        dues = installment_dues(first, n)
        parts = allocate(applied.amount, [Decimal(1)] * n) if n > 1 else [applied.amount]
        ledger.post_entries(
            [
                ledger.EntryDraft(
                    party_id=party_id,
                    kind=ledger.SALE,
                    amount=to_kurus(part),
                    at=ctx.now,
                    due=due,
                    terminal=terminal,
                    user_id=user_id,
                    document=document,
                    sale_id=ctx.sale_id,
                    installment=i if n > 1 else None,
                    shift_id=shift_id,
                )
                for i, (part, due) in enumerate(zip(parts, dues, strict=True), start=1)
            ],
            now=ctx.now,
            tz=ctx.tz,
        )
        if ctx.actor is not None and not ctx.actor.can(ON_ACCOUNT) and ctx.override is not None:
            record_override(
                ctx.actor,
                ctx.override,
                ON_ACCOUNT,
                terminal=terminal,
                now=ctx.now,
                details={"account": party.code, "sale": uid, "amount": str(applied.amount)},
            )

    @staticmethod
    def _check_limit(party: PartyInfo, amount: int, ctx: TenderContext, *, receipt: str) -> None:
        """Under the party's lock: balance + amount ≤ limit, or a ``credit_limit`` override (journalled)."""
        limit = credit_limit_kurus(party.id)
        bal = ledger.balance_kurus(party.id)
        if bal + amount <= limit:
            return
        actor = ctx.actor
        if actor is None:  # an import: the limit holds (raise it first)
            raise CreditLimitExceeded(over_limit_message(party, limit, bal, amount, pin=False))
        message = over_limit_message(party, limit, bal, amount)
        override = ctx.override
        if override is None or not override.supervisor.can("credit_limit"):
            if not actor.can("credit_limit"):
                raise PermissionDenied(message, "credit_limit")
            override = Override(actor, _("own permission"))
        record_override(
            actor,
            override,
            "credit_limit",
            terminal=ctx.terminal,
            now=ctx.now,
            details={
                "account": party.code,
                "receipt": receipt,
                "amount": str(from_kurus(amount)),
                "balance": str(from_kurus(bal)),
                "limit": str(from_kurus(limit)),
                "over": str(from_kurus(bal + amount - limit)),
            },
        )


_REGISTERED = False


def register_account_tenders() -> None:
    """Register ``on_account`` with the basket's tenders (idempotent; the till calls it)."""
    global _REGISTERED
    if not _REGISTERED:
        register_tender(ON_ACCOUNT, OnAccountTender())
        _REGISTERED = True


def on_account_total(sale_id: int) -> Decimal:
    """What ``sale_id`` was paid on account (TRY)."""
    P = m.Payment
    return from_kurus(
        int(
            P.select(fn.COALESCE(fn.SUM(P.amount), 0)).where((P.sale == sale_id) & (P.method == ON_ACCOUNT)).scalar()
            or 0
        )
    )

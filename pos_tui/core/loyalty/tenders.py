"""The loyalty tenders: paying with points, store credit and gift cards, and refunding to them.

Registered with :func:`pos_tui.core.basket.tenders.register_tender` by
:func:`register_loyalty_tenders` (idempotent). As every tender, ``apply`` only reads (the
till previews payments with it) and refuses with a specific :class:`ValidationError`;
``post`` runs inside the document's transaction after the payment row exists, locks what it
spends from and checks again, so two terminals can never spend the same points or money —
a refusal there rolls the whole sale back.

``points``
    ``PaymentInput("points", amount_in_TRY)``; needs the member on the receipt. The amount
    must be a whole number of points at the program's point value; the member needs at least
    ``min_balance`` available points (pending points never count, a debt blocks) and enough
    of them **after the points the rewards on the same receipt take** (rewards are redeemed
    when the sale posts, after the tenders; at ``post`` they are read from the receipt's
    ``sale_benefit`` rows, in the read-only ``apply`` from ``details["reserved_points"]``,
    which the till sets from the cart); points pay at most ``max_redeem_percent`` % of the
    payable total (50 % by default; several points payments on one receipt count together).
    Discount rewards (``[[rewards]]`` of kind ``discount``) share that cap: of the receipt
    *before* them (``total + R``, R what they took off) points may pay the percentage, and R of
    it is used, so the tender may take ``(total + R) × percent / 100 − R`` (at ``post`` R is read
    from the receipt's reward lines, in ``apply`` from ``details["reward_discount"]``, which the
    till sets). A payment's points must be a whole multiple of ``points.redeem_multiple``.
    :func:`check_points_payment` is the same check for a till previewing a points payment;
    :func:`points_payable` the largest amount it would accept (what the till offers).
``store_credit``
    ``PaymentInput("store_credit", amount)``; needs the member; the wallet's *available*
    credit must cover it (cashback in its hold and a negative wallet do not).
``gift_card``
    ``PaymentInput("gift_card", amount, details={"code": CODE})`` (or ``reference=CODE``); the
    card must be active, not expired and hold the amount. The payment's reference is the
    masked code: the full code spends the card, so receipts never carry it.

Returns (``ctx.kind == "return"``) refund to the same place, only against the original
receipt: points go back to the member who redeemed them (:func:`ledger.restore`, never more
than the receipt redeemed and did not get back), store credit to the wallet that paid, gift
card money to the card(s) that paid — never to cash. A ``store_credit`` refund may be more
than store credit paid when the shop allows it (``[store_credit] refunds``) and the receipt
has a member: the rest goes to that member's wallet as a ``refund`` entry on the return.
``gift_card_new`` (refunds only) loads the refund onto a new gift card.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from peewee import fn

from pos_tui.core.basket.cart import Benefit
from pos_tui.core.basket.tenders import RETURN, AppliedPayment, PaymentInput, TenderContext, register_tender
from pos_tui.core.kernel.clock import SHOP_TZ, shop_day
from pos_tui.core.kernel.errors import InsufficientPoints, NotFound, ValidationError
from pos_tui.core.kernel.formatting import format_decimal, format_money, format_percent
from pos_tui.core.kernel.money import CENT, ZERO, from_kurus, to_kurus
from pos_tui.core.loyalty import giftcards, ledger, rules, wallet
from pos_tui.core.loyalty.program import Program
from pos_tui.i18n import _
from pos_tui.store import fast
from pos_tui.store import models as m

POINTS = "points"
STORE_CREDIT = "store_credit"
GIFT_CARD = "gift_card"
GIFT_CARD_NEW = "gift_card_new"  # refunds only: a new card loaded with the refund
LOYALTY_METHODS = (POINTS, STORE_CREDIT, GIFT_CARD)


def loyalty_program() -> Program:
    """The active loyalty program (its points policy: value, minimum balance, cap, hold)."""
    return rules.active_program()


def _not_more_than_open(method: str, amount: Decimal, remaining: Decimal, ctx: TenderContext) -> None:
    if amount > remaining:
        what = _("to refund") if ctx.kind == RETURN else _("still to pay")
        raise ValidationError(
            _("A {method} payment of {amount} is more than the {remaining} {what}").format(
                method=_method_name(method), amount=format_money(amount), remaining=format_money(remaining), what=what
            )
        )


def _method_name(method: str) -> str:
    names = {
        POINTS: _("points"),
        STORE_CREDIT: _("store credit"),
        GIFT_CARD: _("gift card"),
        GIFT_CARD_NEW: _("new gift card"),
    }
    return names.get(method, method)


def _need_member(ctx: TenderContext, method: str) -> int:
    if ctx.member_id is None:
        raise ValidationError(
            _("Paying with {method} needs a member on the receipt; scan the member's card first").format(
                method=_method_name(method)
            )
        )
    return ctx.member_id


def _need_original(ctx: TenderContext, method: str) -> int:
    if ctx.return_of_id is None:
        raise ValidationError(
            _("A {method} refund goes back only against the receipt it paid; refund this return in cash").format(
                method=_method_name(method)
            )
        )
    return ctx.return_of_id


def _paid_by(sale_id: int, method: str) -> int:
    """Kuruş ``method`` paid on ``sale_id``."""
    P = m.Payment
    return int(
        P.select(fn.COALESCE(fn.SUM(P.amount), 0)).where((P.sale == sale_id) & (P.method == method)).scalar() or 0
    )


def _refunded_by(original_id: int, method: str, exclude: int | None) -> int:
    """Kuruş ``method`` refunded by the returns of ``original_id`` (leaving out ``exclude``,
    the return being posted, whose payment row already exists when ``post`` runs)."""
    P, S = m.Payment, m.Sale
    query = (
        P.select(fn.COALESCE(fn.SUM(P.amount), 0))
        .join(S, on=(P.sale == S.id))
        .where((S.return_of == original_id) & (P.method == method))
    )
    if exclude is not None:
        query = query.where(S.id != exclude)
    return int(query.scalar() or 0)


# --------------------------------------------------------------------------- points


def _whole_points(amount: Decimal, value: Decimal) -> int:
    points = amount / value
    if points != points.to_integral_value():
        raise ValidationError(
            _("1 point is worth {value} TL; {amount} TL is not a whole number of points").format(
                value=format_money(value), amount=format_money(amount)
            )
        )
    return int(points)


def _check_multiple(program: Program, points: int) -> None:
    """``points.redeem_multiple``: the points tender takes whole multiples of it only."""
    multiple = program.points.redeem_multiple
    if multiple <= 1 or points % multiple == 0:
        return
    lower = points - points % multiple
    if lower == 0:
        raise ValidationError(
            _("Points pay only in whole multiples of {multiple} points; {points} points is less than one").format(
                multiple=format_decimal(multiple), points=format_decimal(points)
            )
        )
    raise ValidationError(
        _(
            "Points pay only in whole multiples of {multiple} points; {points} points is not one (take {lower} "
            "points, {amount})"
        ).format(
            multiple=format_decimal(multiple),
            points=format_decimal(points),
            lower=format_decimal(lower),
            amount=format_money((lower * program.points.value).quantize(CENT)),
        )
    )


def discount_rewards_in(benefits: Iterable[Benefit], program: Program | None = None) -> Decimal:
    """What the discount rewards (``[[rewards]]`` of kind ``discount``) among ``benefits`` take
    off the receipt: their share of the points cap (the till passes it to a points payment as
    ``details["reward_discount"]``)."""
    program = program if program is not None else loyalty_program()
    codes = {r.code for r in program.rewards if r.kind == "discount"}
    if not codes:
        return ZERO
    return sum((b.amount for b in benefits if b.kind == "reward" and b.code in codes), ZERO)


def _reward_discount_on(sale_id: int, program: Program) -> Decimal:
    """What the discount rewards on the posted ``sale_id`` took off (its ``sale_benefit`` rows)."""
    codes = [r.code for r in program.rewards if r.kind == "discount"]
    if not codes:
        return ZERO
    B = m.SaleBenefit
    query = B.select(fn.COALESCE(fn.SUM(B.amount), 0)).where(
        (B.sale == sale_id) & (B.kind == "reward") & B.code.in_(codes)
    )
    return from_kurus(int(query.scalar() or 0))


def _cap_points(program: Program, total: Decimal, reward_discount: Decimal = ZERO) -> tuple[int, Decimal]:
    """The most points the tender may take on a receipt of ``total`` (what is to pay) whose
    discount rewards took ``reward_discount`` off, and what they are worth.

    ``max_redeem_percent`` holds for the tender and the discount rewards together: of the
    receipt before the rewards (``total + reward_discount``) points may pay that percentage,
    and the rewards have already paid ``reward_discount`` of it."""
    policy = program.points
    cap_amount = (total + reward_discount) * policy.max_redeem_percent / Decimal(100) - reward_discount
    points = max(int((cap_amount / policy.value).to_integral_value(rounding=ROUND_DOWN)), 0)
    return points, (points * policy.value).quantize(CENT)


def _check_cap(program: Program, total: Decimal, points: int, already: int, reward_discount: Decimal = ZERO) -> None:
    cap, worth = _cap_points(program, total, reward_discount)
    if already + points <= cap:
        return
    percent = format_percent(Decimal(format(program.points.max_redeem_percent.normalize(), "f")))
    if reward_discount > 0:
        raise ValidationError(
            _(
                "Points may pay at most {percent} of the receipt, the discount rewards included: the rewards "
                "took {rewards}, so the points payment may take {cap} points ({worth} TL); {points} points were "
                "asked for"
            ).format(
                percent=percent,
                rewards=format_money(reward_discount),
                cap=format_decimal(cap),
                worth=format_money(worth),
                points=format_decimal(already + points),
            )
        )
    raise ValidationError(
        _(
            "Points may pay at most {percent} of the {total} to pay, that is {cap} points ({worth} TL); "
            "{points} points were asked for"
        ).format(
            percent=percent,
            total=format_money(total),
            cap=format_decimal(cap),
            worth=format_money(worth),
            points=format_decimal(already + points),
        )
    )


def _check_points_balance(
    member_id: int,
    points: int,
    program: Program,
    now: datetime,
    reserved: int = 0,
    *,
    tz: str = SHOP_TZ,
    spent_here: int = 0,
) -> None:
    """The member's available points (at least the minimum balance, no debt) cover ``points``
    on top of the ``reserved`` points this receipt already takes (its rewards, earlier points
    payments not yet written). ``spent_here``: points earlier payments of this receipt already
    redeemed (at ``post``); the minimum balance is what the member needs *before* the receipt,
    so they count towards it (points paid in two parts pass it as one part does)."""
    bal = ledger.balance(member_id, as_of=shop_day(now, tz), tz=tz)
    if bal.available < 0:
        raise InsufficientPoints(
            _(
                "The member's points balance is negative ({points}) after a return; points cannot be used until it "
                "is positive"
            ).format(points=format_decimal(bal.available))
        )
    minimum = program.points.min_balance
    if bal.available + spent_here < minimum:
        raise InsufficientPoints(
            _(
                "Paying with points needs at least {minimum} available points; the member has {available} "
                "({pending} pending)"
            ).format(
                minimum=format_decimal(minimum),
                available=format_decimal(bal.available + spent_here),
                pending=format_decimal(bal.pending),
            )
        )
    if reserved > 0 and points + reserved > bal.available:
        raise InsufficientPoints(
            _(
                "Only {free} points are free to pay with: {available} available, {reserved} taken by the rewards "
                "and points already on this receipt; {points} points were asked for"
            ).format(
                free=format_decimal(max(bal.available - reserved, 0)),
                available=format_decimal(bal.available),
                reserved=format_decimal(reserved),
                points=format_decimal(points),
            )
        )
    if points > bal.available:
        raise InsufficientPoints(
            _(
                "Only {available} points are available ({pending} pending, usable later); {points} points were "
                "asked for"
            ).format(
                available=format_decimal(bal.available),
                pending=format_decimal(bal.pending),
                points=format_decimal(points),
            )
        )


def check_points_payment(
    member_id: int,
    amount: Decimal,
    *,
    total: Decimal,
    now: datetime,
    reserved: int = 0,
    already: int = 0,
    program: Program | None = None,
    tz: str = SHOP_TZ,
    reward_discount: Decimal = ZERO,
) -> int:
    """The points that pay ``amount`` of a receipt of ``total``, or the tender's refusal
    (whole points, whole multiples of ``redeem_multiple``, the cap, the minimum balance, enough
    available points). ``reserved``: points the receipt already takes from the balance but has
    not written (its rewards' points, earlier points payments); ``already``: points earlier
    payments of the receipt count towards the cap; ``reward_discount``: what the receipt's
    discount rewards took off (they share the cap, :func:`discount_rewards_in`). Reads only:
    the till calls it to refuse a points payment before posting."""
    program = program if program is not None else loyalty_program()
    points = _whole_points(amount, program.points.value)
    _check_multiple(program, points)
    _check_cap(program, total, points, already, reward_discount)
    _check_points_balance(member_id, points, program, now, reserved, tz=tz)
    return points


def points_payable(
    member_id: int,
    *,
    total: Decimal,
    most: Decimal,
    now: datetime,
    reserved: int = 0,
    already: int = 0,
    program: Program | None = None,
    tz: str = SHOP_TZ,
    reward_discount: Decimal = ZERO,
) -> Decimal:
    """The largest amount, at most ``most``, that :func:`check_points_payment` accepts with the
    same arguments (ZERO when none): what the till offers when the amount typed does not fit —
    a whole multiple of ``redeem_multiple`` points, within the cap and the member's free points."""
    program = program if program is not None else loyalty_program()
    policy = program.points
    bal = ledger.balance(member_id, as_of=shop_day(now, tz), tz=tz)
    if bal.available <= 0 or bal.available < policy.min_balance:
        return ZERO
    cap, _worth = _cap_points(program, total, reward_discount)
    by_amount = int((most / policy.value).to_integral_value(rounding=ROUND_DOWN)) if most > 0 else 0
    points = min(bal.available - reserved, cap - already, by_amount)
    multiple = max(policy.redeem_multiple, 1)
    points -= points % multiple if points > 0 else points
    while points > 0:  # a point value with more places than the kuruş: only whole kuruş amounts
        amount = points * policy.value
        if amount == amount.quantize(CENT):
            return amount.quantize(CENT)
        points -= multiple
    return ZERO


def reward_points_on(sale_id: int) -> int:
    """Points the rewards on ``sale_id`` cost (its ``sale_benefit`` rows of kind ``reward``):
    written with the document before the tenders post, redeemed after them."""
    B = m.SaleBenefit
    return int(
        B.select(fn.COALESCE(fn.SUM(B.points), 0)).where((B.sale == sale_id) & (B.kind == "reward")).scalar() or 0
    )


def _reserved_in(payment: PaymentInput) -> int:
    try:
        reserved = int(payment.details.get("reserved_points") or 0)
    except (TypeError, ValueError):
        raise ValidationError(_("reserved_points must be a whole number of points")) from None
    return max(reserved, 0)


def _reward_discount_in(payment: PaymentInput) -> Decimal:
    raw = payment.details.get("reward_discount")
    if raw in (None, ""):
        return ZERO
    try:
        value = Decimal(str(raw))
    except ArithmeticError:
        raise ValidationError(_("reward_discount must be an amount of money")) from None
    if not value.is_finite() or value < 0:
        raise ValidationError(_("reward_discount must be an amount of money"))
    return value


def _redeemed_on(sale_id: int, member_id: int | None = None) -> int:
    E = m.PointsEntry
    query = E.select(fn.COALESCE(fn.SUM(E.points), 0)).where((E.sale == sale_id) & (E.kind == "redeem"))
    if member_id is not None:
        query = query.where(E.member == member_id)
    return -int(query.scalar() or 0)


def _reward_points_on(sale_id: int) -> int:
    """Points the receipt's rewards cost (redeemed on it too, but as the reward's price, not
    as a payment: a refund of what points paid never gives them back)."""
    B = m.SaleBenefit
    return int(
        B.select(fn.COALESCE(fn.SUM(B.points), 0)).where((B.sale == sale_id) & (B.kind == "reward")).scalar() or 0
    )


def _restored_on(sale_id: int) -> int:
    E = m.PointsEntry
    return int(
        E.select(fn.COALESCE(fn.SUM(E.points), 0)).where((E.sale == sale_id) & (E.kind == "restore")).scalar() or 0
    )


def _points_payer(sale_id: int) -> int | None:
    row = fast.select_first(m.PointsEntry, ("member",), {"sale": sale_id, "kind": "redeem"})
    return None if row is None else int(row[0])


def _points_to_restore(original_id: int, amount: Decimal, exclude: int | None) -> tuple[int, int]:
    """(points to give back for refunding ``amount`` of what points paid on ``original_id``,
    points still open). Cumulative over the receipt's returns: after refunding ``c`` of the
    ``P`` points paid, ``round_half_up(R × c / P)`` of the ``R`` redeemed points are back, so a
    refund that is not a whole number of points never loses or gains the member a point."""
    paid = _paid_by(original_id, POINTS)
    redeemed = _redeemed_on(original_id) - _reward_points_on(original_id)  # rewards are not a payment
    restored = _restored_on(original_id)
    open_ = redeemed - restored
    if paid <= 0 or redeemed <= 0:
        return 0, open_
    after = _refunded_by(original_id, POINTS, exclude) + to_kurus(amount)
    if after >= paid:
        target = redeemed
    else:
        target = int((Decimal(redeemed) * after / paid).to_integral_value(rounding=ROUND_HALF_UP))
    return max(min(target - restored, open_), 0), open_


class PointsTender:
    """Points as a tender (see the module docstring)."""

    def apply(self, payment: PaymentInput, remaining: Decimal, ctx: TenderContext) -> AppliedPayment:
        _not_more_than_open(POINTS, payment.amount, remaining, ctx)
        if ctx.kind == RETURN:
            original = _need_original(ctx, POINTS)
            payer = _points_payer(original)
            open_paid = from_kurus(_paid_by(original, POINTS) - _refunded_by(original, POINTS, ctx.sale_id))
            if payer is None or payment.amount > open_paid:
                raise ValidationError(
                    _(
                        "Points paid {open} of that receipt that is not yet refunded; {amount} cannot go back as points"
                    ).format(open=format_money(max(open_paid, ZERO)), amount=format_money(payment.amount))
                )
            points, _open = _points_to_restore(original, payment.amount, ctx.sale_id)
            return AppliedPayment(POINTS, payment.amount, details={"points": points, "member_id": payer})
        member_id = _need_member(ctx, POINTS)
        points = check_points_payment(
            member_id,
            payment.amount,
            total=ctx.total,
            now=ctx.now,
            reserved=_reserved_in(payment),
            tz=ctx.tz,
            reward_discount=_reward_discount_in(payment),
        )
        return AppliedPayment(POINTS, payment.amount, details={"points": points, "member_id": member_id})

    def post(self, applied: AppliedPayment, ctx: TenderContext) -> None:
        if ctx.kind == RETURN:
            original = _need_original(ctx, POINTS)
            payer = _points_payer(original)
            if payer is None:
                raise ValidationError(_("No points paid that receipt; nothing can go back as points"))
            _lock(payer)
            points, open_ = _points_to_restore(original, applied.amount, ctx.sale_id)
            if points > open_:
                raise ValidationError(
                    _(
                        "That receipt has only {open} redeemed points not yet given back; {points} cannot be restored"
                    ).format(open=open_, points=points)
                )
            if points > 0:
                ledger.restore(payer, original, points, now=ctx.now, tz=ctx.tz)
            return
        member_id = _need_member(ctx, POINTS)
        program = loyalty_program()
        points = _whole_points(applied.amount, program.points.value)
        _check_multiple(program, points)
        _lock(member_id)
        assert ctx.sale_id is not None
        rewards = _reward_discount_on(ctx.sale_id, program)
        earlier = _redeemed_on(ctx.sale_id, member_id)
        _check_cap(program, ctx.total, points, earlier, rewards)
        _check_points_balance(
            member_id, points, program, ctx.now, reward_points_on(ctx.sale_id), tz=ctx.tz, spent_here=earlier
        )
        ledger.redeem(member_id, points, now=ctx.now, sale_id=ctx.sale_id, tz=ctx.tz)


def _lock(member_id: int) -> None:
    if fast.select_first(m.Member, ("id",), {"id": member_id}, for_update=True) is None:
        raise ValidationError(_("No member with id {id}").format(id=member_id))


# --------------------------------------------------------------------------- store credit


def store_credit_refund_refusal(member_id: int | None, program: Program | None = None) -> str | None:
    """Why a return may not refund into store credit more than store credit paid on the receipt
    (None when it may): the shop must allow it (``[store_credit] refunds``) and the receipt must
    have a member, whose wallet takes it, who may still take part in the programme (not
    anonymized, membership consent not withdrawn: :func:`wallet.wallet_refusal`)."""
    program = program if program is not None else loyalty_program()
    if not program.store_credit.refunds:
        return _("This shop does not refund returns into store credit ([store_credit] refunds = false)")
    if member_id is None:
        return _(
            "The receipt has no member, so there is no wallet to refund into; refund in cash or by the original payment"
        )
    return wallet.wallet_refusal(member_id)


def _store_credit_open(original: int) -> tuple[int | None, Decimal]:
    """(the member whose wallet paid ``original``, what it paid and has not got back)."""
    payer = wallet.payer_of(original)
    return payer, ZERO if payer is None else wallet.spent_on_sale(payer, original)


class StoreCreditTender:
    """Store credit (the member's wallet) as a tender."""

    def apply(self, payment: PaymentInput, remaining: Decimal, ctx: TenderContext) -> AppliedPayment:
        _not_more_than_open(STORE_CREDIT, payment.amount, remaining, ctx)
        if ctx.kind == RETURN:
            original = _need_original(ctx, STORE_CREDIT)
            payer, open_ = _store_credit_open(original)
            if payment.amount > open_:
                refusal = store_credit_refund_refusal(ctx.member_id)
                if refusal is not None:
                    raise ValidationError(
                        _(
                            "Store credit paid {open} of that receipt that is not yet given back; {amount} cannot go "
                            "back to the wallet"
                        ).format(open=format_money(open_), amount=format_money(payment.amount))
                        + ": "
                        + refusal
                    )
            member_id = payer if payer is not None else ctx.member_id
            return AppliedPayment(STORE_CREDIT, payment.amount, details={"member_id": member_id})
        member_id = _need_member(ctx, STORE_CREDIT)
        state = wallet.wallet_status(
            member_id, as_of=shop_day(ctx.now, ctx.tz), hold_days=loyalty_program().points.hold_days, tz=ctx.tz
        )
        if state.total < 0:
            raise ValidationError(
                _("The member's store credit is negative ({total}); it cannot be spent until it is positive").format(
                    total=format_money(state.total)
                )
            )
        if payment.amount > state.available:
            raise ValidationError(
                _("Only {available} of store credit is available ({pending} pending); {amount} was asked for").format(
                    available=format_money(state.available),
                    pending=format_money(state.pending),
                    amount=format_money(payment.amount),
                )
            )
        return AppliedPayment(STORE_CREDIT, payment.amount, details={"member_id": member_id})

    def post(self, applied: AppliedPayment, ctx: TenderContext) -> None:
        if ctx.kind == RETURN:
            # What store credit paid on the receipt goes back to the wallet that paid (an entry on
            # the receipt); the rest is a refund the member takes as store credit instead of money
            # (an entry on this return), only when the shop allows it and the receipt has a member.
            original = _need_original(ctx, STORE_CREDIT)
            payer, open_ = _store_credit_open(original)
            back = min(applied.amount, open_)
            if payer is not None and back > 0:
                wallet.refund_sale(payer, original, back, now=ctx.now)
            extra = applied.amount - back
            if extra > 0:
                refusal = store_credit_refund_refusal(ctx.member_id)
                if refusal is not None:
                    raise ValidationError(refusal)
                assert ctx.member_id is not None and ctx.sale_id is not None
                wallet.refund_return(ctx.member_id, ctx.sale_id, extra, now=ctx.now)
            return
        member_id = _need_member(ctx, STORE_CREDIT)
        wallet.spend(
            member_id,
            applied.amount,
            now=ctx.now,
            sale_id=ctx.sale_id,
            hold_days=loyalty_program().points.hold_days,
            tz=ctx.tz,
        )


# --------------------------------------------------------------------------- gift cards


def _code_of(payment: PaymentInput) -> str:
    code = str(payment.details.get("code") or payment.reference or "").strip()
    if not code:
        raise ValidationError(_("Scan or type the gift card's code"))
    return giftcards.normalize_code(code)


class GiftCardTender:
    """A gift card as a tender."""

    def apply(self, payment: PaymentInput, remaining: Decimal, ctx: TenderContext) -> AppliedPayment:
        _not_more_than_open(GIFT_CARD, payment.amount, remaining, ctx)
        if ctx.kind == RETURN:
            original = _need_original(ctx, GIFT_CARD)
            code = payment.details.get("code") or payment.reference
            wanted = None if not code else giftcards.normalize_code(str(code))
            cards = [(c, o) for c, o in giftcards.open_on_sale(original) if wanted is None or c == wanted]
            open_ = sum((o for _c, o in cards), ZERO)
            if payment.amount > open_:
                raise ValidationError(
                    _(
                        "Gift cards paid {open} of that receipt that is not yet given back; {amount} cannot go back "
                        "to them (a gift card is never refunded in cash)"
                    ).format(open=format_money(open_), amount=format_money(payment.amount))
                )
            reference = giftcards.mask_code(cards[0][0]) if len(cards) == 1 else None
            return AppliedPayment(GIFT_CARD, payment.amount, reference=reference, details={"code": wanted})
        code = _code_of(payment)
        card = giftcards.check_spendable(code, payment.amount, day=shop_day(ctx.now, ctx.tz))
        return AppliedPayment(
            GIFT_CARD, payment.amount, reference=giftcards.mask_code(card.code), details={"code": card.code}
        )

    def post(self, applied: AppliedPayment, ctx: TenderContext) -> None:
        if ctx.kind == RETURN:
            original = _need_original(ctx, GIFT_CARD)
            giftcards.refund_sale(original, applied.amount, now=ctx.now, code=applied.details.get("code"))
            return
        code = applied.details.get("code")
        if not code:
            raise ValidationError(_("Scan or type the gift card's code"))
        try:
            giftcards.spend(str(code), applied.amount, now=ctx.now, sale_id=ctx.sale_id, tz=ctx.tz)
        except NotFound as exc:
            raise ValidationError(exc.message) from None


# --------------------------------------------------------------------------- a new gift card (refunds only)


class NewGiftCardTender:
    """``gift_card_new``: a return's refund loaded onto a new gift card (never on a sale). The
    code is drawn in ``apply`` (a read) so the payment row carries it masked; ``post`` issues
    the card (:func:`giftcards.issue_refund_card`) in the return's transaction. Any return may
    use it: the money stays in the shop as a card, like a refund to a card that paid."""

    def apply(self, payment: PaymentInput, remaining: Decimal, ctx: TenderContext) -> AppliedPayment:
        if ctx.kind != RETURN:
            raise ValidationError(
                _("A new gift card is a way to refund a return; sell gift cards from the gift card menu")
            )
        _not_more_than_open(GIFT_CARD_NEW, payment.amount, remaining, ctx)
        code = str(payment.details.get("code") or "") or giftcards.fresh_code()
        return AppliedPayment(
            GIFT_CARD_NEW, payment.amount, reference=giftcards.mask_code(code), details={"code": code}
        )

    def post(self, applied: AppliedPayment, ctx: TenderContext) -> None:
        assert ctx.sale_id is not None
        code = applied.details.get("code")
        giftcards.issue_refund_card(
            applied.amount,
            return_id=ctx.sale_id,
            now=ctx.now,
            terminal=ctx.terminal,
            user_id=ctx.cashier_id,
            member_id=ctx.member_id,
            code=None if not code else str(code),
        )


# --------------------------------------------------------------------------- registration


def register_loyalty_tenders() -> None:
    """Register ``points``, ``store_credit``, ``gift_card`` and ``gift_card_new`` (refunds only);
    calling it again changes nothing."""
    register_tender(POINTS, PointsTender())
    register_tender(STORE_CREDIT, StoreCreditTender())
    register_tender(GIFT_CARD, GiftCardTender())
    register_tender(GIFT_CARD_NEW, NewGiftCardTender())

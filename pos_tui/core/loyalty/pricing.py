"""Pricing a cart with the loyalty program: the database side of the engine.

:func:`price_cart` runs on every change of the open cart (``carts._store``), so it reads as
little as it can: the active program (one indexed query), then — only when something in the
program can apply — the cart's products' categories and suppliers (one query), the member's
tier, stamps and this month's use of monthly benefits, and the coupons entered. A non-member's
cart with no promotion open to everyone costs the one query.

The member's tier is ``member.tier_code`` while it holds: a tier whose ``tier_until`` (paid or
manual tier) has passed, a code the program no longer has, or no tier at all counts as the
program's entry tier — the lowest tier if it needs no spend (``min_spend = 0``), else none —
until the tier job evaluates the member again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from peewee import JOIN, fn

from pos_tui.core.basket.cart import Cart, compute_totals
from pos_tui.core.kernel.clock import SHOP_TZ, day_bounds, shop_day, to_db
from pos_tui.core.kernel.errors import NotFound, PosError, ValidationError
from pos_tui.core.kernel.money import ZERO
from pos_tui.core.loyalty import ledger
from pos_tui.core.loyalty.coupons import check_coupon, normalise_code
from pos_tui.core.loyalty.engine import (
    CouponOffer,
    EarnResult,
    EngineLine,
    Evaluation,
    MemberContext,
    earning,
    evaluate,
    has_benefits_for,
)
from pos_tui.core.loyalty.program import Program
from pos_tui.core.loyalty.rules.versions import active_program
from pos_tui.i18n import _
from pos_tui.store import fast
from pos_tui.store import models as m


@dataclass(frozen=True, slots=True)
class ProductFacts:
    """What the program needs of a product beyond the cart line: its category and supplier
    (the id too, for the supplier-funded points a posted sale records) and its unit."""

    category: str | None
    supplier_code: str | None
    supplier_id: int | None = None
    unit: str = "piece"


@dataclass(frozen=True, slots=True)
class Quote:
    """A cart priced by the program: the cart with its benefits, the engine's evaluation (stamps
    used and earned, reward points, monthly units), the member as the engine saw them, and what
    could not apply (coupons, rewards) when pricing was not strict."""

    cart: Cart
    evaluation: Evaluation
    member: MemberContext | None = None
    problems: tuple[str, ...] = ()
    facts: dict[int, ProductFacts] = field(default_factory=dict)
    lines: tuple[EngineLine, ...] = ()  # the cart's lines as the engine saw them (empty: not evaluated)


def _facts_query(*ids: int) -> Any:
    P, C, S = m.Product, m.Category, m.Supplier
    return (
        P.select(P.id, C.name, S.code, S.id, P.unit)
        .join(C, JOIN.LEFT_OUTER, on=(P.category == C.id))
        .switch(P)
        .join(S, JOIN.LEFT_OUTER, on=(P.supplier == S.id))
        .where(P.id.in_(list(ids)))
    )


def product_facts(product_ids: Sequence[int]) -> dict[int, ProductFacts]:
    """Category name, supplier code and id, and unit of each product, in one query."""
    ids = sorted(set(product_ids))
    if not ids:
        return {}
    rows = fast.select_rendered("loyalty.product_facts", _facts_query, *ids)
    out: dict[int, ProductFacts] = {}
    for pid, *values in rows:
        key = tuple(values)
        found = _FACTS.get(key)
        if found is None:
            if len(_FACTS) >= 10_000:
                _FACTS.clear()
            found = _FACTS[key] = ProductFacts(*values)
        out[int(pid)] = found
    return out


# (category, supplier code, supplier id, unit) → its ProductFacts: a shop has few of them, and
# the facts of a cart's products are read on every scan.
_FACTS: dict[tuple[Any, ...], ProductFacts] = {}


def entry_tier(program: Program) -> str | None:
    """The tier every member is in before any spend: the lowest, when it needs none."""
    return program.tiers[0].code if program.tiers and program.tiers[0].min_spend <= 0 else None


def member_context(
    member_id: int,
    program: Program,
    *,
    now: datetime,
    tz: str = SHOP_TZ,
    points: bool = True,
    first_purchase: bool = True,
    history: bool = True,
) -> MemberContext:
    """What the engine needs of a member on shop day of ``now``: tier (see the module
    docstring), birth date, and when ``history`` the stamps held per card and the units of
    each monthly benefit used this calendar month (benefit lines of kind ``tier`` on the
    member's sales), available points (when ``points``: ``ledger.available_points``, one
    grouped query over the member's ledger) and whether they have never bought before (when
    ``first_purchase``). :func:`engine.earning` needs only the tier and the birth date, so
    what computes points alone passes ``history=False, points=False``.

    Read on every change of a member's cart, so each statement's SQL is composed once
    (:mod:`pos_tui.store.fast`) and only what the program can use is read."""
    day = shop_day(now, tz)
    Me = m.Member
    row = fast.select_first(Me, ("tier_code", "tier_until", "birth_date"), {"id": member_id})
    if row is None:
        raise NotFound(_("No member with id {id}").format(id=member_id))
    tier_code, tier_until, birth_date = row[0], Me.tier_until.python_value(row[1]), Me.birth_date.python_value(row[2])
    if tier_until is not None and tier_until < day:
        tier_code = None
    if tier_code is None or program.tier(tier_code) is None:
        tier_code = entry_tier(program)
    stamps: dict[str, int] = {}
    if history and program.stamp_cards:
        stamps = {str(card): int(total) for card, total in fast.select_rendered(_STAMPS, _stamps_query, member_id)}
    monthly: dict[str, int] = {}
    tier = program.tier(tier_code)
    if history and tier is not None and tier.monthly_benefits:
        monthly = _monthly_used(member_id, [b.code for b in tier.monthly_benefits], day, tz)
    available = ledger.available_points(member_id, as_of=day, tz=tz) if points else 0
    first = False
    if first_purchase:
        first = fast.select_first(m.Sale, ("id",), {"member": member_id, "kind": "sale"}) is None
    return MemberContext(
        member_id=member_id,
        tier_code=tier_code,
        birth_date=birth_date,
        stamps=stamps,
        monthly_used=monthly,
        available_points=available,
        first_purchase=first,
    )


_STAMPS = "loyalty.member_stamps"
_MONTHLY = "loyalty.monthly_used"


def _stamps_query(member_id: int) -> Any:
    St = m.StampEntry
    return St.select(St.card, fn.SUM(St.stamps)).where(St.member == member_id).group_by(St.card)


def _monthly_query(member_id: int, sale: str, since: datetime, until: datetime, tier: str, *codes: str) -> Any:
    """Units of the monthly benefits ``codes`` on the member's sales in [since, until); the
    arguments in the order the SQL binds them (see :func:`fast.select_rendered`)."""
    B, S = m.SaleBenefit, m.Sale
    return (
        B.select(B.code, fn.COUNT(B.id))
        .join(S, on=(B.sale == S.id))
        .where(
            (S.member == member_id)
            & (S.kind == sale)
            & (S.at >= since)
            & (S.at < until)
            & (B.kind == tier)
            & B.code.in_(list(codes))
        )
        .group_by(B.code)
    )


def _monthly_used(member_id: int, codes: list[str], day: date, tz: str) -> dict[str, int]:
    start = day.replace(day=1)
    following = date(start.year + (start.month == 12), start.month % 12 + 1, 1)
    since, until = to_db(day_bounds(start, tz)[0]), to_db(day_bounds(following, tz)[0])
    rows = fast.select_rendered(_MONTHLY, _monthly_query, member_id, "sale", since, until, "tier", *codes)
    return {str(code): int(n) for code, n in rows}


_NO_FACTS = ProductFacts(None, None)


def _engine_lines(cart: Cart, facts: dict[int, ProductFacts]) -> list[EngineLine]:
    """The cart's active lines as the engine sees them: what each costs after its own
    discount (``gross - line_discount``, the gross computed once)."""
    out: list[EngineLine] = []
    append, no_facts = out.append, _NO_FACTS
    for ln in cart.active_lines:
        f = facts.get(ln.product_id, no_facts)
        gross = ln.gross
        amount = gross - ln.discount.amount_on(gross) if ln.discount else gross
        append(
            EngineLine(ln.line_no, ln.code, f.category, f.supplier_code, ln.unit, ln.qty_milli, ln.unit_price, amount)
        )
    return out


def _offers(cart: Cart, day: date, strict: bool, problems: list[str]) -> list[CouponOffer]:
    offers: list[CouponOffer] = []
    seen: set[str] = set()
    for raw in cart.coupons:
        code = normalise_code(raw)
        if code in seen:
            problems.append(_("Coupon {code} was entered twice").format(code=code))
            continue
        seen.add(code)
        try:
            offers.append(check_coupon(code, member_id=cart.member_id, day=day, cart_total=None))
        except PosError as exc:
            problems.append(exc.message)
    if problems and strict:
        raise ValidationError("\n".join(problems))
    return offers


# Benefits that are prices (a promotion's discount or free units, the tier's basket discount) do
# not stack on a line priced from the sale account's price list: that price is already the
# customer's negotiated price. Stamps, rewards and coupons (what the member earned or was given)
# still apply, and points are earned on what the line was paid. docs/accounts-prices.md.
PRICE_BENEFITS = ("promotion", "tier")


def without_price_benefits_on_account_lines(cart: Cart, evaluation: Evaluation) -> Evaluation:
    """``evaluation`` without the :data:`PRICE_BENEFITS` on the cart's account-priced lines."""
    priced = {ln.line_no for ln in cart.lines if ln.account_priced}
    if not priced or not evaluation.benefits:
        return evaluation
    kept = tuple(b for b in evaluation.benefits if not (b.line_no in priced and b.kind in PRICE_BENEFITS))
    if len(kept) == len(evaluation.benefits):
        return evaluation
    free = {n: units for n, units in evaluation.free_units.items() if n not in priced}
    return replace(evaluation, benefits=kept, free_units=free, kurus_left={})


def quote(
    cart: Cart, *, now: datetime, tz: str = SHOP_TZ, program: Program | None = None, strict: bool = False
) -> Quote:
    """Price ``cart``: its benefits recomputed from its lines, member, coupons and rewards.
    When ``strict``, a coupon or reward that cannot apply is a :class:`ValidationError` (all
    of them in one message); otherwise it is left out and listed in ``problems``."""
    program = program if program is not None else active_program()
    member = cart.member_id is not None
    if not cart.coupons and not cart.rewards and not has_benefits_for(program, member):
        return Quote(cart.with_benefits(()) if cart.benefits else cart, Evaluation())
    day = shop_day(now, tz)
    problems: list[str] = []
    offers = _offers(cart, day, strict, problems)
    active = cart.active_lines
    facts = product_facts([ln.product_id for ln in active])
    context = (
        member_context(cart.member_id, program, now=now, tz=tz, points=bool(cart.rewards), first_purchase=False)
        if cart.member_id is not None
        else None
    )
    lines = _engine_lines(cart, facts)
    evaluation = evaluate(lines, context, program, day=day, coupons=offers, rewards=cart.rewards, strict=strict)
    evaluation = without_price_benefits_on_account_lines(cart, evaluation)
    return Quote(
        cart.with_benefits(evaluation.benefits),
        evaluation,
        context,
        (*problems, *evaluation.problems),
        facts,
        tuple(lines),
    )


def price_cart(
    cart: Cart, *, now: datetime, tz: str = SHOP_TZ, program: Program | None = None, strict: bool = True
) -> Cart:
    """``cart`` with its loyalty benefits (promotions, stamp items, rewards, tier benefits and
    discount, coupons) computed afresh. Strict by default: a coupon that is unknown, expired,
    used up, someone else's or whose minimum spend the receipt no longer reaches, or a reward
    the member cannot afford or whose product is not in the cart, raises a
    :class:`ValidationError` (so nothing is saved); with ``strict=False`` they are skipped."""
    return quote(cart, now=now, tz=tz, program=program, strict=strict).cart


def earn_preview(
    cart: Cart,
    *,
    now: datetime,
    tz: str = SHOP_TZ,
    program: Program | None = None,
    non_earning_paid: Decimal = ZERO,
) -> EarnResult | None:
    """What the receipt would earn if paid now (the customer panel's "+N points"): benefits
    recomputed (not strict), the cart discount taken off, then :func:`engine.earning` with
    ``non_earning_paid`` (points and store credit tendered so far). For a cart without a member
    it is what a new member would earn. None for an empty cart."""
    if not cart.active_lines:
        return None
    program = program if program is not None else active_program()
    q = quote(cart, now=now, tz=tz, program=program, strict=False)
    priced = q.cart
    facts = q.facts or product_facts([ln.product_id for ln in priced.active_lines])
    context = q.member
    if context is None and priced.member_id is not None:
        context = member_context(
            priced.member_id, program, now=now, tz=tz, points=False, first_purchase=False, history=False
        )
    day = shop_day(now, tz)
    if priced.discount is None:
        # Without a cart discount each line is paid what it costs after its benefits, which
        # the evaluation already holds in kuruş (what compute_totals gives, without it).
        return earning(
            q.lines or _engine_lines(priced, facts), context, program, day=day, non_earning_paid=non_earning_paid,
            evaluation=q.evaluation,
        )  # fmt: skip
    totals = compute_totals(priced.lines, priced.discount, priced.benefits)
    nets = {lt.line_no: lt.net for lt in totals.lines}
    lines = [
        EngineLine(
            ln.line_no,
            ln.product_code,
            ln.category,
            ln.supplier_code,
            ln.unit,
            ln.qty_milli,
            ln.unit_price,
            nets[ln.line_no],
            q.evaluation.free_units.get(ln.line_no, 0),
        )
        for ln in _engine_lines(priced, facts)
    ]
    return earning(lines, context, program, day=day, non_earning_paid=non_earning_paid)


__all__ = [
    "ProductFacts",
    "Quote",
    "earn_preview",
    "entry_tier",
    "member_context",
    "price_cart",
    "product_facts",
    "quote",
]

"""The sections of the rules file, each checked into program values."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, cast

from pos_tui.core.loyalty.ledger import DEFAULT_HOLD_DAYS, ExpiryPolicy
from pos_tui.core.loyalty.program import (
    Badge,
    Cashback,
    Charity,
    Donations,
    Earning,
    Messages,
    MonthlyBenefit,
    Multiplier,
    NextOrderCoupon,
    PaidMembership,
    PointsPolicy,
    Program,
    Promotion,
    Referral,
    Reward,
    Scope,
    StampCard,
    StoreCredit,
    SupplierFunding,
    ThresholdBonus,
    Tier,
    TierQualification,
    Transfers,
)
from pos_tui.core.loyalty.rules.reading import (
    BADGE_KINDS,
    COUPON_KINDS,
    EXPIRY_KINDS,
    PROMOTION_KINDS,
    QUALIFICATION_WINDOWS,
    REWARD_KINDS,
    ZERO,
    _Problems,
    _show,
    _Table,
    _unique,
)
from pos_tui.i18n import _


def _points(t: _Table) -> PointsPolicy:
    expiry_table = t.table("expiry")
    kind = expiry_table.choice("kind", EXPIRY_KINDS, "never") or "never"
    days = expiry_table.integer("days", 0, minimum=0)
    if kind == "days_after_available" and days < 1:
        expiry_table.bad("days", _("days_after_available needs days of at least 1"))
        days = 1
    elif kind != "days_after_available" and expiry_table.has("days") and days:
        expiry_table.bad("days", _('only used with kind = "days_after_available"'))
    expiry_table.finish()
    policy = PointsPolicy(
        value=t.decimal("value", Decimal(1), above=ZERO, places=4),
        hold_days=t.integer("hold_days", DEFAULT_HOLD_DAYS, minimum=0),
        expiry=ExpiryPolicy(cast(Any, kind), days if kind == "days_after_available" else 0),
        min_balance=t.integer("min_balance", 0, minimum=0),
        max_redeem_percent=t.percent("max_redeem_percent", Decimal(50)),
        redeem_multiple=t.integer("redeem_multiple", 1, minimum=1),
    )
    t.finish()
    return policy


def _earning(t: _Table) -> Earning:
    excluded = t.table("excluded")
    scope = Scope(excluded.strings("products"), excluded.strings("categories"))
    excluded.finish()
    earning = Earning(
        percent=t.percent("percent", Decimal(1)),
        product_multipliers=t.weights("product_multipliers"),
        category_multipliers=t.weights("category_multipliers"),
        excluded=scope,
        min_order=t.money("min_order", ZERO),
    )
    t.finish()
    return earning


def _optional_money(t: _Table, key: str) -> Decimal | None:
    """A cap in TRY: absent means no cap; when given it must be more than 0."""
    return t.money(key, positive=True) if t.has(key) else None


def _multiplier(t: _Table) -> Multiplier:
    scope = t.scope(required=False)
    multiplier = Multiplier(
        code=t.text("code", code=True),
        factor=t.decimal("factor", minimum=Decimal(1), places=4),
        min_order=t.money("min_order", ZERO),
        scope=scope if (scope.products or scope.categories or scope.all_products) else Scope(all_products=True),
        window=t.window(),
    )
    t.finish()
    return multiplier


def _next_order_coupon(t: _Table) -> NextOrderCoupon:
    kind = t.choice("kind", COUPON_KINDS)
    amount, percent = ZERO, ZERO
    if kind == "amount":
        amount = t.money("amount", positive=True)
        for key in ("percent", "max_amount"):
            if t.has(key):
                t.raw(key)
                t.bad(key, _('only used with kind = "percent"'))
    elif kind == "percent":
        percent = t.percent("percent", positive=True)
        if t.has("amount"):
            t.raw("amount")
            t.bad("amount", _('only used with kind = "amount"'))
    else:
        t.skip("amount", "percent", "max_amount")
    coupon = NextOrderCoupon(
        code=t.text("code", code=True),
        name=t.text("name"),
        kind=cast(Any, kind or "amount"),
        min_spend=t.money("min_spend", ZERO),
        scope=t.scope(required=False),
        scope_min_spend=t.money("scope_min_spend", ZERO),
        members_only=t.boolean("members_only", True),
        window=t.window(),
        amount=amount,
        percent=percent,
        max_amount=_optional_money(t, "max_amount") if kind == "percent" else None,
        valid_days=t.integer("valid_days", 30, minimum=1),
        coupon_min_spend=t.money("coupon_min_spend", ZERO),
        starts_next_day=t.boolean("starts_next_day", True),
    )
    t.finish()
    return coupon


def _store_credit(t: _Table) -> StoreCredit:
    credit = StoreCredit(refunds=t.boolean("refunds", True), earns_points=t.boolean("earns_points", False))
    t.finish()
    return credit


def _transfers(t: _Table) -> Transfers:
    transfers = Transfers(
        enabled=t.boolean("enabled", True),
        min_points=t.integer("min_points", 1, minimum=1),
        max_points=t.integer("max_points", 0, minimum=0),
        daily_max_points=t.integer("daily_max_points", 0, minimum=0),
        supervisor_above=t.integer("supervisor_above", 0, minimum=0),
    )
    if transfers.max_points and transfers.max_points < transfers.min_points:
        t.bad("max_points", _("is less than min_points {minimum}").format(minimum=transfers.min_points))
    t.finish()
    return transfers


def _donations(t: _Table) -> Donations:
    donations = Donations(min_points=t.integer("min_points", 1, minimum=1))
    t.finish()
    return donations


def _supplier_funding(t: _Table) -> SupplierFunding:
    points = t.integer("points", minimum=1)
    supplier_points = t.integer("supplier_points", 0, minimum=0)
    if supplier_points > points:
        t.bad(
            "supplier_points",
            _("{part} is more than the {points} points in all").format(part=supplier_points, points=points),
        )
    funding = SupplierFunding(t.text("product"), points, supplier_points)
    t.finish()
    return funding


def _bonus(t: _Table) -> ThresholdBonus:
    bonus = ThresholdBonus(
        code=t.text("code", code=True),
        min_spend=t.money("min_spend"),
        points=t.integer("points", minimum=1),
        window=t.window(),
        birthday_week=t.boolean("birthday_week", False),
    )
    t.finish()
    return bonus


def _qualification(t: _Table) -> TierQualification:
    window = t.choice("window", QUALIFICATION_WINDOWS, "previous_month") or "previous_month"
    length = t.integer("length", 1, minimum=1)
    if window == "previous_month" and length != 1:
        t.bad("length", _("previous_month is always one month; use rolling_months for more"))
        length = 1
    count_current = t.boolean("count_current_receipt", False)
    t.finish()
    return TierQualification(cast(Any, window), length, count_current)


def _monthly_benefit(t: _Table) -> MonthlyBenefit:
    benefit = MonthlyBenefit(
        code=t.text("code", code=True),
        label=t.text("label"),
        scope=t.scope(),
        quantity=t.integer("quantity", 1, minimum=1),
    )
    t.finish()
    return benefit


def _tier(t: _Table) -> Tier:
    monthly = [(_monthly_benefit(b), b) for b in t.tables("monthly_benefits")]
    tier = Tier(
        code=t.text("code", code=True),
        name=t.text("name"),
        min_spend=t.money("min_spend"),
        multiplier=t.decimal("multiplier", Decimal(1), minimum=Decimal(1), places=4),
        basket_discount_percent=t.percent("basket_discount_percent", ZERO),
        monthly_benefits=tuple(b for b, _t in monthly),
        basket_discount_max=_optional_money(t, "basket_discount_max"),
    )
    t.finish()
    return tier


def _stamp_card(t: _Table) -> StampCard:
    card = StampCard(
        code=t.text("code", code=True), name=t.text("name"), scope=t.scope(), needed=t.integer("needed", minimum=1)
    )
    t.finish()
    return card


def _promotion(t: _Table) -> Promotion:
    kind = t.choice("kind", PROMOTION_KINDS)
    if not kind:
        t.skip("buy", "get", "percent")
        buy, get, percent = 1, 1, ZERO
    elif kind == "buy_x_get_y":
        buy, get = t.integer("buy", minimum=1), t.integer("get", 1, minimum=1)
        percent = ZERO
        if t.has("percent"):
            t.raw("percent")
            t.bad("percent", _("buy_x_get_y gives the items free; use second_item_percent for a discount"))
    else:
        for key in ("buy", "get"):
            if t.has(key):
                t.raw(key)
                t.bad(key, _("second_item_percent always pairs two items"))
        buy, get = 1, 1
        percent = t.percent("percent", positive=True)
    promotion = Promotion(
        code=t.text("code", code=True),
        name=t.text("name"),
        kind=cast(Any, kind or "buy_x_get_y"),
        scope=t.scope(),
        buy=buy,
        get=get,
        percent=percent,
        members_only=t.boolean("members_only", False),
        window=t.window(),
        max_amount=_optional_money(t, "max_amount"),
    )
    t.finish()
    return promotion


def _reward(t: _Table) -> Reward:
    kind = t.choice("kind", REWARD_KINDS, "product") or "product"
    product: str | None = None
    per_point = ZERO
    if kind == "product":
        product = t.text("product")
        if t.has("discount_per_point"):
            t.raw("discount_per_point")
            t.bad("discount_per_point", _('only used with kind = "discount"'))
    else:
        per_point = t.decimal("discount_per_point", above=ZERO, places=4)
        if t.has("product"):
            t.raw("product")
            t.bad("product", _("a discount reward takes money off the receipt; it names no product"))
    reward = Reward(
        code=t.text("code", code=True),
        name=t.text("name"),
        product=product,
        points=t.integer("points", minimum=1),
        kind=cast(Any, kind),
        discount_per_point=per_point,
    )
    t.finish()
    return reward


def _referral(t: _Table) -> Referral:
    enabled = t.boolean("enabled", False)
    referral = Referral(
        enabled=enabled,
        referrer_points=t.integer("referrer_points", 0, minimum=1 if enabled else 0),
        min_first_purchase=t.money("min_first_purchase", ZERO),
    )
    t.finish()
    return referral


def _charity(t: _Table) -> Charity:
    charity = Charity(t.text("code", code=True), t.text("name"))
    t.finish()
    return charity


def _paid_membership(t: _Table) -> PaidMembership:
    pm = PaidMembership(
        product=t.text("product"), tier=t.text("tier"), term_days=t.integer("term_days", 365, minimum=1)
    )
    t.finish()
    return pm


def _cashback(t: _Table) -> Cashback:
    cashback = Cashback(percent=t.percent("percent", ZERO))
    t.finish()
    return cashback


def _badge(t: _Table) -> Badge:
    kind = t.choice("kind", BADGE_KINDS)
    threshold = ZERO
    tier = None
    if not kind:
        t.skip("threshold", "tier")
    elif kind in ("visits", "spend"):
        threshold = t.decimal("threshold", above=ZERO, places=2 if kind == "spend" else 0)
    elif t.has("threshold"):
        t.raw("threshold")
        t.bad("threshold", _("only used by visits and spend badges"))
    if kind == "tier":
        tier = t.text("tier")
    elif kind and t.has("tier"):
        t.raw("tier")
        t.bad("tier", _("only used by tier badges"))
    badge = Badge(
        code=t.text("code", code=True), name=t.text("name"), kind=cast(Any, kind), threshold=threshold, tier=tier
    )
    t.finish()
    return badge


def _messages(t: _Table) -> Messages:
    messages = Messages(
        birthday=t.boolean("birthday", True),
        expiring_days=t.integer("expiring_days", 30, minimum=0),
        tier_change=t.boolean("tier_change", True),
    )
    t.finish()
    return messages


def _build(data: Mapping[str, Any], problems: _Problems) -> Program:
    root = _Table(data, "", problems)
    name = root.text("name", "Sadakat")
    points = _points(root.table("points"))
    earning = _earning(root.table("earning"))
    funding_tables = root.tables("supplier_funding")
    funding = [(_supplier_funding(t), t) for t in funding_tables]
    bonuses = [(_bonus(t), t) for t in root.tables("bonuses")]
    qualification = _qualification(root.table("tier_qualification"))
    tier_tables = root.tables("tiers")
    tiers = [(_tier(t), t) for t in tier_tables]
    cards = [(_stamp_card(t), t) for t in root.tables("stamp_cards")]
    promotions = [(_promotion(t), t) for t in root.tables("promotions")]
    rewards = [(_reward(t), t) for t in root.tables("rewards")]
    referral = _referral(root.table("referral"))
    charities = [(_charity(t), t) for t in root.tables("charities")]
    memberships = [(_paid_membership(t), t) for t in root.tables("paid_memberships")]
    cashback = _cashback(root.table("cashback"))
    badges = [(_badge(t), t) for t in root.tables("badges")]
    messages = _messages(root.table("messages"))
    multipliers = [(_multiplier(t), t) for t in root.tables("multipliers")]
    next_coupons = [(_next_order_coupon(t), t) for t in root.tables("next_order_coupons")]
    store_credit = _store_credit(root.table("store_credit"))
    transfers = _transfers(root.table("transfers"))
    donations = _donations(root.table("donations"))
    root.finish()

    # Codes are unique within each kind; a tier's code and its monthly benefits' codes share
    # one namespace (both are written as kind "tier" on a receipt's benefit lines).
    _unique([(t, x.code) for x, t in bonuses], _("bonus"))
    _unique([(t, x.code) for x, t in cards], _("stamp card"))
    _unique([(t, x.code) for x, t in promotions], _("promotion"))
    _unique([(t, x.code) for x, t in rewards], _("reward"))
    _unique([(t, x.code) for x, t in charities], _("charity"))
    _unique([(t, x.code) for x, t in badges], _("badge"))
    _unique([(t, x.code) for x, t in multipliers], _("multiplier"))
    _unique([(t, x.code) for x, t in next_coupons], _("next-order coupon"))
    tier_codes: list[tuple[_Table, str]] = []
    for tier, t in tiers:
        tier_codes.append((t, tier.code))
        tier_codes += [(t, b.code) for b in tier.monthly_benefits]
    _unique(tier_codes, _("tier or monthly benefit"))
    seen_products: set[str] = set()
    for f, t in funding:
        if f.product and f.product in seen_products:
            t.bad("product", _("{product} is funded twice").format(product=_show(f.product)))
        seen_products.add(f.product)
    seen_products = set()
    for pm, t in memberships:
        if pm.product and pm.product in seen_products:
            t.bad("product", _("{product} already sells another membership").format(product=_show(pm.product)))
        seen_products.add(pm.product)

    # Tiers go up: each needs more spend than the one before.
    for (before, _t), (tier, t) in itertools.pairwise(tiers):
        if tier.min_spend <= before.min_spend:
            t.bad(
                "min_spend",
                _("must be more than {previous}'s {spend} (list tiers from the lowest spend up)").format(
                    previous=before.code, spend=before.min_spend
                ),
            )

    # References to tiers.
    known = [tier.code for tier, _t in tiers]
    listing = ", ".join(known) or _("none")
    for pm, t in memberships:
        if pm.tier and pm.tier not in known:
            t.bad("tier", _("no tier {code} (tiers: {tiers})").format(code=_show(pm.tier), tiers=listing))
    for badge, t in badges:
        if badge.kind == "tier" and badge.tier and badge.tier not in known:
            t.bad("tier", _("no tier {code} (tiers: {tiers})").format(code=_show(badge.tier), tiers=listing))

    return Program(
        name=name,
        points=points,
        earning=earning,
        supplier_funding=tuple(x for x, _t in funding),
        bonuses=tuple(x for x, _t in bonuses),
        tier_qualification=qualification,
        tiers=tuple(x for x, _t in tiers),
        stamp_cards=tuple(x for x, _t in cards),
        promotions=tuple(x for x, _t in promotions),
        rewards=tuple(x for x, _t in rewards),
        referral=referral,
        charities=tuple(x for x, _t in charities),
        paid_memberships=tuple(x for x, _t in memberships),
        cashback=cashback,
        badges=tuple(x for x, _t in badges),
        messages=messages,
        multipliers=tuple(x for x, _t in multipliers),
        next_order_coupons=tuple(x for x, _t in next_coupons),
        store_credit=store_credit,
        transfers=transfers,
        donations=donations,
    )

"""Parsing a rules file into a :class:`Program` and the canonical form back."""

from __future__ import annotations

import hashlib
import json
import tomllib
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from pos_tui.core.kernel.errors import ValidationError
from pos_tui.core.kernel.money import CENT
from pos_tui.core.loyalty.engine import plain
from pos_tui.core.loyalty.program import (
    Donations,
    Program,
    Reward,
    Scope,
    StoreCredit,
    Transfers,
    Window,
)
from pos_tui.core.loyalty.rules.reading import _Problems
from pos_tui.core.loyalty.rules.sections import _build
from pos_tui.i18n import _


def parse_program(text: str, *, source: str = "loyalty.toml") -> Program:
    """Parse and validate a rules file. A TOML syntax error names the line and column; other
    problems are all collected into one :class:`ValidationError`, one line each."""
    try:
        data = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise ValidationError(_("{source}: not valid TOML: {error}").format(source=source, error=exc)) from None
    return program_from_dict(data, source=source)


def program_from_dict(data: Mapping[str, Any], *, source: str = "loyalty.toml") -> Program:
    """A program from its table form (parsed TOML or :func:`program_to_dict`'s JSON), validated."""
    problems = _Problems(source)
    program = _build(data, problems)
    problems.raise_any()
    return program


def _scope_dict(scope: Scope) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if scope.products:
        out["products"] = sorted(scope.products)
    if scope.categories:
        out["categories"] = sorted(scope.categories)
    if scope.all_products:
        out["all_products"] = True
    return out


def _window_dict(window: Window) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if window.valid_from is not None:
        out["valid_from"] = window.valid_from.isoformat()
    if window.valid_to is not None:
        out["valid_to"] = window.valid_to.isoformat()
    return out


def _money(value: Decimal) -> str:
    return str(value.quantize(CENT))


def program_to_dict(program: Program) -> dict[str, Any]:
    """The canonical table form of ``program``: the rules file's shape, JSON- and TOML-safe
    (decimals and dates as strings, sets as sorted lists, no nulls)."""
    p = program
    expiry: dict[str, Any] = {"kind": p.points.expiry.kind}
    if p.points.expiry.kind == "days_after_available":
        expiry["days"] = p.points.expiry.days
    excluded = _scope_dict(Scope(p.earning.excluded.products, p.earning.excluded.categories))
    return {
        "name": p.name,
        "points": {
            "value": plain(p.points.value),
            "hold_days": p.points.hold_days,
            "expiry": expiry,
            "min_balance": p.points.min_balance,
            "max_redeem_percent": plain(p.points.max_redeem_percent),
            **({"redeem_multiple": p.points.redeem_multiple} if p.points.redeem_multiple != 1 else {}),
        },
        "earning": {
            "percent": plain(p.earning.percent),
            "product_multipliers": {k: plain(v) for k, v in sorted(p.earning.product_multipliers.items())},
            "category_multipliers": {k: plain(v) for k, v in sorted(p.earning.category_multipliers.items())},
            "excluded": excluded,
            **({"min_order": _money(p.earning.min_order)} if p.earning.min_order else {}),
        },
        "supplier_funding": [
            {"product": f.product, "points": f.points, "supplier_points": f.supplier_points} for f in p.supplier_funding
        ],
        "bonuses": [
            {
                "code": b.code,
                "min_spend": _money(b.min_spend),
                "points": b.points,
                "birthday_week": b.birthday_week,
                **_window_dict(b.window),
            }
            for b in p.bonuses
        ],
        "tier_qualification": {
            "window": p.tier_qualification.window,
            "length": p.tier_qualification.length,
            **({"count_current_receipt": True} if p.tier_qualification.count_current_receipt else {}),
        },
        "tiers": [
            {
                "code": t.code,
                "name": t.name,
                "min_spend": _money(t.min_spend),
                "multiplier": plain(t.multiplier),
                "basket_discount_percent": plain(t.basket_discount_percent),
                "monthly_benefits": [
                    {"code": b.code, "label": b.label, "quantity": b.quantity, **_scope_dict(b.scope)}
                    for b in t.monthly_benefits
                ],
                **_cap("basket_discount_max", t.basket_discount_max),
            }
            for t in p.tiers
        ],
        "stamp_cards": [
            {"code": c.code, "name": c.name, "needed": c.needed, **_scope_dict(c.scope)} for c in p.stamp_cards
        ],
        "promotions": [
            {
                "code": x.code,
                "name": x.name,
                "kind": x.kind,
                **({"buy": x.buy, "get": x.get} if x.kind == "buy_x_get_y" else {"percent": plain(x.percent)}),
                "members_only": x.members_only,
                **_scope_dict(x.scope),
                **_window_dict(x.window),
                **_cap("max_amount", x.max_amount),
            }
            for x in p.promotions
        ],
        "rewards": [_reward_dict(r) for r in p.rewards],
        "referral": {
            "enabled": p.referral.enabled,
            "referrer_points": p.referral.referrer_points,
            "min_first_purchase": _money(p.referral.min_first_purchase),
        },
        "charities": [{"code": c.code, "name": c.name} for c in p.charities],
        "paid_memberships": [
            {"product": x.product, "tier": x.tier, "term_days": x.term_days} for x in p.paid_memberships
        ],
        "cashback": {"percent": plain(p.cashback.percent)},
        "badges": [
            {
                "code": b.code,
                "name": b.name,
                "kind": b.kind,
                **({"threshold": plain(b.threshold)} if b.kind in ("visits", "spend") else {}),
                **({"tier": b.tier} if b.kind == "tier" and b.tier is not None else {}),
            }
            for b in p.badges
        ],
        "messages": {
            "birthday": p.messages.birthday,
            "expiring_days": p.messages.expiring_days,
            "tier_change": p.messages.tier_change,
        },
        **_issue16_dict(p),
    }


def _cap(key: str, value: Decimal | None) -> dict[str, Any]:
    return {} if value is None else {key: _money(value)}


def _reward_dict(r: Reward) -> dict[str, Any]:
    out: dict[str, Any] = {"code": r.code, "name": r.name, "points": r.points}
    if r.kind == "product":
        out["product"] = r.product
    else:
        out |= {"kind": r.kind, "discount_per_point": plain(r.discount_per_point)}
    return out


def _issue16_dict(p: Program) -> dict[str, Any]:
    """The sections issue 16 added, only where they differ from their defaults: a program that
    uses none of them keeps the canonical form (and digest) it had before."""
    out: dict[str, Any] = {}
    if p.multipliers:
        out["multipliers"] = [
            {
                "code": x.code,
                "factor": plain(x.factor),
                "min_order": _money(x.min_order),
                **_scope_dict(x.scope),
                **_window_dict(x.window),
            }
            for x in p.multipliers
        ]
    if p.next_order_coupons:
        out["next_order_coupons"] = [
            {
                "code": c.code,
                "name": c.name,
                "kind": c.kind,
                **({"amount": _money(c.amount)} if c.kind == "amount" else {"percent": plain(c.percent)}),
                **_cap("max_amount", c.max_amount),
                "min_spend": _money(c.min_spend),
                "scope_min_spend": _money(c.scope_min_spend),
                "members_only": c.members_only,
                "valid_days": c.valid_days,
                "coupon_min_spend": _money(c.coupon_min_spend),
                "starts_next_day": c.starts_next_day,
                **_scope_dict(c.scope),
                **_window_dict(c.window),
            }
            for c in p.next_order_coupons
        ]
    if p.store_credit != StoreCredit():
        out["store_credit"] = {"refunds": p.store_credit.refunds, "earns_points": p.store_credit.earns_points}
    if p.transfers != Transfers():
        t = p.transfers
        out["transfers"] = {
            "enabled": t.enabled,
            "min_points": t.min_points,
            "max_points": t.max_points,
            "daily_max_points": t.daily_max_points,
            "supervisor_above": t.supervisor_above,
        }
    if p.donations != Donations():
        out["donations"] = {"min_points": p.donations.min_points}
    return out


def canonical_json(program: Program) -> str:
    """The exact text stored and hashed for ``program``."""
    return json.dumps(program_to_dict(program), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def digest_of(program: Program) -> str:
    return hashlib.sha256(canonical_json(program).encode("utf-8")).hexdigest()


def program_to_toml(program: Program, *, header: str = "") -> str:
    """The program as a rules file (used when a command such as ``loyalty tiers set`` writes a
    new version): :func:`program_to_dict` through ``tomli-w``, after ``header`` comment lines."""
    import tomli_w

    lines = [f"# {line}".rstrip() for line in header.splitlines()]
    body = tomli_w.dumps(program_to_dict(program))
    return ("\n".join(lines) + "\n\n" if lines else "") + body

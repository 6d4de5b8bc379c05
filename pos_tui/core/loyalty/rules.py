"""The loyalty rules file (``config/loyalty.toml``): parsing, validation, stored versions.

The format is documented key by key in ``docs/loyalty-rules.md``. Parsing goes through
:mod:`tomllib` (floats read as :class:`~decimal.Decimal`, so ``1.5`` is exactly 1.5); a TOML
syntax error names the file, line and column. The parsed table is then checked as a whole and
**every** problem is reported at once, each with where it is::

    loyalty.toml: [tiers.silver] multiplier: must be at least 1, not 0.5
    loyalty.toml: [paid_memberships[1]] tier: no tier 'vip' (tiers: red, silver, gold)

Unknown keys are errors too (a misspelt key would otherwise silently do nothing).

The canonical form of a program is :func:`program_to_dict`: the same shape as the TOML file,
with decimals and dates as strings, sets as sorted lists and no empty values, so that
``program_from_dict(program_to_dict(p)) == p`` and two files meaning the same program have
the same digest. Each applied version is a ``loyalty_rules`` row (the TOML text as applied,
the canonical JSON, its sha256) and a ``loyalty_rules`` journal entry; the newest row is the
active program. Rows are insert-only: going back to an older program is applying it again.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from pos_tui.core import journal
from pos_tui.core.actors import Actor, require
from pos_tui.core.clock import from_db, to_db
from pos_tui.core.errors import NotFound, ValidationError
from pos_tui.core.loyalty.engine import plain
from pos_tui.core.loyalty.ledger import DEFAULT_HOLD_DAYS, ExpiryPolicy
from pos_tui.core.loyalty.program import (
    Badge,
    Cashback,
    Charity,
    Earning,
    Messages,
    MonthlyBenefit,
    PaidMembership,
    PointsPolicy,
    Program,
    Promotion,
    Referral,
    Reward,
    Scope,
    StampCard,
    SupplierFunding,
    ThresholdBonus,
    Tier,
    TierQualification,
    Window,
)
from pos_tui.core.money import CENT
from pos_tui.i18n import _
from pos_tui.store import fast, write_tx
from pos_tui.store import models as m

ADMIN_TERMINAL = "admin"
CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")
EXPIRY_KINDS = ("never", "days_after_available", "end_of_month", "end_of_year")
QUALIFICATION_WINDOWS = ("previous_month", "rolling_days", "rolling_months")
PROMOTION_KINDS = ("buy_x_get_y", "second_item_percent")
BADGE_KINDS = ("first_purchase", "visits", "spend", "tier")
ZERO = Decimal(0)
HUNDRED = Decimal(100)
_MISSING = object()


# ============================================================================ reading with error collection


class _Problems:
    """Every problem found in one file, each with its place."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.items: list[str] = []

    def add(self, path: str, key: str | None, problem: str) -> None:
        if not path:
            self.items.append(
                _("{source}: {key}: {problem}").format(source=self.source, key=key or "-", problem=problem)
            )
        elif key is None:
            self.items.append(
                _("{source}: [{section}] {problem}").format(source=self.source, section=path, problem=problem)
            )
        else:
            self.items.append(
                _("{source}: [{section}] {key}: {problem}").format(
                    source=self.source, section=path, key=key, problem=problem
                )
            )

    def raise_any(self) -> None:
        if self.items:
            head = _("{source}: {n} problem(s) in the loyalty rules, nothing applied").format(
                source=self.source, n=len(self.items)
            )
            raise ValidationError(head + "\n" + "\n".join(self.items))


def _show(value: object) -> str:
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral_value() else str(value)
    return str(value)


class _Table:
    """One TOML table being read: typed getters that record problems instead of raising, and
    a check for keys nobody asked for."""

    def __init__(self, data: object, path: str, problems: _Problems) -> None:
        self.path = path
        self.problems = problems
        if not isinstance(data, Mapping):
            problems.add(path, None, _("must be a table, not {value}").format(value=_show(data)))
            data = {}
        self.data: Mapping[str, Any] = data
        self.used: set[str] = set()

    def bad(self, key: str | None, problem: str) -> None:
        self.problems.add(self.path, key, problem)

    def raw(self, key: str) -> Any:
        self.used.add(key)
        return self.data.get(key, _MISSING)

    def has(self, key: str) -> bool:
        return key in self.data

    def text(self, key: str, default: str | object | None = _MISSING, *, code: bool = False) -> str:
        value = self.raw(key)
        if value is _MISSING:
            if default is _MISSING:
                self.bad(key, _("missing"))
                return ""
            return cast(str, default)
        if not isinstance(value, str) or not value.strip():
            self.bad(key, _("must be a non-empty text, not {value}").format(value=_show(value)))
            return ""
        value = value.strip()
        if code and not CODE_PATTERN.match(value):
            self.bad(
                key,
                _("{value} is not a valid code (1 to 32 letters, digits, '-', '_' or '.', no spaces)").format(
                    value=_show(value)
                ),
            )
        return value

    def optional_text(self, key: str) -> str | None:
        if self.raw(key) is _MISSING:
            return None
        return self.text(key)

    def integer(self, key: str, default: int | object = _MISSING, *, minimum: int | None = None) -> int:
        value = self.raw(key)
        if value is _MISSING:
            if default is _MISSING:
                self.bad(key, _("missing"))
                return minimum or 0
            return cast(int, default)
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                value = int(value.strip())
        if isinstance(value, Decimal) and value == value.to_integral_value():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            self.bad(key, _("must be a whole number, not {value}").format(value=_show(value)))
            return minimum or 0
        if minimum is not None and value < minimum:
            self.bad(key, _("must be at least {minimum}, not {value}").format(minimum=minimum, value=value))
        return value

    def decimal(
        self,
        key: str,
        default: Decimal | object = _MISSING,
        *,
        minimum: Decimal | None = None,
        maximum: Decimal | None = None,
        above: Decimal | None = None,
        places: int | None = None,
    ) -> Decimal:
        value = self.raw(key)
        if value is _MISSING:
            if default is _MISSING:
                self.bad(key, _("missing"))
                return minimum or above or ZERO
            return cast(Decimal, default)
        number: Decimal | None = None
        if isinstance(value, bool):
            number = None
        elif isinstance(value, int | Decimal):
            number = Decimal(value)
        elif isinstance(value, str):
            try:
                number = Decimal(value.strip().replace(",", "."))
            except InvalidOperation:
                number = None
        if number is None or not number.is_finite():
            self.bad(key, _("must be a number, not {value}").format(value=_show(value)))
            return minimum or above or ZERO
        fallback = minimum if minimum is not None else (above if above is not None else ZERO)
        if minimum is not None and maximum is not None and not minimum <= number <= maximum:
            self.bad(
                key,
                _("must be between {minimum} and {maximum}, not {value}").format(
                    minimum=_show(minimum), maximum=_show(maximum), value=_show(number)
                ),
            )
            return fallback
        if minimum is not None and number < minimum:
            self.bad(
                key, _("must be at least {minimum}, not {value}").format(minimum=_show(minimum), value=_show(number))
            )
            return fallback
        if above is not None and number <= above:
            self.bad(
                key, _("must be more than {minimum}, not {value}").format(minimum=_show(above), value=_show(number))
            )
            return fallback
        exponent = number.as_tuple().exponent
        if places is not None and isinstance(exponent, int) and -exponent > places:
            if number != number.quantize(Decimal(1).scaleb(-places)):
                self.bad(
                    key,
                    _("must have at most {places} decimals, not {value}").format(places=places, value=_show(number)),
                )
                return fallback
            number = number.quantize(Decimal(1).scaleb(-places))
        return number

    def money(self, key: str, default: Decimal | object = _MISSING, *, positive: bool = False) -> Decimal:
        if positive:
            value = self.decimal(key, default, above=ZERO, places=2)
        else:
            value = self.decimal(key, default, minimum=ZERO, places=2)
        return value.quantize(CENT)

    def percent(self, key: str, default: Decimal | object = _MISSING, *, positive: bool = False) -> Decimal:
        if positive:
            value = self.decimal(key, default, above=ZERO, places=2)
            if value > HUNDRED:
                self.bad(key, _("must be at most 100, not {value}").format(value=_show(value)))
            return value
        return self.decimal(key, default, minimum=ZERO, maximum=HUNDRED, places=2)

    def boolean(self, key: str, default: bool) -> bool:
        value = self.raw(key)
        if value is _MISSING:
            return default
        if not isinstance(value, bool):
            self.bad(key, _("must be true or false, not {value}").format(value=_show(value)))
            return default
        return value

    def day(self, key: str) -> date | None:
        value = self.raw(key)
        if value is _MISSING:
            return None
        if isinstance(value, datetime):
            self.bad(key, _("must be a date (YYYY-MM-DD) without a time, not {value}").format(value=value))
            return None
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                pass
        self.bad(key, _("must be a date (YYYY-MM-DD), not {value}").format(value=_show(value)))
        return None

    def choice(self, key: str, choices: Iterable[str], default: str | object = _MISSING) -> str:
        options = tuple(choices)
        value = self.text(key, default)
        if value and value not in options:
            self.bad(
                key,
                _("must be one of {choices}, not {value}").format(choices=", ".join(options), value=_show(value)),
            )
            return ""
        return value

    def skip(self, *keys: str) -> None:
        """Accept ``keys`` unread (their meaning depends on a value that was already wrong)."""
        self.used.update(keys)

    def strings(self, key: str) -> frozenset[str]:
        value = self.raw(key)
        if value is _MISSING:
            return frozenset()
        if not isinstance(value, list):
            self.bad(key, _("must be a list, not {value}").format(value=_show(value)))
            return frozenset()
        out = set()
        for item in value:
            if isinstance(item, int) and not isinstance(item, bool):
                item = str(item)  # a product code written without quotes
            if not isinstance(item, str) or not item.strip():
                self.bad(key, _("must list non-empty texts, not {value}").format(value=_show(item)))
                continue
            out.add(item.strip())
        return frozenset(out)

    def weights(self, key: str) -> dict[str, Decimal]:
        """A table of name → multiplier (``"Kişisel Bakım" = 2``)."""
        sub = self.table(key)
        out: dict[str, Decimal] = {}
        for name in sub.data:
            label = name.strip()
            if not label:
                sub.bad(None, _("an empty name cannot have a multiplier"))
                continue
            out[label] = sub.decimal(name, minimum=ZERO, places=4)
        sub.used.update(sub.data)
        return out

    def table(self, key: str) -> _Table:
        value = self.raw(key)
        return _Table({} if value is _MISSING else value, f"{self.path}.{key}" if self.path else key, self.problems)

    def tables(self, key: str) -> list[_Table]:
        """An array of tables (``[[tiers]]``); each named by its ``code`` when it has one."""
        value = self.raw(key)
        if value is _MISSING:
            return []
        base = f"{self.path}.{key}" if self.path else key
        if not isinstance(value, list):
            self.bad(key, _("must be a list of tables ([[{key}]]), not {value}").format(key=key, value=_show(value)))
            return []
        out = []
        for i, item in enumerate(value, 1):
            code = item.get("code") if isinstance(item, Mapping) else None
            path = f"{base}.{code.strip()}" if isinstance(code, str) and code.strip() else f"{base}[{i}]"
            out.append(_Table(item, path, self.problems))
        return out

    def scope(self, *, required: bool = True) -> Scope:
        scope = Scope(self.strings("products"), self.strings("categories"), self.boolean("all_products", False))
        if required and not (scope.products or scope.categories or scope.all_products):
            self.bad(None, _("names no products: give products, categories or all_products = true"))
        return scope

    def window(self) -> Window:
        start, end = self.day("valid_from"), self.day("valid_to")
        if start is not None and end is not None and end < start:
            self.bad("valid_to", _("{end} is before valid_from {start}").format(end=end, start=start))
        return Window(start, end)

    def finish(self) -> None:
        for key in self.data:
            if key not in self.used:
                self.bad(key, _("unknown key"))


def _unique(tables: list[tuple[_Table, str]], kind: str) -> None:
    seen: set[str] = set()
    for table, code in tables:
        if not code:
            continue
        if code in seen:
            table.bad("code", _("{code} is used by another {kind}").format(code=_show(code), kind=kind))
        seen.add(code)


# ============================================================================ the sections


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
    )
    t.finish()
    return earning


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
    t.finish()
    return TierQualification(cast(Any, window), length)


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
    )
    t.finish()
    return promotion


def _reward(t: _Table) -> Reward:
    reward = Reward(
        code=t.text("code", code=True),
        name=t.text("name"),
        product=t.text("product"),
        points=t.integer("points", minimum=1),
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
    root.finish()

    # Codes are unique within each kind; a tier's code and its monthly benefits' codes share
    # one namespace (both are written as kind "tier" on a receipt's benefit lines).
    _unique([(t, x.code) for x, t in bonuses], _("bonus"))
    _unique([(t, x.code) for x, t in cards], _("stamp card"))
    _unique([(t, x.code) for x, t in promotions], _("promotion"))
    _unique([(t, x.code) for x, t in rewards], _("reward"))
    _unique([(t, x.code) for x, t in charities], _("charity"))
    _unique([(t, x.code) for x, t in badges], _("badge"))
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
    )


# ============================================================================ public: parse and convert


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
        },
        "earning": {
            "percent": plain(p.earning.percent),
            "product_multipliers": {k: plain(v) for k, v in sorted(p.earning.product_multipliers.items())},
            "category_multipliers": {k: plain(v) for k, v in sorted(p.earning.category_multipliers.items())},
            "excluded": excluded,
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
        "tier_qualification": {"window": p.tier_qualification.window, "length": p.tier_qualification.length},
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
            }
            for x in p.promotions
        ],
        "rewards": [{"code": r.code, "name": r.name, "product": r.product, "points": r.points} for r in p.rewards],
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
    }


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


# ============================================================================ public: stored versions


@dataclass(frozen=True, slots=True)
class RulesVersion:
    """One applied version of the rules (``applied_at`` aware UTC)."""

    id: int
    applied_at: datetime
    digest: str
    program: Program


_NEWEST = "loyalty_rules.newest"
# (id, digest) of the newest row → its program; one entry, replaced when a newer version appears.
_active: tuple[tuple[int, str], Program] | None = None


def _newest() -> tuple[int, str] | None:
    R = m.LoyaltyRules
    rows = fast.select_rendered(_NEWEST, lambda n: R.select(R.id, R.digest).order_by(R.id.desc()).limit(n), 1)
    return (int(rows[0][0]), str(rows[0][1])) if rows else None


def active_rules_id() -> int | None:
    """The id of the active (newest) rules version, or None when none was ever applied."""
    newest = _newest()
    return None if newest is None else newest[0]


def active_program() -> Program:
    """The program in force: the newest applied version, or the default :class:`Program` when
    none was applied. One indexed query per call; the program itself is parsed once per version
    and then shared (the engine memoises its lookup tables on this very object)."""
    global _active
    newest = _newest()
    if newest is None:
        return _DEFAULT
    cached = _active
    if cached is not None and cached[0] == newest:
        return cached[1]
    found: Any = m.LoyaltyRules.select(m.LoyaltyRules.data).where(m.LoyaltyRules.id == newest[0]).tuples().get()
    (data,) = found
    program = program_from_dict(json.loads(data), source=f"loyalty_rules #{newest[0]}")
    _active = (newest, program)
    return program


_DEFAULT = Program()


def _version(row_id: int) -> RulesVersion:
    R = m.LoyaltyRules
    row: Any = R.select(R.id, R.applied_at, R.digest, R.data).where(R.id == row_id).tuples().get_or_none()
    if row is None:
        raise NotFound(_("No loyalty rules version {id}").format(id=row_id))
    rid, applied_at, digest, data = row
    cached = _active
    if cached is not None and cached[0] == (rid, digest):
        program = cached[1]
    else:
        program = program_from_dict(json.loads(data), source=f"loyalty_rules #{rid}")
    return RulesVersion(int(rid), from_db(applied_at), str(digest), program)


def active_version() -> RulesVersion | None:
    """The active version with its id, time and digest (None when no rules were applied)."""
    newest = _newest()
    return None if newest is None else _version(newest[0])


def rules_source(version_id: int) -> str:
    """The rules file text of a version, exactly as it was applied."""
    R = m.LoyaltyRules
    row: Any = R.select(R.source).where(R.id == version_id).tuples().get_or_none()
    if row is None:
        raise NotFound(_("No loyalty rules version {id}").format(id=version_id))
    return str(row[0])


def _store(
    program: Program,
    text: str,
    *,
    source: str,
    actor: Actor | None,
    now: datetime,
    terminal: str,
    note: str | None = None,
) -> RulesVersion:
    data = canonical_json(program)
    digest = hashlib.sha256(data.encode("utf-8")).hexdigest()
    with write_tx():
        newest = _newest()
        if newest is not None and newest[1] == digest:
            return _version(newest[0])
        row_id = fast.insert_one(
            m.LoyaltyRules,
            {
                "applied_at": to_db(now),
                "actor": None if actor is None else actor.user_id,
                "source": text,
                "data": data,
                "digest": digest,
            },
        )
        payload: dict[str, Any] = {
            "id": row_id,
            "digest": digest,
            "source": source,
            "user": None if actor is None else actor.name,
            "previous": None if newest is None else newest[0],
        }
        if note:
            payload["change"] = note
        journal.append("loyalty_rules", payload, terminal=terminal, now=now, ref=str(row_id))
    return RulesVersion(row_id, now, digest, program)


def apply_rules(
    text: str,
    *,
    source: str = "loyalty.toml",
    actor: Actor | None = None,
    now: datetime,
    terminal: str = ADMIN_TERMINAL,
) -> RulesVersion:
    """Validate ``text`` and make it the active program (permission ``admin`` when an
    ``actor`` is given; ``pos-admin`` acts with the authority of the database file). Applying
    the program that is already active changes nothing and returns its version."""
    if actor is not None:
        require(actor, "admin")
    program = parse_program(text, source=source)
    return _store(program, text, source=source, actor=actor, now=now, terminal=terminal)


def set_tier(
    code: str,
    *,
    name: str | None = None,
    min_spend: Decimal | None = None,
    multiplier: Decimal | None = None,
    discount: Decimal | None = None,
    remove: bool = False,
    actor: Actor | None = None,
    now: datetime,
    terminal: str = ADMIN_TERMINAL,
) -> RulesVersion:
    """Add, change or remove one tier of the active program and apply the result as a new
    version (its source is the program written back as TOML; comments of the original file are
    not kept, the original stays in its own version). A new tier needs ``name`` and
    ``min_spend``; tiers are kept in order of ``min_spend``; the whole program is validated
    again (removing a tier a paid membership uses is refused)."""
    if actor is not None:
        require(actor, "admin")
    code = code.strip()
    current = active_program()
    tiers = list(current.tiers)
    index = next((i for i, t in enumerate(tiers) if t.code == code), None)
    if remove:
        if index is None:
            raise NotFound(_("No tier {code}").format(code=code))
        if any(v is not None for v in (name, min_spend, multiplier, discount)):
            raise ValidationError(_("--remove takes no other option"))
        del tiers[index]
        note = f"tier {code} removed"
    else:
        if index is None:
            if name is None or min_spend is None:
                raise ValidationError(_("A new tier {code} needs a name and a minimum spend").format(code=code))
            tier = Tier(code, name, min_spend)
        else:
            tier = tiers[index]
        changes: dict[str, Any] = {}
        if name is not None:
            changes["name"] = name
        if min_spend is not None:
            changes["min_spend"] = min_spend
        if multiplier is not None:
            changes["multiplier"] = multiplier
        if discount is not None:
            changes["basket_discount_percent"] = discount
        tier = replace(tier, **changes)
        if index is None:
            tiers.append(tier)
        else:
            tiers[index] = tier
        tiers.sort(key=lambda t: t.min_spend)
        note = f"tier {code} set"
    draft = replace(current, tiers=tuple(tiers))
    # Validate by the same rules as a file: the program goes through its table form.
    program = program_from_dict(json.loads(canonical_json(draft)), source=_("tiers set"))
    text = program_to_toml(
        program,
        header=f"Written by pos-admin loyalty tiers set ({note}) at {now.isoformat(timespec='seconds')}.",
    )
    return _store(program, text, source="tiers set", actor=actor, now=now, terminal=terminal, note=note)


def _reset_cache() -> None:
    """Forget the cached active program (tests that swap databases)."""
    global _active
    _active = None


__all__ = [
    "RulesVersion",
    "active_program",
    "active_rules_id",
    "active_version",
    "apply_rules",
    "canonical_json",
    "digest_of",
    "parse_program",
    "plain",
    "program_from_dict",
    "program_to_dict",
    "program_to_toml",
    "rules_source",
    "set_tier",
]

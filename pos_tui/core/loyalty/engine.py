"""The loyalty engine: what a basket gets (benefits) and what it earns (points). Pure: no I/O.

:mod:`pos_tui.core.loyalty.pricing` feeds it from the database (the cart's lines, the member's
tier, stamps and balance, the coupons entered); the posting code feeds it the posted lines.
Everything here is a function of its arguments, so it is cheap to test with the brief's
numbers and fast enough to run on every scan.

Money is handled in integer kuruş inside (Decimal arithmetic is slow and every figure here is
a whole number of kuruş); :class:`~pos_tui.core.basket.cart.Benefit` amounts come out as Decimal.

**Benefits** (:func:`evaluate`), in the order they are returned (and printed):

1. promotions — for every ``buy + get`` units in a promotion's scope, ``get`` units are free
   (``buy_x_get_y``) or ``percent`` % off (``second_item_percent``: every second unit), and
   these are always the **cheapest** units in scope (3 al 2 öde on items of 30, 20, 10 and 5
   TRY: the 5 is free). The ``buy`` units paid for them are the dearest ones; all of them
   belong to the promotion, so no other free-item benefit takes them. ``members_only``
   promotions need a member; a promotion works only inside its window.
2. stamp cards — stamps on the member's card plus the units bought now: each time the card
   holds ``needed`` stamps, the next unit is free (6 coffees on the card → the 7th is free);
   the free units are the cheapest qualifying ones. Units that are not free earn a stamp.
3. rewards the cashier chose — one unit of the reward's product free for its points; the
   member must have the points (and the program's minimum balance) and the product must be in
   the basket.
4. the tier's monthly benefits — up to ``quantity`` free units a calendar month, minus what
   the member used this month.
5. the tier's basket discount — ``percent`` % of what the non-excluded lines still cost after
   1–4, rounded half up once and spread over those lines with :func:`~pos_tui.core.kernel.money.allocate`.
6. coupons — an amount or a percentage of what the eligible lines still cost (non-excluded
   lines, or only the coupon's product), if the receipt still costs at least the coupon's
   minimum spend; spread over those lines with ``allocate``.
7. discount rewards — each pick of a ``kind = "discount"`` reward takes its ``points`` and
   ``Reward.discount`` TRY off the non-excluded lines (``allocate``; the points spread the same
   way over its benefit lines), while the picks fit in those lines and stay within
   ``points.max_redeem_percent`` of what the receipt costs before them.

Caps (issue 16): a promotion's ``max_amount``, a tier's ``basket_discount_max`` and a percent
coupon's ``max_amount`` bound what the benefit takes off one receipt; a capped promotion's
amount is spread over its lines in proportion to what each would have taken (:func:`_capped`),
the others are spread over their lines like any amount. A ``buy_x_get_y`` get unit counts as
free (``Evaluation.free_units``: no supplier-funded points, no stamp) only when its line's
share after the cap pays it whole (:func:`_wholly_paid`); the rest were paid for.

Free-item benefits are computed in the order 1, 3, 4, 2 (an explicit choice of the cashier
first, then what lapses at the end of the month, then the stamp card that keeps), each taking
only units nothing else has taken. They count **pieces** (lines sold by the piece); weighed
lines never become free items. A line of ``n`` units costing ``A`` is split into ``n`` unit
values that sum exactly to ``A`` (a kuruş of remainder goes to the first units); a free unit
takes the cheapest of them. Stamp, reward and monthly benefits are one :class:`Benefit` per
free unit (so a posted sale can count them); promotions, the tier discount and coupons are one
per line. A line never gets more off than it costs.

**Points** (:func:`earning`), on the lines after every discount:

- the base of each line is what it was paid, minus its share of what points and store credit
  paid (spread over all lines in proportion to their amounts with ``allocate``); excluded
  products (``earning.excluded``, e.g. tobacco) earn nothing and never count towards a bonus;
- a line's base is weighted by its factor: the highest of its product's multiplier (else its
  category's, else 1) and the ``[[multipliers]]`` that hold (window, the receipt's ``min_order``,
  scope) — never a product of them; which multipliers raised a line is in the result;
- below ``earning.min_order`` (non-excluded lines after discounts, before points and store
  credit) the percentage points and their tier bonus are 0;
- ``points = ⌊Σ weighted base × percent / 100⌋`` — rounded **down, once per receipt**
  (never per line, so splitting a basket never earns more); the tier multiplier is applied to
  the receipt's unrounded figure and rounded down again: ``tier bonus = ⌊raw × multiplier⌋ −
  ⌊raw⌋`` (Silver ×1.5 → +50 %);
- threshold bonuses: the non-excluded lines paid at least ``min_spend`` (before taking off
  what points and store credit paid), within the window, and in the member's birthday week
  when the bonus asks for it;
- supplier-funded points: ``points`` per whole unit (one per piece, one per whole kilogram)
  of the product that was not given free, ``supplier_points`` of them paid by the supplier;
  the tier multiplier does not apply to them;
- cashback: ``percent`` % of the base, rounded down to the kuruş.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from pos_tui.core.basket.cart import Benefit
from pos_tui.core.kernel.errors import ValidationError
from pos_tui.core.kernel.formatting import format_decimal, format_money, format_percent
from pos_tui.core.kernel.money import MILLI, ZERO, to_kurus
from pos_tui.core.loyalty.program import (
    MonthlyBenefit,
    Multiplier,
    Program,
    Promotion,
    Reward,
    Scope,
    StampCard,
    SupplierFunding,
    Tier,
)
from pos_tui.i18n import _

ONE = Decimal(1)
HUNDRED = Decimal(100)
# Sort key precision for a unit's value (kuruş × 10⁶ / units): ties beyond it are broken by line number.
_KEY_SCALE = 1_000_000


# ============================================================================ inputs and outputs


@dataclass(frozen=True, slots=True)
class EngineLine:
    """One line as the engine sees it. ``amount`` is what the line costs after its manual line
    discount (when pricing a cart) or after every discount (when computing points);
    ``free_units`` (points only) is how many of its units a benefit gave away, which earn no
    supplier-funded points."""

    line_no: int
    product_code: str
    category: str | None
    supplier_code: str | None
    unit: str
    qty_milli: int
    unit_price: Decimal
    amount: Decimal
    free_units: int = 0

    @property
    def units(self) -> int:
        """Whole pieces on the line (0 for weighed goods): what free-item benefits count."""
        if self.unit != "piece" or self.qty_milli % MILLI:
            return 0
        return self.qty_milli // MILLI


@dataclass(frozen=True, slots=True)
class MemberContext:
    """What the engine needs to know about the member on the receipt (read by
    :func:`pos_tui.core.loyalty.pricing.member_context`)."""

    member_id: int
    tier_code: str | None = None
    birth_date: date | None = None
    stamps: Mapping[str, int] = field(default_factory=dict)  # stamp card code → stamps held
    monthly_used: Mapping[str, int] = field(default_factory=dict)  # monthly benefit code → units used this month
    available_points: int = 0
    first_purchase: bool = False


@dataclass(frozen=True, slots=True)
class CouponOffer:
    """A coupon that passed its checks (:func:`pos_tui.core.loyalty.coupons.check_coupon`):
    ``amount`` TRY off (kind ``amount``) or ``percent`` % off (kind ``percent``) of the eligible
    lines, if the receipt costs at least ``min_spend``; only on ``product_code`` when given."""

    code: str
    kind: str  # amount | percent
    amount: Decimal = ZERO
    percent: Decimal = ZERO
    min_spend: Decimal = ZERO
    product_code: str | None = None
    max_amount: Decimal | None = None  # schema 12: a percent coupon takes at most this much off


@dataclass(frozen=True, slots=True)
class StampChange:
    """Stamps one receipt earns on a card (units bought that were not free) and spends (``needed``
    per free unit)."""

    earned: int
    spent: int

    @property
    def net(self) -> int:
        return self.earned - self.spent


@dataclass(frozen=True, slots=True)
class Evaluation:
    """The benefits of a basket and what they do to the member's cards, points and monthly
    allowances. ``free_units``: line number → units given free (for :func:`earning`).
    ``problems``: coupons or rewards that could not apply (only when not ``strict``)."""

    benefits: tuple[Benefit, ...] = ()
    stamps: Mapping[str, StampChange] = field(default_factory=dict)
    reward_points: int = 0
    monthly_used: Mapping[str, int] = field(default_factory=dict)
    free_units: Mapping[int, int] = field(default_factory=dict)
    problems: tuple[str, ...] = ()
    # line number → kuruş the line still costs after the benefits (lets earning skip a copy)
    kurus_left: Mapping[int, int] = field(default_factory=dict, repr=False, compare=False)

    @property
    def total(self) -> Decimal:
        return sum((b.amount for b in self.benefits), ZERO)


@dataclass(frozen=True, slots=True)
class SupplierShare:
    """Supplier-funded points of one product on the receipt: ``points`` in all, of which the
    supplier pays ``supplier_points`` (the shop the rest)."""

    product_code: str
    supplier_code: str | None
    points: int
    supplier_points: int

    @property
    def shop_points(self) -> int:
        return self.points - self.supplier_points


@dataclass(frozen=True, slots=True)
class LinePoints:
    """One line's part of the receipt's points: ``base`` TRY it contributed, its share of the
    percentage points (base + tier bonus, split by largest remainder) and its supplier points."""

    line_no: int
    base: Decimal
    points: int
    supplier_points: int


@dataclass(frozen=True, slots=True)
class EarnResult:
    """What a receipt earns. ``points`` is everything: ``base_points + tier_bonus_points`` +
    the bonuses + the supplier-funded points. ``base`` is the TRY the percentage applied to."""

    base: Decimal
    points: int
    base_points: int
    tier_bonus_points: int
    bonuses: tuple[tuple[str, int], ...]
    supplier: tuple[SupplierShare, ...]
    cashback: Decimal
    line_data: tuple[tuple[int, int, int, int], ...] = field(default=(), repr=False)  # built into lines
    # The ``[[multipliers]]`` that raised at least one line's factor on this receipt (their codes,
    # in program order): written on the sale's loyalty record.
    multipliers: tuple[str, ...] = ()
    # The receipt stayed under ``earning.min_order``: no percentage points (base_points = 0).
    below_min_order: bool = False

    @property
    def lines(self) -> tuple[LinePoints, ...]:
        """Each line's part: its base, its share of the percentage points, its supplier points."""
        return tuple(LinePoints(no, from_kurus(base), pts, sup) for no, base, pts, sup in self.line_data)

    @property
    def bonus_points(self) -> int:
        return sum(points for _code, points in self.bonuses)

    @property
    def supplier_points(self) -> int:
        return sum(s.points for s in self.supplier)


# ============================================================================ integer kuruş


_DECIMALS: dict[int, Decimal] = {}


def from_kurus(kurus: int) -> Decimal:
    """Kuruş → a two-place Decimal (``1234`` → ``12.34``). Decimals are immutable, so the ones
    made are kept (a till sees the same few thousand amounts over and over)."""
    value = _DECIMALS.get(kurus)
    if value is None:
        if len(_DECIMALS) >= 50_000:
            _DECIMALS.clear()
        value = _DECIMALS[kurus] = Decimal(kurus).scaleb(-2)
    return value


_BENEFITS: dict[tuple[int, int, str, str, str, int], Benefit] = {}


def benefit(line_no: int, kurus: int, kind: str, code: str, label: str, points: int = 0) -> Benefit:
    """``Benefit(line_no, from_kurus(kurus), kind, code, label, points)``, the same object for
    the same values: benefits are immutable, and a cart priced on every scan gets the same
    ones over and over (building a frozen dataclass costs five times a dictionary look-up)."""
    key = (line_no, kurus, kind, code, label, points)
    found = _BENEFITS.get(key)
    if found is None:
        if len(_BENEFITS) >= 10_000:  # some 2 MB: the benefits of the last few dozen big carts
            _BENEFITS.clear()
        found = _BENEFITS[key] = Benefit(line_no, from_kurus(kurus), kind, code, label, points)
    return found


def allocate_kurus(total: int, weights: Sequence[int]) -> list[int]:
    """:func:`pos_tui.core.kernel.money.allocate` in integer kuruş: ``total`` split over ``weights``
    by largest remainder (ties to the earlier part), summing exactly to ``total``; equal
    shares when every weight is zero. The same method, without the Decimal round trips."""
    if not weights:
        return []
    wsum = sum(weights)
    if wsum == 0:
        weights = [1] * len(weights)
        wsum = len(weights)
    floors = [total * w // wsum for w in weights]
    left = total - sum(floors)
    if left:
        remainders = [total * w % wsum for w in weights]
        # largest remainders first; sorting is stable even reversed, so ties keep the earlier part
        for i in sorted(range(len(weights)), key=remainders.__getitem__, reverse=True)[:left]:
            floors[i] += 1
    return floors


# ============================================================================ per-program tables


class _Matcher:
    """Which of a list of scopes match a (product, category): answered from dictionaries and
    remembered per (product, category), so a rule count of 50 costs nothing per line."""

    __slots__ = ("_all", "_by_category", "_by_product", "_cache")

    def __init__(self, scopes: Sequence[Scope]) -> None:
        self._all = tuple(i for i, s in enumerate(scopes) if s.all_products)
        self._by_product: dict[str, list[int]] = {}
        self._by_category: dict[str, list[int]] = {}
        for i, s in enumerate(scopes):
            for code in s.products:
                self._by_product.setdefault(code, []).append(i)
            for name in s.categories:
                self._by_category.setdefault(name, []).append(i)
        self._cache: dict[tuple[str, str | None], tuple[int, ...]] = {}

    def __call__(self, product: str, category: str | None) -> tuple[int, ...]:
        key = (product, category)
        hit = self._cache.get(key)
        if hit is None:
            found = set(self._all)
            found.update(self._by_product.get(product, ()))
            if category is not None:
                found.update(self._by_category.get(category, ()))
            hit = self._cache[key] = tuple(sorted(found))
        return hit


class _Tables:
    """Lookup tables of one :class:`Program`, built once per program object."""

    __slots__ = (
        "_discountable",
        "_earn_cache",
        "_scaled_cache",
        "category_mult",
        "excluded",
        "funding",
        "monthly",
        "mult_match",
        "multipliers",
        "percent",
        "percent_fraction",
        "product_mult",
        "program",
        "promo_match",
        "promotions",
        "public_promotions",
        "rewards",
        "stamp_match",
        "stamps",
        "tiers",
        "weight_scale",
    )

    def __init__(self, program: Program) -> None:
        self.program = program
        self.promotions: tuple[Promotion, ...] = program.promotions
        self.public_promotions = any(not p.members_only for p in program.promotions)
        self.promo_match = _Matcher([p.scope for p in program.promotions])
        self.stamps: tuple[StampCard, ...] = program.stamp_cards
        self.stamp_match = _Matcher([c.scope for c in program.stamp_cards])
        self.rewards: dict[str, Reward] = {r.code: r for r in program.rewards}
        self.tiers: dict[str, Tier] = {t.code: t for t in program.tiers}
        self.monthly: dict[str, tuple[tuple[MonthlyBenefit, ...], _Matcher]] = {
            t.code: (t.monthly_benefits, _Matcher([b.scope for b in t.monthly_benefits]))
            for t in program.tiers
            if t.monthly_benefits
        }
        self.excluded: Scope = program.earning.excluded
        self.funding: dict[str, SupplierFunding] = {f.product: f for f in program.supplier_funding}
        self.percent = program.earning.percent
        self.product_mult = program.earning.product_multipliers
        self.category_mult = program.earning.category_multipliers
        self._earn_cache: dict[tuple[str, str | None], Decimal | None] = {}
        self.multipliers: tuple[Multiplier, ...] = program.multipliers
        self.mult_match = _Matcher([x.scope for x in program.multipliers])
        self.weight_scale = _scale(
            [*self.product_mult.values(), *self.category_mult.values(), *(x.factor for x in self.multipliers), ONE]
        )
        self.percent_fraction = Fraction(self.percent)
        self._scaled_cache: dict[tuple[str, str | None], int | None] = {}
        self._discountable: dict[tuple[str, str | None], bool] = {}

    def discountable(self, key: tuple[str, str | None]) -> bool:
        """Whether the (product, category) may get a basket discount or coupon (not excluded)."""
        found = self._discountable.get(key)
        if found is None:
            found = self._discountable[key] = self.multiplier(*key) is not None
        return found

    def scaled_multiplier(self, product: str, category: str | None) -> int | None:
        """:meth:`multiplier` × ``weight_scale`` as an integer (None when excluded)."""
        key = (product, category)
        try:
            return self._scaled_cache[key]
        except KeyError:
            weight = self.multiplier(product, category)
            scaled = None if weight is None else int(weight * self.weight_scale)
            self._scaled_cache[key] = scaled
            return scaled

    def multiplier(self, product: str, category: str | None) -> Decimal | None:
        """The earning weight of a product: None when it is excluded (earns nothing, gets no
        basket discount or coupon), else its product multiplier, its category's, or 1."""
        key = (product, category)
        try:
            return self._earn_cache[key]
        except KeyError:
            pass
        weight: Decimal | None
        if self.excluded.matches(product, category):
            weight = None
        elif product in self.product_mult:
            weight = self.product_mult[product]
        elif category is not None and category in self.category_mult:
            weight = self.category_mult[category]
        else:
            weight = ONE
        self._earn_cache[key] = weight
        return weight


_TABLES: dict[int, tuple[Program, _Tables]] = {}
_TABLES_KEPT = 16


def _tables(program: Program) -> _Tables:
    """The tables of ``program``, memoised on the object's identity (programs are immutable;
    the active one is one long-lived object, see :func:`pos_tui.core.loyalty.rules.active_program`).
    The memo holds the program itself, so an id is never reused while its entry lives."""
    hit = _TABLES.get(id(program))
    if hit is not None and hit[0] is program:
        return hit[1]
    if len(_TABLES) >= _TABLES_KEPT:
        _TABLES.pop(next(iter(_TABLES)))
    tables = _Tables(program)
    _TABLES[id(program)] = (program, tables)
    return tables


# ============================================================================ evaluation


class _Line:
    """A line while benefits are worked out: its units' values and what is still free to take."""

    __slots__ = (
        "avail",
        "category",
        "code",
        "discountable",
        "extra",
        "key",
        "kurus",
        "line_no",
        "n",
        "room",
        "scope_key",
        "taken",
        "unit_base",
    )

    def __init__(self, line: EngineLine, tables: _Tables) -> None:
        self.line_no = line.line_no
        self.code = code = line.product_code
        self.category = category = line.category
        self.scope_key = (code, category)
        self.kurus = kurus = to_kurus(line.amount)
        if kurus < 0:
            raise ValidationError(_("Line {line_no} costs less than nothing").format(line_no=line.line_no))
        # Excluded products (tobacco) get no basket discount and no coupon.
        self.discountable = tables.discountable(self.scope_key)
        # Pieces only; a line whose units are worth less than a kuruş each has none to give.
        qty = line.qty_milli
        n = qty // MILLI if line.unit == "piece" and not qty % MILLI and kurus >= qty // MILLI else 0
        self.n = self.avail = n  # avail: units no benefit has taken or reserved
        self.taken = 0  # unit values used by benefits, from the cheapest
        self.room = kurus  # what the line still costs
        if n:
            self.unit_base, self.extra = divmod(kurus, n)
            self.key = kurus * _KEY_SCALE // n
        else:
            self.unit_base = self.extra = self.key = 0

    def take(self, count: int) -> int:
        """Take the next ``count`` cheapest unit values; their sum in kuruş."""
        start, end = self.n - self.taken - count, self.n - self.taken
        self.taken += count
        # units 0..extra-1 are worth unit_base + 1, the rest unit_base
        return count * self.unit_base + max(0, min(end, self.extra) - max(start, 0))

    def off(self, kurus: int) -> int:
        """Take up to ``kurus`` off what the line still costs; what was taken."""
        amount = min(kurus, self.room)
        self.room -= amount
        return amount


class _Work:
    """One evaluation in progress."""

    def __init__(self, lines: Sequence[EngineLine], tables: _Tables) -> None:
        self.tables = tables
        self.lines = [_Line(ln, tables) for ln in lines]
        self.problems: list[str] = []
        self.free: dict[int, int] = {}
        self._scoped: dict[int, dict[int, list[_Line]]] = {}

    def problem(self, message: str) -> None:
        self.problems.append(message)

    def scoped(self, match: _Matcher) -> dict[int, list[_Line]]:
        """Rule index → the lines with units in its scope, asking ``match`` once per line."""
        found = self._scoped.get(id(match))
        if found is None:
            found = {}
            cache = match._cache
            for ln in self.lines:
                if ln.n:
                    indexes = cache.get(ln.scope_key)
                    if indexes is None:
                        indexes = match(ln.code, ln.category)
                    for index in indexes:
                        if index in found:
                            found[index].append(ln)
                        else:
                            found[index] = [ln]
            self._scoped[id(match)] = found
        return found

    def units_in(self, match: _Matcher, index: int) -> list[_Line]:
        return [ln for ln in self.scoped(match).get(index, ()) if ln.avail > 0]

    def mark_free(self, line: _Line, count: int) -> None:
        line.avail -= count
        self.free[line.line_no] = self.free.get(line.line_no, 0) + count

    def free_units(self, line: _Line, count: int, kind: str, code: str, label: str, points: int = 0) -> list[Benefit]:
        """``count`` units of ``line`` free, one benefit per unit."""
        out = []
        for _i in range(count):
            value = line.off(line.take(1))
            out.append(benefit(line.line_no, value, kind, code, label, points))
        self.mark_free(line, count)
        return out

    def cheapest_first(self, candidates: list[_Line]) -> list[_Line]:
        return sorted(candidates, key=lambda ln: (ln.key, ln.line_no))

    # ------------------------------------------------------------------ mechanics

    def promotions(self, member: bool, day: date) -> list[Benefit]:
        out: list[Benefit] = []
        match = self.tables.promo_match
        for index, promo in enumerate(self.tables.promotions):
            if (promo.members_only and not member) or not promo.window.contains(day):
                continue
            lines = self.units_in(match, index)
            if not lines:
                continue
            buy, get = (1, 1) if promo.kind == "second_item_percent" else (promo.buy, promo.get)
            groups = sum(ln.avail for ln in lines) // (buy + get)
            if groups == 0:
                continue
            percent = HUNDRED if promo.kind == "buy_x_get_y" else promo.percent
            ordered = self.cheapest_first(lines)
            # The cheapest `get` units per group get the benefit...
            left = groups * get
            taken: list[tuple[_Line, int]] = []
            units: list[tuple[int, int]] = []  # of each part: how many units, worth how much
            for ln in ordered:
                if left == 0:
                    break
                count = min(left, ln.avail)
                left -= count
                ln.avail -= count
                value = ln.take(count)
                if percent == HUNDRED:
                    amount = value
                else:
                    amount = int((Decimal(value) * percent / HUNDRED).to_integral_value(rounding=ROUND_HALF_UP))
                taken.append((ln, amount))
                units.append((count, value))
            if promo.max_amount is not None:
                taken = _capped(taken, to_kurus(promo.max_amount))
            for (ln, amount), (count, value) in zip(taken, units, strict=True):
                amount = ln.off(amount)
                if amount > 0:
                    out.append(benefit(ln.line_no, amount, "promotion", promo.code, promo.name))
                # A unit is free only when what came off pays all of it: under a cap, the
                # units the line's share does not wholly pay were paid for (they earn
                # supplier-funded points and stamps) though they stay the promotion's.
                free = _wholly_paid(amount, count, value) if percent == HUNDRED else 0
                if free:
                    self.free[ln.line_no] = self.free.get(ln.line_no, 0) + free
            # ...and the dearest `buy` units per group are what was bought for it: they belong
            # to the promotion too, so no other free-item benefit takes them.
            left = groups * buy
            for ln in reversed(ordered):
                if left == 0:
                    break
                count = min(left, ln.avail)
                left -= count
                ln.avail -= count
        return out

    def rewards(self, codes: Sequence[str], member: MemberContext | None) -> tuple[list[Benefit], int, list[Reward]]:
        """Product rewards' free units now; discount rewards' picks are checked for points here
        with the product rewards (the member pays for all of them from one balance) and taken
        off the receipt after the coupons (:meth:`discount_rewards`). Returns the product
        rewards' benefits, their points, and the discount picks (one :class:`Reward` a pick)."""
        if not codes:
            return [], 0, []
        if member is None:
            self.problem(_("Rewards need a member on the receipt"))
            return [], 0, []
        chosen: list[tuple[Reward, _Line]] = []
        picks: list[Reward] = []
        for code in codes:
            reward = self.tables.rewards.get(code)
            if reward is None:
                self.problem(_("There is no reward {code!r} in the rewards catalog").format(code=code))
                continue
            if reward.kind == "discount":
                picks.append(reward)
                continue
            lines = [ln for ln in self.lines if ln.avail > 0 and ln.code == reward.product]
            if not lines:
                self.problem(
                    _("Reward {name}: put product {product} in the cart first").format(
                        name=reward.name, product=reward.product
                    )
                )
                continue
            line = self.cheapest_first(lines)[0]
            line.avail -= 1  # held until the points check passes
            chosen.append((reward, line))
        points = sum(r.points for r, _ln in chosen)
        policy = self.tables.program.points
        wanted = points + sum(r.points for r in picks)
        if (chosen or picks) and member.available_points < max(wanted, policy.min_balance):
            for _r, line in chosen:
                line.avail += 1
            if member.available_points < wanted:
                self.problem(
                    _("The rewards cost {points} points; the member has {available} available").format(
                        points=format_decimal(wanted), available=format_decimal(member.available_points)
                    )
                )
            else:
                self.problem(
                    _("Points can be used from a balance of {minimum}; the member has {available}").format(
                        minimum=format_decimal(policy.min_balance),
                        available=format_decimal(member.available_points),
                    )
                )
            return [], 0, []
        out: list[Benefit] = []
        for reward, line in chosen:
            line.avail += 1
            out += self.free_units(line, 1, "reward", reward.code, reward.name, reward.points)
        return out, points, picks

    def discount_rewards(self, picks: Sequence[Reward]) -> tuple[list[Benefit], int]:
        """Discount rewards, last of the benefits (after the coupons, as points pay after the
        discounts): each pick takes ``reward.discount`` off the non-excluded lines, in the
        order picked, while what they take in all fits in those lines and stays within
        ``points.max_redeem_percent`` of what the receipt costs before them (the points tender
        later gets only what is left of that cap, see :mod:`pos_tui.core.loyalty.tenders`).
        A pick that does not fit is a problem. Each reward's picks are one spread over the
        lines (``allocate`` in proportion to what they still cost), and its points are spread
        over its benefit lines the same way, so they sum to picks × ``points``."""
        if not picks:
            return [], 0
        policy = self.tables.program.points
        receipt = sum(ln.room for ln in self.lines)
        cap = math.floor(Fraction(receipt) * Fraction(policy.max_redeem_percent) / 100)
        room = sum(ln.room for ln in self.discountable())
        taken = 0
        applied: dict[str, int] = {}
        for reward in picks:
            amount = to_kurus(reward.discount)
            if amount <= 0 or taken + amount > room:
                self.problem(
                    _(
                        "Reward {name} takes {amount} off, but the receipt's lines that may be discounted cost only "
                        "{left} more"
                    ).format(
                        name=reward.name,
                        amount=format_money(reward.discount),
                        left=format_money(from_kurus(max(room - taken, 0))),
                    )
                )
                continue
            if taken + amount > cap:
                self.problem(
                    _(
                        "Points may pay at most {percent} of this receipt ({cap}); with reward {name} the "
                        "rewards would take {total}"
                    ).format(
                        percent=format_percent(Decimal(plain(policy.max_redeem_percent))),
                        cap=format_money(from_kurus(cap)),
                        name=reward.name,
                        total=format_money(from_kurus(taken + amount)),
                    )
                )
                continue
            taken += amount
            applied[reward.code] = applied.get(reward.code, 0) + 1
        out: list[Benefit] = []
        points = 0
        for code, count in applied.items():
            reward = self.tables.rewards[code]
            lines = self.discountable()
            total = count * to_kurus(reward.discount)
            shares = allocate_kurus(total, [ln.room for ln in lines])  # total ≤ Σ room: each share ≤ its room
            amounts = [ln.off(share) for ln, share in zip(lines, shares, strict=True)]
            spent = allocate_kurus(count * reward.points, amounts)
            for ln, amount, pts in zip(lines, amounts, spent, strict=True):
                if amount > 0:
                    out.append(benefit(ln.line_no, amount, "reward", reward.code, reward.name, pts))
            points += count * reward.points
        return out, points

    def monthly(self, member: MemberContext | None) -> tuple[list[Benefit], dict[str, int]]:
        if member is None or member.tier_code is None:
            return [], {}
        found = self.tables.monthly.get(member.tier_code)
        if found is None:
            return [], {}
        benefits, match = found
        out: list[Benefit] = []
        used: dict[str, int] = {}
        for index, mb in enumerate(benefits):
            left = mb.quantity - member.monthly_used.get(mb.code, 0)
            if left <= 0:
                continue
            for line in self.cheapest_first(self.units_in(match, index)):
                count = min(left, line.avail)
                out += self.free_units(line, count, "tier", mb.code, mb.label)
                used[mb.code] = used.get(mb.code, 0) + count
                left -= count
                if left == 0:
                    break
        return out, used

    def stamp_cards(self, member: MemberContext | None) -> tuple[list[Benefit], dict[str, StampChange]]:
        if member is None or not self.tables.stamps:
            return [], {}
        out: list[Benefit] = []
        changes: dict[str, StampChange] = {}
        match = self.tables.stamp_match
        for index, card in enumerate(self.tables.stamps):
            in_scope = self.scoped(match).get(index, [])
            if not in_scope:
                continue
            # Units bought that no benefit can take (a promotion's group) earn first, then the
            # free ones are found among the rest.
            paid = sum(ln.n - ln.avail - self.free.get(ln.line_no, 0) for ln in in_scope)
            stamps = member.stamps.get(card.code, 0) + paid  # a negative card (stamps clawed back) repays first
            candidates = sum(ln.avail for ln in in_scope)
            free = 0
            for _unit in range(candidates):
                if stamps >= card.needed:
                    free += 1
                    stamps -= card.needed
                else:
                    stamps += 1
            earned = paid + candidates - free
            left = free
            label = _("{card}: free item").format(card=card.name)
            for line in self.cheapest_first([ln for ln in in_scope if ln.avail > 0]):
                if left == 0:
                    break
                count = min(left, line.avail)
                out += self.free_units(line, count, "stamp", card.code, label)
                left -= count
            if earned or free:
                changes[card.code] = StampChange(earned, free * card.needed)
        return out, changes

    def spread(self, total: int, lines: list[_Line], kind: str, code: str, label: str) -> list[Benefit]:
        """``total`` kuruş over ``lines`` in proportion to what they still cost."""
        if total <= 0 or not lines:
            return []
        shares = allocate_kurus(total, [ln.room for ln in lines])
        out: list[Benefit] = []
        append, get = out.append, _BENEFITS.get
        for line, share in zip(lines, shares, strict=True):
            room = line.room
            amount = share if share < room else room
            if amount > 0:
                line.room = room - amount
                found = get((line.line_no, amount, kind, code, label, 0))
                append(found if found is not None else benefit(line.line_no, amount, kind, code, label))
        return out

    def discountable(self) -> list[_Line]:
        return [ln for ln in self.lines if ln.room > 0 and ln.discountable]

    def tier_discount(self, member: MemberContext | None) -> list[Benefit]:
        if member is None or member.tier_code is None:
            return []
        tier = self.tables.tiers.get(member.tier_code)
        if tier is None or tier.basket_discount_percent <= 0:
            return []
        lines = self.discountable()
        base = sum(ln.room for ln in lines)
        total = _percent_kurus(base, tier.basket_discount_percent)
        if tier.basket_discount_max is not None:
            total = min(total, to_kurus(tier.basket_discount_max))
        label = _("{tier} discount {percent}").format(
            tier=tier.name, percent=format_percent(Decimal(plain(tier.basket_discount_percent)))
        )
        return self.spread(total, lines, "tier", tier.code, label)

    def coupons(self, offers: Sequence[CouponOffer]) -> list[Benefit]:
        out: list[Benefit] = []
        for offer in offers:
            minimum = to_kurus(offer.min_spend)
            receipt = sum(ln.room for ln in self.lines) if minimum > 0 else 0
            if receipt < minimum:
                self.problem(
                    _("Coupon {code} needs a receipt of at least {minimum}; this one is {total}").format(
                        code=offer.code, minimum=format_money(offer.min_spend), total=format_money(from_kurus(receipt))
                    )
                )
                continue
            lines = self.discountable()
            if offer.product_code is not None:
                lines = [ln for ln in lines if ln.code == offer.product_code]
                if not any(ln.code == offer.product_code for ln in self.lines):
                    self.problem(
                        _("Coupon {code} is for product {product}, which is not in the cart").format(
                            code=offer.code, product=offer.product_code
                        )
                    )
                    continue
            base = sum(ln.room for ln in lines)
            if offer.kind == "percent":
                total = _percent_kurus(base, offer.percent)
                if offer.max_amount is not None:
                    total = min(total, to_kurus(offer.max_amount))
            else:
                total = min(to_kurus(offer.amount), base)
            out += self.spread(total, lines, "coupon", offer.code, _("Coupon {code}").format(code=offer.code))
        return out


def _capped(parts: list[tuple[_Line, int]], cap: int) -> list[tuple[_Line, int]]:
    """``parts`` (line, kuruş off) with their sum brought down to ``cap`` when it is more: the
    cap is spread over them in proportion to what each would have taken (largest remainder),
    so no line gets more than it would have without the cap and the parts sum to ``cap``."""
    whole = sum(amount for _ln, amount in parts)
    if whole <= cap:
        return parts
    shares = allocate_kurus(cap, [amount for _ln, amount in parts])
    return [(ln, share) for (ln, _amount), share in zip(parts, shares, strict=True)]


def _wholly_paid(amount: int, count: int, value: int) -> int:
    """How many of ``count`` units worth ``value`` kuruş together (each ``value // count`` or one
    kuruş more, as :meth:`_Line.take` values them) ``amount`` kuruş off pays entirely, the
    cheapest first: all of them when ``amount`` is their whole value, fewer under a cap."""
    if amount >= value:
        return count
    base, dearer = divmod(value, count)
    cheap = count - dearer  # units worth ``base``; the other ``dearer`` are worth ``base + 1``
    if amount < cheap * base:
        return amount // base
    return cheap + (amount - cheap * base) // (base + 1)


def plain(value: Decimal) -> str:
    """A Decimal without trailing zeros or an exponent: ``10.50`` → ``10.5``, ``10`` → ``10``."""
    return format(value.normalize(), "f")


def _percent_kurus(kurus: int, percent: Decimal) -> int:
    """``percent`` % of ``kurus``, rounded half up to the kuruş (as money.percent_of)."""
    return int((Decimal(kurus) * percent / HUNDRED).to_integral_value(rounding=ROUND_HALF_UP))


def evaluate(
    lines: Sequence[EngineLine],
    member: MemberContext | None,
    program: Program,
    *,
    day: date,
    coupons: Sequence[CouponOffer] = (),
    rewards: Sequence[str] = (),
    strict: bool = True,
) -> Evaluation:
    """The benefits of a basket (see the module docstring for the rules and their order).

    ``lines``' amounts are after manual line discounts and before the cart discount.
    A reward or coupon that cannot apply is an error (one :class:`ValidationError` naming all
    of them) when ``strict``; otherwise it is left out and listed in ``problems``.
    """
    tables = _tables(program)
    work = _Work(lines, tables)
    promo = work.promotions(member is not None, day) if tables.promotions else []
    reward, reward_points, picks = work.rewards(rewards, member)
    monthly, used = work.monthly(member)
    stamp, stamps = work.stamp_cards(member)
    tier = work.tier_discount(member)
    coupon = work.coupons(coupons) if coupons else []
    discount, discount_points = work.discount_rewards(picks)
    if work.problems and strict:
        raise ValidationError("\n".join(work.problems))
    return Evaluation(
        benefits=(*promo, *stamp, *reward, *monthly, *tier, *coupon, *discount),
        stamps=stamps,
        reward_points=reward_points + discount_points,
        monthly_used=used,
        free_units=work.free,
        problems=tuple(work.problems),
        kurus_left={ln.line_no: ln.room for ln in work.lines},
    )


def has_benefits_for(program: Program, member: bool) -> bool:
    """Whether anything in ``program`` could give a receipt a benefit (without coupons or
    rewards): lets the till skip the engine for a non-member when no promotion is for everyone."""
    tables = _tables(program)
    return tables.public_promotions or (member and bool(program.promotions or program.stamp_cards or program.tiers))


def after_benefits(lines: Sequence[EngineLine], evaluation: Evaluation) -> list[EngineLine]:
    """``lines`` with the evaluation's benefits taken off and its free units noted: what
    :func:`earning` expects when no cart discount applies on top."""
    off: dict[int, Decimal] = {}
    for b in evaluation.benefits:
        off[b.line_no] = off.get(b.line_no, ZERO) + b.amount
    free = evaluation.free_units
    out = []
    for ln in lines:
        taken = off.get(ln.line_no)
        if taken is None and ln.line_no not in free:
            out.append(ln)  # untouched: the same object
            continue
        out.append(
            EngineLine(
                ln.line_no,
                ln.product_code,
                ln.category,
                ln.supplier_code,
                ln.unit,
                ln.qty_milli,
                ln.unit_price,
                max(ZERO, ln.amount - (taken or ZERO)),
                free.get(ln.line_no, 0),
            )
        )
    return out


# ============================================================================ earning


def in_birthday_week(birth_date: date | None, day: date) -> bool:
    """Whether ``day`` is one of the 7 days starting on the birthday (29 February counts as
    28 February in other years; a week starting late in December runs into January)."""
    if birth_date is None:
        return False
    for year in (day.year, day.year - 1):
        try:
            birthday = birth_date.replace(year=year)
        except ValueError:  # 29 February in a common year
            birthday = date(year, 2, 28)
        if birthday <= day < birthday + timedelta(days=7):
            return True
    return False


def _split_points(total: int, weights: Sequence[int]) -> list[int]:
    """``total`` points over integer ``weights`` by largest remainder (ties to the earlier
    line): the parts sum exactly to ``total``."""
    wsum = sum(weights)
    if total == 0 or wsum <= 0:
        return [0] * len(weights)
    return allocate_kurus(total, weights)


def _scale(values: Sequence[Decimal]) -> int:
    """The power of ten that makes every value a whole number (multipliers have few decimals)."""
    places = 0
    for v in values:
        exponent = v.as_tuple().exponent
        if isinstance(exponent, int) and exponent < 0:
            places = max(places, -exponent)
    return 10**places


def earning(
    lines_after_benefits: Sequence[EngineLine],
    member: MemberContext | None,
    program: Program,
    *,
    day: date,
    non_earning_paid: Decimal = ZERO,
    evaluation: Evaluation | None = None,
) -> EarnResult:
    """What a receipt earns (see the module docstring for the rules and the rounding).

    ``lines_after_benefits``: amounts after every discount (line, loyalty, cart), i.e. what
    each line was paid. ``non_earning_paid``: what points and store credit paid of it, taken
    off the base in proportion to the lines' amounts. With ``member`` None the result is what
    a member without a tier would earn (for a "join and earn" hint); nothing is credited here.

    ``evaluation``: the lines are the ones given to :func:`evaluate` and its benefits (and free
    units) are taken off here — the same as passing :func:`after_benefits` of them, without
    copying every line (the till's hot path when no cart discount applies).
    """
    tables = _tables(program)
    if evaluation is not None:
        left = evaluation.kurus_left
        off: dict[int, int] = {}
        if not left:
            for b in evaluation.benefits:
                off[b.line_no] = off.get(b.line_no, 0) + to_kurus(b.amount)
        amounts = [
            left[ln.line_no] if ln.line_no in left else max(0, to_kurus(ln.amount) - off.get(ln.line_no, 0))
            for ln in lines_after_benefits
        ]
        free_units = evaluation.free_units
    else:
        amounts = [to_kurus(ln.amount) for ln in lines_after_benefits]
        free_units = {ln.line_no: ln.free_units for ln in lines_after_benefits if ln.free_units}
    paid = sum(amounts)
    if non_earning_paid < 0:
        raise ValidationError(_("What points and store credit paid cannot be negative"))
    taken_off = min(to_kurus(non_earning_paid), paid)
    shares = allocate_kurus(taken_off, amounts) if taken_off else [0] * len(amounts)
    scale = tables.weight_scale
    weights: list[int] = []  # kuruş × multiplier × scale
    bases: list[int] = []
    spend = 0
    supplier: dict[tuple[str, str | None], list[int]] = {}
    supplier_by_line: list[int] = []
    scaled, funded = tables.scaled_multiplier, tables.funding.get
    for ln, amount, share in zip(lines_after_benefits, amounts, shares, strict=True):
        weight = scaled(ln.product_code, ln.category)
        if weight is None:
            weights.append(0)
            bases.append(0)
            supplier_by_line.append(0)
            continue
        base = amount - share
        bases.append(base)
        weights.append(base * weight)
        spend += amount
        funding = funded(ln.product_code)
        units = max(0, ln.qty_milli // MILLI - free_units.get(ln.line_no, 0)) if funding is not None else 0
        if funding is not None and units > 0:
            acc = supplier.setdefault((ln.product_code, ln.supplier_code), [0, 0])
            acc[0] += funding.points * units
            acc[1] += funding.supplier_points * units
            supplier_by_line.append(funding.points * units)
        else:
            supplier_by_line.append(0)
    applied: tuple[str, ...] = ()
    if tables.multipliers:
        applied = _apply_multipliers(tables, lines_after_benefits, bases, weights, spend, day)
    # raw points = Σ weighted kuruş / 100 / scale × percent / 100, exactly (Fraction), floored once.
    below_min_order = spend < to_kurus(program.earning.min_order)
    if below_min_order:
        weights = [0] * len(weights)
    raw = Fraction(sum(weights), 100 * scale) * tables.percent_fraction / 100
    base_points = math.floor(raw)
    tier = tables.tiers.get(member.tier_code) if member is not None and member.tier_code is not None else None
    with_tier = math.floor(raw * Fraction(tier.multiplier)) if tier is not None else base_points
    tier_bonus = with_tier - base_points
    bonuses = tuple(
        (b.code, b.points)
        for b in program.bonuses
        if spend >= to_kurus(b.min_spend)
        and b.window.contains(day)
        and (not b.birthday_week or (member is not None and in_birthday_week(member.birth_date, day)))
    )
    shares_of_points = _split_points(with_tier, weights)
    base_kurus = sum(bases)
    cashback_percent = program.cashback.percent
    cashback = (
        from_kurus(math.floor(Fraction(base_kurus) * Fraction(cashback_percent) / 100))
        if cashback_percent > 0
        else ZERO
    )
    supplier_shares = tuple(SupplierShare(code, sup, p, sp) for (code, sup), (p, sp) in supplier.items())
    return EarnResult(
        base=from_kurus(base_kurus),
        points=with_tier + sum(p for _c, p in bonuses) + sum(s.points for s in supplier_shares),
        base_points=base_points,
        tier_bonus_points=tier_bonus,
        bonuses=bonuses,
        supplier=supplier_shares,
        cashback=cashback,
        line_data=tuple(
            zip([ln.line_no for ln in lines_after_benefits], bases, shares_of_points, supplier_by_line, strict=True)
        ),
        multipliers=applied,
        below_min_order=below_min_order,
    )


def _apply_multipliers(
    tables: _Tables,
    lines: Sequence[EngineLine],
    bases: list[int],
    weights: list[int],
    spend: int,
    day: date,
) -> tuple[str, ...]:
    """Raise each earning line's weight (in ``weights``, in place) to the highest factor of the
    ``[[multipliers]]`` that hold today, whose ``min_order`` the receipt's ``spend`` reaches and
    whose scope has the line — when it is higher than the line's own (product or category)
    factor. Factors never multiply each other. Returns the codes of the multipliers that raised
    at least one line, in program order."""
    multipliers = tables.multipliers
    live = {i for i, x in enumerate(multipliers) if x.window.contains(day) and spend >= to_kurus(x.min_order)}
    if not live:
        return ()
    scale = tables.weight_scale
    used: set[int] = set()
    for index, ln in enumerate(lines):
        own = tables.scaled_multiplier(ln.product_code, ln.category)
        if own is None:
            continue  # excluded: earns nothing, whatever the multiplier
        best, winner = own, None
        for i in tables.mult_match(ln.product_code, ln.category):
            if i in live:
                factor = int(multipliers[i].factor * scale)
                if factor > best:
                    best, winner = factor, i
        if winner is not None:
            weights[index] = bases[index] * best
            used.add(winner)
    return tuple(multipliers[i].code for i in sorted(used))

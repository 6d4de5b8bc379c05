"""The loyalty program as plain values: what ``config/loyalty.toml`` says, after validation.

:mod:`pos_tui.core.loyalty.rules` parses and validates the TOML into a :class:`Program` and
stores each applied version; the engine (:mod:`pos_tui.core.loyalty.engine`) and the jobs
read only these dataclasses. Money is ``Decimal`` TRY, points are ``int``, percentages are
``Decimal`` percent (``Decimal("1.5")`` is 1.5 %), multipliers are ``Decimal`` factors
(``Decimal("1.5")`` is +50 %). Products are named by their code (PLU), categories by name.

Every mechanic has a ``code`` (unique within its kind) that is written on what it produces
(a benefit line, a stamp entry, a bonus), so reports and returns can trace it back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

from pos_tui.core.loyalty.ledger import DEFAULT_HOLD_DAYS, ExpiryPolicy

ONE = Decimal(1)
ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class Scope:
    """Which products a rule applies to: any listed product code or category name; an empty
    scope with ``all_products`` set means every product."""

    products: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()
    all_products: bool = False

    def matches(self, product_code: str, category: str | None) -> bool:
        return (
            self.all_products or product_code in self.products or (category is not None and category in self.categories)
        )


@dataclass(frozen=True, slots=True)
class Window:
    """Optional validity dates (shop days, both inclusive)."""

    valid_from: date | None = None
    valid_to: date | None = None

    def contains(self, day: date) -> bool:
        return (self.valid_from is None or day >= self.valid_from) and (self.valid_to is None or day <= self.valid_to)


@dataclass(frozen=True, slots=True)
class PointsPolicy:
    """``value``: TRY one point is worth when spent. ``hold_days``: days earned points stay
    pending. ``min_balance``: available points a member needs before paying with points.
    ``max_redeem_percent``: the most of a receipt's payable amount points may pay."""

    value: Decimal = ONE
    hold_days: int = DEFAULT_HOLD_DAYS
    expiry: ExpiryPolicy = field(default_factory=ExpiryPolicy)
    min_balance: int = 0
    max_redeem_percent: Decimal = Decimal(50)
    redeem_multiple: int = 1  # points pay (as a tender) only in whole multiples of this (issue 16)


@dataclass(frozen=True, slots=True)
class Earning:
    """Points = ``percent`` % of the earning base (TRY), with multipliers per product and per
    category (a product multiplier wins over its category's), and exclusions that earn nothing.
    The base is what was paid after discounts, minus what points and store credit paid."""

    percent: Decimal = ONE
    product_multipliers: dict[str, Decimal] = field(default_factory=dict)
    category_multipliers: dict[str, Decimal] = field(default_factory=dict)
    excluded: Scope = Scope()
    # Issue 16. ``min_order``: the receipt (its non-excluded lines, after discounts, before what
    # points and store credit paid) must reach this for the percentage points to be earned at all.
    min_order: Decimal = ZERO


@dataclass(frozen=True, slots=True)
class Multiplier:
    """A receipt-level earning multiplier (issue 16): lines in ``scope`` earn ``factor`` times the
    points when the receipt (non-excluded lines after discounts) reaches ``min_order`` — "double
    points on receipts above 300 TL". Within ``window``; ``members_only`` is implied (only members
    earn). The highest applicable factor of a line wins (product/category multipliers included);
    factors never stack."""

    code: str
    factor: Decimal
    min_order: Decimal = ZERO
    scope: Scope = Scope(all_products=True)
    window: Window = Window()


@dataclass(frozen=True, slots=True)
class SupplierFunding:
    """Each unit of ``product`` earns ``points`` extra points, ``supplier_points`` of which the
    supplier pays for (settlement report); the shop funds the rest."""

    product: str
    points: int
    supplier_points: int


@dataclass(frozen=True, slots=True)
class ThresholdBonus:
    """A receipt paying at least ``min_spend`` earns ``points`` once; optionally only within
    ``window`` and/or in the member's birthday week (the 7 days starting on the birthday)."""

    code: str
    min_spend: Decimal
    points: int
    window: Window = Window()
    birthday_week: bool = False


@dataclass(frozen=True, slots=True)
class MonthlyBenefit:
    """Up to ``quantity`` free units per calendar month of products in ``scope`` for the tier;
    unused units lapse at the end of the month."""

    code: str
    label: str
    scope: Scope
    quantity: int = 1


@dataclass(frozen=True, slots=True)
class Tier:
    """A tier reached by spending at least ``min_spend`` over the qualification window.
    ``multiplier`` applies to earned points; ``basket_discount_percent`` comes off every
    receipt (not off excluded products)."""

    code: str
    name: str
    min_spend: Decimal
    multiplier: Decimal = ONE
    basket_discount_percent: Decimal = ZERO
    monthly_benefits: tuple[MonthlyBenefit, ...] = ()
    basket_discount_max: Decimal | None = None  # issue 16: the basket discount is at most this much TRY


@dataclass(frozen=True, slots=True)
class TierQualification:
    """``previous_month``: spend in the previous calendar month decides this month's tier.
    ``rolling_days`` / ``rolling_months``: spend over the last ``length`` days / months.
    Upgrades take effect at the evaluation that sees the spend; downgrades only at the end of
    the window the tier was earned for."""

    window: Literal["previous_month", "rolling_days", "rolling_months"] = "previous_month"
    length: int = 1
    # Issue 16: a posted member sale re-evaluates the member's tier at once, counting itself (an
    # upgrade only; the receipt keeps the discounts it was priced with, the next receipt has the tier).
    count_current_receipt: bool = False


@dataclass(frozen=True, slots=True)
class StampCard:
    """Buy ``needed`` units in ``scope`` and the next one is free (7th coffee free: needed=6)."""

    code: str
    name: str
    scope: Scope
    needed: int


@dataclass(frozen=True, slots=True)
class Promotion:
    """``buy_x_get_y``: for every ``buy`` + ``get`` units in scope, the ``get`` cheapest are
    free. ``second_item_percent``: every second unit in scope (the cheaper of each pair) is
    ``percent`` % off. ``members_only`` promotions need a member on the receipt."""

    code: str
    name: str
    kind: Literal["buy_x_get_y", "second_item_percent"]
    scope: Scope
    buy: int = 1
    get: int = 1
    percent: Decimal = ZERO
    members_only: bool = False
    window: Window = Window()
    max_amount: Decimal | None = None  # issue 16: the promotion takes at most this much TRY off a receipt


@dataclass(frozen=True, slots=True)
class Reward:
    """The rewards catalog. ``kind = "product"``: one ``product`` free for ``points`` available
    points. ``kind = "discount"`` (issue 16): each pick takes ``points`` points and
    ``points × discount_per_point`` TRY off the receipt's non-excluded lines, so a member takes it
    only in whole multiples of ``points``; what points pay in all (tender and discount rewards)
    stays within ``points.max_redeem_percent``."""

    code: str
    name: str
    product: str | None
    points: int
    kind: Literal["product", "discount"] = "product"
    discount_per_point: Decimal = ZERO

    @property
    def discount(self) -> Decimal:
        """TRY one pick takes off (discount rewards)."""
        return (self.discount_per_point * self.points).quantize(Decimal("0.01"))


@dataclass(frozen=True, slots=True)
class NextOrderCoupon:
    """Issue 16: a receipt that qualifies issues a personal coupon for a later visit.

    Qualifies: the receipt's non-excluded lines (after discounts) pay at least ``min_spend`` and,
    when ``scope`` names products or categories, at least ``scope_min_spend`` of it is on lines in
    scope; ``members_only`` needs a member (otherwise a bearer coupon, printed on the receipt);
    within ``window``. The coupon: ``kind`` amount (``amount`` TRY) or percent (``percent`` %, at
    most ``max_amount`` TRY when given), valid from the day after issue (``starts_next_day``) or the
    same day, for ``valid_days`` days, its own minimum ``coupon_min_spend``; one use."""

    code: str
    name: str
    kind: Literal["amount", "percent"]
    min_spend: Decimal = ZERO
    scope: Scope = Scope()
    scope_min_spend: Decimal = ZERO
    members_only: bool = True
    window: Window = Window()
    amount: Decimal = ZERO
    percent: Decimal = ZERO
    max_amount: Decimal | None = None
    valid_days: int = 30
    coupon_min_spend: Decimal = ZERO
    starts_next_day: bool = True


@dataclass(frozen=True, slots=True)
class Referral:
    """The referrer earns ``referrer_points`` when the referred member's first receipt pays at
    least ``min_first_purchase``."""

    enabled: bool = False
    referrer_points: int = 0
    min_first_purchase: Decimal = ZERO


@dataclass(frozen=True, slots=True)
class Charity:
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class PaidMembership:
    """Selling ``product`` to a member puts them in tier ``tier`` for ``term_days`` days."""

    product: str
    tier: str
    term_days: int


@dataclass(frozen=True, slots=True)
class StoreCredit:
    """Issue 16. ``refunds``: a return may refund into the member's store credit (the return's
    "store credit" refund method). ``earns_points``: what store credit pays on a receipt earns
    points (by default it does not: the base is what was paid minus points and store credit)."""

    refunds: bool = True
    earns_points: bool = False


@dataclass(frozen=True, slots=True)
class Transfers:
    """Issue 16: members giving points to another member. ``enabled``; a transfer moves at least
    ``min_points``; at most ``max_points`` per transfer and ``daily_max_points`` per giver and
    shop day (0: no limit); more than ``supervisor_above`` points (0: never) needs a manager
    (permission ``points_adjust``, or a supervisor's override at the till). The giver's consent is
    always recorded."""

    enabled: bool = True
    min_points: int = 1
    max_points: int = 0
    daily_max_points: int = 0
    supervisor_above: int = 0


@dataclass(frozen=True, slots=True)
class Donations:
    """Issue 16: donating points to one of ``charities``: at least ``min_points`` at a time."""

    min_points: int = 1


@dataclass(frozen=True, slots=True)
class Cashback:
    """``percent`` % of the earning base goes to the member's store-credit wallet."""

    percent: Decimal = ZERO


@dataclass(frozen=True, slots=True)
class Badge:
    """Shown on the customer screen once earned: ``first_purchase``, ``visits`` (receipts ≥
    ``threshold``), ``spend`` (lifetime TRY ≥ ``threshold``) or ``tier`` (reached ``tier``)."""

    code: str
    name: str
    kind: Literal["first_purchase", "visits", "spend", "tier"]
    threshold: Decimal = ZERO
    tier: str | None = None


@dataclass(frozen=True, slots=True)
class Messages:
    """Which messages ``loyalty run`` queues (only for members who consented to the channel)."""

    birthday: bool = True
    expiring_days: int = 30  # 0 turns the "points expiring" message off
    tier_change: bool = True


@dataclass(frozen=True, slots=True)
class Program:
    name: str = "Sadakat"
    points: PointsPolicy = PointsPolicy()
    earning: Earning = Earning()
    supplier_funding: tuple[SupplierFunding, ...] = ()
    bonuses: tuple[ThresholdBonus, ...] = ()
    tier_qualification: TierQualification = TierQualification()
    tiers: tuple[Tier, ...] = ()  # ascending min_spend
    stamp_cards: tuple[StampCard, ...] = ()
    promotions: tuple[Promotion, ...] = ()
    rewards: tuple[Reward, ...] = ()
    referral: Referral = Referral()
    charities: tuple[Charity, ...] = ()
    paid_memberships: tuple[PaidMembership, ...] = ()
    cashback: Cashback = Cashback()
    badges: tuple[Badge, ...] = ()
    messages: Messages = Messages()
    # issue 16
    multipliers: tuple[Multiplier, ...] = ()
    next_order_coupons: tuple[NextOrderCoupon, ...] = ()
    store_credit: StoreCredit = StoreCredit()
    transfers: Transfers = Transfers()
    donations: Donations = Donations()

    def tier(self, code: str | None) -> Tier | None:
        return next((t for t in self.tiers if t.code == code), None)

    def charity(self, code: str) -> Charity | None:
        return next((c for c in self.charities if c.code == code), None)

"""The loyalty fast paths of issue 11 give exactly what the straightforward computations give.

Each oracle below is the implementation the fast path replaced, kept verbatim:

- ``ledger.available_points`` (one statement, two sums) against ``ledger.balance().available``
  and the entry-by-entry fold, on the random ledgers of ``test_ledger_speedpaths``;
- ``pricing.member_context`` (statements composed once, the balance as ``available_points``)
  against the Peewee queries it replaced, on random histories (stamps, monthly benefits in
  and out of the month, returns, tiers with and without a paid term, birthdays, points);
- ``pricing.earn_preview`` (without a cart discount: the evaluation's own figures in kuruş,
  the engine lines of the quote reused) against ``compute_totals`` + the lines rebuilt with
  their nets and free units, on random carts with line discounts, voids, coupons, rewards,
  weighed lines, with and without a member and a cart discount;
- ``coupons.get_coupon`` (one statement with the use count) against the two Peewee queries;
- ``engine.benefit`` (one object per value) against ``Benefit(...)``.
"""

from __future__ import annotations

import contextlib
import dataclasses
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from engine_support import new_product, sale_row
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from loyalty_support import new_member, new_user
from peewee import fn
from test_ledger_speedpaths import OPERATIONS, RAW_ENTRY, ZONES, Shop, folded_balance

from pos_tui.core.basket import Benefit, Cart, Discount
from pos_tui.core.basket.cart import compute_totals
from pos_tui.core.kernel import MILLI, NotFound, ValidationError, from_kurus, shop_day, to_db
from pos_tui.core.kernel.clock import SHOP_TZ, day_bounds
from pos_tui.core.loyalty import (
    EngineLine,
    MemberContext,
    Program,
    balance,
    coupons,
    create_coupon,
    earning,
    ledger,
    parse_program,
    pricing,
    rules,
)
from pos_tui.core.loyalty.engine import _BENEFITS, EarnResult, benefit
from pos_tui.core.loyalty.pricing import entry_tier
from pos_tui.store import fast
from pos_tui.store import models as m

DAY = timedelta(days=1)
TZ = "Europe/Istanbul"
NOW = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
DB_EXAMPLES = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

RULES = """
[earning]
percent = 1
[earning.category_multipliers]
"Kozmetik" = 2
[earning.product_multipliers]
"P03" = 3
[earning.excluded]
categories = ["Tütün"]

[[supplier_funding]]
product = "P02"
points = 10
supplier_points = 5

[[bonuses]]
code = "b1"
min_spend = 100
points = 25

[[tiers]]
code = "kirmizi"
name = "Kırmızı"
min_spend = 0
[[tiers]]
code = "altin"
name = "Altın"
min_spend = 1500
multiplier = 2
basket_discount_percent = 15
[[tiers.monthly_benefits]]
code = "altin-kahve"
label = "Aylık kahve"
products = ["P01"]
quantity = 2
[[tiers.monthly_benefits]]
code = "altin-cay"
label = "Aylık çay"
products = ["P04"]
quantity = 1

[[stamp_cards]]
code = "kahve"
name = "Kahve kartı"
products = ["P01"]
needed = 3
[[stamp_cards]]
code = "kozmetik"
name = "Kozmetik kartı"
categories = ["Kozmetik"]
needed = 5

[[promotions]]
code = "3al2"
name = "3 al 2 öde"
kind = "buy_x_get_y"
buy = 2
get = 1
products = ["P05", "P06"]
[[promotions]]
code = "ikinci"
name = "İkincisi yarı fiyatına"
kind = "second_item_percent"
percent = 50
categories = ["Gıda"]
members_only = true

[[rewards]]
code = "r-cay"
name = "Bedava çay"
product = "P04"
points = 20
"""

# code, price, category, supplier, unit
PRODUCTS = [
    ("P01", "64.90", "Kahve", None, "piece"),
    ("P02", "254.90", "Gıda", "TED-RCD", "piece"),
    ("P03", "39.90", "Atıştırmalık", None, "piece"),
    ("P04", "19.95", "Gıda", None, "piece"),
    ("P05", "119.90", "Kozmetik", None, "piece"),
    ("P06", "79.90", "Kozmetik", None, "piece"),
    ("P07", "95.00", "Tütün", "TED-TDA", "piece"),
    ("P08", "189.50", "Şarküteri", None, "kg"),
    ("P09", "0.05", "Gıda", None, "piece"),
]


@pytest.fixture
def shop(db: object) -> dict[str, m.Product]:
    rules.apply_rules(RULES, now=NOW - 40 * DAY)
    made = {
        code: new_product(NOW - 40 * DAY, code, price, category=cat, supplier=sup, unit=unit)
        for code, price, cat, sup, unit in PRODUCTS
    }
    for code, kind, value, product, minimum in (
        ("HEPSI10", "percent", Decimal(10), None, Decimal(0)),
        ("KAHVE5", "amount", Decimal(5), "P01", Decimal(0)),
        ("BUYUK50", "amount", Decimal(50), None, Decimal(400)),
        ("YARIM", "percent", Decimal("12.5"), "P05", Decimal(0)),
    ):
        create_coupon(
            code,
            kind=kind,
            amount=value if kind == "amount" else None,
            percent=value if kind == "percent" else None,
            min_spend=minimum,
            max_uses=None,
            product_code=product,
            now=NOW - 30 * DAY,
        )
    return made


# --------------------------------------------------------------------------- the oracles


def old_member_context(
    member_id: int,
    program: Program,
    *,
    now: datetime,
    tz: str = SHOP_TZ,
    points: bool = True,
    first_purchase: bool = True,
) -> MemberContext:
    """``pricing.member_context`` before issue 11, verbatim (Peewee queries rendered per call,
    the balance through ``ledger.balance``)."""
    day = shop_day(now, tz)
    Me = m.Member
    row: Any = Me.select(Me.tier_code, Me.tier_until, Me.birth_date).where(Me.id == member_id).tuples().get_or_none()
    tier_code, tier_until, birth_date = row
    if tier_until is not None and tier_until < day:
        tier_code = None
    if tier_code is None or program.tier(tier_code) is None:
        tier_code = entry_tier(program)
    stamps: dict[str, int] = {}
    if program.stamp_cards:
        St = m.StampEntry
        query: Any = St.select(St.card, fn.SUM(St.stamps)).where(St.member == member_id).group_by(St.card)
        stamps = {str(card): int(total) for card, total in query.tuples()}
    monthly: dict[str, int] = {}
    tier = program.tier(tier_code)
    if tier is not None and tier.monthly_benefits:
        codes = [b.code for b in tier.monthly_benefits]
        start = day.replace(day=1)
        following = date(start.year + (start.month == 12), start.month % 12 + 1, 1)
        since, until = to_db(day_bounds(start, tz)[0]), to_db(day_bounds(following, tz)[0])
        B, S = m.SaleBenefit, m.Sale
        mq: Any = (
            B.select(B.code, fn.COUNT(B.id))
            .join(S, on=(B.sale == S.id))
            .where(
                (S.member == member_id)
                & (S.kind == "sale")
                & (S.at >= since)
                & (S.at < until)
                & (B.kind == "tier")
                & B.code.in_(codes)
            )
            .group_by(B.code)
        )
        monthly = {str(code): int(n) for code, n in mq.tuples()}
    available = balance(member_id, as_of=day, tz=tz).available if points else 0
    first = False
    if first_purchase:
        S = m.Sale
        first = not S.select(S.id).where((S.member == member_id) & (S.kind == "sale")).limit(1).exists()
    return MemberContext(
        member_id=member_id,
        tier_code=tier_code,
        birth_date=birth_date,
        stamps=stamps,
        monthly_used=monthly,
        available_points=available,
        first_purchase=first,
    )


def old_earn_preview(
    cart: Cart, *, now: datetime, tz: str, program: Program, non_earning_paid: Decimal = Decimal(0)
) -> EarnResult | None:
    """``pricing.earn_preview`` before issue 11, verbatim: the priced cart's totals computed,
    every line rebuilt with its net and free units, ``earning`` without the evaluation."""
    if not cart.active_lines:
        return None
    q = pricing.quote(cart, now=now, tz=tz, program=program, strict=False)
    priced = q.cart
    facts = q.facts or pricing.product_facts([ln.product_id for ln in priced.active_lines])
    totals = compute_totals(priced.lines, priced.discount, priced.benefits)
    nets = {lt.line_no: lt.net for lt in totals.lines}
    lines = []
    for ln in priced.active_lines:
        f = facts.get(ln.product_id, pricing.ProductFacts(None, None))
        lines.append(
            EngineLine(
                ln.line_no,
                ln.code,
                f.category,
                f.supplier_code,
                ln.unit,
                ln.qty_milli,
                ln.unit_price,
                nets[ln.line_no],
                q.evaluation.free_units.get(ln.line_no, 0),
            )
        )
    context = q.member
    if context is None and priced.member_id is not None:
        context = old_member_context(priced.member_id, program, now=now, tz=tz, points=False, first_purchase=False)
    return earning(lines, context, program, day=shop_day(now, tz), non_earning_paid=non_earning_paid)


def old_get_coupon(code: str) -> coupons.CouponInfo:
    """``coupons.get_coupon`` before issue 11: the coupon, then its uses, two Peewee queries."""
    code = coupons.normalise_code(code)
    row = coupons._select().where(m.Coupon.code == code).tuples().get_or_none()
    return coupons._info(row, coupons._uses([row[0]]).get(row[0], 0))


# --------------------------------------------------------------------------- available points


def assert_available_agrees(members: tuple[int, ...], days: list[date], tz: str) -> None:
    for member in members:
        for day in days:
            expected = folded_balance(member, as_of=day, tz=tz).available
            assert ledger.available_points(member, as_of=day, tz=tz) == expected, (member, day)
            assert balance(member, as_of=day, tz=tz).available == expected, (member, day)


@DB_EXAMPLES
@given(operations=OPERATIONS, tz=st.sampled_from(ZONES))
def test_available_points_is_the_balances_available_on_service_ledgers(
    db: object, operations: list[tuple[int, int, int, int, int]], tz: str
) -> None:
    shop = Shop.open(tz)
    for operation in operations:
        shop.step(*operation)
    assert_available_agrees(shop.members, shop.days_to_check(), tz)


@DB_EXAMPLES
@given(entries=st.lists(RAW_ENTRY, min_size=1, max_size=40), days=st.lists(st.integers(-45, 500), max_size=8))
def test_available_points_is_the_folds_on_raw_rows(
    db: object, entries: list[tuple[int, int, int, int, int | None, bool]], days: list[int]
) -> None:
    """Rows the services would never write in this order (consumptions before their lot, lots
    overdrawn, consumptions of another member's lot, debts, positive entries without a lot)."""
    start = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
    members = (new_member(start), new_member(start, "Ali Kaya"))
    ids: list[int] = []
    first = shop_day(start)
    for kind, day, points, link, usable, other in entries:
        values: dict[str, object] = {"member": members[1 if other else 0], "at": to_db(start + day * DAY)}
        if kind <= 2:
            frm = first + (day + link) * DAY
            values |= {
                "kind": "earn",
                "points": points,
                "available_from": frm,
                "expires_on": None if usable is None else frm + usable * DAY,
            }
        elif kind == 3 and ids:
            values |= {"kind": "redeem", "points": -points, "lot": ids[link % len(ids)]}
        elif kind == 4:
            values |= {"kind": "clawback", "points": -points}
        else:
            values |= {"kind": "settle", "points": points}
        ids.append(int(m.PointsEntry.insert(**values).execute()))
    check = sorted({first + d * DAY for d in days} | {first - DAY, first + 30 * DAY})
    assert_available_agrees(members, check, SHOP_TZ)


def test_a_member_without_entries_has_no_points(db: object) -> None:
    member = new_member(NOW)
    assert ledger.available_points(member, as_of=shop_day(NOW), tz=TZ) == 0


# --------------------------------------------------------------------------- member context

HISTORY_EVENT = st.tuples(
    st.sampled_from(["sale", "sale", "return"]),
    st.integers(-70, 3),  # days from NOW: last month, this month, after NOW's day
    st.lists(st.sampled_from(["altin-kahve", "altin-cay", "kirmizi-x", "other"]), max_size=3),  # tier benefit codes
    st.lists(st.tuples(st.sampled_from(["kahve", "kozmetik", "eski"]), st.integers(-6, 6)), max_size=3),  # stamps
    st.integers(-300, 800),  # points earned (positive) or adjusted away
)


@DB_EXAMPLES
@given(
    events=st.lists(HISTORY_EVENT, max_size=12),
    tier=st.sampled_from([None, "kirmizi", "altin", "gone"]),
    until=st.one_of(st.none(), st.integers(-40, 40)),
    birthday=st.one_of(st.none(), st.dates(date(1950, 1, 1), date(2008, 12, 31))),
    at_hour=st.integers(0, 23),
)
def test_member_context_is_what_the_peewee_queries_gave(
    shop: dict[str, m.Product],
    events: list[tuple[str, int, list[str], list[tuple[str, int]], int]],
    tier: str | None,
    until: int | None,
    birthday: date | None,
    at_hour: int,
) -> None:
    program = rules.active_program()
    now = NOW.replace(hour=at_hour)
    member = new_member(now)
    cashier = new_user(now, f"kasiyer{member}")
    tier_until = None if until is None else shop_day(now, TZ) + until * DAY
    m.Member.update(tier_code=tier, tier_until=tier_until, birth_date=birthday).where(m.Member.id == member).execute()
    for kind, days, codes, stamps, points in events:
        at = now + days * DAY
        sale = sale_row(at, cashier, member, 10_000, kind=kind)
        for n, code in enumerate(codes, 1):
            kind_of = "tier" if code != "other" else "promotion"
            m.SaleBenefit.create(sale=sale, line_no=n, kind=kind_of, code=code, label=code, amount=100)
        for card, count in stamps:
            m.StampEntry.create(member=member, card=card, at=to_db(at), stamps=count, kind="earn", sale=sale)
        if points > 0:
            ledger.earn(member, points, now=at, sale_id=sale, hold_days=days % 3, tz=TZ)
        elif points < 0:
            m.PointsEntry.create(member=member, at=to_db(at), kind="clawback", points=points)
    for with_points in (True, False):
        for first in (True, False):
            kw: dict[str, Any] = {"now": now, "tz": TZ, "points": with_points, "first_purchase": first}
            expected = old_member_context(member, program, **kw)
            assert pricing.member_context(member, program, **kw) == expected
            without = pricing.member_context(member, program, **kw, history=False)
            assert without == dataclasses.replace(expected, stamps={}, monthly_used={})


def test_member_context_statements_are_composed_once(shop: dict[str, m.Product]) -> None:
    """Each statement is composed on the first cart and then only bound (parameters passed in
    the order the SQL binds them: a change that breaks the order would compose them anew on
    every scan, silently)."""
    member = new_member(NOW)
    m.Member.update(tier_code="altin").where(m.Member.id == member).execute()
    ledger.earn(member, 100, now=NOW - 20 * DAY, hold_days=0, tz=TZ)
    cart = _cart(shop, [("P01", 2), ("P04", 1)], member).with_coupons(["HEPSI10"]).with_rewards(["r-cay"])
    pricing.price_cart(cart, now=NOW, tz=TZ)
    kind = type(m.database.obj)
    for key in (
        ("rendered", "loyalty.member_stamps", 1),
        ("rendered", "loyalty.monthly_used", 7),  # member, sale, since, until, tier and the two codes
        ("rendered", "ledger.available", 8),
        ("rendered", "coupons.by_code", 1),
    ):
        assert (kind, key) in fast._cache, key


# --------------------------------------------------------------------------- earn preview


def _cart(shop: dict[str, m.Product], items: list[tuple[str, int]], member: int | None) -> Cart:
    cart = Cart()
    for code, qty in items:
        p = shop[code]
        weighed = p.unit == "kg"
        cart = cart.add(
            product_id=p.id,
            code=p.code,
            name=p.name,
            unit=p.unit,
            kdv_rate=p.kdv_rate,
            price=from_kurus(p.price),
            qty_milli=qty * 137 if weighed else qty * MILLI,
            weighed=weighed,
            merge=False,
        )
    return cart.with_member(member) if member is not None else cart


DISCOUNT = st.one_of(
    st.none(),
    st.builds(Discount, st.just("percent"), st.sampled_from([Decimal(5), Decimal("12.5"), Decimal(100)])),
    st.builds(Discount, st.just("amount"), st.sampled_from([Decimal("0.01"), Decimal(3), Decimal(500)])),
)


@DB_EXAMPLES
@given(
    items=st.lists(st.tuples(st.sampled_from([p[0] for p in PRODUCTS]), st.integers(1, 7)), min_size=1, max_size=14),
    line_discounts=st.lists(DISCOUNT, max_size=14),
    voids=st.lists(st.booleans(), max_size=14),
    cart_discount=DISCOUNT,
    who=st.sampled_from(["none", "kirmizi", "altin"]),
    coupon_codes=st.lists(st.sampled_from(["HEPSI10", "KAHVE5", "BUYUK50", "YARIM"]), max_size=3, unique=True),
    reward=st.booleans(),
    stamps=st.integers(0, 8),
    non_earning=st.sampled_from([Decimal(0), Decimal("10.00"), Decimal("99999.00")]),
)
def test_earn_preview_is_what_the_totals_and_rebuilt_lines_gave(
    shop: dict[str, m.Product],
    items: list[tuple[str, int]],
    line_discounts: list[Discount | None],
    voids: list[bool],
    cart_discount: Discount | None,
    who: str,
    coupon_codes: list[str],
    reward: bool,
    stamps: int,
    non_earning: Decimal,
) -> None:
    program = rules.active_program()
    member = None
    if who != "none":
        member = new_member(NOW)
        m.Member.update(tier_code=who).where(m.Member.id == member).execute()
        ledger.earn(member, 500, now=NOW - 20 * DAY, hold_days=0, tz=TZ)
        m.StampEntry.create(member=member, card="kahve", at=to_db(NOW - DAY), stamps=stamps, kind="earn")
    cart = _cart(shop, items, member)
    for ln, discount, void in zip(cart.lines, line_discounts, voids, strict=False):
        if discount is not None:
            with contextlib.suppress(ValidationError):  # more than the line costs
                cart = cart.discount_line(ln.line_no, discount)
        if void and len(cart.active_lines) > 1:
            cart = cart.void(ln.line_no, "müşteri vazgeçti")
    if cart_discount is not None:
        with contextlib.suppress(ValidationError):
            cart = cart.discount_cart(cart_discount)
    if member is not None:
        cart = cart.with_coupons(coupon_codes).with_rewards(["r-cay"] if reward else [])
    got = pricing.earn_preview(cart, now=NOW, tz=TZ, program=program, non_earning_paid=non_earning)
    assert got == old_earn_preview(cart, now=NOW, tz=TZ, program=program, non_earning_paid=non_earning)


def test_earn_preview_without_a_cart_discount_uses_the_evaluation(shop: dict[str, m.Product]) -> None:
    """A table case by hand: an Altın member, a promotion, a stamp card and a monthly benefit
    on the receipt, a line discount; the fast path and the totals agree to the kuruş and point."""
    program = rules.active_program()
    member = new_member(NOW)
    m.Member.update(tier_code="altin").where(m.Member.id == member).execute()
    m.StampEntry.create(member=member, card="kahve", at=to_db(NOW - DAY), stamps=2, kind="earn")
    cart = _cart(shop, [("P01", 3), ("P05", 2), ("P06", 1), ("P02", 2), ("P07", 1), ("P08", 3)], member)
    cart = cart.discount_line(cart.lines[3].line_no, Discount("percent", Decimal(10))).with_coupons(["HEPSI10"])
    got = pricing.earn_preview(cart, now=NOW, tz=TZ, program=program)
    assert got == old_earn_preview(cart, now=NOW, tz=TZ, program=program)
    assert got is not None and got.points > 0 and got.supplier and got.tier_bonus_points > 0


def test_earn_preview_when_nothing_in_the_program_can_apply(shop: dict[str, m.Product]) -> None:
    """A cart the engine skips (no member, no promotion for everyone): the quote has no lines of
    its own, so the fast path builds them; still what the totals gave."""
    cart = _cart(shop, [("P01", 2), ("P08", 3), ("P07", 1)], None)
    members_only = Program(promotions=tuple(p for p in rules.active_program().promotions if p.members_only))
    for program in (Program(), members_only):
        got = pricing.earn_preview(cart, now=NOW, tz=TZ, program=program)
        assert got is not None and got.base > 0
        assert got == old_earn_preview(cart, now=NOW, tz=TZ, program=program)


@given(
    stamps=st.dictionaries(st.sampled_from(["kahve", "kozmetik", "x"]), st.integers(-20, 50)),
    monthly=st.dictionaries(st.sampled_from(["altin-kahve", "altin-cay"]), st.integers(0, 5)),
    points=st.integers(0, 10_000),
    tier=st.sampled_from([None, "kirmizi", "altin"]),
    items=st.lists(st.tuples(st.sampled_from(PRODUCTS), st.integers(1, 4)), min_size=1, max_size=12),
)
def test_earning_needs_neither_stamps_nor_monthly_use_nor_points(
    stamps: dict[str, int],
    monthly: dict[str, int],
    points: int,
    tier: str | None,
    items: list[tuple[tuple[str, str, str, str | None, str], int]],
) -> None:
    """Why posting reads the member with ``history=False``: the points are the same."""
    program = parse_program(RULES, source="test.toml")
    lines = [
        EngineLine(n, code, cat, sup, unit, qty * MILLI, Decimal(price), Decimal(price) * qty)
        for n, ((code, price, cat, sup, unit), qty) in enumerate(items, 1)
    ]
    full = MemberContext(7, tier, date(1990, 11, 14), stamps, monthly, points)
    bare = MemberContext(7, tier, date(1990, 11, 14))
    day = shop_day(NOW, TZ)
    assert earning(lines, full, program, day=day) == earning(lines, bare, program, day=day)


# --------------------------------------------------------------------------- coupons and benefits


@DB_EXAMPLES
@given(
    uses=st.integers(0, 3),
    valid=st.tuples(st.one_of(st.none(), st.integers(-5, 5)), st.one_of(st.none(), st.integers(-5, 5))),
    personal=st.booleans(),
    product=st.one_of(st.none(), st.sampled_from(["P01", "P05"])),
    kind=st.sampled_from(["amount", "percent"]),
)
def test_get_coupon_is_what_the_two_queries_gave(
    shop: dict[str, m.Product],
    uses: int,
    valid: tuple[int | None, int | None],
    personal: bool,
    product: str | None,
    kind: str,
) -> None:
    member = new_member(NOW)
    cashier = new_user(NOW, f"kasiyer{member}")
    day = shop_day(NOW, TZ)
    frm, to = (None if v is None else day + v * DAY for v in valid)
    if frm is not None and to is not None and to < frm:
        frm, to = to, frm
    info = create_coupon(
        None,
        kind=kind,
        amount=Decimal("7.50") if kind == "amount" else None,
        percent=Decimal("12.5") if kind == "percent" else None,
        min_spend=Decimal(25),
        valid_from=frm,
        valid_to=to,
        max_uses=None,
        member_id=member if personal else None,
        product_code=product,
        note="deneme",
        now=NOW,
    )
    for _ in range(uses):
        coupons.record_use(info.code, sale_row(NOW, cashier, member, 1000), member, Decimal(1), NOW)
    assert coupons.get_coupon(info.code.lower()) == old_get_coupon(info.code)
    assert coupons.get_coupon(info.code).uses == uses


def test_get_coupon_of_an_unknown_code_is_not_found(shop: dict[str, m.Product]) -> None:
    with pytest.raises(NotFound):
        coupons.get_coupon("YOKBOYLE")


@given(
    line_no=st.integers(1, 500),
    kurus=st.integers(0, 10**9),
    kind=st.sampled_from(["promotion", "stamp", "reward", "tier", "coupon"]),
    code=st.text(min_size=1, max_size=8),
    label=st.text(max_size=20),
    points=st.integers(0, 1000),
)
def test_a_remembered_benefit_is_the_benefit_built_anew(
    line_no: int, kurus: int, kind: str, code: str, label: str, points: int
) -> None:
    made = Benefit(line_no, from_kurus(kurus), kind, code, label, points)
    first = benefit(line_no, kurus, kind, code, label, points)
    assert first == made and str(first.amount) == str(made.amount) and first.to_dict() == made.to_dict()
    assert benefit(line_no, kurus, kind, code, label, points) is first
    _BENEFITS.clear()
    assert benefit(line_no, kurus, kind, code, label, points) == made

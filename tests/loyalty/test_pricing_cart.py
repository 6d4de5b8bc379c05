"""Pricing a real cart from the database: the member as the engine sees them (tier, stamps,
this month's monthly benefits, points), benefits on the cart, coupons checked, and the points
preview for the customer panel."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from engine_support import SHIPPED, cart_of, new_product, sale_row
from loyalty_support import new_member

from pos_tui.core.basket import Discount
from pos_tui.core.kernel import Actor, ValidationError, to_db
from pos_tui.core.loyalty import StampChange, create_coupon, ledger, pricing, rules
from pos_tui.store import fast
from pos_tui.store import models as m

TZ = "Europe/Istanbul"


@pytest.fixture
def shop(db: object, now: datetime) -> dict[str, m.Product]:
    rules.apply_rules(SHIPPED.read_text(encoding="utf-8"), now=now)
    return {
        "tv": new_product(now, "9100", "5000.00", name="Televizyon", category="Elektronik", kdv=20),
        "kahve": new_product(now, "1005", "64.90", name="Türk Kahvesi", category="Temel Gıda"),
        "cay": new_product(now, "1003", "254.90", name="Rize Çay", category="Temel Gıda", supplier="TED-RCD"),
        "cikolata": new_product(now, "1401", "39.90", name="Çikolata", category="Atıştırmalık", kdv=10),
        "biskuvi": new_product(now, "1402", "19.90", name="Bisküvi", category="Atıştırmalık", kdv=10),
        "sampuan": new_product(now, "1503", "119.90", name="Şampuan", category="Kişisel Bakım", kdv=20),
        "sabun": new_product(now, "1504", "79.90", name="Sabun", category="Kişisel Bakım", kdv=20),
        "sigara": new_product(now, "1901", "95.00", name="Sigara", category="Tütün", supplier="TED-TDA", kdv=20),
        "ekmek": new_product(now, "50", "10.00", name="Ekmek", category="Fırın"),
        "simit": new_product(now, "51", "15.00", name="Simit", category="Fırın"),
    }


def with_tier(member_id: int, code: str | None, until: date | None = None) -> None:
    m.Member.update(tier_code=code, tier_until=until).where(m.Member.id == member_id).execute()


def test_five_thousand_in_october_is_seven_fifty_off_in_november(shop: dict[str, m.Product], now: datetime) -> None:
    member = new_member(now)
    with_tier(member, "altin")  # what the tier job sets after 5,000 TRY spent in October
    cart = pricing.price_cart(cart_of([(shop["tv"], 1)], member), now=now, tz=TZ)
    assert [(b.kind, b.code, b.amount) for b in cart.benefits] == [("tier", "altin", Decimal("750.00"))]
    assert cart.total == Decimal("4250.00")
    # The same basket without the member: no discount (nothing for everyone on a TV).
    assert pricing.price_cart(cart_of([(shop["tv"], 1)]), now=now, tz=TZ).benefits == ()


def test_the_members_tier_while_it_holds(shop: dict[str, m.Product], now: datetime) -> None:
    program = rules.active_program()
    member = new_member(now)
    assert pricing.member_context(member, program, now=now, tz=TZ).tier_code == "kirmizi"  # not placed yet
    with_tier(member, "gumus", until=date(2026, 11, 1))
    assert pricing.member_context(member, program, now=now, tz=TZ).tier_code == "gumus"  # through that day
    with_tier(member, "gumus", until=date(2026, 10, 31))
    assert pricing.member_context(member, program, now=now, tz=TZ).tier_code == "kirmizi"  # paid term over
    with_tier(member, "eski")
    assert pricing.member_context(member, program, now=now, tz=TZ).tier_code == "kirmizi"
    no_free_tier = rules.program_from_dict({"tiers": [{"code": "vip", "name": "VIP", "min_spend": "100"}]})
    assert pricing.member_context(member, no_free_tier, now=now, tz=TZ).tier_code is None


def test_the_member_context_reads_stamps_monthly_use_points_and_first_purchase(
    shop: dict[str, m.Product], now: datetime, cashier: Actor
) -> None:
    program = rules.active_program()
    member = new_member(now)
    with_tier(member, "altin")
    ctx = pricing.member_context(member, program, now=now, tz=TZ)
    assert (ctx.stamps, ctx.monthly_used, ctx.available_points, ctx.first_purchase) == ({}, {}, 0, True)

    for stamps, kind in ((4, "earn"), (3, "earn"), (-6, "reward"), (2, "earn")):
        m.StampEntry.create(member=member, card="kahve", at=to_db(now), stamps=stamps, kind=kind)
    m.StampEntry.create(member=member, card="lens", at=to_db(now), stamps=10, kind="import")
    ledger.earn(member, 120, now=now - timedelta(days=20), hold_days=15)
    ledger.earn(member, 50, now=now, hold_days=15)  # still pending
    this_month = sale_row(now, cashier.user_id, member, 6490)
    last_month = sale_row(now - timedelta(days=2), cashier.user_id, member, 6490)
    for sale in (this_month, last_month):
        fast.insert_one(
            m.SaleBenefit,
            {
                "sale": sale,
                "line_no": 1,
                "kind": "tier",
                "code": "altin-kahve",
                "label": "x",
                "amount": 6490,
                "points": 0,
            },
        )
    fast.insert_one(
        m.SaleBenefit,
        {"sale": this_month, "line_no": 2, "kind": "tier", "code": "altin", "label": "x", "amount": 100, "points": 0},
    )
    ctx = pricing.member_context(member, program, now=now, tz=TZ)
    assert ctx.stamps == {"kahve": 3, "lens": 10}
    assert ctx.monthly_used == {"altin-kahve": 1}  # 30 October's does not count in November
    assert ctx.available_points == 120 and ctx.first_purchase is False
    light = pricing.member_context(member, program, now=now, tz=TZ, points=False, first_purchase=False)
    assert light.available_points == 0 and light.stamps == ctx.stamps


def test_a_cart_with_every_kind_of_benefit(shop: dict[str, m.Product], now: datetime) -> None:
    member = new_member(now)
    with_tier(member, "altin")
    m.StampEntry.create(member=member, card="kahve", at=to_db(now), stamps=6, kind="import")
    ledger.earn(member, 100, now=now - timedelta(days=30), hold_days=15)
    create_coupon("KAHVE10", kind="percent", percent=Decimal(10), product_code="1003", now=now)
    cart = cart_of(
        [
            (shop["cikolata"], 2),
            (shop["biskuvi"], 1),  # 3 al 2 öde: the biscuit (cheapest) is free
            (shop["kahve"], 2),  # one free by the monthly benefit, the other by the stamp card
            (shop["ekmek"], 1),  # the reward
            (shop["cay"], 1),  # the coupon
            (shop["sigara"], 1),  # excluded: no tier discount
        ],
        member,
    )
    cart = cart.with_rewards(["ekmek"]).with_coupons(["kahve10"])
    priced = pricing.price_cart(cart, now=now, tz=TZ)
    rows = [(b.line_no, b.kind, b.code, b.amount) for b in priced.benefits]
    assert rows[:4] == [
        (2, "promotion", "3al2ode", Decimal("19.90")),
        (3, "stamp", "kahve", Decimal("64.90")),
        (4, "reward", "ekmek", Decimal("10.00")),
        (3, "tier", "altin-kahve", Decimal("64.90")),
    ]
    tier = [r for r in rows if r[2] == "altin"]
    assert [r[0] for r in tier] == [1, 5]  # chocolate and tea; nothing on the cigarettes
    assert sum(r[3] for r in tier) == Decimal("50.21")  # 15 % of 79.80 + 254.90, rounded once
    coupon = [r for r in rows if r[1] == "coupon"]
    assert coupon == [(5, "coupon", "KAHVE10", Decimal("21.67"))]
    quote = pricing.quote(cart, now=now, tz=TZ)
    assert quote.evaluation.stamps == {"kahve": StampChange(earned=0, spent=6)}
    assert quote.evaluation.reward_points == 10 and quote.evaluation.monthly_used == {"altin-kahve": 1}


def test_coupons_and_rewards_that_cannot_apply(shop: dict[str, m.Product], now: datetime) -> None:
    member = new_member(now)
    create_coupon("EN-AZ-500", kind="amount", amount=Decimal(50), min_spend=Decimal(500), now=now)
    cart = cart_of([(shop["cay"], 1)], member)
    with pytest.raises(ValidationError, match="No coupon with code YOK"):
        pricing.price_cart(cart.with_coupons(["yok"]), now=now, tz=TZ)
    with pytest.raises(ValidationError, match=r"needs a receipt of at least 500\.00; this one is"):
        pricing.price_cart(cart.with_coupons(["EN-AZ-500"]), now=now, tz=TZ)
    with pytest.raises(ValidationError, match="put product 50 in the cart first"):
        pricing.price_cart(cart.with_rewards(["ekmek"]), now=now, tz=TZ)
    bread = cart_of([(shop["ekmek"], 1)], member).with_rewards(["ekmek"])
    with pytest.raises(ValidationError, match="cost 10 points; the member has 0 available"):
        pricing.price_cart(bread, now=now, tz=TZ)
    loose = pricing.quote(cart.with_coupons(["EN-AZ-500", "yok", "en-az-500"]), now=now, tz=TZ)
    assert loose.cart.benefits == tuple(b for b in loose.cart.benefits if b.kind == "tier")
    assert len(loose.problems) == 3
    assert pricing.price_cart(cart.with_coupons(["yok"]), now=now, tz=TZ, strict=False).coupons == ("yok",)
    # The minimum is checked after the tier discount: two teas (509.80 less Kırmızı's 3 %) do
    # not reach it, three do.
    two = cart_of([(shop["cay"], 2)], member).with_coupons(["en-az-500"])
    with pytest.raises(ValidationError, match=r"this one is 494\.51"):
        pricing.price_cart(two, now=now, tz=TZ)
    three = pricing.price_cart(cart_of([(shop["cay"], 3)], member).with_coupons(["en-az-500"]), now=now, tz=TZ)
    assert [b.amount for b in three.benefits if b.kind == "coupon"] == [Decimal("50.00")]


def test_a_non_members_cart_costs_one_query_when_nothing_is_for_everyone(db: object, now: datetime) -> None:
    rules.apply_rules(
        '[[promotions]]\ncode = "m"\nname = "M"\nkind = "buy_x_get_y"\nbuy = 1\n'
        "all_products = true\nmembers_only = true\n",
        now=now,
    )
    product = new_product(now, "1", "10.00")
    cart = cart_of([(product, 4)])
    rules.active_program()
    db_ = fast._db()
    seen: list[str] = []
    real = db_.execute_sql

    def spy(sql: str, *args: object, **kwargs: object) -> object:
        seen.append(sql)
        return real(sql, *args, **kwargs)

    db_.execute_sql = spy  # type: ignore[method-assign]
    try:
        priced = pricing.price_cart(cart, now=now, tz=TZ)
    finally:
        del db_.execute_sql
    assert priced.benefits == () and len(seen) == 1
    member = new_member(now)
    assert pricing.price_cart(cart.with_member(member), now=now, tz=TZ).total == Decimal("20.00")


def test_public_promotions_apply_without_a_member_and_old_benefits_are_replaced(
    shop: dict[str, m.Product], now: datetime
) -> None:
    cart = pricing.price_cart(cart_of([(shop["cikolata"], 3)]), now=now, tz=TZ)
    assert [(b.kind, b.amount) for b in cart.benefits] == [("promotion", Decimal("39.90"))]
    fewer = pricing.price_cart(cart.set_quantity(1, 2000), now=now, tz=TZ)
    assert fewer.benefits == ()
    voided = pricing.price_cart(cart.void(1, "müşteri vazgeçti"), now=now, tz=TZ)
    assert voided.benefits == ()
    # The second-item promotion is for members only.
    pair = cart_of([(shop["sampuan"], 1), (shop["sabun"], 1)])
    assert pricing.price_cart(pair, now=now, tz=TZ).benefits == ()
    member = new_member(now)
    priced = pricing.price_cart(pair.with_member(member), now=now, tz=TZ)
    assert [(b.line_no, b.kind, b.amount) for b in priced.benefits if b.kind == "promotion"] == [
        (2, "promotion", Decimal("39.95"))
    ]


def test_earn_preview_for_the_customer_panel(shop: dict[str, m.Product], now: datetime) -> None:
    member = new_member(now)
    with_tier(member, "gumus")
    cart = cart_of([(shop["tv"], 1), (shop["sigara"], 1), (shop["cay"], 1)], member)
    preview = pricing.earn_preview(cart, now=now, tz=TZ)
    assert preview is not None
    # Paid after 10 %: TV 4500, tea 229.41 → 4729.41 at 1 % → 47; ×1.5 → 70; + 10 for the tea.
    assert (preview.base, preview.base_points, preview.tier_bonus_points) == (Decimal("4729.41"), 47, 23)
    assert preview.points == 47 + 23 + 10
    # A cart discount and points paid lower the base.
    discounted = pricing.earn_preview(
        cart.discount_cart(Discount("amount", Decimal("1000.00"))),
        now=now,
        tz=TZ,
        non_earning_paid=Decimal("500.00"),
    )
    assert discounted is not None and discounted.base < preview.base - Decimal("1000.00")
    # Without a member: what a new member (entry tier, no tier bonus) would earn.
    guest = pricing.earn_preview(cart_of([(shop["tv"], 1)]), now=now, tz=TZ)
    assert guest is not None and guest.points == 50 and guest.tier_bonus_points == 0
    assert pricing.earn_preview(cart_of([]), now=now, tz=TZ) is None

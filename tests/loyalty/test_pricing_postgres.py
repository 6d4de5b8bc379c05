"""Rules, pricing and coupons on PostgreSQL: the same results as on SQLite through the same
portable queries (the newest rules version, product facts, the member's stamps and monthly
use, the offers' grouped history, the coupon lock)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import peewee
import pytest
from engine_support import SHIPPED, cart_of, new_product, sale_line_row, sale_row
from loyalty_support import new_member, new_user

from pos_tui.core.kernel import StateError, to_db
from pos_tui.core.loyalty import Program, coupons, ledger, pricing, rules
from pos_tui.core.loyalty.rules import versions as rules_versions
from pos_tui.store import fast
from pos_tui.store import models as m

pytestmark = pytest.mark.postgres
TZ = "Europe/Istanbul"


def test_rules_pricing_and_coupons_on_postgres(pg_db: peewee.Database, now: datetime) -> None:
    rules_versions._reset_cache()
    assert rules.active_program() == Program()
    version = rules.apply_rules(SHIPPED.read_text(encoding="utf-8"), now=now)
    assert rules.active_rules_id() == version.id
    assert rules.apply_rules(SHIPPED.read_text(encoding="utf-8"), now=now).id == version.id
    assert rules.set_tier("gumus", discount=Decimal(12), now=now).id != version.id

    cashier = new_user(now, "kasa")
    member = new_member(now)
    m.Member.update(tier_code="altin").where(m.Member.id == member).execute()
    coffee = new_product(now, "1005", "64.90", category="Temel Gıda")
    tv = new_product(now, "9100", "5000.00", category="Elektronik")
    m.StampEntry.create(member=member, card="kahve", at=to_db(now), stamps=6, kind="import")
    ledger.earn(member, 100, now=now - timedelta(days=30), hold_days=15)
    earlier = sale_row(now, cashier, member, 6490)
    fast.insert_one(
        m.SaleBenefit,
        {
            "sale": earlier,
            "line_no": 1,
            "kind": "tier",
            "code": "altin-kahve",
            "label": "x",
            "amount": 6490,
            "points": 0,
        },
    )
    sale_line_row(earlier, 1, coffee, 3)

    ctx = pricing.member_context(member, rules.active_program(), now=now, tz=TZ)
    assert (ctx.tier_code, ctx.stamps, ctx.monthly_used, ctx.available_points, ctx.first_purchase) == (
        "altin",
        {"kahve": 6},
        {"altin-kahve": 1},
        100,
        False,
    )
    coupons.create_coupon("PG10", kind="amount", amount=Decimal(10), now=now)
    cart = cart_of([(tv, 1), (coffee, 1)], member).with_coupons(["pg10"])
    priced = pricing.price_cart(cart, now=now, tz=TZ)
    assert [(b.kind, b.code, b.amount) for b in priced.benefits] == [
        ("stamp", "kahve", Decimal("64.90")),
        ("tier", "altin", Decimal("750.00")),
        ("coupon", "PG10", Decimal("10.00")),
    ]
    preview = pricing.earn_preview(priced, now=now, tz=TZ)
    assert preview is not None and preview.base == Decimal("4240.00")

    made = coupons.generate_offers(now=now + timedelta(hours=1), tz=TZ)
    assert [(c.member_id, c.product_code) for c in made] == [(member, "1005")]
    coupons.record_use("PG10", earlier, member, Decimal(10), now)
    with pytest.raises(StateError):
        coupons.record_use("PG10", earlier, member, Decimal(10), now)
    rules_versions._reset_cache()

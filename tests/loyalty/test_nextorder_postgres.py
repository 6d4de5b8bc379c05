"""Next-order coupons and the tier counting the current receipt on PostgreSQL: issued in the
sale's transaction, withdrawn by the return under the coupon's row lock, the upgrade written at once."""

from __future__ import annotations

from datetime import datetime, timedelta

import peewee
import pytest
from checkout_support import basket, enroll, product_maker, sell
from loyalty_support import new_user

from pos_tui.core.kernel import Actor
from pos_tui.core.loyalty import coupons_issued_by, get_coupon, rules, tiers
from pos_tui.core.loyalty.rules import versions as rules_versions
from pos_tui.core.till import ReturnLineInput, create_return
from pos_tui.settings import DEFAULT_ROLES
from pos_tui.store import models as m

pytestmark = pytest.mark.postgres

RULES = """
[points]
hold_days = 0
[tier_qualification]
count_current_receipt = true
[[tiers]]
code = "kirmizi"
name = "Kırmızı"
min_spend = 0
[[tiers]]
code = "altin"
name = "Altın"
min_spend = 1000
[[next_order_coupons]]
code = "gelecek"
name = "Bir sonraki alışverişe %20"
min_spend = 500
kind = "percent"
percent = 20
max_amount = 200
"""


def test_issue_withdraw_and_upgrade_on_postgres(pg_db: peewee.Database, now: datetime) -> None:
    rules_versions._reset_cache()
    rules.apply_rules(RULES, now=now)
    role = DEFAULT_ROLES["cashier"]
    till = Actor(new_user(now, "ayse"), "ayse", "cashier", role.permissions, role.max_discount_pct)
    tea = product_maker(now)("T500", "Çay 5 kg", "500", "Çay")
    member = enroll(now)
    first = sell(till, basket(member, (tea, 1)), now)
    second = sell(till, basket(member, (tea, 1)), now + timedelta(hours=1))
    assert tiers.member_tier(member).code == "altin"
    assert m.TierChange.get(m.TierChange.member == member).sale_id == second
    [coupon] = coupons_issued_by(m.Sale.get_by_id(first).uid)
    assert coupon.member_id == member and coupon.max_discount is not None
    uid = m.Sale.get_by_id(first).uid
    create_return("T1", till, uid, [ReturnLineInput(1, 1000)], now=now + timedelta(hours=2), reason="iade")
    assert not get_coupon(coupon.code).active
    assert len(coupons_issued_by(m.Sale.get_by_id(second).uid)) == 1

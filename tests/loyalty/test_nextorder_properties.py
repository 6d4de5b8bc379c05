"""Properties of next-order coupons over any receipt and any sequence of partial returns:

- the receipt issues the coupon exactly when its non-excluded lines reach ``min_spend`` (and
  its coffee reaches ``scope_min_spend``);
- after every return, an unused coupon is active exactly when what is left of the receipt still
  qualifies (so it depends on what came back in all, never on how the returns were split);
- a used coupon is never withdrawn.

Each example runs in its own SQLite file."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

from checkout_support import basket, enroll, product_maker, sell
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pos_tui.core.kernel import Actor, to_db
from pos_tui.core.loyalty import coupons_issued_by, get_coupon, rules
from pos_tui.core.loyalty.rules import versions as rules_versions
from pos_tui.core.till import ReturnLineInput, create_return
from pos_tui.settings import DEFAULT_ROLES
from pos_tui.store import close_database, open_database
from pos_tui.store import models as m

PRICES = {"tea": Decimal(100), "coffee": Decimal(50), "tobacco": Decimal(100)}
ORDER = ("tea", "coffee", "tobacco")  # receipt lines 1, 2, 3 (a line of 0 units is left out)

RULE = """
[earning]
[earning.excluded]
categories = ["Tütün"]
[[next_order_coupons]]
code = "gelecek"
name = "Gelecek alışverişe 20 TL"
min_spend = {min_spend}
categories = ["Kahve"]
scope_min_spend = {scope_min}
kind = "amount"
amount = 20
"""


@contextmanager
def fresh_shop(base: Path, now: datetime, min_spend: int, scope_min: int) -> Iterator[tuple[Actor, dict]]:
    database = open_database(base / f"{uuid.uuid4().hex}.sqlite3")
    database.execute_sql("PRAGMA synchronous = OFF")
    try:
        rules_versions._reset_cache()
        rules.apply_rules(RULE.format(min_spend=min_spend, scope_min=scope_min), now=now)
        role = DEFAULT_ROLES["cashier"]
        user = m.User.create(name="ayse", role="cashier", pin_tag="t-ayse", pin_hash="x", created_at=to_db(now))
        till = Actor(user.id, "ayse", "cashier", role.permissions, role.max_discount_pct)
        make = product_maker(now)
        products = {
            "tea": make("CAY", "Çay", "100", "Çay"),
            "coffee": make("KHV", "Kahve", "50", "Kahve"),
            "tobacco": make("SGR", "Sigara", "100", "Tütün"),
        }
        yield till, products
    finally:
        rules_versions._reset_cache()
        close_database()


def qualifies(units: dict[str, int], min_spend: int, scope_min: int) -> bool:
    eligible = units["tea"] * PRICES["tea"] + units["coffee"] * PRICES["coffee"]
    coffee = units["coffee"] * PRICES["coffee"]
    return eligible > 0 and eligible >= min_spend and coffee > 0 and coffee >= scope_min


@st.composite
def receipts(draw: st.DrawFn) -> tuple[dict[str, int], list[dict[str, int]], int, int, bool]:
    units = {name: draw(st.integers(0, 4)) for name in ORDER}
    if not any(units.values()):
        units["tea"] = 1
    left = dict(units)
    returns = []
    for _ in range(draw(st.integers(0, 3))):
        back = {name: draw(st.integers(0, left[name])) for name in ORDER}
        if any(back.values()):
            returns.append(back)
            left = {name: left[name] - back[name] for name in ORDER}
    min_spend = draw(st.sampled_from([0, 100, 250, 400]))
    scope_min = draw(st.sampled_from([0, 50, 100]))
    used = draw(st.booleans())
    return units, returns, min_spend, scope_min, used


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=receipts())
def test_the_coupon_follows_what_is_left_of_the_receipt(tmp_path: Path, now: datetime, case: tuple) -> None:
    units, returns, min_spend, scope_min, used = case
    with fresh_shop(tmp_path, now, min_spend, scope_min) as (till, products):
        member = enroll(now)
        items = [(products[name], units[name]) for name in ORDER if units[name]]
        line_of = {name: i for i, name in enumerate((n for n in ORDER if units[n]), start=1)}
        sale = sell(till, basket(member, *items), now)
        uid = m.Sale.get_by_id(sale).uid
        issued = coupons_issued_by(uid)
        assert bool(issued) == qualifies(units, min_spend, scope_min)
        if not issued:
            return
        [coupon] = issued
        at = now + timedelta(days=1)
        if used:  # spent on a later receipt of 100 TL of tea
            sell(till, basket(member, (products["tea"], 1)).with_coupons([coupon.code]), at)
        left = dict(units)
        for i, back in enumerate(returns):
            inputs = [ReturnLineInput(line_of[name], n * 1000) for name, n in back.items() if n]
            create_return("T1", till, uid, inputs, now=at + timedelta(minutes=i + 1), reason="iade")
            left = {name: left[name] - back[name] for name in ORDER}
            assert get_coupon(coupon.code).active == (used or qualifies(left, min_spend, scope_min))

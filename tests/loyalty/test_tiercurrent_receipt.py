"""``tier_qualification.count_current_receipt``: a member's sale re-evaluates their tier as it
posts, counting itself (upgrades only). The receipt keeps the prices and points it was priced
with; the next receipt has the new tier. With the option off nothing changes until ``loyalty run``."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

from checkout_support import Product, basket, enroll, sell

from pos_tui.core import audit
from pos_tui.core.kernel import Actor
from pos_tui.core.loyalty import rules, tiers
from pos_tui.settings import Settings
from pos_tui.store import models as m

TZ = "Europe/Istanbul"

LADDER = """
[points]
hold_days = 0
[earning]
percent = 1
[tier_qualification]
window = "{window}"
length = {length}
count_current_receipt = {count}
[[tiers]]
code = "kirmizi"
name = "Kırmızı"
min_spend = 0
[[tiers]]
code = "altin"
name = "Altın"
min_spend = 5000
multiplier = 2
basket_discount_percent = 15
"""


def program_text(*, count: bool, window: str = "previous_month", length: int = 1) -> str:
    return LADDER.format(window=window, length=length, count="true" if count else "false")


def total_of(sale_id: int) -> int:
    return int(m.Sale.get_by_id(sale_id).total)


def earned(sale_id: int) -> int:
    return int(m.SaleLoyalty.get(m.SaleLoyalty.sale == sale_id).points)


def test_a_3000_tl_member_buying_2000_tl_is_altin_right_after_the_sale(
    till: Actor, product: Product, now: datetime, settings: Settings
) -> None:
    rules.apply_rules(program_text(count=True), now=now)
    tv = product("TV", "Televizyon", "3000")
    fridge = product("BZ", "Buzdolabı", "2000")
    tea = product("CY", "Çay", "100")
    member = enroll(now)
    first = sell(till, basket(member, (tv, 1)), now)
    # 3.000 TL this month: still the entry tier, and no tier change is written for it.
    assert tiers.member_tier(member) == tiers.MemberTier(None, None)
    assert m.TierChange.select().count() == 0
    assert total_of(first) == 300_000

    sale = sell(till, basket(member, (fridge, 1)), now + timedelta(hours=1))
    assert tiers.member_tier(member) == tiers.MemberTier("altin", date(2026, 11, 30))
    change = m.TierChange.get(m.TierChange.member == member)
    assert (change.from_code, change.to_code, change.reason, change.sale_id) == (None, "altin", "receipt", sale)
    # The receipt that got there keeps what it was priced with: no 15 %, single points.
    assert total_of(sale) == 200_000 and earned(sale) == 20
    data = json.loads(m.SaleLoyalty.get(m.SaleLoyalty.sale == sale).data)
    assert data["tier_upgrade"] == {"from": None, "to": "altin"}
    entry = m.JournalEntry.get(m.JournalEntry.kind == "tier_change")
    payload = json.loads(entry.payload)
    assert (payload["to"], payload["reason"], payload["sale_id"], payload["spend"]) == (
        "altin",
        "receipt",
        sale,
        "5000.00",
    )

    after = sell(till, basket(member, (tea, 1)), now + timedelta(hours=2))
    assert total_of(after) == 8_500  # 15 % off the next receipt
    assert earned(after) == 1  # 85 TL × 1 % = 0.85 raw, × 2 = 1.70: 0 + 1 point
    assert m.TierChange.select().count() == 1  # no change again: already Altın
    assert audit.verify(settings=settings).problems == []


def test_with_the_option_off_nothing_changes_until_loyalty_run(till: Actor, product: Product, now: datetime) -> None:
    rules.apply_rules(program_text(count=False), now=now)
    tv = product("TV", "Televizyon", "3000")
    fridge = product("BZ", "Buzdolabı", "2000")
    tea = product("CY", "Çay", "100")
    member = enroll(now)
    sell(till, basket(member, (tv, 1)), now)
    sale = sell(till, basket(member, (fridge, 1)), now + timedelta(hours=1))
    assert tiers.member_tier(member) == tiers.MemberTier(None, None)
    assert "tier_upgrade" not in json.loads(m.SaleLoyalty.get(m.SaleLoyalty.sale == sale).data)
    assert total_of(sell(till, basket(member, (tea, 1)), now + timedelta(hours=2))) == 10_000

    december = datetime(2026, 12, 1, 7, 0, tzinfo=UTC)
    done = tiers.evaluate_all(rules.active_program(), now=december, tz=TZ)
    assert [(c.member_id, c.to_code) for c in done.changes] == [(member, "altin")]
    assert total_of(sell(till, basket(member, (tea, 1)), december + timedelta(hours=1))) == 8_500


def test_a_rolling_window_counts_the_receipt_and_gives_a_full_term(
    till: Actor, product: Product, now: datetime
) -> None:
    rules.apply_rules(program_text(count=True, window="rolling_days", length=30), now=now)
    big = product("TV", "Televizyon", "4000")
    small = product("RD", "Radyo", "1000")
    member = enroll(now)
    sell(till, basket(member, (big, 1)), now - timedelta(days=20))
    assert tiers.member_tier(member).code is None
    sell(till, basket(member, (small, 1)), now)
    assert tiers.member_tier(member) == tiers.MemberTier("altin", date(2026, 11, 30))  # 1 November + 29 days


def test_a_small_receipt_never_lowers_a_tier(till: Actor, product: Product, now: datetime) -> None:
    rules.apply_rules(program_text(count=True), now=now)
    tea = product("CY", "Çay", "100")
    member = enroll(now)
    tiers.set_member_tier(
        member, "altin", until=date(2026, 12, 31), reason="paid", actor=None, now=now, program=rules.active_program()
    )
    sell(till, basket(member, (tea, 1)), now)
    assert tiers.member_tier(member) == tiers.MemberTier("altin", date(2026, 12, 31))
    assert [c.reason for c in tiers.tier_changes(member)] == ["paid"]


def test_a_member_who_is_already_above_the_entry_tier_moves_from_it(
    till: Actor, product: Product, now: datetime
) -> None:
    rules.apply_rules(program_text(count=True), now=now)
    fridge = product("BZ", "Buzdolabı", "5000")
    member = enroll(now)
    tiers.set_member_tier(
        member, "kirmizi", until=date(2026, 11, 30), reason="paid", actor=None, now=now, program=rules.active_program()
    )
    sell(till, basket(member, (fridge, 1)), now)
    assert [(c.from_code, c.to_code, c.reason) for c in tiers.tier_changes(member)] == [
        (None, "kirmizi", "paid"),
        ("kirmizi", "altin", "receipt"),
    ]


def test_returning_the_receipt_that_reached_the_tier_keeps_the_tier_until_loyalty_run(
    till: Actor, product: Product, now: datetime
) -> None:
    from pos_tui.core.till import ReturnLineInput, create_return

    rules.apply_rules(program_text(count=True), now=now)
    fridge = product("BZ", "Buzdolabı", "5000")
    member = enroll(now)
    sale = sell(till, basket(member, (fridge, 1)), now)
    assert tiers.member_tier(member).code == "altin"
    uid = m.Sale.get_by_id(sale).uid
    create_return("T1", till, uid, [ReturnLineInput(1, 1000)], now=now + timedelta(hours=1), reason="iade")
    assert tiers.member_tier(member) == tiers.MemberTier("altin", date(2026, 11, 30))
    # The term runs out with November; December's evaluation sees November's spend net of the return.
    done = tiers.evaluate_all(rules.active_program(), now=datetime(2026, 12, 1, 7, 0, tzinfo=UTC), tz=TZ)
    assert [(c.member_id, c.to_code) for c in done.changes] == [(member, "kirmizi")]

"""What a return does to a paid membership and to a referral bonus (pos_tui.core.loyalty.posting).

- A returned membership product puts the member back in the tier and term they had before it,
  unless the tier changed since (then it is kept and the journal says so).
- A first receipt that no longer pays the referral's minimum takes the referrer's bonus back.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from checkout_support import Product, basket, enroll, sell

from pos_tui.core.kernel import Actor
from pos_tui.core.kernel.clock import shop_day
from pos_tui.core.loyalty import ledger, members, rules, tiers
from pos_tui.core.till import ReturnLineInput, create_return
from pos_tui.store import models as m

TZ = "Europe/Istanbul"

RULES = """
[points]
hold_days = 0
[earning]
percent = 1
[[tiers]]
code = "kirmizi"
name = "Kırmızı"
min_spend = 0
[[tiers]]
code = "altin"
name = "Altın"
min_spend = 100000
[[paid_memberships]]
product = "9001"
tier = "altin"
term_days = 365
[referral]
enabled = true
referrer_points = 100
min_first_purchase = 500
"""


def give_back(till: Actor, sale_id: int, now: datetime, *lines: tuple[int, int]) -> None:
    uid = m.Sale.get_by_id(sale_id).uid
    create_return("T1", till, uid, [ReturnLineInput(no, qty * 1000) for no, qty in lines], now=now, reason="iade")


def test_returned_membership_restores_the_tier_before_it(till: Actor, product: Product, now: datetime) -> None:
    rules.apply_rules(RULES, now=now)
    card = product("9001", "Altın üyelik", "250")
    member = enroll(now)
    assert tiers.member_tier(member) == tiers.MemberTier(None, None)
    sale = sell(till, basket(member, (card, 1)), now)
    bought = tiers.member_tier(member)
    assert bought.code == "altin" and bought.until == shop_day(now, TZ) + timedelta(days=364)
    data = json.loads(m.SaleLoyalty.get(m.SaleLoyalty.sale == sale).data)
    assert data["membership"]["before"] == {"code": None, "until": None}

    give_back(till, sale, now + timedelta(days=2), (1, 1))
    assert tiers.member_tier(member) == tiers.MemberTier(None, None)
    last = m.TierChange.select().where(m.TierChange.member == member).order_by(m.TierChange.id.desc()).get()
    assert (last.from_code, last.to_code, last.reason) == ("altin", None, "return")


def test_a_renewal_returned_gives_back_the_old_term(till: Actor, product: Product, now: datetime) -> None:
    rules.apply_rules(RULES, now=now)
    card = product("9001", "Altın üyelik", "250")
    member = enroll(now)
    first = sell(till, basket(member, (card, 1)), now)
    term = tiers.member_tier(member)
    later = now + timedelta(days=30)
    renewal = sell(till, basket(member, (card, 1)), later)
    assert tiers.member_tier(member).until == shop_day(later, TZ) + timedelta(days=364)
    give_back(till, renewal, later + timedelta(days=1), (1, 1))
    assert tiers.member_tier(member) == term  # the first purchase still holds, with its own term
    assert first != renewal


def test_a_tier_changed_since_is_kept_and_journalled(
    till: Actor, product: Product, now: datetime, supervisor: Actor
) -> None:
    rules.apply_rules(RULES, now=now)
    card = product("9001", "Altın üyelik", "250")
    member = enroll(now)
    sale = sell(till, basket(member, (card, 1)), now)
    day = shop_day(now, TZ)
    tiers.set_member_tier(member, "kirmizi", until=day + timedelta(days=90), reason="manual", actor=supervisor, now=now)
    give_back(till, sale, now + timedelta(days=1), (1, 1))
    assert tiers.member_tier(member) == tiers.MemberTier("kirmizi", day + timedelta(days=90))
    entry = m.JournalEntry.select().where(m.JournalEntry.kind == "loyalty").order_by(m.JournalEntry.id.desc()).get()
    assert json.loads(entry.payload)["membership_kept"] == "kirmizi"


def test_referral_bonus_goes_when_the_first_receipt_no_longer_qualifies(
    till: Actor, product: Product, now: datetime
) -> None:
    rules.apply_rules(RULES, now=now)
    shoes = product("S1", "Ayakkabı", "400")
    socks = product("S2", "Çorap", "100")
    friend = enroll(now, phone="05321111111")
    code = members.get_member(friend).referral_code
    newcomer = members.enroll(name="Ali Can", phone="05322222222", referral=code, source="cli", actor=None, now=now).id
    first = sell(till, basket(newcomer, (shoes, 1), (socks, 1)), now)  # 500: exactly the minimum
    day = shop_day(now, TZ)
    assert ledger.balance(friend, as_of=day).total == 100

    give_back(till, first, now + timedelta(days=1), (2, 1))  # 400 left: under the minimum
    assert ledger.balance(friend, as_of=day + timedelta(days=1)).total == 0
    give_back(till, first, now + timedelta(days=2), (1, 1))  # the rest: nothing more to take
    assert ledger.balance(friend, as_of=day + timedelta(days=2)).total == 0
    clawed = m.PointsEntry.select().where((m.PointsEntry.member == friend) & (m.PointsEntry.kind == "clawback"))
    assert sum(e.points for e in clawed) == -100


def test_a_partial_return_that_still_qualifies_keeps_the_bonus(till: Actor, product: Product, now: datetime) -> None:
    rules.apply_rules(RULES, now=now)
    shoes = product("S1", "Ayakkabı", "600")
    socks = product("S2", "Çorap", "50")
    friend = enroll(now, phone="05321111111")
    code = members.get_member(friend).referral_code
    newcomer = members.enroll(name="Ali Can", phone="05322222222", referral=code, source="cli", actor=None, now=now).id
    first = sell(till, basket(newcomer, (shoes, 1), (socks, 1)), now)
    give_back(till, first, now + timedelta(days=1), (2, 1))
    assert ledger.balance(friend, as_of=shop_day(now, TZ) + timedelta(days=1)).total == 100

"""Next-order coupons (docs/loyalty-rules.md, "Next-order coupons"): a receipt that qualifies
issues one coupon per rule in its own transaction; a return that takes it below the rule's
thresholds withdraws the coupon while unused; a used coupon stays used and the points clawback
is the usual one."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from checkout_support import Product, basket, enroll, sell

from pos_tui.core import audit
from pos_tui.core.kernel import Actor, ValidationError
from pos_tui.core.loyalty import check_coupon, coupons_issued_by, get_coupon, rules
from pos_tui.core.loyalty.members import member_profile
from pos_tui.core.till import ReturnLineInput, create_return
from pos_tui.settings import Settings
from pos_tui.store import models as m

TZ = "Europe/Istanbul"
DAY = date(2026, 11, 1)  # the shop day of the ``now`` fixture

RULES = """
[points]
hold_days = 0
[earning]
percent = 1
[earning.excluded]
categories = ["Tütün"]

[[next_order_coupons]]
code = "gelecek"
name = "Bir sonraki alışverişe %20"
min_spend = 500
kind = "percent"
percent = 20
max_amount = 200
valid_days = 14
coupon_min_spend = 300

[[next_order_coupons]]
code = "herkes"
name = "Herkese 50 TL"
members_only = false
min_spend = 1000
kind = "amount"
amount = 50
starts_next_day = false
valid_days = 7
"""

SCOPED = """
[[next_order_coupons]]
code = "kahve"
name = "Kahve alana 30 TL"
min_spend = 200
categories = ["Kahve"]
scope_min_spend = 100
kind = "amount"
amount = 30
"""


def uid_of(sale_id: int) -> str:
    return str(m.Sale.get_by_id(sale_id).uid)


def give_back(till: Actor, sale_id: int, now: datetime, *lines: tuple[int, int]) -> int:
    result = create_return(
        "T1", till, uid_of(sale_id), [ReturnLineInput(no, qty * 1000) for no, qty in lines], now=now, reason="iade"
    )
    return result.sale_id


@pytest.fixture
def shop(product: Product, now: datetime) -> dict[str, m.Product]:
    rules.apply_rules(RULES, now=now)
    return {
        "tea": product("T500", "Çay 5 kg", "500", "Çay"),
        "tea100": product("T100", "Çay 1 kg", "100", "Çay"),
        "cheap": product("T49999", "Çay seti", "499.99", "Çay"),
        "tobacco": product("S100", "Sigara", "100", "Tütün"),
        "coffee": product("K100", "Kahve", "100", "Kahve"),
    }


def test_a_500_tl_receipt_issues_a_20_percent_coupon_capped_at_200_for_14_days_from_tomorrow(
    till: Actor, shop: dict[str, m.Product], now: datetime, settings: Settings
) -> None:
    member = enroll(now)
    sale = sell(till, basket(member, (shop["tea"], 1)), now)
    [coupon] = coupons_issued_by(uid_of(sale))
    assert (coupon.kind, coupon.percent, coupon.max_discount) == ("percent", Decimal(20), Decimal(200))
    assert (coupon.valid_from, coupon.valid_to) == (date(2026, 11, 2), date(2026, 11, 15))
    assert (coupon.min_spend, coupon.max_uses, coupon.uses) == (Decimal(300), 1, 0)
    assert (coupon.member_id, coupon.source, coupon.rule, coupon.origin_sale) == (
        member,
        "next_order",
        "gelecek",
        uid_of(sale),
    )
    assert coupon.note == "Bir sonraki alışverişe %20" and coupon.active
    entry = m.JournalEntry.get((m.JournalEntry.kind == "coupon") & (m.JournalEntry.ref == coupon.code))
    assert json.loads(entry.payload)["origin_sale"] == uid_of(sale)
    with pytest.raises(ValidationError, match="valid from"):  # not on the day it was issued
        check_coupon(coupon.code, member_id=member, day=DAY)
    assert check_coupon(coupon.code, member_id=member, day=DAY + timedelta(days=14)).max_amount == Decimal(200)
    with pytest.raises(ValidationError, match="expired"):
        check_coupon(coupon.code, member_id=member, day=DAY + timedelta(days=15))
    profile = member_profile(member, as_of=DAY, program=rules.active_program(), tz=TZ)
    assert [c["code"] for c in profile["coupons"]] == [coupon.code]
    assert audit.verify(settings=settings).problems == []


def test_499_99_issues_nothing(till: Actor, shop: dict[str, m.Product], now: datetime) -> None:
    member = enroll(now)
    sale = sell(till, basket(member, (shop["cheap"], 1)), now)
    assert coupons_issued_by(uid_of(sale)) == []
    assert m.Coupon.select().count() == 0


def test_excluded_tobacco_does_not_count(till: Actor, shop: dict[str, m.Product], now: datetime) -> None:
    member = enroll(now)
    # 400 TL of tea and 100 TL of cigarettes: 500 TL paid, 400 TL of it counts.
    sale = sell(till, basket(member, (shop["tea100"], 4), (shop["tobacco"], 1)), now)
    assert coupons_issued_by(uid_of(sale)) == []
    sale = sell(till, basket(member, (shop["tea100"], 5), (shop["tobacco"], 1)), now)
    assert [c.rule for c in coupons_issued_by(uid_of(sale))] == ["gelecek"]


def test_a_receipt_without_a_member_gets_a_bearer_coupon_from_a_rule_for_everyone(
    till: Actor, shop: dict[str, m.Product], now: datetime, settings: Settings
) -> None:
    sale = sell(till, basket(None, (shop["tea"], 2)), now)  # 1.000 TL, no member
    [coupon] = coupons_issued_by(uid_of(sale))
    assert (coupon.rule, coupon.kind, coupon.amount, coupon.member_id) == ("herkes", "amount", Decimal(50), None)
    assert (coupon.valid_from, coupon.valid_to) == (DAY, DAY + timedelta(days=6))  # from the same day
    assert check_coupon(coupon.code, member_id=None, day=DAY).amount == Decimal(50)
    member = enroll(now)
    sale = sell(till, basket(member, (shop["tea"], 2)), now)
    issued = coupons_issued_by(uid_of(sale))
    assert [(c.rule, c.member_id) for c in issued] == [("gelecek", member), ("herkes", member)]
    assert audit.verify(settings=settings).problems == []


def test_the_scope_needs_its_own_spend(till: Actor, shop: dict[str, m.Product], now: datetime) -> None:
    rules.apply_rules(RULES + SCOPED, now=now)
    member = enroll(now)
    tea_only = sell(till, basket(member, (shop["tea100"], 3)), now)
    assert coupons_issued_by(uid_of(tea_only)) == []
    with_coffee = sell(till, basket(member, (shop["tea100"], 1), (shop["coffee"], 1)), now)
    assert [c.rule for c in coupons_issued_by(uid_of(with_coffee))] == ["kahve"]


def test_a_rule_outside_its_window_issues_nothing(till: Actor, shop: dict[str, m.Product], now: datetime) -> None:
    rules.apply_rules(RULES.replace('code = "gelecek"', 'code = "gelecek"\nvalid_to = 2026-10-31'), now=now)
    member = enroll(now)
    assert coupons_issued_by(uid_of(sell(till, basket(member, (shop["tea"], 1)), now))) == []


def test_returning_the_receipt_withdraws_the_unused_coupon(
    till: Actor, shop: dict[str, m.Product], now: datetime, settings: Settings
) -> None:
    member = enroll(now)
    # 500 + 100 TL: a return of the 100 TL line leaves 500 TL, still enough; the 500 TL line is not.
    sale = sell(till, basket(member, (shop["tea"], 1), (shop["tea100"], 1)), now)
    [coupon] = coupons_issued_by(uid_of(sale))
    later = now + timedelta(hours=2)
    give_back(till, sale, later, (2, 1))
    assert get_coupon(coupon.code).active
    back = give_back(till, sale, later + timedelta(minutes=5), (1, 1))
    assert not get_coupon(coupon.code).active
    with pytest.raises(ValidationError, match="withdrawn"):
        check_coupon(coupon.code, member_id=member, day=DAY + timedelta(days=1))
    entry = m.JournalEntry.get(m.JournalEntry.kind == "coupon_withdraw")
    payload = json.loads(entry.payload)
    assert (payload["code"], payload["origin_sale"], payload["return"]) == (coupon.code, uid_of(sale), uid_of(back))
    loyalty = m.JournalEntry.get((m.JournalEntry.kind == "loyalty") & (m.JournalEntry.ref == str(back)))
    assert json.loads(loyalty.payload)["coupons"] == {"withdrawn": [coupon.code], "kept_used": []}
    profile = member_profile(member, as_of=DAY, program=rules.active_program(), tz=TZ)
    assert profile["coupons"] == []
    assert audit.verify(settings=settings).problems == []


def test_returning_a_receipt_without_a_member_withdraws_its_bearer_coupon(
    till: Actor, shop: dict[str, m.Product], now: datetime
) -> None:
    sale = sell(till, basket(None, (shop["tea"], 2)), now)
    [coupon] = coupons_issued_by(uid_of(sale))
    give_back(till, sale, now + timedelta(hours=1), (1, 1))  # 500 TL left: below the 1.000 TL
    assert not get_coupon(coupon.code).active


def test_a_used_coupon_stays_used_and_the_return_claws_back_points_as_usual(
    till: Actor, shop: dict[str, m.Product], now: datetime, settings: Settings
) -> None:
    member = enroll(now)
    sale = sell(till, basket(member, (shop["tea"], 1)), now)  # 500 TL: 5 points, a coupon
    [coupon] = coupons_issued_by(uid_of(sale))
    tomorrow = now + timedelta(days=1)
    used_on = sell(till, basket(member, (shop["tea100"], 4)).with_coupons([coupon.code]), tomorrow)
    assert m.Sale.get_by_id(used_on).total == 32_000  # 400 TL less 20 %
    give_back(till, sale, tomorrow + timedelta(hours=1), (1, 1))
    after = get_coupon(coupon.code)
    assert after.active and after.uses == 1  # nothing withdrawn, nothing charged back
    E = m.PointsEntry
    clawed = [e.points for e in E.select().where((E.sale == sale) & (E.kind == "clawback"))]
    assert clawed == [-5]
    back = m.Sale.get(m.Sale.return_of == sale)
    loyalty = m.JournalEntry.get((m.JournalEntry.kind == "loyalty") & (m.JournalEntry.ref == str(back.id)))
    assert json.loads(loyalty.payload)["coupons"] == {"withdrawn": [], "kept_used": [coupon.code]}
    assert audit.verify(settings=settings).problems == []


def test_a_sale_without_rules_issues_nothing_and_costs_no_coupon(till: Actor, product: Product, now: datetime) -> None:
    tea = product("T500", "Çay 5 kg", "500", "Çay")
    sale = sell(till, basket(None, (tea, 3)), now)
    assert coupons_issued_by(uid_of(sale)) == []


def test_an_imported_sale_issues_personal_coupons_but_no_bearer_coupon(
    till: Actor, shop: dict[str, m.Product], now: datetime, settings: Settings, tmp_path: Path
) -> None:
    from pos_tui.core.interchange import import_sales

    member = enroll(now)
    phone = m.Member.get_by_id(member).phone
    docs = [
        {"id": "web-1", "at": "2026-11-01T10:15:00+03:00", "terminal": "T1", "cashier": "ayse", "customer": phone},
        {"id": "web-2", "at": "2026-11-01T10:20:00+03:00", "terminal": "T1", "cashier": "ayse"},
    ]
    for doc in docs:
        doc["lines"] = [{"code": "T500", "qty": "2"}]
        doc["payments"] = [{"method": "cash", "amount": "1000"}]
    path = tmp_path / "sales.jsonl"
    path.write_text("\n".join(json.dumps(d) for d in docs), encoding="utf-8")
    assert import_sales(path, settings=settings, now=now).imported == 2
    assert [(c.rule, c.member_id) for c in coupons_issued_by("web-1")] == [("gelecek", member), ("herkes", member)]
    assert coupons_issued_by("web-2") == []  # nobody would ever see a bearer code: no receipt is printed

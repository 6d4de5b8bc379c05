"""The brief's examples end to end through the till's own sale and return services: a member on
the cart, rules applied with ``apply_rules``, ``complete_sale`` / ``create_return`` posting the
loyalty effects in the same transaction (pos_tui.core.loyalty.posting)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from checkout_support import Product, basket, enroll, sell
from peewee import fn

from pos_tui.core.basket import PaymentInput
from pos_tui.core.kernel import Actor, ValidationError, to_db
from pos_tui.core.kernel.clock import shop_day
from pos_tui.core.loyalty import balance, ledger, rules, tiers
from pos_tui.core.till import ReturnLineInput, create_return
from pos_tui.store import models as m

TV_RULES = """
[points]
hold_days = 15
[earning]
percent = 10
"""


def test_the_tv_case(till: Actor, product: Product, now: datetime) -> None:
    """A 10,000 TV earns 1,000 points (10 %); a 2,000 oven three days later cannot be paid with
    them (pending); the TV returned on day 10 takes the 1,000 pending points back."""
    rules.apply_rules(TV_RULES, now=now)
    tv = product("TV1", "Televizyon 55", "10000")
    oven = product("OV1", "Ankastre Fırın", "2000")
    member = enroll(now)
    tv_sale = sell(till, basket(member, (tv, 1)), now)
    day0 = shop_day(now, "Europe/Istanbul")
    b = balance(member, as_of=day0)
    assert (b.available, b.pending) == (0, 1000)

    day3 = now + timedelta(days=3)
    with pytest.raises(ValidationError):
        sell(
            till,
            basket(member, (oven, 1)),
            day3,
            PaymentInput("points", Decimal("1000")),
            PaymentInput("cash", Decimal("1000")),
        )
    assert m.Sale.select().where(m.Sale.kind == "sale").count() == 1  # nothing half-written

    day10 = now + timedelta(days=10)
    sale = m.Sale.get_by_id(tv_sale)
    line = m.SaleLine.get(m.SaleLine.sale == tv_sale)
    create_return("T1", till, sale.uid, [ReturnLineInput(line.line_no, 1000)], now=day10, reason="changed mind")
    after = balance(member, as_of=shop_day(day10, "Europe/Istanbul"))
    assert (after.available, after.pending, after.total) == (0, 0, 0)
    # and the points never become spendable later
    later = balance(member, as_of=day0 + timedelta(days=60))
    assert later.available == 0


def test_points_pay_at_most_half_and_come_back_on_return(till: Actor, product: Product, now: datetime) -> None:
    rules.apply_rules("[points]\nhold_days = 15\n[earning]\npercent = 1\n", now=now)
    member = enroll(now)
    ledger.earn(member, 2000, now=now - timedelta(days=30), hold_days=0)
    bag = product("B1", "Çanta", "1000")
    with pytest.raises(ValidationError, match="50"):
        sell(
            till,
            basket(member, (bag, 1)),
            now,
            PaymentInput("points", Decimal("600")),
            PaymentInput("cash", Decimal("400")),
        )
    sale_id = sell(
        till,
        basket(member, (bag, 1)),
        now,
        PaymentInput("points", Decimal("500")),
        PaymentInput("cash", Decimal("500")),
    )
    day = shop_day(now, "Europe/Istanbul")
    b = balance(member, as_of=day)
    assert b.available == 1500
    assert b.pending == 5  # 1 % of the 500 paid in cash; the points part earns nothing
    sale = m.Sale.get_by_id(sale_id)
    line = m.SaleLine.get(m.SaleLine.sale == sale_id)
    create_return("T1", till, sale.uid, [ReturnLineInput(line.line_no, 1000)], now=now, reason="faulty")
    b = balance(member, as_of=day)
    assert (b.available, b.pending) == (2000, 0)


MONTHLY_TIERS = """
[tier_qualification]
window = "previous_month"
[[tiers]]
code = "t3"
name = "%3"
min_spend = 0
basket_discount_percent = 3
[[tiers]]
code = "t10"
name = "%10"
min_spend = 1000
basket_discount_percent = 10
[[tiers]]
code = "t15"
name = "%15"
min_spend = 1500
basket_discount_percent = 15
"""


def test_spend_5000_in_october_gives_750_off_5000_in_november(till: Actor, product: Product) -> None:
    october = datetime.fromisoformat("2026-10-12T11:00:00+03:00")
    november = datetime.fromisoformat("2026-11-03T11:00:00+03:00")
    rules.apply_rules(MONTHLY_TIERS, now=october - timedelta(days=20))
    member = enroll(october - timedelta(days=20))
    sofa = product("S1", "Koltuk", "5000")
    sell(till, basket(member, (sofa, 1)), october)  # 3 % off in October: pays 4,850
    tiers.evaluate_all(rules.active_program(), now=november.replace(day=1))
    assert m.Member.get_by_id(member).tier_code == "t15"
    from pos_tui.core.loyalty import price_cart

    priced = price_cart(basket(member, (sofa, 1)), now=november)
    assert priced.totals().benefit == Decimal("750.00")
    assert priced.total == Decimal("4250.00")


STAMPS = """
[[stamp_cards]]
code = "kahve"
name = "Kahve"
products = ["K1"]
needed = 6
"""


def test_seventh_coffee_free_and_a_returned_coffee_takes_its_stamp_back(
    till: Actor, product: Product, now: datetime
) -> None:
    rules.apply_rules(STAMPS, now=now)
    member = enroll(now)
    coffee = product("K1", "Türk Kahvesi", "65")
    first = sell(till, basket(member, (coffee, 4)), now)
    sell(till, basket(member, (coffee, 2)), now + timedelta(hours=1))
    stamps = m.StampEntry.select(fn.SUM(m.StampEntry.stamps)).where(m.StampEntry.member == member).scalar()
    assert stamps == 6
    from pos_tui.core.loyalty import price_cart

    seventh = price_cart(basket(member, (coffee, 1)), now=now + timedelta(hours=2))
    assert seventh.total == Decimal("0.00")
    sell(till, seventh, now + timedelta(hours=2))
    spent = m.StampEntry.select(fn.SUM(m.StampEntry.stamps)).where(m.StampEntry.member == member).scalar()
    assert spent == 0  # the six stamps paid for the seventh coffee
    sale = m.Sale.get_by_id(first)
    line = m.SaleLine.get(m.SaleLine.sale == first)
    create_return(
        "T1", till, sale.uid, [ReturnLineInput(line.line_no, 1000)], now=now + timedelta(hours=3), reason="spilt"
    )
    stamps = m.StampEntry.select(fn.SUM(m.StampEntry.stamps)).where(m.StampEntry.member == member).scalar()
    # The returned coffee's stamp is taken back although the six already paid for a free one:
    # the card owes a stamp, which the next coffee repays.
    assert stamps == -1


def test_supplier_funded_points_split_five_and_five(till: Actor, product: Product, now: datetime) -> None:
    rules.apply_rules(
        '[earning]\npercent = 0\n[[supplier_funding]]\nproduct = "C1"\npoints = 10\nsupplier_points = 5\n', now=now
    )
    supplier = m.Supplier.create(code="TED", name="Çaykur Bayi", created_at=to_db(now))
    tea = product("C1", "Rize Çayı 1 kg", "255")
    m.Product.update(supplier=supplier).where(m.Product.id == tea.id).execute()
    member = enroll(now)
    sell(till, basket(member, (tea, 2)), now)
    assert balance(member, as_of=shop_day(now, "Europe/Istanbul")).pending == 20
    row = m.SupplierPoints.get()
    assert (row.points, row.supplier_points) == (20, 10)

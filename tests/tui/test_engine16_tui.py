"""Issue 16 at the till, 80×24: a discount reward picked twice in the rewards dialog (Ctrl+R),
refused the third time, then a points payment that is not a whole multiple of the program's
``redeem_multiple`` — the payment screen offers the amount that fits, and the cap is shared
with the discount rewards; the coupon dialog shows a percent coupon's maximum."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from textual.widgets import Input

from pos_tui.core.loyalty import create_coupon, ledger, members, rules
from pos_tui.store import models as m
from pos_tui.tui.dialogs.loyalty_entry import CouponDialog, RewardsDialog
from pos_tui.tui.screens.payment import PaymentScreen
from pos_tui.tui.screens.sale import SaleScreen

PROGRAM = """
[points]
max_redeem_percent = 50
redeem_multiple = 10

[[rewards]]
code = "puan-indirim"
name = "100 puana 50 TL indirim"
kind = "discount"
points = 100
discount_per_point = 0.50

[[rewards]]
code = "ekmek"
name = "Ekmek hediye"
product = "1001"
points = 10
"""


def _error(app) -> str:
    return str(app.screen.query_one(".error-line").render())


async def test_a_discount_reward_twice_then_points_in_whole_multiples(
    make_app, open_shift, shop, till, now: datetime
) -> None:
    rules.apply_rules(PROGRAM, now=now)
    member = members.enroll(name="Zeynep Işık", phone="0532 111 22 33", source="cli", actor=None, now=now)
    ledger.earn(member.id, 250, now=now - timedelta(days=30), hold_days=15)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await till.login(pilot)
        for code in (shop.CAY, shop.CAY, shop.ISPARTA):  # 120 + 120 + 85 = 325
            await till.scan(pilot, code)
        await pilot.press("f2")
        await till.type(pilot, "5321112233", "enter")
        assert app.screen.cart.member_id == member.id

        await pilot.press("ctrl+r")
        await till.settle(pilot)
        assert isinstance(app.screen, RewardsDialog)
        screen = till.screen_text(pilot)
        assert "100 puana 50 TL indirim" in screen and "100 points = 50.00 TL off" in screen
        assert "affordable" in screen

        await pilot.press("enter")
        await till.settle(pilot)
        assert "on the receipt ×1 (-50.00)" in till.screen_text(pilot)
        await pilot.press("enter")  # the same reward again: another multiple
        await till.settle(pilot)
        screen = till.screen_text(pilot)
        assert "on the receipt ×2 (-100.00)" in screen
        assert "the rewards on this receipt take 200" in str(app.screen.query_one("#rewards-points").render())
        assert app.screen.cart.rewards == ("puan-indirim", "puan-indirim")

        await pilot.press("enter")  # a third: 300 points, the member has 250
        await till.settle(pilot)
        error = _error(app)
        assert "cannot be taken: not enough points, it needs 100 and 50 are left (250 available" in error
        assert "it needs 100 and 50 are left" in till.screen_text(pilot)  # the error shows at 80×24
        assert app.screen.cart.rewards == ("puan-indirim", "puan-indirim")

        await pilot.press("escape")
        await till.settle(pilot)
        assert isinstance(app.screen, SaleScreen)
        assert app.screen.cart.total == Decimal("225.00")

        await pilot.press("f10")
        await till.settle(pilot)
        assert isinstance(app.screen, PaymentScreen)
        await till.type(pilot, "55", "f5")
        message = till.message(pilot)
        assert "whole multiples of 10 points; 55 points is not one" in message
        assert "Points can pay 50.00: press F5 to take it." in message
        assert app.screen.parts == []
        assert app.screen.query_one("#tender", Input).value == "50.00"
        await pilot.press("f5")  # take the amount offered
        await till.settle(pilot)
        assert [(p.method, p.points) for p in app.screen.parts] == [("points", 50)]
        await pilot.press("f8")  # the rest, 175.00, in cash
        await till.settle(pilot)
        await pilot.press("f10")
        await till.settle(pilot)
        await till.type(pilot, "", "enter")  # close the receipt preview
        assert isinstance(app.screen, SaleScreen)

    assert ledger.balance(member.id, as_of=now.date(), tz="Europe/Istanbul").available == 0
    sale = m.Sale.get()
    benefits = list(m.SaleBenefit.select().where(m.SaleBenefit.sale == sale.id))
    assert {b.code for b in benefits} == {"puan-indirim"}
    assert sum(b.points for b in benefits) == 200 and sum(b.amount for b in benefits) == 10000


async def test_the_points_cap_is_shared_with_the_discount_rewards(
    make_app, open_shift, shop, till, now: datetime
) -> None:
    """225 left to pay after 100 of rewards on 325: points may pay 162,50 in all, so the tender
    only 62 → 60 (a multiple of 10); the payment screen offers 60."""
    rules.apply_rules(PROGRAM, now=now)
    member = members.enroll(name="Ali Veli", phone="0532 111 22 44", source="cli", actor=None, now=now)
    ledger.earn(member.id, 1000, now=now - timedelta(days=30), hold_days=15)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await till.login(pilot)
        for code in (shop.CAY, shop.CAY, shop.ISPARTA):
            await till.scan(pilot, code)
        await pilot.press("f2")
        await till.type(pilot, "5321112244", "enter")
        await pilot.press("ctrl+r")
        await till.settle(pilot)
        await pilot.press("enter")
        await till.settle(pilot)
        await pilot.press("enter")
        await till.settle(pilot)
        await pilot.press("escape")
        await till.settle(pilot)
        await pilot.press("f10")
        await till.settle(pilot)
        await till.type(pilot, "100", "f5")
        message = till.message(pilot)
        assert "the rewards took 100.00, so the points payment may take 62 points" in message
        assert "Points can pay 60.00" in message
        assert app.screen.query_one("#tender", Input).value == "60.00"


async def test_the_coupon_dialog_shows_a_coupons_maximum(make_app, open_shift, shop, till, now: datetime) -> None:
    create_coupon("YUZDE20", kind="percent", percent=Decimal(20), max_discount=Decimal(30), now=now)
    create_coupon("ELLI", kind="amount", amount=Decimal(50), now=now)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await till.login(pilot)
        await till.scan(pilot, shop.CAY)
        await till.scan(pilot, shop.CAY)  # 240: 20 % would be 48
        await pilot.press("ctrl+o")
        await till.settle(pilot)
        assert isinstance(app.screen, CouponDialog)
        await till.type(pilot, "yuzde20", "enter")
        await till.type(pilot, "elli", "enter")
        screen = till.screen_text(pilot)
        assert "20% off, at most 30.00 TL" in screen and "-30.00" in screen
        assert "50.00 TL off" in screen and "-50.00" in screen
        await pilot.press("escape")
        await till.settle(pilot)
        assert app.screen.cart.total == Decimal("160.00")


def test_reward_rows_count_a_discount_rewards_picks() -> None:
    from pos_tui.core.basket import Benefit, Cart
    from pos_tui.core.loyalty import Reward
    from pos_tui.tui.dialogs.loyalty_entry import coupon_value, reward_rows, reward_value

    pick = Reward("indirim", "İndirim", None, 100, kind="discount", discount_per_point=Decimal("0.5"))
    cart = Cart().add(
        product_id=1, code="1003", name="Çay", unit="piece", kdv_rate=20, price=Decimal(120), qty_milli=2000
    )
    two = (Benefit(1, Decimal(100), "reward", "indirim", "İndirim", 200),)  # two picks on one line
    (row,) = reward_rows((pick,), cart.with_benefits(two).with_rewards(["indirim"] * 2), available=250, min_balance=0)
    assert (row.given, row.left, row.affordable, row.in_cart, row.short) == (2, 50, False, True, 50)
    (row,) = reward_rows((pick,), cart, available=250, min_balance=300)
    assert (row.given, row.affordable) == (0, False)  # under the minimum balance
    assert reward_value(pick, "tr") == "100 points = 50,00 TL off"  # (the catalog translates it)
    assert coupon_value("percent", None, Decimal(20), Decimal(200), "en") == "20% off, at most 200.00 TL"
    assert coupon_value("amount", Decimal(50), None, None, "en") == "50.00 TL off"
    assert coupon_value("percent", None, Decimal("12.5"), None, "tr") == "%12,5 off"

"""Coupons (Ctrl+O) and rewards (Ctrl+R) at the till, and paying the rest with points."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from textual.widgets import Input, OptionList

from pos_tui.core.basket import Benefit, Cart
from pos_tui.core.loyalty import Reward, create_coupon, ledger, members, rules
from pos_tui.store import models as m
from pos_tui.tui.dialogs.loyalty_entry import CouponDialog, RewardsDialog, reward_rows
from pos_tui.tui.screens.payment import PaymentScreen
from pos_tui.tui.screens.sale import SaleScreen

PROGRAM = """
[[rewards]]
code = "ekmek"
name = "Ekmek hediye"
product = "1001"
points = 10

[[rewards]]
code = "cay"
name = "Cay hediye"
product = "1003"
points = 500
"""


def _error(app) -> str:
    return str(app.screen.query_one(".error-line").render())


def _options(app, selector: str) -> list[str]:
    """The rows of an option list as plain text."""
    options = app.screen.query_one(selector, OptionList)
    texts = []
    for index in range(options.option_count):
        grid = options.get_option_at_index(index).prompt
        texts.append(" ".join(str(cell) for column in grid.columns for cell in column.cells))
    return texts


async def test_coupons_are_refused_with_the_reason_added_listed_and_removed(
    make_app, open_shift, shop, till, now
) -> None:
    create_coupon("YUZDE10", kind="percent", percent=Decimal(10), now=now)
    create_coupon("MIN500", kind="amount", amount=Decimal(50), min_spend=Decimal(500), now=now)
    create_coupon("ESKI", kind="amount", amount=Decimal(5), valid_to=now.date() - timedelta(days=1), now=now)
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await till.login(pilot)
        assert "Ctrl+O Coupon" in till.screen_text(pilot)
        await till.scan(pilot, shop.CAY)  # 120,00
        await pilot.press("ctrl+o")
        await till.settle(pilot)
        assert isinstance(app.screen, CouponDialog)

        await till.type(pilot, "nope", "enter")
        assert "No coupon with code NOPE" in _error(app)
        await till.type(pilot, "eski", "enter")
        assert "Coupon ESKI expired on" in _error(app)
        assert app.screen.cart.coupons == ()

        await till.type(pilot, "yuzde10", "enter")
        assert _error(app) == ""
        await till.type(pilot, "min500", "enter")  # kept, but not applied: the receipt is 108,00
        rows = _options(app, "#coupons")
        assert "YUZDE10" in rows[0] and "-12.00" in rows[0]
        assert "MIN500" in rows[1] and "not applied" in rows[1] and "at least 500.00" in rows[1]

        await pilot.press("down", "delete")
        await till.settle(pilot)
        assert app.screen.cart.coupons == ("YUZDE10",)
        await pilot.press("escape")
        await till.settle(pilot)
        assert isinstance(app.screen, SaleScreen)
        assert app.screen.cart.coupons == ("YUZDE10",)
        assert app.screen.cart.total == Decimal("108.00")

        # Enter on an empty code field closes the dialog too; Del there removes the last one.
        await pilot.press("ctrl+o")
        await till.settle(pilot)
        await pilot.press("delete")
        await till.type(pilot, "", "enter")
        assert isinstance(app.screen, SaleScreen)
        assert app.screen.cart.coupons == () and app.screen.cart.total == Decimal("120.00")


async def test_rewards_catalog_gives_and_takes_back_and_points_leave_the_rewards_alone(
    make_app, open_shift, shop, till, now: datetime
) -> None:
    rules.apply_rules(PROGRAM, now=now)
    member = members.enroll(name="Zeynep Işık", phone="0532 111 22 33", source="cli", actor=None, now=now)
    ledger.earn(member.id, 50, now=now - timedelta(days=30), hold_days=15)
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await till.login(pilot)
        assert "Rewards" not in till.screen_text(pilot)
        await pilot.press("ctrl+r")  # no member: the key does nothing
        await till.settle(pilot)
        assert isinstance(app.screen, SaleScreen)

        await till.scan(pilot, shop.CAY)
        await pilot.press("f2")
        await till.type(pilot, "5321112233", "enter")
        assert app.screen.cart.member_id == member.id
        assert "Ctrl+R Rewards" in till.screen_text(pilot)
        await pilot.press("ctrl+r")
        await till.settle(pilot)
        assert isinstance(app.screen, RewardsDialog)
        assert "50 points available" in till.screen_text(pilot)
        rows = _options(app, "#rewards")
        assert "Ekmek hediye" in rows[0] and "put product 1001 in the cart" in rows[0]
        assert "Cay hediye" in rows[1] and "500 points" in rows[1]

        await pilot.press("enter")  # ekmek is not in the cart
        await till.settle(pilot)
        assert "Reward Ekmek hediye: put product 1001 in the cart first" in _error(app)
        await pilot.press("escape")
        await till.settle(pilot)
        assert isinstance(app.screen, SaleScreen)

        await till.scan(pilot, shop.EKMEK)
        await pilot.press("ctrl+r")
        await till.settle(pilot)
        await pilot.press("enter")
        await till.settle(pilot)
        assert "on the receipt ×1" in _options(app, "#rewards")[0]
        assert "take 10" in till.screen_text(pilot)
        await pilot.press("down", "enter")
        await till.settle(pilot)
        assert "Cay hediye cannot be taken: not enough points, it needs 500 and 40 are left (50 av" in _error(app)
        await pilot.press("delete")  # çay is not on the receipt
        await till.settle(pilot)
        assert "Highlight a reward that is on the receipt" in _error(app)
        await pilot.press("up", "delete")
        await till.settle(pilot)
        assert app.screen.cart.rewards == ()
        await pilot.press("enter")
        await till.settle(pilot)
        await pilot.press("escape")
        await till.settle(pilot)
        assert isinstance(app.screen, SaleScreen)
        cart = app.screen.cart
        assert cart.rewards == ("ekmek",) and cart.total == Decimal("120.00")  # the bread is free

        # Points pay at most what the reward leaves: 50 available − 10 = 40.
        await pilot.press("f10")
        await till.settle(pilot)
        assert isinstance(app.screen, PaymentScreen)
        await till.type(pilot, "45", "f5")
        assert "Only 40 points are free to pay with: 50 available, 10 taken" in till.message(pilot)
        assert app.screen.parts == []
        tender = app.screen.query_one("#tender", Input)
        tender.value = ""  # a refused amount stays in the field
        await till.type(pilot, "30", "f5")
        await till.type(pilot, "20", "f5")
        assert "Only 10 points are free to pay with" in till.message(pilot)
        tender.value = ""
        await till.type(pilot, "10", "f5")
        await pilot.press("f8")  # the rest in cash
        await till.settle(pilot)
        await pilot.press("f10")
        await till.settle(pilot)
        await till.type(pilot, "", "enter")  # close the receipt preview
        assert isinstance(app.screen, SaleScreen)
    assert ledger.balance(member.id, as_of=now.date(), tz="Europe/Istanbul").available == 0
    sale = m.Sale.get()
    assert [b.code for b in m.SaleBenefit.select().where(m.SaleBenefit.sale == sale.id)] == ["ekmek"]


def test_reward_rows_count_what_the_cart_already_takes() -> None:
    ekmek, cay = Reward("ekmek", "Ekmek", "1001", 10), Reward("cay", "Çay", "1003", 30)
    cart = Cart().add(
        product_id=1, code="1001", name="Ekmek", unit="piece", kdv_rate=1, price=Decimal(10), qty_milli=1000
    )
    cart = cart.with_benefits((Benefit(1, Decimal(10), "reward", "ekmek", "Ekmek", 10),))
    first, second = reward_rows((ekmek, cay), cart, available=35, min_balance=0)
    assert (first.given, first.left, first.affordable, first.in_cart) == (1, 25, True, True)
    assert (second.given, second.affordable, second.in_cart, second.short) == (0, False, False, 5)
    (only,) = reward_rows((ekmek,), cart, available=35, min_balance=40)
    assert not only.affordable  # under the program's minimum balance

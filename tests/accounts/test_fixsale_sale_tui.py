"""The sale screen's account key (Ctrl+A) at 80×24 after the newcomer's findings: a supplier keeps the
dialog open with the error on its line; a member and an account on one sale are both shown, each
with its role; the parked-cart list names the account."""

from __future__ import annotations

from textual.widgets import Static
from till_accounts_support import SIZE, assert_error_visible, parties_fixture  # noqa: F401 (fixture)

from pos_tui.core.loyalty import members
from pos_tui.tui.dialogs.lists import ParkedCartsDialog
from pos_tui.tui.dialogs.pricelist_account import AccountDialog
from pos_tui.tui.screens.sale import SaleScreen
from pos_tui.tui.widgets.member_panel import MemberPanel
from tests.tui import conftest as tui

_quick_pins, make_app, open_shift, shop, till = tui._quick_pins, tui.make_app, tui.open_shift, tui.shop, tui.till
Shop = tui.Shop


async def test_a_supplier_keeps_the_account_dialog_open(make_app, open_shift, parties, till) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await till.login(pilot)
        await till.scan(pilot, Shop.CAY)
        await pilot.press("ctrl+a")
        await till.settle(pilot)
        await till.type(pilot, "ACME", "enter")
        assert isinstance(app.screen, AccountDialog)
        assert_error_visible(pilot, till, "ACME is a supplier account; choose a customer")
        await pilot.press("escape")
        await till.settle(pilot)
        assert isinstance(app.screen, SaleScreen) and app.screen.cart.account is None


async def test_a_member_and_an_account_are_both_shown(make_app, open_shift, parties, till, now) -> None:
    member = members.enroll(name="Zeynep Işık", phone="0542 611 02 77", source="cli", actor=None, now=now)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await till.login(pilot)
        await till.scan(pilot, Shop.CAY)
        await pilot.press("f2")
        await till.settle(pilot)
        await till.type(pilot, "05426110277", "enter")
        screen = app.screen
        assert isinstance(screen, SaleScreen) and screen.cart.member_id == member.id
        parties_line = screen.query_one("#sale-parties", Static)
        assert not parties_line.display  # a member alone: nothing more
        await pilot.press("ctrl+a")
        await till.settle(pilot)
        await till.type(pilot, "BAKKAL", "enter")
        assert isinstance(app.screen, SaleScreen)
        assert screen.cart.member_id == member.id and screen.cart.account is not None  # the member stays
        assert screen.query_one(MemberPanel).display and parties_line.display
        region = parties_line.region
        assert region.height > 0 and region.bottom <= SIZE[1] and region.right <= SIZE[0]
        text = till.screen_text(pilot)
        assert "Customer: account BAKKAL" in text and "Member: earns the points" in text, text
        assert "Zeynep Işık" in text
        assert "the customer of record" in till.message(pilot)


async def test_the_parked_list_names_the_account(make_app, open_shift, parties, till) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await till.login(pilot)
        await till.scan(pilot, Shop.CAY)
        await pilot.press("ctrl+a")
        await till.settle(pilot)
        await till.type(pilot, "BAKKAL", "enter")
        await pilot.press("f5")  # park
        await till.settle(pilot)
        await pilot.press("f5")  # the list on an empty cart
        await till.settle(pilot)
        assert isinstance(app.screen, ParkedCartsDialog)
        assert "BAKKAL" in till.screen_text(pilot)

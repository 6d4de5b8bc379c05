"""The sale screen's account key (Ctrl+A): choose a customer account with a price list, see the
lines re-priced with both prices, clear it back; the dialog's error at 80×24; a snapshot."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest
from textual.widgets import Input, Static

from pos_tui.core import accounts
from pos_tui.core.accounts import prices
from pos_tui.tui.dialogs.pricelist_account import AccountDialog
from pos_tui.tui.widgets.cart_table import CartTable
from tests.tui import conftest as tui

Shop, Till = tui.Shop, tui.Till
_quick_pins, make_app, open_shift, shop, till = tui._quick_pins, tui.make_app, tui.open_shift, tui.shop, tui.till

SIZE = (80, 24)
D = Decimal


@pytest.fixture
def toptan(shop: Shop, now: datetime) -> None:
    prices.add_price_list("TOPTAN", "Toptan", actor=shop.admin, now=now)
    prices.set_price("TOPTAN", prices.PriceInput("1003", price=D("99.00")), actor=shop.admin, now=now, day=now.date())
    accounts.add_party(
        accounts.PartyInput(code="BAKKAL", name="Köşe Bakkalı", kind="customer", price_list="TOPTAN"), now=now
    )


async def test_choosing_the_account_reprices_and_shows_both_prices(make_app, open_shift, toptan, till) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await till.login(pilot)
        await till.scan(pilot, Shop.CAY)
        await till.scan(pilot, Shop.EKMEK)
        await pilot.press("ctrl+a")
        await till.settle(pilot)
        assert isinstance(app.screen, AccountDialog)
        await till.type(pilot, "nobody", "enter")
        error = app.screen.query_one(".error-line", Static)
        assert "nobody" in str(error.render())
        assert error.region.bottom <= SIZE[1] and "nobody" in till.screen_text(pilot)
        app.screen.query_one(Input).value = ""
        await till.type(pilot, "köşe", "enter")  # a name: listed, Enter picks the highlighted one
        await till.type(pilot, "", "enter")
        assert not isinstance(app.screen, AccountDialog)
        cart = app.screen.cart
        assert cart.account is not None and cart.account.code == "BAKKAL"
        assert [ln.unit_price for ln in cart.lines] == [D("99.00"), D("10.00")]
        table = app.screen.query_one(CartTable)
        name = table.get_cell("1", "name")
        assert "120.00" in name.plain and "strike" in str(name.spans)  # the catalog price, struck
        screen = till.screen_text(pilot)
        assert "BAKKAL" in screen and "TOPTAN" in screen and "99.00" in screen and "120.00" in screen
        # Ctrl+A again, F4 clears: catalog prices back
        await pilot.press("ctrl+a")
        await till.settle(pilot)
        await pilot.press("f4")
        await till.settle(pilot)
        assert app.screen.cart.account is None
        assert [ln.unit_price for ln in app.screen.cart.lines] == [D("120.00"), D("10.00")]


def test_account_sale_snapshot(snap_compare, make_app, open_shift, toptan, till) -> None:
    async def fill(pilot) -> None:
        await till.login(pilot)
        await till.scan(pilot, Shop.CAY)
        await till.scan(pilot, Shop.SUT)
        await pilot.press("ctrl+a")
        await till.settle(pilot)
        await till.type(pilot, "BAKKAL", "enter")
        await till.steady(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=fill)


async def test_a_scanned_account_card_chooses_the_account(settings, now, open_shift, shop, till) -> None:
    from pos_tui.devices.scanner import Scanned
    from tests.tui.tui_devices_support import device_app

    prices.add_price_list("TOPTAN", "Toptan", actor=shop.admin, now=now)
    prices.set_price("TOPTAN", prices.PriceInput("*", percent_off=D("10")), actor=shop.admin, now=now, day=now.date())
    accounts.add_party(
        accounts.PartyInput(code="BAKKAL", name="Köşe Bakkalı", kind="customer", price_list="TOPTAN", card="CARI0001"),
        now=now,
    )
    app = device_app(settings, now)
    async with app.run_test(size=SIZE) as pilot:
        await till.login(pilot)
        await till.scan(pilot, Shop.EKMEK)
        await pilot.press("ctrl+a")
        await till.settle(pilot)
        app.devices.route(Scanned("CARI0001", "serial"))
        await till.settle(pilot)
        assert not isinstance(app.screen, AccountDialog)
        assert app.screen.cart.account is not None and app.screen.cart.account.code == "BAKKAL"
        assert [ln.unit_price for ln in app.screen.cart.lines] == [D("9.00")]

"""The payment screen's on-account tender at 80×24, after the newcomer's findings: a sale made to an
account (Ctrl+A) goes on that account only (no picker; the other-account key refuses with the reason);
picking an account with a price list for a sale made to nobody re-prices the sale from the list,
says so with the new total and asks the new remainder; installments take whole numbers only."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest
from textual.widgets import Input
from till_accounts_support import SIZE, assert_error_visible

from pos_tui.core import accounts
from pos_tui.core.accounts import prices
from pos_tui.store import models as m
from pos_tui.tui.dialogs.accounts_money_dialogs import OnAccountDialog
from pos_tui.tui.dialogs.accounts_pick import AccountPickDialog
from pos_tui.tui.dialogs.receipt_preview import ReceiptPreview
from pos_tui.tui.screens.payment import PaymentScreen
from tests.tui import conftest as tui

_quick_pins, make_app, open_shift, shop, till = tui._quick_pins, tui.make_app, tui.open_shift, tui.shop, tui.till
Shop = tui.Shop
D = Decimal


@pytest.fixture
def toptan(shop: tui.Shop, now: datetime) -> None:
    """TOPTAN: 10 % off everything; GUNES (customer on TOPTAN) and M0003 (customer, no list)."""
    prices.add_price_list("TOPTAN", "Toptan", actor=shop.admin, now=now)
    prices.set_price("TOPTAN", prices.PriceInput("*", percent_off=D("10")), actor=shop.admin, now=now, day=now.date())
    for code, name, price_list in (("GUNES", "Güneş Market", "TOPTAN"), ("M0003", "İbrahim Çelik", None)):
        accounts.add_party(
            accounts.PartyInput(
                code=code, name=name, kind="customer", price_list=price_list, credit_limit=D("5000.00")
            ),
            now=now,
        )


async def _to_payment(pilot, till, *, account: str | None = None) -> None:  # type: ignore[no-untyped-def]
    await till.login(pilot)
    await till.scan(pilot, Shop.CAY)  # 120,00
    await till.scan(pilot, Shop.SUT)  # 32,50
    if account is not None:
        await pilot.press("ctrl+a")
        await till.settle(pilot)
        await till.type(pilot, account, "enter")
    await pilot.press("f10")
    await till.settle(pilot)
    assert isinstance(pilot.app.screen, PaymentScreen)


async def test_a_sale_to_an_account_goes_on_account_only_to_it(make_app, open_shift, toptan, till) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _to_payment(pilot, till, account="GUNES")  # 137,25 at TOPTAN prices
        await pilot.press("f2")
        await till.settle(pilot)
        assert isinstance(app.screen, OnAccountDialog)  # no picker: the sale's own account
        assert app.screen.account.party.code == "GUNES"
        await pilot.press("f2")  # another account: refused with the reason, no picker
        await till.settle(pilot)
        assert isinstance(app.screen, OnAccountDialog)
        assert_error_visible(pilot, till, "This sale is to account GUNES; a payment on account goes on that")
        await till.type(pilot, "", "enter")
        await till.type(pilot, "", "enter")
        await pilot.press("f10")
        await till.settle(pilot)
        assert isinstance(app.screen, ReceiptPreview)
    sale = m.Sale.get()
    (entry,) = m.AccountEntry.select()
    gunes = accounts.get_party("GUNES")
    assert entry.party_id == gunes.id and sale.customer_id == gunes.customer_id and entry.amount == 13725


async def test_an_account_with_a_price_list_reprices_the_sale_first(make_app, open_shift, toptan, till) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _to_payment(pilot, till)  # 152,50 at catalog prices, no account
        await pilot.press("f2")
        await till.settle(pilot)
        assert isinstance(app.screen, AccountPickDialog)
        await till.type(pilot, "GUNES", "enter")
        assert isinstance(app.screen, OnAccountDialog)
        text = till.screen_text(pilot)
        assert "Prices recalculated from the TOPTAN list: new total 137.25" in text, text
        assert app.screen.query_one("#oa-amount", Input).value == "137.25"  # the new remainder to confirm
        await till.type(pilot, "", "enter")
        await till.type(pilot, "", "enter")
        assert isinstance(app.screen, PaymentScreen) and app.screen.total == D("137.25")
        await pilot.press("f10")
        await till.settle(pilot)
        assert isinstance(app.screen, ReceiptPreview)
    sale = m.Sale.get()
    (entry,) = m.AccountEntry.select()
    assert (sale.total, entry.amount) == (13725, 13725)
    assert sale.customer_id == accounts.get_party("GUNES").customer_id


async def test_installments_take_whole_numbers_only(make_app, open_shift, toptan, till) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _to_payment(pilot, till)
        await pilot.press("f2")
        await till.settle(pilot)
        await till.type(pilot, "M0003", "enter")
        await till.type(pilot, "", "enter")
        await till.type(pilot, "1,5", "enter")
        assert isinstance(app.screen, OnAccountDialog)
        assert_error_visible(pilot, till, "Installments: a whole number from 1 to 36, not 1,5")
    assert not m.Sale.select().exists()


async def test_repricing_below_what_is_paid_says_so(make_app, open_shift, toptan, till) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _to_payment(pilot, till)  # 152,50
        await till.type(pilot, "140", "f8")  # 12,50 still to pay
        await pilot.press("f2")
        await till.settle(pilot)
        await till.type(pilot, "GUNES", "enter")  # 137,25 at TOPTAN prices: 2,75 less than paid
        assert isinstance(app.screen, PaymentScreen)
        message = till.message(pilot)
        assert "new total 137.25; the payments are more than that: Del removes a payment" in message, message
    assert not m.Sale.select().exists()

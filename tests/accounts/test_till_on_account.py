"""The on-account tender (açık hesap / veresiye) on the payment screen, driven by the keyboard at 80×24:
within the limit, refused past it and approved with a supervisor's PIN (journalled), split with cash in
installments, the sale's own account as the default, errors on screen, and a snapshot of the dialog."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from textual.widgets import Input
from till_accounts_support import SIZE, assert_error_visible, owes, parties_fixture  # noqa: F401

from pos_tui.core import accounts
from pos_tui.core.till import carts
from pos_tui.store import models as m
from pos_tui.tui.dialogs.accounts_money_dialogs import OnAccountDialog
from pos_tui.tui.dialogs.accounts_pick import AccountPickDialog
from pos_tui.tui.dialogs.manager import ManagerPinDialog
from pos_tui.tui.dialogs.receipt_preview import ReceiptPreview
from pos_tui.tui.screens.payment import PaymentScreen
from tests.tui import conftest as tui

_quick_pins, make_app, open_shift, shop, till = tui._quick_pins, tui.make_app, tui.open_shift, tui.shop, tui.till
Shop = tui.Shop


async def to_payment(pilot, till, *codes: str) -> None:  # type: ignore[no-untyped-def]
    await till.login(pilot)  # ayse, a cashier: may sell on account within the limit
    for code in codes:
        await till.scan(pilot, code)
    await pilot.press("f10")
    await till.settle(pilot)
    assert isinstance(pilot.app.screen, PaymentScreen)


async def on_account(pilot, till, account: str = "BAKKAL", *, installments: str = "") -> None:  # type: ignore[no-untyped-def]
    """F2 with the typed amount: pick ``account``, accept the amount, the installments."""
    await pilot.press("f2")
    await till.settle(pilot)
    if isinstance(pilot.app.screen, AccountPickDialog):
        await till.type(pilot, account, "enter")
    assert isinstance(pilot.app.screen, OnAccountDialog)
    await till.type(pilot, "", "enter")
    await till.type(pilot, installments, "enter")


def sale_entries() -> list[m.AccountEntry]:
    return list(m.AccountEntry.select().where(m.AccountEntry.kind == "sale").order_by(m.AccountEntry.number))


async def test_a_sale_on_account_within_the_limit(make_app, open_shift, parties, till, now) -> None:
    bakkal, _acme = parties
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await to_payment(pilot, till, Shop.CAY)  # 120,00
        await pilot.press("f2")
        await till.settle(pilot)
        await till.type(pilot, "BAKKAL", "enter")
        dialog = app.screen
        assert isinstance(dialog, OnAccountDialog)
        text = till.screen_text(pilot)
        assert "BAKKAL · Köşe Bakkalı Ltd." in text
        assert "Balance 0.00 · Limit 1,000.00 · Available 1,000.00" in text
        assert dialog.query_one("#oa-amount", Input).value == "120.00"  # what is still to pay
        await till.type(pilot, "", "enter")
        await till.type(pilot, "", "enter")
        assert isinstance(app.screen, PaymentScreen)
        text = till.screen_text(pilot)
        assert "Account BAKKAL" in text and "Köşe Bakkalı Ltd." in text  # the account on the payment screen
        assert "On account" in text
        await pilot.press("f10", "f10")  # a second press while posting does nothing
        await till.settle(pilot)
        assert isinstance(app.screen, ReceiptPreview)
        assert "On account (BAKKAL)" in app.screen.text  # the receipt's payment line
        assert "On account: BAKKAL · Köşe Bakkalı Ltd. 120.00" in till.screen_text(pilot)  # under the preview
    (entry,) = sale_entries()
    assert (entry.party_id, entry.amount, entry.installment) == (bakkal.id, 12000, None)
    assert entry.due == (now + timedelta(days=30)).date()
    assert m.Sale.select().count() == 1
    (payment,) = m.Payment.select()
    assert (payment.method, payment.amount) == ("on_account", 12000)
    assert not m.JournalEntry.select().where(m.JournalEntry.kind == "override").exists()


async def test_past_the_limit_the_supervisor_approves_and_the_override_is_journalled(
    make_app, open_shift, parties, till, now, shop
) -> None:
    bakkal, _acme = parties
    owes(bakkal, "950.00", now, user_id=shop.admin.user_id)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await to_payment(pilot, till, Shop.CAY)
        await pilot.press("f2")
        await till.settle(pilot)
        await till.type(pilot, "BAKKAL", "enter")
        assert "70.00 over the available credit" in till.screen_text(pilot)  # warned before posting
        await till.type(pilot, "", "enter")
        await till.type(pilot, "", "enter")
        await pilot.press("f10")
        await till.settle(pilot)
        assert isinstance(app.screen, ManagerPinDialog)
        assert "credit limit 1,000.00" in till.screen_text(pilot)
        await pilot.press("escape")  # the cashier gives up: nothing posted, the payments stay
        await till.settle(pilot)
        assert isinstance(app.screen, PaymentScreen)
        assert "70.00 TL over" in till.message(pilot)
        assert not sale_entries()
        await pilot.press("f10")
        await till.settle(pilot)
        await till.type(pilot, "2222", "enter")  # mehmet, a supervisor: credit_limit
        await till.type(pilot, "iyi müşteri", "enter")
        assert isinstance(app.screen, ReceiptPreview)
    (entry,) = sale_entries()
    assert entry.amount == 12000 and accounts.balance(bakkal.id) == 1070
    (override,) = m.JournalEntry.select().where(m.JournalEntry.kind == "override")
    assert "credit_limit" in override.payload and "iyi müşteri" in override.payload


async def test_split_cash_and_on_account_in_installments(make_app, open_shift, parties, till) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await to_payment(pilot, till, Shop.CAY, Shop.SUT)  # 152,50
        await till.type(pilot, "50", "f8")  # 50,00 cash
        assert app.screen.query_one("#tender", Input).value == "102.50"
        await on_account(pilot, till, installments="3")
        assert "3 installments" in till.screen_text(pilot)
        await pilot.press("f10")
        await till.settle(pilot)
        assert isinstance(app.screen, ReceiptPreview)
    assert [(p.method, p.amount) for p in m.Payment.select().order_by(m.Payment.id)] == [
        ("cash", 5000),
        ("on_account", 10250),
    ]
    assert [(e.amount, e.installment) for e in sale_entries()] == [(3417, 1), (3417, 2), (3416, 3)]


async def test_on_account_errors_show_at_80x24(make_app, open_shift, parties, till) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await to_payment(pilot, till, Shop.EKMEK)  # 10,00
        await pilot.press("f2")
        await till.settle(pilot)
        await till.type(pilot, "BAKKAL", "enter")
        app.screen.query_one("#oa-amount", Input).value = ""
        await till.type(pilot, "15", "enter")
        assert_error_visible(pilot, till, "Only 10.00 is still to pay; only cash may be more")
        app.screen.query_one("#oa-amount", Input).value = ""
        await till.type(pilot, "10", "enter")
        await till.type(pilot, "99", "enter")
        assert_error_visible(pilot, till, "Installments: a whole number from 1 to 36, not 99")
        await pilot.press("escape")
        await till.settle(pilot)
        assert isinstance(app.screen, PaymentScreen) and not app.screen.parts
        await on_account(pilot, till)
        await pilot.press("f2")  # a second on-account part is refused: one account per sale
        await till.settle(pilot)
        assert isinstance(app.screen, PaymentScreen)
        assert "The sale is already on an account; Del removes that payment" in till.message(pilot)
        await pilot.press("escape")
        await till.settle(pilot)
    assert not m.Sale.select().exists()


async def test_the_sales_own_account_is_the_default(make_app, open_shift, parties, till, shop, now) -> None:
    bakkal, _acme = parties
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await till.login(pilot)
        await till.scan(pilot, Shop.EKMEK)
        # The sale names the account's customer (as the price-list account on the sale screen does).
        app.screen.show_cart(carts.set_customer("T1", shop.ayse, bakkal.customer_id, now=now))
        await pilot.press("f10")
        await till.settle(pilot)
        assert "Account BAKKAL" in till.screen_text(pilot)
        await pilot.press("f2")
        await till.settle(pilot)
        assert isinstance(app.screen, OnAccountDialog)  # no picker: the sale's account
        assert app.screen.account.party.code == "BAKKAL"


def test_on_account_dialog_snapshot(snap_compare, make_app, open_shift, parties, till, now, shop) -> None:
    owes(parties[0], "950.00", now, user_id=shop.admin.user_id)

    async def fill(pilot) -> None:  # type: ignore[no-untyped-def]
        await to_payment(pilot, till, Shop.CAY)
        await pilot.press("f2")
        await till.settle(pilot)
        await till.type(pilot, "BAKKAL", "enter")
        await till.steady(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=fill)


def test_payment_screen_with_an_account_snapshot(snap_compare, make_app, open_shift, parties, till) -> None:
    async def fill(pilot) -> None:  # type: ignore[no-untyped-def]
        await to_payment(pilot, till, Shop.CAY, Shop.SUT)
        await till.type(pilot, "50", "f8")
        await on_account(pilot, till, installments="3")
        await till.steady(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=fill)


async def test_a_return_of_a_sale_on_account_credits_the_account(make_app, open_shift, parties, till) -> None:
    bakkal, _acme = parties
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await to_payment(pilot, till, Shop.CAY, Shop.EKMEK)  # 130,00
        await till.type(pilot, "30", "f8")
        await on_account(pilot, till)  # 100,00 on account
        await pilot.press("f10")
        await till.settle(pilot)
        await till.type(pilot, "", "enter")  # close the receipt
        await pilot.press("f4")
        await till.settle(pilot)
        await till.type(pilot, "1", "enter")
        await pilot.press("f5")  # the first line (Çay, 120,00)
        await till.settle(pilot)
        # the original payments' order: the 30,00 cash first, the rest back on the account
        text = till.screen_text(pilot)
        assert "30.00 to pay out in cash · 90.00 back on account BAKKAL" in text, text
        await pilot.press("f10")
        await till.type(pilot, "1", "enter")  # the first preset reason
        await pilot.press("enter")
        await till.settle(pilot)
    ret = m.Sale.get(m.Sale.kind == "return")
    refunds = {p.method: p.amount for p in m.Payment.select().where(m.Payment.sale == ret.id)}
    assert sum(refunds.values()) == 12000 and refunds["on_account"] > 0  # the core's split of the refund
    refund = m.AccountEntry.get(m.AccountEntry.kind == "return")
    assert refund.amount == -refunds["on_account"]  # what went back on the account, as an entry
    assert accounts.balance(bakkal.id) == Decimal(10000 - refunds["on_account"]) / 100

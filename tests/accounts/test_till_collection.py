"""Collections (F12 → Collection) and payments to suppliers at the till, by the keyboard at 80×24: the
account's balance and open items, the slip printed (or shown without a printer), cash into the drawer,
a double key posting once, errors on screen; a supplier paid in cash is a paid-out in the X figures."""

from __future__ import annotations

from decimal import Decimal

from textual.widgets import Input
from till_accounts_support import SIZE, assert_error_visible, owes, parties_fixture  # noqa: F401

from pos_tui.core import accounts, cash
from pos_tui.devices.print_queue import FakePrinter
from pos_tui.store import models as m
from pos_tui.tui.dialogs.accounts_money_dialogs import CollectionDialog, SupplierPaymentDialog
from pos_tui.tui.dialogs.accounts_pick import AccountPickDialog
from pos_tui.tui.dialogs.manager import ManagerPinDialog
from pos_tui.tui.dialogs.views import ReportDialog
from pos_tui.tui.screens.accounts_money import open_supplier_payment
from pos_tui.tui.screens.sale import SaleScreen
from tests.tui import conftest as tui
from tests.tui.tui_printing_support import app_with, drain, fake_station, printed_text

_quick_pins, make_app, open_shift, shop, till = tui._quick_pins, tui.make_app, tui.open_shift, tui.shop, tui.till


async def open_collection(pilot, till, pin: str = "1111", account: str = "BAKKAL") -> None:  # type: ignore[no-untyped-def]
    await till.login(pilot, pin)
    await pilot.press("f12")
    await till.settle(pilot)
    await pilot.press("t")
    await till.settle(pilot)
    assert isinstance(pilot.app.screen, AccountPickDialog)
    await till.type(pilot, account, "enter")
    assert isinstance(pilot.app.screen, CollectionDialog)


def collections() -> list[m.AccountEntry]:
    return list(m.AccountEntry.select().where(m.AccountEntry.kind == "collection"))


async def test_a_cash_collection_prints_its_slip_and_opens_the_drawer(
    settings, now, open_shift, parties, till, shop
) -> None:
    bakkal, _acme = parties
    owes(bakkal, "300.00", now, user_id=shop.admin.user_id)
    printer = FakePrinter()
    station = fake_station(printer)
    app = app_with(settings, now, station)
    async with app.run_test(size=SIZE) as pilot:
        await open_collection(pilot, till)
        text = till.screen_text(pilot)
        assert "Balance 300.00 · Limit 1,000.00 · Available 700.00" in text
        assert "1 open item · 300.00 overdue · oldest due 02.10.2026: 300.00" in text
        assert app.screen.query_one("#money-amount", Input).value == "300.00"  # what the customer owes
        await till.type(pilot, "200", "enter")
        await till.type(pilot, "kasım ödemesi", "enter")
        assert "How is it paid? F8: cash · F9: card · F7: bank transfer" in till.screen_text(pilot)
        dialog = app.screen
        dialog.action_post("cash")
        dialog.action_post("cash")  # a second press while it posts does nothing
        await till.settle(pilot)
        assert isinstance(app.screen, SaleScreen)
        assert till.message(pilot) == "Collection 2: BAKKAL paid 200.00 (cash); balance now 100.00"
        await drain(pilot, station)
    (entry,) = collections()
    assert (entry.amount, entry.method, entry.shift_id, entry.note) == (-20000, "cash", open_shift.id, "kasım ödemesi")
    assert accounts.balance(bakkal.id) == Decimal("100.00")
    (slip,) = printer.printed
    assert slip.kick and "COLLECTION RECEIPT" in printed_text(slip) and "200.00" in printed_text(slip)


async def test_without_a_printer_the_slip_is_shown(make_app, open_shift, parties, till, now, shop) -> None:
    owes(parties[0], "50.00", now, user_id=shop.admin.user_id)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_collection(pilot, till, account="0532 111 22 33")
        await till.type(pilot, "", "enter")
        await pilot.press("f7")  # bank transfer
        await till.settle(pilot)
        assert isinstance(app.screen, ReportDialog)
        text = till.screen_text(pilot)
        assert "COLLECTION RECEIPT" in text and "bank transfer" in text
        await pilot.press("enter")
        await till.settle(pilot)
        assert isinstance(app.screen, SaleScreen)
    (entry,) = collections()
    assert (entry.amount, entry.method) == (-5000, "transfer")


async def test_collection_errors_show_at_80x24_and_esc_posts_nothing(make_app, open_shift, parties, till) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_collection(pilot, till)
        assert "No open items" in till.screen_text(pilot)
        await till.type(pilot, "", "enter")
        assert_error_visible(pilot, till, "Type an amount")
        await till.type(pilot, "abc", "enter")
        assert_error_visible(pilot, till, "'abc' is not a number")
        app.screen.query_one("#money-amount", Input).value = ""
        await till.type(pilot, "0", "f8")
        assert_error_visible(pilot, till, "Type an amount above zero")
        app.screen.query_one("#money-amount", Input).value = ""
        await till.type(pilot, "25", "enter")
        await till.type(pilot, "4111 1111 1111 1111", "f8")  # a card number in the note
        assert_error_visible(pilot, till, "card number")
        await pilot.press("escape")
        await till.settle(pilot)
        assert isinstance(app.screen, SaleScreen)
    assert not collections()


async def test_a_card_collection_asks_the_card_terminal_first(make_app, open_shift, parties, till) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_collection(pilot, till)
        await till.type(pilot, "40", "f9")
        assert "Charge 40.00 on the card terminal" in till.screen_text(pilot)
        await till.type(pilot, "A1B2", "enter")
        await pilot.press("enter")  # the slip on screen (no printer)
        await till.settle(pilot)
    (entry,) = collections()
    assert (entry.amount, entry.method, entry.note) == (-4000, "card", "card terminal reference A1B2")


async def test_a_supplier_paid_in_cash_is_a_paid_out_of_the_drawer(
    make_app, open_shift, parties, till, shop, now, settings
) -> None:
    _bakkal, acme = parties
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await till.login(pilot)  # ayse, a cashier: paying suppliers needs "accounts" (the admin's PIN)
        open_supplier_payment(app.screen)
        await till.settle(pilot)
        assert isinstance(app.screen, AccountPickDialog)
        await till.type(pilot, "BAKKAL", "enter")
        assert_error_visible(pilot, till, "BAKKAL is a customer's account, not a supplier's")
        app.screen.query_one("#account-query", Input).value = ""
        await till.type(pilot, "acme", "enter")
        await till.type(pilot, "", "enter")
        assert isinstance(app.screen, SupplierPaymentDialog)
        assert "We owe 0.00" in till.screen_text(pilot)
        await till.type(pilot, "150", "enter")
        await till.type(pilot, "fatura 12", "f8")
        assert_error_visible(pilot, till, "The drawer should hold only 100.00; cannot pay out 150.00")
        app.screen.query_one("#money-amount", Input).value = "60"
        await pilot.press("f8")
        await till.settle(pilot)
        assert isinstance(app.screen, ManagerPinDialog)
        await till.type(pilot, "9999", "enter")
        await till.type(pilot, "patron onayı", "enter")
        assert isinstance(app.screen, ReportDialog)  # the payment slip, on screen without a printer
        await pilot.press("enter")
        await till.settle(pilot)
        assert isinstance(app.screen, SaleScreen)
        assert till.message(pilot) == "Payment 1: 60.00 paid to ACME in cash, out of the drawer"
        await pilot.press("ctrl+q")
        await till.settle(pilot)
        await till.login(pilot, "2222")  # mehmet takes the X report
        await pilot.press("f12")
        await till.settle(pilot)
        await pilot.press("1")
        await till.settle(pilot)
        assert isinstance(app.screen, ReportDialog)
        text = till.screen_text(pilot)
        assert "Cash paid to suppliers" in text and "-60.00" in text
    (entry,) = m.AccountEntry.select().where(m.AccountEntry.kind == "payment")
    assert (entry.party_id, entry.amount, entry.method, entry.shift_id) == (acme.id, 6000, "cash", open_shift.id)
    assert m.JournalEntry.select().where(m.JournalEntry.kind == "override").count() == 1
    report = cash.take_x_report(settings.terminal_id, shop.admin, now=now)
    assert report.cash_supplier_payments == Decimal("60.00")
    assert report.expected_cash == Decimal("40.00")  # the float, less the paid-out


def test_collection_dialog_snapshot(snap_compare, make_app, open_shift, parties, till, now, shop) -> None:
    owes(parties[0], "300.00", now, user_id=shop.admin.user_id)

    async def fill(pilot) -> None:  # type: ignore[no-untyped-def]
        await open_collection(pilot, till)
        pilot.app.screen.query_one("#money-amount", Input).value = ""
        await till.type(pilot, "2x", "enter")  # the error shows
        await till.steady(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=fill)


async def test_the_admin_pays_a_supplier_by_bank_transfer(make_app, open_shift, parties, till, shop, now) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await till.login(pilot, "9999")  # the admin may pay suppliers: no PIN asked
        open_supplier_payment(app.screen)
        await till.settle(pilot)
        await till.type(pilot, "ACME", "enter")
        await till.type(pilot, "500", "enter")
        await pilot.press("f9")  # no card payments to suppliers: the key does nothing
        await till.settle(pilot)
        assert isinstance(app.screen, SupplierPaymentDialog)
        await pilot.press("f7")
        await till.settle(pilot)
        assert till.message(pilot) == "Payment 1: 500.00 paid to ACME (bank transfer)"
    (entry,) = m.AccountEntry.select().where(m.AccountEntry.kind == "payment")
    assert (entry.amount, entry.method) == (50000, "transfer")
    assert not m.JournalEntry.select().where(m.JournalEntry.kind == "override").exists()
    assert cash.take_x_report("T1", shop.admin, now=now).expected_cash == Decimal("100.00")

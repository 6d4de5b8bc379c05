"""The slips of money on account: a collection that settles the account says "0.00 TL" (never a word
that reads as "account closed"), the collection's note is printed, and a supplier paid in cash at the
till gets a PAYMENT RECEIPT through the same printer path (shown on screen without a printer)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from till_accounts_support import SIZE, owes, parties_fixture  # noqa: F401

from pos_tui.core import accounts
from pos_tui.devices.print_queue import FakePrinter
from pos_tui.tui.dialogs.accounts_money_dialogs import CollectionDialog, SupplierPaymentDialog
from pos_tui.tui.dialogs.views import ReportDialog
from pos_tui.tui.screens.accounts_money import open_supplier_payment
from pos_tui.tui.screens.sale import SaleScreen
from tests.tui import conftest as tui
from tests.tui.tui_printing_support import app_with, drain, fake_station, printed_text

_quick_pins, make_app, open_shift, shop, till = tui._quick_pins, tui.make_app, tui.open_shift, tui.shop, tui.till


def result(kind: type, balance: str) -> object:
    return kind(
        entry_number=7,
        party_code="BAKKAL",
        party_name="Köşe Bakkalı Ltd.",
        amount=Decimal("300.00"),
        method="cash",
        balance_after=Decimal(balance),
        at=datetime.fromisoformat("2026-11-01T07:15:00+00:00"),
        cashier="ayse",
        terminal="T1",
    )


def test_a_settled_account_says_zero_and_the_note_is_printed(settings) -> None:
    paid = result(accounts.payments.CollectionResult, "0")
    slip = printed_text(accounts.payments.collection_slip(paid, settings, width=42, note="kasım  ödemesi, elden"))
    (balance,) = [line for line in slip.splitlines() if line.startswith("Balance after")]
    assert balance.endswith("0.00 TL") and "settled" not in slip
    assert "Note:" in slip and "kasım ödemesi, elden" in slip
    long_note = "x" * 200  # four lines of the paper at most
    lines = printed_text(accounts.payments.collection_slip(paid, settings, width=42, note=long_note)).splitlines()
    assert all(len(line) <= 42 for line in lines) and sum(1 for line in lines if line == "x" * 42) == 4
    assert "Note:" not in printed_text(accounts.payments.collection_slip(paid, settings, width=42))


def test_the_payment_slip_says_what_the_shop_still_owes(settings) -> None:
    text = printed_text(
        accounts.payments.payment_slip(result(accounts.payments.PaymentResult, "-250.00"), settings, note="fatura 12")
    )
    assert "PAYMENT RECEIPT" in text and "fatura 12" in text
    assert any(line.startswith("Balance after") and line.endswith(" 250.00 TL we owe") for line in text.splitlines())
    assert all(len(line) <= 42 for line in text.splitlines())
    settled = printed_text(accounts.payments.payment_slip(result(accounts.payments.PaymentResult, "0"), settings))
    assert next(line for line in settled.splitlines() if line.startswith("Balance after")).endswith("0.00 TL")


async def test_the_collection_note_is_on_the_printed_slip(settings, now, open_shift, parties, till, shop) -> None:
    bakkal, _acme = parties
    owes(bakkal, "300.00", now, user_id=shop.admin.user_id)
    printer = FakePrinter()
    station = fake_station(printer)
    app = app_with(settings, now, station)
    async with app.run_test(size=SIZE) as pilot:
        await till.login(pilot)
        await pilot.press("f12")
        await till.settle(pilot)
        await pilot.press("t")
        await till.settle(pilot)
        await till.type(pilot, "BAKKAL", "enter")
        assert isinstance(app.screen, CollectionDialog)
        await pilot.press("enter")  # the balance, 300.00: settles the account
        await till.type(pilot, "kasım ödemesi", "enter")
        app.screen.action_post("cash")
        await till.settle(pilot)
        await drain(pilot, station)
    (slip,) = printer.printed
    text = printed_text(slip)
    assert "kasım ödemesi" in text and "0.00 TL" in text and "settled" not in text


async def pay_acme_in_cash(pilot, till, amount: str = "60") -> None:  # type: ignore[no-untyped-def]
    await till.login(pilot, "9999")
    await till.settle(pilot)
    open_supplier_payment(pilot.app.screen)
    await till.settle(pilot)
    await till.type(pilot, "ACME", "enter")
    assert isinstance(pilot.app.screen, SupplierPaymentDialog)
    await till.type(pilot, amount, "enter")
    await till.type(pilot, "fatura 12", "f8")
    await till.settle(pilot)


async def test_a_supplier_cash_payment_prints_a_payment_slip(settings, now, open_shift, parties, till) -> None:
    printer = FakePrinter()
    station = fake_station(printer)
    app = app_with(settings, now, station)
    async with app.run_test(size=SIZE) as pilot:
        await pay_acme_in_cash(pilot, till)
        assert isinstance(app.screen, SaleScreen)
        await drain(pilot, station)
    (slip,) = printer.printed
    text = printed_text(slip)
    assert slip.kick and "PAYMENT RECEIPT" in text and "60.00 TL" in text and "ACME" in text
    assert "fatura 12" in text and "Signature" in text


async def test_without_a_printer_the_payment_slip_is_shown(make_app, open_shift, parties, till) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pay_acme_in_cash(pilot, till)
        assert isinstance(app.screen, ReportDialog)
        assert "PAYMENT RECEIPT" in till.screen_text(pilot)
        await pilot.press("enter")
        await till.settle(pilot)
        assert isinstance(app.screen, SaleScreen)
        assert "Payment 1: 60.00 paid to ACME in cash" in till.message(pilot)

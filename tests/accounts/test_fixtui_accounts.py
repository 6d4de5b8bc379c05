"""The newcomer's look at collections, supplier payments and the look-up at 80×24: amounts are
pre-filled with thousands separators and read back; the collection dialog names the overdue debt;
the statement period dialog drops its error once the date is corrected; statement lines say how the
money moved; phone numbers read as people write them."""

from __future__ import annotations

from decimal import Decimal

from accounts_support import Books, make_books, post, quick_pins  # noqa: F401
from textual.widgets import DataTable, Input, Label, Static
from till_accounts_support import SIZE, owes, parties_fixture  # noqa: F401

from pos_tui.core import accounts, cash
from pos_tui.core.accounts import display_phone
from pos_tui.devices.print_queue import FakePrinter
from pos_tui.store import models as m
from pos_tui.tui.dialogs.accounts_lookup_period import StatementPeriodDialog
from pos_tui.tui.dialogs.accounts_money_dialogs import CollectionDialog, SupplierPaymentDialog
from pos_tui.tui.dialogs.accounts_pick import AccountPickDialog
from pos_tui.tui.screens.accounts import StatementScreen
from pos_tui.tui.screens.sale import SaleScreen
from tests.tui import conftest as tui
from tests.tui.tui_printing_support import app_with, fake_station

_quick_pins, make_app, open_shift, shop, till = tui._quick_pins, tui.make_app, tui.open_shift, tui.shop, tui.till


async def login_admin(pilot, till) -> None:  # type: ignore[no-untyped-def]
    """The admin logs in and closes the agenda's reminder (the overdue accounts' automatic entries)."""
    from pos_tui.tui.screens.agenda import AgendaDueDialog

    await till.login(pilot, "9999")
    await till.settle(pilot)
    if isinstance(pilot.app.screen, AgendaDueDialog):
        await pilot.press("escape")
        await till.settle(pilot)


async def open_collection(pilot, till, account: str = "BAKKAL") -> CollectionDialog:  # type: ignore[no-untyped-def]
    await login_admin(pilot, till)
    await pilot.press("f12")
    await till.settle(pilot)
    await pilot.press("t")
    await till.settle(pilot)
    assert isinstance(pilot.app.screen, AccountPickDialog)
    await till.type(pilot, account, "enter")
    dialog = pilot.app.screen
    assert isinstance(dialog, CollectionDialog)
    return dialog


async def test_collection_prefills_grouped_amount_names_the_overdue_and_posts_it(
    settings, now, open_shift, parties, till, shop
) -> None:
    bakkal, _acme = parties
    owes(bakkal, "1250.00", now, user_id=shop.admin.user_id)  # due 30 days ago
    owes(bakkal, "349.60", now, days_ago=2, user_id=shop.admin.user_id)  # not due yet
    station = fake_station(FakePrinter())
    app = app_with(settings, now, station)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_collection(pilot, till)
        field = dialog.query_one("#money-amount", Input)
        assert field.value == "1,599.60"  # the shop's way (English here; Turkish: 1.599,60)
        overdue = dialog.query_one("#money-overdue", Label)
        assert "Overdue: 1,250.00" in till.screen_text(pilot)
        assert overdue.region.bottom <= SIZE[1]
        field.focus()
        await pilot.press("enter")  # the pre-filled amount is read back as it is shown
        await till.settle(pilot)
        assert str(dialog.query_one(".error-line", Static).render()) == ""
        await pilot.press("enter")
        dialog.action_post("cash")
        await till.settle(pilot)
        assert isinstance(app.screen, SaleScreen)
    (entry,) = m.AccountEntry.select().where(m.AccountEntry.kind == accounts.COLLECTION)
    assert entry.amount == -159960


async def test_no_overdue_line_when_nothing_is_overdue(settings, now, open_shift, parties, till, shop) -> None:
    bakkal, _acme = parties
    owes(bakkal, "100.00", now, days_ago=2, user_id=shop.admin.user_id)
    app = app_with(settings, now, fake_station(FakePrinter()))
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_collection(pilot, till)
        assert not dialog.query("#money-overdue")
        assert "Overdue" not in till.screen_text(pilot)


async def test_supplier_payment_prefills_grouped_and_reads_it_back(settings, now, open_shift, parties, till, shop):  # type: ignore[no-untyped-def]
    _bakkal, acme = parties
    owes(acme, "-7284.12", now, user_id=shop.admin.user_id)  # the shop owes ACME
    app = app_with(settings, now, fake_station(FakePrinter()))
    async with app.run_test(size=SIZE) as pilot:
        await login_admin(pilot, till)
        await pilot.press("f12")
        await till.settle(pilot)
        await pilot.press("h")
        await till.settle(pilot)
        await pilot.press("2")  # pay a supplier
        await till.settle(pilot)
        await till.type(pilot, "ACME", "enter")
        dialog = app.screen
        assert isinstance(dialog, SupplierPaymentDialog)
        assert dialog.query_one("#money-amount", Input).value == "7,284.12"
        assert dialog._amount() == Decimal("7284.12")


def test_phone_numbers_read_as_people_write_them() -> None:
    assert display_phone("+905426110277") == "0542 611 02 77"
    assert display_phone("+4930123456") == "+4930123456"  # not Turkish: as stored
    assert display_phone(None) == ""


# -- the look-up (tests/accounts/test_books_tui.py's books) ----------------------------------------------------------


def lookup_books(db: object, settings, now) -> Books:  # type: ignore[no-untyped-def]
    built = make_books(settings, now)
    cash.open_shift(settings.terminal_id, built.ayse, Decimal("100.00"), now=built.now)
    b = built.bakkal
    post(built, b, accounts.SALE, "700.00", days=-40, due_days=30)
    post(built, b, accounts.COLLECTION, "-100.00", days=-3, method="transfer")
    post(built, b, accounts.COLLECTION, "-50.00", days=-1, method="card")
    return built


async def open_lookup(pilot, till) -> None:  # type: ignore[no-untyped-def]
    await till.type(pilot, "1111", "enter")
    await pilot.press("f12")
    await till.settle(pilot)
    await pilot.press("h")
    await till.settle(pilot)
    await pilot.press("1")
    await till.settle(pilot)
    await till.type(pilot, "BAKKAL", "enter")


async def test_lookup_shows_phone_and_overdue_statement_lines_show_the_method(db, settings, now, till) -> None:
    from pos_tui.tui.app import PosApp

    books = lookup_books(db, settings, now)
    app = PosApp(books.settings, clock=lambda: books.now)
    async with app.run_test(size=SIZE) as pilot:
        await open_lookup(pilot, till)
        text = till.screen_text(pilot)
        assert "0532 111 22 33" in text and "+90532" not in text
        assert "Overdue" in text and "550.00" in text
        await pilot.press("f5")
        await till.settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, StatementPeriodDialog)
        await till.type(pilot, "31.02.2026", "enter")  # not a date: said, and the field keeps the focus
        error = dialog.query_one(".error-line", Static)
        assert "not a date" in str(error.render())
        start = dialog.query_one("#start", Input)
        start.value = "01.10.2026"  # corrected: the old error goes
        await pilot.pause()
        assert str(error.render()) == ""
        await pilot.press("enter")
        await till.type(pilot, "31.10.2026", "enter")
        assert isinstance(app.screen, StatementScreen)
        table = app.screen.query_one("#rows", DataTable)
        labels = [str(table.get_row_at(i)[1]) for i in range(table.row_count)]
        assert any("(bank transfer)" in label for label in labels), labels
        assert any("(card)" in label for label in labels), labels

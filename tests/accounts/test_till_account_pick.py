"""The account picker at the till (F12 → Collection opens it): by phone, by a scan of the account card,
by part of the name with ↑↓, the wrong kind refused; errors and a snapshot at 80×24."""

from __future__ import annotations

from till_accounts_support import CARD, SIZE, assert_error_visible, parties_fixture  # noqa: F401

from pos_tui.tui.dialogs.accounts_money_dialogs import CollectionDialog
from pos_tui.tui.dialogs.accounts_pick import AccountPickDialog
from tests.tui import conftest as tui

_quick_pins, make_app, open_shift, shop, till = tui._quick_pins, tui.make_app, tui.open_shift, tui.shop, tui.till


async def open_picker(pilot, till) -> None:  # type: ignore[no-untyped-def]
    await till.login(pilot)
    await pilot.press("f12")
    await till.settle(pilot)
    await pilot.press("t")  # Collection
    await till.settle(pilot)
    assert isinstance(pilot.app.screen, AccountPickDialog)


async def test_a_phone_number_in_any_spelling_picks_the_account(make_app, open_shift, parties, till) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_picker(pilot, till)
        await till.type(pilot, "+90 (532) 111-22-33", "enter")
        assert isinstance(app.screen, CollectionDialog)
        assert app.screen.account.party.code == "BAKKAL"


async def test_a_scan_of_the_account_card_picks_the_account(make_app, open_shift, parties, till) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_picker(pilot, till)
        await till.scan(pilot, CARD)  # a scanner types the code and Enter
        assert isinstance(app.screen, CollectionDialog)
        assert app.screen.account.party.code == "BAKKAL"


async def test_a_scanner_reading_the_account_card_through_the_device_hub(
    settings, now, open_shift, parties, till
) -> None:
    from pos_tui.devices.scanner import Scanned
    from tests.tui.tui_devices_support import device_app

    app = device_app(settings, now)
    async with app.run_test(size=SIZE) as pilot:
        await open_picker(pilot, till)
        app.devices.route(Scanned(CARD, "serial"))  # the picker is a scan target: typed and submitted
        await till.settle(pilot)
        assert isinstance(app.screen, CollectionDialog)
        assert app.screen.account.party.code == "BAKKAL"
        assert app.devices.queued == ()


async def test_part_of_the_name_lists_accounts_with_balance_and_arrows_pick(
    make_app, open_shift, parties, till
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_picker(pilot, till)
        await till.type(pilot, "bakk")
        text = till.screen_text(pilot)
        assert "BAKKAL" in text and "Köşe Bakkalı Ltd." in text and "Bakkaliye Market" in text
        assert "1,000.00" in text  # BAKKAL's available credit
        assert "ACME" not in text  # a supplier is not a customer
        await pilot.press("down")
        await till.type(pilot, "", "enter")
        assert isinstance(app.screen, CollectionDialog)
        assert app.screen.account.party.code == "BAKKALIYE"


async def test_nothing_found_and_a_suppliers_code_are_said_at_80x24(make_app, open_shift, parties, till, now) -> None:
    from pos_tui.core import accounts

    accounts.set_active("BAKKALIYE", False, now=now)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_picker(pilot, till)
        await till.type(pilot, "zzz", "enter")
        assert_error_visible(pilot, till, "No account found for zzz")
        app.screen.query_one("#account-query").value = ""
        await till.type(pilot, "ACME", "enter")
        assert_error_visible(pilot, till, "ACME is a supplier's account, not a customer's")
        app.screen.query_one("#account-query").value = ""
        await till.type(pilot, "BAKKALIYE", "enter")
        assert_error_visible(pilot, till, "The account BAKKALIYE is closed")
        await pilot.press("escape")
        await till.settle(pilot)
        assert not isinstance(app.screen, AccountPickDialog)


def test_picker_snapshot(snap_compare, make_app, open_shift, parties, till) -> None:
    async def fill(pilot) -> None:  # type: ignore[no-untyped-def]
        await open_picker(pilot, till)
        await till.type(pilot, "bak")
        await till.steady(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=fill)

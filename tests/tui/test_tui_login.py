"""PIN login, lockout, the open-shift prompt and logging out."""

from __future__ import annotations

from decimal import Decimal

from textual.widgets import Input

from pos_tui.core import cash
from pos_tui.store import models as m
from pos_tui.tui.dialogs.shift import OpenShiftDialog
from pos_tui.tui.screens.login import LoginScreen
from pos_tui.tui.screens.sale import SaleScreen


async def test_right_pin_with_open_shift_goes_to_the_sale_screen(make_app, open_shift, till) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        assert isinstance(app.screen, LoginScreen)
        await till.login(pilot, "1111")
        assert isinstance(app.screen, SaleScreen)
        assert app.session.actor is not None and app.session.actor.name == "ayse"
        assert app.session.shift.id == open_shift.id
        assert app.screen.focused is app.screen.query_one("#scan")


async def test_wrong_pin_says_how_many_tries_are_left(make_app, shop, till) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await till.login(pilot, "4321")
        assert isinstance(app.screen, LoginScreen)
        assert "4 tries left" in till.message(pilot)
        assert app.screen.query_one("#pin").value == ""
        assert app.session.actor is None
    assert m.LoginAttempt.select().where(m.LoginAttempt.success == False).count() == 1  # noqa: E712


async def test_five_wrong_pins_lock_the_terminal_with_the_time(make_app, shop, till) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        for _attempt in range(5):
            await till.login(pilot, "4321")
        assert "locked until 10:20:00" in till.message(pilot)
        await till.login(pilot, "1111")
        assert isinstance(app.screen, LoginScreen)
        assert "locked until" in till.message(pilot)


async def test_no_shift_asks_for_the_float_then_opens_the_sale_screen(make_app, shop, settings, till) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await till.login(pilot, "1111")
        assert isinstance(app.screen, OpenShiftDialog)
        await till.type(pilot, "150,50", "enter")
        assert isinstance(app.screen, SaleScreen)
    shift = cash.current_shift(settings.terminal_id)
    assert shift is not None and shift.opening_float == Decimal("150.50") and shift.opened_by == "ayse"


async def test_float_prompt_starts_at_zero_and_refuses_a_scanned_barcode(make_app, shop, settings, till) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await till.login(pilot, "1111")
        assert app.screen.query_one("#amount", Input).value == "0.00"
        await till.type(pilot, shop.EKMEK, "enter")  # the cashier scanned before the sale screen was up
        assert isinstance(app.screen, OpenShiftDialog)
        assert "looks like a barcode" in till.screen_text(pilot)
        assert cash.current_shift(settings.terminal_id) is None
        await till.type(pilot, "2000000", "enter")
        assert "more than a till handles" in till.screen_text(pilot)
        await till.type(pilot, "0", "enter")
        assert isinstance(app.screen, SaleScreen)
    shift = cash.current_shift(settings.terminal_id)
    assert shift is not None and shift.opening_float == Decimal("0.00")


async def test_escape_at_the_float_prompt_logs_out(make_app, shop, settings, till) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await till.login(pilot, "1111")
        await pilot.press("escape")
        await till.settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        assert app.session.actor is None
    assert cash.current_shift(settings.terminal_id) is None


async def test_ctrl_q_logs_out_and_quits_from_the_login_screen(make_app, open_shift, till) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await till.login(pilot, "1111")
        await pilot.press("ctrl+q")
        await till.settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        assert app.session.actor is None
        await pilot.press("ctrl+q")
        await till.settle(pilot)
    assert app.return_code == 0

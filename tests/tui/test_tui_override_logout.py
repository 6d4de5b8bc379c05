"""Ctrl+Q (log out) while the supervisor-approval dialog is open: the till goes back to the PIN.

It used to crash: logging out closed the approval dialog as if the cashier had given up, and the
"not allowed" message was then written to a sale screen that was no longer on the stack
(``NoMatches: No nodes match '#message' on SaleScreen()``)."""

from __future__ import annotations

from pos_tui.tui.dialogs.manager import ManagerPinDialog
from pos_tui.tui.dialogs.prompts import ChoiceDialog
from pos_tui.tui.screens.login import LoginScreen


async def _log_out_from_the_approval(app, pilot, till) -> None:
    assert isinstance(app.screen, ManagerPinDialog)
    await pilot.press("ctrl+q")
    await till.settle(pilot)
    assert isinstance(app.screen, LoginScreen)
    assert app.session.actor is None
    # The till still works: the next cashier logs in and sells.
    await till.login(pilot)
    assert app.screen.id != "login"


async def test_log_out_while_a_supervisor_is_asked_to_cancel_the_sale(make_app, shop, open_shift, till) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await till.login(pilot)
        await till.scan(pilot, shop.EKMEK)
        await pilot.press("f12")
        await till.settle(pilot)
        assert isinstance(app.screen, ChoiceDialog)
        await pilot.press("8")  # cancel this sale
        await till.settle(pilot)
        await till.type(pilot, "1", "enter")  # the reason
        await _log_out_from_the_approval(app, pilot, till)


async def test_log_out_while_a_supervisor_is_asked_for_a_big_discount(make_app, shop, open_shift, till) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await till.login(pilot)
        await till.scan(pilot, shop.EKMEK)
        await pilot.press("f6")
        await till.settle(pilot)
        await till.type(pilot, "%50", "enter")
        await _log_out_from_the_approval(app, pilot, till)

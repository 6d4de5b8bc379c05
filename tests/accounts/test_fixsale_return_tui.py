"""The return screen at 80×24 says where a refund goes: what goes back on the customer's account and
what (if anything) is paid out in cash, before posting and in the result's title."""

from __future__ import annotations

from textual.widgets import Static
from till_accounts_support import SIZE, parties_fixture  # noqa: F401 (fixture)

from pos_tui.store import models as m
from pos_tui.tui.dialogs.accounts_money_dialogs import OnAccountDialog
from pos_tui.tui.dialogs.accounts_pick import AccountPickDialog
from pos_tui.tui.screens.payment import PaymentScreen
from tests.tui import conftest as tui

_quick_pins, make_app, open_shift, shop, till = tui._quick_pins, tui.make_app, tui.open_shift, tui.shop, tui.till
Shop = tui.Shop


async def _sell_on_account(pilot, till, cash: str | None = None) -> None:  # type: ignore[no-untyped-def]
    await till.login(pilot)
    await till.scan(pilot, Shop.CAY)  # 120,00
    await till.scan(pilot, Shop.EKMEK)  # 10,00
    await pilot.press("f10")
    await till.settle(pilot)
    assert isinstance(pilot.app.screen, PaymentScreen)
    if cash is not None:
        await till.type(pilot, cash, "f8")
    await pilot.press("f2")
    await till.settle(pilot)
    if isinstance(pilot.app.screen, AccountPickDialog):
        await till.type(pilot, "BAKKAL", "enter")
    assert isinstance(pilot.app.screen, OnAccountDialog)
    await till.type(pilot, "", "enter")
    await till.type(pilot, "", "enter")
    await pilot.press("f10")
    await till.settle(pilot)
    await till.type(pilot, "", "enter")  # close the receipt


async def _return_all(pilot, till) -> str:  # type: ignore[no-untyped-def]
    """F4, receipt 1, both lines; the summary line as shown."""
    await pilot.press("f4")
    await till.settle(pilot)
    await till.type(pilot, "1", "enter")
    await pilot.press("f5")
    await pilot.press("down", "f5")
    await till.settle(pilot)
    summary = pilot.app.screen.query_one("#return-summary", Static)
    assert summary.region.bottom <= SIZE[1] and summary.region.right <= SIZE[0]
    return till.screen_text(pilot)


async def _post(pilot, till) -> str:  # type: ignore[no-untyped-def]
    """Post the return; the result dialog's text (its title says where the money went)."""
    from pos_tui.tui.dialogs.views import ReportDialog

    await pilot.press("f10")
    await till.type(pilot, "1", "enter")  # the first preset reason
    for _ in range(3):
        await till.settle(pilot)
        if isinstance(pilot.app.screen, ReportDialog):
            return str(till.screen_text(pilot))
        await pilot.press("enter")
    raise AssertionError(till.screen_text(pilot))


async def test_a_return_of_a_sale_on_account_says_it_goes_back_on_the_account(
    make_app, open_shift, parties, till
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _sell_on_account(pilot, till)  # 130,00 all on account
        text = await _return_all(pilot, till)
        assert "130.00 back on account BAKKAL" in text, text
        assert "cash" not in text.split("To refund")[1].splitlines()[1], text  # nothing to hand out
        await pilot.press("f8")  # "refund in cash": the on-account part still goes back on the account
        await till.settle(pilot)
        assert "130.00 back on account BAKKAL" in till.screen_text(pilot)
        text = await _post(pilot, till)
        assert "130.00 credited to account BAKKAL" in text, text
        assert "paid out" not in text and "refund 130.00" not in text
    ret = m.Sale.get(m.Sale.kind == "return")
    assert [p.method for p in m.Payment.select().where(m.Payment.sale == ret.id)] == ["on_account"]


async def test_a_split_return_says_what_is_paid_out_in_cash(make_app, open_shift, parties, till) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _sell_on_account(pilot, till, cash="30")  # 30,00 cash + 100,00 on account
        text = await _return_all(pilot, till)
        assert "30.00 to pay out in cash · 100.00 back on account BAKKAL" in text, text
        text = await _post(pilot, till)
        assert "30.00 paid out in cash" in text and "100.00 credited to account BAKKAL" in text, text

"""The store credit top-up dialog at 80×24: Enter on the card or phone names the member and their
store credit before the money is taken (an unknown one is said at once), and the last top-up's
result line goes when a new error or member comes."""

from __future__ import annotations

from decimal import Decimal

from pos_tui.core.loyalty import members, wallet
from pos_tui.tui.dialogs.prompts import ChoiceDialog
from pos_tui.tui.dialogs.wallet_topup import WalletTopUpDialog

SIZE = (80, 24)


def _text(app, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


async def test_enter_names_the_member_and_an_old_result_does_not_linger(make_app, open_shift, shop, till, now):
    member = members.enroll(name="Zeynep Kaya", phone="0532 111 22 33", source="cli", actor=None, now=now)
    wallet.credit(member.id, Decimal("250.00"), kind="refund", now=now)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await till.login(pilot)
        await pilot.press("f12")
        await till.settle(pilot)
        await pilot.press("0")  # the gift card entry
        await till.settle(pilot)
        assert isinstance(app.screen, ChoiceDialog)
        await pilot.press("4")  # store credit
        await till.settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, WalletTopUpDialog)

        await till.type(pilot, "05321112233", "enter")
        assert _text(app, "#wt-member-name") == "Member: Zeynep Kaya (credit 250.00)"
        assert "Member: Zeynep Kaya (credit 250.00)" in till.screen_text(pilot)
        assert app.focused is dialog.query_one("#wt-amount")
        await till.type(pilot, "40", "f8")
        await till.settle(pilot)
        assert "40.00 of store credit for Zeynep Kaya" in _text(app, "#wt-result")
        assert _text(app, "#wt-member-name") == ""

        await till.type(pilot, "", "f8")  # F8 again at once: no member typed, an error
        assert "Scan the member's card" in _text(app, ".error-line")
        assert _text(app, "#wt-result") == ""  # the last top-up's line went with the new error
        assert "40.00 of store credit" not in till.screen_text(pilot)

        await till.type(pilot, "05559998877", "enter")  # nobody has this phone
        assert "No member with card or phone 05559998877" in _text(app, ".error-line")
        assert "No member with card or phone" in till.screen_text(pilot)
        assert _text(app, "#wt-member-name") == ""
        assert app.focused is dialog.query_one("#wt-member")

        dialog.query_one("#wt-member").value = "05321112233"
        await till.type(pilot, "", "enter")
        assert _text(app, ".error-line") == ""
        assert "Member: Zeynep Kaya (credit 290.00)" in till.screen_text(pilot)

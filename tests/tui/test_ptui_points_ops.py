"""The points operations dialog (F2 → F5) as a newcomer met it at 80×24: after Enter on the
receiver the digits typed go to the points (never nowhere), Space ticks the consent box and the
hint says so, and an old result line leaves when the mode changes or a new error shows."""

from __future__ import annotations

from textual.widgets import Checkbox, Input, Static

from pos_tui.core.kernel import shop_day
from pos_tui.core.loyalty import ExpiryPolicy, balance, earn, members
from pos_tui.tui.dialogs.customer import CustomerDialog
from pos_tui.tui.dialogs.points_ops import PointsOpsDialog

SIZE = (80, 24)


def _text(app, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def _open(pilot, till) -> PointsOpsDialog:
    await till.login(pilot)
    await pilot.press("f2")
    await till.type(pilot, "5321112233", "enter")
    await pilot.press("f2")
    await till.settle(pilot)
    assert isinstance(pilot.app.screen, CustomerDialog)
    await pilot.press("f5")
    await till.settle(pilot)
    assert isinstance(pilot.app.screen, PointsOpsDialog)
    return pilot.app.screen


async def test_digits_after_the_receiver_go_to_the_points_and_space_ticks_the_box(
    make_app, open_shift, shop, till, now
) -> None:
    giver = members.enroll(name="Zeynep Kaya", phone="0532 111 22 33", source="cli", actor=None, now=now)
    receiver = members.enroll(name="Ali Alan", phone="0532 444 55 66", source="cli", actor=None, now=now)
    earn(giver.id, 500, now=now, hold_days=0, expiry=ExpiryPolicy.never())
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        dialog = await _open(pilot, till)
        assert "Space: consent box" in till.screen_text(pilot)  # the hint says how to tick it
        await till.type(pilot, "0532 444 55 66", "enter")  # the phone's spaces stay in the field
        assert "To: Ali Alan" in till.screen_text(pilot)
        await pilot.press("2", "0", "0")  # typed keys, as the cashier types them
        await till.settle(pilot)
        points = dialog.query_one("#ops-points", Input)
        assert points.value == "200"
        await pilot.press("enter")  # not ticked yet: refused, the points stay
        await till.settle(pilot)
        assert "Press Space to tick the box" in _text(app, ".error-line")
        assert "Press Space to tick the box" in till.screen_text(pilot)
        assert points.value == "200" and app.focused is points
        await pilot.press("space")
        await till.settle(pilot)
        assert dialog.query_one("#ops-consent", Checkbox).value and points.value == "200"
        await pilot.press("enter")
        await till.settle(pilot)
        assert "Gave 200 points to Ali Alan; 300 remain available." in _text(app, "#ops-result")
        assert balance(receiver.id, as_of=shop_day(now)).available == 200

        # Digits typed while the consent box has the focus go to the points field as well.
        await till.type(pilot, "5324445566", "enter")
        dialog.query_one("#ops-consent", Checkbox).focus()
        await pilot.press("5", "0")
        await till.settle(pilot)
        assert points.value == "50" and app.focused is points
        assert not dialog.query_one("#ops-consent", Checkbox).value


async def test_the_result_line_goes_when_the_mode_changes_or_an_error_shows(
    make_app, open_shift, shop, till, now
) -> None:
    giver = members.enroll(name="Zeynep Kaya", phone="0532 111 22 33", source="cli", actor=None, now=now)
    members.enroll(name="Ali Alan", phone="0532 444 55 66", source="cli", actor=None, now=now)
    earn(giver.id, 500, now=now, hold_days=0, expiry=ExpiryPolicy.never())
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot, till)
        await till.type(pilot, "5324445566", "enter")
        await till.type(pilot, "", "space")
        await till.type(pilot, "100", "enter")
        assert "Gave 100 points" in _text(app, "#ops-result")
        await pilot.press("f6")  # donate
        await till.settle(pilot)
        assert _text(app, "#ops-result") == ""
        assert "Gave 100 points" not in till.screen_text(pilot)

        await pilot.press("f5")
        await till.settle(pilot)
        await till.type(pilot, "5324445566", "enter")
        await till.type(pilot, "", "space")
        await till.type(pilot, "50", "enter")
        assert "Gave 50 points" in _text(app, "#ops-result")
        await till.type(pilot, "0599 999 99 99", "enter")  # nobody: a new error
        assert "No member" in _text(app, ".error-line")
        assert _text(app, "#ops-result") == ""
        assert "Gave 50 points" not in till.screen_text(pilot)

"""The points operations dialog at 80×24 (issue 16): F2 on the sale screen with a member on the
sale, then F5; a transfer to a member found by phone (consent box ticked), a donation to a
charity of the shipped program, a transfer above ``supervisor_above`` that asks a supervisor's
PIN, an adjustment, and the refusals on the dialog's own error line."""

from __future__ import annotations

import json
from pathlib import Path

from textual.widgets import Checkbox, Input, Static

from pos_tui.core.kernel import shop_day
from pos_tui.core.loyalty import ExpiryPolicy, balance, earn, members, rules
from pos_tui.store import models as m
from pos_tui.tui.dialogs.base import Dialog
from pos_tui.tui.dialogs.customer import CustomerDialog
from pos_tui.tui.dialogs.manager import ManagerPinDialog
from pos_tui.tui.dialogs.points_ops import PointsOpsDialog
from pos_tui.tui.screens.sale import SaleScreen
from pos_tui.tui.widgets.member_panel import MemberPanel

REPO = Path(__file__).resolve().parents[2]
SIZE = (80, 24)


def _error(app) -> str:
    return str(app.screen.query_one(".error-line", Static).render())


def _result(app) -> str:
    return str(app.screen.query_one("#ops-result", Static).render())


def _error_visible(pilot, till, expected: str) -> None:
    """The error says ``expected``, sits inside the 80×24 screen, and the terminal shows it."""
    screen = pilot.app.screen
    assert isinstance(screen, Dialog)
    line = screen.query_one(".error-line", Static)
    assert expected in str(line.render())
    region = line.region
    assert region.height > 0 and region.bottom <= SIZE[1] and region.right <= SIZE[0], region
    assert expected[:30] in till.screen_text(pilot).replace("\n", " ")


async def _open(pilot, till, phone: str) -> PointsOpsDialog:
    """Log in, attach the member by phone, F2 again, then F5."""
    await till.login(pilot)
    await pilot.press("f2")
    await till.type(pilot, phone, "enter")
    assert isinstance(pilot.app.screen, SaleScreen)
    await pilot.press("f2")
    await till.settle(pilot)
    assert isinstance(pilot.app.screen, CustomerDialog)
    await pilot.press("f5")
    await till.settle(pilot)
    dialog = pilot.app.screen
    assert isinstance(dialog, PointsOpsDialog)
    return dialog


async def test_transfer_and_donation_through_the_dialog(make_app, open_shift, shop, till, now) -> None:
    rules.apply_rules((REPO / "config" / "loyalty.toml").read_text(), source="test", now=now, terminal="T1")
    giver = members.enroll(name="Zeynep Işık", phone="0532 111 22 33", source="cli", actor=None, now=now)
    receiver = members.enroll(name="Ali Alan", phone="0532 444 55 66", source="cli", actor=None, now=now)
    earn(giver.id, 2000, now=now, hold_days=0, expiry=ExpiryPolicy.never())
    day = shop_day(now)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        dialog = await _open(pilot, till, "5321112233")
        assert "Available: 2,000 points" in till.screen_text(pilot)

        # Transfer: the receiver by phone, the consent box, the points.
        await till.type(pilot, "0532 444 55 66", "enter")
        assert "Ali Alan" in till.screen_text(pilot)
        assert isinstance(app.focused, Input) and app.focused.id == "ops-points"  # Enter goes to the points
        await till.type(pilot, "", "space")  # Space ticks the consent box from the points field
        assert app.screen.query_one("#ops-consent", Checkbox).value
        await till.type(pilot, "200", "enter")
        assert "Gave 200 points to Ali Alan; 1,800 remain available." in _result(app), _error(app)
        assert balance(receiver.id, as_of=day).available == 200

        # Without the consent box ticked nothing moves.
        await till.type(pilot, "5324445566", "enter")
        await till.type(pilot, "50", "enter")
        _error_visible(pilot, till, "tick the box once the giving member has consented")
        assert _result(app) == ""  # the last transfer's line went with the new error
        assert balance(receiver.id, as_of=day).available == 200

        # Donate: F6, the first charity of the program (TEMA), Enter, the points.
        await pilot.press("f6")
        await till.settle(pilot)
        await pilot.press("down", "enter")  # the second: LÖSEV
        await till.settle(pilot)
        await till.type(pilot, "5", "enter")
        _error_visible(pilot, till, "at least 10 points; 5 were asked")
        dialog.query_one("#ops-points", Input).value = ""
        await till.type(pilot, "50", "enter")
        assert "Donated 50 points to LÖSEV; 1,750 remain available." in _result(app), _error(app)

        # A transfer above supervisor_above (1000) asks a supervisor's PIN, then goes through.
        await pilot.press("f5")
        await till.settle(pilot)
        await till.type(pilot, "5324445566", "enter")
        await till.type(pilot, "", "space")
        await till.type(pilot, "1001", "enter")
        assert isinstance(app.screen, ManagerPinDialog)
        await till.type(pilot, "2222", "enter")
        await till.type(pilot, "müşteri isteği", "enter")
        assert isinstance(app.screen, PointsOpsDialog)
        assert "Gave 1,001 points" in _result(app), _error(app)

        # Esc, Esc: back on the sale, whose member panel shows the new figures.
        await pilot.press("escape")
        await till.settle(pilot)
        assert isinstance(app.screen, CustomerDialog)
        await pilot.press("escape")
        await till.settle(pilot)
        assert isinstance(app.screen, SaleScreen)
        assert app.screen.query_one(MemberPanel).profile["points"]["available"] == 749

    journal = [
        (e.kind, json.loads(e.payload))
        for e in m.JournalEntry.select().where(m.JournalEntry.kind.startswith("points_"))
    ]
    assert [kind for kind, _ in journal] == ["points_transfer", "points_donate", "points_transfer"]
    assert journal[0][1]["consent"] == "till: consent box" and journal[0][1]["user"] == "ayse"
    assert journal[1][1] == {"member": giver.id, "points": 50, "charity": "losev", "user": "ayse"}
    assert journal[2][1]["supervisor"] == "mehmet"


async def test_adjust_needs_a_supervisor_and_a_reason(make_app, open_shift, shop, till, now) -> None:
    member = members.enroll(name="Zeynep Işık", phone="0532 111 22 33", source="cli", actor=None, now=now)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot, till, "5321112233")
        await pilot.press("f7")
        await till.settle(pilot)
        await till.type(pilot, "-", "enter")
        assert app.focused is not None and app.focused.id == "ops-reason"
        await till.type(pilot, "", "enter")
        _error_visible(pilot, till, "A reason is needed")
        await till.type(pilot, "kayıp fiş", "enter")
        _error_visible(pilot, till, "whole number, such as 50 or -50")
        app.screen.query_one("#ops-points", Input).value = "+30"
        await till.type(pilot, "", "f10")
        assert isinstance(app.screen, ManagerPinDialog)  # a cashier may not adjust points
        await till.type(pilot, "2222", "enter")
        await till.type(pilot, "onay", "enter")
        assert "Adjusted by +30 points; 30 available." in _result(app), _error(app)
        # A transfer to the member themselves is refused before anything is asked.
        await pilot.press("f5")
        await till.settle(pilot)
        await till.type(pilot, "5321112233", "enter")
        _error_visible(pilot, till, "cannot transfer points to themselves")
    assert balance(member.id, as_of=shop_day(now)).available == 30

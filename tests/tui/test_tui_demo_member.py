"""The demo shop at the till: F2 with a demo member's phone attaches them, with their points."""

from __future__ import annotations

from datetime import datetime

from pos_tui.core.interchange import load_demo
from pos_tui.settings import Settings
from pos_tui.tui.dialogs.customer import CustomerDialog
from pos_tui.tui.screens.sale import SaleScreen
from pos_tui.tui.widgets.member_panel import MemberPanel


async def test_f2_with_a_demo_phone_finds_the_member_and_their_points(
    db: object, settings: Settings, now: datetime, make_app, till
) -> None:
    load_demo(settings, now)
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await till.login(pilot, "1111")
        await till.type(pilot, "", "enter")  # the opening float: Enter accepts 0,00
        assert isinstance(app.screen, SaleScreen)
        await pilot.press("f2")
        await till.settle(pilot)
        assert isinstance(app.screen, CustomerDialog)
        await till.type(pilot, "0542 611 02 77", "enter")
        assert isinstance(app.screen, SaleScreen)
        assert app.screen.cart.member_id is not None
        assert app.screen.query_one(MemberPanel).display
        text = till.screen_text(pilot)
        assert "İbrahim Çelik" in text and "310 points" in text

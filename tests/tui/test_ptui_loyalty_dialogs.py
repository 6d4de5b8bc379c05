"""What a newcomer met at 80×24 in the coupon and rewards dialogs (Ctrl+O, Ctrl+R): a coupon's
"not applied" reason is readable in full, and a refused discount-reward pick says it was refused
and why."""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime, timedelta
from decimal import Decimal

from pos_tui.core.loyalty import create_coupon, ledger, members, rules
from pos_tui.i18n import set_language
from pos_tui.tui.dialogs.loyalty_entry import CouponDialog, RewardsDialog

SIZE = (80, 24)

PROGRAM = """
[[rewards]]
code = "puan-indirim"
name = "100 puana 50 TL indirim"
kind = "discount"
points = 100
discount_per_point = 0.50
"""


def _error(app) -> str:
    return str(app.screen.query_one(".error-line").render())


def _words(screen: str) -> str:
    """The screen's text with the dialog's frame and line breaks turned into single spaces."""
    return re.sub(r"[\s█▎▊]+", " ", screen)


async def test_a_coupons_not_applied_reason_is_whole_at_80x24(make_app, settings, open_shift, shop, till, now) -> None:
    create_coupon("CJK6AJH4", kind="amount", amount=Decimal(50), min_spend=Decimal(300), now=now)
    app = make_app(dataclasses.replace(settings, shop=dataclasses.replace(settings.shop, language="tr")))
    try:
        async with app.run_test(size=SIZE) as pilot:
            await till.login(pilot)
            await till.scan(pilot, shop.CAY)  # 120,00
            await pilot.press("ctrl+o")
            await till.settle(pilot)
            assert isinstance(app.screen, CouponDialog)
            await till.type(pilot, "CJK6AJH4", "enter")
            assert app.screen.cart.coupons == ("CJK6AJH4",)
            words = _words(till.screen_text(pilot))
            assert "CJK6AJH4 uygulanmadı" in words
            assert "CJK6AJH4 kuponu için fiş en az 300,00 olmalı; bu fiş 120,00" in words
            assert "…" not in till.screen_text(pilot)
    finally:
        set_language("en")


async def test_a_third_discount_pick_is_refused_and_says_why(make_app, open_shift, shop, till, now: datetime) -> None:
    rules.apply_rules(PROGRAM, now=now)
    member = members.enroll(name="Zeynep Kaya", phone="0532 111 22 33", source="cli", actor=None, now=now)
    ledger.earn(member.id, 265, now=now - timedelta(days=30), hold_days=0)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await till.login(pilot)
        for code in (shop.CAY, shop.CAY, shop.ISPARTA):  # 325,00
            await till.scan(pilot, code)
        await pilot.press("f2")
        await till.type(pilot, "5321112233", "enter")
        await pilot.press("ctrl+r")
        await till.settle(pilot)
        assert isinstance(app.screen, RewardsDialog)
        await pilot.press("enter")
        await till.settle(pilot)
        await pilot.press("enter")
        await till.settle(pilot)
        assert app.screen.cart.rewards == ("puan-indirim", "puan-indirim")
        await pilot.press("enter")  # a third: 300 points, the member has 265
        await till.settle(pilot)
        expected = (
            "Reward 100 puana 50 TL indirim cannot be taken: not enough points, it needs 100 and 65 are left "
            "(265 available, 200 taken by the rewards on this receipt)"
        )
        assert _error(app) == expected
        assert expected in _words(till.screen_text(pilot))  # whole on the 80×24 screen
        assert app.screen.cart.rewards == ("puan-indirim", "puan-indirim")

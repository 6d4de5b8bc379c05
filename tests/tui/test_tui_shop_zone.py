"""The till prices the cart on the day of the shop's configured zone (far from Istanbul here)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from decimal import Decimal

from pos_tui.core.loyalty import create_coupon
from pos_tui.settings import Settings
from pos_tui.tui.app import PosApp
from pos_tui.tui.dialogs.loyalty_entry import CouponDialog

# 12:00 UTC on 1 November 2026: 15:00 on the 1st in Istanbul, 01:00 on the 2nd in Auckland.
LATE = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


async def test_a_coupon_valid_on_the_shops_day_applies_at_the_till(
    settings: Settings, open_shift, shop, till, now: datetime
) -> None:
    auckland = dataclasses.replace(settings, shop=dataclasses.replace(settings.shop, timezone="Pacific/Auckland"))
    create_coupon("YARIN", kind="amount", amount=Decimal(5), valid_from=datetime(2026, 11, 2).date(), now=now)
    app = PosApp(auckland, clock=lambda: LATE)
    async with app.run_test(size=(100, 30)) as pilot:
        await till.login(pilot)
        await till.scan(pilot, shop.CAY)  # 120,00
        await pilot.press("ctrl+o")
        await till.settle(pilot)
        assert isinstance(app.screen, CouponDialog)
        await till.type(pilot, "yarin", "enter")
        assert str(app.screen.query_one(".error-line").render()) == ""
        assert app.screen.cart.coupons == ("YARIN",)
        await pilot.press("escape")
        await till.settle(pilot)
        assert app.screen.cart.total == Decimal("115.00")

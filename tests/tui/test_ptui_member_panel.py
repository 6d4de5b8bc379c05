"""The member panel at 80×24 (Turkish, the longest words): available points, pending points and
the store credit all readable at once, in five lines at most, the coupons line kept."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from decimal import Decimal

from pos_tui.core.loyalty import create_coupon, ledger, members, wallet
from pos_tui.i18n import set_language
from pos_tui.tui.screens.sale import SaleScreen
from pos_tui.tui.widgets.member_panel import MemberPanel


async def test_points_pending_and_store_credit_are_all_readable(make_app, settings, open_shift, shop, till, now):
    member = members.enroll(name="Zeynep Kaya", phone="0532 111 22 33", source="cli", actor=None, now=now)
    ledger.earn(member.id, 65, now=now - timedelta(days=30), hold_days=0)
    ledger.earn(member.id, 75, now=now, hold_days=15)  # pending
    wallet.credit(member.id, Decimal("250.00"), kind="refund", now=now)
    create_coupon("ABCD1234", kind="amount", amount=Decimal(20), member_id=member.id, now=now)
    app = make_app(dataclasses.replace(settings, shop=dataclasses.replace(settings.shop, language="tr")))
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await till.login(pilot)
            await pilot.press("f2")
            await till.type(pilot, "5321112233", "enter")
            assert isinstance(app.screen, SaleScreen)
            panel = app.screen.query_one(MemberPanel)
            assert panel.display
            text = till.screen_text(pilot)
            assert "65 puan" in text
            assert "+75 beklemede" in text
            assert "kredi 250,00" in text
            assert "1 kupon ABCD1234" in text
            assert panel.region.height <= 5 + 1  # five lines and the rule under them
    finally:
        set_language("en")

"""A next-order coupon at the till (80×24): the member's sale shows it on the receipt preview with
its whole code, and the member panel of the next sale shows it (how many, the code, the last day)
within its five lines."""

from __future__ import annotations

from datetime import datetime

from pos_tui.core.loyalty import coupons_issued_by, members, rules
from pos_tui.store import models as m
from pos_tui.tui.dialogs.receipt_preview import ReceiptPreview
from pos_tui.tui.screens.sale import SaleScreen
from pos_tui.tui.widgets.member_panel import MemberPanel, coupons_line

RULES = """
[[next_order_coupons]]
code = "gelecek"
name = "Bir sonraki alışverişe %20"
min_spend = 100
kind = "percent"
percent = 20
max_amount = 200
valid_days = 30
starts_next_day = false
"""


async def test_the_coupon_is_on_the_receipt_and_on_the_member_panel_at_80x24(
    make_app, open_shift, shop, till, now: datetime
) -> None:
    rules.apply_rules(RULES, now=now)
    member = members.enroll(name="Zeynep Işık", phone="0532 111 22 33", source="cli", actor=None, now=now)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await till.login(pilot)
        await pilot.press("f2")
        await till.type(pilot, "5321112233", "enter")
        assert app.screen.cart.member_id == member.id
        assert "coupon" not in till.screen_text(pilot)
        await till.scan(pilot, shop.CAY)  # 120 TL: qualifies
        await pilot.press("f8")
        await till.type(pilot, "200", "enter")
        assert isinstance(app.screen, ReceiptPreview)
        (sale,) = m.Sale.select()
        (coupon,) = coupons_issued_by(sale.uid)
        preview = "\n".join(line.text for line in app.screen.job.lines)
        assert coupon.code in preview and "On your next visit" in preview
        await pilot.press("escape")
        await till.settle(pilot)
        assert isinstance(app.screen, SaleScreen)

        await pilot.press("f2")
        await till.type(pilot, "5321112233", "enter")
        panel = app.screen.query_one(MemberPanel)
        assert panel.display and panel.size.height <= 5
        assert coupons_line(panel.profile or {}) == f"1 coupon {coupon.code} to 30.11"
        assert f"1 coupon {coupon.code} to 30.11" in till.screen_text(pilot)


def test_the_coupon_line_names_the_first_usable_today_else_the_first_to_start() -> None:
    later = {"code": "LATER", "valid_from": "2026-11-02", "valid_to": "2026-11-15"}
    soon = {"code": "SOON", "valid_from": "2026-10-01", "valid_to": "2026-11-20"}
    open_ended = {"code": "OPEN", "valid_from": None, "valid_to": None}
    assert coupons_line({"as_of": "2026-11-01", "coupons": []}) == ""
    assert coupons_line({"as_of": "2026-11-01", "coupons": [later, soon]}) == "2 coupons SOON to 20.11"
    assert coupons_line({"as_of": "2026-11-01", "coupons": [later]}) == "1 coupon LATER from 02.11"
    assert coupons_line({"as_of": "2026-11-02", "coupons": [later, soon]}) == "2 coupons LATER to 15.11"
    assert coupons_line({"as_of": "2026-11-01", "coupons": [open_ended]}) == "1 coupon OPEN"

"""A shop whose every loyalty table was written by the services passes ``audit.verify``."""

from __future__ import annotations

from datetime import datetime

from audit_loyalty_support import build_shop, problems

from pos_tui.settings import Settings
from pos_tui.store import models as m


def test_a_shop_built_through_the_services_is_clean(db: object, settings: Settings, now: datetime) -> None:
    shop = build_shop(settings, now)
    assert problems(settings) == []
    # the scenario really touched every table the checks read
    for model in (m.PointsEntry, m.SaleLoyalty, m.StampEntry, m.SupplierPoints, m.WalletEntry, m.GiftCardEntry):
        assert model.select().count() > 0, model
    assert m.CouponUse.select().count() == 1
    kinds = {e.kind for e in m.PointsEntry.select()}
    assert {"earn", "redeem", "clawback", "adjust"} <= kinds
    assert m.Sale.get_by_id(shop.return_id).return_of_id == shop.coffee_sale
    referral = m.PointsEntry.get(m.PointsEntry.reason.startswith("referral:"))
    assert (referral.member_id, referral.points) == (shop.member, 100)

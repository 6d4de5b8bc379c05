"""Issue 16's operations leave a shop that ``audit verify`` passes: a transfer, a donation,
top-ups in cash and by card, refunds into store credit and onto a new gift card, next-order
coupons (one withdrawn by a return) and a tier upgrade on a receipt."""

from __future__ import annotations

import json
from datetime import datetime

from audit16_support import build_ops_shop

from pos_tui.core import audit
from pos_tui.settings import Settings
from pos_tui.store import models as m


def test_a_shop_doing_every_operation_passes_the_audit(db: object, settings: Settings, now: datetime) -> None:
    shop = build_ops_shop(settings, now)
    J, E = m.JournalEntry, m.PointsEntry
    kinds = {e.kind for e in J.select(J.kind)}
    assert {"points_transfer", "points_donate", "wallet_topup", "coupon_withdraw", "tier_change"} <= kinds
    change = m.TierChange.get(m.TierChange.reason == "receipt")
    assert (change.member_id, change.sale_id, change.to_code) == (shop.giver, shop.second, "altin")
    upgrade = json.loads(m.SaleLoyalty.get_by_id(shop.second).data)["tier_upgrade"]
    assert upgrade == {"from": None, "to": "altin"}
    assert sorted(e.kind for e in E.select().where(E.kind.in_(("transfer_out", "transfer_in", "donate")))) == [
        "donate",
        "transfer_in",
        "transfer_out",
    ]
    assert audit.verify(settings=settings).problems == []

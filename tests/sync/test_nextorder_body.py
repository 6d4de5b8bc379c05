"""A next-order coupon travels with the sale that issued it: the coupon row (``origin_sale`` and
``rule`` as plain columns, the member as their card) is in the sale's outbox record, and the
return that withdraws it carries the coupon row again, inactive."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from accounts_support import make_books
from push_support import sell_to
from sync_support import set_identity

from pos_tui.core import sync
from pos_tui.core.loyalty import coupons_issued_by, rules
from pos_tui.core.loyalty.members.enrolment import enroll
from pos_tui.core.till import ReturnLineInput, create_return
from pos_tui.settings import Settings
from pos_tui.store import models as m

RULES = """
[[next_order_coupons]]
code = "gelecek"
name = "Bir sonraki alışverişe 10 TL"
min_spend = 1
kind = "amount"
amount = 10
"""


def _bodies() -> list[dict[str, Any]]:
    return [json.loads(r.body) for r in sync.pending(10_000, 0)]


def test_the_coupon_is_in_the_sale_s_record_and_its_withdrawal_in_the_return_s(
    db: object, settings: Settings, now: datetime
) -> None:
    books = make_books(settings, now)
    rules.apply_rules(RULES, now=now)
    member = enroll(name="Zeynep Yılmaz", phone="05321234567", source="cli", actor=None, now=now).id
    sale = sell_to(books, member, [("1003", 1)], at=now + timedelta(minutes=5))
    uid = m.Sale.get_by_id(sale).uid
    [coupon] = coupons_issued_by(uid)
    create_return("T1", books.ayse, uid, [ReturnLineInput(1, 1000)], now=now + timedelta(minutes=9), reason="iade")
    set_identity("T1", "S1", "postgresql://centre/shop")
    bodies = _bodies()

    def record_of(kind: str, ref: str) -> dict[str, Any]:
        return next(b for b in bodies if any(entry["kind"] == kind and entry["ref"] == ref for entry in b["journal"]))

    # A body is built at push time from the rows as they are then: the coupon is already withdrawn.
    issued = [r for r in record_of("sale", uid)["rows"] if r["table"] == "coupon"]
    assert [(r["op"], r["key"], r["data"]["origin_sale"], r["data"]["rule"], r["data"]["source"]) for r in issued] == [
        ("i", coupon.code, uid, "gelecek", "next_order")
    ]
    assert issued[0]["data"]["member"] == m.Member.get_by_id(member).card
    back = m.Sale.get(m.Sale.return_of == sale).uid
    withdrawn = [r for r in record_of("return", back)["rows"] if r["table"] == "coupon"]
    assert [(r["op"], r["key"], r["data"]["active"]) for r in withdrawn] == [("u", coupon.code, False)]

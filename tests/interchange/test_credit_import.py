"""Issue 16 in ``import sales``: several coupons on one receipt, rewards-catalogue picks, store
credit top-ups (``"kind": "wallet_topup"``) and returns refunded into store credit or onto a new
gift card. All or nothing; errors name the line, the field and why."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from pos_tui.core import audit
from pos_tui.core.interchange import import_sales
from pos_tui.core.kernel import ImportRejected, shop_day, to_db, to_kurus
from pos_tui.core.loyalty import (
    create_coupon,
    get_coupon,
    giftcards,
    ledger,
    members,
    register_loyalty_tenders,
    rules,
    wallet,
)
from pos_tui.settings import Settings
from pos_tui.store import models as m
from pos_tui.text import fold

D = Decimal
RULES = """
[earning]
percent = 0

[[rewards]]
code = "ekmek"
name = "Ekmek hediye"
product = "50"
points = 10
"""
CARD = "05321234567"
AT = "2026-10-30T18:05:00+03:00"


@pytest.fixture
def shop(db: object, now: datetime) -> int:
    """Ekmek (code 50, 10 TL) and Kolonya (code 60, 100 TL), the cashier ayse, the reward
    "ekmek" (10 points), two 5 and 10 TL coupons and a member with 100 available points."""
    register_loyalty_tenders()
    for code, name, price in (("50", "Ekmek", "10.00"), ("60", "Kolonya", "100.00")):
        m.Product.create(
            code=code, name=name, name_key=fold(name), price=to_kurus(D(price)), kdv_rate=10, updated_at=to_db(now)
        )
    m.User.create(name="ayse", role="cashier", pin_tag="t-ayse", pin_hash="x", created_at=to_db(now))
    rules.apply_rules(RULES, now=now - timedelta(days=30))
    create_coupon("ABC", kind="amount", amount=D(5), now=now - timedelta(days=30))
    create_coupon("DEF", kind="amount", amount=D(10), now=now - timedelta(days=30))
    member = members.enroll(name="Zeynep Yılmaz", phone=CARD, source="cli", actor=None, now=now - timedelta(days=30))
    ledger.earn(member.id, 100, now=now - timedelta(days=30), hold_days=0)
    return member.id


def write(tmp_path: Path, docs: list[dict[str, Any]]) -> Path:
    path = tmp_path / "sales.jsonl"
    path.write_text("\n".join(json.dumps(d, ensure_ascii=False) for d in docs) + "\n", encoding="utf-8")
    return path


def sale(uid: str, **over: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": uid,
        "at": AT,
        "terminal": "WEB",
        "cashier": "ayse",
        "customer": CARD,
        "lines": [{"code": "60", "qty": "1"}],
        "payments": [{"method": "card", "amount": "100.00"}],
    }
    doc.update(over)
    return doc


def topup(uid: str, **over: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "kind": "wallet_topup",
        "id": uid,
        "at": AT,
        "terminal": "WEB",
        "cashier": "ayse",
        "member": CARD,
        "amount": "100.00",
        "method": "cash",
    }
    doc.update(over)
    return doc


def rejected(path: Path, settings: Settings, now: datetime) -> list[tuple[int, str, str]]:
    with pytest.raises(ImportRejected) as caught:
        import_sales(path, settings=settings, now=now)
    return [(e.line, e.field, e.reason) for e in caught.value.errors]


def test_two_coupons_and_two_reward_picks_on_one_receipt(
    shop: int, settings: Settings, now: datetime, tmp_path: Path
) -> None:
    # 100 Kolonya + 2 × 10 Ekmek, both Ekmek taken as rewards (2 × 10 points), coupons 5 + 10:
    # 120 − 20 − 15 = 85
    doc = sale(
        "web-1",
        lines=[{"code": "60", "qty": "1"}, {"code": "50", "qty": "2"}],
        coupons=["ABC", "DEF"],
        rewards=["ekmek", "ekmek"],
        payments=[{"method": "cash", "amount": "85.00"}],
    )
    result = import_sales(write(tmp_path, [doc]), settings=settings, now=now)
    assert result.imported == 1
    posted = m.Sale.get(m.Sale.uid == "web-1")
    assert posted.total == 8500
    assert (get_coupon("ABC").uses, get_coupon("DEF").uses) == (1, 1)
    assert ledger.balance(shop, as_of=shop_day(now)).available == 80  # 100 − 2 × 10 points
    assert audit.verify(settings=settings).problems == []


def test_the_single_coupon_field_still_works(shop: int, settings: Settings, now: datetime, tmp_path: Path) -> None:
    import_sales(
        write(tmp_path, [sale("web-1", coupon="DEF", payments=[{"method": "cash", "amount": "90"}])]),
        settings=settings,
        now=now,
    )
    assert m.Sale.get(m.Sale.uid == "web-1").total == 9000 and get_coupon("DEF").uses == 1


def test_coupon_and_reward_errors_name_line_and_field(
    shop: int, settings: Settings, now: datetime, tmp_path: Path
) -> None:
    docs = [
        sale("ok", payments=[{"method": "card", "amount": "100"}]),
        sale("both", coupon="ABC", coupons=["DEF"]),
        sale("twice", coupons=["ABC", "abc"]),
        sale("not-a-list", coupons="ABC"),
        sale(
            "no-such-reward", lines=[{"code": "50"}], rewards=["pasta"], payments=[{"method": "cash", "amount": "10"}]
        ),
        sale("no-member", customer=None, rewards=["ekmek"]),
        sale("ret", return_of="ok", payments=None, coupons=["ABC"]),
    ]
    docs[-1].pop("payments")
    docs[-2].pop("customer")
    got = rejected(write(tmp_path, docs), settings, now)
    fields = [(line, field) for line, field, _r in got]
    assert (2, "coupons") in fields and (3, "coupons[1]") in fields and (4, "coupons") in fields
    assert (5, "rewards") in fields and (6, "rewards") in fields and (7, "coupons") in fields
    reasons = dict(((line, field), reason) for line, field, reason in got)
    assert reasons[(2, "coupons")] == "give coupon or coupons, not both"
    assert reasons[(3, "coupons[1]")] == "abc is listed twice; a coupon counts once"
    assert reasons[(6, "rewards")] == "rewards need a loyalty member as customer"
    assert m.Sale.select().count() == 0 and get_coupon("ABC").uses == 0  # nothing half-written


def test_a_store_credit_top_up_line(shop: int, settings: Settings, now: datetime, tmp_path: Path) -> None:
    path = write(tmp_path, [topup("tp-1"), topup("tp-2", amount="50,00", method="card")])
    result = import_sales(path, settings=settings, now=now)
    assert (result.imported, result.wallet_topups, result.wallet_topups_total) == (2, 2, D("150.00"))
    assert result.as_json()["wallet_topups_total"] == "150.00"
    assert [(e.kind, e.amount) for e in wallet.wallet_entries(shop)] == [("topup", D("50.00")), ("topup", D("100.00"))]
    assert m.CashMovement.select().count() == 0  # an import belongs to no drawer
    journalled = [e.ref for e in m.JournalEntry.select().where(m.JournalEntry.kind == "wallet_topup")]
    assert journalled == ["import:tp-1", "import:tp-2"]
    again = import_sales(path, settings=settings, now=now)
    assert (again.imported, again.skipped) == (0, 2)  # idempotent
    assert wallet.wallet_balance(shop) == D("150.00")
    assert audit.verify(settings=settings).problems == []


def test_top_up_errors_write_nothing(shop: int, settings: Settings, now: datetime, tmp_path: Path) -> None:
    docs = [
        topup("tp-1"),
        topup("tp-2", method="points"),
        topup("tp-3", member="05559998877"),
        topup("tp-4", amount="-5"),
        topup("tp-5", note="x"),
        {**topup("tp-6"), "kind": "voucher"},
    ]
    got = rejected(write(tmp_path, docs), settings, now)
    assert [(line, field) for line, field, _r in got] == [
        (2, "method"),
        (3, "member"),
        (4, "amount"),
        (5, "line"),
        (6, "kind"),
    ]
    assert "cash or card, not 'points'" in got[0][2]
    assert m.WalletEntry.select().count() == 0


def test_returns_into_store_credit_and_onto_a_new_gift_card(
    shop: int, settings: Settings, now: datetime, tmp_path: Path
) -> None:
    two = [{"code": "60", "qty": "2"}]
    docs = [
        sale("web-1", lines=two, payments=[{"method": "card", "amount": "200"}]),
        {
            "id": "r-1",
            "at": AT,
            "terminal": "WEB",
            "cashier": "ayse",
            "return_of": "web-1",
            "lines": [{"code": "60"}],
            "refund_method": "store_credit",
        },
        {
            "id": "r-2",
            "at": AT,
            "terminal": "WEB",
            "cashier": "ayse",
            "return_of": "web-1",
            "lines": [{"code": "60"}],
            "refund_method": "gift_card_new",
        },
    ]
    result = import_sales(write(tmp_path, docs), settings=settings, now=now)
    assert (result.imported, result.returns) == (3, 2)
    assert wallet.wallet_balance(shop) == D("100.00")
    r2 = m.Sale.get(m.Sale.uid == "r-2")
    (card,) = giftcards.cards_issued_on(r2.id)
    assert card.balance == D("100.00")
    assert audit.verify(settings=settings).problems == []


def test_refund_method_errors(shop: int, settings: Settings, now: datetime, tmp_path: Path) -> None:
    rules.apply_rules(RULES + "\n[store_credit]\nrefunds = false\n", now=now - timedelta(days=1))
    docs = [
        sale("web-1", payments=[{"method": "card", "amount": "100"}]),
        sale("web-2", refund_method="cash"),
        {
            "id": "r-1",
            "at": AT,
            "terminal": "WEB",
            "cashier": "ayse",
            "return_of": "web-1",
            "lines": [{"code": "60"}],
            "refund_method": "voucher",
        },
        {
            "id": "r-2",
            "at": AT,
            "terminal": "WEB",
            "cashier": "ayse",
            "return_of": "web-1",
            "lines": [{"code": "60"}],
            "refund_method": "store_credit",
        },
        {
            "id": "r-3",
            "at": AT,
            "terminal": "WEB",
            "cashier": "ayse",
            "return_of": "web-1",
            "lines": [{"code": "60"}],
            "refund_method": "cash",
            "payments": [{"method": "cash", "amount": "100"}],
        },
    ]
    got = rejected(write(tmp_path, docs), settings, now)
    assert [(line, field) for line, field, _r in got] == [
        (2, "refund_method"),
        (3, "refund_method"),
        (4, "refund_method"),
        (5, "refund_method"),
    ]
    assert "does not refund returns into store credit" in got[2][2]
    assert m.Sale.select().count() == 0

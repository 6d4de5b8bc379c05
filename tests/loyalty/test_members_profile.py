"""The member profile (customer panel, ``customers show --json``) read as of a day, badges,
the KVKK export and anonymisation keeping receipts and the ledger's totals."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from members_support import member_sale

from pos_tui.core.kernel import Actor, to_db
from pos_tui.core.loyalty import Badge, Program, Tier, ledger
from pos_tui.core.loyalty import members as mb
from pos_tui.store import models as m

TIERS = (
    Tier("red", "Kırmızı", Decimal(0)),
    Tier("silver", "Gümüş", Decimal(1000), multiplier=Decimal("1.5")),
    Tier("gold", "Altın", Decimal(5000)),
)
PROGRAM = Program(
    tiers=TIERS,
    badges=(
        Badge("first", "İlk alışveriş", "first_purchase"),
        Badge("regular", "Müdavim", "visits", Decimal(2)),
        Badge("big", "Büyük sepet", "spend", Decimal(1000)),
        Badge("silver", "Gümüş üye", "tier", tier="silver"),
    ),
)
DAY = date(2026, 11, 1)  # the shop day of the `now` fixture


def _member(now: datetime, **values: object) -> mb.MemberInfo:
    values.setdefault("name", "Zeynep Yılmaz")
    values.setdefault("phone", "0532 123 45 67")
    values.setdefault("email", "zeynep@example.com")
    return mb.enroll(source="till", actor=None, now=now, **values)  # type: ignore[arg-type]


def test_points_stamps_credit_and_tier_as_of_a_day(db: object, now: datetime, cashier: Actor) -> None:
    member = _member(now, consent_sms=True, birth_date=date(1990, 5, 17))
    sale = member_sale(now, cashier.user_id, member.id, 100_000)
    ledger.earn(member.id, 1000, now=now, sale_id=sale, expiry=ledger.ExpiryPolicy.days_after_available(30))
    ledger.earn(member.id, 50, now=now - timedelta(days=20))  # available since 5 days before DAY
    m.StampEntry.create(member=member.id, card="coffee", at=to_db(now), stamps=3, kind="earn")
    m.StampEntry.create(member=member.id, card="lens", at=to_db(now), stamps=1, kind="earn")
    m.StampEntry.create(member=member.id, card="coffee", at=to_db(now + timedelta(days=2)), stamps=2, kind="earn")
    m.WalletEntry.create(member=member.id, at=to_db(now), amount=1250, kind="cashback")
    m.WalletEntry.create(member=member.id, at=to_db(now + timedelta(days=20)), amount=-250, kind="spend")
    m.TierChange.create(member=member.id, at=to_db(now - timedelta(days=40)), to_code="red", reason="evaluation")
    m.TierChange.create(
        member=member.id, at=to_db(now + timedelta(days=5)), from_code="red", to_code="silver", reason="evaluation"
    )
    m.Member.update(tier_code="silver").where(m.Member.id == member.id).execute()

    today = mb.member_profile(member.id, as_of=DAY, program=PROGRAM)
    assert today["id"] == member.id and today["card"] == member.card and today["name"] == "Zeynep Yılmaz"
    assert (today["phone"], today["email"], today["birth_date"]) == (
        "+905321234567",
        "zeynep@example.com",
        "1990-05-17",
    )
    assert today["tier"] == {"code": "red", "name": "Kırmızı"}
    assert today["points"] == {"available": 50, "pending": 1000, "total": 1050}
    assert today["expiring"] == [{"points": 1000, "on": "2026-12-16"}]  # available 16 Nov + 30 days
    assert today["stamps"] == {"coffee": 3, "lens": 1}
    assert today["store_credit"] == "12.50"
    assert today["consent"]["sms"]["granted"] is True and today["consent"]["email"]["granted"] is False
    assert today["consent"]["membership"] == {"granted": True, "at": "2026-11-01T10:15:00+03:00", "source": "till"}
    assert today["referral_code"] == member.referral_code
    assert [b["code"] for b in today["badges"]] == ["first", "big"]  # one receipt of 1,000.00
    json.dumps(today)  # JSON-ready as it is

    later = mb.member_profile(member.id, as_of=DAY + timedelta(days=21), program=PROGRAM)
    assert later["points"] == {"available": 1050, "pending": 0, "total": 1050}
    assert later["stamps"] == {"coffee": 5, "lens": 1}
    assert later["store_credit"] == "10.00"
    assert later["tier"] == {"code": "silver", "name": "Gümüş"}
    assert [b["code"] for b in later["badges"]] == ["first", "big", "silver"]

    before = mb.member_profile(member.id, as_of=DAY - timedelta(days=60), program=PROGRAM)
    assert before["points"] == {"available": 0, "pending": 0, "total": 0}
    assert (before["stamps"], before["store_credit"], before["tier"], before["badges"]) == ({}, "0.00", None, [])
    assert before["consent"]["membership"]["granted"] is False  # not a member yet


def test_tier_progress_and_a_program_without_tiers(db: object, now: datetime, cashier: Actor) -> None:
    tiers = pytest.importorskip("pos_tui.core.loyalty.tiers")
    assert hasattr(tiers, "progress")
    member = _member(now)
    member_sale(now, cashier.user_id, member.id, 40_000)  # 400.00 this month
    profile = mb.member_profile(member.id, as_of=DAY, program=PROGRAM)
    progress = profile["tier_progress"]
    assert progress is not None
    assert progress["next"] == {"code": "silver", "name": "Gümüş"}
    assert (progress["spend"], progress["needed"]) == ("400.00", "600.00")
    assert (progress["window_start"], progress["window_end"]) == ("2026-11-01", "2026-11-30")
    plain = mb.member_profile(member.id, as_of=DAY, program=Program())
    assert (plain["tier"], plain["tier_progress"], plain["badges"]) == (None, None, [])


def test_badges_count_receipts_and_net_spend(db: object, now: datetime, cashier: Actor) -> None:
    member = _member(now)
    other = _member(now, name="Other", phone="0533 000 00 00")
    assert mb.badges(member.id, PROGRAM, as_of=DAY) == []
    first = member_sale(now - timedelta(days=3), cashier.user_id, member.id, 60_000)
    member_sale(now - timedelta(days=1), cashier.user_id, member.id, 60_000)
    member_sale(now, cashier.user_id, other.id, 500_000)  # someone else's receipt
    assert [b.code for b in mb.badges(member.id, PROGRAM, as_of=DAY)] == ["first", "regular", "big"]
    assert [b.code for b in mb.badges(member.id, PROGRAM, as_of=DAY - timedelta(days=2))] == ["first"]
    member_sale(now, cashier.user_id, None, 30_000, kind="return", return_of=first)  # the return has no card
    assert [b.code for b in mb.badges(member.id, PROGRAM, as_of=DAY)] == ["first", "regular"]  # 900.00 net
    m.TierChange.create(member=member.id, at=to_db(now), to_code="gold", reason="paid")
    earned = mb.badges(member.id, PROGRAM, as_of=DAY)
    assert earned[-1] == mb.EarnedBadge("silver", "Gümüş üye", "tier")  # gold is above silver


def _everything(member_id: int, cashier_id: int, now: datetime) -> int:
    """A little of every kind of data the shop may hold about a member; returns a sale id."""
    sale = member_sale(now, cashier_id, member_id, 50_000)
    ledger.earn(member_id, 500, now=now, sale_id=sale)
    ledger.earn(member_id, 70, now=now - timedelta(days=30))
    ledger.redeem(member_id, 20, now=now)
    m.StampEntry.create(member=member_id, card="coffee", at=to_db(now), stamps=2, kind="earn", sale=sale)
    m.WalletEntry.create(member=member_id, at=to_db(now), amount=990, kind="cashback", sale=sale)
    card = m.GiftCard.create(code="GC-1", issued_at=to_db(now), member=member_id)
    m.GiftCardEntry.create(card=card.id, at=to_db(now), amount=10_000, kind="issue")
    coupon = m.Coupon.create(code="ZEYNEP10", kind="percent", percent_bp=1000, member=member_id, created_at=to_db(now))
    m.CouponUse.create(coupon=coupon.id, sale=sale, member=member_id, at=to_db(now), amount=500)
    m.NpsResponse.create(member=member_id, at=to_db(now), score=9, source="till", sale=sale)
    m.TierChange.create(member=member_id, at=to_db(now), to_code="red", reason="evaluation")
    for n, status in enumerate(("queued", "sent")):
        m.Message.create(
            member=member_id,
            kind="birthday",
            channel="email",
            key=f"bday:{member_id}:{n}",
            created_at=to_db(now),
            subject="İyi ki doğdun Zeynep",
            body="Merhaba Zeynep",
            status=status,
        )
    return sale


def test_export_holds_everything_about_the_person(db: object, now: datetime, cashier: Actor) -> None:
    customer = m.Customer.create(code="M1", name="Zeynep Yılmaz", name_key="zeynep yilmaz", created_at=to_db(now))
    member = mb.enroll(
        name="Zeynep Yılmaz",
        phone="05321234567",
        email="zeynep@example.com",
        consent_email=True,
        source="till",
        actor=None,
        now=now,
        customer_id=customer.id,
    )
    sale = _everything(member.id, cashier.user_id, now)
    mb.set_consent(member.id, "sms", True, source="cli", actor=None, now=now + timedelta(hours=1))
    mb.link_staff(member.id, "ayse", now=now)
    data = mb.export_member(member.id)
    json.dumps(data)
    person = data["member"]
    assert (person["name"], person["phone"], person["email"], person["card"]) == (
        "Zeynep Yılmaz",
        "+905321234567",
        "zeynep@example.com",
        member.card,
    )
    assert person["staff_user_ids"] == [cashier.user_id]
    assert data["customer"]["code"] == "M1"
    assert [(c["channel"], c["granted"], c["source"]) for c in data["consents"]] == [
        ("membership", True, "till"),
        ("sms", False, "till"),
        ("email", True, "till"),
        ("sms", True, "cli"),
    ]
    assert sum(e["points"] for e in data["points"]) == 550
    assert {e["kind"] for e in data["points"]} == {"earn", "redeem"}
    assert data["stamps"] == [
        {"at": "2026-11-01T10:15:00+03:00", "card": "coffee", "stamps": 2, "kind": "earn", "sale_id": sale}
    ]
    assert data["wallet"][0]["amount"] == "9.90"
    assert data["gift_cards"][0]["code"] == "GC-1" and data["gift_cards"][0]["balance"] == "100.00"
    assert data["coupons"][0]["code"] == "ZEYNEP10" and data["coupons"][0]["percent"] == "10"
    assert data["coupon_uses"] == [
        {"code": "ZEYNEP10", "sale_id": sale, "at": "2026-11-01T10:15:00+03:00", "amount": "5.00"}
    ]
    assert data["nps"][0]["score"] == 9
    assert data["tier_changes"][0]["to"] == "red"
    assert [msg["status"] for msg in data["messages"]] == ["queued", "sent"]
    assert [s["id"] for s in data["sales"]] == [sale] and data["sales"][0]["total"] == "500.00"


def test_anonymize_erases_the_person_and_keeps_receipts_and_totals(db: object, now: datetime, cashier: Actor) -> None:
    customer = m.Customer.create(code="M1", name="Zeynep Yılmaz", name_key="zeynep yilmaz", created_at=to_db(now))
    member = mb.enroll(
        name="Zeynep Yılmaz",
        phone="05321234567",
        email="zeynep@example.com",
        birth_date=date(1990, 5, 17),
        consent_sms=True,
        consent_email=True,
        source="till",
        actor=None,
        now=now,
        customer_id=customer.id,
    )
    sale = _everything(member.id, cashier.user_id, now)
    mb.link_staff(member.id, "ayse", now=now)
    balance_before = ledger.balance(member.id, as_of=DAY + timedelta(days=20))
    entries_before = m.PointsEntry.select().where(m.PointsEntry.member == member.id).count()

    gone = mb.anonymize_member(member.id, actor=cashier, now=now + timedelta(days=1))
    assert gone.anonymized and gone.card == f"ANON-{member.id}"
    assert (gone.name, gone.phone, gone.email, gone.birth_date, gone.referral_code) == ("", None, None, None, None)
    row = m.Member.get_by_id(member.id)
    assert row.name_key == "" and row.customer_id is None and row.anonymized_at is not None
    assert ledger.balance(member.id, as_of=DAY + timedelta(days=20)) == balance_before
    assert m.PointsEntry.select().where(m.PointsEntry.member == member.id).count() == entries_before
    assert m.Sale.get_by_id(sale).member_id == member.id and m.Sale.get_by_id(sale).total == 50_000
    assert m.StampEntry.select().where(m.StampEntry.member == member.id).count() == 1
    assert [(msg.status, msg.subject, msg.body) for msg in m.Message.select().where(m.Message.member == member.id)] == [
        ("sent", "", "")
    ]
    assert not any(mb.has_consent(member.id, c) for c in ("membership", "sms", "email"))
    assert mb.consenting_members("sms") == set()
    assert mb.staff_member_ids(cashier.user_id) == frozenset()
    assert m.Customer.get_by_id(customer.id).name == "Zeynep Yılmaz"  # the invoice record is not the member's
    entry = m.JournalEntry.select().where(m.JournalEntry.kind == "member_anonymize").get()
    assert json.loads(entry.payload) == {"member_id": member.id, "user": "ayse"}

    data = mb.export_member(member.id)
    assert data["member"]["name"] == "" and data["member"]["phone"] is None and data["customer"] is None
    profile = mb.member_profile(member.id, as_of=DAY + timedelta(days=20), program=PROGRAM)
    assert profile["anonymized"] is True and profile["points"]["total"] == balance_before.total

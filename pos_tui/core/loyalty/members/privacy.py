"""KVKK: access (export) and erasure (anonymize) of a member's personal data."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pos_tui import store
from pos_tui.core.kernel import journal
from pos_tui.core.kernel.actors import Actor
from pos_tui.core.kernel.clock import SHOP_TZ, from_db, iso, to_db
from pos_tui.core.kernel.errors import ValidationError
from pos_tui.core.kernel.journal import ADMIN_TERMINAL
from pos_tui.core.kernel.money import from_kurus
from pos_tui.core.loyalty.members.rows import _fk, _live_row, _row, get_member
from pos_tui.core.loyalty.members.staff_cards import _staff_ids, _staff_links
from pos_tui.core.loyalty.members.values import (
    ANON_PREFIX,
    CONSENT_CHANNELS,
    CONSENT_SOURCES,
    MemberInfo,
)
from pos_tui.i18n import _
from pos_tui.store import models as m
from pos_tui.store import write_tx


def _when(value: datetime | None, tz: str) -> str | None:
    return None if value is None else iso(from_db(value), tz)


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _money(kurus: int | None) -> str | None:
    return None if kurus is None else f"{from_kurus(int(kurus)):.2f}"


def export_member(member_id: int, *, tz: str = SHOP_TZ) -> dict[str, Any]:
    """Everything held about the person (a KVKK data access request): the member row, the
    linked customer record, consent history, points entries, stamps, store credit, gift
    cards, coupons, tier history, NPS answers, messages and their receipts (summaries; the
    full receipt is ``export sales``). Other members' data is never included (referrals
    are counted, not listed)."""
    member = _row(member_id)
    customer = None
    customer_id = _fk(member, "customer")
    if customer_id is not None:
        c = m.Customer.get_by_id(customer_id)
        customer = {
            "code": c.code,
            "name": c.name,
            "phone": c.phone,
            "email": c.email,
            "tax_id": c.tax_id,
            "tax_office": c.tax_office,
            "address": c.address,
        }
    gift_cards = []
    for card in m.GiftCard.select().where(m.GiftCard.member == member_id).order_by(m.GiftCard.id):
        entries = list(m.GiftCardEntry.select().where(m.GiftCardEntry.card == card.id).order_by(m.GiftCardEntry.id))
        gift_cards.append(
            {
                "code": card.code,
                "issued_at": _when(card.issued_at, tz),
                "expires_on": _day(card.expires_on),
                "active": card.active,
                "balance": _money(sum(e.amount for e in entries)),
                "entries": [
                    {"at": _when(e.at, tz), "kind": e.kind, "amount": _money(e.amount), "sale_id": _fk(e, "sale")}
                    for e in entries
                ],
            }
        )
    staff = [int(key.split(":", 1)[1]) for key, value in _staff_links() if member_id in _staff_ids(value)]
    return {
        "member": {
            "id": member.id,
            "card": member.card,
            "card_kind": member.card_kind,
            "name": member.name,
            "phone": member.phone,
            "email": member.email,
            "birth_date": _day(member.birth_date),
            "tier_code": member.tier_code,
            "tier_until": _day(member.tier_until),
            "referral_code": member.referral_code,
            "referred_by_id": _fk(member, "referred_by"),
            "referred_members": m.Member.select().where(m.Member.referred_by == member_id).count(),
            "created_at": _when(member.created_at, tz),
            "anonymized_at": _when(member.anonymized_at, tz),
            "staff_user_ids": sorted(staff),
        },
        "customer": customer,
        "consents": [
            {"channel": c.channel, "granted": c.granted, "at": _when(c.at, tz), "source": c.source}
            for c in m.Consent.select().where(m.Consent.member == member_id).order_by(m.Consent.at, m.Consent.id)
        ],
        "points": [
            {
                "id": e.id,
                "at": _when(e.at, tz),
                "kind": e.kind,
                "points": e.points,
                "lot_id": _fk(e, "lot"),
                "sale_id": _fk(e, "sale"),
                "available_from": _day(e.available_from),
                "expires_on": _day(e.expires_on),
                "reason": e.reason,
            }
            for e in m.PointsEntry.select().where(m.PointsEntry.member == member_id).order_by(m.PointsEntry.id)
        ],
        "stamps": [
            {"at": _when(e.at, tz), "card": e.card, "stamps": e.stamps, "kind": e.kind, "sale_id": _fk(e, "sale")}
            for e in m.StampEntry.select().where(m.StampEntry.member == member_id).order_by(m.StampEntry.id)
        ],
        "wallet": [
            {
                "at": _when(e.at, tz),
                "kind": e.kind,
                "amount": _money(e.amount),
                "sale_id": _fk(e, "sale"),
                "reason": e.reason,
            }
            for e in m.WalletEntry.select().where(m.WalletEntry.member == member_id).order_by(m.WalletEntry.id)
        ],
        "gift_cards": gift_cards,
        "coupons": [
            {
                "code": c.code,
                "kind": c.kind,
                "amount": _money(c.amount),
                "percent": None if c.percent_bp is None else str(Decimal(c.percent_bp) / 100),
                "min_spend": _money(c.min_spend),
                "valid_from": _day(c.valid_from),
                "valid_to": _day(c.valid_to),
                "max_uses": c.max_uses,
                "active": c.active,
                "created_at": _when(c.created_at, tz),
            }
            for c in m.Coupon.select().where(m.Coupon.member == member_id).order_by(m.Coupon.id)
        ],
        "coupon_uses": [
            {"code": code, "sale_id": sale_id, "at": _when(at, tz), "amount": _money(amount)}
            for code, sale_id, at, amount in store.rows(
                m.CouponUse.select(m.Coupon.code, m.CouponUse.sale, m.CouponUse.at, m.CouponUse.amount)
                .join(m.Coupon)
                .where(m.CouponUse.member == member_id)
                .order_by(m.CouponUse.id)
            )
        ],
        "tier_changes": [
            {
                "at": _when(t.at, tz),
                "from": t.from_code,
                "to": t.to_code,
                "reason": t.reason,
                "valid_until": _day(t.valid_until),
                "sale_id": _fk(t, "sale"),
            }
            for t in m.TierChange.select().where(m.TierChange.member == member_id).order_by(m.TierChange.id)
        ],
        "nps": [
            {"at": _when(n.at, tz), "score": n.score, "source": n.source, "sale_id": _fk(n, "sale")}
            for n in m.NpsResponse.select().where(m.NpsResponse.member == member_id).order_by(m.NpsResponse.id)
        ],
        "messages": [
            {
                "at": _when(msg.created_at, tz),
                "kind": msg.kind,
                "channel": msg.channel,
                "subject": msg.subject,
                "body": msg.body,
                "status": msg.status,
                "sent_at": _when(msg.sent_at, tz),
            }
            for msg in m.Message.select().where(m.Message.member == member_id).order_by(m.Message.id)
        ],
        "sales": [
            {
                "id": s.id,
                "uid": s.uid,
                "kind": s.kind,
                "terminal": s.terminal,
                "receipt_no": s.receipt_no,
                "at": _when(s.at, tz),
                "total": _money(s.total),
                "discount": _money(s.discount),
                "return_of_id": _fk(s, "return_of"),
                "source": s.source,
            }
            for s in m.Sale.select().where(m.Sale.member == member_id).order_by(m.Sale.id)
        ],
    }


def anonymize_member(
    member_id: int,
    *,
    actor: Actor | None,
    now: datetime,
    source: str = "cli",
    terminal: str = ADMIN_TERMINAL,
) -> MemberInfo:
    """Erase the person (KVKK): name and search key emptied, phone, e-mail, birth date and
    referral code cleared, the card becomes ``ANON-<id>`` (the old card is free again), the
    link to a customer record and to a staff user is dropped, consents are revoked, queued
    messages are deleted and sent ones lose their text. Receipts, the points ledger, stamps,
    wallet and every total stay as they were: they no longer name anyone. Journal kind
    ``member_anonymize``; an anonymized member is never found again."""
    if source not in CONSENT_SOURCES:
        raise ValidationError(
            _("Unknown source {source}; one of {sources}").format(source=source, sources=", ".join(CONSENT_SOURCES))
        )
    with write_tx():
        _live_row(member_id)
        at = to_db(now)
        m.Member.update(
            name="",
            name_key="",
            phone=None,
            email=None,
            birth_date=None,
            card=f"{ANON_PREFIX}{member_id}",
            referral_code=None,
            customer=None,
            anonymized_at=at,
        ).where(m.Member.id == member_id).execute()
        actor_id = actor.user_id if actor is not None else None
        m.Consent.insert_many(
            [(member_id, channel, False, at, source, actor_id) for channel in CONSENT_CHANNELS],
            fields=[
                m.Consent.member,
                m.Consent.channel,
                m.Consent.granted,
                m.Consent.at,
                m.Consent.source,
                m.Consent.actor,
            ],
        ).execute()
        m.Message.delete().where((m.Message.member == member_id) & (m.Message.status == "queued")).execute()
        m.Message.update(subject="", body="").where(m.Message.member == member_id).execute()
        for key, value in _staff_links():
            ids = _staff_ids(value)
            if member_id in ids:
                rest = ids - {member_id}
                if rest:
                    m.MetaEntry.update(value=",".join(str(i) for i in sorted(rest))).where(
                        m.MetaEntry.key == key
                    ).execute()
                else:
                    m.MetaEntry.delete().where(m.MetaEntry.key == key).execute()
        payload: dict[str, object] = {"member_id": member_id}
        if actor is not None:
            payload["user"] = actor.name
        journal.append("member_anonymize", payload, terminal=terminal, now=now, ref=str(member_id))
        return get_member(member_id)

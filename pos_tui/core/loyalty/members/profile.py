"""A member's profile: balances, tier progress, badges, history."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from peewee import JOIN, fn

from pos_tui import store
from pos_tui.core.kernel.clock import SHOP_TZ, day_bounds, from_db, iso, to_db
from pos_tui.core.kernel.money import from_kurus
from pos_tui.core.loyalty.ledger import balance
from pos_tui.core.loyalty.members.consent import consents
from pos_tui.core.loyalty.members.rows import _row
from pos_tui.core.loyalty.members.values import CONSENT_CHANNELS, ConsentState, EarnedBadge, MemberInfo
from pos_tui.core.loyalty.program import Program, Tier
from pos_tui.store import models as m


def _end_of(day: date, tz: str) -> datetime:
    """Naive UTC of the end of shop day ``day`` (how stored times compare)."""
    return to_db(day_bounds(day, tz)[1])


def _tier_at(member: m.Member, end: datetime) -> str | None:
    """The member's tier code at naive-UTC ``end``, from the tier history when there is one."""
    changes = list(
        store.rows(
            m.TierChange.select(m.TierChange.at, m.TierChange.from_code, m.TierChange.to_code)
            .where(m.TierChange.member == member.id)
            .order_by(m.TierChange.at, m.TierChange.id)
        )
    )
    if not changes:
        return member.tier_code
    before = [change for change in changes if change[0] < end]
    return before[-1][2] if before else changes[0][1]


def _tiers_reached(member: m.Member, end: datetime) -> set[str]:
    codes = {
        code
        for (code,) in store.rows(
            m.TierChange.select(m.TierChange.to_code).where(
                (m.TierChange.member == member.id) & (m.TierChange.at < end) & m.TierChange.to_code.is_null(False)
            )
        )
    }
    current = _tier_at(member, end)
    if current is not None:
        codes.add(current)
    return codes


def badges(member_id: int, program: Program, *, as_of: date, tz: str = SHOP_TZ) -> list[EarnedBadge]:
    """The program's badges the member has earned by the end of ``as_of``, in program order.

    ``first_purchase``: at least one receipt; ``visits``: receipts (sales, not returns) ≥
    threshold; ``spend``: what the member's sales paid minus what was returned of them (a
    return counts against the member of the receipt it returns, as for tiers), TRY ≥
    threshold; ``tier``: the member reached that tier (or a higher one of the program) at
    some point. Derived from the posted sales in two aggregate queries; nothing is stored.
    """
    member = _row(member_id)
    if not program.badges:
        return []
    end = _end_of(as_of, tz)
    s = m.Sale
    visits, paid = next(
        store.rows(
            s.select(fn.COUNT(s.id), fn.COALESCE(fn.SUM(s.total), 0)).where(
                (s.member == member_id) & (s.kind == "sale") & (s.at < end)
            )
        )
    )
    orig = m.Sale.alias("orig")
    returned = (
        s.select(fn.COALESCE(fn.SUM(s.total), 0))
        .join(orig, JOIN.LEFT_OUTER, on=(s.return_of == orig.id))
        .where(
            (s.kind == "return")
            & (s.at < end)
            & ((orig.member == member_id) | (s.return_of.is_null() & (s.member == member_id)))
        )
        .scalar()
    )
    visits = int(visits)
    net = int(paid) - int(returned or 0)
    spend = from_kurus(net)
    order = {tier.code: index for index, tier in enumerate(program.tiers)}
    reached = _tiers_reached(member, end) if any(b.kind == "tier" for b in program.badges) else set()
    highest = max((order[c] for c in reached if c in order), default=-1)
    earned: list[EarnedBadge] = []
    for badge in program.badges:
        if badge.kind == "first_purchase":
            ok = visits >= 1
        elif badge.kind == "visits":
            ok = visits >= 1 and Decimal(visits) >= badge.threshold
        elif badge.kind == "spend":
            ok = visits >= 1 and spend >= badge.threshold
        else:
            ok = badge.tier in reached or (badge.tier in order and highest >= order[badge.tier])
        if ok:
            earned.append(EarnedBadge(badge.code, badge.name, badge.kind))
    return earned


def _tier_json(tier: Tier | None) -> dict[str, str] | None:
    return None if tier is None else {"code": tier.code, "name": tier.name}


def tier_progress(member_id: int, program: Program, *, as_of: date, tz: str = SHOP_TZ) -> dict[str, Any] | None:
    """The progress bar to the next tier (:func:`pos_tui.core.loyalty.tiers.progress`) as
    JSON; None when the program has no tiers."""
    if not program.tiers:
        return None
    from pos_tui.core.loyalty.tiers import progress

    p = progress(member_id, program, as_of=as_of, tz=tz)
    return {
        "current": _tier_json(p.current),
        "next": _tier_json(p.next),
        "spend": f"{p.spend:.2f}",
        "needed": None if p.needed is None else f"{p.needed:.2f}",
        "window_start": p.window_start.isoformat(),
        "window_end": p.window_end.isoformat(),
    }


def _consent_json(states: dict[str, ConsentState], tz: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for channel in CONSENT_CHANNELS:
        state = states.get(channel)
        out[channel] = {
            "granted": bool(state and state.granted),
            "at": iso(state.at, tz) if state else None,
            "source": state.source if state else None,
        }
    return out


def member_document(member: MemberInfo, tz: str = SHOP_TZ) -> dict[str, Any]:
    """A member's record as JSON (``pos-admin customers add/update/search --json``): the
    counterpart of a sale's :func:`pos_tui.core.till.documents.sale_document`; ``created_at`` carries
    the offset of ``tz``, the shop's time zone."""
    return {
        "id": member.id,
        "card": member.card,
        "card_kind": member.card_kind,
        "name": member.name,
        "phone": member.phone,
        "email": member.email,
        "birth_date": member.birth_date.isoformat() if member.birth_date else None,
        "tier_code": member.tier_code,
        "referral_code": member.referral_code,
        "referred_by": member.referred_by_id,
        "created_at": iso(member.created_at, tz),
        "anonymized": member.anonymized,
    }


def consent_document(member_id: int, recorded: ConsentState, tz: str = SHOP_TZ) -> dict[str, Any]:
    """One recorded consent decision as JSON (``pos-admin customers consent --json``)."""
    return {
        "member_id": member_id,
        "channel": recorded.channel,
        "granted": recorded.granted,
        "at": iso(recorded.at, tz),
        "source": recorded.source,
    }


def coupons_json(member_id: int, *, as_of: date) -> list[dict[str, Any]]:
    """The member's own coupons still to use on or after ``as_of`` (active, not used up, not
    expired; a next-order coupon valid from tomorrow included), the soonest to expire first.
    Amounts are two-decimal strings, days ISO dates."""
    from pos_tui.core.loyalty.next_order import member_coupons

    return [
        {
            "code": c.code,
            "kind": c.kind,
            "amount": None if c.amount is None else f"{c.amount:.2f}",
            "percent": None if c.percent is None else format(c.percent.normalize(), "f"),
            "max_discount": None if c.max_discount is None else f"{c.max_discount:.2f}",
            "min_spend": f"{c.min_spend:.2f}",
            "valid_from": c.valid_from.isoformat() if c.valid_from else None,
            "valid_to": c.valid_to.isoformat() if c.valid_to else None,
            "product": c.product_code,
            "source": c.source,
            "rule": c.rule,
            "name": c.note,
        }
        for c in member_coupons(member_id, as_of=as_of)
    ]


def member_profile(member_id: int, *, as_of: date, program: Program, tz: str = SHOP_TZ) -> dict[str, Any]:
    """Everything the customer panel and ``pos-admin customers show --json`` show, as of the
    end of shop day ``as_of`` (points, stamps, store credit, consent and tier are what they
    were then; ``coupons`` are the coupons of the member still to use, see
    :func:`coupons_json`). Amounts are two-decimal strings."""
    member = _row(member_id)
    end = _end_of(as_of, tz)
    points = balance(member_id, as_of=as_of, tz=tz)
    stamps = {
        card: int(total)
        for card, total in store.rows(
            m.StampEntry.select(m.StampEntry.card, fn.SUM(m.StampEntry.stamps))
            .where((m.StampEntry.member == member_id) & (m.StampEntry.at < end))
            .group_by(m.StampEntry.card)
            .order_by(m.StampEntry.card)
        )
    }
    credit = (
        m.WalletEntry.select(fn.COALESCE(fn.SUM(m.WalletEntry.amount), 0))
        .where((m.WalletEntry.member == member_id) & (m.WalletEntry.at < end))
        .scalar()
    )
    code = _tier_at(member, end)
    tier = program.tier(code)
    return {
        "id": member.id,
        "card": member.card,
        "card_kind": member.card_kind,
        "name": member.name,
        "phone": member.phone,
        "email": member.email,
        "birth_date": member.birth_date.isoformat() if member.birth_date else None,
        "created_at": iso(from_db(member.created_at), tz),
        "anonymized": member.anonymized_at is not None,
        "as_of": as_of.isoformat(),
        "tier": None if code is None else {"code": code, "name": tier.name if tier is not None else code},
        "tier_until": member.tier_until.isoformat() if member.tier_until else None,
        "points": {"available": points.available, "pending": points.pending, "total": points.total},
        "expiring": [{"points": p, "on": day.isoformat()} for p, day in points.expiring],
        "stamps": stamps,
        "store_credit": f"{from_kurus(int(credit or 0)):.2f}",
        "consent": _consent_json(consents(member_id, before=from_db(end)), tz),
        "badges": [{"code": b.code, "name": b.name} for b in badges(member_id, program, as_of=as_of, tz=tz)],
        "referral_code": member.referral_code,
        "tier_progress": tier_progress(member_id, program, as_of=as_of, tz=tz),
        "coupons": coupons_json(member_id, as_of=as_of),
    }

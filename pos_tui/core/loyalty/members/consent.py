"""Consent (KVKK): one insert-only row per decision; the latest per channel wins."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pos_tui import store
from pos_tui.core.kernel import journal
from pos_tui.core.kernel.actors import Actor
from pos_tui.core.kernel.clock import from_db, to_db
from pos_tui.core.kernel.errors import NotFound, ValidationError
from pos_tui.core.kernel.journal import ADMIN_TERMINAL
from pos_tui.core.loyalty.members.rows import _live_row
from pos_tui.core.loyalty.members.values import CONSENT_CHANNELS, CONSENT_SOURCES, ConsentState
from pos_tui.i18n import _
from pos_tui.store import fast, write_tx
from pos_tui.store import models as m

MemberStanding = Literal["active", "anonymized", "withdrawn"]


def set_consent(
    member_id: int,
    channel: str,
    granted: bool,
    *,
    source: str,
    actor: Actor | None,
    now: datetime,
    terminal: str = ADMIN_TERMINAL,
) -> ConsentState:
    """Record a decision for one channel (membership, sms, email): a new insert-only row, so
    the history stays; journal kind ``member_consent``. Marketing consent needs an address
    for its channel."""
    if channel not in CONSENT_CHANNELS:
        raise ValidationError(
            _("Unknown consent channel {channel}; one of {channels}").format(
                channel=channel, channels=", ".join(CONSENT_CHANNELS)
            )
        )
    if source not in CONSENT_SOURCES:
        raise ValidationError(
            _("Unknown source {source}; one of {sources}").format(source=source, sources=", ".join(CONSENT_SOURCES))
        )
    with write_tx():
        row = _live_row(member_id)
        if granted and channel == "sms" and row.phone is None:
            raise ValidationError(_("Member #{id} has no phone number for SMS").format(id=member_id))
        if granted and channel == "email" and row.email is None:
            raise ValidationError(_("Member #{id} has no e-mail address").format(id=member_id))
        at = to_db(now)
        m.Consent.insert(
            member=member_id,
            channel=channel,
            granted=bool(granted),
            at=at,
            source=source,
            actor=actor.user_id if actor is not None else None,
        ).execute()
        payload: dict[str, object] = {
            "member_id": member_id,
            "channel": channel,
            "granted": bool(granted),
            "source": source,
        }
        if actor is not None:
            payload["user"] = actor.name
        journal.append("member_consent", payload, terminal=terminal, now=now, ref=str(member_id))
    return ConsentState(channel, bool(granted), from_db(at), source)


def consents(member_id: int, *, before: datetime | None = None) -> dict[str, ConsentState]:
    """The latest decision per channel (recorded before ``before``, when given)."""
    c = m.Consent
    query = c.select(c.channel, c.granted, c.at, c.source).where(c.member == member_id)
    if before is not None:
        query = query.where(c.at < to_db(before))
    latest: dict[str, ConsentState] = {}
    for channel, granted, at, source in store.rows(query.order_by(c.at, c.id)):
        latest[channel] = ConsentState(channel, bool(granted), from_db(at), source)
    return latest


def has_consent(member_id: int, channel: str) -> bool:
    """Whether the member's latest decision for ``channel`` is yes (never for an erased member)."""
    state = consents(member_id).get(channel)
    if state is None or not state.granted:
        return False
    return m.Member.select().where((m.Member.id == member_id) & m.Member.anonymized_at.is_null()).exists()


def consenting_members(channel: str) -> set[int]:
    """Every non-anonymized member whose latest decision for ``channel`` is yes, in one
    pass (the message jobs run over every member)."""
    c = m.Consent
    query = (
        c.select(c.member, c.granted)
        .join(m.Member, on=(c.member == m.Member.id))
        .where((c.channel == channel) & m.Member.anonymized_at.is_null())
        .order_by(c.member, c.at, c.id)
    )
    latest: dict[int, bool] = {}
    for member_id, granted in store.rows(query):
        latest[member_id] = bool(granted)
    return {member_id for member_id, granted in latest.items() if granted}


def member_standing(member_id: int, *, for_update: bool = False) -> MemberStanding:
    """Whether the member may still take part in the programme: ``anonymized`` (erased: nobody
    can find them at a till any more), ``withdrawn`` (their latest membership consent is a
    withdrawal: they left) or ``active``. Everything that puts points or store credit on a
    member, or moves them, asks this one question (points transfers and donations, store
    credit top-ups and refunds into store credit). ``for_update`` locks the member's row
    (PostgreSQL ``FOR UPDATE``; call it inside ``write_tx``). Raises :class:`NotFound` for an
    unknown id."""
    row = fast.select_first(m.Member, ("id", "anonymized_at"), {"id": member_id}, for_update=for_update)
    if row is None:
        raise NotFound(_("No member with id {id}").format(id=member_id))
    if row[1] is not None:
        return "anonymized"
    c = m.Consent
    latest = (
        c.select(c.granted)
        .where((c.member == member_id) & (c.channel == "membership"))
        .order_by(c.at.desc(), c.id.desc())
        .tuples()
        .first()
    )
    return "withdrawn" if latest is not None and not latest[0] else "active"

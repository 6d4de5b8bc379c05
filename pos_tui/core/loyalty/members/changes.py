"""Changes to a member: details, cards, status."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any

from pos_tui.core.kernel import journal
from pos_tui.core.kernel.actors import Actor
from pos_tui.core.kernel.clock import SHOP_TZ, shop_day, to_db
from pos_tui.core.kernel.errors import ValidationError
from pos_tui.core.kernel.journal import ADMIN_TERMINAL
from pos_tui.core.loyalty.members.consent import consents
from pos_tui.core.loyalty.members.enrolment import _free_card, check_new_members, prepare_enrollment
from pos_tui.core.loyalty.members.rows import _live_row, get_member
from pos_tui.core.loyalty.members.values import (
    MemberFieldError,
    MemberInfo,
    NewMember,
    _capitalized,
    card_for,
)
from pos_tui.store import models as m
from pos_tui.store import write_tx
from pos_tui.text import fold


class _Keep(Enum):
    KEEP = "keep"


KEEP = _Keep.KEEP  # "leave this field as it is" in update_member


def update_member(
    member_id: int,
    *,
    name: str | _Keep = KEEP,
    phone: str | _Keep | None = KEEP,
    email: str | _Keep | None = KEEP,
    birth_date: date | _Keep | None = KEEP,
    card: str | _Keep | None = KEEP,
    card_kind: str | _Keep | None = KEEP,
    actor: Actor | None,
    now: datetime,
    source: str = "cli",
    tz: str = SHOP_TZ,
    terminal: str = ADMIN_TERMINAL,
) -> MemberInfo:
    """Change a member's details; fields left at :data:`KEEP` stay, None clears an optional
    one. ``card=None`` gives a new generated card (a lost card); a phone card follows the
    phone. The same checks as enrolment (a duplicate card or phone names its member);
    clearing the phone or e-mail revokes that marketing consent. Journal kind
    ``member_update`` with the names of the changed fields, never their values."""
    with write_tx():
        row = _live_row(member_id)
        plan = prepare_enrollment(
            name=row.name if name is KEEP else name,
            phone=row.phone if phone is KEEP else phone,
            email=row.email if email is KEEP else email,
            birth_date=row.birth_date if birth_date is KEEP else birth_date,
            card_kind="barcode",  # the card is worked out below, against the stored one
            today=shop_day(now, tz),
        )
        kind: str | None
        if card is KEEP:
            kind = row.card_kind if card_kind is KEEP else card_kind
            if kind == row.card_kind and kind != "phone":
                new_card: str | None = row.card
            else:
                new_card, kind = _card_value(None, kind, plan.phone)
        else:
            if card_kind is not KEEP:
                kind = card_kind
            elif card is None or row.card_kind == "phone" or card.strip()[:1] in "%;şŞ":
                kind = None  # a new printed card, or read the kind from what was swiped
            else:
                kind = row.card_kind
            new_card, kind = _card_value(card, kind, plan.phone)
        changes: dict[str, Any] = {}
        if plan.name != row.name:
            changes.update(name=plan.name, name_key=fold(plan.name))
        for field in ("phone", "email", "birth_date"):
            if getattr(plan, field) != getattr(row, field):
                changes[field] = getattr(plan, field)
        if kind != row.card_kind:
            changes["card_kind"] = kind
        if new_card is not None and new_card != row.card:
            changes["card"] = new_card
        problems = check_new_members(
            [
                NewMember(
                    plan.name,
                    changes.get("phone"),
                    None,
                    None,
                    changes.get("card"),
                    kind or "barcode",
                    False,
                    False,
                    None,
                )
            ],
            exclude=member_id,
        )
        if problems:
            raise MemberFieldError(_capitalized(problems[0][2]), problems[0][1])
        if new_card is None:
            changes["card"] = _free_card()
        if changes:
            m.Member.update(**changes).where(m.Member.id == member_id).execute()
            if plan.phone is None:
                _revoke_without_address(member_id, "sms", source, actor, now)
            if plan.email is None:
                _revoke_without_address(member_id, "email", source, actor, now)
            payload: dict[str, object] = {
                "member_id": member_id,
                "fields": sorted(k for k in changes if k != "name_key"),
            }
            if actor is not None:
                payload["user"] = actor.name
            journal.append("member_update", payload, terminal=terminal, now=now, ref=str(member_id))
        return get_member(member_id)


def _card_value(card: str | None, kind: str | None, phone: str | None) -> tuple[str | None, str]:
    try:
        return card_for(card, kind, phone)
    except MemberFieldError:
        raise
    except ValidationError as exc:
        raise MemberFieldError(exc.message, "card") from None


def _revoke_without_address(member_id: int, channel: str, source: str, actor: Actor | None, now: datetime) -> None:
    """A consent for a channel the member no longer has an address for lapses."""
    state = consents(member_id).get(channel)
    if state is not None and state.granted:
        m.Consent.insert(
            member=member_id,
            channel=channel,
            granted=False,
            at=to_db(now),
            source=source,
            actor=actor.user_id if actor is not None else None,
        ).execute()

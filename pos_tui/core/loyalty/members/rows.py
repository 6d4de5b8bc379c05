"""Member rows read into values."""

from __future__ import annotations

from typing import Any

from pos_tui.core.kernel.clock import from_db
from pos_tui.core.kernel.errors import NotFound, StateError
from pos_tui.core.loyalty.members.values import MemberInfo
from pos_tui.i18n import _
from pos_tui.store import models as m


def _fk(row: Any, field: str) -> int | None:
    """The id a foreign key holds, without loading the row it points at."""
    value = row.__data__.get(field)
    return None if value is None else int(value)


def _info(row: m.Member) -> MemberInfo:
    return MemberInfo(
        id=row.id,
        card=row.card,
        card_kind=row.card_kind,
        name=row.name,
        phone=row.phone,
        email=row.email,
        birth_date=row.birth_date,
        tier_code=row.tier_code,
        tier_until=row.tier_until,
        referral_code=row.referral_code,
        referred_by_id=_fk(row, "referred_by"),
        created_at=from_db(row.created_at),
        anonymized=row.anonymized_at is not None,
    )


def _row(member_id: int) -> m.Member:
    row = m.Member.get_or_none(m.Member.id == member_id)
    if row is None:
        raise NotFound(_("No member with id {id}").format(id=member_id))
    return row


def _live_row(member_id: int) -> m.Member:
    row = _row(member_id)
    if row.anonymized_at is not None:
        raise StateError(_("Member #{id} was anonymized; their data is gone").format(id=member_id))
    return row


def get_member(member_id: int) -> MemberInfo:
    """The member ``member_id`` (anonymized ones too); NotFound otherwise."""
    return _info(_row(member_id))

"""Finding a member: by card, phone or name (Turkish-aware)."""

from __future__ import annotations

import re
from typing import Any

from pos_tui.core.kernel.errors import ValidationError
from pos_tui.core.loyalty.members.rows import _info
from pos_tui.core.loyalty.members.values import _PHONEISH, MemberInfo, magstripe_id, normalize_mobile, referral_key
from pos_tui.store import models as m
from pos_tui.text import words


def _live() -> Any:
    return m.Member.select().where(m.Member.anonymized_at.is_null())


def find_member(text: str) -> MemberInfo | None:
    """The member a scanned or typed text names: a card of any kind (magnetic-stripe track
    data included), a phone number in any spelling, or a referral code. Anonymized members
    are never found. Raises ValidationError only for an unreadable swipe or a bank card."""
    value = text.strip()
    if not value:
        return None
    track = magstripe_id(value)
    if track is not None:
        row = _live().where(m.Member.card == track).first()
        return None if row is None else _info(row)
    row = _live().where(m.Member.card.in_(list(dict.fromkeys((value, value.upper()))))).first()
    if row is None and (code := referral_key(value)) is not None:
        row = _live().where(m.Member.referral_code == code).first()
    if row is None:
        try:
            phone = normalize_mobile(value)
        except ValidationError:
            phone = None
        if phone is not None:
            row = _live().where((m.Member.phone == phone) | (m.Member.card == phone)).first()
    return None if row is None else _info(row)


def find_member_by_card(card: str) -> MemberInfo | None:
    """The member whose card is exactly ``card`` (what a card reader read), never a phone or a
    referral code: an RFID number that happens to look like a phone must not pick the member
    with that phone. Magnetic-stripe track data is reduced to its card number first."""
    value = card.strip()
    if not value:
        return None
    value = magstripe_id(value) or value
    row = _live().where(m.Member.card.in_(list(dict.fromkeys((value, value.upper()))))).first()
    return None if row is None else _info(row)


def search_members(text: str, limit: int = 20) -> list[MemberInfo]:
    """Members whose name has, for every word of ``text``, a word starting with it
    (Turkish-aware: ``ISPARTA``, ``ısparta`` and ``isparta`` match alike), or, when ``text``
    is a number, whose phone contains its digits. Ordered by name."""
    value = text.strip()
    if not value or limit <= 0:
        return []
    query = _live()
    if _PHONEISH.fullmatch(value):
        digits = re.sub(r"\D", "", value)
        if len(digits) < 4:
            return []
        rows = query.where(m.Member.phone.contains(digits)).order_by(m.Member.name_key, m.Member.id).limit(limit)
        return [_info(row) for row in rows]
    wanted = words(value)
    if not wanted:
        return []
    for word in wanted:  # a cheap filter; the word-prefix check below is exact
        query = query.where(m.Member.name_key.contains(word))
    found: list[MemberInfo] = []
    for row in query.order_by(m.Member.name_key, m.Member.id).iterator():
        have = words(row.name_key)
        if all(any(h.startswith(w) for h in have) for w in wanted):
            found.append(_info(row))
            if len(found) == limit:
                break
    return found

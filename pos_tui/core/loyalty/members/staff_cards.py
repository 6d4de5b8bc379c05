"""Staff's own cards: fraud control when a cashier attaches their own card."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pos_tui import store
from pos_tui.core.kernel import journal
from pos_tui.core.kernel.actors import Actor, Override
from pos_tui.core.kernel.errors import NotFound, PermissionDenied
from pos_tui.core.kernel.journal import ADMIN_TERMINAL
from pos_tui.core.loyalty.members.rows import _live_row
from pos_tui.core.loyalty.members.values import OWN_CARD, STAFF_KEY
from pos_tui.i18n import _
from pos_tui.store import models as m
from pos_tui.store import write_tx


def _staff_ids(value: str | None) -> frozenset[int]:
    return frozenset(int(part) for part in (value or "").split(",") if part.strip().isdigit())


def _staff_links() -> list[tuple[Any, ...]]:
    """Every ``(key, value)`` of the staff-card mapping."""
    return list(
        store.rows(
            m.MetaEntry.select(m.MetaEntry.key, m.MetaEntry.value).where(m.MetaEntry.key.startswith("staff_member:"))
        )
    )


def staff_member_ids(user_id: int) -> frozenset[int]:
    """The members that are user ``user_id``'s own cards (``pos-admin customers link-staff``)."""
    row = m.MetaEntry.get_or_none(m.MetaEntry.key == STAFF_KEY.format(user_id=user_id))
    return _staff_ids(None if row is None else row.value)


def link_staff(
    member_id: int, user_name: str, *, now: datetime, actor: Actor | None = None, terminal: str = ADMIN_TERMINAL
) -> frozenset[int]:
    """Mark member ``member_id`` as the own card of user ``user_name`` (journal kind
    ``member_staff_link``); returns all of that user's member ids. Stored as the MetaEntry
    ``staff_member:<user id>`` (comma-separated member ids), which needs no schema change."""
    with write_tx():
        _live_row(member_id)
        user = m.User.get_or_none(m.User.name == user_name)
        if user is None:
            raise NotFound(_("No user named {name}").format(name=user_name))
        key = STAFF_KEY.format(user_id=user.id)
        ids = staff_member_ids(user.id) | {member_id}
        value = ",".join(str(i) for i in sorted(ids))
        m.MetaEntry.insert(key=key, value=value).on_conflict(
            conflict_target=[m.MetaEntry.key], update={m.MetaEntry.value: value}
        ).execute()
        payload: dict[str, object] = {"member_id": member_id, "user": user.name}
        if actor is not None:
            payload["by"] = actor.name
        journal.append("member_staff_link", payload, terminal=terminal, now=now, ref=str(member_id))
    return ids


def check_attach(member_id: int, actor: Actor, override: Override | None = None) -> Override | None:
    """Refuse a cashier attaching their own member card to a sale they ring up.

    Raises PermissionDenied (permission ``own_card``) when ``member_id`` is one of the
    actor's own cards (:func:`staff_member_ids`), unless ``override`` comes from another user
    who holds ``own_card`` or, while roles do not list that permission yet, ``points_adjust``
    (the loyalty manager's permission), and whose own card it is not either. Returns the
    override that was used, for the caller to journal (kind ``override``), or None.
    """
    if member_id not in staff_member_ids(actor.user_id):
        return None
    if override is not None:
        supervisor = override.supervisor
        if (
            supervisor.user_id != actor.user_id
            and (supervisor.can(OWN_CARD) or supervisor.can("points_adjust"))
            and member_id not in staff_member_ids(supervisor.user_id)
        ):
            return override
    raise PermissionDenied(
        _("{name} may not attach their own member card to a sale; a supervisor's PIN is needed").format(
            name=actor.name
        ),
        OWN_CARD,
    )

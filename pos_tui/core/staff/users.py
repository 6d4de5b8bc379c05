"""Users, PIN login with lockout, and manager overrides.

How PINs are stored, and why two columns
----------------------------------------
A cashier logs in with a PIN alone, no user name, so the till must find the user *by* the
PIN. An argon2id hash cannot be searched: it is salted, so the only way to find a match
would be to run argon2 against every user (about 0.2 s each). Each user therefore has:

- ``pin_tag`` = HMAC-SHA256(PIN) under a random key kept in ``meta_entry`` ``pin_key``
  (created on first use, one per database). It is the lookup key and, through its UNIQUE
  index, what makes PINs unique across users at the database level.
- ``pin_hash`` = argon2id of the PIN: the credential that is actually verified.

Neither protects a 4–8 digit PIN for long against someone holding a copy of the database
file (the key lives in the same file and there are at most 10^8 PINs); the file must be
protected by the operating system. The protection against guessing at the till is the
lockout: after ``security.max_failed_logins`` wrong PINs in a row a terminal refuses every
PIN, right or wrong, for ``security.lockout_seconds``. Every PIN typed is a
``login_attempt`` row; the PIN itself is never stored or journalled.

An admin can lift a lock before it expires (``pos-admin users unlock TERMINAL``,
:func:`unlock_terminal`): that writes a successful ``login_attempt`` with purpose
``unlock`` (so the count of wrong PINs starts again, exactly as after a right PIN) and a
journal entry saying who unlocked which terminal and when.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from pos_tui.core.kernel import journal
from pos_tui.core.kernel.actors import Actor, Override, permission_label, require
from pos_tui.core.kernel.clock import from_db, local, to_db
from pos_tui.core.kernel.errors import (
    AuthenticationFailed,
    LockedOut,
    NotFound,
    PermissionDenied,
    StateError,
    ValidationError,
)
from pos_tui.core.kernel.formatting import format_percent
from pos_tui.core.kernel.pan import refuse_pan
from pos_tui.i18n import _, ngettext
from pos_tui.settings import DEFAULT_ROLES, RoleSettings, SecuritySettings, Settings
from pos_tui.store import models as m
from pos_tui.store import write_tx
from pos_tui.text import fold

PIN_KEY = "pin_key"
# Terminal recorded in the journal for changes made outside a till (pos-admin, the users screen
# passes its own terminal id).
ADMIN_TERMINAL = "admin"
_PIN = re.compile(r"[0-9]{4,8}")
# OWASP's minimum argon2id parameters (m=19 MiB, t=2, p=1): about 30 ms on a low-power till
# instead of the ~250 ms of argon2-cffi's defaults (t=3, m=64 MiB, p=4), which the cashier
# would wait through at every login and supervisor override. A 4–8 digit PIN has too few
# values for hashing cost to decide an offline attack anyway; what protects PINs is the
# terminal lockout and the PIN key kept apart from the hashes. Hashes made with other
# parameters are upgraded at the next successful login (check_needs_rehash).
_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# Peewee expressions (a plain ``== True`` reads oddly to linters but is the portable SQL).
_ACTIVE = m.User.active == True  # noqa: E712
_SUCCEEDED = m.LoginAttempt.success == True  # noqa: E712


@dataclass(frozen=True, slots=True)
class UserInfo:
    id: int
    name: str
    role: str
    active: bool
    created_at: datetime


def _info(user: m.User) -> UserInfo:
    return UserInfo(user.id, user.name, user.role, bool(user.active), from_db(user.created_at))


def _roles(settings: Settings | None) -> Mapping[str, RoleSettings]:
    return settings.roles if settings is not None else DEFAULT_ROLES


def _check_pin(pin: str) -> None:
    if not _PIN.fullmatch(pin):
        raise ValidationError(_("A PIN is 4 to 8 digits"))


def _check_name(name: str) -> str:
    clean = name.strip()
    if not clean or len(clean) > 64 or any(not ch.isprintable() for ch in clean):
        raise ValidationError(_("A user name is 1 to 64 printable characters, not {name!r}").format(name=name))
    return clean


def _stored_pin_key() -> bytes | None:
    row = m.MetaEntry.get_or_none(m.MetaEntry.key == PIN_KEY)
    return bytes.fromhex(row.value) if row is not None else None


def _pin_key() -> bytes:
    """The per-database HMAC key, created on first use inside the caller's write transaction."""
    key = _stored_pin_key()
    if key is None:
        key = secrets.token_bytes(32)
        m.MetaEntry.create(key=PIN_KEY, value=key.hex())
    return key


def _admin_roles(roles: Mapping[str, RoleSettings]) -> list[str]:
    """The roles that may administer users (have the ``admin`` permission)."""
    return [name for name, role in roles.items() if "admin" in role.permissions]


def _pin_tag(key: bytes, pin: str) -> str:
    return hmac.new(key, pin.encode("ascii"), hashlib.sha256).hexdigest()


def _user(name: str) -> m.User:
    user = m.User.get_or_none(m.User.name == name)
    if user is None:
        raise NotFound(_("No user named {name}").format(name=name))
    return user


def _claim_pin(pin: str, owner_id: int | None) -> str:
    """The tag for ``pin``, refusing a PIN that belongs to another user (active or not)."""
    tag = _pin_tag(_pin_key(), pin)
    holder = m.User.get_or_none(m.User.pin_tag == tag)
    if holder is not None and holder.id != owner_id:
        raise ValidationError(_("That PIN is already used by another user; every user needs a PIN of their own"))
    return tag


def _journal_user(action: str, user: m.User, actor: Actor | None, terminal: str, now: datetime) -> None:
    payload = {
        "action": action,
        "user": user.name,
        "user_id": user.id,
        "role": user.role,
        "by": actor.name if actor else None,
    }
    journal.append("user", payload, terminal=terminal, now=now, ref=str(user.id))


def add_user(
    name: str,
    role: str,
    pin: str,
    *,
    now: datetime,
    actor: Actor | None = None,
    settings: Settings | None = None,
    terminal: str = ADMIN_TERMINAL,
) -> UserInfo:
    """Create a user. ``role`` must be one of ``settings.roles`` (the built-in roles when no
    settings are given). ``actor`` (when given) needs the ``admin`` permission; pos-admin
    passes none because whoever runs it already owns the database file."""
    if actor is not None:
        require(actor, "admin")
    name = _check_name(name)
    roles = _roles(settings)
    if role not in roles:
        raise ValidationError(
            _("Unknown role {role}; choose one of {roles}").format(role=role, roles=", ".join(sorted(roles)))
        )
    _check_pin(pin)
    pin_hash = _HASHER.hash(pin)  # slow on purpose: done before the write lock is taken
    with write_tx():
        key = fold(name)
        for other in m.User.select(m.User.name):
            if fold(other.name) == key:
                raise ValidationError(_("A user named {name} already exists").format(name=other.name))
        tag = _claim_pin(pin, None)
        user = m.User.create(name=name, role=role, pin_tag=tag, pin_hash=pin_hash, active=True, created_at=to_db(now))
        _journal_user("added", user, actor, terminal, now)
    return _info(user)


def list_users(*, include_disabled: bool = True) -> list[UserInfo]:
    query = m.User.select().order_by(m.User.name)
    if not include_disabled:
        query = query.where(_ACTIVE)
    return [_info(u) for u in query]


def disable_user(
    name: str,
    *,
    now: datetime,
    actor: Actor | None = None,
    settings: Settings | None = None,
    terminal: str = ADMIN_TERMINAL,
) -> UserInfo:
    """Disable a user: their PIN stops working (and stays reserved, so nobody else gets it).
    Users are never deleted: their sales and shifts refer to them. The last active user who
    may administer cannot be disabled, or nobody could manage users any more."""
    if actor is not None:
        require(actor, "admin")
    roles = _roles(settings)
    with write_tx():
        user = _user(name)
        if not user.active:
            raise StateError(_("User {name} is already disabled").format(name=user.name))
        admin_roles = _admin_roles(roles)
        if user.role in admin_roles:
            others = m.User.select().where(_ACTIVE & (m.User.role.in_(admin_roles)) & (m.User.id != user.id)).count()
            if others == 0:
                raise StateError(
                    _("{name} is the last active admin; add another admin before disabling them").format(name=user.name)
                )
        m.User.update(active=False).where(m.User.id == user.id).execute()
        user.active = False
        _journal_user("disabled", user, actor, terminal, now)
    return _info(user)


def set_pin(
    name: str, pin: str, *, now: datetime, actor: Actor | None = None, terminal: str = ADMIN_TERMINAL
) -> UserInfo:
    """Give ``name`` a new PIN (journalled as a change, never with the PIN)."""
    if actor is not None:
        require(actor, "admin")
    _check_pin(pin)
    pin_hash = _HASHER.hash(pin)
    with write_tx():
        user = _user(name)
        tag = _claim_pin(pin, user.id)
        m.User.update(pin_tag=tag, pin_hash=pin_hash).where(m.User.id == user.id).execute()
        _journal_user("pin_changed", user, actor, terminal, now)
    return _info(user)


def actor_of(user: UserInfo | m.User, settings: Settings) -> Actor:
    """The :class:`Actor` for a user, with their role's permissions from ``settings``."""
    role = settings.roles.get(user.role)
    if role is None:
        raise StateError(
            _("User {name} has the role {role}, which the configuration does not define").format(
                name=user.name, role=user.role
            )
        )
    return Actor(user.id, user.name, user.role, role.permissions, role.max_discount_pct)


def actor_by_name(name: str, *, settings: Settings) -> Actor:
    """The active user ``name`` as an actor (pos-admin ``--user``, imported sales' cashier)."""
    user = _user(name)
    if not user.active:
        raise StateError(_("User {name} is disabled").format(name=user.name))
    return actor_of(user, settings)


def first_admin(*, settings: Settings) -> Actor:
    """The active user with the lowest id whose role has the ``admin`` permission: who
    pos-admin acts as when no ``--user`` is given."""
    admin_roles = _admin_roles(settings.roles)
    user = m.User.select().where(_ACTIVE & (m.User.role.in_(admin_roles))).order_by(m.User.id).first()
    if user is None:
        raise NotFound(_("There is no active admin user; add one with: pos-admin users add NAME --role admin"))
    return actor_of(user, settings)


# --- login and lockout -------------------------------------------------------------------


def lock_state(terminal: str, now: datetime, security: SecuritySettings) -> tuple[datetime | None, int]:
    """``(locked_until, failures)`` of ``terminal`` at ``now``.

    Replays the failed attempts since the terminal's last successful PIN: every
    ``max_failed_logins``-th counted failure locks the terminal for ``lockout_seconds``;
    attempts made while it is locked do not count (they are refused unchecked); when a lock
    expires the count starts again. ``failures`` is the count in the current round, so
    ``max_failed_logins - failures`` tries are left.
    """
    last_ok = (
        m.LoginAttempt.select(m.LoginAttempt.id)
        .where((m.LoginAttempt.terminal == terminal) & _SUCCEEDED)
        .order_by(m.LoginAttempt.id.desc())
        .limit(1)
        .scalar()
    ) or 0
    failures = (
        m.LoginAttempt.select(m.LoginAttempt.id, m.LoginAttempt.at)
        .where((m.LoginAttempt.terminal == terminal) & ~_SUCCEEDED & (m.LoginAttempt.id > last_ok))
        .order_by(m.LoginAttempt.id)
    )
    lockout = timedelta(seconds=security.lockout_seconds)
    until: datetime | None = None
    count = 0
    for attempt in failures.iterator():
        at = from_db(attempt.at)
        if until is not None:
            if at < until:
                continue
            until, count = None, 0
        count += 1
        if count >= security.max_failed_logins:
            until, count = at + lockout, 0
    if until is not None and now >= until:
        until, count = None, 0
    return until, count


def terminal_known(terminal: str) -> bool:
    """Whether anything ever happened on ``terminal``: a PIN typed, a shift, a sale or a Z.

    Commands that take a terminal id use it to tell a mistyped id from a quiet terminal,
    instead of answering with zeros.
    """
    return any(
        model.select(model.id).where(model.terminal == terminal).exists()
        for model in (m.LoginAttempt, m.Sale, m.Shift, m.ZClosure)
    )


@dataclass(frozen=True, slots=True)
class Unlocked:
    """What :func:`unlock_terminal` lifted: the lock that would have lasted until ``until``."""

    terminal: str
    until: datetime
    journal_id: int


def unlock_terminal(
    terminal: str,
    *,
    now: datetime,
    settings: Settings,
    actor: Actor | None = None,
    journal_terminal: str = ADMIN_TERMINAL,
) -> Unlocked | None:
    """Lift the wrong-PIN lock of ``terminal`` at ``now``, so the next right PIN logs in.

    One transaction: a successful ``login_attempt`` (purpose ``unlock``, by ``actor``) ends the
    round of wrong PINs, and a journal entry (kind ``unlock``) records who unlocked which
    terminal, when, and until when it would have stayed locked. ``actor`` (when given) needs
    the ``admin`` permission. Returns None, writing nothing, when the terminal is not locked;
    raises :class:`NotFound` for a terminal where nothing ever happened (a mistyped id).
    """
    if actor is not None:
        require(actor, "admin")
    with write_tx():
        if not terminal_known(terminal):
            raise NotFound(_("No terminal {terminal}: nothing was ever recorded there").format(terminal=terminal))
        until, _count = lock_state(terminal, now, settings.security)
        if until is None:
            return None
        user = m.User.get_by_id(actor.user_id) if actor is not None else None
        _record(terminal, now, user, True, "unlock")
        payload = {
            "action": "unlocked",
            "terminal": terminal,
            "locked_until": until.astimezone(UTC).isoformat(),
            "by": actor.name if actor else None,
            "by_id": actor.user_id if actor else None,
        }
        entry = journal.append("unlock", payload, terminal=journal_terminal, now=now, ref=terminal)
    return Unlocked(terminal, until, int(entry.id))


def _locked(until: datetime, settings: Settings) -> LockedOut:
    return LockedOut(
        _("Too many wrong PINs: this terminal is locked until {time}").format(
            time=local(until, settings.shop.timezone).strftime("%H:%M:%S")
        ),
        until,
    )


def _record(terminal: str, now: datetime, user: m.User | None, success: bool, purpose: str) -> None:
    m.LoginAttempt.create(terminal=terminal, at=to_db(now), user=user, success=success, purpose=purpose)


def _verify(user: m.User, pin: str) -> bool:
    try:
        return _HASHER.verify(user.pin_hash, pin)
    except (VerificationError, InvalidHashError):
        return False


def _authenticate(pin: str, *, terminal: str, now: datetime, settings: Settings, purpose: str) -> Actor:
    """Check one typed PIN and record the attempt; the attempt is committed even when the PIN
    is refused, so the error is raised only after the transaction."""
    security = settings.security
    until, _count = lock_state(terminal, now, security)
    if until is not None:
        with write_tx():
            _record(terminal, now, None, False, purpose)
        raise _locked(until, settings)

    user: m.User | None = None
    if _PIN.fullmatch(pin):
        key = _stored_pin_key()
        if key is not None:
            user = m.User.get_or_none(m.User.pin_tag == _pin_tag(key, pin))
    verified = user is not None and _verify(user, pin)  # argon2 runs outside the write lock
    success = verified and user is not None and bool(user.active)
    # A hash made with older argon2 parameters is upgraded on the next right PIN.
    rehashed = _HASHER.hash(pin) if success and user is not None and _HASHER.check_needs_rehash(user.pin_hash) else None
    with write_tx():
        _record(terminal, now, user if verified else None, success, purpose)
        if rehashed is not None and user is not None:
            m.User.update(pin_hash=rehashed).where(m.User.id == user.id).execute()
        until, count = (None, 0) if success else lock_state(terminal, now, security)
    if success and user is not None:
        return actor_of(user, settings)
    if until is not None:
        raise _locked(until, settings)
    left = security.max_failed_logins - count
    if verified and user is not None:
        raise AuthenticationFailed(_("User {name} is disabled; ask an admin").format(name=user.name))
    raise AuthenticationFailed(
        ngettext(
            "Wrong PIN; {n} try left before this terminal locks",
            "Wrong PIN; {n} tries left before this terminal locks",
            left,
        ).format(n=left)
    )


def login(pin: str, *, terminal: str, now: datetime, settings: Settings) -> Actor:
    """Log in with a PIN on ``terminal``.

    Raises :class:`LockedOut` while the terminal is locked (even for a right PIN) and when
    this wrong PIN locks it; :class:`AuthenticationFailed` for a wrong PIN (saying how many
    tries are left) or a disabled user. Every attempt is a ``login_attempt`` row.
    """
    return _authenticate(pin, terminal=terminal, now=now, settings=settings, purpose="login")


def authorize_override(
    pin: str,
    permission: str,
    *,
    actor: Actor,
    terminal: str,
    now: datetime,
    settings: Settings,
    discount_pct: Decimal | None = None,
) -> Actor:
    """A supervisor types their PIN on ``actor``'s screen to allow one action.

    The PIN must belong to another active user who has ``permission`` (for a discount:
    whose ``max_discount_pct`` covers ``discount_pct``). It counts toward the terminal's
    lockout like a login (purpose ``override``). Returns the supervisor; the caller builds
    ``Override(supervisor, reason)`` and passes it to the service, which journals it with
    :func:`record_override`.
    """
    supervisor = _authenticate(pin, terminal=terminal, now=now, settings=settings, purpose="override")
    if supervisor.user_id == actor.user_id:
        raise PermissionDenied(
            _("{name} cannot approve their own action; another user must enter their PIN").format(name=actor.name),
            permission,
        )
    if discount_pct is not None and discount_pct > supervisor.max_discount_pct:
        raise PermissionDenied(
            _("A {pct} discount is above {name}'s limit of {limit} too").format(
                pct=format_percent(discount_pct),
                name=supervisor.name,
                limit=format_percent(supervisor.max_discount_pct),
            ),
            "discount",
        )
    if permission != "discount" and not supervisor.can(permission):
        raise PermissionDenied(
            _("{name} may not {action} either").format(name=supervisor.name, action=permission_label(permission)),
            permission,
        )
    return supervisor


def record_override(
    actor: Actor,
    override: Override,
    action: str,
    *,
    terminal: str,
    now: datetime,
    details: Mapping[str, Any] | None = None,
) -> int:
    """Journal (kind ``override``) that ``override.supervisor`` allowed ``actor`` one ``action``.

    Services call it inside their own transaction right after the overridden action, so both
    commit together. ``details`` must be JSON-ready (amounts as strings). Returns the entry id.
    """
    reason = override.reason.strip()
    if not reason:
        raise ValidationError(_("A manager override needs a reason"))
    refuse_pan(reason)
    payload = {
        "action": action,
        "cashier": actor.name,
        "cashier_id": actor.user_id,
        "supervisor": override.supervisor.name,
        "supervisor_id": override.supervisor.user_id,
        "reason": reason,
        "details": dict(details or {}),
    }
    with write_tx():
        entry = journal.append("override", payload, terminal=terminal, now=now, ref=action)
    return int(entry.id)

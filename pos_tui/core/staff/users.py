"""Users, PIN login with lockout, and manager overrides.

How PINs are stored, and why two columns
----------------------------------------
A cashier logs in with a PIN alone, no user name, so the till must find the user *by* the
PIN. An argon2id hash cannot be searched: it is salted, so the only way to find a match
would be to run argon2 against every user (about 0.2 s each). Each user therefore has:

- ``pin_tag`` = HMAC-SHA256(PIN) under a random key, the lookup key and, through its UNIQUE
  index, what makes PINs unique across users at the database level.
- ``pin_hash`` = argon2id of the PIN: the credential that is actually verified.

The key is NOT in the database: it is a file ``pin-<id>.key`` (mode 0600) in the data
directory (``POS_HOME``); ``meta_entry`` keeps only its id (``pin_key_id``), a hash that says
nothing about it. A stolen database file alone then gives tags nobody can test PINs against
without the key, and argon2 hashes (about 30 ms per guess per user). A database made before
the key moved out has it moved at the first PIN checked or set (or ``pos-admin init``), see
:func:`load_pin_key`. docs/security.md has the threat model.

The protection against guessing at the till is the lockout, counted twice: per terminal
(``security.max_failed_logins`` wrong PINs in a row lock that terminal) and for the whole shop
(``security.shop_max_failed_logins`` wrong PINs on every terminal together within
``shop_window_seconds`` lock PIN login everywhere), because a terminal id is only a name the
till is started with. Each further lock without a right PIN (or an unlock) in between lasts
twice as long, up to ``max_lockout_seconds``. A wrong PIN names nobody, so there is no per-user
count; the shop-wide one is what binds a guesser who changes terminal ids. Every PIN typed is a
``login_attempt`` row, written (as a failure) in the same transaction that checks the lock,
before the PIN is verified; the PIN itself is never stored or journalled.

An admin can lift a lock before it expires (``pos-admin users unlock TERMINAL``,
:func:`unlock_terminal`): that writes a successful ``login_attempt`` with purpose
``unlock`` (so the count of wrong PINs starts again, on that terminal and shop-wide) and a
journal entry saying who unlocked which terminal and when.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import pairwise
from pathlib import Path
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
from pos_tui.core.kernel.journal import ADMIN_TERMINAL
from pos_tui.core.kernel.pan import refuse_pan
from pos_tui.i18n import _, ngettext
from pos_tui.settings import DEFAULT_ROLES, PinSettings, RoleSettings, SecuritySettings, Settings
from pos_tui.store import database, fast, is_sqlite, write_tx
from pos_tui.store import models as m
from pos_tui.store import rows as table_rows
from pos_tui.store.db import sqlite_file
from pos_tui.store.files import write_private
from pos_tui.text import fold

# ``meta_entry`` keys: where the PIN key was kept before it moved to its own file (read once,
# to move it), and the key's id, which names the file (``pin-<id>.key`` in the data directory).
PIN_KEY = "pin_key"
PIN_KEY_ID = "pin_key_id"
# Terminal recorded in the journal for changes made outside a till (pos-admin, the users screen
# passes its own terminal id).
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


class PinKeyMissing(StateError):
    """The database's PINs were made with a key whose file is not in the data directory."""


def pin_key_dir(settings: Settings | None) -> Path:
    """The data directory that holds the PIN key file: ``settings.home`` (``POS_HOME``); without
    settings, the directory of the open SQLite file (tests and scripts that open a file)."""
    if settings is not None:
        return settings.home
    file = sqlite_file(str(database.obj.database)) if is_sqlite() else None
    if file is None:
        raise StateError(_("The PIN key lives in the data directory; pass the settings (POS_HOME)"))
    return file.parent


def pin_key_path(home: Path, key_id: str) -> Path:
    """The key file of the key ``key_id`` in the data directory ``home``."""
    return home / f"pin-{key_id}.key"


def _key_id(key: bytes) -> str:
    """A name for ``key`` that reveals nothing about it (kept in ``meta_entry``)."""
    return hashlib.sha256(b"pos_tui pin key id\0" + key).hexdigest()[:16]


def _meta(key: str) -> str | None:
    row = m.MetaEntry.get_or_none(m.MetaEntry.key == key)
    return None if row is None else str(row.value)


def _write_key_file(path: Path, key: bytes) -> None:
    """Write ``key`` to ``path``: the owner's alone, atomically and durably (a crash leaves
    either no file or the whole key, never half of one)."""
    write_private(path, (key.hex() + "\n").encode("ascii"))


def _read_key_file(path: Path, key_id: str) -> bytes | None:
    try:
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise StateError(_("Cannot read the PIN key file {path}: {error}").format(path=path, error=exc)) from exc
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = b""
    if _key_id(key) != key_id:
        raise StateError(_("The PIN key file {path} is damaged or belongs to another database").format(path=path))
    return key


def _missing(path: Path) -> PinKeyMissing:
    return PinKeyMissing(
        _(
            "The PIN key file {path} is missing, so no PIN can be checked. Copy it back from a backup "
            "(pos-admin backup --with-pin-key) or from another till; if it is lost, give every user a new "
            "PIN: pos-admin users set-pin NAME --new-pin-key"
        ).format(path=path)
    )


def _set_key_id(key_id: str) -> None:
    row = m.MetaEntry.get_or_none(m.MetaEntry.key == PIN_KEY_ID)
    if row is None:
        m.MetaEntry.create(key=PIN_KEY_ID, value=key_id)
    elif row.value != key_id:
        m.MetaEntry.update(value=key_id).where(m.MetaEntry.key == PIN_KEY_ID).execute()


def load_pin_key(settings: Settings | None, *, create: bool = False, new_key: bool = False) -> bytes | None:
    """The PIN key of the open database, read from its file in the data directory.

    A database that still keeps its key in ``meta_entry`` (made before the key moved out) has
    it moved here: the file is written and flushed first, then the row is deleted in one
    transaction, so a crash at any point leaves the key in the file, the row or both, never in
    neither. ``create``: make a key (and its file) when the database has none yet; ``new_key``:
    also replace a key whose file is lost (every PIN must then be set again). Returns None when
    the database has no key and ``create`` is false; raises :class:`PinKeyMissing` when the
    key's file is not there.
    """
    home = pin_key_dir(settings)
    legacy = _meta(PIN_KEY)
    if legacy is not None:
        key = bytes.fromhex(legacy)
        moved_id = _key_id(key)
        path = pin_key_path(home, moved_id)
        try:
            whole = _read_key_file(path, moved_id) == key
        except StateError:  # a half-written file from an earlier try: write it again
            whole = False
        if not whole:
            _write_key_file(path, key)
        with write_tx():
            m.MetaEntry.delete().where(m.MetaEntry.key == PIN_KEY).execute()
            _set_key_id(moved_id)
        return key
    key_id = _meta(PIN_KEY_ID)
    if key_id is not None:
        path = pin_key_path(home, key_id)
        stored = _read_key_file(path, key_id)
        if stored is not None:
            return stored
        if not new_key:
            raise _missing(path)
    elif not (create or new_key):
        return None
    key = secrets.token_bytes(32)
    fresh = _key_id(key)
    _write_key_file(pin_key_path(home, fresh), key)
    with write_tx():
        current = _meta(PIN_KEY_ID)
        if current is not None and current != key_id:  # another process made one meanwhile
            pin_key_path(home, fresh).unlink(missing_ok=True)
            return load_pin_key(settings)
        _set_key_id(fresh)
    return key


def pin_key_file(settings: Settings | None) -> Path | None:
    """Where the open database's PIN key file is (None while the database has no key or
    still keeps it inside)."""
    key_id = _meta(PIN_KEY_ID)
    return None if key_id is None else pin_key_path(pin_key_dir(settings), key_id)


# --- what a new PIN may be --------------------------------------------------------------------


def _is_sequence(pin: str) -> bool:
    steps = {(int(b) - int(a)) % 10 for a, b in pairwise(pin)}
    return steps in ({1}, {9})


def _is_repeated_pattern(pin: str) -> bool:
    n = len(pin)
    return any(n % size == 0 and pin == pin[:size] * (n // size) for size in range(1, n // 2 + 1))


def _is_doubled(pin: str) -> bool:
    """1122, 112233: pairs of one digit."""
    return len(pin) % 2 == 0 and all(pin[i] == pin[i + 1] for i in range(0, len(pin), 2))


def pin_problem(pin: str, pins: PinSettings, *, birth_year: int | None = None) -> str | None:
    """Why ``pin`` may not be set as a new PIN under ``pins``, or None when it may."""
    if not _PIN.fullmatch(pin):
        return _("A PIN is 4 to 8 digits")
    if len(pin) < pins.min_length:
        n = pins.min_length
        return ngettext("A PIN here has at least {n} digit", "A PIN here has at least {n} digits", n).format(n=n)
    if birth_year is not None and str(birth_year) in pin:
        return _("A PIN must not contain the user's birth year")
    if not pins.refuse_trivial:
        return None
    if len(set(pin)) == 1:
        return _("A PIN of one digit repeated is the first a guesser tries; choose another")
    if _is_sequence(pin):
        return _("A PIN of consecutive digits (like 1234 or 9876) is the first a guesser tries; choose another")
    if _is_repeated_pattern(pin) or _is_doubled(pin):
        return _("A PIN made of a repeated pattern (like 1212 or 1122) is easy to guess; choose another")
    if len(pin) == 4 and 1900 <= int(pin) <= 2099:
        return _("A PIN that reads as a year (a birth year, for instance) is easy to guess; choose another")
    return None


def _check_new_pin(pin: str, pins: PinSettings | None) -> None:
    problem = pin_problem(pin, pins) if pins is not None else None
    if pins is None:
        _check_pin(pin)
    elif problem is not None:
        raise ValidationError(problem)


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


def _claim_pin(key: bytes, pin: str, owner_id: int | None) -> str:
    """The tag for ``pin``, refusing a PIN that belongs to another user (active or not)."""
    tag = _pin_tag(key, pin)
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
    pins: PinSettings | None = None,
) -> UserInfo:
    """Create a user. ``role`` must be one of ``settings.roles`` (the built-in roles when no
    settings are given). ``actor`` (when given) needs the ``admin`` permission; pos-admin
    passes none because whoever runs it already owns the database file. ``pins``: the shop's
    rules for a new PIN (pos-admin passes ``settings.pins``; without it only the 4-to-8-digit
    format is checked, as for the demo's PINs)."""
    if actor is not None:
        require(actor, "admin")
    name = _check_name(name)
    roles = _roles(settings)
    if role not in roles:
        raise ValidationError(
            _("Unknown role {role}; choose one of {roles}").format(role=role, roles=", ".join(sorted(roles)))
        )
    _check_new_pin(pin, pins)
    key = load_pin_key(settings, create=True)
    assert key is not None
    pin_hash = _HASHER.hash(pin)  # slow on purpose: done before the write lock is taken
    with write_tx():
        folded = fold(name)
        for other in m.User.select(m.User.name):
            if fold(other.name) == folded:
                raise ValidationError(_("A user named {name} already exists").format(name=other.name))
        tag = _claim_pin(key, pin, None)
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
    name: str,
    pin: str,
    *,
    now: datetime,
    actor: Actor | None = None,
    terminal: str = ADMIN_TERMINAL,
    settings: Settings | None = None,
    pins: PinSettings | None = None,
    new_key: bool = False,
) -> UserInfo:
    """Give ``name`` a new PIN (journalled as a change, never with the PIN). ``pins``: as for
    :func:`add_user`. ``new_key``: when the PIN key file is lost, start a new key (journalled);
    every other user then needs a new PIN too."""
    if actor is not None:
        require(actor, "admin")
    _check_new_pin(pin, pins)
    _user(name)  # a mistyped name is refused before anything changes
    before = _meta(PIN_KEY_ID)
    key = load_pin_key(settings, create=True, new_key=new_key)
    assert key is not None
    pin_hash = _HASHER.hash(pin)
    with write_tx():
        user = _user(name)
        if new_key and _meta(PIN_KEY_ID) != before:
            journal.append(
                "user",
                {"action": "pin_key_replaced", "by": actor.name if actor else None},
                terminal=terminal,
                now=now,
                ref="pin_key",
            )
        tag = _claim_pin(key, pin, user.id)
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


@dataclass(slots=True)
class _Round:
    """One lockout count (a terminal's, or the shop's) while the attempts are replayed."""

    limit: int
    window: timedelta | None  # None: wrong PINs in a row
    until: datetime | None = None
    recent: deque[datetime] = field(default_factory=deque)
    locks: int = 0  # locks since the round began: each one lasts twice the one before

    def reset(self) -> None:
        self.until, self.locks = None, 0
        self.recent.clear()

    def blocks(self, at: datetime) -> bool:
        """Whether a PIN typed at ``at`` is refused unchecked (ending an expired lock)."""
        if self.until is None:
            return False
        if at < self.until:
            return True
        self.until = None
        self.recent.clear()
        return False

    def _prune(self, at: datetime) -> None:
        if self.window is not None:
            while self.recent and self.recent[0] <= at - self.window:
                self.recent.popleft()

    def fail(self, at: datetime, security: SecuritySettings) -> None:
        self.recent.append(at)
        self._prune(at)
        if len(self.recent) >= self.limit:
            first = timedelta(seconds=security.lockout_seconds)
            self.until = at + min(first * 2**self.locks, timedelta(seconds=security.max_lockout_seconds))
            self.locks += 1
            self.recent.clear()

    def state(self, now: datetime) -> tuple[datetime | None, int]:
        self.blocks(now)
        self._prune(now)
        return self.until, len(self.recent)


def _replay(now: datetime, security: SecuritySettings) -> tuple[dict[str, _Round], _Round]:
    """Replay the PINs typed within the escalation period into each terminal's round and the
    shop's.

    A terminal locks at every ``max_failed_logins``-th wrong PIN in a row; the shop at every
    ``shop_max_failed_logins``-th wrong PIN on any terminal within ``shop_window_seconds``.
    A lock lasts ``lockout_seconds``, doubled for each earlier lock of the same round, up to
    ``max_lockout_seconds``. PINs typed while their terminal or the shop is locked are refused
    unchecked and count for neither; when a lock expires its count starts again but the round
    goes on. A right PIN ends its terminal's round; an admin's unlock ends the terminal's and
    the shop's (a right PIN does not end the shop's: that would let a guesser who changes
    terminal ids start again after every cashier's login).
    """
    since = now - timedelta(seconds=security.escalation_period_seconds)
    a = m.LoginAttempt
    rows = (
        a.select(a.terminal, a.at, a.success, a.purpose)
        .where(m.LoginAttempt.at >= to_db(since))
        .order_by(m.LoginAttempt.id)
        .tuples()
    )
    shop = _Round(security.shop_max_failed_logins, timedelta(seconds=security.shop_window_seconds))
    terminals: dict[str, _Round] = {}
    for terminal, raw_at, success, purpose in rows.iterator():
        at = from_db(raw_at)
        own = terminals.setdefault(str(terminal), _Round(security.max_failed_logins, None))
        if success:
            own.reset()
            if purpose == "unlock":
                shop.reset()
            continue
        refused = own.blocks(at)
        refused = shop.blocks(at) or refused
        if not refused:
            own.fail(at, security)
            shop.fail(at, security)
    return terminals, shop


def lock_state(terminal: str, now: datetime, security: SecuritySettings) -> tuple[datetime | None, int]:
    """``(locked_until, failures)`` of ``terminal`` at ``now``: wrong PINs in a row since its
    last right one (``max_failed_logins - failures`` tries are left before it locks)."""
    terminals, _shop = _replay(now, security)
    own = terminals.get(terminal)
    return own.state(now) if own is not None else (None, 0)


def shop_lock_state(now: datetime, security: SecuritySettings) -> tuple[datetime | None, int]:
    """``(locked_until, failures)`` of the whole shop at ``now``: wrong PINs on every terminal
    together within ``shop_window_seconds``. A terminal id is only a name the till is started
    with, so this count is what a guesser cannot reset by changing it."""
    _terminals, shop = _replay(now, security)
    return shop.state(now)


@dataclass(frozen=True, slots=True)
class _Lock:
    until: datetime | None
    shop: bool  # the shop-wide lock is the one that holds longest
    left: int


def _lock(terminal: str, now: datetime, security: SecuritySettings) -> _Lock:
    terminals, shop = _replay(now, security)
    own = terminals.get(terminal)
    t_until, t_count = own.state(now) if own is not None else (None, 0)
    s_until, s_count = shop.state(now)
    left = min(security.max_failed_logins - t_count, security.shop_max_failed_logins - s_count)
    if s_until is not None and (t_until is None or s_until > t_until):
        return _Lock(s_until, True, left)
    return _Lock(t_until, False, left)


def terminal_known(terminal: str) -> bool:
    """Whether anything ever happened on ``terminal``: a PIN typed, a shift, a sale or a Z.

    Commands that take a terminal id use it to tell a mistyped id from a quiet terminal,
    instead of answering with zeros.
    """
    return any(
        model.select(model.id).where(model.terminal == terminal).exists()
        for model in (m.LoginAttempt, m.Sale, m.Shift, m.ZClosure)
    )


def known_terminals() -> list[str]:
    """Every terminal :func:`terminal_known` accepts (a PIN typed, a shift, a sale or a Z there),
    sorted: the choices of a report's terminal filter."""
    found: set[str] = set()
    for model in (m.LoginAttempt, m.Sale, m.Shift, m.ZClosure):
        found.update(str(t) for (t,) in table_rows(model.select(model.terminal).distinct()))
    return sorted(found)


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
    """Lift the wrong-PIN lock of ``terminal`` at ``now`` (and the shop-wide lock, which an
    admin's unlock ends), so the next right PIN logs in.

    One transaction: a successful ``login_attempt`` (purpose ``unlock``, by ``actor``) ends the
    round of wrong PINs, and a journal entry (kind ``unlock``) records who unlocked which
    terminal, when, and until when it would have stayed locked. ``actor`` (when given) needs
    the ``admin`` permission. Returns None, writing nothing, when the terminal is not locked;
    raises :class:`NotFound` for a terminal where nothing ever happened (a mistyped id).
    """
    if actor is not None:
        require(actor, "admin")
    with write_tx():
        _guard()
        if not terminal_known(terminal):
            raise NotFound(_("No terminal {terminal}: nothing was ever recorded there").format(terminal=terminal))
        until = _lock(terminal, now, settings.security).until
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


def _locked(lock: _Lock, settings: Settings) -> LockedOut:
    assert lock.until is not None
    time = local(lock.until, settings.shop.timezone).strftime("%H:%M:%S")
    if lock.shop:
        message = _("Too many wrong PINs in this shop: PIN login is locked on every terminal until {time}")
    else:
        message = _("Too many wrong PINs: this terminal is locked until {time}")
    return LockedOut(message.format(time=time), lock.until)


def _record(terminal: str, now: datetime, user: m.User | None, success: bool, purpose: str) -> m.LoginAttempt:
    return m.LoginAttempt.create(terminal=terminal, at=to_db(now), user=user, success=success, purpose=purpose)


def _verify(user: m.User | None, pin: str) -> bool:
    """Whether ``pin`` is ``user``'s. Without a user (no PIN tag matched) the same argon2 work
    is done against a hash of nothing, so a wrong PIN takes as long as a right one and the time
    an answer takes says nothing (a disabled user's right PIN is answered like a wrong one)."""
    try:
        return _HASHER.verify(user.pin_hash if user is not None else _nobody_hash(), pin) and user is not None
    except (VerificationError, InvalidHashError):
        return False


_NOBODY: dict[tuple[int, int, int], str] = {}


def _nobody_hash() -> str:
    """A hash no PIN matches, made once per argon2 cost (tests use a cheap one)."""
    cost = (_HASHER.time_cost, _HASHER.memory_cost, _HASHER.parallelism)
    if cost not in _NOBODY:
        _NOBODY[cost] = _HASHER.hash(secrets.token_hex(16))
    return _NOBODY[cost]


def _guard() -> None:
    """Serialise PIN checks: on SQLite the write transaction (BEGIN IMMEDIATE) already does;
    on PostgreSQL the PIN key's ``meta_entry`` row is locked until the transaction ends."""
    fast.select_first(m.MetaEntry, ("value",), {"key": PIN_KEY_ID}, for_update=True)


def _wrong_pin(left: int) -> AuthenticationFailed:
    return AuthenticationFailed(
        ngettext(
            "Wrong PIN; {n} try left before this terminal locks",
            "Wrong PIN; {n} tries left before this terminal locks",
            left,
        ).format(n=left)
    )


def _authenticate(pin: str, *, terminal: str, now: datetime, settings: Settings, purpose: str) -> Actor:
    """Check one typed PIN, recording the attempt.

    The attempt is first written as a failure in the same write transaction that checks the
    lock (a guarded count: two tills typing at once are serialised, so no more PINs than the
    limit are ever checked); only then is the PIN verified (argon2, outside the lock), and a
    right PIN turns its row into a success. A right PIN of a disabled user is answered like a
    wrong one (and counted); its row names the user, and the journal says what happened.
    """
    security = settings.security
    key = load_pin_key(settings)
    with write_tx():
        _guard()
        before = _lock(terminal, now, security)
        attempt = _record(terminal, now, None, False, purpose)
        after = before if before.until is not None else _lock(terminal, now, security)
    if before.until is not None:
        raise _locked(before, settings)

    user: m.User | None = None
    if key is not None and _PIN.fullmatch(pin):
        user = m.User.get_or_none(m.User.pin_tag == _pin_tag(key, pin))
    verified = _verify(user, pin)  # argon2 runs outside the write lock, for a wrong PIN too
    success = verified and user is not None and bool(user.active)
    # A hash made with older argon2 parameters is upgraded on the next right PIN.
    rehashed = _HASHER.hash(pin) if success and user is not None and _HASHER.check_needs_rehash(user.pin_hash) else None
    if verified and user is not None:
        with write_tx():
            m.LoginAttempt.update(user=user, success=success).where(m.LoginAttempt.id == attempt.id).execute()
            if rehashed is not None:
                m.User.update(pin_hash=rehashed).where(m.User.id == user.id).execute()
            if not success:
                payload = {
                    "action": "disabled_user_pin",
                    "user": user.name,
                    "user_id": user.id,
                    "terminal": terminal,
                    "purpose": purpose,
                    "attempt_id": attempt.id,
                }
                journal.append("user", payload, terminal=terminal, now=now, ref=str(user.id))
    else:
        with write_tx():  # the same second write a disabled user's right PIN makes: equal time
            m.LoginAttempt.update(success=False).where(m.LoginAttempt.id == attempt.id).execute()
    if success and user is not None:
        return actor_of(user, settings)
    if after.until is not None:
        raise _locked(after, settings)
    raise _wrong_pin(after.left)


def login(pin: str, *, terminal: str, now: datetime, settings: Settings) -> Actor:
    """Log in with a PIN on ``terminal``.

    Raises :class:`LockedOut` while the terminal (or the whole shop) is locked, even for a
    right PIN, and when this wrong PIN locks it; :class:`AuthenticationFailed` for a wrong PIN
    (saying how many tries are left), a disabled user's PIN answered the same way. Every
    attempt is a ``login_attempt`` row.
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

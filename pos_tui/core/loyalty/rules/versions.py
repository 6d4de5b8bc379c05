"""Stored versions: applying a program (a ``loyalty_rules`` row and journal entry) and the active one."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from pos_tui.core.kernel import journal
from pos_tui.core.kernel.actors import Actor, require
from pos_tui.core.kernel.clock import from_db, to_db
from pos_tui.core.kernel.errors import NotFound, ValidationError
from pos_tui.core.kernel.journal import ADMIN_TERMINAL
from pos_tui.core.loyalty.program import (
    Program,
    Tier,
)
from pos_tui.core.loyalty.rules.parsing import canonical_json, parse_program, program_from_dict, program_to_toml
from pos_tui.i18n import _
from pos_tui.store import fast, write_tx
from pos_tui.store import models as m


@dataclass(frozen=True, slots=True)
class RulesVersion:
    """One applied version of the rules (``applied_at`` aware UTC)."""

    id: int
    applied_at: datetime
    digest: str
    program: Program


_NEWEST = "loyalty_rules.newest"
# (id, digest) of the newest row → its program; one entry, replaced when a newer version appears.
_active: tuple[tuple[int, str], Program] | None = None


def _newest() -> tuple[int, str] | None:
    R = m.LoyaltyRules
    rows = fast.select_rendered(_NEWEST, lambda n: R.select(R.id, R.digest).order_by(R.id.desc()).limit(n), 1)
    return (int(rows[0][0]), str(rows[0][1])) if rows else None


def active_rules_id() -> int | None:
    """The id of the active (newest) rules version, or None when none was ever applied."""
    newest = _newest()
    return None if newest is None else newest[0]


def active_program() -> Program:
    """The program in force: the newest applied version, or the default :class:`Program` when
    none was applied. One indexed query per call; the program itself is parsed once per version
    and then shared (the engine memoises its lookup tables on this very object)."""
    global _active
    newest = _newest()
    if newest is None:
        return _DEFAULT
    cached = _active
    if cached is not None and cached[0] == newest:
        return cached[1]
    found: Any = m.LoyaltyRules.select(m.LoyaltyRules.data).where(m.LoyaltyRules.id == newest[0]).tuples().get()
    (data,) = found
    program = program_from_dict(json.loads(data), source=f"loyalty_rules #{newest[0]}")
    _active = (newest, program)
    return program


_DEFAULT = Program()


def _version(row_id: int) -> RulesVersion:
    R = m.LoyaltyRules
    row: Any = R.select(R.id, R.applied_at, R.digest, R.data).where(R.id == row_id).tuples().get_or_none()
    if row is None:
        raise NotFound(_("No loyalty rules version {id}").format(id=row_id))
    rid, applied_at, digest, data = row
    cached = _active
    if cached is not None and cached[0] == (rid, digest):
        program = cached[1]
    else:
        program = program_from_dict(json.loads(data), source=f"loyalty_rules #{rid}")
    return RulesVersion(int(rid), from_db(applied_at), str(digest), program)


def active_version() -> RulesVersion | None:
    """The active version with its id, time and digest (None when no rules were applied)."""
    newest = _newest()
    return None if newest is None else _version(newest[0])


def rules_source(version_id: int) -> str:
    """The rules file text of a version, exactly as it was applied."""
    R = m.LoyaltyRules
    row: Any = R.select(R.source).where(R.id == version_id).tuples().get_or_none()
    if row is None:
        raise NotFound(_("No loyalty rules version {id}").format(id=version_id))
    return str(row[0])


def _store(
    program: Program,
    text: str,
    *,
    source: str,
    actor: Actor | None,
    now: datetime,
    terminal: str,
    note: str | None = None,
) -> RulesVersion:
    data = canonical_json(program)
    digest = hashlib.sha256(data.encode("utf-8")).hexdigest()
    with write_tx():
        newest = _newest()
        if newest is not None and newest[1] == digest:
            return _version(newest[0])
        row_id = fast.insert_one(
            m.LoyaltyRules,
            {
                "applied_at": to_db(now),
                "actor": None if actor is None else actor.user_id,
                "source": text,
                "data": data,
                "digest": digest,
            },
        )
        payload: dict[str, Any] = {
            "id": row_id,
            "digest": digest,
            "source": source,
            "user": None if actor is None else actor.name,
            "previous": None if newest is None else newest[0],
        }
        if note:
            payload["change"] = note
        journal.append("loyalty_rules", payload, terminal=terminal, now=now, ref=str(row_id))
    return RulesVersion(row_id, now, digest, program)


def apply_rules(
    text: str,
    *,
    source: str = "loyalty.toml",
    actor: Actor | None = None,
    now: datetime,
    terminal: str = ADMIN_TERMINAL,
) -> RulesVersion:
    """Validate ``text`` and make it the active program (permission ``admin`` when an
    ``actor`` is given; ``pos-admin`` acts with the authority of the database file). Applying
    the program that is already active changes nothing and returns its version."""
    if actor is not None:
        require(actor, "admin")
    program = parse_program(text, source=source)
    return _store(program, text, source=source, actor=actor, now=now, terminal=terminal)


def set_tier(
    code: str,
    *,
    name: str | None = None,
    min_spend: Decimal | None = None,
    multiplier: Decimal | None = None,
    discount: Decimal | None = None,
    remove: bool = False,
    actor: Actor | None = None,
    now: datetime,
    terminal: str = ADMIN_TERMINAL,
) -> RulesVersion:
    """Add, change or remove one tier of the active program and apply the result as a new
    version (its source is the program written back as TOML; comments of the original file are
    not kept, the original stays in its own version). A new tier needs ``name`` and
    ``min_spend``; tiers are kept in order of ``min_spend``; the whole program is validated
    again (removing a tier a paid membership uses is refused)."""
    if actor is not None:
        require(actor, "admin")
    code = code.strip()
    current = active_program()
    tiers = list(current.tiers)
    index = next((i for i, t in enumerate(tiers) if t.code == code), None)
    if remove:
        if index is None:
            raise NotFound(_("No tier {code}").format(code=code))
        if any(v is not None for v in (name, min_spend, multiplier, discount)):
            raise ValidationError(_("--remove takes no other option"))
        del tiers[index]
        note = f"tier {code} removed"
    else:
        if index is None:
            if name is None or min_spend is None:
                raise ValidationError(_("A new tier {code} needs a name and a minimum spend").format(code=code))
            tier = Tier(code, name, min_spend)
        else:
            tier = tiers[index]
        changes: dict[str, Any] = {}
        if name is not None:
            changes["name"] = name
        if min_spend is not None:
            changes["min_spend"] = min_spend
        if multiplier is not None:
            changes["multiplier"] = multiplier
        if discount is not None:
            changes["basket_discount_percent"] = discount
        tier = replace(tier, **changes)
        if index is None:
            tiers.append(tier)
        else:
            tiers[index] = tier
        tiers.sort(key=lambda t: t.min_spend)
        note = f"tier {code} set"
    draft = replace(current, tiers=tuple(tiers))
    # Validate by the same rules as a file: the program goes through its table form.
    program = program_from_dict(json.loads(canonical_json(draft)), source=_("tiers set"))
    text = program_to_toml(
        program,
        header=f"Written by pos-admin loyalty tiers set ({note}) at {now.isoformat(timespec='seconds')}.",
    )
    return _store(program, text, source="tiers set", actor=actor, now=now, terminal=terminal, note=note)


def _reset_cache() -> None:
    """Forget the cached active program (tests that swap databases)."""
    global _active
    _active = None

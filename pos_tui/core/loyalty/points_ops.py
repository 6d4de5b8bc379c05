"""Points operations a cashier or a manager does on a member's points (issue 16): a **transfer**
to another member with the giver's consent, a **donation** to one of the program's charities,
and a manager's **adjustment**; plus the reads ``pos-admin points show/history`` and the till need.

Each operation is one write transaction holding the ledger entries and their journal entry
(``points_transfer``, ``points_donate``, ``points_adjust``), so both commit or neither does.
The rules come from the program in force (``[transfers]``, ``[donations]``, ``[[charities]]``;
docs/loyalty-rules.md "The keys"); docs/loyalty.md "Points operations" has the long version.

- Only **available** points move (pending points are still inside the return window, expired
  ones are gone); a transferred lot keeps its expiry (:func:`ledger.transfer`).
- A transfer needs ``sell`` (any cashier), the giver's consent described in words (``imzalı
  form``, ``kasa: onay kutusu``), the program's ``enabled``, ``min_points``, ``max_points`` and
  the giver's ``daily_max_points`` for the shop day (what their ``transfer_out`` entries of
  that day add up to); above ``supervisor_above`` it needs ``points_adjust`` or a supervisor's
  override, which the till asks for with the usual PIN dialog (the error is a
  :class:`PermissionDenied` for ``points_adjust``).
- A member who was anonymized, or who withdrew their membership consent, can neither give,
  donate nor receive points.
- The limits are checked inside the transaction, after the members' rows are locked, so two
  tills cannot pass a daily limit together.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from peewee import fn

from pos_tui import store
from pos_tui.core.kernel import journal
from pos_tui.core.kernel.actors import Actor, Override, require
from pos_tui.core.kernel.clock import SHOP_TZ, from_db, iso, local, shop_day, to_db, zone
from pos_tui.core.kernel.errors import InsufficientPoints, NotFound, PermissionDenied, StateError, ValidationError
from pos_tui.core.kernel.formatting import format_decimal
from pos_tui.core.kernel.pan import refuse_pan
from pos_tui.core.loyalty import ledger
from pos_tui.core.loyalty.ledger import Balance, ExpiryPolicy
from pos_tui.core.loyalty.members.consent import member_standing
from pos_tui.core.loyalty.program import Program
from pos_tui.i18n import N_, _
from pos_tui.store import fast
from pos_tui.store import models as m
from pos_tui.store.db import write_tx

CONSENT_MAX = 200  # characters of the consent's description kept in the journal

ENTRY_LABELS = {
    "earn": N_("earned"),
    "redeem": N_("spent"),
    "donate": N_("donated"),
    "transfer_out": N_("given to a member"),
    "transfer_in": N_("received from a member"),
    "clawback": N_("taken back (return)"),
    "restore": N_("given back (return)"),
    "expire": N_("expired"),
    "settle": N_("debt repaid"),
    "adjust": N_("adjustment"),
}


def signed_points(points: int) -> str:
    """A change of points as the shop reads it, with its sign: ``+1.500``, ``-20``."""
    return ("+" if points > 0 else "-" if points < 0 else "") + format_decimal(abs(points))


def points_entry_label(kind: str) -> str:
    """A ledger entry's kind in the shop's words (the code itself when unknown)."""
    label = ENTRY_LABELS.get(kind)
    return _(label) if label else kind


@dataclass(frozen=True, slots=True)
class PointsTransfer:
    """A transfer done: ``lots`` are the receiver's new lots as (points, last usable day or
    None), one per lot of the giver they came from; the balances are after the transfer; ``at``
    is when, in the shop's zone (``to_dict`` writes it with the shop's offset)."""

    giver_id: int
    receiver_id: int
    points: int
    consent: str
    lots: tuple[tuple[int, date | None], ...]
    giver_available: int
    receiver_available: int
    user: str
    supervisor: str | None
    journal_id: int
    at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(timespec="seconds"),
            "giver": self.giver_id,
            "receiver": self.receiver_id,
            "points": self.points,
            "consent": self.consent,
            "lots": [{"points": p, "expires_on": None if d is None else d.isoformat()} for p, d in self.lots],
            "giver_available": self.giver_available,
            "receiver_available": self.receiver_available,
            "user": self.user,
            "supervisor": self.supervisor,
            "journal_id": self.journal_id,
        }


@dataclass(frozen=True, slots=True)
class PointsDonation:
    """A donation done; ``available`` is the member's available points after it; ``at`` is
    when, in the shop's zone."""

    member_id: int
    points: int
    charity: str
    charity_name: str
    available: int
    user: str
    journal_id: int
    at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(timespec="seconds"),
            "member": self.member_id,
            "points": self.points,
            "charity": self.charity,
            "charity_name": self.charity_name,
            "available": self.available,
            "user": self.user,
            "journal_id": self.journal_id,
        }


@dataclass(frozen=True, slots=True)
class PointsAdjustment:
    """An adjustment done: ``points`` signed; the member's balance after it; ``at`` is when, in
    the shop's zone; ``journal_id`` its ``points_adjust`` journal entry."""

    member_id: int
    points: int
    reason: str
    available: int
    total: int
    user: str
    supervisor: str | None
    journal_id: int
    at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(timespec="seconds"),
            "member": self.member_id,
            "points": self.points,
            "reason": self.reason,
            "available": self.available,
            "total": self.total,
            "user": self.user,
            "supervisor": self.supervisor,
            "journal_id": self.journal_id,
        }


@dataclass(frozen=True, slots=True)
class PointsEntryInfo:
    """One row of a member's points ledger, as ``points history`` lists it."""

    id: int
    at: datetime  # aware UTC
    kind: str
    points: int
    sale_id: int | None
    lot_id: int | None
    available_from: date | None
    expires_on: date | None
    reason: str | None

    def to_dict(self, tz: str) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": iso(self.at, tz),
            "kind": self.kind,
            "points": self.points,
            "sale_id": self.sale_id,
            "lot_id": self.lot_id,
            "available_from": None if self.available_from is None else self.available_from.isoformat(),
            "expires_on": None if self.expires_on is None else self.expires_on.isoformat(),
            "reason": self.reason,
        }


def _program(program: Program | None) -> Program:
    if program is not None:
        return program
    from pos_tui.core.loyalty.rules.versions import active_program

    return active_program()


def _n(points: int) -> str:
    """Points as the shop reads them: ``1.500``."""
    return format_decimal(points)


def _whole(points: object, what: str) -> int:
    if isinstance(points, bool) or not isinstance(points, int):
        raise ValidationError(_("{what} must be a whole number of points").format(what=what))
    if points <= 0:
        raise ValidationError(_("{what} must be more than zero").format(what=what))
    return points


def _usable_member(member_id: int, role: str) -> None:
    """Lock the member's row (PostgreSQL ``FOR UPDATE``) and refuse a member who cannot take
    part (:func:`~pos_tui.core.loyalty.members.consent.member_standing`): unknown, anonymized,
    or whose latest membership consent is a withdrawal. ``role`` names them in the message (the
    giver, the receiver, the member)."""
    standing = member_standing(member_id, for_update=True)
    if standing == "anonymized":
        raise StateError(
            _("{role} (member #{id}) was anonymized: their points cannot move").format(role=role, id=member_id)
        )
    if standing == "withdrawn":
        raise StateError(
            _(
                "{role} (member #{id}) left the programme (membership consent withdrawn): their points cannot move"
            ).format(role=role, id=member_id)
        )


def _check_available(member_id: int, points: int, day: date, tz: str) -> int:
    """Refuse before anything is written (and before a supervisor is asked) when the member's
    available points do not cover ``points``; returns what is available."""
    have = ledger.available_points(member_id, as_of=day, tz=tz)
    if points > have:
        pending = ledger.balance(member_id, as_of=day, tz=tz).pending
        raise InsufficientPoints(
            _("Only {available} points are available ({pending} pending); {points} were asked for").format(
                available=_n(max(have, 0)), pending=_n(pending), points=_n(points)
            )
        )
    return have


def transferred_today(member_id: int, *, day: date, tz: str = SHOP_TZ) -> int:
    """Points ``member_id`` gave to other members on shop day ``day`` (their ``transfer_out``
    entries of that day; positive)."""
    start = datetime.combine(day, time.min, tzinfo=zone(tz))
    lo, hi = to_db(start), to_db(start + timedelta(days=1))
    e = m.PointsEntry
    total = (
        e.select(fn.COALESCE(fn.SUM(e.points), 0))
        .where((e.member == member_id) & (e.kind == "transfer_out") & (e.at >= lo) & (e.at < hi))
        .scalar()
    )
    return -int(total or 0)


def _consent(text: str) -> str:
    consent = " ".join((text or "").split())
    if not consent:
        raise ValidationError(_("The giver's consent is needed: describe it (a signed form, the till's consent box)"))
    if len(consent) > CONSENT_MAX:
        raise ValidationError(_("Describe the consent in at most {n} characters").format(n=CONSENT_MAX))
    refuse_pan(consent)
    return consent


def transfer_points(
    giver_id: int,
    receiver_id: int,
    points: int,
    *,
    consent: str,
    actor: Actor,
    override: Override | None = None,
    terminal: str,
    now: datetime,
    tz: str = SHOP_TZ,
    program: Program | None = None,
) -> PointsTransfer:
    """Move ``points`` available points from ``giver_id`` to ``receiver_id`` (module doc for the
    rules); journal kind ``points_transfer`` with giver, receiver, points, consent, user and,
    when one allowed it, the supervisor and their reason."""
    rules = _program(program).transfers
    points = _whole(points, _("Transferred points"))
    if not rules.enabled:
        raise StateError(_("Points transfers between members are turned off in the loyalty programme"))
    if giver_id == receiver_id:
        raise ValidationError(_("A member cannot transfer points to themselves"))
    consent = _consent(consent)
    require(actor, "sell", override)
    if points < rules.min_points:
        raise ValidationError(
            _("A transfer moves at least {min} points; {points} were asked for").format(
                min=_n(rules.min_points), points=_n(points)
            )
        )
    if rules.max_points and points > rules.max_points:
        raise ValidationError(
            _("A transfer moves at most {max} points; {points} were asked for").format(
                max=_n(rules.max_points), points=_n(points)
            )
        )
    day = shop_day(now, tz)
    with write_tx():
        for member_id in sorted((giver_id, receiver_id)):  # one lock order: no deadlock
            _usable_member(member_id, _("The giver") if member_id == giver_id else _("The receiver"))
        if rules.daily_max_points:
            given = transferred_today(giver_id, day=day, tz=tz)
            if given + points > rules.daily_max_points:
                raise ValidationError(
                    _(
                        "A member may give at most {max} points a day; this member gave {given} today, "
                        "so at most {left} more"
                    ).format(
                        max=_n(rules.daily_max_points),
                        given=_n(given),
                        left=_n(max(rules.daily_max_points - given, 0)),
                    )
                )
        _check_available(giver_id, points, day, tz)
        used: Override | None = None
        if rules.supervisor_above and points > rules.supervisor_above:
            try:
                used = require(actor, "points_adjust", override)
            except PermissionDenied as exc:
                raise PermissionDenied(
                    _("A transfer of more than {limit} points needs a supervisor ({points} asked for)").format(
                        limit=_n(rules.supervisor_above), points=_n(points)
                    ),
                    exc.permission,
                ) from None
        lots = ledger.transfer(giver_id, receiver_id, points, now=now, tz=tz)
        payload: dict[str, object] = {
            "giver": giver_id,
            "receiver": receiver_id,
            "points": points,
            "consent": consent,
            "user": actor.name,
        }
        if used is not None:
            payload["supervisor"] = used.supervisor.name
            payload["override_reason"] = used.reason
        entry = journal.append("points_transfer", payload, terminal=terminal, now=now, ref=str(giver_id))
        return PointsTransfer(
            giver_id=giver_id,
            receiver_id=receiver_id,
            points=points,
            consent=consent,
            lots=tuple((lot.points, lot.expires_on) for lot in lots),
            giver_available=ledger.available_points(giver_id, as_of=day, tz=tz),
            receiver_available=ledger.available_points(receiver_id, as_of=day, tz=tz),
            user=actor.name,
            supervisor=None if used is None else used.supervisor.name,
            journal_id=int(entry.id),
            at=local(now, tz),
        )


def donate_points(
    member_id: int,
    points: int,
    charity_code: str,
    *,
    actor: Actor,
    override: Override | None = None,
    terminal: str,
    now: datetime,
    tz: str = SHOP_TZ,
    program: Program | None = None,
) -> PointsDonation:
    """Give ``points`` available points of ``member_id`` to the program's charity
    ``charity_code`` (the ledger's ``donate`` entries carry the code, which the donation report
    groups by); journal kind ``points_donate``."""
    active = _program(program)
    points = _whole(points, _("Donated points"))
    code = (charity_code or "").strip()
    charity = active.charity(code)
    if charity is None:
        codes = ", ".join(c.code for c in active.charities)
        if not codes:
            raise StateError(_("The loyalty programme names no charity ([[charities]] in the rules)"))
        raise ValidationError(
            _("Unknown charity {code!r}; the programme's charities: {codes}").format(code=code, codes=codes)
        )
    require(actor, "sell", override)
    if points < active.donations.min_points:
        raise ValidationError(
            _("A donation gives at least {min} points; {points} were asked for").format(
                min=_n(active.donations.min_points), points=_n(points)
            )
        )
    day = shop_day(now, tz)
    with write_tx():
        _usable_member(member_id, _("The member"))
        _check_available(member_id, points, day, tz)
        ledger.donate(member_id, points, charity.code, now=now, tz=tz)
        payload = {"member": member_id, "points": points, "charity": charity.code, "user": actor.name}
        entry = journal.append("points_donate", payload, terminal=terminal, now=now, ref=str(member_id))
        return PointsDonation(
            member_id=member_id,
            points=points,
            charity=charity.code,
            charity_name=charity.name,
            available=ledger.available_points(member_id, as_of=day, tz=tz),
            user=actor.name,
            journal_id=int(entry.id),
            at=local(now, tz),
        )


def adjust_points(
    member_id: int,
    points: int,
    reason: str,
    *,
    actor: Actor,
    override: Override | None = None,
    terminal: str,
    now: datetime,
    tz: str = SHOP_TZ,
    program: Program | None = None,
    expiry: ExpiryPolicy | None = None,
) -> PointsAdjustment:
    """A manager's correction by ``points`` (signed), through :func:`ledger.adjust`: permission
    ``points_adjust`` or a supervisor's override, a reason, journalled ``points_adjust``. Added
    points are available at once and expire by the program's expiry policy (``expiry`` to
    choose another); taken points come from available lots first, then pending ones, then
    leave a debt. An anonymized member cannot be adjusted."""
    if isinstance(points, bool) or not isinstance(points, int) or points == 0:
        raise ValidationError(_("An adjustment must be a whole, non-zero number of points"))
    if not reason.strip():
        raise ValidationError(_("A reason is needed"))
    policy = expiry if expiry is not None else _program(program).points.expiry
    day = shop_day(now, tz)
    with write_tx():
        _usable_member(member_id, _("The member"))
        used = require(actor, "points_adjust", override)
        _result, journal_id = ledger.adjust_journalled(
            member_id, points, reason, actor=actor, now=now, terminal=terminal, override=override, expiry=policy, tz=tz
        )
        after = ledger.balance(member_id, as_of=day, tz=tz)
        return PointsAdjustment(
            member_id=member_id,
            points=points,
            reason=reason.strip(),
            available=after.available,
            total=after.total,
            user=actor.name,
            supervisor=None if used is None else used.supervisor.name,
            journal_id=journal_id,
            at=local(now, tz),
        )


def points_balance(member_id: int, *, as_of: date, tz: str = SHOP_TZ) -> Balance:
    """The member's points at the end of ``as_of`` (:func:`ledger.balance`)."""
    return ledger.balance(member_id, as_of=as_of, tz=tz)


def points_entries(member_id: int, *, limit: int = 20) -> list[PointsEntryInfo]:
    """The member's latest ``limit`` ledger entries, newest first."""
    if fast.select_first(m.Member, ("id",), {"id": member_id}) is None:
        raise NotFound(_("No member with id {id}").format(id=member_id))
    if limit < 1:
        raise ValidationError(_("Show at least one entry"))
    e = m.PointsEntry
    query = (
        e.select(e.id, e.at, e.kind, e.points, e.sale, e.lot, e.available_from, e.expires_on, e.reason)
        .where(e.member == member_id)
        .order_by(e.id.desc())
        .limit(limit)
    )
    return [
        PointsEntryInfo(
            id=int(eid),
            at=from_db(_datetime(at)),
            kind=kind,
            points=int(points),
            sale_id=sale,
            lot_id=lot,
            available_from=_day(available_from),
            expires_on=_day(expires_on),
            reason=reason,
        )
        for eid, at, kind, points, sale, lot, available_from, expires_on, reason in store.rows(query)
    ]


def _datetime(value: object) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def _day(value: object) -> date | None:
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value  # type: ignore[return-value]
    if isinstance(value, datetime):
        return value.date()
    return date.fromisoformat(str(value))

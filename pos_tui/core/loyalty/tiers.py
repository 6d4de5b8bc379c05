"""Tiers: qualifying spend, evaluation (upgrade at once, downgrade at the end of the term),
paid and manual tiers, and the progress bar to the next tier.

Qualifying spend
    What a member's receipts charged (``sale.total``: after every discount, whatever paid
    for it) in the qualification window, **net of returns**. A return counts against the
    window of the receipt it returns (``return_of``), not the day it happens, so spending that
    was brought back never qualifies anyone: buying a TV on 31 October and returning it on
    3 November leaves October's spend without the TV as soon as the return is posted. Only
    returns posted by the end of the evaluated day count (a past day reads as it was then);
    a return without a receipt counts on its own day.

Windows (``program.tier_qualification``; shop-local days, both ends included)
    * ``previous_month``: the calendar month before the evaluated day decides this month's
      tier (5,000 spent in October → the 15 % tier for November).
    * ``rolling_days`` N: the N days ending on the evaluated day.
    * ``rolling_months`` N: the N months ending on the evaluated day (from the day after the
      same date N months earlier).

Term (``member.tier_until``: the tier holds through that shop day)
    A tier reached or confirmed at an evaluation holds for one window length: through the
    end of the month (``previous_month``), the evaluated day + N − 1 days, or the day before
    the same date N months later. While a term runs the member is never downgraded; each
    evaluation that finds the spend still qualifying moves the end of the term on (no
    :class:`~pos_tui.store.models.TierChange` row: the tier did not change). A higher tier
    takes effect at once. When the term has ended, the member goes to the tier the current
    window's spend reaches (possibly none).

Paid and manual tiers
    :func:`set_member_tier` (``paid``: a membership product was sold; ``manual``: a manager,
    permission ``points_adjust``) sets the tier and its term (``until``); evaluation keeps it
    through that day and can only raise it. A paid membership bought by a member who already
    holds a higher tier keeps the higher tier and lengthens its term to the paid term's end,
    so the member never holds less than what they paid for.

The current receipt (``tier_qualification.count_current_receipt``)
    :func:`upgrade_on_receipt` runs inside a member's sale as it posts: the spend of the window
    that is filling, this receipt included, moves the member up at once (never down; reason
    ``receipt``). The receipt keeps what it was priced with; the next one has the new tier.

Every change writes a ``tier_change`` row, updates the member's cached ``tier_code`` /
``tier_until`` and appends a ``tier_change`` journal entry; all in one transaction.
:func:`evaluate_all` reads the spend of every member with one grouped query.

A chain of terminals (docs/sync-tiers.md)
    A member's spend at the other terminals of the chain counts too: each sale or return with a
    member travels as a ``spend`` row (the push's body), the centre keeps it in ``sync_ledger``
    and the pull brings the other terminals' ones down into this terminal's ``sync_ledger``;
    the spend here is ``sale`` plus those rows, counted by the same rules, so every terminal and
    the centre reach the same figure once they have synced. The *decisions* are written by one
    terminal (``[sync] loyalty_jobs``, see :mod:`pos_tui.core.loyalty.jobs`); the others take the
    member's tier from the centre with the pull of ``member``.
"""

from __future__ import annotations

import calendar
import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Literal

from peewee import JOIN, SQL, Case, NodeList, Select, fn

from pos_tui import store
from pos_tui.core.kernel import journal
from pos_tui.core.kernel.actors import Actor, Override, require
from pos_tui.core.kernel.clock import SHOP_TZ, from_db, iso, shop_day, to_db, zone
from pos_tui.core.kernel.errors import NotFound, ValidationError
from pos_tui.core.kernel.money import ZERO, from_kurus
from pos_tui.core.loyalty.program import Program, Tier, TierQualification
from pos_tui.core.sync import SPEND
from pos_tui.i18n import _
from pos_tui.store import fast, write_tx
from pos_tui.store import models as m

JOB_TERMINAL = "loyalty"  # the journal's terminal for changes made by the job or the back office
JOURNAL_BATCH = 1000  # tier changes per ``tier_evaluation`` journal entry
CHUNK = 500  # ids per ``IN (...)``: under every backend's parameter limit
REASONS = ("evaluation", "paid", "manual", "receipt")

Direction = Literal["up", "down"]


@dataclass(frozen=True, slots=True)
class TierProgress:
    """What the customer screen's progress bar shows.

    ``spend`` is what the member has spent in the window that is filling now (``window_start``
    to ``window_end``: this calendar month for ``previous_month``, whose spend decides next
    month's tier; the rolling window ending today otherwise). ``next`` is the lowest tier above
    both the current tier and what ``spend`` already reaches; ``needed`` is the TRY still to
    spend to reach it (``None`` at the top)."""

    current: Tier | None
    next: Tier | None
    spend: Decimal
    needed: Decimal | None
    window_start: date
    window_end: date


@dataclass(frozen=True, slots=True)
class TierChangeInfo:
    """One written tier change. ``direction`` compares the tiers' ranks in the program (a
    code the program no longer has ranks below every tier)."""

    id: int
    member_id: int
    from_code: str | None
    to_code: str | None
    reason: str
    at: datetime
    valid_until: date | None
    direction: Direction
    spend: Decimal | None = None  # the qualifying spend that decided an evaluation

    def as_json(self, tz: str = SHOP_TZ) -> dict[str, Any]:
        """The change as JSON; ``at`` in the shop's zone ``tz`` with its offset."""
        return {
            "id": self.id,
            "member_id": self.member_id,
            "from": self.from_code,
            "to": self.to_code,
            "reason": self.reason,
            "at": iso(self.at, tz),
            "valid_until": self.valid_until.isoformat() if self.valid_until else None,
            "direction": self.direction,
            "spend": None if self.spend is None else f"{self.spend:.2f}",
        }


@dataclass(frozen=True, slots=True)
class TierEvaluation:
    """What :func:`evaluate_all` did: members looked at, changes written, terms extended."""

    as_of: date
    members: int
    changes: tuple[TierChangeInfo, ...]
    renewed: int

    @property
    def upgrades(self) -> int:
        return sum(1 for c in self.changes if c.direction == "up")

    @property
    def downgrades(self) -> int:
        return sum(1 for c in self.changes if c.direction == "down")


# --------------------------------------------------------------------------- calendar


def add_months(day: date, months: int) -> date:
    """The same day ``months`` months later (or earlier), clipped to the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _check(q: TierQualification) -> None:
    if q.window not in ("previous_month", "rolling_days", "rolling_months"):
        raise ValidationError(_("Unknown tier qualification window {window}").format(window=q.window))
    if q.window != "previous_month" and q.length < 1:
        raise ValidationError(_("A rolling tier window must be at least 1 long"))


def qualification_window(q: TierQualification, as_of: date) -> tuple[date, date]:
    """The days (both included) whose spend decides the tier at an evaluation on ``as_of``."""
    _check(q)
    if q.window == "previous_month":
        last = as_of.replace(day=1) - timedelta(days=1)
        return last.replace(day=1), last
    if q.window == "rolling_days":
        return as_of - timedelta(days=q.length - 1), as_of
    return add_months(as_of, -q.length) + timedelta(days=1), as_of


def filling_window(q: TierQualification, as_of: date) -> tuple[date, date]:
    """The window whose spend is accumulating on ``as_of`` (what the progress bar shows)."""
    _check(q)
    if q.window == "previous_month":
        return as_of.replace(day=1), _month_end(as_of)
    return qualification_window(q, as_of)


def term_end(q: TierQualification, as_of: date) -> date:
    """The last day a tier reached or confirmed on ``as_of`` holds (one window length)."""
    _check(q)
    if q.window == "previous_month":
        return _month_end(as_of)
    if q.window == "rolling_days":
        return as_of + timedelta(days=q.length - 1)
    return add_months(as_of, q.length) - timedelta(days=1)


def _day_start(day: date, tz: str) -> datetime:
    """Naive UTC of the local midnight that starts ``day`` (how the store compares times)."""
    return datetime.combine(day, time.min, tzinfo=zone(tz)).astimezone(UTC).replace(tzinfo=None)


# --------------------------------------------------------------------------- ranks


def rank(program: Program, code: str | None) -> int:
    """A tier's position in the program (``program.tiers`` ascend); -1 for none or unknown."""
    for i, tier in enumerate(program.tiers):
        if tier.code == code:
            return i
    return -1


def tier_for_spend(program: Program, spend: Decimal) -> Tier | None:
    """The highest tier whose ``min_spend`` the spend reaches (none below the lowest)."""
    reached = [t for t in program.tiers if spend >= t.min_spend]
    return max(reached, key=lambda t: t.min_spend) if reached else None


def _direction(program: Program, from_code: str | None, to_code: str | None) -> Direction:
    old, new = rank(program, from_code), rank(program, to_code)
    if new != old:
        return "up" if new > old else "down"
    return "down" if to_code is None else "up"


# --------------------------------------------------------------------------- spend


def _spend_in(member_id: int, start: date, end: date, as_of: date, tz: str) -> Decimal:
    """Net spend of one member: one statement, index-driven (the member's receipts and the
    returns of them by member; the other terminals' spend by card), rendered once
    (:func:`_spend_query`)."""
    lo, hi, cutoff = (
        _day_start(start, tz),
        _day_start(end + timedelta(days=1), tz),
        _day_start(as_of + timedelta(1), tz),
    )
    rows = fast.select_rendered("tiers.spend", _spend_query, *_spend_params(member_id, lo, hi, cutoff))
    total = 0
    for key, amount, data in rows:
        if key is None:  # this terminal's receipts net of their returns
            total += int(amount or 0)
        elif _foreign_counts(int(amount), data, lo, hi):
            total += int(amount)
    return from_kurus(total)


def _spend_params(member_id: int, lo: datetime, hi: datetime, cutoff: datetime) -> tuple[Any, ...]:
    """The parameters of :func:`_spend_query` in the order its SQL renders them (naive UTC
    datetimes, what Peewee passes for these fields), so that :func:`fast.select_rendered`
    renders it once."""
    return (member_id, lo, hi, cutoff, member_id, lo, hi, cutoff, SPEND, lo, cutoff, hi, member_id)


def _spend_query(
    member_id: int, lo: datetime, hi: datetime, cutoff: datetime, *_repeated: Any, ledger: str = SPEND
) -> Any:
    """One member's spend in [``lo``, ``hi``) with documents posted before ``cutoff``: a first
    row ``(NULL, own − returned, NULL)`` for this terminal's ``sale`` table (receipts and
    returns without a receipt on their day, minus the returns of the window's receipts), then
    the other terminals' ``spend`` rows of the member's card ``(key, amount, data)`` as
    :func:`_foreign_spend` reads them (a return's JSON says the day it counts on). Constants
    are SQL literals so the parameters are only :func:`_spend_params`. Called with
    :func:`_spend_params`."""
    S = m.Sale
    orig = m.Sale.alias("orig")
    zero = SQL("0")
    own = S.select(
        fn.COALESCE(fn.SUM(Case(None, [(S.kind == SQL("'return'"), S.total * SQL("-1"))], S.total)), zero)
    ).where(
        (S.member == member_id)
        & ((S.kind == SQL("'sale'")) | S.return_of.is_null())
        & (S.at >= lo)
        & (S.at < hi)
        & (S.at < cutoff)
    )
    returned = (
        S.select(fn.COALESCE(fn.SUM(S.total), zero))
        .join(orig, on=(S.return_of == orig.id))
        .where(
            (orig.member == member_id)
            & (S.kind == SQL("'return'"))
            & (orig.at >= lo)
            & (orig.at < hi)
            & (S.at < cutoff)
        )
    )
    M, L = m.Member, m.SyncLedger
    card = M.select(M.card).where(M.id == member_id)
    local = Select(columns=[SQL("NULL"), NodeList((own, SQL("-"), returned)), SQL("NULL")])
    foreign = L.select(L.key, L.amount, L.data).where(
        (L.ledger == ledger) & (L.at >= lo) & (L.at < cutoff) & ((L.amount < zero) | (L.at < hi)) & (L.key == card)
    )
    return local.union_all(foreign)


def _foreign_counts(amount: int, data: Any, lo: datetime, hi: datetime) -> bool:
    """Whether another terminal's ``spend`` row (already inside the query's bounds) counts in
    [``lo``, ``hi``): a sale does; a return counts on its receipt's day (``return_of_at``), or
    its own without one."""
    if amount >= 0:
        return True
    row = json.loads(data) if isinstance(data, str) else data
    return lo <= _stored_time(row.get("return_of_at") or row["at"]) < hi


def _stored_time(value: Any) -> datetime:
    """A stored time as the driver or a ``spend`` row's JSON gives it (ISO text or a datetime),
    naive UTC."""
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def _foreign_spend(start: date, end: date, as_of: date, tz: str, card: str | None = None) -> dict[str, int]:
    """Net spend in kuruş per member card from the other terminals of the chain: the ``spend``
    rows in ``sync_ledger`` (docs/sync-tiers.md). On a terminal they are what the pull brought
    down (never this terminal's own: its sales are in ``sale``); at the centre, every terminal's.
    A single-database shop has none. Counted as :func:`_spend_in` counts the ``sale`` table: a
    sale on its day, a return of a receipt on the receipt's day (``return_of_at``), a return
    without one on its own; only documents posted by the end of ``as_of``. One query (by card,
    index-driven, when ``card`` is given); a return's JSON is read only for returns (a return is
    never before its receipt, so the window's start bounds them too)."""
    lo, hi, cutoff = (
        _day_start(start, tz),
        _day_start(end + timedelta(days=1), tz),
        _day_start(as_of + timedelta(1), tz),
    )
    L = m.SyncLedger
    where = (L.ledger == SPEND) & (L.at >= lo) & (L.at < cutoff) & ((L.amount < 0) | (L.at < hi))
    if card is not None:
        where &= L.key == card
    found: dict[str, int] = defaultdict(int)
    for key, amount, data in raw(L.select(L.key, L.amount, L.data).where(where)):
        amount = int(amount)
        if _foreign_counts(amount, data, lo, hi):
            found[str(key)] += amount
    return found


def _member_ids(cards: list[str]) -> dict[str, int]:
    M = m.Member
    ids: dict[str, int] = {}
    for start in range(0, len(cards), CHUNK):
        chunk = cards[start : start + CHUNK]
        ids.update(
            (str(card), int(member_id)) for card, member_id in raw(M.select(M.card, M.id).where(M.card.in_(chunk)))
        )
    return ids


def spend_by_member(start: date, end: date, *, as_of: date, tz: str = SHOP_TZ) -> dict[int, Decimal]:
    """Net spend per member in ``start``..``end`` (returns posted by the end of ``as_of``), one
    grouped query over the documents of the window (a return is always on or after the day of
    the receipt it returns, so the window's first day bounds the scan)."""
    lo, hi, cutoff = (
        _day_start(start, tz),
        _day_start(end + timedelta(days=1), tz),
        _day_start(as_of + timedelta(1), tz),
    )
    S = m.Sale
    orig = m.Sale.alias("orig")
    who = fn.COALESCE(S.member, orig.member)
    counted_at = fn.COALESCE(orig.at, S.at)
    signed = Case(None, [(S.kind == "return", S.total * -1)], S.total)
    query = (
        S.select(who, fn.SUM(signed))
        .join(orig, JOIN.LEFT_OUTER, on=(S.return_of == orig.id))
        .where((S.at >= lo) & (S.at < cutoff) & (counted_at >= lo) & (counted_at < hi) & who.is_null(False))
        .group_by(who)
    )
    spend = {int(member): int(total or 0) for member, total in raw(query)}
    foreign = _foreign_spend(start, end, as_of, tz)
    if foreign:
        for card, member_id in _member_ids(sorted(foreign)).items():
            spend[member_id] = spend.get(member_id, 0) + foreign[card]
    return {member: from_kurus(total) for member, total in spend.items()}


def qualifying_spend(member_id: int, program: Program, *, as_of: date, tz: str = SHOP_TZ) -> Decimal:
    """The member's net spend in the window that decides their tier on ``as_of``."""
    start, end = qualification_window(program.tier_qualification, as_of)
    return _spend_in(member_id, start, end, as_of, tz)


def progress(member_id: int, program: Program, *, as_of: date, tz: str = SHOP_TZ) -> TierProgress:
    """The progress bar to the next tier (see :class:`TierProgress`)."""
    row = fast.select_first(m.Member, ("tier_code",), {"id": member_id})
    if row is None:
        raise NotFound(_("No member with id {id}").format(id=member_id))
    current = program.tier(row[0])
    start, end = filling_window(program.tier_qualification, as_of)
    spend = _spend_in(member_id, start, min(end, as_of), as_of, tz)
    reached = tier_for_spend(program, spend)
    floor = max(rank(program, row[0]), rank(program, reached.code if reached else None))
    above = [t for i, t in enumerate(program.tiers) if i > floor]
    nxt = above[0] if above else None
    needed = None if nxt is None else max(ZERO, nxt.min_spend - spend)
    return TierProgress(current, nxt, spend, needed, start, end)


# --------------------------------------------------------------------------- evaluation


class _Decider:
    """The tier decision for one program and day, with the day's constants worked out once
    (:func:`evaluate_all` makes it for every member)."""

    __slots__ = ("as_of", "ranks", "term", "tiers")

    def __init__(self, program: Program, as_of: date) -> None:
        self.as_of = as_of
        self.term = term_end(program.tier_qualification, as_of)
        self.ranks = {t.code: i for i, t in enumerate(program.tiers)}
        self.tiers = sorted(((t.min_spend, i, t.code) for i, t in enumerate(program.tiers)), reverse=True)

    def __call__(self, code: str | None, until: date | None, spend: Decimal) -> tuple[str | None, date | None]:
        """The tier and term a member should have: the higher of what the spend reaches (for
        a new term) and the current tier while its term runs (ties: the later end)."""
        reached = next(((i, c) for floor, i, c in self.tiers if spend >= floor), None)
        held = code is not None and until is not None and until >= self.as_of
        if reached is None:
            return (code, until) if held else (None, None)
        if not held:
            return reached[1], self.term
        mine = self.ranks.get(code, -1)  # type: ignore[arg-type]
        if reached[0] > mine:
            return reached[1], self.term
        if reached[0] < mine or reached[1] != code:
            return code, until
        return code, max(until, self.term)  # type: ignore[type-var]


def _decide(
    program: Program, code: str | None, until: date | None, spend: Decimal, as_of: date
) -> tuple[str | None, date | None]:
    return _Decider(program, as_of)(code, until, spend)


def _change_at(now: datetime, as_of: date, tz: str) -> datetime:
    """When an evaluation's changes are dated: ``now``, or the start of ``as_of`` when a past
    day is evaluated afterwards (a catch-up run), so each change sits on the day it belongs to."""
    if shop_day(now, tz) > as_of:
        return datetime.combine(as_of, time.min, tzinfo=zone(tz)).astimezone(UTC)
    return now


def _write_change(
    program: Program,
    member_id: int,
    from_code: str | None,
    to_code: str | None,
    until: date | None,
    *,
    reason: str,
    at: datetime,
    terminal: str,
    spend: Decimal | None = None,
    sale_id: int | None = None,
    actor: Actor | None = None,
    override: Override | None = None,
) -> TierChangeInfo:
    db_at = to_db(at)
    change_id = fast.insert_one(
        m.TierChange,
        {
            "member": member_id,
            "at": db_at,
            "from_code": from_code,
            "to_code": to_code,
            "reason": reason,
            "valid_until": until,
            "sale": sale_id,
            "actor": actor.user_id if actor else None,
        },
    )
    fast.update_where(m.Member, {"tier_code": to_code, "tier_until": until}, {"id": member_id})
    info = TierChangeInfo(
        change_id,
        member_id,
        from_code,
        to_code,
        reason,
        from_db(db_at),
        until,
        _direction(program, from_code, to_code),
        spend,
    )
    payload: dict[str, Any] = {
        "member_id": member_id,
        "from": from_code,
        "to": to_code,
        "reason": reason,
        "valid_until": until.isoformat() if until else None,
    }
    if spend is not None:
        payload["spend"] = f"{spend:.2f}"
    if sale_id is not None:
        payload["sale_id"] = sale_id
    if actor is not None:
        payload["user"] = actor.name
    if override is not None:
        payload["supervisor"] = override.supervisor.name
        payload["override_reason"] = override.reason
    journal.append("tier_change", payload, terminal=terminal, now=at, ref=str(member_id))
    return info


def _member_state(member_id: int) -> tuple[str | None, date | None, datetime | None]:
    row = fast.select_first(m.Member, ("tier_code", "tier_until", "anonymized_at"), {"id": member_id}, for_update=True)
    if row is None:
        raise NotFound(_("No member with id {id}").format(id=member_id))
    code, until, gone = row
    return code, as_date(until), gone


def evaluate_member(
    member_id: int, program: Program, *, now: datetime, tz: str = SHOP_TZ, terminal: str = JOB_TERMINAL
) -> TierChangeInfo | None:
    """Evaluate one member on the shop day of ``now``: returns the change written, or None
    (no change; an extended term is saved silently). Anonymised members are left alone, as
    :func:`evaluate_all` leaves them out."""
    as_of = shop_day(now, tz)
    with write_tx():
        code, until, gone = _member_state(member_id)
        if gone is not None:
            return None
        spend = qualifying_spend(member_id, program, as_of=as_of, tz=tz)
        target, new_until = _decide(program, code, until, spend, as_of)
        if target == code:
            if new_until != until and target is not None:
                fast.update_where(m.Member, {"tier_until": new_until}, {"id": member_id})
            return None
        return _write_change(
            program,
            member_id,
            code,
            target,
            new_until,
            reason="evaluation",
            at=_change_at(now, as_of, tz),
            terminal=terminal,
            spend=spend,
        )


def receipt_spend(member_id: int, program: Program, *, as_of: date, tz: str = SHOP_TZ) -> Decimal:
    """The spend a receipt posted on ``as_of`` counts towards when the program counts the current
    receipt: the window that is filling on ``as_of`` up to that day (this calendar month for
    ``previous_month``, whose spend decides the coming tiers; the rolling window ending that day
    otherwise) — what the progress bar shows, so crossing the bar's mark is what moves a member
    up. Receipts already posted that day (the current one included) count."""
    start, end = filling_window(program.tier_qualification, as_of)
    return _spend_in(member_id, start, min(end, as_of), as_of, tz)


def upgrade_on_receipt(
    member_id: int,
    program: Program,
    *,
    now: datetime,
    tz: str = SHOP_TZ,
    sale_id: int | None = None,
    terminal: str = JOB_TERMINAL,
) -> TierChangeInfo | None:
    """``tier_qualification.count_current_receipt``: right after a member's sale posts (inside
    its transaction, so the sale is counted), move the member up to the tier
    :func:`receipt_spend` reaches, if it ranks above the one they hold — a member the tier job
    has not placed yet holds the entry tier (the lowest, when it needs no spend). Upgrades only:
    a spend that reaches less never lowers the tier here (``loyalty run`` decides that, at the
    end of the term). The new tier holds for one window length from today (the term an
    evaluation gives), and the change is written like an evaluation's (a ``tier_change`` row
    with reason ``receipt`` naming the sale, the member's tier and term, a ``tier_change``
    journal entry). Anonymised members are left alone. Returns the change, or None.

    On a terminal of a chain that is not the loyalty terminal the upgrade is written all the
    same (docs/sync-tiers.md): the receipt is posted here and the member is at the till now; the
    ``tier_change`` row travels with the sale's document, which makes it a tier decision the
    centre takes."""
    if not program.tiers:
        return None
    as_of = shop_day(now, tz)
    code, _until, gone = _member_state(member_id)
    if gone is not None:
        return None
    spend = receipt_spend(member_id, program, as_of=as_of, tz=tz)
    reached = tier_for_spend(program, spend)
    entry = program.tiers[0].code if program.tiers[0].min_spend <= 0 else None
    held = rank(program, code if code is not None else entry)
    if reached is None or rank(program, reached.code) <= held:
        return None
    return _write_change(
        program,
        member_id,
        code,
        reached.code,
        term_end(program.tier_qualification, as_of),
        reason="receipt",
        at=now,
        terminal=terminal,
        spend=spend,
        sale_id=sale_id,
    )


def evaluate_all(
    program: Program,
    *,
    now: datetime,
    tz: str = SHOP_TZ,
    as_of: date | None = None,
    terminal: str = JOB_TERMINAL,
) -> TierEvaluation:
    """Evaluate every member (not anonymised, enrolled by the end of ``as_of``, default the
    shop day of ``now``) in one transaction, set-based: one grouped query for the spend, one
    for the members, then bulk writes for the members whose tier or term changes (tier-change
    rows in multi-row inserts, member updates grouped by new tier and term, and one
    ``tier_evaluation`` journal entry per :data:`JOURNAL_BATCH` changes). Running it again
    for the same day writes nothing."""
    as_of = as_of or shop_day(now, tz)
    if not program.tiers:
        return _drop_tiers(program, now=now, as_of=as_of, tz=tz, terminal=terminal)
    start, end = qualification_window(program.tier_qualification, as_of)
    at = _change_at(now, as_of, tz)
    db_at = to_db(at)
    cutoff = _day_start(as_of + timedelta(days=1), tz)
    M = m.Member
    with write_tx():
        spend = spend_by_member(start, end, as_of=as_of, tz=tz)
        members = [
            (int(member_id), code, as_date(until))
            for member_id, code, until in raw(
                M.select(M.id, M.tier_code, M.tier_until).where(M.anonymized_at.is_null() & (M.created_at < cutoff))
            )
        ]
        renewals: dict[date, list[int]] = defaultdict(list)
        moves: list[tuple[int, str | None, str | None, date | None, Decimal]] = []
        decide = _Decider(program, as_of)
        for member_id, code, until in members:
            got = spend.get(member_id, ZERO)
            target, new_until = decide(code, until, got)
            if target == code:
                if new_until != until and new_until is not None:
                    renewals[new_until].append(member_id)
            else:
                moves.append((member_id, code, target, new_until, got))
        for new_until, ids in renewals.items():
            _update_members({"tier_until": new_until}, ids)
        changes = _write_changes(program, moves, db_at=db_at, as_of=as_of, terminal=terminal, now=now)
    return TierEvaluation(as_of, len(members), tuple(changes), sum(len(ids) for ids in renewals.values()))


def _write_changes(
    program: Program,
    moves: list[tuple[int, str | None, str | None, date | None, Decimal]],
    *,
    db_at: datetime,
    as_of: date,
    terminal: str,
    now: datetime,
) -> list[TierChangeInfo]:
    """The bulk half of :func:`evaluate_all` (inside its transaction)."""
    if not moves:
        return []
    T = m.TierChange
    before = T.select(fn.COALESCE(fn.MAX(T.id), 0)).scalar()
    fast.insert_many(
        T,
        ("member", "at", "from_code", "to_code", "reason", "valid_until"),
        [(member_id, db_at, old, new, "evaluation", until) for member_id, old, new, until, _spend in moves],
    )
    # Read the new rows' ids back (on PostgreSQL another writer's rows may interleave: keep ours).
    mine = {member_id for member_id, *_rest in moves}
    ids = {
        int(member_id): int(row_id)
        for row_id, member_id in raw(
            T.select(T.id, T.member).where((T.id > before) & (T.reason == "evaluation") & (T.at == db_at))
        )
        if int(member_id) in mine
    }
    groups: dict[tuple[str | None, date | None], list[int]] = defaultdict(list)
    for member_id, _old, new, until, _spend in moves:
        groups[(new, until)].append(member_id)
    for (new, until), members in groups.items():
        _update_members({"tier_code": new, "tier_until": until}, members)
    when = from_db(db_at)
    changes = [
        TierChangeInfo(
            ids[member_id], member_id, old, new, "evaluation", when, until, _direction(program, old, new), got
        )
        for member_id, old, new, until, got in moves
    ]
    for start in range(0, len(changes), JOURNAL_BATCH):
        batch = changes[start : start + JOURNAL_BATCH]
        journal.append(
            "tier_evaluation",
            {
                "as_of": as_of.isoformat(),
                "changes": [
                    [
                        c.id,
                        c.member_id,
                        c.from_code,
                        c.to_code,
                        c.valid_until.isoformat() if c.valid_until else None,
                        f"{c.spend:.2f}",
                    ]
                    for c in batch
                ],
            },
            terminal=terminal,
            now=now,
            ref=f"{batch[0].id}-{batch[-1].id}",
        )
    return changes


def _drop_tiers(program: Program, *, now: datetime, as_of: date, tz: str, terminal: str) -> TierEvaluation:
    """A program without tiers: members whose term has ended lose their tier."""
    M = m.Member
    at = _change_at(now, as_of, tz)
    changes: list[TierChangeInfo] = []
    with write_tx():
        rows = list(
            store.rows(
                M.select(M.id, M.tier_code, M.tier_until).where(
                    M.tier_code.is_null(False) & (M.tier_until.is_null() | (M.tier_until < as_of))
                )
            )
        )
        for member_id, code, _until in rows:
            changes.append(
                _write_change(program, member_id, code, None, None, reason="evaluation", at=at, terminal=terminal)
            )
    return TierEvaluation(as_of, len(rows), tuple(changes), 0)


def set_member_tier(
    member_id: int,
    code: str | None,
    *,
    until: date | None,
    reason: str,
    actor: Actor | None,
    now: datetime,
    sale_id: int | None = None,
    program: Program | None = None,
    override: Override | None = None,
    terminal: str = JOB_TERMINAL,
    tz: str = SHOP_TZ,
) -> TierChangeInfo | None:
    """Put a member in tier ``code`` (None: no tier) through shop day ``until``.

    ``reason='paid'``: a membership product was sold (``until`` required; no permission, the
    sale was authorised). A member already in a higher tier keeps it, its term lengthened to
    ``until`` at least; the same tier's term is lengthened; otherwise the tier is set.
    ``reason='manual'``: a manager's decision (permission ``points_adjust`` or an override);
    ``until`` None means the next evaluation decides. ``program`` (default: the active one)
    must know ``code``. Returns the change written, or None when the tier stays (a term
    lengthened is journalled all the same)."""
    if reason not in ("paid", "manual"):
        raise ValidationError(
            _("A tier is set by hand ('manual') or by a paid membership ('paid'), not {reason}").format(reason=reason)
        )
    used: Override | None = None
    if reason == "manual":
        if actor is None:
            raise ValidationError(_("Say who sets the tier"))
        used = require(actor, "points_adjust", override)
    elif until is None:
        raise ValidationError(_("A paid membership needs the last day of its term"))
    program = program if program is not None else _active_program()
    if code is not None and program.tier(code) is None:
        known = ", ".join(t.code for t in program.tiers) or _("(none)")
        raise ValidationError(
            _("No tier {code} in the loyalty program; the tiers are {known}").format(code=code, known=known)
        )
    today = shop_day(now, tz)
    if until is not None and until < today:
        raise ValidationError(_("The tier's last day {until} is already past").format(until=until.isoformat()))
    with write_tx():
        current, current_until, gone = _member_state(member_id)
        if gone is not None:
            raise ValidationError(_("Member {id} was anonymised; they cannot be put in a tier").format(id=member_id))
        target, new_until = code, until
        if reason == "paid":
            assert until is not None
            valid = current is not None and current_until is not None and current_until >= today
            if current == code or (valid and rank(program, current) > rank(program, code)):
                target = current
                new_until = max(until, current_until) if current_until is not None else until
        if target == current:
            if new_until != current_until:
                fast.update_where(m.Member, {"tier_until": new_until}, {"id": member_id})
                payload: dict[str, Any] = {
                    "member_id": member_id,
                    "from": current,
                    "to": current,
                    "reason": reason,
                    "valid_until": new_until.isoformat() if new_until else None,
                }
                if sale_id is not None:
                    payload["sale_id"] = sale_id
                if actor is not None:
                    payload["user"] = actor.name
                journal.append("tier_change", payload, terminal=terminal, now=now, ref=str(member_id))
            return None
        return _write_change(
            program,
            member_id,
            current,
            target,
            new_until,
            reason=reason,
            at=now,
            terminal=terminal,
            sale_id=sale_id,
            actor=actor,
            override=used,
        )


@dataclass(frozen=True, slots=True)
class MemberTier:
    """A member's tier and the last shop day of its term (None: no tier / no end)."""

    code: str | None
    until: date | None

    def as_json(self) -> dict[str, Any]:
        return {"code": self.code, "until": self.until.isoformat() if self.until else None}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> MemberTier:
        return cls(data.get("code"), date.fromisoformat(data["until"]) if data.get("until") else None)


def member_tier(member_id: int) -> MemberTier:
    """The member's tier and term now (locked for update inside a transaction)."""
    code, until, _gone = _member_state(member_id)
    return MemberTier(code, until)


def restore_member_tier(
    member_id: int, tier: MemberTier, *, now: datetime, sale_id: int, terminal: str, program: Program | None = None
) -> TierChangeInfo | None:
    """Put a member back in the tier and term they had before a paid membership that was
    returned (``sale_id`` is the return). A changed tier is a ``tier_change`` row with reason
    ``return``; a shortened term alone only updates the term; both are journalled."""
    program = program if program is not None else _active_program()
    with write_tx():
        current, current_until, _gone = _member_state(member_id)
        if current != tier.code:
            return _write_change(
                program, member_id, current, tier.code, tier.until, reason="return", at=now, terminal=terminal,
                sale_id=sale_id,
            )  # fmt: skip
        if current_until != tier.until:
            fast.update_where(m.Member, {"tier_until": tier.until}, {"id": member_id})
            payload = {
                "member_id": member_id,
                "from": current,
                "to": current,
                "reason": "return",
                "valid_until": tier.until.isoformat() if tier.until else None,
                "sale_id": sale_id,
            }
            journal.append("tier_change", payload, terminal=terminal, now=now, ref=str(member_id))
        return None


def tier_changes(member_id: int, *, program: Program | None = None) -> list[TierChangeInfo]:
    """A member's tier history, oldest first."""
    program = program if program is not None else _active_program()
    T = m.TierChange
    rows = store.rows(
        T.select(T.id, T.from_code, T.to_code, T.reason, T.at, T.valid_until)
        .where(T.member == member_id)
        .order_by(T.id)
    )
    return [
        TierChangeInfo(i, member_id, f, t, r, from_db(at), u, _direction(program, f, t)) for i, f, t, r, at, u in rows
    ]


def _active_program() -> Program:
    """The program applied with ``pos-admin loyalty apply`` (the default one before that)."""
    try:
        from pos_tui.core.loyalty import rules
    except ImportError:  # pragma: no cover - the rules module ships with the loyalty issue
        return Program()
    return rules.active_program()


def raw(query: Any) -> Iterator[tuple[Any, ...]]:
    """The rows of a select as the driver returns them, without Peewee's per-value conversion
    (which costs more than the query on 100,000 rows): dates and times may come back as ISO
    text (SQLite) or as objects (PostgreSQL); see :func:`as_date`."""
    return iter(m.database.execute(query))


def as_date(value: Any) -> date | None:
    """A date column's raw value (``None``, ISO text or a ``date``) as a ``date``."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


_rendered: dict[tuple[Any, ...], str] = {}


def _update_members(values: dict[str, Any], ids: list[int]) -> None:
    """``UPDATE member SET values WHERE id IN (ids)`` in chunks; the SQL of each shape is
    rendered by Peewee once and then only re-bound (rendering 500 ids costs more than running
    the statement)."""
    M = m.Member
    db = m.database.obj
    for chunk in _chunks(ids):
        key = (type(db), tuple(values), len(chunk))
        params = [*values.values(), *chunk]
        sql = _rendered.get(key)
        if sql is None:
            sql, rendered = db.get_sql_context().sql(M.update(**values).where(M.id.in_(chunk))).query()
            if list(rendered) != params:  # Peewee converted a value: run what it rendered
                db.execute_sql(sql, rendered)
                continue
            _rendered[key] = sql
        db.execute_sql(sql, params)


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]

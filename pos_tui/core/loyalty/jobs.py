"""The nightly loyalty job (``pos-admin loyalty run --as-of DATE``).

In order, for shop day ``as_of``:

1. **expire**: :func:`~pos_tui.core.loyalty.ledger.expire_due` writes an ``expire`` entry for
   every lot whose last usable day is before ``as_of``;
2. **holds**: counts the lots whose hold ends on ``as_of`` (``available_from == as_of``) and the
   points they still hold. Nothing is written: balances derive pending/available from the
   dates, so the points are usable that morning whether or not the job ran;
3. **tiers**: :func:`~pos_tui.core.loyalty.tiers.evaluate_all`;
4. **messages**: :func:`~pos_tui.core.loyalty.messages.queue_messages` (after the tiers, so
   today's tier changes are announced today).

On a terminal that joined a chain (docs/sync-tiers.md) steps 1 and 2 run on every terminal
(each expires its own lots: the other terminals' lots are theirs), but steps 3 and 4 run only on
the chain's **loyalty terminal** (``[sync] loyalty_jobs = true``): one terminal decides every
member's tier from the chain's spend and announces it, the others take the tier from the centre
with the pull of ``member`` (their report says ``tiers.from_centre``). A database that joined no
centre runs every step, as a single shop always did.

Idempotent: every step either writes nothing twice (expiry, tier terms, message keys) or
writes nothing at all, so running the job again for the same day writes nothing new. Run it
once a day in date order; a missed day is caught up by running it for that day (or simply
for today: expiry, tiers and the birthday catch-up window cover the gap).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from peewee import JOIN, fn

from pos_tui.core import sync
from pos_tui.core.kernel.clock import SHOP_TZ, zone
from pos_tui.core.loyalty import ledger
from pos_tui.core.loyalty.messages import KINDS, queue_messages
from pos_tui.core.loyalty.program import Program
from pos_tui.core.loyalty.tiers import JOB_TERMINAL, evaluate_all
from pos_tui.settings import SyncSettings
from pos_tui.store import models as m


@dataclass(frozen=True, slots=True)
class RunReport:
    """What one run did. ``holds_released_*`` are read, not written (see the module doc)."""

    as_of: date
    expired_entries: int
    holds_released_lots: int
    holds_released_points: int
    members_evaluated: int
    tier_upgrades: int
    tier_downgrades: int
    tier_terms_extended: int
    messages_queued: dict[str, int]
    tiers_from_centre: bool = False  # a joined terminal that is not the loyalty terminal: tiers, messages skipped

    def as_json(self) -> dict[str, Any]:
        tiers: dict[str, Any] = {
            "members": self.members_evaluated,
            "upgrades": self.tier_upgrades,
            "downgrades": self.tier_downgrades,
            "terms_extended": self.tier_terms_extended,
        }
        if self.tiers_from_centre:
            tiers["from_centre"] = True
        return {
            "as_of": self.as_of.isoformat(),
            "expired_entries": self.expired_entries,
            "holds_released": {"lots": self.holds_released_lots, "points": self.holds_released_points},
            "tiers": tiers,
            "messages_queued": dict(self.messages_queued),
            "messages_queued_total": sum(self.messages_queued.values()),
        }


def _day_start(day: date, tz: str) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone(tz)).astimezone(UTC).replace(tzinfo=None)


def holds_released(as_of: date, *, tz: str = SHOP_TZ) -> tuple[int, int]:
    """``(lots, points)``: lots whose hold ends on ``as_of`` and what they still hold at the end
    of that day (one grouped query)."""
    cutoff = _day_start(as_of + timedelta(days=1), tz)
    lot = m.PointsEntry.alias("lot")
    used = m.PointsEntry.alias("used")
    left = lot.points + fn.COALESCE(fn.SUM(used.points), 0)
    per_lot = (
        lot.select(left.alias("left"))
        .join(used, JOIN.LEFT_OUTER, on=((used.lot == lot.id) & (used.at < cutoff)))
        .where(lot.lot.is_null() & (lot.available_from == as_of) & (lot.at < cutoff))
        .group_by(lot.id, lot.points)
        .having(left > 0)
        .alias("per_lot")
    )
    lots, points = next(
        iter(m.database.execute(m.PointsEntry.select(fn.COUNT(per_lot.c.left), fn.SUM(per_lot.c.left)).from_(per_lot)))
    )
    return int(lots or 0), int(points or 0)


def decides_tiers(settings: SyncSettings | None) -> bool:
    """Does this database's ``loyalty run`` decide the tiers and queue the messages? Always on a
    database that joined no centre; on a terminal of a chain only on the loyalty terminal
    (``[sync] loyalty_jobs = true``)."""
    return not sync.joined() or (settings is not None and settings.loyalty_jobs)


def run(
    *,
    as_of: date,
    now: datetime,
    program: Program,
    tz: str = SHOP_TZ,
    terminal: str = JOB_TERMINAL,
    sync_settings: SyncSettings | None = None,
) -> RunReport:
    """Run the job for shop day ``as_of`` (``now``: when, for the rows it writes).
    ``sync_settings``: the ``[sync]`` settings (:func:`decides_tiers`)."""
    expired = ledger.expire_due(as_of=as_of, tz=tz)
    lots, points = holds_released(as_of, tz=tz)
    if not decides_tiers(sync_settings):
        return RunReport(as_of, expired, lots, points, 0, 0, 0, 0, dict.fromkeys(KINDS, 0), tiers_from_centre=True)
    tiers = evaluate_all(program, now=now, tz=tz, as_of=as_of, terminal=terminal)
    queued = queue_messages(program, as_of=as_of, now=now, tz=tz)
    return RunReport(
        as_of=as_of,
        expired_entries=expired,
        holds_released_lots=lots,
        holds_released_points=points,
        members_evaluated=tiers.members,
        tier_upgrades=tiers.upgrades,
        tier_downgrades=tiers.downgrades,
        tier_terms_extended=tiers.renewed,
        messages_queued=queued.queued,
    )

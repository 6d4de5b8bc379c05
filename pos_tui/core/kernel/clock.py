"""Time at the edges: services receive ``now`` as an aware datetime; the store keeps naive UTC.

Nothing in ``core`` reads the clock except :func:`utcnow`, which only the UI and CLI call to
produce the ``now`` they pass down.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from pos_tui.settings import ShopSettings


def utcnow() -> datetime:
    return datetime.now(UTC)


@lru_cache(maxsize=8)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def to_db(dt: datetime) -> datetime:
    """Aware datetime → naive UTC for storage. Naive input is refused: it hides a bug."""
    if dt.tzinfo is None:
        raise ValueError("naive datetime passed to the store; services need aware datetimes")
    return dt.astimezone(UTC).replace(tzinfo=None)


def from_db(dt: datetime) -> datetime:
    """Naive UTC from storage → aware UTC."""
    return dt.replace(tzinfo=UTC)


def local(dt: datetime, tz: str) -> datetime:
    return dt.astimezone(zone(tz))


def day_bounds(day: date, tz: str) -> tuple[datetime, datetime]:
    """The aware UTC [start, end) of a local calendar day in ``tz``."""
    start = datetime.combine(day, time.min, tzinfo=zone(tz))
    return start.astimezone(UTC), (start + timedelta(days=1)).astimezone(UTC)


def iso(dt: datetime, tz: str) -> str:
    """ISO-8601 with the shop's offset, seconds precision: ``2026-11-01T10:15:00+03:00``; the
    form of every time in JSON (docs/architecture.md, "Times in JSON"). ``dt`` is aware: a
    stored naive UTC time goes through :func:`from_db` first. A naive one is refused, as
    ``astimezone`` would read it in the machine's own zone (right only where that is UTC)."""
    if dt.tzinfo is None:
        raise ValueError("naive datetime passed to iso(); give an aware one (from_db for a stored time)")
    return local(dt, tz).isoformat(timespec="seconds")


# The shipped default zone (``[shop] timezone``'s default), for callers without settings. It is
# only a default: the till and pos-admin pass the configured ``settings.shop.timezone`` as ``tz``.
SHOP_TZ = ShopSettings().timezone


def shop_day(now: datetime, tz: str = SHOP_TZ) -> date:
    """The shop-local calendar day of an aware ``now``."""
    if now.tzinfo is None:
        raise ValueError("naive datetime passed as now; services need aware datetimes")
    return local(now, tz).date()

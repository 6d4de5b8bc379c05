"""Where this terminal's sync stands, read from its own database only (no network), and what closing
a shift or taking a Z says while documents wait (docs/sync.md, "Operating it").

:func:`status` is what the till's status line and ``pos-admin sync status`` show; the status line
asks for it every few seconds, so it is two indexed reads: the ``sync_*`` keys of ``meta_entry``
(a key range of its primary key) and the outbox's last number with the time of the first record
after the acknowledged one (primary-key lookups). The outbox numbers are gapless (the counter is
taken in the posting transaction), so what waits is ``last_seq - high_water``: no count over the
records, however many a week offline left.

The service (:mod:`pos_tui.core.sync.service`) records how the last contact with the centre went
(``sync_online``, ``sync_last_error``, ``sync_last_push``, ``sync_last_pull``); the push moves
``sync_high_water``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from peewee import fn

from pos_tui.core.kernel.clock import from_db
from pos_tui.core.kernel.errors import StateError
from pos_tui.core.kernel.formatting import format_decimal
from pos_tui.core.sync import identity
from pos_tui.core.sync.model import SyncStatus
from pos_tui.i18n import _, ngettext
from pos_tui.settings import SyncSettings
from pos_tui.store import fast
from pos_tui.store import models as m

BLOCK, WARN = "block", "warn"


class DocumentsWaiting(StateError):
    """Documents have not reached the centre and ``[sync] waiting_on_close = "block"`` forbids closing
    the shift or taking a Z until they have. ``message`` speaks to whoever runs ``pos-admin`` (the
    command to send them, the setting); ``till_message`` to the cashier (try again, tell the manager)."""

    def __init__(self, message: str, till_message: str) -> None:
        super().__init__(message)
        self.till_message = till_message


def _when(value: object) -> datetime | None:
    """A stored time (a naive UTC ``datetime``, or its text as raw SQL returns it) as aware UTC."""
    if value is None or value == "":
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return from_db(moment) if moment.tzinfo is None else moment


def _meta() -> dict[str, str]:
    """Every ``sync_*`` key of ``meta_entry``, by a range of its primary key ("`" follows "_")."""

    def build(first: str, after: str) -> object:
        key = m.MetaEntry.key
        return m.MetaEntry.select(key, m.MetaEntry.value).where((key >= first) & (key < after))

    found = fast.select_rendered("sync_meta", build, identity.PREFIX, identity.PREFIX[:-1] + "`")
    return {str(key).removeprefix(identity.PREFIX): str(value) for key, value in found}


def _outbox(high_water: int) -> tuple[int, datetime | None]:
    """The last outbox number and the time of the oldest record after ``high_water`` (None: none)."""

    def build(after: int) -> object:
        oldest = (
            m.SyncOutbox.select(m.SyncOutbox.at).where(m.SyncOutbox.seq > after).order_by(m.SyncOutbox.seq).limit(1)
        )
        # ``oldest`` as a scalar subquery beside MAX: one statement, two primary-key lookups
        return m.SyncOutbox.select(fn.MAX(m.SyncOutbox.seq), oldest)

    found = fast.select_rendered("sync_outbox_state", build, high_water)
    if not found:
        return 0, None
    last, oldest = found[0]
    return int(last or 0), _when(oldest)


def _int(values: dict[str, str], name: str) -> int:
    try:
        return int(values.get(name) or 0)
    except ValueError:
        return 0


def status(now: datetime) -> SyncStatus:
    """Where sync stands on this database: its identity (``joined`` False when ``sync init`` never
    ran), the documents waiting and the oldest one's time, the last push and pull, whether the last
    contact reached the centre (``online`` None: never tried) and the last error. Local reads only."""
    values = _meta()
    joined = bool(values.get("terminal") and values.get("central"))
    high_water = _int(values, "high_water")
    last_seq, oldest_at = _outbox(high_water)
    online_text = values.get("online")
    return SyncStatus(
        joined=joined,
        terminal=values.get("terminal") or None,
        store=(values.get("store") or "S1") if joined else values.get("store") or None,
        central=identity.masked(values["central"]) if values.get("central") else None,
        online=None if online_text in (None, "") else online_text == "1",
        waiting=max(last_seq - high_water, 0),
        oldest_at=oldest_at,
        high_water=high_water,
        last_seq=last_seq,
        last_push_at=_when(values.get("last_push")),
        last_pull_at=_when(values.get("last_pull")),
        last_error=values.get("last_error") or None,
    )


def age_text(age: timedelta) -> str:
    """``8 min``, ``3 h``, ``2 days``: how long a document has waited, as the till's lines say it."""
    minutes = max(int(age.total_seconds() // 60), 0)
    if minutes < 120:
        return _("{minutes} min").format(minutes=minutes)
    if minutes < 48 * 60:
        return _("{hours} h").format(hours=minutes // 60)
    return _("{days} days").format(days=minutes // (24 * 60))


@dataclass(frozen=True, slots=True)
class Waiting:
    """Documents not yet acknowledged by the centre when a shift is closed or a Z taken: ``count`` of
    them, the oldest since ``oldest_at``; ``blocked`` when the settings forbid closing meanwhile."""

    count: int
    oldest_at: datetime | None
    blocked: bool

    def age(self, now: datetime) -> timedelta:
        return timedelta(0) if self.oldest_at is None else max(now - self.oldest_at, timedelta(0))

    def describe(self, now: datetime) -> str:
        """``12 documents have not reached the centre yet (the oldest for 8 min)``."""
        return ngettext(
            "{n} document has not reached the centre yet (waiting for {age})",
            "{n} documents have not reached the centre yet (the oldest for {age})",
            self.count,
        ).format(n=format_decimal(self.count), age=age_text(self.age(now)))

    def refusal(self, now: datetime) -> str:
        """Why closing is refused, and what to do."""
        return _(
            "{waiting}. Closing waits until they are sent: connect to the centre or run 'pos-admin sync push' "
            '(or set waiting_on_close = "warn" in [sync])'
        ).format(waiting=self.describe(now))

    def till_refusal(self, now: datetime) -> str:
        """Why closing is refused, in the cashier's words: no command, no setting, short enough
        for two lines of the till's message line at 80 columns."""
        return ngettext(
            "{n} document is waiting to be sent to the centre ({age}). "
            "Try again once the connection is back, or tell your manager.",
            "{n} documents are waiting to be sent to the centre ({age}). "
            "Try again once the connection is back, or tell your manager.",
            self.count,
        ).format(n=format_decimal(self.count), age=age_text(self.age(now)))


def waiting_on_close(now: datetime, settings: SyncSettings) -> Waiting | None:
    """What waits for the centre as a shift is closed or a Z taken; None when this database joined no
    centre or nothing waits. ``blocked`` follows ``settings.waiting_on_close``."""
    current = status(now)
    if not current.joined or current.waiting <= 0:
        return None
    return Waiting(current.waiting, current.oldest_at, settings.waiting_on_close == BLOCK)


def check_close(now: datetime, settings: SyncSettings) -> Waiting | None:
    """The check closing a shift and taking a Z make: raises :class:`DocumentsWaiting` when documents
    wait and the settings block; otherwise returns what waits (None: nothing), for a warning."""
    waiting = waiting_on_close(now, settings)
    if waiting is not None and waiting.blocked:
        raise DocumentsWaiting(waiting.refusal(now), waiting.till_refusal(now))
    return waiting

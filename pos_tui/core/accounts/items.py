"""Open items: which of a party's entries are still unpaid (or unused), derived from the entries.

Nothing about matching is stored beyond what an entry says itself, so the open items can never
disagree with the ledger: they are recomputed from the entries each time, by one rule.

1. A cancelled entry and its ``cancel`` entry leave the items together (a cancelled collection
   no longer settles anything).
2. An entry with ``applies_to`` settles that item first (a collection for one invoice), as far
   as both are open and their signs are opposite.
3. Everything else settles **oldest first**: the items owed to the shop (positive) and those in
   the party's favour (negative: collections, advances, returns, goods receipts) are each taken
   in order of due date, then date, then entry number, and matched greedily. An unmatched
   collection is an advance and settles the next sale as soon as it is posted.

After the matching only one side is left open, so the open amounts add up to the balance
(a property test checks it), and no open amount is larger than its entry or of the other sign.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from pos_tui.core.accounts.ledger import Entry, entries
from pos_tui.core.kernel.clock import SHOP_TZ, day_bounds, shop_day


@dataclass(frozen=True, slots=True)
class OpenItem:
    """An entry with something still open. ``amount`` and ``open`` are signed kuruş (``open``
    has the sign of ``amount`` and is never larger)."""

    entry_id: int
    number: int
    kind: str
    document: str | None
    day: date
    due: date
    amount: int
    open: int
    installment: int | None = None

    def days_overdue(self, as_of: date) -> int:
        """Days past the due date on ``as_of`` (0 when not yet due or due that day)."""
        return max(0, (as_of - self.due).days)


def match(items: Sequence[Entry], tz: str = SHOP_TZ) -> list[OpenItem]:
    """The open items of ``items`` (one party's entries) by the rule of the module."""
    cancelled = {e.cancels for e in items if e.cancels is not None}
    live = [e for e in items if e.cancels is None and e.id not in cancelled]
    rest = {e.id: e.amount for e in live}
    for e in live:  # 2. explicit matches, in the order the entries count
        target = e.applies_to
        if target is None or target not in rest:
            continue
        a, b = rest[e.id], rest[target]
        if a == 0 or b == 0 or (a > 0) == (b > 0):
            continue
        take = min(abs(a), abs(b))
        rest[e.id] = a - take if a > 0 else a + take
        rest[target] = b - take if b > 0 else b + take

    def order(e: Entry) -> tuple[date, datetime, int]:
        return (e.due, e.at, e.number)

    owed = sorted((e for e in live if rest[e.id] > 0), key=order)
    paid = sorted((e for e in live if rest[e.id] < 0), key=order)
    i = j = 0
    while i < len(owed) and j < len(paid):  # 3. oldest first
        a, b = owed[i].id, paid[j].id
        take = min(rest[a], -rest[b])
        rest[a] -= take
        rest[b] += take
        if rest[a] == 0:
            i += 1
        if rest[b] == 0:
            j += 1
    return [
        OpenItem(
            e.id,
            e.number,
            e.kind,
            e.document,
            shop_day(e.at, tz),
            e.due,
            e.amount,
            rest[e.id],
            e.installment,
        )
        for e in sorted(live, key=order)
        if rest[e.id] != 0
    ]


def end_of_day(day: date, tz: str = SHOP_TZ) -> datetime:
    """The first instant after shop day ``day`` (entries dated before it count on that day)."""
    return day_bounds(day + timedelta(days=1), tz)[0]


def open_items(party_id: int, *, as_of: date | None = None, tz: str = SHOP_TZ) -> list[OpenItem]:
    """The party's open items counting the entries dated up to the end of shop day ``as_of``
    (default: all), oldest due first."""
    until = None if as_of is None else end_of_day(as_of, tz)
    return match(entries(party_id, until=until), tz)


def overdue_kurus(items: Iterable[OpenItem], as_of: date) -> int:
    """What of ``items`` is past its due date on ``as_of`` (signed kuruş)."""
    return sum(i.open for i in items if i.due < as_of)

"""Aging of open items by due date, and the collections forecast.

Both read every party's entries dated up to the end of the day in ONE query ordered by party,
date and number, streamed (never a query per party), and match each party's entries with the
one rule (:func:`pos_tui.core.accounts.items.match`): cancelled pairs leave, explicit matches
first, then oldest first.

Aging: days overdue = ``as_of − due``; ``≤ 0`` is not yet due; ``1 … b1`` is the first bucket
(``"0-30"`` with the default buckets ``(30, 60, 90)``), ``b1+1 … b2`` the next (``"31-60"``), …,
above the last bound ``"90+"``. For every party ``not_due + Σ buckets == total == balance`` at
the end of ``as_of``, exactly (the open items of a party add up to its balance). Amounts are
signed: receivables (> 0) and payables (< 0, what the shop owes a supplier) age the same way.
Parties whose balance is 0 and that have no open item are left out.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from pos_tui.core.accounts.items import OpenItem, end_of_day, match
from pos_tui.core.accounts.ledger import Entry, entry_select, read_entries
from pos_tui.core.accounts.parties import BOTH, CUSTOMER, SUPPLIER
from pos_tui.core.kernel.clock import SHOP_TZ, to_db
from pos_tui.core.kernel.errors import ValidationError
from pos_tui.core.kernel.money import from_kurus
from pos_tui.i18n import _
from pos_tui.store import models as m
from pos_tui.store import reading as store

DEFAULT_BUCKETS = (30, 60, 90)


def bucket_labels(buckets: Sequence[int]) -> list[str]:
    """``(30, 60, 90)`` → ``["0-30", "31-60", "61-90", "90+"]``."""
    labels, low = [], 0
    for bound in buckets:
        labels.append(f"{low}-{bound}")
        low = bound + 1
    labels.append(f"{buckets[-1]}+")
    return labels


def check_buckets(buckets: Sequence[int]) -> tuple[int, ...]:
    found = tuple(buckets)
    if not found or any(b < 1 for b in found) or any(b >= c for b, c in itertools.pairwise(found)):
        raise ValidationError(_("Aging buckets are increasing whole numbers of days above 0, such as 30,60,90"))
    if len(found) > 12:
        raise ValidationError(_("At most 12 aging buckets"))
    return found


def parse_buckets(text: str) -> tuple[int, ...]:
    parts = [p.strip() for p in text.split(",")]
    if not all(p.isascii() and p.isdigit() for p in parts):
        raise ValidationError(_("{text!r} is not a list of days such as 30,60,90").format(text=text[:40]))
    return check_buckets([int(p) for p in parts])


def bucket_of(days_overdue: int, buckets: Sequence[int]) -> int | None:
    """The index of the bucket of ``days_overdue``; ``None`` when not yet due (≤ 0)."""
    if days_overdue <= 0:
        return None
    for index, bound in enumerate(buckets):
        if days_overdue <= bound:
            return index
    return len(buckets)


def _kinds(kind: str | None) -> list[str] | None:
    if kind is None:
        return None
    if kind == CUSTOMER:
        return [CUSTOMER, BOTH]
    if kind == SUPPLIER:
        return [SUPPLIER, BOTH]
    raise ValidationError(_("Unknown account kind {kind!r}; use customer or supplier").format(kind=kind))


def party_entries(as_of: date, *, kind: str | None = None, tz: str = SHOP_TZ) -> Iterator[tuple[int, list[Entry]]]:
    """``(party_id, entries)`` for every party with entries dated up to the end of ``as_of``: one
    query ordered by party, date and id (the order of the numbers), streamed."""
    E, P = m.AccountEntry, m.Party
    query = entry_select().where(E.at < to_db(end_of_day(as_of, tz)))
    kinds = _kinds(kind)
    if kinds is not None:
        query = query.join(P, on=(E.party == P.id)).where(P.kind.in_(kinds))
    # id, not number, breaks ties: it is the (party, at) index's own last column, so the rows come
    # in index order without a sort of the whole table; both grow together (post_entries)
    query = query.order_by(E.party, E.at, E.id)
    current: int | None = None
    batch: list[Entry] = []
    for entry in read_entries(query):
        if entry.party_id != current:
            if current is not None:
                yield current, batch
            current, batch = entry.party_id, []
        batch.append(entry)
    if current is not None:
        yield current, batch


def _codes(ids: set[int]) -> dict[int, tuple[str, str, str]]:
    P = m.Party
    found: dict[int, tuple[str, str, str]] = {}
    wanted = sorted(ids)
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        for pid, code, name, kind in store.rows(P.select(P.id, P.code, P.name, P.kind).where(P.id.in_(chunk))):
            found[int(pid)] = (code, name, kind)
    return found


@dataclass(frozen=True, slots=True)
class AgingRow:
    """One party's aging in kuruş (signed); ``buckets`` in the order of :attr:`Aging.labels`."""

    party_id: int
    code: str
    name: str
    kind: str
    not_due: int
    buckets: tuple[int, ...]
    total: int
    balance: int


@dataclass(frozen=True, slots=True)
class Aging:
    as_of: date
    kind: str | None
    labels: list[str]
    parties: list[AgingRow]
    not_due: int = 0
    buckets: tuple[int, ...] = field(default=())
    total: int = 0

    def as_json(self) -> dict[str, Any]:
        money = lambda k: f"{from_kurus(k):.2f}"  # noqa: E731
        return {
            "as_of": self.as_of.isoformat(),
            "kind": self.kind,
            "buckets_days": [label for label in self.labels],
            "parties": [
                {
                    "code": r.code,
                    "name": r.name,
                    "kind": r.kind,
                    "not_due": money(r.not_due),
                    "buckets": {label: money(v) for label, v in zip(self.labels, r.buckets, strict=True)},
                    "total": money(r.total),
                }
                for r in self.parties
            ],
            "totals": {
                "not_due": money(self.not_due),
                "buckets": {label: money(v) for label, v in zip(self.labels, self.buckets, strict=True)},
                "total": money(self.total),
            },
        }


def age_items(items: Sequence[OpenItem], as_of: date, buckets: Sequence[int]) -> tuple[int, list[int]]:
    """``(not_due, per bucket)`` of ``items`` on ``as_of`` (signed kuruş)."""
    not_due, per = 0, [0] * (len(buckets) + 1)
    for item in items:
        index = bucket_of((as_of - item.due).days, buckets)
        if index is None:
            not_due += item.open
        else:
            per[index] += item.open
    return not_due, per


def aging(
    as_of: date, *, kind: str | None = None, buckets: Sequence[int] = DEFAULT_BUCKETS, tz: str = SHOP_TZ
) -> Aging:
    """The aging of every party's open items at the end of shop day ``as_of`` (see the module)."""
    bounds = check_buckets(buckets)
    labels = bucket_labels(bounds)
    found: list[tuple[int, int, list[int], int, int]] = []
    for party_id, batch in party_entries(as_of, kind=kind, tz=tz):
        items = match(batch, tz)
        balance = sum(e.amount for e in batch)
        if not items and balance == 0:
            continue
        not_due, per = age_items(items, as_of, bounds)
        found.append((party_id, not_due, per, sum(i.open for i in items), balance))
    names = _codes({row[0] for row in found})
    rows = [
        AgingRow(pid, *names[pid], not_due, tuple(per), total, balance) for pid, not_due, per, total, balance in found
    ]
    rows.sort(key=lambda r: r.code)
    totals = [sum(r.buckets[i] for r in rows) for i in range(len(labels))]
    return Aging(
        as_of,
        kind,
        labels,
        rows,
        sum(r.not_due for r in rows),
        tuple(totals),
        sum(r.total for r in rows),
    )


# -- the collections forecast -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ForecastGroup:
    """What falls due from ``start`` to ``end`` (both included); ``overdue``: the group of items
    already past due on the first day of the forecast."""

    start: date | None
    end: date | None
    amount: int
    items: int
    overdue: bool = False


@dataclass(frozen=True, slots=True)
class Forecast:
    start: date
    end: date
    by: str
    groups: list[ForecastGroup]
    total: int


def forecast(
    start: date, end: date, *, kind: str = CUSTOMER, by: str = "day", tz: str = SHOP_TZ, as_of: date | None = None
) -> Forecast:
    """The open items of ``kind`` parties by the day (``by="day"``) or week (``"week"``, Monday
    first) they fall due from ``start`` to ``end``, items already overdue on ``start`` first in
    one group. Customers: what they owe (open items > 0); suppliers: what the shop owes them
    (open items < 0, shown positive). The items are those open at the end of ``as_of`` (default
    ``start``: what is known on the first day); advances and credits in the other direction
    are left out (they are not collections)."""
    if by not in ("day", "week"):
        raise ValidationError(_("Group the forecast by day or week, not {by!r}").format(by=by))
    if end < start:
        raise ValidationError(_("The forecast's last day is before its first day"))
    sign = 1 if kind == CUSTOMER else -1
    known = as_of or start
    overdue_amount = overdue_count = 0
    groups: dict[date, list[int]] = {}
    for _party, batch in party_entries(known, kind=kind, tz=tz):
        for item in match(batch, tz):
            amount = item.open * sign
            if amount <= 0:
                continue
            if item.due < start:
                overdue_amount += amount
                overdue_count += 1
                continue
            if item.due > end:
                continue
            key = item.due if by == "day" else item.due - timedelta(days=item.due.weekday())
            slot = groups.setdefault(key, [0, 0])
            slot[0] += amount
            slot[1] += 1
    out: list[ForecastGroup] = []
    if overdue_count:
        out.append(ForecastGroup(None, start - timedelta(days=1), overdue_amount, overdue_count, True))
    for key in sorted(groups):
        last = key if by == "day" else key + timedelta(days=6)
        out.append(ForecastGroup(max(key, start), min(last, end), groups[key][0], groups[key][1]))
    return Forecast(start, end, by, out, sum(g.amount for g in out))


def forecast_json(f: Forecast) -> dict[str, Any]:
    return {
        "from": f.start.isoformat(),
        "to": f.end.isoformat(),
        "by": f.by,
        "groups": [
            {
                "overdue": g.overdue,
                "from": None if g.start is None else g.start.isoformat(),
                "to": None if g.end is None else g.end.isoformat(),
                "amount": f"{from_kurus(g.amount):.2f}",
                "items": g.items,
            }
            for g in f.groups
        ],
        "total": f"{from_kurus(f.total):.2f}",
    }


def money_of(kurus: int) -> Decimal:
    return from_kurus(kurus)

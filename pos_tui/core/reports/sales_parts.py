"""What the sales reports share: the one meaning of their figures and the queries that give them.

Every sales report counts the same documents (:func:`~pos_tui.core.reports.common.sale_where`:
the sales and returns posted in the period, on the query's terminal and store) with the same
definitions (docs/reports.md, "Sales reports"):

- ``receipts``: sale documents; ``returns``: return documents (a return is not a receipt);
- ``net``: what the sales charged minus what the returns refunded (``sale.total``), so every
  report's net of the same documents is the same figure, the Z's ``net``;
- ``discount``: the discounts of the sales minus those the returns gave back (``sale.discount``:
  line, receipt and loyalty discounts), ``gross = net + discount`` (before discounts);
- ``average basket``: what the *sale* receipts charged (their totals, before any return) divided
  by their number, rounded half up to the kuruş once; no receipts: none. A return is not a
  basket, so returns change net sales but not the average basket;
- ``lines per basket``: the sale receipts' lines divided by their number, ``items per basket``:
  their items (a piece line counts its quantity, a kg, litre or metre line counts 1) divided by
  their number; both to two places, rounded half up.

The grouping by anything that does not depend on the local time (cashier, terminal, method,
product) happens in SQL. By local hour it happens in two steps (:func:`by_local_hour`): SQL groups
by UTC hour, Python turns each UTC hour into the shop's local hour (the local time depends on the
zone's history, not on the UTC time the store keeps), and adds up. By shop day, a query per day
between the day's UTC bounds (:func:`by_shop_day`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from peewee import SQL, Case, fn

from pos_tui import store
from pos_tui.core.kernel.clock import from_db, zone
from pos_tui.core.kernel.money import CENT, from_kurus, qty_to_decimal
from pos_tui.core.reports.common import ReportQuery, sale_where
from pos_tui.core.reports.model import Cell, Chart, Column, Figure, Report, sum_totals
from pos_tui.core.reports.registry import new_report
from pos_tui.core.reports.shares import largest_remainder
from pos_tui.core.reports.slicing import slice_cursors
from pos_tui.i18n import _
from pos_tui.store import models as m

WEIGHED_UNITS: tuple[str, ...] = ("kg", "lt", "m")
"""Units whose line counts as one item (a piece line counts its quantity)."""

RATIO = Decimal("0.01")


def signed(value: Any) -> Case:
    """``value`` on a sale, ``-value`` on a return (portable CASE over :class:`m.Sale`'s kind)."""
    return Case(None, [(m.Sale.kind == "return", value * -1)], value)


def sales_only(value: Any) -> Case:
    """``value`` on a sale, NULL on a return (``COUNT``/``SUM`` of it count the sales only)."""
    return Case(None, [(m.Sale.kind == "sale", value)], None)


def items_of_line() -> Case:
    """A line's items in milli-units: its quantity for pieces, 1000 (one item) for a weighed unit."""
    L = m.SaleLine
    return Case(None, [(L.unit.in_(WEIGHED_UNITS), 1000)], L.qty)


def average_basket(sold: int, receipts: int) -> Decimal | None:
    """The average basket of ``receipts`` sale receipts that charged ``sold`` kuruş: rounded half up
    to the kuruş; ``None`` without receipts."""
    if not receipts:
        return None
    return (from_kurus(sold) / receipts).quantize(CENT, rounding=ROUND_HALF_UP)


def per_receipt(amount: int | Decimal, receipts: int) -> Decimal | None:
    """``amount`` (lines, items) per receipt, to two places half up; ``None`` without receipts."""
    if not receipts:
        return None
    return (Decimal(amount) / receipts).quantize(RATIO, rounding=ROUND_HALF_UP)


def change_pct(this: Decimal | int | None, other: Decimal | int | None) -> Decimal | None:
    """``this`` against ``other`` in percent (12.5 is 12,5 %) to one place half up; ``None`` when
    ``other`` is zero or either is missing (no meaningful percentage)."""
    if this is None or other is None or other == 0:
        return None
    return ((Decimal(this) - Decimal(other)) * 100 / abs(Decimal(other))).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


@dataclass(slots=True)
class Tally:
    """The documents of one group, in kuruş: sale receipts and returns apart."""

    sales: int = 0
    returns: int = 0
    sold: int = 0  # the sales' totals (what they charged)
    sold_discount: int = 0
    returned: int = 0  # the returns' totals (what they refunded)
    returned_discount: int = 0

    def add(self, kind: str, count: int, total: int, discount: int) -> None:
        if kind == "return":
            self.returns += count
            self.returned += total
            self.returned_discount += discount
        else:
            self.sales += count
            self.sold += total
            self.sold_discount += discount

    def merge(self, other: Tally) -> None:
        self.sales += other.sales
        self.returns += other.returns
        self.sold += other.sold
        self.sold_discount += other.sold_discount
        self.returned += other.returned
        self.returned_discount += other.returned_discount

    @property
    def net(self) -> int:
        return self.sold - self.returned

    @property
    def discount(self) -> int:
        return self.sold_discount - self.returned_discount

    @property
    def gross(self) -> int:
        return self.net + self.discount

    @property
    def average_basket(self) -> Decimal | None:
        return average_basket(self.sold, self.sales)


def tallies(query: ReportQuery, *keys: Any) -> dict[tuple[Any, ...], Tally]:
    """The query's documents grouped (in SQL) by ``keys``, columns of :class:`m.Sale` (or of a
    table joined with ``join``): one :class:`Tally` per distinct key tuple."""
    S = m.Sale
    select = S.select(*keys, S.kind, fn.COUNT(S.id), fn.SUM(S.total), fn.SUM(S.discount)).where(sale_where(query))
    out: dict[tuple[Any, ...], Tally] = {}
    for *key, kind, count, total, discount in store.rows(select.group_by(*keys, S.kind)):
        out.setdefault(tuple(key), Tally()).add(kind, count, total or 0, discount or 0)
    return out


def total_tally(groups: dict[Any, Tally]) -> Tally:
    total = Tally()
    for t in groups.values():
        total.merge(t)
    return total


def tally_columns() -> tuple[Column, ...]:
    """The columns of :func:`tally_cells`, after a report's own key columns."""
    return (
        Column("receipts", _("Receipts"), "int"),
        Column("returns", _("Returns"), "int"),
        Column("gross", _("Gross"), "money"),
        Column("discount", _("Discount"), "money"),
        Column("net", _("Net"), "money"),
        Column("average_basket", _("Average basket"), "money"),
    )


TALLY_SUMMED = ("receipts", "returns", "gross", "discount", "net")


def tally_cells(t: Tally) -> tuple[Cell, ...]:
    return (
        t.sales,
        t.returns,
        from_kurus(t.gross),
        from_kurus(t.discount),
        from_kurus(t.net),
        t.average_basket,
    )


class LocalHours:
    """The shop's local hour (an aware datetime on the hour) of UTC times read raw from the store:
    SQLite's text (``2026-11-02 06:30:00``, or ``2026-11-02 06`` for a whole hour) or
    PostgreSQL's naive datetime.

    A zone's offset is the same over nearly every UTC hour, so the local hour is worked out once
    per UTC hour. :meth:`whole` says whether a whole UTC hour falls in one local hour (not so in
    a zone with a half-hour offset, or in the hour its offset changes); :meth:`__call__` gives
    any one time's local hour, exactly."""

    def __init__(self, tz: str) -> None:
        self._zone = zone(tz)
        self._hours: dict[object, tuple[datetime, int] | None] = {}

    def whole(self, hour: str | datetime) -> datetime | None:
        """The local hour of the whole UTC ``hour`` (text ``2026-11-02 06`` or a datetime on the
        hour), or ``None`` when its minutes fall in two local hours."""
        hit = self._hour(hour if isinstance(hour, str) else hour.replace(minute=0, second=0, microsecond=0))
        return hit[0] if hit is not None and hit[1] == 60 else None

    def __call__(self, raw: str | datetime) -> datetime:
        """The local hour of the time ``raw``."""
        if isinstance(raw, str):
            key: str | datetime = raw[:13]
            minute = int(raw[14:16]) if len(raw) > 13 else 0
        else:
            key, minute = raw.replace(minute=0, second=0, microsecond=0), raw.minute
        hit = self._hour(key)
        if hit is None:
            when = datetime.fromisoformat(raw) if isinstance(raw, str) else raw
            return from_db(when).astimezone(self._zone).replace(minute=0, second=0, microsecond=0)
        start, turn = hit
        return start if minute < turn else start + HOUR

    def _hour(self, key: str | datetime) -> tuple[datetime, int] | None:
        """(the local hour of the UTC hour's first minute, the minute from which the local hour is
        the next one: 60 when never), or ``None`` when the offset changes within the hour."""
        try:
            return self._hours[key]
        except KeyError:
            pass
        begin = from_db(datetime.fromisoformat(f"{key}:00") if isinstance(key, str) else key)
        first = begin.astimezone(self._zone)
        last = (begin + HOUR - timedelta(microseconds=1)).astimezone(self._zone)
        hit = None
        if first.utcoffset() == last.utcoffset() and not first.second and not first.microsecond:
            hit = first.replace(minute=0), 60 - first.minute if first.minute else 60
        self._hours[key] = hit
        return hit


HOUR = timedelta(hours=1)


def _utc_hour(column: Any) -> Any:
    """``column`` (a UTC time) cut to its hour: text ``YYYY-MM-DD HH`` on SQLite (times are stored
    as ISO text), a timestamp on PostgreSQL (no bound parameter, so GROUP BY matches the select)."""
    if store.is_sqlite():
        return fn.SUBSTR(column, 1, 13)
    return fn.date_trunc(SQL("'hour'"), column)


def by_local_hour(query: ReportQuery, build: Callable[[Any], Any]) -> list[tuple[Any, ...]]:
    """The rows of ``build(key)`` (a select whose first column is ``key``, grouped by it) with
    ``key`` replaced by the shop's local hour: grouped in SQL by UTC hour (a year is some 9,000
    groups, not 300,000 documents) when each of those hours is one local hour, else by the
    documents' own time (a zone with a half-hour offset). Rows are read raw (no ORM conversion)."""
    hour = LocalHours(query.tz)
    rows = list(store.database.execute(build(_utc_hour(m.Sale.at))))
    out = []
    for key, *rest in rows:
        local_hour = hour.whole(key)
        if local_hour is None:
            return [(hour(at), *rest) for at, *rest in store.database.execute(build(m.Sale.at))]
        out.append((local_hour, *rest))
    return out


def hourly_documents(query: ReportQuery) -> list[tuple[datetime, str, int, int, int]]:
    """(local hour, kind, documents, their totals, their discounts) of the query's documents."""
    S = m.Sale

    def build(key: Any) -> Any:
        select = S.select(key, S.kind, fn.COUNT(S.id), fn.SUM(S.total), fn.SUM(S.discount))
        return select.where(sale_where(query)).group_by(key, S.kind)

    return [(h, kind, n, total or 0, discount or 0) for h, kind, n, total, discount in by_local_hour(query, build)]


def by_shop_day(query: ReportQuery, build: Callable[[Any], Any]) -> list[tuple[Any, ...]]:
    """The rows of ``build(where)`` (a select of the documents ``where`` selects) for each shop day
    of the period, each led by its day: a query per day
    (:func:`~pos_tui.core.reports.slicing.slice_cursors` in slices of a day), so that no row needs
    its day or hour worked out and a grouping sorts no more than a day's rows (a year's million
    lines grouped by UTC hour in one query, then each hour's day found: half as long again)."""
    return [(piece.first, *row) for piece, rows in slice_cursors(query, build, 1) for row in rows]


def daily_documents(query: ReportQuery) -> list[tuple[date, str, int, int, int]]:
    """(shop day, kind, documents, their totals, their discounts) of the query's documents."""
    S = m.Sale

    def build(where: Any) -> Any:
        select = S.select(S.kind, fn.COUNT(S.id), fn.SUM(S.total), fn.SUM(S.discount))
        return select.where(where).group_by(S.kind)

    return [(day, kind, n, total or 0, discount or 0) for day, kind, n, total, discount in by_shop_day(query, build)]


def daily_lines(query: ReportQuery) -> list[tuple[date, int, int]]:
    """(shop day, lines, items in milli-units) of the query's *sale* receipts (days with lines)."""
    S, L = m.Sale, m.SaleLine

    def build(where: Any) -> Any:
        return L.select(fn.COUNT(L.id), fn.SUM(items_of_line())).join(S).where(where & (S.kind == "sale"))

    return [(day, n, items or 0) for day, n, items in by_shop_day(query, build) if n]


def daily_kdv(query: ReportQuery) -> list[tuple[date, int]]:
    """(shop day, KDV in kuruş net of returns) of the query's documents (their per-rate KDV)."""
    S, K = m.Sale, m.SaleKdv

    def build(where: Any) -> Any:
        return K.select(fn.SUM(signed(K.kdv))).join(S).where(where)

    return [(day, kdv or 0) for day, kdv in by_shop_day(query, build)]


def users(ids: Sequence[int]) -> dict[int, str]:
    """User id → name, for the ids a report met (one query)."""
    if not ids:
        return {}
    U = m.User
    return dict(store.rows(U.select(U.id, U.name).where(U.id.in_(sorted(set(ids))))))


def tally_report(
    name: str,
    query: ReportQuery,
    key: Column,
    groups: dict[str, Tally],
    *,
    count: tuple[str, str],
    chart_title: str,
) -> Report:
    """A report of one row per group (a cashier's name, a terminal) with the :func:`tally_columns`,
    sorted by net, largest first (then by name); the totals row adds the groups up, with the whole
    period's average basket. ``count`` is the summary's count of groups: its key and label."""
    ordered = sorted(groups.items(), key=lambda kv: (-kv[1].net, kv[0]))
    columns = (key, *tally_columns())
    rows: tuple[tuple[Cell, ...], ...] = tuple((label, *tally_cells(t)) for label, t in ordered)
    whole = total_tally(groups)
    totals = (*sum_totals(columns, rows, summed=TALLY_SUMMED)[:-1], whole.average_basket)
    return new_report(
        name,
        query,
        columns=columns,
        rows=rows,
        totals=totals,
        summary=(
            Figure(count[0], count[1], len(rows), "int"),
            Figure("receipts", _("Receipts"), whole.sales, "int"),
            Figure("net", _("Net sales"), from_kurus(whole.net), "money"),
            Figure("average_basket", _("Average basket"), whole.average_basket, "money"),
        ),
        chart=Chart("bar", key.key, ("net",), chart_title),
    )


def share_pct(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    """``part`` of ``whole`` in percent (12.5 is 12,5 %) to one place half up; ``None`` when
    ``whole`` is zero."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def shares_pct(parts: Sequence[Decimal]) -> list[Decimal | None]:
    """Each part's share of their sum in percent to one place, adding up to exactly 100 (the largest
    remainder, as abc's): 20,00 / 32,50 / 85,00 give 14,6 / 23,6 / 61,8, not 14,5 + 23,6 + 61,8 = 99,9.
    With a negative part (a category with only returns) no split adds up meaningfully: each is
    rounded on its own (:func:`share_pct`); all ``None`` when the sum is zero."""
    whole = sum(parts, Decimal(0))
    if whole <= 0 or any(p < 0 for p in parts):
        return [share_pct(p, whole) for p in parts]
    kurus = [int(p * 100) for p in parts]
    return [Decimal(n).scaleb(-1) for n in largest_remainder(1000, kurus)]


def line_figures() -> tuple[Any, ...]:
    """The grouped figures of sale lines (a select over :class:`m.SaleLine` joined with its sale):
    quantity (milli-units), gross, discount, net and KDV (kuruş), all net of returns, and the sale
    receipts the group was on."""
    S, L = m.Sale, m.SaleLine
    return (
        fn.SUM(signed(L.qty)),
        fn.SUM(signed(L.total + L.discount)),
        fn.SUM(signed(L.discount)),
        fn.SUM(signed(L.total)),
        fn.SUM(signed(L.kdv)),
        fn.COUNT(fn.DISTINCT(sales_only(S.id))),
    )


def line_cells(*sums: int | None) -> tuple[Cell, ...]:
    """:func:`line_figures`' quantity, gross, discount, net and KDV as a report's cells."""
    qty, gross, discount, net, kdv = (v or 0 for v in sums)
    return (qty_to_decimal(qty), from_kurus(gross), from_kurus(discount), from_kurus(net), from_kurus(kdv))

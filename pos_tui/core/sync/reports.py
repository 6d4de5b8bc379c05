"""Reports across terminals and stores, read at the centre from what the terminals sent
(docs/sync-central.md).

Every figure comes from the received documents (``sync_document``: the journal entries each
terminal pushed, whose payloads are the canonical documents the terminal hashed) and the ledger
rows (``sync_ledger``), never from the centre's own sales tables: the centre sells nothing itself.
A sale's figures are its journal payload (``pos_tui.core.till.documents.sale_document``), a Z's
are what the terminal journalled when it took it.

Definitions (the same as the terminal's X, Z and sales reports, ``pos_tui.core.cash.reports``):
``gross`` is what the sales took and ``returns`` what the returns gave back, both positive, so
``net = gross - returns``; ``discount`` is the discounts of the sales less the discounts the
returns gave back; payments per method and KDV per rate are net of returns. The period is
``start <= at < end`` on the time the document was posted (``sync_document.at``).

The queries use PostgreSQL's ``jsonb`` operators on ``body::jsonb``: the centre is PostgreSQL
(:func:`require_central`). Every function takes the central database explicitly.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from peewee import Database, PostgresqlDatabase

from pos_tui.core.kernel.clock import SHOP_TZ, from_db, iso, to_db
from pos_tui.core.kernel.errors import StateError, ValidationError
from pos_tui.core.kernel.money import ZERO, qty_to_decimal
from pos_tui.core.kernel.totals import KdvTotal, SalesFigures
from pos_tui.i18n import _

DOCUMENT_KINDS = ("sale", "return")
TOP_MEMBERS = 10  # members shown by default in the loyalty report's top list


class NotCentral(StateError):
    """The database is a terminal's SQLite file, not the central PostgreSQL."""


def require_central(db: Database) -> None:
    """Refuse anything but a PostgreSQL database: these reports read the centre's received documents."""
    if not isinstance(db, PostgresqlDatabase):
        raise NotCentral(
            _("Central reports need the central database (PostgreSQL): run 'pos-admin --db postgresql://… central …'")
        )


def _period(start: datetime | None, end: datetime | None) -> None:
    if start is not None and end is not None and end <= start:
        raise ValidationError(
            _("The report ends ({to}) before it starts ({start})").format(
                to=end.date().isoformat(), start=start.date().isoformat()
            )
        )


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def _dec(value: Any) -> Decimal:
    """A numeric from PostgreSQL or a JSON string as Decimal (None → 0)."""
    if value is None or value == "":
        return ZERO
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _at(value: datetime | None) -> datetime | None:
    return None if value is None else from_db(value)


# --------------------------------------------------------------------------- totals


def _add_maps(a: dict[Any, Any], b: dict[Any, Any]) -> dict[Any, Any]:
    out = dict(a)
    for key, value in b.items():
        out[key] = out[key] + value if key in out else value
    return dict(sorted(out.items()))


def _earlier(a: datetime | None, b: datetime | None) -> datetime | None:
    return b if a is None else a if b is None else min(a, b)


def _later(a: datetime | None, b: datetime | None) -> datetime | None:
    return b if a is None else a if b is None else max(a, b)


@dataclass(frozen=True, slots=True)
class Totals(SalesFigures):
    """Totals of a set of received sales and returns (the fields of the terminal's
    :class:`~pos_tui.core.cash.reports.DocumentTotals`, plus ``discount``). ``discount`` is None
    where the source does not say (a Z's journal payload carries no discount)."""

    sales_count: int = 0
    returns_count: int = 0
    gross: Decimal = ZERO
    returns: Decimal = ZERO
    discount: Decimal | None = ZERO
    from_at: datetime | None = None
    to_at: datetime | None = None
    sale_payments: dict[str, Decimal] = field(default_factory=dict)
    return_payments: dict[str, Decimal] = field(default_factory=dict)
    by_kdv: dict[int, KdvTotal] = field(default_factory=dict)

    def __add__(self, other: Totals) -> Totals:
        discount = None if self.discount is None or other.discount is None else self.discount + other.discount
        return Totals(
            sales_count=self.sales_count + other.sales_count,
            returns_count=self.returns_count + other.returns_count,
            gross=self.gross + other.gross,
            returns=self.returns + other.returns,
            discount=discount,
            from_at=_earlier(self.from_at, other.from_at),
            to_at=_later(self.to_at, other.to_at),
            sale_payments=_add_maps(self.sale_payments, other.sale_payments),
            return_payments=_add_maps(self.return_payments, other.return_payments),
            by_kdv=_add_maps(self.by_kdv, other.by_kdv),
        )

    def json_fields(self, tz: str) -> dict[str, Any]:
        """The figures in the shape of the terminal's X/Z JSON: amounts as strings, times ISO."""
        return self.figures_json(tz, {"discount": _money(self.discount)})


def _sum(items: Iterable[Totals]) -> Totals:
    total = Totals()
    for item in items:
        total = total + item
    return total


# The sale and return journal entries of the received documents matching a condition on ``d``
# (sync_document); ``{pre}`` may add CTEs the condition uses. The strpos test is a cheap filter
# before the JSON is parsed: a document with a sale entry has the text "sale" or "return" in it.
_ENTRIES = """
WITH {pre} e AS (
  SELECT d.store, d.terminal, d.seq, d.at, j.x->>'kind' AS kind, (j.x->>'payload')::jsonb AS p
  FROM sync_document d
  {join}
  CROSS JOIN LATERAL jsonb_array_elements(d.body::jsonb->'journal') AS j(x)
  WHERE (strpos(d.body, '"sale"') > 0 OR strpos(d.body, '"return"') > 0)
    AND j.x->>'kind' IN ('sale', 'return') AND {where}
)
"""


def _totals(
    db: Database, where: str, params: Sequence[Any], *, pre: str = "", join: str = ""
) -> dict[tuple[str, str], Totals]:
    """Totals per (store, terminal) of the sale and return entries of the documents ``where``."""
    cte = _ENTRIES.format(pre=pre, join=join, where=where)
    heads: dict[tuple[str, str], dict[str, Any]] = defaultdict(dict)
    for store, terminal, kind, count, total, discount, lo, hi in db.execute_sql(
        cte + "SELECT store, terminal, kind, count(*), sum((p->>'total')::numeric), "
        "sum(coalesce((p->>'discount')::numeric, 0)), min(at), max(at) FROM e GROUP BY store, terminal, kind",
        list(params),
    ).fetchall():
        heads[(store, terminal)][kind] = (int(count), _dec(total), _dec(discount), _at(lo), _at(hi))
    payments: dict[tuple[str, str], dict[str, dict[str, Decimal]]] = defaultdict(lambda: {"sale": {}, "return": {}})
    for store, terminal, kind, method, amount in db.execute_sql(
        cte + "SELECT store, terminal, kind, x->>'method', sum((x->>'amount')::numeric) "
        "FROM e CROSS JOIN LATERAL jsonb_array_elements(coalesce(e.p->'payments', '[]'::jsonb)) AS pay(x) "
        "GROUP BY store, terminal, kind, x->>'method'",
        list(params),
    ).fetchall():
        payments[(store, terminal)][kind][str(method)] = _dec(amount)
    kdv: dict[tuple[str, str], dict[int, KdvTotal]] = defaultdict(dict)
    for store, terminal, kind, rate, base, tax in db.execute_sql(
        cte + "SELECT store, terminal, kind, k.key, sum((k.value->>'base')::numeric), sum((k.value->>'kdv')::numeric) "
        "FROM e CROSS JOIN LATERAL jsonb_each(coalesce(e.p->'kdv', '{}'::jsonb)) AS k "
        "GROUP BY store, terminal, kind, k.key",
        list(params),
    ).fetchall():
        sign = -1 if kind == "return" else 1
        amount = KdvTotal(sign * _dec(base), sign * _dec(tax))
        rates = kdv[(store, terminal)]
        rates[int(rate)] = rates.get(int(rate), KdvTotal()) + amount
    out: dict[tuple[str, str], Totals] = {}
    for key in sorted(set(heads) | set(payments) | set(kdv)):
        sold = heads[key].get("sale", (0, ZERO, ZERO, None, None))
        back = heads[key].get("return", (0, ZERO, ZERO, None, None))
        out[key] = Totals(
            sales_count=sold[0],
            returns_count=back[0],
            gross=sold[1],
            returns=back[1],
            discount=sold[2] - back[2],
            from_at=_earlier(sold[3], back[3]),
            to_at=_later(sold[4], back[4]),
            sale_payments=dict(sorted(payments[key]["sale"].items())),
            return_payments=dict(sorted(payments[key]["return"].items())),
            by_kdv=dict(sorted(kdv[key].items())),
        )
    return out


def _filters(store: str | None, terminal: str | None, alias: str = "d") -> tuple[str, list[Any]]:
    parts, params = ["TRUE"], []
    if store is not None:
        parts.append(f"{alias}.store = %s")
        params.append(store.strip().upper())
    if terminal is not None:
        parts.append(f"{alias}.terminal = %s")
        params.append(terminal.strip())
    return " AND ".join(parts), params


def _period_filter(start: datetime | None, end: datetime | None, column: str = "d.at") -> tuple[str, list[Any]]:
    parts, params = ["TRUE"], []
    if start is not None:
        parts.append(f"{column} >= %s")
        params.append(to_db(start))
    if end is not None:
        parts.append(f"{column} < %s")
        params.append(to_db(end))
    return " AND ".join(parts), params


# --------------------------------------------------------------------------- sales


@dataclass(frozen=True, slots=True)
class TerminalTotals:
    """One terminal's (or, with ``terminal`` None, one store's) totals."""

    store: str
    terminal: str | None
    totals: Totals

    def as_json(self, tz: str) -> dict[str, Any]:
        head: dict[str, Any] = {"store": self.store}
        if self.terminal is not None:
            head["terminal"] = self.terminal
        return {**head, **self.totals.json_fields(tz)}


@dataclass(frozen=True, slots=True)
class CentralSales:
    """``central sales``: per terminal, per store and in all, over ``start``..``end``."""

    start: datetime
    end: datetime
    store: str | None
    terminal: str | None
    terminals: list[TerminalTotals]
    stores: list[TerminalTotals]
    totals: Totals

    def as_json(self, tz: str = SHOP_TZ) -> dict[str, Any]:
        return {
            "period": {"from": iso(self.start, tz), "to": iso(self.end, tz)},
            "store": self.store,
            "terminal": self.terminal,
            "terminals": [row.as_json(tz) for row in self.terminals],
            "stores": [row.as_json(tz) for row in self.stores],
            "totals": self.totals.json_fields(tz),
        }


def _by_store(rows: Sequence[TerminalTotals]) -> list[TerminalTotals]:
    stores: dict[str, Totals] = {}
    for row in rows:
        stores[row.store] = stores.get(row.store, Totals()) + row.totals
    return [TerminalTotals(code, None, totals) for code, totals in sorted(stores.items())]


def central_sales(
    db: Database, *, start: datetime, end: datetime, store: str | None = None, terminal: str | None = None
) -> CentralSales:
    """Sales and returns received from every terminal (of ``store``; only ``terminal``) posted in
    ``start <= at < end`` (aware datetimes): per terminal, per store and in all."""
    require_central(db)
    _period(start, end)
    where, params = _filters(store, terminal)
    when, more = _period_filter(start, end)
    found = _totals(db, f"{where} AND {when}", [*params, *more])
    rows = [TerminalTotals(s, t, totals) for (s, t), totals in sorted(found.items())]
    return CentralSales(
        start=start,
        end=end,
        store=store.strip().upper() if store else None,
        terminal=terminal.strip() if terminal else None,
        terminals=rows,
        stores=_by_store(rows),
        totals=_sum(r.totals for r in rows),
    )


# --------------------------------------------------------------------------- Z and X


def _parse_time(text: Any) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(str(text))
    except ValueError:
        return None
    return value if value.tzinfo is not None else from_db(value)


def _z_totals(p: dict[str, Any]) -> Totals:
    """A Z's figures as its journal payload gives them (``ZReport.to_json``): no discount."""
    return Totals(
        sales_count=int(p.get("sales_count") or 0),
        returns_count=int(p.get("returns_count") or 0),
        gross=_dec(p.get("gross")),
        returns=_dec(p.get("returns")),
        discount=None,
        from_at=_parse_time(p.get("from")),
        to_at=_parse_time(p.get("to")),
        sale_payments={str(k): _dec(v) for k, v in sorted((p.get("by_payment") or {}).items())},
        by_kdv={
            int(rate): KdvTotal(_dec(v.get("base")), _dec(v.get("kdv")))
            for rate, v in sorted((p.get("by_kdv") or {}).items(), key=lambda kv: int(kv[0]))
        },
    )


@dataclass(frozen=True, slots=True)
class ZRow:
    """One Z a terminal took, as received: ``seq`` is the document that carried it."""

    store: str
    terminal: str
    seq: int
    z_no: int
    at: datetime | None
    user: str | None
    totals: Totals
    grand_total: Decimal

    def as_json(self, tz: str) -> dict[str, Any]:
        return {
            "store": self.store,
            "terminal": self.terminal,
            "seq": self.seq,
            "z_no": self.z_no,
            "at": iso(self.at, tz) if self.at else None,
            "user": self.user,
            **self.totals.json_fields(tz),
            "grand_total": f"{self.grand_total:.2f}",
        }


@dataclass(frozen=True, slots=True)
class CentralZ:
    """``central z``: the Z reports received (per terminal in Z order), totals of their figures,
    and per terminal the Z numbers missing between the first and last received (``missing``:
    not received yet, or lost)."""

    start: datetime | None
    end: datetime | None
    store: str | None
    terminal: str | None
    rows: list[ZRow]
    totals: Totals
    missing: dict[str, list[int]]

    def as_json(self, tz: str = SHOP_TZ) -> dict[str, Any]:
        return {
            "period": {
                "from": iso(self.start, tz) if self.start else None,
                "to": iso(self.end, tz) if self.end else None,
            },
            "store": self.store,
            "terminal": self.terminal,
            "z": [row.as_json(tz) for row in self.rows],
            "totals": self.totals.json_fields(tz),
            "missing": self.missing,
        }


_Z_ENTRIES = """
SELECT d.store, d.terminal, d.seq, (j.x->>'payload')::jsonb
FROM sync_document d CROSS JOIN LATERAL jsonb_array_elements(d.body::jsonb->'journal') AS j(x)
WHERE strpos(d.body, '"z"') > 0 AND j.x->>'kind' = 'z' AND {where}
ORDER BY d.terminal, d.seq
"""


def _z_row(store: str, terminal: str, seq: int, p: dict[str, Any]) -> ZRow:
    return ZRow(
        store=store,
        terminal=terminal,
        seq=int(seq),
        z_no=int(p.get("z_no") or 0),
        at=_parse_time(p.get("at")),
        user=p.get("user"),
        totals=_z_totals(p),
        grand_total=_dec(p.get("grand_total")),
    )


def central_z(
    db: Database,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    store: str | None = None,
    terminal: str | None = None,
) -> CentralZ:
    """The Z reports received from the terminals (of ``store``; only ``terminal``) taken in
    ``start <= at < end`` (either end open when None)."""
    require_central(db)
    _period(start, end)
    where, params = _filters(store, terminal)
    when, more = _period_filter(start, end)
    rows = [
        _z_row(s, t, seq, p)
        for s, t, seq, p in db.execute_sql(_Z_ENTRIES.format(where=f"{where} AND {when}"), [*params, *more]).fetchall()
    ]
    rows.sort(key=lambda r: (r.store, r.terminal, r.z_no, r.seq))
    missing: dict[str, list[int]] = {}
    numbers: dict[str, set[int]] = defaultdict(set)
    for row in rows:
        numbers[row.terminal].add(row.z_no)
    for term, got in sorted(numbers.items()):
        gaps = sorted(set(range(min(got), max(got) + 1)) - got)
        if gaps:
            missing[term] = gaps
    return CentralZ(
        start=start,
        end=end,
        store=store.strip().upper() if store else None,
        terminal=terminal.strip() if terminal else None,
        rows=rows,
        totals=_sum(r.totals for r in rows),
        missing=missing,
    )


@dataclass(frozen=True, slots=True)
class XRow:
    """What a terminal sent since its last Z received: numbered as its next Z. ``last_seq`` is
    the last document received from it (the X covers what arrived up to there)."""

    store: str
    terminal: str
    z_no: int
    last_z_seq: int
    last_seq: int
    previous_grand_total: Decimal
    totals: Totals

    @property
    def grand_total(self) -> Decimal:
        return self.previous_grand_total + self.totals.net

    def as_json(self, tz: str) -> dict[str, Any]:
        return {
            "store": self.store,
            "terminal": self.terminal,
            "z_no": self.z_no,
            "last_z_seq": self.last_z_seq,
            "last_seq": self.last_seq,
            **self.totals.json_fields(tz),
            "previous_grand_total": f"{self.previous_grand_total:.2f}",
            "grand_total": f"{self.grand_total:.2f}",
        }


@dataclass(frozen=True, slots=True)
class CentralX:
    """``central x``: per terminal what was received since its last Z, per store and in all."""

    at: datetime
    store: str | None
    terminal: str | None
    terminals: list[XRow]
    stores: list[TerminalTotals]
    totals: Totals

    def as_json(self, tz: str = SHOP_TZ) -> dict[str, Any]:
        return {
            "at": iso(self.at, tz),
            "store": self.store,
            "terminal": self.terminal,
            "terminals": [row.as_json(tz) for row in self.terminals],
            "stores": [row.as_json(tz) for row in self.stores],
            "totals": self.totals.json_fields(tz),
        }


_LAST_Z = """
last_z AS (
  SELECT DISTINCT ON (d.terminal) d.terminal, d.seq
  FROM sync_document d CROSS JOIN LATERAL jsonb_array_elements(d.body::jsonb->'journal') AS j(x)
  WHERE strpos(d.body, '"z"') > 0 AND j.x->>'kind' = 'z' AND {where}
  ORDER BY d.terminal, d.seq DESC
),
"""


def _known_terminals(db: Database, store: str | None, terminal: str | None) -> dict[str, tuple[str, int]]:
    """terminal → (store, last seq received) for every terminal joined or heard from."""
    where_t, params_t = _filters(store, terminal, "t")
    where_d, params_d = _filters(store, terminal, "d")
    out: dict[str, tuple[str, int]] = {}
    for term, code in db.execute_sql(f"SELECT t.terminal, t.store FROM sync_terminal t WHERE {where_t}", params_t):
        out[term] = (code, 0)
    for term, code, last in db.execute_sql(
        f"SELECT d.terminal, min(d.store), max(d.seq) FROM sync_document d WHERE {where_d} GROUP BY d.terminal",
        params_d,
    ):
        out[term] = (out.get(term, (code, 0))[0], int(last))
    return dict(sorted(out.items()))


def central_x(db: Database, *, now: datetime, store: str | None = None, terminal: str | None = None) -> CentralX:
    """An X across terminals: for each terminal (of ``store``; only ``terminal``) the sales and
    returns received in documents after the one that carried its last Z, numbered as its next
    Z with its grand total continued; per store and in all. Nothing is written."""
    require_central(db)
    where, params = _filters(store, terminal)
    last = {
        t: (int(seq), p)
        for t, seq, p in db.execute_sql(
            "SELECT DISTINCT ON (d.terminal) d.terminal, d.seq, (j.x->>'payload')::jsonb "
            "FROM sync_document d CROSS JOIN LATERAL jsonb_array_elements(d.body::jsonb->'journal') AS j(x) "
            f"WHERE strpos(d.body, '\"z\"') > 0 AND j.x->>'kind' = 'z' AND {where} "
            "ORDER BY d.terminal, d.seq DESC",
            params,
        ).fetchall()
    }
    found = _totals(
        db,
        f"{where} AND d.seq > coalesce(last_z.seq, 0)",
        [*params, *params],
        pre=_LAST_Z.format(where=where),
        join="LEFT JOIN last_z ON last_z.terminal = d.terminal",
    )
    by_terminal = {t: (s, totals) for (s, t), totals in found.items()}
    rows = []
    for term, (code, last_seq) in _known_terminals(db, store, terminal).items():
        seq, z = last.get(term, (0, {}))
        store_code, totals = by_terminal.get(term, (code, Totals()))
        rows.append(
            XRow(
                store=store_code,
                terminal=term,
                z_no=int(z.get("z_no") or 0) + 1,
                last_z_seq=seq,
                last_seq=last_seq,
                previous_grand_total=_dec(z.get("grand_total")),
                totals=totals,
            )
        )
    rows.sort(key=lambda r: (r.store, r.terminal))
    plain = [TerminalTotals(r.store, r.terminal, r.totals) for r in rows]
    return CentralX(
        at=now,
        store=store.strip().upper() if store else None,
        terminal=terminal.strip() if terminal else None,
        terminals=rows,
        stores=_by_store(plain),
        totals=_sum(r.totals for r in rows),
    )


# --------------------------------------------------------------------------- loyalty


@dataclass(frozen=True, slots=True)
class PointsFigures:
    """Points moved in a period (from the ``points`` ledger rows, by the entry's ``kind``):
    ``earned`` (earn lots), ``redeemed`` (points that paid, less points returns gave back),
    ``expired``, ``other`` (adjustments, clawbacks, donations, transfers: net), ``net`` (all)."""

    earned: int = 0
    redeemed: int = 0
    expired: int = 0
    other: int = 0
    active_members: int = 0

    @property
    def net(self) -> int:
        return self.earned - self.redeemed - self.expired + self.other

    def __add__(self, other: PointsFigures) -> PointsFigures:
        return PointsFigures(
            self.earned + other.earned,
            self.redeemed + other.redeemed,
            self.expired + other.expired,
            self.other + other.other,
            0,  # members are counted, not added: the caller sets it
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "earned": self.earned,
            "redeemed": self.redeemed,
            "expired": self.expired,
            "other": self.other,
            "net": self.net,
            "active_members": self.active_members,
        }


@dataclass(frozen=True, slots=True)
class LoyaltyRow:
    store: str
    terminal: str | None
    figures: PointsFigures

    def as_json(self) -> dict[str, Any]:
        head: dict[str, Any] = {"store": self.store}
        if self.terminal is not None:
            head["terminal"] = self.terminal
        return {**head, **self.figures.as_json()}


@dataclass(frozen=True, slots=True)
class TopMember:
    """A member by points held chain-wide at the end of the period (``balance``: the sum of every
    points row received up to then) and what they earned in the period (in the scope asked)."""

    card: str
    name: str | None
    balance: int
    earned: int

    def as_json(self) -> dict[str, Any]:
        return {"card": self.card, "name": self.name, "balance": self.balance, "earned": self.earned}


@dataclass(frozen=True, slots=True)
class CentralLoyalty:
    """``central loyalty``: points per terminal and store, in all, active members and the top members.
    ``active_members`` counts the distinct cards on a sale, a return or a points row of the period."""

    start: datetime
    end: datetime
    store: str | None
    terminals: list[LoyaltyRow]
    stores: list[LoyaltyRow]
    totals: PointsFigures
    top: list[TopMember]

    def as_json(self, tz: str = SHOP_TZ) -> dict[str, Any]:
        return {
            "period": {"from": iso(self.start, tz), "to": iso(self.end, tz)},
            "store": self.store,
            "terminals": [row.as_json() for row in self.terminals],
            "stores": [row.as_json() for row in self.stores],
            "totals": self.totals.as_json(),
            "top": [member.as_json() for member in self.top],
        }


def _points_kind(kind: str, amount: int, acc: dict[str, int]) -> None:
    if kind == "earn":
        acc["earned"] += amount
    elif kind in ("redeem", "restore"):
        acc["redeemed"] -= amount
    elif kind == "expire":
        acc["expired"] -= amount
    else:
        acc["other"] += amount


def central_loyalty(
    db: Database,
    *,
    start: datetime,
    end: datetime,
    store: str | None = None,
    terminal: str | None = None,
    top: int = TOP_MEMBERS,
) -> CentralLoyalty:
    """Points earned, redeemed and expired per terminal and store in ``start <= at < end`` (the
    ledger row's time), active members, and the ``top`` members by points held at ``end``."""
    require_central(db)
    _period(start, end)
    where, params = _filters(store, terminal, "l")
    when, more = _period_filter(start, end, "l.at")
    acc: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for code, term, kind, amount in db.execute_sql(
        "SELECT l.store, l.terminal, coalesce(l.data::jsonb->>'kind', ''), sum(l.amount) FROM sync_ledger l "
        f"WHERE l.ledger = 'points' AND {where} AND {when} GROUP BY 1, 2, 3",
        [*params, *more],
    ).fetchall():
        _points_kind(str(kind), int(amount or 0), acc[(code, term)])
    # Active members: distinct cards per terminal, per store and in all (GROUPING SETS), from
    # the sales' and returns' member and the points rows of the period.
    d_where, d_params = _filters(store, terminal, "d")
    d_when, d_more = _period_filter(start, end)
    members: dict[tuple[str | None, str | None], int] = {}
    for code, term, count in db.execute_sql(
        _ENTRIES.format(pre="", join="", where=f"{d_where} AND {d_when}")
        + ", cards AS (SELECT store, terminal, p->>'member' AS card FROM e "
        "UNION ALL SELECT l.store, l.terminal, l.key FROM sync_ledger l "
        f"WHERE l.ledger = 'points' AND {where} AND {when}) "
        "SELECT store, terminal, count(DISTINCT card) FROM cards WHERE card IS NOT NULL "
        "GROUP BY GROUPING SETS ((store, terminal), (store), ())",
        [*d_params, *d_more, *params, *more],
    ).fetchall():
        members[(code, term)] = int(count)
    keys = sorted(set(acc) | {(s, t) for s, t in members if s is not None and t is not None})
    rows = [
        LoyaltyRow(s, t, replace(_figures(acc.get((s, t), {})), active_members=members.get((s, t), 0))) for s, t in keys
    ]
    stores: dict[str, PointsFigures] = {}
    for row in rows:
        stores[row.store] = stores.get(row.store, PointsFigures()) + row.figures
    store_rows = [
        LoyaltyRow(code, None, replace(figures, active_members=members.get((code, None), 0)))
        for code, figures in sorted(stores.items())
    ]
    totals = PointsFigures()
    for row in rows:
        totals = totals + row.figures
    totals = replace(totals, active_members=members.get((None, None), 0))
    return CentralLoyalty(
        start=start,
        end=end,
        store=store.strip().upper() if store else None,
        terminals=rows,
        stores=store_rows,
        totals=totals,
        top=_top_members(db, start, end, where, params, when, more, top),
    )


def _figures(acc: dict[str, int]) -> PointsFigures:
    return PointsFigures(acc.get("earned", 0), acc.get("redeemed", 0), acc.get("expired", 0), acc.get("other", 0))


def _top_members(
    db: Database,
    start: datetime,
    end: datetime,
    where: str,
    params: list[Any],
    when: str,
    more: list[Any],
    limit: int,
) -> list[TopMember]:
    """The members who moved points in the scope and period, by points held chain-wide at ``end``."""
    if limit <= 0:
        return []
    rows = db.execute_sql(
        "WITH scope AS (SELECT l.key, sum(CASE WHEN coalesce(l.data::jsonb->>'kind', '') = 'earn' "
        "THEN l.amount ELSE 0 END) AS earned FROM sync_ledger l "
        f"WHERE l.ledger = 'points' AND {where} AND {when} GROUP BY l.key), "
        "held AS (SELECT b.key, sum(b.amount) AS balance FROM sync_ledger b "
        "WHERE b.ledger = 'points' AND b.at < %s AND b.key IN (SELECT key FROM scope) GROUP BY b.key) "
        "SELECT s.key, m.name, coalesce(h.balance, 0), s.earned FROM scope s "
        "LEFT JOIN held h ON h.key = s.key LEFT JOIN member m ON m.card = s.key "
        "ORDER BY 3 DESC, s.key LIMIT %s",
        [*params, *more, to_db(end), limit],
    ).fetchall()
    return [TopMember(str(card), name, int(balance or 0), int(earned or 0)) for card, name, balance, earned in rows]


# --------------------------------------------------------------------------- stock


@dataclass(frozen=True, slots=True)
class StockRow:
    """Stock of a product at a location: the sum of every ``stock`` ledger row received."""

    store: str
    location: str
    code: str
    name: str | None
    unit: str | None
    qty_milli: int
    movements: int

    @property
    def qty(self) -> Decimal:
        return qty_to_decimal(self.qty_milli)

    def as_json(self) -> dict[str, Any]:
        return {
            "store": self.store,
            "location": self.location,
            "code": self.code,
            "name": self.name,
            "unit": self.unit,
            "qty": str(self.qty),
            "movements": self.movements,
        }


def central_stock(db: Database, *, store: str | None = None, location: str | None = None) -> list[StockRow]:
    """Stock per product and location from the terminals' movements (the ``stock`` ledger rows),
    by store, location and product code. A location's store is the centre's ``stock_location.store``
    (else the store of the terminal that moved it)."""
    require_central(db)
    parts, params = ["l.ledger = 'stock'"], []
    if store is not None:
        parts.append("coalesce(sl.store, l.store) = %s")
        params.append(store.strip().upper())
    if location is not None:
        parts.append("l.place = %s")
        params.append(location.strip().upper())
    rows = db.execute_sql(
        "SELECT coalesce(sl.store, min(l.store)), l.place, l.key, p.name, p.unit, sum(l.amount), count(*) "
        "FROM sync_ledger l LEFT JOIN stock_location sl ON sl.code = l.place "
        "LEFT JOIN product p ON p.code = l.key "
        f"WHERE {' AND '.join(parts)} GROUP BY sl.store, l.place, l.key, p.name, p.unit",
        params,
    ).fetchall()
    out = [
        StockRow(str(s), str(place), str(code), name, unit, int(qty or 0), int(n))
        for s, place, code, name, unit, qty, n in rows
    ]
    return sorted(out, key=lambda r: (r.store, r.location, r.code))


# --------------------------------------------------------------------------- terminals


@dataclass(frozen=True, slots=True)
class TerminalState:
    """A terminal as the centre sees it: ``high_water`` (every seq up to it received),
    ``last_seq`` (the highest received), ``missing`` (sequence numbers between them not yet
    received: the documents after them wait for them), ``documents`` received."""

    terminal: str
    store: str
    joined_at: datetime | None
    last_push_at: datetime | None
    high_water: int
    head_hash: str | None
    last_seq: int
    documents: int
    missing: list[int]

    @property
    def waiting(self) -> int:
        """Documents received beyond the high-water mark (held up by a missing one)."""
        return max(0, self.last_seq - self.high_water - len(self.missing))

    def as_json(self, tz: str) -> dict[str, Any]:
        return {
            "terminal": self.terminal,
            "store": self.store,
            "joined_at": iso(self.joined_at, tz) if self.joined_at else None,
            "last_push_at": iso(self.last_push_at, tz) if self.last_push_at else None,
            "high_water": self.high_water,
            "head_hash": self.head_hash,
            "last_seq": self.last_seq,
            "documents": self.documents,
            "missing": self.missing,
            "waiting": self.waiting,
        }


MISSING_SHOWN = 100  # missing sequence numbers listed per terminal at most


def central_terminals(db: Database, *, store: str | None = None) -> list[TerminalState]:
    """Every terminal joined (or heard from), with where its documents stand."""
    require_central(db)
    where_t, params_t = _filters(store, None, "t")
    joined = {
        term: (code, _at(joined_at), _at(pushed), int(hw or 0), head)
        for term, code, joined_at, pushed, hw, head in db.execute_sql(
            "SELECT t.terminal, t.store, t.joined_at, t.last_push_at, t.high_water, t.head_hash "
            f"FROM sync_terminal t WHERE {where_t}",
            params_t,
        ).fetchall()
    }
    where_d, params_d = _filters(store, None, "d")
    received = {
        term: (code, int(last), int(n))
        for term, code, last, n in db.execute_sql(
            f"SELECT d.terminal, min(d.store), max(d.seq), count(*) FROM sync_document d WHERE {where_d} "
            "GROUP BY d.terminal",
            params_d,
        ).fetchall()
    }
    out = []
    for term in sorted(set(joined) | set(received)):
        code, joined_at, pushed, hw, head = joined.get(term, (received[term][0], None, None, 0, None))
        _code, last, n = received.get(term, (code, 0, 0))
        missing: list[int] = []
        if last > hw:
            missing = [
                int(row[0])
                for row in db.execute_sql(
                    "SELECT s FROM generate_series(%s, %s) AS s WHERE NOT EXISTS "
                    "(SELECT 1 FROM sync_document d WHERE d.terminal = %s AND d.seq = s) ORDER BY s LIMIT %s",
                    [hw + 1, last, term, MISSING_SHOWN],
                ).fetchall()
            ]
        out.append(TerminalState(term, code, joined_at, pushed, hw, head, last, n, missing))
    return out

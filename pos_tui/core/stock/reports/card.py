"""The stock card (stok kartı): every movement of one product, in date order, with its running balance.

A card covers the shop days ``first`` to ``last`` (each may be open) at one location or all.
Its ``opening`` is the stock before the first day: one ``SUM`` along the ``(product, at)``
index (see :class:`StockCard` for which one); its rows are read in batches of :data:`BATCH`
along that index (keyset pagination: each batch starts after the last ``(at, id)`` of the one
before), so a card of a million movements never holds more than one batch, on SQLite and
PostgreSQL alike (a PostgreSQL cursor would otherwise fetch every row at once).
:func:`write_card_json` and :func:`write_card_csv` write as they read.

``at`` is a movement's own time (a backdated goods receipt sits where its date puts it, not
where it was entered), and the rows are in ``(at, id)`` order: the balance is the stock as the
dates tell it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, TextIO

from pos_tui import store
from pos_tui.core.catalog import get_product
from pos_tui.core.kernel.clock import zone
from pos_tui.core.kernel.formats import write_records
from pos_tui.core.kernel.vocabulary import document_label, movement_label, reason_label
from pos_tui.core.stock.ledger import RETURN, SALE
from pos_tui.core.stock.reports.common import location_codes, location_filter, period_bounds, qty_text
from pos_tui.store import database, fast
from pos_tui.store import models as m

BATCH = 5000

# The CSV columns of a card's rows (the JSON rows have the same names).
CARD_COLUMNS = (
    "at",
    "kind",
    "document",
    "location",
    "reason",
    "qty_in",
    "qty_out",
    "balance",
    "unit_cost",
    "value",
)


@dataclass(frozen=True, slots=True)
class CardRow:
    """One movement on the card. Quantities in milli-units (``qty`` signed), money in kuruş."""

    movement_id: int
    at: datetime  # aware UTC
    kind: str
    document: str  # "T1-42" (a sale or return), "receipt 7" (a stock document), else the kind
    document_kind: str | None  # the stock document's kind, "sale" / "return" for a till document
    document_no: str | None  # its number ("T1-42" for a till document)
    location: str
    reason: str | None
    qty: int
    balance: int
    unit_cost: int
    value: int

    def document_text(self) -> str:
        """The movement as the shop reads it: ``satış T1-42``, ``mal kabul 7``, ``stok düzeltme 2
        (fire)``, else the movement's own word (an import)."""
        if self.document_kind is None:
            text = movement_label(self.kind)
        elif self.document_kind in (SALE, RETURN):
            text = f"{document_label(self.document_kind)} {self.document}"
        else:
            text = f"{document_label(self.document_kind)} {self.document_no}"
        return f"{text} ({reason_label(self.reason)})" if self.reason else text

    @property
    def qty_in(self) -> int:
        return max(self.qty, 0)

    @property
    def qty_out(self) -> int:
        return max(-self.qty, 0)


def _quote(name: str) -> str:
    q = database.quote
    return f"{q[0]}{name}{q[1]}"


def _table(model: type[m.BaseModel]) -> str:
    return _quote(model._meta.table_name)


def _col(model: type[m.BaseModel], name: str) -> str:
    return f"{_table(model)}.{_quote(model._meta.fields[name].column_name)}"


def _columns(model: type[m.BaseModel], *fields: str) -> str:
    return ", ".join(_col(model, f) for f in fields)


def _as_datetime(value: Any) -> datetime:
    """A stored naive-UTC time as aware UTC (SQLite hands raw SQL its text)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC)


def _stored(value: datetime) -> Any:
    """A naive UTC time as the store compares it: SQLite keeps ``YYYY-MM-DD HH:MM:SS[.ffffff]`` text."""
    from pos_tui.store import is_sqlite

    return str(value) if is_sqlite() else value


class StockCard:
    """The card of one product (see the module docstring). :meth:`rows` streams its rows, once;
    ``closing`` is known when they have all been read (or from :meth:`closing_balance`).

    The balance before a moment is one ``SUM``: of the movements before it, or the cached stock
    (``product.stock``, ``stock_level.qty``: the sum of every movement, kept in step by the ledger
    and checked by ``audit verify``) less the movements from it on, whichever side is shorter
    (by time, between the first and the last movement). A recent month of a long history sums the
    month, not the years before it. With ``tail`` only the last ``tail`` rows are read (at most
    that many, held in a list), and the opening is the closing less their quantities.
    """

    def __init__(
        self,
        product_id: int,
        *,
        first: date | None = None,
        last: date | None = None,
        location: str | None = None,
        tz: str,
        tail: int | None = None,
    ) -> None:
        P = m.Product
        code, name, unit, stock = next(store.rows(P.select(P.code, P.name, P.unit, P.stock).where(P.id == product_id)))
        self.product_id = product_id
        self.code: str = code
        self.name: str = name
        self.unit: str = unit
        self.first, self.last, self.tz = first, last, tz
        self.location = None if location is None else location.strip().upper()
        self.location_id = location_filter(location)
        self._start, self._end = period_bounds(first, last, tz)
        self._locations = location_codes()
        if self.location_id is None:
            self._total = int(stock)
        else:
            level = fast.select_first(m.StockLevel, ("qty",), {"product": product_id, "location": self.location_id})
            self._total = 0 if level is None else int(level[0])
        self._closing = self._total if self._end is None else self._balance_before(self._end)
        self._tail: list[tuple[Any, ...]] | None = None
        if tail is not None:
            self._tail = self._read_tail(max(tail, 1))
            self.opening = self._closing - sum(row[2] for row in self._tail)
        else:
            self.opening = 0 if self._start is None else self._balance_before(self._start)
        self.closing: int | None = None

    # -- SQL ------------------------------------------------------------------------------------

    def _scope(self) -> tuple[list[str], list[Any]]:
        SM, p = m.StockMovement, database.param
        clauses, params = [f"{_col(SM, 'product')} = {p}"], [self.product_id]
        if self.location_id is not None:
            clauses.append(f"{_col(SM, 'location')} = {p}")
            params.append(self.location_id)
        return clauses, params

    def _where(self, *, include_start: bool = True) -> tuple[list[str], list[Any]]:
        SM, p = m.StockMovement, database.param
        clauses, params = self._scope()
        if include_start and self._start is not None:
            clauses.append(f"{_col(SM, 'at')} >= {p}")
            params.append(_stored(self._start))
        if self._end is not None:
            clauses.append(f"{_col(SM, 'at')} < {p}")
            params.append(_stored(self._end))
        return clauses, params

    def _one(self, what: str, clauses: list[str], params: list[Any]) -> int:
        SM = m.StockMovement
        sql = f"SELECT {what} FROM {_table(SM)} WHERE {' AND '.join(clauses)}"
        return int(database.execute_sql(sql, params).fetchone()[0] or 0)

    def _edge(self, order: str) -> datetime | None:
        """The time of the first (``ASC``) or last (``DESC``) movement in scope: one index probe."""
        SM = m.StockMovement
        clauses, params = self._scope()
        sql = (
            f"SELECT {_col(SM, 'at')} FROM {_table(SM)} WHERE {' AND '.join(clauses)}"
            f" ORDER BY {_col(SM, 'at')} {order} LIMIT 1"
        )
        found = database.execute_sql(sql, params).fetchone()
        return None if found is None else _as_datetime(found[0])

    def _balance_before(self, moment: datetime) -> int:
        """The stock before ``moment`` (naive UTC): the SUM over the side of ``moment`` that holds
        fewer movements, judged by where it falls between the first and the last movement (two
        index probes; movements spread about evenly over time)."""
        SM, p = m.StockMovement, database.param
        scope, params = self._scope()
        at = [*params, _stored(moment)]
        first, last = self._edge("ASC"), self._edge("DESC")
        if first is None or last is None:
            return 0
        when = moment.replace(tzinfo=UTC)
        if when <= first:
            return 0
        if when > last:
            return self._total
        if (when - first) <= (last - when):
            return self._one(f"SUM({_col(SM, 'qty')})", [*scope, f"{_col(SM, 'at')} < {p}"], at)
        return self._total - self._one(f"SUM({_col(SM, 'qty')})", [*scope, f"{_col(SM, 'at')} >= {p}"], at)

    def count(self) -> int:
        """How many movements the card's period holds (all of them, not only a tail)."""
        clauses, params = self._where()
        return self._one("COUNT(*)", clauses, params)

    def closing_balance(self) -> int:
        """The stock at the end of the card, without reading its rows."""
        return self._closing

    def _select(self) -> str:
        SM, S, D = m.StockMovement, m.Sale, m.StockDocument
        return (
            f"SELECT {_columns(SM, 'id', 'at', 'qty', 'kind', 'location', 'unit_cost', 'value', 'reason')},"
            f" COALESCE({_col(S, 'terminal')} || '-' || CAST({_col(S, 'receipt_no')} AS VARCHAR(20)),"
            f" {_col(D, 'kind')} || ' ' || CAST({_col(D, 'number')} AS VARCHAR(20)), {_col(SM, 'kind')})"
            f" FROM {_table(SM)}"
            f" LEFT JOIN {_table(S)} ON {_col(S, 'id')} = {_col(SM, 'sale')}"
            f" LEFT JOIN {_table(D)} ON {_col(D, 'id')} = {_col(SM, 'document')}"
        )

    def _read_tail(self, tail: int) -> list[tuple[Any, ...]]:
        SM = m.StockMovement
        clauses, params = self._where()
        order = f" ORDER BY {_col(SM, 'at')} DESC, {_col(SM, 'id')} DESC LIMIT {int(tail)}"
        rows = database.execute_sql(self._select() + " WHERE " + " AND ".join(clauses) + order, params).fetchall()
        rows.reverse()
        return rows

    def _batches(self) -> Iterator[list[tuple[Any, ...]]]:
        if self._tail is not None:
            yield self._tail
            return
        SM, p = m.StockMovement, database.param
        select = self._select()
        order = f" ORDER BY {_col(SM, 'at')}, {_col(SM, 'id')} LIMIT {BATCH}"
        key: tuple[Any, int] | None = None
        while True:
            clauses, params = self._where(include_start=key is None)
            if key is not None:  # after the last row read: along the index from its time on
                at, ident = key
                clauses.append(f"{_col(SM, 'at')} >= {p}")
                clauses.append(f"({_col(SM, 'at')} > {p} OR {_col(SM, 'id')} > {p})")
                params += [at, at, ident]
            batch = database.execute_sql(select + " WHERE " + " AND ".join(clauses) + order, params).fetchall()
            if not batch:
                return
            yield batch
            if len(batch) < BATCH:
                return
            key = (batch[-1][1], int(batch[-1][0]))

    def raw_rows(self) -> Iterator[tuple[Any, ...]]:
        """The rows as read: ``(id, at, qty, kind, location_id, unit_cost, value, reason, document,
        balance)``; sets ``closing`` at the end."""
        balance = self.opening
        for batch in self._batches():
            for row in batch:
                balance += row[2]
                yield (*row, balance)
        self.closing = balance

    def rows(self) -> Iterator[CardRow]:
        """The card's rows in ``(at, id)`` order, streamed; ``closing`` is set once all are read."""
        locations = self._locations
        for (
            ident,
            at,
            qty,
            kind,
            loc,
            unit_cost,
            value,
            reason,
            reference,
            bal,
        ) in self.raw_rows():
            document, doc_kind, doc_no = _document(kind, reference)
            yield CardRow(
                int(ident),
                _as_datetime(at),
                kind,
                document,
                doc_kind,
                doc_no,
                locations.get(loc, ""),
                reason,
                int(qty),
                int(bal),
                int(unit_cost),
                int(value),
            )

    def header(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "unit": self.unit,
            "location": self.location,
            "from": None if self.first is None else self.first.isoformat(),
            "to": None if self.last is None else self.last.isoformat(),
            "opening": qty_text(self.opening),
        }


def _document(kind: str, reference: str) -> tuple[str, str | None, str | None]:
    """``(document, its kind, its number)`` from the reference the query built: a till document
    by terminal and receipt number (``T1-42``), a stock document by kind and number
    (``receipt 7``), else the movement's kind (no document)."""
    if kind in (SALE, RETURN):
        return reference, kind, reference
    if reference == kind:
        return kind, None, None
    doc_kind, _space, number = reference.partition(" ")
    return reference, doc_kind, number


def stock_card(
    code_or_barcode: str,
    *,
    first: date | None = None,
    last: date | None = None,
    location: str | None = None,
    tz: str,
    tail: int | None = None,
) -> StockCard:
    """The card of the product with this code or barcode (see :class:`StockCard`). ``tail``: only
    its last ``tail`` rows (the opening is then the stock before the first of them)."""
    product = get_product(code_or_barcode)
    return StockCard(product.id, first=first, last=last, location=location, tz=tz, tail=tail)


def _fast_qty(milli: int) -> str:
    """:func:`qty_text` in integer arithmetic (the card writes millions of them): ``"12.5"``, ``"-3"``."""
    sign = "-" if milli < 0 else ""
    whole, part = divmod(abs(milli), 1000)
    return f"{sign}{whole}.{part:03d}".rstrip("0") if part else f"{sign}{whole}"


def _fast_money(kurus: int) -> str:
    """:func:`money_text` in integer arithmetic: ``"12.50"``, ``"-0.05"``."""
    sign = "-" if kurus < 0 else ""
    lira, cents = divmod(abs(kurus), 100)
    return f"{sign}{lira}.{cents:02d}"


def _js(text: str | None) -> str:
    """A JSON string (or null); plain ASCII codes skip the encoder."""
    if text is None:
        return "null"
    if text.isascii() and text.isprintable() and '"' not in text and "\\" not in text:
        return f'"{text}"'
    return json.dumps(text, ensure_ascii=False)


class _Formatter:
    """Turns raw card rows into JSON lines and CSV records fast: a million rows take no dataclass
    each, and the shop's UTC offset is looked up once per hour of the movements (zones change
    their offset on a whole hour UTC; Istanbul has not since 2016)."""

    def __init__(self, card: StockCard) -> None:
        self.locations = card._locations
        self.zone = zone(card.tz)
        self._offsets: dict[str, tuple[str | None, timedelta, str]] = {}
        self._money: dict[int, str] = {}
        self._places = {loc: _js(code) for loc, code in self.locations.items()}

    def at(self, stored: Any) -> str:
        """A stored naive UTC time as ISO-8601 in the shop's zone, seconds precision. With an
        offset of whole hours the local hour depends only on the UTC hour: that prefix is kept
        per hour and the minutes and seconds are copied over."""
        text = stored if isinstance(stored, str) else str(stored)
        hour = text[:13]
        found = self._offsets.get(hour)
        if found is None:
            moment = datetime.fromisoformat(hour + ":00:00").replace(tzinfo=UTC).astimezone(self.zone)
            offset = moment.utcoffset() or timedelta(0)
            whole = offset.total_seconds() % 3600 == 0
            found = self._offsets[hour] = (moment.isoformat()[:13] if whole else None, offset, _offset_text(offset))
        prefix, offset, suffix = found
        if prefix is not None:
            return prefix + text[13:19] + suffix
        return (datetime.fromisoformat(text) + offset).replace(microsecond=0).isoformat() + suffix

    def money(self, kurus: int) -> str:
        text = self._money.get(kurus)
        if text is None:
            text = self._money[kurus] = _fast_money(kurus)
        return text

    def record(self, row: tuple[Any, ...]) -> dict[str, Any]:
        _id, at, qty, kind, loc, unit_cost, value, reason, document, balance = row
        return {
            "at": self.at(at),
            "kind": kind,
            "document": document,
            "location": self.locations.get(loc, ""),
            "reason": reason,
            "qty_in": _fast_qty(qty) if qty > 0 else "0",
            "qty_out": _fast_qty(-qty) if qty < 0 else "0",
            "balance": _fast_qty(balance),
            "unit_cost": self.money(unit_cost),
            "value": self.money(value),
        }

    def json_line(self, row: tuple[Any, ...], balance: int) -> str:
        """One movement as ``json.dumps(record)`` would write it, built directly."""
        _id, at, qty, kind, loc, unit_cost, value, reason, document = row
        return (
            f'{{"at": "{self.at(at)}", "kind": {_js(kind)}, '
            f'"document": {_js(document)}, '
            f'"location": {self._places.get(loc, chr(34) * 2)}, "reason": {_js(reason)}, '
            f'"qty_in": "{_fast_qty(qty) if qty > 0 else 0}", "qty_out": "{_fast_qty(-qty) if qty < 0 else 0}", '
            f'"balance": "{_fast_qty(balance)}", "unit_cost": "{self.money(unit_cost)}", '
            f'"value": "{self.money(value)}"}}'
        )


def _offset_text(offset: timedelta) -> str:
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def write_card_json(card: StockCard, out: TextIO) -> int:
    """Write ``{code, name, unit, location, from, to, opening, movements: [...], closing}`` as it
    reads (one write per batch); returns the number of movements. Each movement: ``{at, kind,
    document, location, reason, qty_in, qty_out, balance, unit_cost, value}``."""
    head = json.dumps(card.header(), ensure_ascii=False, indent=2)
    out.write(head[:-2] + ',\n  "movements": [')
    fmt = _Formatter(card)
    line = fmt.json_line
    count = 0
    balance = card.opening
    for batch in card._batches():
        parts = []
        for row in batch:
            balance += row[2]
            parts.append(line(row, balance))
        out.write(("," if count else "") + "\n    " + ",\n    ".join(parts))
        count += len(parts)
    card.closing = balance
    out.write("\n  ],\n" if count else "],\n")
    out.write(f'  "closing": {json.dumps(qty_text(balance))}\n}}\n')
    return count


def write_card_csv(card: StockCard, out: TextIO) -> int:
    """Write the card's rows as CSV (:data:`CARD_COLUMNS`) as they are read; returns how many."""
    fmt = _Formatter(card)
    return write_records((fmt.record(row) for row in card.raw_rows()), "csv", out, columns=CARD_COLUMNS)

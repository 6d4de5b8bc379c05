"""The stock card (stok kartı): every movement of one product, in date order, with its running balance.

A card covers the shop days ``first`` to ``last`` (each may be open) at one location or all.
Its ``opening`` is the stock before the first day, one ``SUM`` over the ``(product, at)`` index;
its rows are read in batches of :data:`BATCH` along that index (keyset pagination: each batch
starts after the last ``(at, id)`` of the one before), so a card of a million movements never
holds more than one batch, on SQLite and PostgreSQL alike (a PostgreSQL cursor would otherwise
fetch every row at once). :func:`write_card_json` and :func:`write_card_csv` write as they read.

``at`` is a movement's own time (a backdated goods receipt sits where its date puts it, not
where it was entered), and the rows are in ``(at, id)`` order: the balance is the stock as the
dates tell it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, TextIO

from pos_tui import store
from pos_tui.core.catalog import get_product
from pos_tui.core.kernel.clock import zone
from pos_tui.core.kernel.formats import write_records
from pos_tui.core.kernel.vocabulary import document_label, movement_label, reason_label
from pos_tui.core.stock.ledger import RETURN, SALE
from pos_tui.core.stock.reports.common import location_codes, location_filter, money_text, period_bounds, qty_text
from pos_tui.store import database
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
    ``closing`` is known when they have all been read (or from :meth:`closing_balance`)."""

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
        code, name, unit = next(store.rows(P.select(P.code, P.name, P.unit).where(P.id == product_id)))
        self.product_id = product_id
        self.code: str = code
        self.name: str = name
        self.unit: str = unit
        self.first, self.last, self.tz = first, last, tz
        self.location = None if location is None else location.strip().upper()
        self.location_id = location_filter(location)
        self._start, self._end = period_bounds(first, last, tz)
        self._locations = location_codes()
        self._after: tuple[Any, int] | None = None  # rows start after this (at, id), tail only
        self.shown_from: tuple[Any, int] | None = None
        if tail is not None:
            self.shown_from = self._tail_start(tail)
        self.opening = self._sum_before()
        self.closing: int | None = None

    # -- SQL ------------------------------------------------------------------------------------

    def _where(self, *, include_start: bool = True) -> tuple[list[str], list[Any]]:
        SM, p = m.StockMovement, database.param
        clauses, params = [f"{_col(SM, 'product')} = {p}"], [self.product_id]
        if self.location_id is not None:
            clauses.append(f"{_col(SM, 'location')} = {p}")
            params.append(self.location_id)
        if include_start and self._start is not None:
            clauses.append(f"{_col(SM, 'at')} >= {p}")
            params.append(_stored(self._start))
        if self._end is not None:
            clauses.append(f"{_col(SM, 'at')} < {p}")
            params.append(_stored(self._end))
        return clauses, params

    def _tail_start(self, tail: int) -> tuple[Any, int] | None:
        """The ``(at, id)`` of the first of the last ``tail`` rows, None when there are no more."""
        SM, p = m.StockMovement, database.param
        clauses, params = self._where()
        sql = (
            f"SELECT {_columns(SM, 'at', 'id')} FROM {_table(SM)} WHERE {' AND '.join(clauses)}"
            f" ORDER BY {_col(SM, 'at')} DESC, {_col(SM, 'id')} DESC LIMIT 1 OFFSET {p}"
        )
        found = database.execute_sql(sql, [*params, max(tail, 1) - 1]).fetchone()
        if found is None:
            return None
        # is there a row before it in the window? if not, the tail is the whole window
        key = (found[0], int(found[1]))
        before, before_params = self._where()
        before.append(f"({_col(SM, 'at')} < {p} OR ({_col(SM, 'at')} = {p} AND {_col(SM, 'id')} < {p}))")
        sql = f"SELECT 1 FROM {_table(SM)} WHERE {' AND '.join(before)} LIMIT 1"
        if database.execute_sql(sql, [*before_params, key[0], key[0], key[1]]).fetchone() is None:
            return None
        return key

    def _sum_before(self) -> int:
        """The stock before the card's first row: one SUM along the (product, at) index."""
        SM, p = m.StockMovement, database.param
        clauses, params = self._where(include_start=False)
        if self.shown_from is not None:
            at, ident = self.shown_from
            clauses.append(f"({_col(SM, 'at')} < {p} OR ({_col(SM, 'at')} = {p} AND {_col(SM, 'id')} < {p}))")
            params += [at, at, ident]
        elif self._start is not None:
            clauses.append(f"{_col(SM, 'at')} < {p}")
            params.append(_stored(self._start))
        else:
            return 0
        sql = f"SELECT SUM({_col(SM, 'qty')}) FROM {_table(SM)} WHERE {' AND '.join(clauses)}"
        total = database.execute_sql(sql, params).fetchone()[0]
        return int(total or 0)

    def count(self) -> int:
        """How many movements the card's period holds (all of them, not only a tail)."""
        SM = m.StockMovement
        clauses, params = self._where()
        sql = f"SELECT COUNT(*) FROM {_table(SM)} WHERE {' AND '.join(clauses)}"
        return int(database.execute_sql(sql, params).fetchone()[0])

    def closing_balance(self) -> int:
        """The stock at the end of the card, by one SUM (without reading the rows)."""
        SM, p = m.StockMovement, database.param
        clauses, params = [f"{_col(SM, 'product')} = {p}"], [self.product_id]
        if self.location_id is not None:
            clauses.append(f"{_col(SM, 'location')} = {p}")
            params.append(self.location_id)
        if self._end is not None:
            clauses.append(f"{_col(SM, 'at')} < {p}")
            params.append(_stored(self._end))
        sql = f"SELECT SUM({_col(SM, 'qty')}) FROM {_table(SM)} WHERE {' AND '.join(clauses)}"
        return int(database.execute_sql(sql, params).fetchone()[0] or 0)

    def _batches(self) -> Iterator[list[tuple[Any, ...]]]:
        SM, S, D, p = m.StockMovement, m.Sale, m.StockDocument, database.param
        select = (
            f"SELECT {_columns(SM, 'id', 'at', 'qty', 'kind', 'location', 'unit_cost', 'value', 'reason')},"
            f" {_columns(S, 'terminal', 'receipt_no', 'kind')}, {_columns(D, 'kind', 'number')}"
            f" FROM {_table(SM)}"
            f" LEFT JOIN {_table(S)} ON {_col(S, 'id')} = {_col(SM, 'sale')}"
            f" LEFT JOIN {_table(D)} ON {_col(D, 'id')} = {_col(SM, 'document')}"
        )
        order = f" ORDER BY {_col(SM, 'at')}, {_col(SM, 'id')} LIMIT {BATCH}"
        key = self.shown_from
        inclusive = True  # the tail's first row is on the card
        while True:
            clauses, params = self._where(include_start=key is None)
            if key is not None:
                at, ident = key
                clauses.append(f"{_col(SM, 'at')} >= {p}")
                clauses.append(f"({_col(SM, 'at')} > {p} OR {_col(SM, 'id')} {'>=' if inclusive else '>'} {p})")
                params += [at, at, ident]
            batch = database.execute_sql(select + " WHERE " + " AND ".join(clauses) + order, params).fetchall()
            if not batch:
                return
            yield batch
            if len(batch) < BATCH:
                return
            key, inclusive = (batch[-1][1], int(batch[-1][0])), False

    def raw_rows(self) -> Iterator[tuple[Any, ...]]:
        """The rows as read: ``(id, at, qty, kind, location_id, unit_cost, value, reason, terminal,
        receipt_no, sale_kind, document_kind, document_no, balance)``; sets ``closing`` at the end."""
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
            terminal,
            receipt_no,
            _sk,
            dkind,
            dno,
            bal,
        ) in self.raw_rows():
            document, doc_kind, doc_no = _document(kind, terminal, receipt_no, dkind, dno)
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


def _document(
    kind: str, terminal: str | None, receipt_no: int | None, dkind: str | None, dno: int | None
) -> tuple[str, str | None, str | None]:
    """``(document, its kind, its number)``: a till document by terminal and receipt number
    (``T1-42``), a stock document by kind and number (``receipt 7``), else the movement's kind."""
    if terminal is not None:
        ref = f"{terminal}-{receipt_no}"
        return ref, kind, ref
    if dkind is not None:
        return f"{dkind} {dno}", dkind, str(dno)
    return kind, None, None


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


class _Formatter:
    """Turns raw card rows into JSON/CSV records fast (a million rows: no dataclass per row)."""

    def __init__(self, card: StockCard) -> None:
        self.locations = card._locations
        self.zone = zone(card.tz)

    def record(self, row: tuple[Any, ...]) -> dict[str, Any]:
        _id, at, qty, kind, loc, unit_cost, value, reason, terminal, receipt_no, _sk, dkind, dno, balance = row
        if terminal is not None:
            document = f"{terminal}-{receipt_no}"
        elif dkind is not None:
            document = f"{dkind} {dno}"
        else:
            document = kind
        return {
            "at": _as_datetime(at).astimezone(self.zone).isoformat(timespec="seconds"),
            "kind": kind,
            "document": document,
            "location": self.locations.get(loc, ""),
            "reason": reason,
            "qty_in": qty_text(qty) if qty > 0 else "0",
            "qty_out": qty_text(-qty) if qty < 0 else "0",
            "balance": qty_text(balance),
            "unit_cost": money_text(unit_cost),
            "value": money_text(value),
        }


def write_card_json(card: StockCard, out: TextIO) -> int:
    """Write ``{code, name, unit, location, from, to, opening, movements: [...], closing}`` as it
    reads; returns the number of movements. Each movement: ``{at, kind, document, location, reason,
    qty_in, qty_out, balance, unit_cost, value}``."""
    head = json.dumps(card.header(), ensure_ascii=False, indent=2)
    out.write(head[:-2] + ',\n  "movements": [')
    fmt = _Formatter(card)
    count = 0
    dumps = json.dumps
    for row in card.raw_rows():
        out.write(",\n    " if count else "\n    ")
        out.write(dumps(fmt.record(row), ensure_ascii=False))
        count += 1
    out.write("\n  ],\n" if count else "],\n")
    out.write(f'  "closing": {json.dumps(qty_text(card.closing or 0))}\n}}\n')
    return count


def write_card_csv(card: StockCard, out: TextIO) -> int:
    """Write the card's rows as CSV (:data:`CARD_COLUMNS`) as they are read; returns how many."""
    fmt = _Formatter(card)
    return write_records((fmt.record(row) for row in card.raw_rows()), "csv", out, columns=CARD_COLUMNS)

"""What every report returns: a :class:`Report`, the one shape the table, the till's screen, JSON,
CSV, XLSX, PDF and the e-mail are all made from, so every format shows the same figures.

A report is a title, its period and filters, typed columns and rows of plain values (``Decimal``
money and quantities, ``int`` counts and points, ``date`` days, text), an optional totals row,
headline figures (``summary``) and the chart that suits it. Values are never pre-formatted: each
format writes them its own way (JSON as strings with a point, Excel as numbers with a number
format, people's text the Turkish way) from :func:`format_cell` and :func:`json_cell`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pos_tui.core.kernel.clock import iso
from pos_tui.core.kernel.formatting import format_decimal, format_money, format_percent
from pos_tui.core.reports.period import Period

Cell = str | int | Decimal | date | None
"""A value of a report's cell: text, a count, an amount, a day, or nothing (``-`` to people, ``null`` in JSON)."""

Kind = Literal["text", "int", "money", "qty", "percent", "points", "date"]
"""How a column's values read: ``money`` Decimal TL with two places, ``qty`` Decimal in the product's
unit (up to three places), ``percent`` Decimal (12.5 is 12,5 %), ``int`` and ``points`` whole
numbers, ``date`` a shop day, ``text`` anything else."""

KINDS: tuple[str, ...] = ("text", "int", "money", "qty", "percent", "points", "date")

ChartKind = Literal["bar", "line", "heatmap"]


@dataclass(frozen=True, slots=True)
class Column:
    """A column: ``key`` (JSON's field, fixed), ``label`` (the shop's language), ``kind``.

    ``people=False`` marks a column for scripts only (a figure's code such as
    ``members.net_sales``): JSON has it, the formats people read (the table, the till, CSV,
    XLSX, PDF, the e-mail) leave it out (:meth:`Report.for_people`)."""

    key: str
    label: str
    kind: Kind = "text"
    people: bool = True


@dataclass(frozen=True, slots=True)
class Figure:
    """A headline figure of the report (``summary``): ``Net sales: 12.345,60``."""

    key: str
    label: str
    value: Cell
    kind: Kind = "text"


@dataclass(frozen=True, slots=True)
class Chart:
    """The chart that suits the report.

    ``bar`` and ``line``: one bar or point per row, labelled by column ``label``, for each column
    in ``values`` (a line chart's rows are in time order). ``heatmap``: the rows are the map's rows
    (labelled by ``label``) and ``values`` its columns, in order (hour × weekday: a row per weekday,
    a column per hour)."""

    kind: ChartKind
    label: str
    values: tuple[str, ...]
    title: str = ""


@dataclass(frozen=True, slots=True)
class Report:
    """One report's result: see the module docstring. ``rows`` are tuples in ``columns``' order;
    ``totals`` (same length, ``None`` where a column has no total) is the totals row or ``None``."""

    name: str
    title: str
    period: Period
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]
    generated_at: datetime
    totals: tuple[Cell, ...] | None = None
    summary: tuple[Figure, ...] = ()
    chart: Chart | None = None
    notes: tuple[str, ...] = ()
    filters: Mapping[str, str | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        width = len(self.columns)
        for n, row in enumerate(self.rows):
            if len(row) != width:
                raise ValueError(f"report {self.name}: row {n} has {len(row)} cells for {width} columns")
        if self.totals is not None and len(self.totals) != width:
            raise ValueError(f"report {self.name}: the totals row has {len(self.totals)} cells for {width} columns")
        keys = [c.key for c in self.columns]
        if self.chart is not None:
            missing = [k for k in (self.chart.label, *self.chart.values) if k not in keys]
            if missing:
                raise ValueError(f"report {self.name}: the chart names unknown columns {missing}")

    def for_people(self) -> Report:
        """This report without its columns for scripts only (``Column.people``): what every format
        that people read is made from."""
        keep = [n for n, c in enumerate(self.columns) if c.people]
        if len(keep) == len(self.columns):
            return self

        def cut(row: tuple[Cell, ...]) -> tuple[Cell, ...]:
            return tuple(row[n] for n in keep)

        return replace(
            self,
            columns=tuple(self.columns[n] for n in keep),
            rows=tuple(cut(r) for r in self.rows),
            totals=cut(self.totals) if self.totals is not None else None,
        )

    def column(self, key: str) -> int:
        """The index of column ``key``."""
        for n, c in enumerate(self.columns):
            if c.key == key:
                return n
        raise KeyError(key)

    def values(self, key: str) -> list[Cell]:
        """Column ``key``'s values, row by row."""
        n = self.column(key)
        return [row[n] for row in self.rows]

    def as_json(self, tz: str) -> dict[str, Any]:
        """The JSON contract (docs/reports.md "JSON"): rows as objects keyed by column key."""
        keys = [c.key for c in self.columns]
        kinds = [c.kind for c in self.columns]

        def obj(row: Sequence[Cell]) -> dict[str, Any]:
            return {k: json_cell(v, kind) for k, kind, v in zip(keys, kinds, row, strict=True)}

        return {
            "report": self.name,
            "title": self.title,
            "from": self.period.first.isoformat(),
            "to": self.period.last.isoformat(),
            "filters": dict(self.filters),
            "generated_at": iso(self.generated_at, tz),
            "columns": [{"key": c.key, "label": c.label, "kind": c.kind, "people": c.people} for c in self.columns],
            "rows": [obj(r) for r in self.rows],
            "totals": obj(self.totals) if self.totals is not None else None,
            "summary": {f.key: json_cell(f.value, f.kind) for f in self.summary},
            "notes": list(self.notes),
        }


def sum_totals(columns: Sequence[Column], rows: Sequence[Sequence[Cell]], *, summed: Sequence[str]) -> tuple[Cell, ...]:
    """A totals row: the sum of each column in ``summed`` (money, qty, int or points), ``None``
    elsewhere (people's formats write "Total" in the first column when it is empty; JSON keeps ``null``)."""
    out: list[Cell] = []
    for n, col in enumerate(columns):
        if col.key in summed:
            total: Decimal | int = Decimal(0) if col.kind in ("money", "qty") else 0
            for row in rows:
                value = row[n]
                if value is not None:
                    assert isinstance(value, int | Decimal), (col.key, value)
                    total += value
            out.append(total)
        else:
            out.append(None)
    return tuple(out)


def json_cell(value: Cell, kind: str) -> Any:
    """A value as JSON writes it: amounts and quantities as strings with a point (``"1234.50"``,
    ``"1.5"``), counts and points as numbers, days as ``YYYY-MM-DD``."""
    if value is None:
        return None
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return _money_text(value) if kind == "money" else _plain(value)
    return value


def format_cell(value: Cell, kind: str, language: str | None = None) -> str:
    """A value as a person reads it in ``language``: ``2.441,29``, ``1,5``, ``%12,5``, ``06.12.2026``;
    nothing is ``-``."""
    if value is None:
        return "-"
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        if kind == "money":
            return format_money(Decimal(value), language)
        if kind == "percent":
            return format_percent(Decimal(value), language)
        if kind == "qty":
            number = Decimal(value).normalize() if value else Decimal(0)
            return format_decimal(number, grouping=False, language=language)
        return format_decimal(value, language=language)
    return str(value)


def plain_number(value: Cell, kind: str) -> str:
    """A number without grouping, with a point (CSV's default): ``1234.50``; text as it is."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return _money_text(value) if kind == "money" else _plain(value)
    return str(value)


def _money_text(value: Decimal) -> str:
    """Two decimals, or every decimal an amount finer than a kuruş has (a point's value of 0,005 TL):
    never rounded, as :func:`format_money` writes it for people."""
    if value == value.quantize(Decimal("0.01")):
        return f"{value:.2f}"
    return _plain(value)


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f") if value else "0"
    return text

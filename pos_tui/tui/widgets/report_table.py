"""The report screen's table: a report's rows the Turkish way, numbers on the right, the totals row
last, sorted by one column and filtered by a typed text (docs/reports.md "The report screen in the till").

Sorting and filtering change what is shown, never the report: the totals row stays the report's
(the sum of all its rows, also when a filter hides some; the screen says so), and the order goes
back to the report's own with a third press of the sort key.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.widgets import DataTable

from pos_tui.i18n import _
from pos_tui.text import turkish_lower

if TYPE_CHECKING:
    from pos_tui.core.reports import Cell, Report

NUMERIC = frozenset({"int", "money", "qty", "percent", "points"})
TOTALS_KEY = "__totals__"
_ALPHABET = "abcçdefgğhıijklmnoöpqrsştuüvwxyz"
_RANK = {c: 200 + n for n, c in enumerate(_ALPHABET)}


def text_key(text: str) -> tuple[int, ...]:
    """``text`` in Turkish alphabetical order (ç after c, ı before i, ö after o...), case-blind."""
    return tuple(_RANK.get(c, ord(c) if ord(c) < 128 else 1000 + ord(c)) for c in turkish_lower(text))


def _cell_key(value: Cell) -> Any:
    if isinstance(value, str):
        return text_key(value)
    if isinstance(value, date):
        return value.toordinal()
    if isinstance(value, int | Decimal):
        return Decimal(value)
    return 0


@dataclass(frozen=True, slots=True)
class Sort:
    """Rows ordered by column ``column`` (its index), largest first when ``descending``."""

    column: int
    descending: bool


def next_sort(current: Sort | None, column: int, kind: str) -> Sort | None:
    """What the sort key does on ``column``: a new column sorts numbers largest first and text
    A to Z; the same column again reverses; a third time gives the report's own order (None)."""
    first = kind in NUMERIC
    if current is None or current.column != column:
        return Sort(column, first)
    if current.descending == first:
        return Sort(column, not first)
    return None


def sort_rows(rows: Sequence[tuple[Cell, ...]], sort: Sort | None) -> list[tuple[Cell, ...]]:
    """``rows`` in ``sort``'s order (stable: equal ones keep the report's order); empty cells last."""
    if sort is None:
        return list(rows)
    full = [r for r in rows if r[sort.column] is not None]
    empty = [r for r in rows if r[sort.column] is None]
    full.sort(key=lambda r: _cell_key(r[sort.column]), reverse=sort.descending)
    return full + empty


def row_texts(report: Report, row: Sequence[Cell], language: str | None) -> list[str]:
    from pos_tui.core.reports import format_cell

    return [format_cell(v, c.kind, language) for v, c in zip(row, report.columns, strict=True)]


def filter_rows(report: Report, needle: str, language: str | None) -> list[tuple[Cell, ...]]:
    """The rows of which a cell, as the table writes it, contains ``needle`` (Turkish case-blind:
    ``ekmek`` finds ``EKMEK``, ``ı`` finds ``I``); all of them for an empty ``needle``."""
    wanted = turkish_lower(needle.strip())
    if not wanted:
        return list(report.rows)
    return [r for r in report.rows if any(wanted in turkish_lower(t) for t in row_texts(report, r, language))]


def totals_texts(report: Report, language: str | None) -> list[str] | None:
    """The totals row as the table writes it: "Total" in its first empty cell, "" for the others."""
    if report.totals is None:
        return None
    from pos_tui.core.reports import format_cell

    texts = [
        format_cell(v, c.kind, language) if v is not None else ""
        for v, c in zip(report.totals, report.columns, strict=True)
    ]
    for n, value in enumerate(report.totals):
        if value is None:
            texts[n] = _("Total")
            break
    return texts


class ReportTable(DataTable[Any]):
    """A :class:`~pos_tui.core.reports.Report` as a table; ←→ pick the column to sort by."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="cell", zebra_stripes=True)
        self.shown: list[tuple[Cell, ...]] = []

    def show(self, report: Report, language: str | None, *, sort: Sort | None, needle: str) -> None:
        """Fill the table with ``report``'s rows that match ``needle``, in ``sort``'s order, the
        totals row last; the cursor stays in its column."""
        column = self.cursor_column
        self.clear(columns=True)
        for n, c in enumerate(report.columns):
            label = c.label
            if sort is not None and sort.column == n:
                label += " ▼" if sort.descending else " ▲"
            self.add_column(Text(label, justify="right") if c.kind in NUMERIC else label, key=c.key)
        self.shown = sort_rows(filter_rows(report, needle, language), sort)
        right = [c.kind in NUMERIC for c in report.columns]
        for n, row in enumerate(self.shown):
            self.add_row(*_cells(row_texts(report, row, language), right), key=str(n))
        totals = totals_texts(report, language)
        if totals is not None:
            self.add_row(*_cells(totals, right, style="bold"), key=TOTALS_KEY)
        if report.columns:
            self.move_cursor(row=0, column=min(column, len(report.columns) - 1))

    def column_texts(self, column: int) -> list[str]:
        """What the shown rows (not the totals) say in ``column``, top to bottom (for tests and checks)."""
        return [str(self.get_row_at(n)[column]) for n in range(len(self.shown))]


def _cells(texts: Sequence[str], right: Sequence[bool], *, style: str = "") -> list[Text]:
    return [Text(t, justify="right" if r else "left", style=style) for t, r in zip(texts, right, strict=True)]

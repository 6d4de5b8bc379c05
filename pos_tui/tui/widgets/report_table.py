"""The report screen's table: a report's rows the Turkish way, numbers on the right, the totals row
last, sorted by one column and filtered by a typed text (docs/reports.md "The report screen in the till").

Sorting and filtering change what is shown, never the report: the totals row stays the report's
(the sum of all its rows, also when a filter hides some; the screen says so), and the order goes
back to the report's own with a third press of the sort key.

What a narrow terminal needs: another report opens at its first column; its label column (what a
row is: the day, the product, the cashier) stays at the left while the others scroll by it; a
column the edge would cut is left blank rather than shown in part (``1.17`` of ``1.176,50``); the
heat map's table leaves out the hours without any sales (the report and its exports keep all 24).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len
from rich.segment import Segment
from rich.text import Text
from textual.strip import Strip
from textual.widgets import DataTable

from pos_tui.i18n import _
from pos_tui.text import turkish_lower

if TYPE_CHECKING:
    from pos_tui.core.reports import Cell, Report

NUMERIC = frozenset({"int", "money", "qty", "percent", "points"})
LABEL_KINDS = frozenset({"text", "date"})
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


def label_column(report: Report) -> int | None:
    """The column that says what a row is: the chart's label column when it is text or a day (the
    product's name rather than its code), else the first text or day column; None without one."""
    kinds = [c.kind for c in report.columns]
    if report.chart is not None:
        try:
            n = report.column(report.chart.label)
        except KeyError:
            n = -1
        if n >= 0 and kinds[n] in LABEL_KINDS:
            return n
    return next((n for n, kind in enumerate(kinds) if kind in LABEL_KINDS), None)


def first_label_column(report: Report) -> int | None:
    """The first text or day column (the narrower choice when the chart's label is too wide to keep)."""
    return next((n for n, c in enumerate(report.columns) if c.kind in LABEL_KINDS), None)


def empty_hours(report: Report) -> frozenset[int]:
    """A heat map's value columns in which no row has anything (the hours without a sale): the
    screen's table leaves them out. Nothing for any other chart."""
    if report.chart is None or report.chart.kind != "heatmap" or not report.rows:
        return frozenset()
    empty = set()
    for key in report.chart.values:
        n = report.column(key)
        if all(not row[n] for row in report.rows):
            empty.add(n)
    if len(empty) == len(report.chart.values):
        return frozenset()  # nothing sold at all: every hour, so the table is not a bare weekday list
    return frozenset(empty)


class ReportTable(DataTable[Any]):
    """A :class:`~pos_tui.core.reports.Report` as a table; ←→ pick the column to sort by."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="cell", zebra_stripes=True)
        self.shown: list[tuple[Cell, ...]] = []
        self.shown_columns: list[int] = []  # the report's column index of each column shown, left to right
        self.report_name: str | None = None
        self.label_index: int | None = None  # the report's column that stays at the left

    def show(self, report: Report, language: str | None, *, sort: Sort | None, needle: str) -> None:
        """Fill the table with ``report``'s rows that match ``needle``, in ``sort``'s order, the
        totals row last. The same report again (another period, sort or filter) keeps the cursor's
        column; another report starts at its first column."""
        same = report.name == self.report_name
        column = self.report_column(self.cursor_column) if same and self.shown_columns else 0
        self.report_name = report.name
        self.clear(columns=True)
        hidden = empty_hours(report)
        self.shown_columns = [n for n in range(len(report.columns)) if n not in hidden]
        self.shown = sort_rows(filter_rows(report, needle, language), sort)
        texts = [self._pick(row_texts(report, row, language)) for row in self.shown]
        totals = totals_texts(report, language)
        if totals is not None:
            texts.append(self._pick(totals))
        right = [report.columns[n].kind in NUMERIC for n in self.shown_columns]
        for m, n in enumerate(self.shown_columns):
            c = report.columns[n]
            label = c.label
            if sort is not None and sort.column == n:
                label += " ▼" if sort.descending else " ▲"
            # sized to its content here, not when the table is next idle: a paint before that
            # would keep cells cut to the header's width
            width = max([cell_len(label), *(cell_len(row[m]) for row in texts)])
            self.add_column(Text(label, justify="right") if c.kind in NUMERIC else label, key=c.key, width=width)
        for n, row in enumerate(texts[: len(self.shown)]):
            self.add_row(*_cells(row, right), key=str(n))
        if totals is not None:
            self.add_row(*_cells(texts[-1], right, style="bold"), key=TOTALS_KEY)
        self.label_index = label_column(report)
        self.fix_label_column(report)
        if self.shown_columns:
            self.move_cursor(row=0, column=self.table_column(column))
            if not same:
                self.scroll_x = 0

    def _pick(self, texts: Sequence[str]) -> list[str]:
        return [texts[n] for n in self.shown_columns]

    def report_column(self, shown: int) -> int:
        """The report's column index of the table's column ``shown`` (they differ when hours are left out)."""
        if not self.shown_columns:
            return 0
        return self.shown_columns[min(max(shown, 0), len(self.shown_columns) - 1)]

    def table_column(self, column: int) -> int:
        """The table's column showing the report's column ``column`` (the nearest one shown before it
        when it is left out)."""
        before = [n for n, c in enumerate(self.shown_columns) if c <= column]
        return before[-1] if before else 0

    def fix_label_column(self, report: Report | None = None) -> None:
        """Keep the columns up to the label column at the left while the others scroll (none when
        they would take more than half the table's width: then the first text column, or none)."""
        room = self.scrollable_content_region.width or 80
        fixed = 0
        candidates = [self.label_index]
        if report is not None:
            candidates.append(first_label_column(report))
        for index in candidates:
            if index is None or index not in self.shown_columns:
                continue
            count = self.shown_columns.index(index) + 1
            width = sum(c.get_render_width(self) for c in self.ordered_columns[:count])
            if width * 2 <= room:
                fixed = count
                break
        self.fixed_columns = fixed

    def on_resize(self) -> None:
        if self.report_name is not None:
            self.fix_label_column()

    def column_texts(self, column: int) -> list[str]:
        """What the shown rows (not the totals) say in the report's column ``column``, top to bottom
        (for tests and checks); nothing for a column left out."""
        if column not in self.shown_columns:
            return []
        shown = self.shown_columns.index(column)
        return [str(self.get_row_at(n)[shown]) for n in range(len(self.shown))]

    def shown_labels(self) -> list[str]:
        """The labels of the columns shown, left to right (the heat map leaves empty hours out)."""
        return [str(c.label) for c in self.ordered_columns]

    def render_line(self, y: int) -> Strip:
        """A line of the table with the column the right or left edge cuts left blank: a number is
        shown whole or not at all (the cursor's cell is always whole: the table scrolls to it)."""
        strip = super().render_line(y)
        cuts = self._edge_cuts()
        if not cuts:
            return strip
        parts: list[Strip] = []
        at = 0
        for start, end in cuts:
            parts.append(strip.crop(at, start))
            parts.append(_blanked(strip.crop(start, end)))
            at = end
        parts.append(strip.crop(at, strip.cell_length))
        return Strip.join(parts)

    def _edge_cuts(self) -> list[tuple[int, int]]:
        """The ranges of screen cells of the columns shown only in part, left to right."""
        width = self.scrollable_content_region.width
        columns = self.ordered_columns
        fixed = sum(c.get_render_width(self) for c in columns[: self.fixed_columns])
        room = width - fixed
        scroll = self.scroll_offset.x
        cuts = []
        x = 0
        for n, column in enumerate(columns):
            w = column.get_render_width(self)
            start, end = x, x + w
            x = end
            if n < self.fixed_columns or w > room:
                continue
            left, right = start - scroll, end - scroll
            shown_left, shown_right = max(left, fixed), min(right, width)
            if shown_left < shown_right and (shown_left, shown_right) != (left, right):
                cuts.append((shown_left, shown_right))
        return cuts


def _blanked(strip: Strip) -> Strip:
    """``strip`` with its text turned to spaces (its colours kept: the zebra stripe goes on)."""
    return Strip([Segment(" " * cell_len(s.text), s.style) for s in strip if not s.control], strip.cell_length)


def _cells(texts: Sequence[str], right: Sequence[bool], *, style: str = "") -> list[Text]:
    return [Text(t, justify="right" if r else "left", style=style) for t, r in zip(texts, right, strict=True)]

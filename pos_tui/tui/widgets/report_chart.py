"""The report screen's chart: horizontal bars, columns over time and the hour × weekday heat map,
drawn with block characters by Rich (docs/reports.md "The report screen in the till").

Why our own and not ``textual-plotext``: its 1.0.1 needs ``plotext<6`` (neither is a dependency),
and a plotext canvas draws braille dots in true colour that an SSH terminal with 16 or 256 colours,
or a shop's old terminal font, shows badly. The three charts a report needs are a few dozen lines
of block characters (``▏▎▍▌▋▊▉█``, ``▁▂▃▄▅▆▇█``, ``░▒▓█``) in the 16 standard colours, with their
values written the Turkish way; the shape is in the characters, so a monochrome terminal reads it
too. The drawing functions are pure (width and height in, a :class:`~rich.text.Text` out): tests
read their plain text.

Every figure on a chart is a value of the report (a bar's own value, the axis' highest and lowest
column) or, where the chart has fewer columns than days, the average of the days a column stands
for (said under the chart, rounded to the kuruş for the axis: the table has the exact figures).

Several series are told apart without colour: each has its own block (``█ ▓ ▒ ░ ▚``), shown in the
legend and at the start of each of its bars, so a bar of nothing still says whose it is. A chart
that would say nothing (one bar alone, one day's column, nothing but zeros) is one line instead:
the figure, or why there is no chart (:func:`chart_plan`).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Literal

from rich.cells import cell_len
from rich.text import Text
from textual.widget import Widget

from pos_tui.i18n import _, ngettext

if TYPE_CHECKING:
    from pos_tui.core.reports import Cell, Report

EIGHTHS = " ▏▎▍▌▋▊▉█"  # a bar's last cell: 0 to 8 eighths of a cell
LEVELS = " ▁▂▃▄▅▆▇█"  # a column's top cell: 0 to 8 eighths of a row
SHADES = "░▒▓█"  # a heat-map cell: up to a quarter, half, three quarters, all of the highest value
ZERO = "·"  # a heat-map cell of nothing (shown, so the grid's rows and hours can be counted)
SERIES_STYLES = ("cyan", "magenta", "yellow", "green", "blue")  # the 16 standard colours: any terminal, any browser
SERIES_GLYPHS = "█▓▒░▚"  # each series its own block, so a monochrome terminal tells them apart
SHADE_STYLES = ("blue", "cyan", "yellow", "red")
NEGATIVE_STYLE = "red"
MAX_COLUMN_WIDTH = 5  # a column chart of a few days: each day's column at most this wide
MAX_ROWS = 15  # a column chart beside a short table: at most this many rows high
MAX_LINES = 14  # under the table at 80 columns: the most lines a chart takes from it
LEAST_TABLE = 5  # ... and the table keeps at least its header, three rows and its scroll bar

Series = tuple[str, Sequence[Decimal]]
"""A chart's series: its name (the column's label) and one value per row."""


def number(value: Cell) -> Decimal:
    """A cell as a chart's number: nothing (and text) is zero."""
    if isinstance(value, bool):
        return Decimal(int(value))
    if isinstance(value, Decimal | int):
        return Decimal(value)
    return Decimal(0)


def value_text(value: Decimal, kind: str, language: str | None) -> str:
    """``value`` of a column of ``kind`` the way the table writes it."""
    from pos_tui.core.reports import format_cell

    if kind in ("int", "points") and value == value.to_integral_value():
        return format_cell(int(value), kind, language)
    return format_cell(value, kind, language)


def _rounded(value: Decimal, kind: str) -> Decimal:
    """An average the chart made, rounded for its axis (money to the kuruş, counts to a tenth)."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    step = Decimal("0.01") if kind in ("money", "percent") else Decimal("0.1")
    return value.quantize(step, rounding=ROUND_HALF_UP)


def _cut(text: str, width: int) -> str:
    """``text`` in at most ``width`` cells, a long one cut with "…"."""
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return text
    out = ""
    for char in text:
        if cell_len(out + char) > width - 1:
            break
        out += char
    return out + "…"


def _pad(text: str, width: int, *, right: bool = False) -> str:
    gap = " " * max(width - cell_len(text), 0)
    return gap + text if right else text + gap


def glyph(series: int) -> str:
    return SERIES_GLYPHS[series % len(SERIES_GLYPHS)]


def series_style(series: int) -> str:
    return SERIES_STYLES[series % len(SERIES_STYLES)]


def _legend(series: Sequence[Series], width: int) -> Text:
    """Each series' block and name, on as many lines as ``width`` needs (a name is never cut
    from its block)."""
    out = Text(no_wrap=True, overflow="ellipsis")
    used = 0
    for n, (name, _values) in enumerate(series):
        entry = _cut(name, max(width - 2, 1))
        size = 2 + cell_len(entry)
        if used and used + 2 + size > width:
            out.append("\n")
            used = 0
        elif used:
            out.append("  ")
            used += 2
        out.append(glyph(n) + " ", style=series_style(n))
        out.append(entry)
        used += size
    return out


def legend_lines(names: Sequence[str], width: int) -> int:
    """How many lines :func:`_legend` takes for series ``names`` at ``width``."""
    return len(_legend([(name, ()) for name in names], width).plain.split("\n"))


def bar_chart(
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    kind: str,
    width: int,
    height: int,
    language: str | None = None,
) -> Text:
    """A line per row and series: the label, a bar of eighth blocks as long as the value is against
    the largest one, and the value (``Ekmek   ████▍      40,00``). A negative value's bar is red.
    Several series: the legend first, then each row's series on lines of their own, each bar
    after its series' block (``▓ ▓▓▓▓   12,00``; of a value of nothing only the block and ``0,00``).
    More rows than lines: the first ones and "… and N more" (the table has them all)."""
    out = Text(no_wrap=True, overflow="ellipsis")
    if width < 12 or height < 1 or not labels:
        return out
    lines_left = height
    per_row = len(series)
    several = per_row > 1
    if several:
        legend = _legend(series, width)
        out.append_text(legend)
        lines_left -= len(legend.plain.split("\n"))
    values = [[number(v) for v in values] for _name, values in series]
    texts = [[value_text(v, kind, language) for v in row] for row in values]
    value_width = max((cell_len(t) for row in texts for t in row), default=1)
    label_width = min(max(cell_len(label) for label in labels), max(6, width // 3))
    marker = 2 if several else 0  # the series' block and a space before its bar
    bar_width = max(width - label_width - marker - value_width - 2, 1)
    largest = max((abs(v) for row in values for v in row), default=Decimal(0)) or Decimal(1)
    shown = len(labels) if len(labels) * per_row <= lines_left else max((lines_left - 1) // per_row, 0)
    for n in range(shown):
        for s in range(per_row):
            if out.plain:
                out.append("\n")
            value = values[s][n]
            eighths = int((abs(value) * bar_width * 8 / largest).to_integral_value(rounding=ROUND_HALF_UP))
            if value and not eighths:
                eighths = 1  # a value too small for its bar still shows one
            if s == 0:
                bar = "█" * (eighths // 8) + (EIGHTHS[eighths % 8] if eighths % 8 else "")
            else:  # the other blocks have no eighths: whole cells, at least one for a value
                cells = (eighths + 4) // 8 or (1 if value else 0)
                bar = glyph(s) * cells
            style = NEGATIVE_STYLE if value < 0 else series_style(s)
            out.append(_pad(_cut(labels[n], label_width) if s == 0 else "", label_width) + " ")
            if several:
                out.append(glyph(s), style=series_style(s))
                out.append(" ")
            out.append(_pad(bar, bar_width), style=style)
            out.append(" " + _pad(texts[s][n], value_width, right=True))
    if shown < len(labels):
        more = len(labels) - shown
        if out.plain:
            out.append("\n")
        out.append(
            ngettext("… and {n} more row (in the table)", "… and {n} more rows (in the table)", more).format(n=more),
            style="dim",
        )
    return out


def _buckets(values: Sequence[Decimal], count: int) -> list[Decimal]:
    """``values`` averaged into ``count`` consecutive groups as even as can be (a chart narrower
    than its days)."""
    out = []
    for n in range(count):
        start, end = n * len(values) // count, (n + 1) * len(values) // count
        group = values[start:end]
        out.append(sum(group, Decimal(0)) / len(group))
    return out


def _eighths(value: Decimal, room: int, span: Decimal) -> int:
    """How many of ``room`` eighths ``value`` fills, out of ``span`` (rounded half up)."""
    return int((value * room / span).to_integral_value(rounding=ROUND_HALF_UP))


def line_chart(
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    kind: str,
    width: int,
    height: int,
    language: str | None = None,
) -> Text:
    """Columns over time, in row order: the highest value on the axis' top line, the lowest (or 0)
    on its bottom line, the first and last label under the columns. Several series stand side by
    side at each point. More points than columns: each column is the average of the days it stands
    for, and the last line says how many."""
    out = Text(no_wrap=True, overflow="ellipsis")
    points = len(labels)
    if width < 16 or height < 3 or not points:
        return out
    k = len(series)
    raw = [[number(v) for v in values] for _name, values in series]
    axis_room = width // 3
    # first guess of the axis' width, to know the room for the columns
    guess = max(cell_len(value_text(v, kind, language)) for row in raw for v in row)
    plot_width = max(width - min(guess, axis_room) - 1, k)
    per_column = 1
    if points * k > plot_width:
        per_column = -(-points // (plot_width // k))  # days a column stands for, rounded up
    columns = -(-points // per_column)
    shown = [_buckets(row, columns) if per_column > 1 else row for row in raw]
    if per_column > 1:
        shown = [[_rounded(v, kind) for v in row] for row in shown]
    high = max(max((v for row in shown for v in row), default=Decimal(0)), Decimal(0))
    low = min(min((v for row in shown for v in row), default=Decimal(0)), Decimal(0))
    top, bottom = value_text(high, kind, language), value_text(low, kind, language)
    axis = min(max(cell_len(top), cell_len(bottom)), axis_room)
    plot_width = max(width - axis - 1, k)
    slot = plot_width // columns  # cells for each point's columns and the gap after them
    gap = 1 if slot >= 2 * k + 1 else 0
    column_width = max(1, min(MAX_COLUMN_WIDTH, (slot - gap) // k))
    legend = k > 1
    note = per_column > 1
    rows = min(max(height - 1 - int(legend) - int(note), 1), MAX_ROWS)
    if legend:
        out.append_text(_legend(series, width))
    span = (high - low) or Decimal(1)
    heights = [
        [int(((v - low) * rows * 8 / span).to_integral_value(rounding=ROUND_HALF_UP)) for v in row] for row in shown
    ]
    for r in range(rows):
        if out.plain:
            out.append("\n")
        level = rows - r - 1  # rows of eighths under this one
        mark = _pad(top if r == 0 else bottom if r == rows - 1 else "", axis, right=True)
        out.append(_cut(mark, axis) if cell_len(mark) > axis else mark, style="dim")
        out.append("┤" if r in (0, rows - 1) else "│", style="dim")
        for c in range(columns):
            for s in range(k):
                filled = heights[s][c] - level * 8
                if s == 0:
                    char = "█" if filled >= 8 else LEVELS[filled] if filled > 0 else " "
                else:  # its own block, whole cells: from half a cell up (the lowest cell for any value)
                    char = glyph(s) if filled >= 4 or (level == 0 and filled > 0) else " "
                style = NEGATIVE_STYLE if shown[s][c] < 0 else series_style(s)
                out.append(char * column_width, style=style)
            if gap:
                out.append(" ")
    out.append("\n")
    first, last = labels[0], labels[-1]
    drawn = columns * (k * column_width + gap)
    under = " " * (axis + 1)
    room = max(drawn, cell_len(first) + cell_len(last) + 1)
    if points == 1:
        under += first
    else:
        under += first + " " * max(room - cell_len(first) - cell_len(last), 1) + last
    out.append(_cut(under, width), style="dim")
    if note:
        out.append("\n")
        out.append(
            _cut(
                ngettext(
                    "each column: the average of {n} row", "each column: the average of {n} rows", per_column
                ).format(n=per_column),
                width,
            ),
            style="dim",
        )
    return out


def heat_map(
    row_labels: Sequence[str],
    column_labels: Sequence[str],
    grid: Sequence[Sequence[Decimal]],
    *,
    kind: str,
    width: int,
    height: int,
    language: str | None = None,
) -> Text:
    """A row per weekday, a cell per hour, shaded by its value against the highest one (``░`` up
    to a quarter, ``▒`` a half, ``▓`` three quarters, ``█`` the rest; ``·`` nothing, a red ``-``
    less than nothing); the hours' labels above, the legend with the values under. A cell is two
    characters wide when the width allows."""
    out = Text(no_wrap=True, overflow="ellipsis")
    if not row_labels or not column_labels or width < 10 or height < 3:
        return out
    values = [[number(v) for v in row] for row in grid]
    label_width = max(cell_len(label) for label in row_labels)
    cols = len(column_labels)
    cell = 2 if label_width + 1 + 2 * cols <= width else 1
    header = [" "] * (cell * cols)
    step = 1
    while step < cols and max(cell_len(lbl) for lbl in column_labels) + 1 > step * cell:
        step += 1
    for c in range(0, cols, step):
        label = column_labels[c]
        if c * cell + cell_len(label) <= len(header):
            header[c * cell : c * cell + cell_len(label)] = list(label)
    out.append(" " * (label_width + 1) + "".join(header).rstrip(), style="dim")
    highest = max((v for row in values for v in row), default=Decimal(0))
    rows_room = max(height - 2, 1)
    for n, label in enumerate(row_labels[:rows_room]):
        out.append("\n")
        out.append(_pad(label, label_width) + " ")
        for v in values[n]:
            if v < 0:
                out.append("-" * cell, style=NEGATIVE_STYLE)
            elif v == 0 or highest <= 0:
                out.append(ZERO * cell, style="dim")
            else:
                level = min(int((v * 4 / highest).to_integral_value(rounding="ROUND_CEILING")), 4) - 1
                out.append(SHADES[level] * cell, style=SHADE_STYLES[level])
    out.append("\n")
    negative = any(v < 0 for row in values for v in row)
    out.append_text(heat_legend(highest, kind, width, language, negative=negative))
    return out


def heat_legend(
    highest: Decimal, kind: str, width: int, language: str | None = None, *, negative: bool = False
) -> Text:
    """``· 0  ░ ≤250  ▒ ≤500  ▓ ≤750  █ ≤1.000``: what each shade stands for (the quarters of the
    highest value, rounded for the legend), and a red ``-`` for a cell under nothing (an hour of
    returns only) when there is one: ``- <0: returns only``, or ``- <0`` where that is too long.
    A narrow one keeps the highest alone."""
    minus = [" " + _("<0: returns only"), " <0"] if negative else [""]
    candidates: list[Text] = []
    for words in minus:
        line = Text(no_wrap=True, overflow="ellipsis")
        if highest <= 0:
            line.append(ZERO + " " + _("nothing"), style="dim")
        else:
            line.append(ZERO + " 0", style="dim")
            for n, shade in enumerate(SHADES, 1):
                line.append("  ")
                line.append(shade, style=SHADE_STYLES[n - 1])
                line.append(" ≤" + value_text(_rounded(highest * n / 4, kind), kind, language))
        if negative:
            line.append("  ")
            line.append("-", style=NEGATIVE_STYLE)
            line.append(words)
        candidates.append(line)
    for line in candidates:
        if cell_len(line.plain) <= width:
            return line
    line = Text(no_wrap=True, overflow="ellipsis")
    line.append(ZERO + " 0 ", style="dim")
    for n, shade in enumerate(SHADES):
        line.append(shade, style=SHADE_STYLES[n])
    line.append(" ≤" + value_text(max(highest, Decimal(0)), kind, language))
    if negative:
        line.append("  ")
        line.append("-", style=NEGATIVE_STYLE)
        line.append(" <0")
    line.truncate(width)
    return line


Plan = Literal["none", "line", "chart"]


def _all_values(report: Report) -> list[Decimal]:
    assert report.chart is not None
    return [number(v) for key in report.chart.values for v in report.values(key)]


def chart_plan(report: Report | None) -> Plan:
    """What the screen shows for ``report``'s chart: ``none`` (no chart, or no rows), ``line`` (a
    chart would say nothing: one bar alone, one day's column, nothing but zeros; one line says the
    figure or why) or ``chart``."""
    if report is None or report.chart is None or not report.rows:
        return "none"
    if not any(_all_values(report)):
        return "line"
    if report.chart.kind != "heatmap" and len(report.rows) == 1 and len(report.chart.values) == 1:
        return "line"
    return "chart"


def _labels(report: Report, language: str | None) -> list[str]:
    from pos_tui.core.reports import format_cell

    assert report.chart is not None
    label_column = report.columns[report.column(report.chart.label)]
    return [format_cell(v, label_column.kind, language) for v in report.values(report.chart.label)]


def chart_line(report: Report, width: int, language: str | None = None) -> Text:
    """The one line that stands for a chart that would say nothing (:func:`chart_plan`)."""
    assert report.chart is not None
    title = report.chart.title or report.title
    if not any(_all_values(report)):
        text = _("{title}: all zero in this period, no chart").format(title=title)
    else:
        column = report.columns[report.column(report.chart.values[0])]
        value = value_text(number(report.rows[0][report.column(column.key)]), column.kind, language)
        text = _("{title}: {label} {value} · one row, no chart").format(
            title=title, label=_labels(report, language)[0], value=value
        )
    return Text(_cut(text, width), style="dim", no_wrap=True, overflow="ellipsis")


def chart_text(report: Report, width: int, height: int, language: str | None = None) -> Text:
    """The chart ``report`` asks for, in ``width`` × ``height`` cells; its title on the first line
    (left out of a heat map that would otherwise lose a weekday). One line for a chart that would
    say nothing (:func:`chart_line`); nothing for a report without a chart or rows."""
    plan = chart_plan(report)
    chart = report.chart
    if plan == "none" or chart is None or height < 1:
        return Text("")
    if plan == "line":
        return chart_line(report, width, language)
    if height < 2:
        return Text("")
    labels = _labels(report, language)
    value_columns = [report.columns[report.column(key)] for key in chart.values]
    kind = value_columns[0].kind
    out = Text(no_wrap=True, overflow="ellipsis")
    titled = chart.kind != "heatmap" or height >= min(len(labels), 7) + 3
    if titled:
        out.append(_cut(chart.title or report.title, width), style="bold")
    body_height = height - int(titled)
    if chart.kind == "heatmap":
        grid = [[number(row[report.column(key)]) for key in chart.values] for row in report.rows]
        body = heat_map(
            labels,
            [c.label for c in value_columns],
            grid,
            kind=kind,
            width=width,
            height=body_height,
            language=language,
        )
    else:
        series = [(c.label, [number(v) for v in report.values(c.key)]) for c in value_columns]
        if chart.kind == "line" and len(labels) > 1:
            body = line_chart(labels, series, kind=kind, width=width, height=body_height, language=language)
        else:  # bars; one day of several series too (their bars side by side say more than one column)
            body = bar_chart(labels, series, kind=kind, width=width, height=body_height, language=language)
    if body.plain:
        if out.plain:
            out.append("\n")
        out.append_text(body)
    return out


def chart_lines(report: Report | None, width: int = 78) -> tuple[int, int]:
    """``(least, most)`` lines the chart takes under the table at 80 columns: a heat map its
    weekdays and the legend (and its title when there is room); bars their rows, a line per series
    and row after the legend, at least two rows of several series, five of one; columns over time
    seven to twelve; one line for a chart that would say nothing; (0, 0) without a chart."""
    plan = chart_plan(report)
    if plan == "none" or report is None or report.chart is None:
        return 0, 0
    if plan == "line":
        return 1, 1
    rows = len(report.rows)
    chart = report.chart
    if chart.kind == "heatmap":
        days = min(rows, 7)
        return days + 2, days + 3
    if chart.kind == "line" and rows > 1:
        return 7, 12
    k = len(chart.values)
    head = 1 + (legend_lines([report.columns[report.column(key)].label for key in chart.values], width) if k > 1 else 0)
    most = min(head + rows * k, MAX_LINES)
    few = min(rows, 2 if k > 1 else 5)
    least = min(head + few * k + int(few < rows), most)
    return least, max(least, most)


def chart_height(report: Report | None, *, narrow: bool, room: int | None = None, width: int = 78) -> int:
    """The lines the chart takes under the table (``narrow``; beside it, 0: all the height there is):
    its least (:func:`chart_lines`), more up to its most when the table leaves ``room``."""
    least, most = chart_lines(report, width)
    if not narrow and chart_plan(report) == "chart":
        return 0
    if room is None:
        return least
    return max(least, min(most, room))


class ReportChart(Widget):
    """The chart of the report shown (:meth:`show`), drawn to the widget's size on every resize."""

    DEFAULT_CSS = """
    ReportChart {
        height: 7;
        padding: 0 1;
    }
    """

    def __init__(self, language: str | None = None, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.language = language
        self.report: Report | None = None

    def show(self, report: Report | None) -> None:
        self.report = report
        self.refresh(layout=True)

    def render(self) -> Text:
        if self.report is None:
            return Text("")
        size = self.content_region.size if self.is_mounted else self.size
        return chart_text(self.report, size.width, size.height, self.language)

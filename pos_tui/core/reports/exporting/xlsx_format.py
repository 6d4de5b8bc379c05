"""A report as an Excel workbook (docs/reports.md "Exports"), written with ``xlsxwriter``.

One sheet: a title block (the shop's name, the report's title, period, filters, when it was
made), the table with its header row frozen and an autofilter, the totals row in bold, then the
summary figures and the notes below. Every figure is a real number with a number format, so
Excel sums and sorts it: money ``#,##0.00`` (``#,##0.000`` for an amount finer than a kuruş, a
point's value of 0,005 TL: every decimal the report has is shown), counts and points ``#,##0``,
quantities ``#,##0`` or up to three decimals (``#,##0.0##``), days real dates shown ``dd.mm.yyyy``,
and percentages as the fraction Excel means by a percent (12,5 % is stored ``0.125``, shown
``0.0%``; 12,34 % ``0.00%``), so that a formula over them works as it does on any other percent cell.
Columns are as wide as their longest value (at most 60 characters).

The report's chart becomes a native Excel chart beside the table: ``bar`` a column chart, ``line``
a line chart, the label column as categories and each value column a series (a bar chart shows
the first :data:`CHART_ROWS` rows, in the report's order). A heat map is the value cells coloured
by a three-colour scale instead.
"""

from __future__ import annotations

import io
import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pos_tui.core.reports.exporting.headings import title_lines, totals_cells
from pos_tui.core.reports.model import Cell, Report, format_cell
from pos_tui.settings import Settings

CHART_ROWS = 50
"""A bar chart shows at most this many rows (the report's first ones): more bars are unreadable."""

NUMBER_FORMATS = {
    "money": "#,##0.00",
    "int": "#,##0",
    "points": "#,##0",
    "qty": "#,##0",
    "qty_fraction": "#,##0.0##",
    "percent": "0.0%",
    "date": "dd.mm.yyyy",
}
"""The Excel number format of each column kind (``qty_fraction``: a quantity with decimals)."""

_MAX_WIDTH = 60
_SHEET_LENGTH = 31
_MOST_PLACES = 10  # decimals shown at most (a point's value of 0,005 TL has three)
_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")


def sheet_name(title: str) -> str:
    """A valid Excel sheet name for ``title``: none of ``[]:*?/\\``, at most 31 characters, cut after a
    whole word when longer, and neither beginning nor ending with an apostrophe (Excel refuses those; the
    ends are trimmed after the cut, which may leave one there)."""
    text = " ".join(_SHEET_NAME.sub(" ", title).split())
    if len(text) > _SHEET_LENGTH:
        space = text[: _SHEET_LENGTH + 1].rfind(" ")
        text = text[:space] if space > 0 else text[:_SHEET_LENGTH]
    return text.strip("' ") or "Rapor"


def fine_format(base: str, value: Decimal, *, least: int) -> str:
    """``base`` (``#,##0.00``, ``0.0%``) with as many decimals as ``value`` has when it has more than
    ``least``: Excel shows what the report says, never a rounded 0,01 for a point's 0,005."""
    exponent = value.normalize().as_tuple().exponent if value else 0
    places = -exponent if isinstance(exponent, int) else 0
    if places <= least:
        return base
    head, point, tail = base.partition(".")
    zeros = len(tail) - len(tail.lstrip("0"))
    return head + point + "0" * min(places, _MOST_PLACES) + tail[zeros:]


def _width(text: str) -> int:
    return min(max(len(line) for line in text.splitlines() or [""]), _MAX_WIDTH)


def xlsx_bytes(report: Report, *, settings: Settings) -> bytes:
    """``report`` as an XLSX workbook's bytes (see the module docstring)."""
    report = report.for_people()
    import xlsxwriter

    language = settings.language
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    book.set_properties(
        {
            "title": report.title,
            "company": settings.shop.legal_name or settings.shop.name,
            "created": report.generated_at.replace(tzinfo=None),
        }
    )
    name = sheet_name(report.title)
    sheet = book.add_worksheet(name)
    bold = book.add_format({"bold": True})
    shop_format = book.add_format({"bold": True, "font_size": 14})
    title_format = book.add_format({"bold": True, "font_size": 12})
    header_format = book.add_format({"bold": True, "bg_color": "#DDEBF7", "bottom": 1, "text_wrap": True})
    formats: dict[tuple[str, bool], Any] = {}

    def number_format(kind: str, total: bool) -> Any:
        key = (kind, total)
        if key not in formats:
            spec: dict[str, Any] = {"num_format": NUMBER_FORMATS.get(kind, kind)}
            if total:
                spec |= {"bold": True, "top": 1}
            formats[key] = book.add_format(spec)
        return formats[key]

    total_text = book.add_format({"bold": True, "top": 1})

    def write(row: int, col: int, value: Cell, kind: str, total: bool = False) -> None:
        if value is None:
            if total:
                sheet.write_blank(row, col, None, total_text)
            return
        if isinstance(value, date):
            sheet.write_datetime(row, col, datetime(value.year, value.month, value.day), number_format("date", total))
        elif isinstance(value, int | Decimal) and not isinstance(value, bool):
            # Decimal and int passed as they are, as the account statements' XLSX does
            if kind == "percent":
                spec = fine_format("0.0%", Decimal(value), least=1)  # 12,5 % as 0.0%, 12,34 % as 0.00%
                sheet.write_number(row, col, Decimal(value) / 100, number_format(spec, total))
            elif kind == "money":
                spec = fine_format("#,##0.00", Decimal(value), least=2)  # 0,005 TL (a point) as #,##0.000
                sheet.write_number(row, col, value, number_format(spec, total))
            elif kind == "qty":
                fraction = Decimal(value) != Decimal(value).to_integral_value()
                sheet.write_number(row, col, value, number_format("qty_fraction" if fraction else "qty", total))
            elif kind in NUMBER_FORMATS:
                sheet.write_number(row, col, value, number_format(kind, total))
            else:
                sheet.write_number(row, col, value, number_format("int", total) if total else None)
        else:
            sheet.write_string(row, col, str(value), total_text if total else None)

    # the title block
    sheet.write_string(0, 0, settings.shop.name, shop_format)
    lines = title_lines(report, settings)
    sheet.write_string(1, 0, lines[0], title_format)
    for n, line in enumerate(lines[1:], start=2):
        sheet.write_string(n, 0, line)
    head = len(lines) + 2  # a blank line under the block
    columns = report.columns
    widths = [_width(c.label) for c in columns]
    for col, column in enumerate(columns):
        sheet.write_string(head, col, column.label, header_format)
    first = head + 1
    for r, row in enumerate(report.rows):
        for col, (value, column) in enumerate(zip(row, columns, strict=True)):
            write(first + r, col, value, column.kind)
            widths[col] = max(widths[col], _width(format_cell(value, column.kind, language)))
    last = first + len(report.rows) - 1  # < first when there is no row
    below = last + 1
    totals = totals_cells(report)
    if totals is not None:
        for col, (value, column) in enumerate(zip(totals, columns, strict=True)):
            write(below, col, value, column.kind, total=True)
            widths[col] = max(widths[col], _width(format_cell(value, column.kind, language)))
        below += 1
    sheet.freeze_panes(first, 0)
    sheet.autofilter(head, 0, max(last, head), len(columns) - 1)

    # the summary figures and the notes
    at = below + 1
    widths += [0] * (2 - len(widths))  # a one-column report still has a figure's value column
    if report.summary:
        for figure in report.summary:
            sheet.write_string(at, 0, figure.label, bold)
            write(at, 1, figure.value, figure.kind)
            widths[0] = max(widths[0], _width(figure.label))
            widths[1] = max(widths[1], _width(format_cell(figure.value, figure.kind, language)))
            at += 1
        at += 1
    for note in report.notes:
        sheet.write_string(at, 0, note)
        at += 1
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width + 2)
    sheet.set_footer("&L" + settings.shop.name.replace("&", "&&") + "&R&P / &N")
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(head)

    if report.chart is not None and report.rows:
        _chart(book, sheet, name, report, head, first, last, len(columns))
    book.close()
    return buffer.getvalue()


def _chart(book: Any, sheet: Any, name: str, report: Report, head: int, first: int, last: int, width: int) -> None:
    chart = report.chart
    assert chart is not None
    value_columns = [report.column(key) for key in chart.values]
    if chart.kind == "heatmap":
        ranges = [(first, col, last, col) for col in value_columns]
        spec: dict[str, Any] = {"type": "3_color_scale"}
        if len(ranges) > 1:
            from xlsxwriter.utility import xl_range

            spec["multi_range"] = " ".join(xl_range(*r) for r in ranges)
        sheet.conditional_format(*ranges[0], spec)
        return
    if chart.kind == "bar":
        last = min(last, first + CHART_ROWS - 1)
    excel = book.add_chart({"type": "column" if chart.kind == "bar" else "line"})
    label = report.column(chart.label)
    for col in value_columns:
        kind = report.columns[col].kind
        series: dict[str, Any] = {
            "name": [name, head, col],
            "categories": [name, first, label, last, label],
            "values": [name, first, col, last, col],
        }
        if chart.kind == "line":
            series["marker"] = {"type": "circle", "size": 4}
        excel.add_series(series)
        excel.set_y_axis({"num_format": NUMBER_FORMATS.get("qty_fraction" if kind == "qty" else kind, "#,##0")})
    excel.set_title({"name": chart.title or report.title})
    if len(value_columns) == 1:
        excel.set_legend({"none": True})
    if report.columns[label].kind == "date":
        excel.set_x_axis({"num_format": "dd.mm.yyyy"})
    excel.set_size({"width": 720, "height": 360})
    sheet.insert_chart(head, width + 1, excel)

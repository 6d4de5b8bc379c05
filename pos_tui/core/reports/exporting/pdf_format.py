"""A report as a PDF to print or send (docs/reports.md "Exports"), written with ``reportlab``.

A4, landscape when the table has more than :data:`PORTRAIT_COLUMNS` columns. The shop's header
(name, legal name, VKN and tax office, address), the report's title, period, filters and when it
was made, the summary figures, then the table, its header row repeated on every page, numbers
right-aligned the way a person reads them (``format_cell``: ``1.234,50``), the totals row in bold;
a heat map's cells are shaded by their value, and a bar or line report ends with its chart. Every
page ends with "Page 1/3". The font is Bitstream Vera (shipped inside reportlab), which has every
Turkish letter (the standard Helvetica has no ş, ğ or ı).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from pos_tui.core.kernel.formatting import column_groups
from pos_tui.core.reports.exporting.headings import title_lines, totals_cells
from pos_tui.core.reports.model import Report, format_cell
from pos_tui.i18n import _
from pos_tui.settings import Settings

PORTRAIT_COLUMNS = 6
"""A table of more columns than this is printed on a landscape page."""

CHART_ROWS = 50
"""A chart shows at most this many rows (the report's first ones)."""

FONTS = ("PosReport", "PosReportBold")
_NUMERIC = frozenset({"int", "money", "qty", "percent", "points", "date"})


def _fonts() -> tuple[str, str]:
    """Bitstream Vera, shipped inside reportlab, as core/einvoice/trade_pdf.py registers it."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    folder = Path(pdfmetrics.__file__).resolve().parent.parent / "fonts"
    for name, file in zip(FONTS, ("Vera.ttf", "VeraBd.ttf"), strict=True):
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, str(folder / file)))
    return FONTS


def pdf_bytes(report: Report, *, settings: Settings) -> bytes:
    """``report`` as PDF bytes (see the module docstring)."""
    report = report.for_people()
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    regular, bold = _fonts()
    language = settings.language
    shop = settings.shop
    size = landscape(A4) if len(report.columns) > PORTRAIT_COLUMNS else A4
    margin = 12 * mm
    room = size[0] - 2 * margin
    body = ParagraphStyle("body", fontName=regular, fontSize=9, leading=11)
    small = ParagraphStyle("small", parent=body, fontSize=8, leading=10)
    shop_style = ParagraphStyle("shop", parent=body, fontName=bold, fontSize=13, leading=16)
    title_style = ParagraphStyle("title", parent=body, fontName=bold, fontSize=15, leading=19, spaceBefore=6)

    def para(text: str, style: ParagraphStyle) -> Paragraph:
        return Paragraph(escape(text), style)

    story: list[Any] = [para(shop.name, shop_style)]
    if shop.legal_name and shop.legal_name != shop.name:
        story.append(para(shop.legal_name, body))
    tax = [
        part
        for part in (
            _("VKN: {vkn}").format(vkn=shop.vkn) if shop.vkn else "",
            _("Tax office: {office}").format(office=shop.tax_office) if shop.tax_office else "",
        )
        if part
    ]
    if tax:
        story.append(para(" · ".join(tax), small))
    if shop.address:
        story.append(para(shop.address, small))
    lines = title_lines(report, settings)
    story.append(para(lines[0], title_style))
    story += [para(line, body) for line in lines[1:]]
    story.append(Spacer(1, 4 * mm))

    if report.summary:
        labels = [f.label for f in report.summary]
        values = [format_cell(f.value, f.kind, language) for f in report.summary]
        figures = Table(
            [[para(label, body), value] for label, value in zip(labels, values, strict=True)],
            colWidths=[_fit(labels, room / 2, size=9), _fit(values, room / 2, size=9)],
            hAlign="LEFT",
        )
        figures.setStyle(
            TableStyle(
                [
                    ("FONT", (0, 0), (-1, -1), regular, 9),
                    ("FONT", (1, 0), (1, -1), bold, 9),
                    ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.lightgrey),
                ]
            )
        )
        story += [figures, Spacer(1, 4 * mm)]

    kinds = [c.kind for c in report.columns]
    numeric = [k in _NUMERIC for k in kinds]
    texts = [[format_cell(v, k, language) for v, k in zip(row, kinds, strict=True)] for row in report.rows]
    totals = totals_cells(report)
    total_texts = (
        None
        if totals is None
        else ["" if v is None else format_cell(v, k, language) for v, k in zip(totals, kinds, strict=True)]
    )
    labels = [c.label for c in report.columns]
    every = texts + ([total_texts] if total_texts else [])
    layout = table_layout(labels, every, numeric, room, repeat=label_columns(report))
    cell_style = ParagraphStyle("cell", parent=body, fontSize=layout.size, leading=layout.size * 1.2)
    head_style = ParagraphStyle("head", parent=cell_style, fontName=bold)
    head_right = ParagraphStyle("head_right", parent=head_style, alignment=2)  # over right-aligned numbers
    heat = _heat(report) if report.chart is not None and report.chart.kind == "heatmap" else {}
    for number, (group, widths) in enumerate(zip(layout.groups, layout.widths, strict=True)):
        if number:
            story.append(Spacer(1, 5 * mm))
        data: list[list[Any]] = [
            [Paragraph(escape(labels[c]), head_right if numeric[c] else head_style) for c in group]
        ]
        for row in texts:  # numbers as plain strings (never wrapped: their column fits them), text wraps at words
            data.append([row[c] if numeric[c] else Paragraph(escape(row[c]), cell_style) for c in group])
        if total_texts is not None:
            data.append([total_texts[c] for c in group])
        grid = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
        style: list[Any] = [
            ("FONT", (0, 0), (-1, -1), regular, layout.size),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#DDEBF7")),
            ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.black),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING / 2),
            ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING / 2),
        ]
        style += [("ALIGN", (n, 1), (n, -1), "RIGHT") for n, c in enumerate(group) if numeric[c]]
        if report.rows:
            rows_end = len(report.rows)
            style.append(("ROWBACKGROUNDS", (0, 1), (-1, rows_end), [colors.white, colors.HexColor("#F5F5F5")]))
        if total_texts is not None:
            style += [
                ("FONT", (0, -1), (-1, -1), bold, layout.size),
                ("LINEABOVE", (0, -1), (-1, -1), 0.6, colors.black),
            ]
            if report.totals is not None and report.totals[0] is None:  # "Total" where the first column has none
                style.append(("ALIGN", (0, -1), (0, -1), "LEFT"))
        for n, c in enumerate(group):
            style += [("BACKGROUND", (n, r), (n, r), shade) for r, shade in heat.get(c, ())]
        grid.setStyle(TableStyle(style))
        story.append(grid)
    for note in report.notes:
        story.append(para(note, small))
    if report.chart is not None and report.chart.kind in ("bar", "line") and report.rows:
        drawing = _chart(report, room, regular, language)
        if drawing is not None:
            story += [Spacer(1, 6 * mm), drawing]

    page_label = _("Page {page}/{pages}")
    footer_left = shop.name

    class NumberedCanvas(Canvas):
        """Writes "Page n/N" once the number of pages is known (every page is kept until then)."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self.setFont(regular, 8)
                self.drawString(margin, 7 * mm, footer_left)
                self.drawRightString(size[0] - margin, 7 * mm, page_label.format(page=self._pageNumber, pages=total))
                super().showPage()
            super().save()

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=size,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=14 * mm,
        title=report.title,
        author=shop.legal_name or shop.name,
        creator="pos_tui",
    )
    document.build(story, canvasmaker=NumberedCanvas)
    return buffer.getvalue()


TABLE_SIZES = (8.0, 5.5)
"""The table's font size, and the smallest it shrinks to so that a wide table fits the page."""
SIZE_STEP = 0.5
CELL_PADDING = 8.0  # a cell's left and right padding together, in points
_AIR = 2.0  # and a little air, so that a number never touches its neighbour
TEXT_WIDEST = 220.0  # a column of text is at most this wide (at 8 points), its text wraps at its words
WORD_WIDEST = 110.0  # a word longer than this (at 8 points: a URL, a code) may be broken to fit
_MEASURES = frozenset({"money", "qty", "points", "int"})


@dataclass(frozen=True, slots=True)
class TableLayout:
    """How a report's table is printed: its font size, and its columns in groups printed one under the
    other (one group when it fits the page), each group's column widths in points."""

    size: float
    groups: list[list[int]]
    widths: list[list[float]]


def label_columns(report: Report) -> int:
    """How many leading columns name a row (the weekday; the day and the KDV rate): a table split into
    column groups repeats them in each. The first column always, then those before the first figure."""
    count = 1
    for column in report.columns[1:3]:
        if column.kind in _MEASURES:
            break
        count += 1
    return count


def _column_sizes(label: str, cells: list[str], number: bool, size: float) -> tuple[float, float]:
    """The narrowest column ``label``'s ``cells`` fit and the widest it wants, at ``size`` points. A number
    (or a date) is never wrapped: both are its widest text. Text and the header wrap at their words."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    def width(text: str) -> float:
        return stringWidth(text, FONTS[1], size)  # the bold font: the totals row is bold

    scale = size / TABLE_SIZES[0]
    word = max([width(w) for w in label.split()] or [0.0])
    if number:
        widest = max([width(c) for c in set(cells)] or [0.0])
        least = most = max(widest, word)
    else:
        words = {w for c in set(cells) for w in c.split()}
        least = max([word, *(min(width(w), WORD_WIDEST * scale) for w in words)])
        most = max(least, min(max([width(label), *(width(c) for c in set(cells))]), TEXT_WIDEST * scale))
    return least + CELL_PADDING + _AIR, most + CELL_PADDING + _AIR


def _group_widths(sizes: list[tuple[float, float]], room: float) -> list[float] | None:
    """Each column's width when the columns of ``sizes`` fit ``room`` (None: they do not): every one at least
    its narrowest, the room left shared among those that want more (text), none over what it wants."""
    least = [low for low, _high in sizes]
    if sum(least) > room + 0.01:
        return None
    widths = list(least)
    spare = room - sum(widths)
    wanting = [n for n, (low, high) in enumerate(sizes) if high > low]
    while spare > 0.01 and wanting:
        share = spare / len(wanting)
        for n in list(wanting):
            grant = min(share, sizes[n][1] - widths[n])
            widths[n] += grant
            spare -= grant
            if widths[n] >= sizes[n][1] - 0.01:
                wanting.remove(n)
    return widths


def table_layout(
    labels: list[str], rows: list[list[str]], numeric: list[bool], room: float, *, repeat: int = 1
) -> TableLayout:
    """The table's layout: the largest font size (8 to 5,5 points) at which every column fits ``room``, every
    row measured; a number's column never narrower than its widest number, a word never broken. When even
    5,5 points is too wide the columns are split into groups (the first ``repeat`` label columns repeated in
    each): as few groups as at 5,5 points, at the largest size that needs no more."""
    columns = [[row[n] for row in rows] for n in range(len(labels))]

    def sizes_at(size: float) -> list[tuple[float, float]]:
        return [_column_sizes(labels[n], columns[n], numeric[n], size) for n in range(len(labels))]

    largest, smallest = TABLE_SIZES
    steps = [largest - SIZE_STEP * k for k in range(int((largest - smallest) / SIZE_STEP) + 1)]
    measured = {size: sizes_at(size) for size in steps}
    everything = list(range(len(labels)))
    for size in steps:
        whole = _group_widths(measured[size], room)
        if whole is not None:
            return TableLayout(size, [everything], [whole])
    repeat = max(1, min(repeat, len(labels) - 1))

    def split(size: float) -> list[list[int]]:
        sizes = measured[size]

        def fits(group: list[int]) -> bool:
            return _group_widths([sizes[c] for c in group], room) is not None

        return column_groups(len(labels), repeat, fits)

    fewest = len(split(smallest))
    size = next(s for s in steps if len(split(s)) <= fewest)
    groups = split(size)
    sizes = measured[size]
    widths: list[list[float]] = []
    for group in groups:
        fitted = _group_widths([sizes[c] for c in group], room)
        widths.append(fitted if fitted is not None else [sizes[c][0] for c in group])  # one column wider than a page
    return TableLayout(size, groups, widths)


def _fit(texts: list[str], room: float, *, size: float) -> float:
    """The width of a column of ``texts`` (the summary's labels or values) at ``size`` points, at most ``room``."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return min(max([stringWidth(t, FONTS[1], size) for t in texts] or [0.0]) + _PADDING, room)


_PADDING = 14  # a cell's padding and a little air, in points (the summary's table)


def _heat(report: Report) -> dict[int, list[tuple[int, Any]]]:
    """A heat map's value cells shaded from white (the least) to a deep orange (the most): column index ->
    [(table row, colour)] (row 1 is the first report row, under the header)."""
    from reportlab.lib import colors

    chart = report.chart
    assert chart is not None
    cols = [report.column(key) for key in chart.values]
    values = [Decimal(v) for row in report.rows for c in cols if isinstance((v := row[c]), int | Decimal)]
    if not values:
        return {}
    low, high = min(values), max(values)
    span = high - low
    out: dict[int, list[tuple[int, Any]]] = {}
    for r, row in enumerate(report.rows, start=1):
        for c in cols:
            value = row[c]
            if not isinstance(value, int | Decimal) or not span:
                continue
            share = float((Decimal(value) - low) / span)
            shade = colors.Color(1.0, 1.0 - 0.45 * share, 1.0 - 0.85 * share)
            out.setdefault(c, []).append((r, shade))
    return out


def _chart(report: Report, room: float, font: str, language: str) -> Any:
    """A simple bar or line chart of the report (reportlab.graphics), or None when nothing is numeric."""
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.charts.linecharts import HorizontalLineChart
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.lib import colors

    chart = report.chart
    assert chart is not None
    rows = report.rows[:CHART_ROWS]
    label = report.column(chart.label)
    cols = [report.column(key) for key in chart.values]
    series = [[float(v) if isinstance(v, int | Decimal) else 0.0 for v in (row[c] for row in rows)] for c in cols]
    if not series or not any(any(s) for s in series):
        return None
    height = 200.0
    drawing = Drawing(room, height + 30)
    plot: Any = VerticalBarChart() if chart.kind == "bar" else HorizontalLineChart()
    plot.x, plot.y = 50, 40
    plot.width, plot.height = room - 70, height - 40
    plot.data = series
    names = [format_cell(row[label], report.columns[label].kind, language) for row in rows]
    step = max(1, len(names) // 12)  # at most about twelve labels under the axis
    plot.categoryAxis.categoryNames = [n if i % step == 0 else "" for i, n in enumerate(names)]
    plot.categoryAxis.labels.fontName = font
    plot.categoryAxis.labels.fontSize = 7
    plot.categoryAxis.labels.angle = 30
    plot.categoryAxis.labels.boxAnchor = "ne"
    plot.valueAxis.labels.fontName = font
    plot.valueAxis.labels.fontSize = 7
    plot.valueAxis.valueMin = min(0.0, *(min(s) for s in series))
    palette = [colors.HexColor("#2F75B5"), colors.HexColor("#ED7D31"), colors.HexColor("#70AD47")]
    for n in range(len(series)):
        if chart.kind == "bar":
            plot.bars[n].fillColor = palette[n % len(palette)]
        else:
            plot.lines[n].strokeColor = palette[n % len(palette)]
            plot.lines[n].strokeWidth = 1.5
    drawing.add(plot)
    drawing.add(String(50, height + 12, chart.title or report.title, fontName=font, fontSize=10))
    return drawing

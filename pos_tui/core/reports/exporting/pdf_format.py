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
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

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
            colWidths=_widths([""], [[label] for label in labels], room / 2, size=9)
            + _widths([""], [[value] for value in values], room / 2, size=9),
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
    font_size = _table_size(labels, every, room)
    widths = _widths(labels, every, room, size=font_size)
    cell_style = ParagraphStyle("cell", parent=body, fontSize=font_size, leading=font_size * 1.2)
    head_style = ParagraphStyle("head", parent=cell_style, fontName=bold)
    head_right = ParagraphStyle("head_right", parent=head_style, alignment=2)  # over right-aligned numbers
    data: list[list[Any]] = [
        [Paragraph(escape(c.label), head_right if numeric[n] else head_style) for n, c in enumerate(report.columns)]
    ]
    for row in texts:
        data.append([cell if numeric[n] else Paragraph(escape(cell), cell_style) for n, cell in enumerate(row)])
    if total_texts is not None:
        data.append(list(total_texts))
    grid = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    style: list[Any] = [
        ("FONT", (0, 0), (-1, -1), regular, font_size),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#DDEBF7")),
        ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    style += [("ALIGN", (n, 1), (n, -1), "RIGHT") for n, is_number in enumerate(numeric) if is_number]
    if report.rows:
        style.append(("ROWBACKGROUNDS", (0, 1), (-1, len(report.rows)), [colors.white, colors.HexColor("#F5F5F5")]))
    if total_texts is not None:
        style += [("FONT", (0, -1), (-1, -1), bold, font_size), ("LINEABOVE", (0, -1), (-1, -1), 0.6, colors.black)]
        if report.totals is not None and report.totals[0] is None:  # "Total" where the first column has none
            style.append(("ALIGN", (0, -1), (0, -1), "LEFT"))
    if report.chart is not None and report.chart.kind == "heatmap":
        style += _heat(report)
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
_PADDING = 14  # a cell's padding and a little air, in points


def _table_size(labels: list[str], rows: list[list[str]], room: float) -> float:
    """The largest font size (at most 8 points, at least 5.5) at which the table fits ``room``
    without breaking a word."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    largest, smallest = TABLE_SIZES
    text = 0.0
    for n, label in enumerate(labels):
        longest = max([stringWidth(word, FONTS[1], largest) for word in label.split()] or [0.0])
        for row in rows[:500]:
            longest = max(longest, stringWidth(row[n], FONTS[1], largest))
        text += min(longest, 220.0)
    free = room - _PADDING * len(labels)
    if text <= free:
        return largest
    return max(smallest, round(largest * free / text - 0.05, 1))


def _widths(labels: list[str], rows: list[list[str]], room: float, *, size: float = 8) -> list[float]:
    """Each column's width in points: its longest text (a label counts by its longest word), scaled
    to the page's width when they do not fit."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    natural = []
    for n, label in enumerate(labels):
        longest = max([stringWidth(word, FONTS[1], size) for word in label.split()] or [0.0])
        for row in rows[:500]:
            longest = max(longest, stringWidth(row[n], FONTS[1], size))
        natural.append(min(longest, 220.0 * size / 8) + _PADDING)
    total = sum(natural)
    if total <= room:
        return natural
    return [w * room / total for w in natural]


def _heat(report: Report) -> list[Any]:
    """Shade a heat map's value cells from white (the least) to a deep orange (the most)."""
    from reportlab.lib import colors

    chart = report.chart
    assert chart is not None
    cols = [report.column(key) for key in chart.values]
    values = [Decimal(v) for row in report.rows for c in cols if isinstance((v := row[c]), int | Decimal)]
    if not values:
        return []
    low, high = min(values), max(values)
    span = high - low
    out: list[Any] = []
    for r, row in enumerate(report.rows, start=1):
        for c in cols:
            value = row[c]
            if not isinstance(value, int | Decimal) or not span:
                continue
            share = float((Decimal(value) - low) / span)
            shade = colors.Color(1.0, 1.0 - 0.45 * share, 1.0 - 0.85 * share)
            out.append(("BACKGROUND", (c, r), (c, r), shade))
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

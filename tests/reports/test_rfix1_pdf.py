"""The PDF's table never lets a number overflow, overlap or be cut, nor breaks a label mid-word (review17a
and review17b: a year's sales heat map at 5,5 points printed "-123.456,78" under its neighbour, and rows
after the 500th were never measured)."""

from __future__ import annotations

import dataclasses
import itertools
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pypdfium2 as pdfium
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from rexport_support import pdf_text, sample_report

from pos_tui.core.reports import Chart, Column, Period, Report, ReportQuery, format_cell, run_report, sum_totals
from pos_tui.core.reports.exporting import pdf_format
from pos_tui.core.reports.exporting.headings import totals_cells
from pos_tui.settings import Settings

DAYS = ["Pazartesi", "Salı", "Çarşamba", "Perşembe", "Cuma", "Cumartesi", "Pazar"]
ROOM = landscape(A4)[0] - 24 * mm


def heat_year(cell: Decimal) -> Report:
    """A year's heat map of 26 columns, every hour's cell ``cell`` (the reviewer's)."""
    hours = tuple(Column(f"h{h:02}", f"{h:02}", "money") for h in range(24))
    cols = (Column("weekday", "Haftanın günü", "text"), *hours, Column("total", "Toplam", "money"))
    rows = tuple((d, *(cell for _h in range(24)), cell * 24) for d in DAYS)
    return Report(
        name="sales-heatmap",
        title="Saat ve haftanın gününe göre satışlar",
        period=Period(date(2026, 1, 1), date(2026, 12, 31)),
        columns=cols,
        rows=rows,
        generated_at=datetime(2026, 12, 31, tzinfo=UTC),
        totals=sum_totals(cols, rows, summed=tuple(c.key for c in cols[1:])),
        chart=Chart("heatmap", "weekday", tuple(c.key for c in cols[1:-1]), "x"),
    )


def boxes(data: bytes, text: str) -> list[tuple[int, int, float, float]]:
    """(page, line, left, right) of every ``text`` found in the PDF."""
    found = []
    for number, page in enumerate(pdfium.PdfDocument(data)):
        textpage = page.get_textpage()
        search = textpage.search(text)
        while hit := search.get_next():
            first, length = hit
            left, bottom, _r, _t = textpage.get_charbox(first)
            _l, _b, right, _t2 = textpage.get_charbox(first + length - 1)
            found.append((number, round(bottom), left, right))
    return sorted(found)


def crowded_letters(data: bytes) -> list[Any]:
    """Letters printed over one another on any line of the PDF (a number run into its neighbour)."""
    crowded = []
    for number, page in enumerate(pdfium.PdfDocument(data)):
        textpage = page.get_textpage()
        text = textpage.get_text_range()
        lines: dict[int, list[tuple[float, float, str]]] = {}
        for i in range(textpage.count_chars()):
            if i >= len(text) or text[i].isspace():
                continue
            left, bottom, right, _top = textpage.get_charbox(i)
            lines.setdefault(round(bottom), []).append((left, right, text[i]))
        for y, chars in lines.items():
            chars.sort()
            crowded += [(number, y, a, b) for a, b in itertools.pairwise(chars) if b[0] < a[1] - 0.3]
    return crowded


def overlapping(found: list[tuple[int, int, float, float]]) -> list[Any]:
    return [(a, b) for a, b in itertools.pairwise(found) if a[:2] == b[:2] and b[2] < a[3] + 1]


def test_a_years_heat_map_prints_every_number_whole_and_apart(settings: Settings) -> None:
    for cell in (Decimal("123456.78"), Decimal("-123456.78")):
        data = pdf_format.pdf_bytes(heat_year(cell), settings=settings)
        shown = format_cell(cell, "money", settings.language)
        found = boxes(data, shown)
        assert len(found) == 7 * 24, (shown, len(found))  # every hour's cell, whole (the minus sign too)
        assert overlapping(found) == []
        assert crowded_letters(data) == []
        text = " ".join(pdf_text(data))
        for day in DAYS:  # every weekday whole, in each column group
            assert text.count(f" {day} ") >= 2, day
        assert text.count("Haftanın günü") >= 2  # the label column repeated in each group


def test_every_money_column_is_as_wide_as_its_widest_number(db: object, settings: Settings) -> None:
    """The reviewer's (review17a) check, through the layout: no number wider than its column."""
    q = ReportQuery(Period(date(2026, 1, 1), date(2026, 12, 31)), "Europe/Istanbul", datetime(2027, 1, 2, tzinfo=UTC))
    base = run_report("sales-heatmap", q)
    cell, day = Decimal("45678.90"), Decimal("1096293.60")
    rows = tuple((r[0], *(cell for _h in range(24)), day) for r in base.rows)
    report = dataclasses.replace(base, rows=rows, totals=(None, *(cell * 7 for _h in range(24)), day * 7))
    pdf_format.pdf_bytes(report, settings=settings)
    pdf_format._fonts()
    kinds = [c.kind for c in report.columns]
    texts = [[format_cell(v, k, "tr") for v, k in zip(row, kinds, strict=True)] for row in report.rows]
    total = ["" if v is None else format_cell(v, k, "tr") for v, k in zip(totals_cells(report), kinds, strict=True)]
    numeric = [k != "text" for k in kinds]
    layout = pdf_format.table_layout([c.label for c in report.columns], [*texts, total], numeric, ROOM, repeat=1)
    assert pdf_format.TABLE_SIZES[1] <= layout.size <= pdf_format.TABLE_SIZES[0]
    assert sorted(c for g in layout.groups for c in g[1:]) == list(range(1, 26))  # every column once
    assert all(g[0] == 0 for g in layout.groups)
    for group, widths in zip(layout.groups, layout.widths, strict=True):
        assert sum(widths) <= ROOM + 0.01
        for c, width in zip(group, widths, strict=True):
            need = max(stringWidth(t, pdf_format.FONTS[1], layout.size) for t in [r[c] for r in texts] + [total[c]])
            assert need + pdf_format.CELL_PADDING <= width, (c, need, width)


def test_the_rows_after_the_500th_are_measured(settings: Settings, now: datetime) -> None:
    base = sample_report(now)
    rows = [("Ürün", date(2026, 10, 30), 1, Decimal("1"), Decimal("1.00"), Decimal("1"), 1)] * 600
    rows[599] = ("Son", date(2026, 10, 30), 1, Decimal("1"), Decimal("-987654321.12"), Decimal("1"), 1)
    report = dataclasses.replace(base, rows=tuple(rows), totals=None, summary=())
    data = pdf_format.pdf_bytes(report, settings=settings)
    found = boxes(data, format_cell(Decimal("-987654321.12"), "money", settings.language))
    assert len(found) == 1
    assert crowded_letters(data) == []


def test_a_table_that_fits_is_one_table_and_long_text_wraps_at_words(settings: Settings, now: datetime) -> None:
    long = "Çok uzun bir ürün adı " * 6
    rows = (("Kısa", date(2026, 10, 30), 2, Decimal("1.5"), Decimal("1234.50"), Decimal("12.5"), 10),)
    rows += ((long.strip(), date(2026, 10, 31), 3, Decimal("2"), Decimal("-4.25"), Decimal("87.5"), 0),)
    report = sample_report(now, rows=rows)
    labels = [c.label for c in report.columns]
    kinds = [c.kind for c in report.columns]
    texts = [[format_cell(v, k, "tr") for v, k in zip(r, kinds, strict=True)] for r in report.rows]
    layout = pdf_format.table_layout(labels, texts, [k != "text" for k in kinds], ROOM)
    assert (layout.size, layout.groups) == (8.0, [list(range(7))])
    text = " ".join(pdf_text(pdf_format.pdf_bytes(report, settings=settings)))
    assert "Çok uzun bir ürün adı" in text
    assert all(format_cell(Decimal(v), "money", settings.language) in text for v in ("-4.25", "1234.50"))

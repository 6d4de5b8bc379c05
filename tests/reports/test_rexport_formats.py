"""Exports (docs/reports.md "Exports"): every report gives the same figures through JSON, CSV, XLSX
and PDF; CSV opens right in a Turkish Excel; XLSX has real numbers with number formats, a frozen
header, an autofilter and a native chart; the PDF has the shop's header, Turkish letters, the totals
and page numbers; a file is written whole or not at all."""

from __future__ import annotations

import dataclasses
import json
import os
import re
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from rexport_support import (
    DAY_KDV,
    DAY_NETS,
    KDV,
    NAMES,
    NET,
    TURKISH,
    TZ,
    csv_rows,
    header_row,
    pdf_text,
    query,
    same,
    sample_report,
    seed_shop,
    xlsx_sheet,
    xlsx_value,
)

from pos_tui.core.kernel import ValidationError
from pos_tui.core.reports import (
    EXPORT_FORMATS,
    Chart,
    Report,
    format_cell,
    json_cell,
    plain_number,
    report_bytes,
    run_report,
    write_report,
)
from pos_tui.i18n import _, set_language
from pos_tui.settings import Settings


@pytest.fixture
def shop(db: object, settings: Settings, now: datetime) -> Settings:
    seed_shop(settings, now)
    return settings


@pytest.fixture
def turkish() -> Iterator[None]:
    set_language("tr")
    yield
    set_language("en")


def _report(name: str, now: datetime) -> Report:
    return run_report(name, query(now))


# --- the same figures in every format, for every report --------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_json_is_the_report_as_json(name: str, shop: Settings, now: datetime) -> None:
    report = _report(name, now)
    doc = json.loads(report_bytes(report, "json", settings=shop))
    assert doc == json.loads(json.dumps(report.as_json(TZ)))
    assert doc["report"] == name and (doc["from"], doc["to"]) == ("2026-10-30", "2026-11-01")
    keys = [c.key for c in report.columns]
    for row, obj in zip(report.rows, doc["rows"], strict=True):
        assert [json_cell(v, c.kind) for v, c in zip(row, report.columns, strict=True)] == [obj[k] for k in keys]


@pytest.mark.parametrize("name", NAMES)
def test_csv_has_the_same_figures(name: str, shop: Settings, now: datetime) -> None:
    report = _report(name, now)
    people = report.for_people()  # a column for scripts only is in JSON alone
    rows = csv_rows(report_bytes(report, "csv", settings=shop))
    assert rows[0] == [c.label for c in people.columns]
    body = rows[1 : 1 + len(people.rows)]
    assert len(body) == len(people.rows)
    for got, row in zip(body, people.rows, strict=True):
        for text, value, column in zip(got, row, people.columns, strict=True):
            if isinstance(value, str):
                assert text.lstrip("'") == value
            else:
                assert text == plain_number(value, column.kind)
    if people.totals is not None:
        totals = rows[1 + len(people.rows)]
        assert [plain_number(v, c.kind) for v, c in zip(people.totals[1:], people.columns[1:], strict=True)] == totals[
            1:
        ]
        if people.totals[0] is None:
            assert totals[0] == "Total"
    assert len(rows) == 1 + len(people.rows) + (people.totals is not None)


@pytest.mark.parametrize("name", NAMES)
def test_xlsx_has_the_same_figures_as_numbers(name: str, shop: Settings, now: datetime) -> None:
    report = _report(name, now)
    people = report.for_people()  # a column for scripts only is in JSON alone
    sheet = xlsx_sheet(report_bytes(report, "xlsx", settings=shop))
    head = header_row(sheet, [c.label for c in people.columns])
    assert sheet.freeze_panes == f"A{head + 1}"
    assert sheet.auto_filter.ref is not None and sheet.auto_filter.ref.startswith(f"A{head}:")
    assert sheet["A1"].value == shop.shop.name and sheet["A2"].value == people.title
    for r, row in enumerate(people.rows, start=head + 1):
        for n, (value, column) in enumerate(zip(row, people.columns, strict=True), start=1):
            cell = sheet.cell(r, n)
            assert same(xlsx_value(cell, column.kind), value, column.kind), (cell.coordinate, cell.value, value)
    if people.totals is not None:
        r = head + 1 + len(people.rows)
        for n, (value, column) in enumerate(zip(people.totals, people.columns, strict=True), start=1):
            cell = sheet.cell(r, n)
            if n == 1 and value is None:
                assert cell.value == "Total"
            else:
                assert same(xlsx_value(cell, column.kind), value, column.kind), (cell.coordinate, cell.value, value)
            assert cell.font.b, cell.coordinate
    chart = people.chart
    if chart is not None and chart.kind in ("bar", "line") and people.rows:
        assert len(sheet._charts) == 1
    if chart is not None and chart.kind == "heatmap" and people.rows:
        rules = [rule for ranges in sheet.conditional_formatting for rule in ranges.rules]
        assert [rule.type for rule in rules] == ["colorScale"]


@pytest.mark.parametrize("name", NAMES)
def test_pdf_has_the_header_the_title_and_the_totals(name: str, shop: Settings, now: datetime) -> None:
    report = _report(name, now)
    text = " ".join(pdf_text(report_bytes(report, "pdf", settings=shop)))
    assert shop.shop.name in text and report.title in text
    assert "30.10.2026–01.11.2026" in text
    for value, column in zip(report.totals or (), report.columns, strict=False):
        if value is not None:
            assert format_cell(value, column.kind, "en") in text
    for figure in report.summary:
        assert figure.label in text and format_cell(figure.value, figure.kind, "en") in text
    assert "Page 1/" in text


# --- sales by day, figure by figure --------------------------------------------------------------


def test_sales_by_day_in_csv_with_a_point_and_with_a_comma(shop: Settings, now: datetime) -> None:
    report = _report("sales-by-day", now)
    data = report_bytes(report, "csv", settings=shop)
    assert data.startswith(b"\xef\xbb\xbfDay;Receipts;Returns;Gross;Discount;Net;KDV\r\n")
    assert data.decode("utf-8-sig").splitlines()[1:] == [
        "2026-10-30;1;0;140.00;0.00;140.00;20.20",
        "2026-10-31;1;0;32.50;0.00;32.50;0.32",
        "2026-11-01;1;0;85.00;0.00;85.00;14.17",
        "Total;3;0;257.50;0.00;257.50;34.69",
    ]
    comma = report_bytes(report, "csv", settings=shop, decimal_comma=True).decode("utf-8-sig").splitlines()
    assert comma[1] == "2026-10-30;1;0;140,00;0,00;140,00;20,20"
    assert comma[-1] == "Total;3;0;257,50;0,00;257,50;34,69"


def test_sales_by_day_in_xlsx(shop: Settings, now: datetime) -> None:
    report = _report("sales-by-day", now)
    sheet = xlsx_sheet(report_bytes(report, "xlsx", settings=shop))
    head = header_row(sheet, ["Day", "Receipts", "Returns", "Gross", "Discount", "Net", "KDV"])
    assert head == 6  # shop, title, period, when it was made, a blank line: the header on row 6
    assert sheet["A3"].value == "Period: 30.10.2026–01.11.2026"
    assert sheet["A4"].value == "Made: 01.11.2026 10:15"
    assert sheet.freeze_panes == "A7"
    days = [(sheet.cell(r, 1).value, sheet.cell(r, 6).value, sheet.cell(r, 7).value) for r in range(7, 10)]
    assert days == [(datetime.combine(d, datetime.min.time()), float(DAY_NETS[d]), float(DAY_KDV[d])) for d in DAY_NETS]
    assert sheet["A7"].number_format == "dd.mm.yyyy"
    assert sheet["B7"].number_format == "#,##0" and sheet["F7"].number_format == "#,##0.00"
    assert (sheet["A10"].value, sheet["B10"].value, sheet["F10"].value, sheet["G10"].value) == (
        "Total",
        3,
        257.5,
        34.69,
    )
    assert sheet["F10"].font.b and sheet["F10"].number_format == "#,##0.00"
    assert sheet.auto_filter.ref == "A6:G9"
    assert (sheet["A12"].value, sheet["B12"].value) == ("Receipts", 3)
    assert (sheet["A13"].value, sheet["B13"].value, sheet["B13"].number_format) == ("Net sales", 257.5, "#,##0.00")
    (chart,) = sheet._charts
    assert chart.tagname == "lineChart"
    (series,) = chart.series
    assert series.val.numRef.f == "'Sales by day'!$F$7:$F$9"
    assert series.cat.numRef.f == "'Sales by day'!$A$7:$A$9"
    assert sheet.column_dimensions["A"].width >= 10  # 30.10.2026 fits


def test_sales_by_day_in_pdf_in_turkish(shop: Settings, now: datetime, turkish: None) -> None:
    settings = dataclasses.replace(shop, shop=dataclasses.replace(shop.shop, name=TURKISH, language="tr"))
    report = _report("sales-by-day", now)
    (page,) = pdf_text(report_bytes(report, "pdf", settings=settings))
    assert TURKISH in page  # ğ ü ş ı ö ç İ in a font that has them
    assert "Demo Market Gıda Ltd. Şti." in page and "1234567890" in page  # legal name and VKN
    assert "30.10.2026 1 0 140,00 0,00 140,00 20,20" in page
    assert "257,50" in page and "34,69" in page
    assert _("Page {page}/{pages}").format(page=1, pages=1) in page  # "Sayfa 1/1" once translated


def test_json_of_sales_by_day(shop: Settings, now: datetime) -> None:
    doc = json.loads(report_bytes(_report("sales-by-day", now), "json", settings=shop))
    assert [(r["day"], r["net"], r["kdv"]) for r in doc["rows"]] == [
        (d.isoformat(), f"{DAY_NETS[d]:.2f}", f"{DAY_KDV[d]:.2f}") for d in DAY_NETS
    ]
    assert (doc["totals"]["net"], doc["totals"]["kdv"], doc["totals"]["receipts"]) == (f"{NET:.2f}", f"{KDV:.2f}", 3)
    assert doc["generated_at"] == "2026-11-01T10:15:00+03:00"


# --- every kind of column, charts and heat maps ------------------------------------------------


def test_every_kind_in_xlsx_is_a_number_with_its_format(settings: Settings, now: datetime) -> None:
    report = sample_report(now, chart=Chart("bar", "name", ("net", "qty"), "Net"))
    sheet = xlsx_sheet(report_bytes(report, "xlsx", settings=settings))
    head = header_row(sheet, ["Ürün", "Gün", "Adet", "Miktar", "Net", "Pay", "Puan"])
    assert sheet["A4"].value == "Filters: Terminal: T1"
    first = head + 1
    got = [(c.value, c.number_format) for c in sheet[first]]
    assert got == [
        ("Çay 500 g", "General"),
        (datetime(2026, 10, 30), "dd.mm.yyyy"),
        (2, "#,##0"),
        (1.5, "#,##0.0##"),
        (1234.5, "#,##0.00"),
        (0.125, "0.0%"),
        (10, "#,##0"),
    ]
    second = [(c.value, c.number_format) for c in sheet[first + 1]]
    assert second[0] == ("=SUM(A1)", "General")  # text, never a formula
    assert sheet.cell(first + 1, 1).data_type == "s"
    assert second[3] == (2, "#,##0") and second[4] == (-4.25, "#,##0.00") and second[5] == (0.875, "0.0%")
    totals = [c.value for c in sheet[first + 2]]
    assert totals == ["Total", None, 5, 3.5, 1230.25, None, 10]
    (chart,) = sheet._charts
    assert chart.tagname == "barChart" and chart.barDir == "col" and len(chart.series) == 2


def test_a_heatmap_is_a_colour_scale_over_its_value_cells(settings: Settings, now: datetime) -> None:
    report = sample_report(now, chart=Chart("heatmap", "name", ("count", "points")))
    sheet = xlsx_sheet(report_bytes(report, "xlsx", settings=settings))
    head = header_row(sheet, [c.label for c in report.columns])
    ranges = {str(cf.sqref): [rule.type for rule in cf.rules] for cf in sheet.conditional_formatting}
    assert ranges == {f"C{head + 1}:C{head + 2} G{head + 1}:G{head + 2}": ["colorScale"]}
    assert sheet._charts == []
    text = pdf_text(report_bytes(report, "pdf", settings=settings))[0]
    assert "Çay 500 g" in text and "Maliyet ortalama maliyettir." in text


def test_a_long_report_repeats_its_header_on_every_page(settings: Settings, now: datetime) -> None:
    rows = [(f"Ürün {n}", date(2026, 10, 30), n, Decimal(n), Decimal(n) * 10, Decimal(1), n) for n in range(1, 121)]
    report = sample_report(now, rows=rows, chart=Chart("bar", "name", ("net",)))
    pages = pdf_text(report_bytes(report, "pdf", settings=settings))
    assert len(pages) >= 3
    for n, page in enumerate(pages, start=1):
        assert f"Page {n}/{len(pages)}" in page
    *table, chart = pages
    assert all(page.startswith("Ürün Gün Adet Miktar Net Pay Puan") for page in table[1:])  # the header again
    assert "Total 7,260 7260 72,600.00 7,260" in table[-1]  # 1 + … + 120, and ten times it
    assert "Ürün satışları" in chart  # the chart's title


def test_csv_quotes_a_formula_and_writes_text_as_it_is(settings: Settings, now: datetime) -> None:
    rows = csv_rows(report_bytes(sample_report(now), "csv", settings=settings, decimal_comma=True))
    assert rows[0] == ["Ürün", "Gün", "Adet", "Miktar", "Net", "Pay", "Puan"]
    assert rows[1] == ["Çay 500 g", "2026-10-30", "2", "1,5", "1234,50", "12,5", "10"]
    assert rows[2] == ["'=SUM(A1)", "2026-10-31", "3", "2", "-4,25", "87,5", "0"]
    assert rows[3] == ["Total", "", "5", "3,5", "1230,25", "", "10"]


# --- writing the file ----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
def test_write_report_writes_the_bytes(fmt: str, settings: Settings, now: datetime, tmp_path: Path) -> None:
    report = sample_report(now)
    path = write_report(report, tmp_path / f"rapor.{fmt}", fmt, settings=settings)
    assert path == tmp_path / f"rapor.{fmt}"
    expected = report_bytes(report, fmt, settings=settings)
    if fmt in ("json", "csv"):
        assert path.read_bytes() == expected
    else:  # the xlsx and pdf embed their time of making: same size, same text
        assert path.read_bytes()[:4] == expected[:4]
    assert [p.name for p in tmp_path.iterdir()] == [f"rapor.{fmt}"]


def test_write_report_refuses_a_missing_folder_and_a_folder(settings: Settings, now: datetime, tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match=r"No folder .*nowhere to write the report to"):
        write_report(sample_report(now), tmp_path / "nowhere" / "r.csv", "csv", settings=settings)
    with pytest.raises(ValidationError, match="is a folder"):
        write_report(sample_report(now), tmp_path, "csv", settings=settings)
    with pytest.raises(ValidationError, match="No export format 'xls'"):
        write_report(sample_report(now), tmp_path / "r.xls", "xls", settings=settings)
    assert list(tmp_path.iterdir()) == []


def test_a_failed_write_leaves_the_old_file_whole(
    settings: Settings, now: datetime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "rapor.csv"
    target.write_text("eski", encoding="utf-8")

    def refuse(*args: Any) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(ValidationError, match=re.escape(f"No permission to write {target}")):
        write_report(sample_report(now), target, "csv", settings=settings)
    assert target.read_text(encoding="utf-8") == "eski"
    assert [p.name for p in tmp_path.iterdir()] == ["rapor.csv"]  # no temporary file left behind


def test_no_permission_for_the_folder(
    settings: Settings, now: datetime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pos_tui.core.reports.exporting import writing

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(writing, "_new_file", refuse)
    with pytest.raises(ValidationError, match=re.escape(f"No permission to write in the folder {tmp_path}")):
        write_report(sample_report(now), tmp_path / "r.pdf", "pdf", settings=settings)


def test_an_empty_report_exports(settings: Settings, now: datetime) -> None:
    report = dataclasses.replace(sample_report(now), rows=(), totals=None, summary=())
    assert csv_rows(report_bytes(report, "csv", settings=settings)) == [
        ["Ürün", "Gün", "Adet", "Miktar", "Net", "Pay", "Puan"]
    ]
    sheet = xlsx_sheet(report_bytes(report, "xlsx", settings=settings))
    assert header_row(sheet, [c.label for c in report.columns]) == 7  # the filters' line too
    assert "Page 1/1" in pdf_text(report_bytes(report, "pdf", settings=settings))[0]

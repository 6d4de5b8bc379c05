"""XLSX cells show every decimal a report has (a point's value of 0,005 TL; a share of 12,34 %), and sheet
names are valid however the title reads (review17b)."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from decimal import Decimal

import pytest
from rexport_support import header_row, sample_report, xlsx_sheet

from pos_tui.core.reports import Chart, report_bytes
from pos_tui.core.reports.exporting.xlsx_format import sheet_name
from pos_tui.settings import Settings


def test_money_finer_than_a_kurus_and_percent_with_two_decimals_show_them(settings: Settings, now: datetime) -> None:
    rows = (
        ("Puan değeri", date(2026, 10, 30), 1, Decimal("1"), Decimal("0.005"), Decimal("12.34"), 1),
        ("Çay", date(2026, 10, 31), 2, Decimal("2"), Decimal("1234.50"), Decimal("12.5"), 2),
    )
    report = sample_report(now, rows=rows)
    sheet = xlsx_sheet(report_bytes(report, "xlsx", settings=settings))
    first = header_row(sheet, [c.label for c in report.columns]) + 1
    fine, plain, total = sheet[first], sheet[first + 1], sheet[first + 2]
    assert (fine[4].value, fine[4].number_format) == (0.005, "#,##0.000")
    assert (fine[5].value, fine[5].number_format) == (pytest.approx(0.1234), "0.00%")
    assert (plain[4].number_format, plain[5].number_format) == ("#,##0.00", "0.0%")
    assert (total[4].value, total[4].number_format) == (1234.505, "#,##0.000")  # the totals row too
    assert total[4].font.b


@pytest.mark.parametrize(
    ("title", "name"),
    [
        ("Saat ve haftanın gününe göre satışlar", "Saat ve haftanın gününe göre"),  # at a word, not "satı"
        ("'Alacak' yaşlandırma [2026/10]", "Alacak' yaşlandırma 2026 10"),
        ("Müşterinin 'özel' raporları ve 'diğerleri'", "Müşterinin 'özel' raporları ve"),
        ("Dönem karşılaştırması 'önceki' yıl", "Dönem karşılaştırması 'önceki"),  # no apostrophe at the end
        ("x" * 40, "x" * 31),
        ("'''", "Rapor"),
    ],
)
def test_sheet_names(title: str, name: str) -> None:
    assert sheet_name(title) == name
    assert len(name) <= 31 and not name.startswith("'") and not name.endswith("'")


def test_a_workbook_with_an_apostrophe_in_its_sheet_name_and_a_chart_opens(settings: Settings, now: datetime) -> None:
    report = dataclasses.replace(
        sample_report(now, chart=Chart("bar", "name", ("net",), "Net")), title="Müşterinin 'özel' raporları ve 'x'"
    )
    sheet = xlsx_sheet(report_bytes(report, "xlsx", settings=settings))
    assert sheet.title == "Müşterinin 'özel' raporları ve"
    assert len(sheet._charts) == 1

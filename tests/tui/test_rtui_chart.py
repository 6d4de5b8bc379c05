"""The report screen's chart and table helpers, drawn from small reports: bars, columns over time,
the hour × weekday heat map; sorting and filtering; typed days."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal as D

import pytest

from pos_tui.core.reports import Chart, Column, Period, Report
from pos_tui.tui.dialogs.report_period import DayError, parse_day
from pos_tui.tui.widgets.report_chart import (
    EIGHTHS,
    bar_chart,
    chart_height,
    chart_text,
    heat_legend,
    heat_map,
    line_chart,
)
from pos_tui.tui.widgets.report_table import Sort, filter_rows, next_sort, sort_rows, text_key, totals_texts

AT = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
WEEKDAYS = ["Pzt", "Sal", "Çar", "Per", "Cum", "Cmt", "Paz"]


def lines(text) -> list[str]:
    return [line.rstrip() for line in text.plain.split("\n")]


def test_bars_are_as_long_as_their_values_in_eighths() -> None:
    out = lines(
        bar_chart(
            ["Ekmek", "Süt", "Çay"],
            [("Net", [D("40"), D("20"), D("5")])],
            kind="money",
            width=30,
            height=5,
            language="tr",
        )
    )
    # 30 columns: 5 for the label, 5 for the value ("40,00"), two spaces: a bar of 18 cells at most
    assert out == [
        "Ekmek " + "█" * 18 + " 40,00",
        "Süt   " + "█" * 9 + " " * 9 + " 20,00",
        "Çay   " + "██" + EIGHTHS[2] + " " * 15 + "  5,00",  # 5/40 of 18 cells: 2 cells and 2 eighths
    ]


def test_a_negative_bar_is_red_and_too_many_rows_are_counted() -> None:
    text = bar_chart(["a", "b", "c", "d"], [("Net", [D(8), D(-4), D(2), D(1)])], kind="int", width=20, height=3)
    out = lines(text)
    assert out[0].startswith("a ") and out[0].endswith(" 8")
    # 20 columns less the label, the value and two spaces: 15 cells; -4 is half of 8: 7½ cells
    assert out[1] == "b " + "███████▌" + " " * 7 + " -4"
    assert out[2] == "… and 2 more rows (in the table)"
    red = [span for span in text.spans if span.style == "red"]
    assert len(red) == 1 and "█" in text.plain[red[0].start : red[0].end]


def test_two_series_get_a_legend_and_a_bar_each() -> None:
    out = lines(bar_chart(["Pzt"], [("Bu hafta", [D(10)]), ("Geçen hafta", [D(5)])], kind="int", width=26, height=4))
    assert out[0] == "█ Bu hafta  ▓ Geçen hafta"  # each series its own block (test_rtui3_chart)
    assert out[1].startswith("Pzt █ ") and out[1].endswith(" 10")
    assert out[2].startswith("    ▓ ▓") and out[2].endswith("  5")


def test_columns_over_time_have_a_min_max_axis_and_the_first_and_last_day() -> None:
    days = [f"0{d}.12.2026" for d in range(1, 5)]
    out = lines(
        line_chart(days, [("Net", [D(0), D(100), D(60), D(200)])], kind="money", width=30, height=5, language="tr")
    )
    # 4 rows of columns (5 less the day line) for 0 to 200, 50 a row; 23 cells for 4 days: four
    # cells a day and a gap
    assert out[0] == "200,00┤" + " " * 15 + "████"
    assert out[1] == "      │" + " " * 15 + "████"
    assert out[2] == "      │     ████ ▂▂▂▂ ████"  # 60 is a row and a fifth: 2 eighths over the first row
    assert out[3] == "  0,00┤     ████ ████ ████"
    assert out[4] == "       01.12.2026 04.12.2026"


def test_many_days_are_averaged_into_the_columns_there_are() -> None:
    values = [D(10)] * 45 + [D(20)] * 45  # 90 days in 37 columns: 3 days a column, 30 columns
    out = lines(line_chart([str(n) for n in range(90)], [("Net", values)], kind="int", width=40, height=4))
    assert out[0] == "20┤" + " " * 15 + "█" * 15
    assert out[1] == " 0┤" + "█" * 30
    assert out[2] == "   0" + " " * 27 + "89"  # the last label ends under the last column
    assert out[3] == "each column: the average of 3 rows"


def test_heat_map_shades_each_hour_against_the_highest() -> None:
    grid = [[D(0)] * 24 for _ in range(7)]
    grid[0][9] = D(100)  # Monday 09:00, the highest
    grid[0][10] = D(30)  # under half
    grid[4][18] = D(60)  # Friday 18:00, over half
    grid[6][12] = D(-5)  # Sunday 12:00, a return only
    hours = [f"{h:02}" for h in range(24)]
    out = lines(heat_map(WEEKDAYS, hours, grid, kind="money", width=60, height=10, language="tr"))
    assert out[0].startswith("    00  02  04")  # two characters a cell: a label every second hour
    assert out[1] == "Pzt " + "··" * 9 + "██" + "▒▒" + "··" * 13
    assert out[5] == "Cum " + "··" * 18 + "▓▓" + "··" * 5
    assert out[7] == "Paz " + "··" * 12 + "--" + "··" * 11
    assert out[8] == "· 0  ░ ≤25,00  ▒ ≤50,00  ▓ ≤75,00  █ ≤100,00  - <0"  # Sunday's return: its entry


def test_heat_map_at_a_narrow_width_has_one_character_an_hour_and_a_short_legend() -> None:
    grid = [[D(h) for h in range(24)] for _ in range(7)]
    out = lines(heat_map(WEEKDAYS, [f"{h:02}" for h in range(24)], grid, kind="int", width=34, height=10))
    # against 23: ░ up to 5¾ (1 to 5), ▒ to 11½ (6 to 11), ▓ to 17¼ (12 to 17), █ the rest
    assert out[1] == "Pzt ·" + "░" * 5 + "▒" * 6 + "▓" * 6 + "█" * 6
    assert out[-1] == "· 0 ░▒▓█ ≤23"
    assert lines(heat_legend(D(0), "int", 40)) == ["· nothing"]


def report(kind: str, rows, columns=None, values=("net",)) -> Report:
    columns = columns or (Column("day", "Gün", "date"), Column("net", "Net", "money"))
    return Report(
        name="sales-by-day",
        title="Günlük satışlar",
        period=Period(date(2026, 12, 1), date(2026, 12, 3)),
        columns=columns,
        rows=tuple(rows),
        generated_at=AT,
        chart=Chart(kind, columns[0].key, values, "Net satış"),  # type: ignore[arg-type]
    )


def test_chart_text_puts_the_title_first_and_reads_the_report() -> None:
    r = report("line", [(date(2026, 12, n), D(n * 10)) for n in (1, 2, 3)])
    out = lines(chart_text(r, 40, 6, "tr"))
    assert out[0] == "Net satış"
    assert out[1].startswith("30,00┤") and out[-1].strip() == "01.12.2026 03.12.2026"
    two = [(date(2026, 12, 1), D("12.5")), (date(2026, 12, 2), D(5))]
    bars = lines(chart_text(report("bar", two), 40, 3, "tr"))
    assert bars[1].startswith("01.12.2026 ") and bars[1].endswith(" 12,50")
    assert chart_text(report("bar", []), 40, 6).plain == ""
    assert chart_height(report("bar", two), narrow=True) == 3
    # one bar alone says nothing: one line instead (test_rtui3_chart)
    assert chart_height(report("bar", [(date(2026, 12, 1), D(1))]), narrow=True) == 1


def test_chart_text_draws_the_heat_map_of_a_report() -> None:
    columns = (Column("weekday", "Gün", "text"), *(Column(f"h{h:02}", f"{h:02}", "money") for h in range(24)))
    rows = [(day, *([D(0)] * 24)) for day in WEEKDAYS]
    rows[2] = ("Çar", *([D(0)] * 20), D(50), D(0), D(0), D(0))
    r = report("heatmap", rows, columns, tuple(c.key for c in columns[1:]))
    assert chart_height(r, narrow=True) == 9  # the weekdays, hours and legend; the title when there is room
    out = lines(chart_text(r, 56, 10, "tr"))
    assert out[0] == "Net satış"
    assert out[4] == "Çar " + "··" * 20 + "██" + "··" * 3
    assert out[-1].startswith("· 0  ░ ≤12,50")


def test_sorting_cycles_largest_first_smallest_first_and_the_reports_order() -> None:
    rows = [("Çay", D(5)), ("ekmek", D(40)), ("Ayran", None), ("Isparta", D(20)), ("İncir", D(5))]
    first = next_sort(None, 1, "money")
    assert first == Sort(1, True)
    assert [r[0] for r in sort_rows(rows, first)] == ["ekmek", "Isparta", "Çay", "İncir", "Ayran"]
    second = next_sort(first, 1, "money")
    assert [r[0] for r in sort_rows(rows, second)] == ["Çay", "İncir", "Isparta", "ekmek", "Ayran"]
    assert next_sort(second, 1, "money") is None
    by_name = next_sort(None, 0, "text")
    assert by_name == Sort(0, False)
    assert [r[0] for r in sort_rows(rows, by_name)] == ["Ayran", "Çay", "ekmek", "Isparta", "İncir"]
    assert text_key("ç") > text_key("c") and text_key("ı") < text_key("i") < text_key("j")


def test_filtering_reads_the_cells_as_shown_turkish_case_blind() -> None:
    columns = (Column("name", "Ürün", "text"), Column("net", "Net", "money"))
    r = Report(
        name="sales-by-product",
        title="Ürüne göre satışlar",
        period=Period(date(2026, 12, 1), date(2026, 12, 1)),
        columns=columns,
        rows=(("ISPARTA GÜLÜ", D("1234.5")), ("Ekmek", D(10)), ("Süt", D("32.5"))),
        generated_at=AT,
        totals=(None, D("1277")),
    )
    assert [row[0] for row in filter_rows(r, "ısparta", "tr")] == ["ISPARTA GÜLÜ"]
    assert [row[0] for row in filter_rows(r, "1.234,5", "tr")] == ["ISPARTA GÜLÜ"]  # the text shown
    assert [row[0] for row in filter_rows(r, "  ", "tr")] == ["ISPARTA GÜLÜ", "Ekmek", "Süt"]
    assert filter_rows(r, "peynir", "tr") == []
    assert totals_texts(r, "tr") == ["Total", "1.277,00"]  # the label in the language in use (English here)


@pytest.mark.parametrize(
    ("typed", "day"),
    [("01.12.2026", date(2026, 12, 1)), ("1.2.2026", date(2026, 2, 1)), ("2026-12-01", date(2026, 12, 1))],
)
def test_a_typed_day(typed: str, day: date) -> None:
    assert parse_day(typed, "First day") == day


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("", "First day: type a day such as 01.12.2026"),
        ("1 aralık", "First day: '1 aralık' is not a day; type day.month.year, such as 01.12.2026"),
        ("31.02.2026", "First day: there is no day 31.02.2026 in the calendar"),
        ("12/31/2026", "First day: there is no day 12/31/2026 in the calendar"),
    ],
)
def test_a_day_that_is_not_one(typed: str, error: str) -> None:
    with pytest.raises(DayError) as caught:
        parse_day(typed, "First day")
    assert str(caught.value) == error

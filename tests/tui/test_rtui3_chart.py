"""What a newcomer found in the report screen's charts at 80×24 (issue 17, the till): the aging's
five series showed a legend and "… and 2 more rows" but no bar; the returns' bars of nothing had no
label; series differed only by colour; one terminal's one bar and one day's one column said nothing;
the heat map's legend had no entry for a red ``-``."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from rtui3_support import BUCKETS, busy_heatmap, choose, install, ten_weeks, two_debtors
from rtui_support import open_reports, sell_for_cash, table_of

from pos_tui.tui.widgets.report_chart import SERIES_GLYPHS, ReportChart, bar_chart, heat_legend, line_chart

SIZES = [(80, 24), (120, 40)]


def drawn(pilot) -> list[str]:
    return [line.rstrip() for line in str(pilot.app.screen.query_one(ReportChart).render()).split("\n")]


def test_each_series_has_its_own_block_and_a_bar_of_nothing_still_says_whose() -> None:
    out = bar_chart(
        ["ayse", "mehmet"],
        [("Refunded", [D("108.66"), D("73.02")]), ("Cancelled", [D(0), D(0)]), ("Voided", [D(0), D("10")])],
        kind="money",
        width=40,
        height=7,
        language="tr",
    )
    lines = out.plain.split("\n")
    assert lines[0] == "█ Refunded  ▓ Cancelled  ▒ Voided"
    assert lines[1].startswith("ayse   █ ████") and lines[1].endswith(" 108,66")
    assert lines[2] == "       ▓" + " " * 25 + "   0,00"  # no bar, but its block and its value
    assert lines[3].startswith("       ▒ ") and lines[3].endswith("   0,00")
    assert lines[4].startswith("mehmet █ ███")
    assert lines[6].startswith("       ▒ ▒▒") and lines[6].endswith("  10,00")  # whole cells of its own block
    assert len(set(SERIES_GLYPHS)) == len(SERIES_GLYPHS) == 5


def test_rows_that_do_not_fit_are_counted_after_whole_rows() -> None:
    labels = [f"W{n}" for n in range(1, 11)]
    out = bar_chart(labels, [("In", [D(n) for n in range(10)]), ("Out", [D(1)] * 10)], kind="int", width=30, height=6)
    lines = out.plain.split("\n")
    assert lines[0] == "█ In  ▓ Out"
    assert [line[:3] for line in lines[1:5]] == ["W1 ", "   ", "W2 ", "   "]
    assert lines[5] == "… and 8 more rows (in the table)"


def test_a_long_legend_goes_on_as_many_lines_as_it_needs() -> None:
    series = [(name, [D(1)]) for name in BUCKETS]
    lines = bar_chart(["C0001"], series, kind="int", width=40, height=8).plain.split("\n")
    assert lines[0] == "█ Not due  ▓ 1–30 days  ▒ 31–60 days"
    assert lines[1] == "░ 61–90 days  ▚ Over 90 days"
    assert lines[2].startswith("C0001 █ ")


def test_columns_of_several_series_have_their_blocks() -> None:
    series = [("Members", [D(2), D(4), D(8)]), ("Others", [D(8), D(8), D(8)])]
    lines = line_chart(["1", "2", "3"], series, kind="int", width=30, height=5).plain.split("\n")
    assert lines[0] == "█ Members  ▓ Others"
    assert "▓" in lines[1] and "█" in lines[1]  # the highest: both series' tops
    assert lines[3].count("▓") == lines[1].count("▓")  # the others' whole column in its own block


def test_the_heat_maps_legend_says_what_a_red_minus_is() -> None:
    assert heat_legend(D(100), "int", 80, negative=True).plain == "· 0  ░ ≤25  ▒ ≤50  ▓ ≤75  █ ≤100  - <0: returns only"
    assert heat_legend(D(100), "int", 40, negative=True).plain == "· 0  ░ ≤25  ▒ ≤50  ▓ ≤75  █ ≤100  - <0"
    assert heat_legend(D(100), "int", 30, negative=True).plain == "· 0 ░▒▓█ ≤100  - <0"
    assert heat_legend(D(0), "int", 40, negative=True).plain == "· nothing  - <0: returns only"
    assert "-" not in heat_legend(D(100), "int", 80).plain


@pytest.mark.parametrize("size", SIZES)
async def test_the_agings_five_series_show_their_bars(size, make_app, open_shift, till, monkeypatch) -> None:
    install(monkeypatch, "receivables-aging", two_debtors)
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await till.login(pilot, "9999")
        screen = await open_reports(pilot, till)
        await choose(pilot, till, "receivables-aging")
        lines = drawn(pilot)
        assert lines[0] == "By days overdue"
        body = [line for line in lines if line.lstrip()[:1] not in ("█", "▓", "▒", "░", "▚")]
        assert [line.split()[0] for line in body[1:]] == ["C0001", "M0003"]  # both debtors, no row hidden
        assert not any("more row" in line for line in lines)
        c0001 = lines.index(next(line for line in lines if line.startswith("C0001")))
        # C0001: a block per bucket on its own line, a bar where it owes, "0.00" where not
        assert lines[c0001].startswith("C0001 █ ██") and lines[c0001].endswith("2,242.63")
        assert lines[c0001 + 1].split() == ["▓", "0.00"]
        assert lines[c0001 + 2].split()[0] == "▒" and lines[c0001 + 2].endswith("1,250.00")
        assert lines[c0001 + 3].split() == ["░", "0.00"] and lines[c0001 + 4].split() == ["▚", "0.00"]
        chart = screen.query_one(ReportChart)
        table = table_of(pilot)
        if size[0] < 120:  # under the table, which keeps its two rows and totals whole
            assert chart.region.y >= table.region.bottom and table.region.height >= 5


async def test_ten_weeks_of_two_series_show_what_fits_and_count_the_others(
    make_app, open_shift, till, monkeypatch
) -> None:
    install(monkeypatch, "collections-forecast", ten_weeks)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await till.login(pilot, "9999")
        await open_reports(pilot, till)
        await choose(pilot, till, "collections-forecast")
        lines = drawn(pilot)
        assert lines[1] == "█ Incoming  ▓ Outgoing"
        rows = [line for line in lines[2:] if line.startswith("Week")]
        assert len(rows) >= 2 and lines[-1] == f"… and {10 - len(rows)} more rows (in the table)"
        assert lines[3].lstrip().startswith("▓ ▓") and lines[3].endswith("50.00")


@pytest.mark.parametrize("size", SIZES)
async def test_one_terminals_bar_is_one_line(size, make_app, open_shift, shop, till) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await till.login(pilot, "9999")
        await sell_for_cash(pilot, till, shop.CAY, "200")
        await sell_for_cash(pilot, till, shop.EKMEK, "10")
        screen = await open_reports(pilot, till)
        # today's sales by day: one day, one column
        assert drawn(pilot) == ["Net sales: 01.11.2026 130.00 · one row, no chart"]
        await choose(pilot, till, "sales-by-terminal")
        chart = screen.query_one(ReportChart)
        assert drawn(pilot) == ["Net sales by terminal: T1 130.00 · one row, no chart"]
        assert chart.region.height == 1 and chart.region.y >= table_of(pilot).region.bottom
        await pilot.press("f4")  # yesterday: nothing sold
        await till.settle(pilot)
        await choose(pilot, till, "sales-by-day")
        assert drawn(pilot) == ["Net sales: all zero in this period, no chart"]


async def test_the_heat_maps_returns_only_hour_is_in_its_legend(make_app, open_shift, till, monkeypatch) -> None:
    install(monkeypatch, "sales-heatmap", busy_heatmap)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await till.login(pilot, "9999")
        await open_reports(pilot, till)
        await choose(pilot, till, "sales-heatmap")
        lines = drawn(pilot)
        sunday = next(line for line in lines if line.startswith("Sun"))
        assert "-" in sunday
        assert lines[-1].endswith("- <0: returns only") or lines[-1].endswith("- <0")
        assert [line.split()[0] for line in lines[1:8]] == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def test_a_day_of_several_series_is_bars_not_a_column() -> None:
    from pos_tui.core.reports import Chart, Column, Period, Report
    from pos_tui.tui.widgets.report_chart import chart_plan, chart_text

    columns = (Column("day", "Day", "date"), Column("m", "Members", "money"), Column("o", "Others", "money"))
    report = Report(
        name="loyalty-members",
        title="Members",
        period=Period(date(2026, 11, 1), date(2026, 11, 1)),
        columns=columns,
        rows=((date(2026, 11, 1), D("60.00"), D("120.00")),),
        generated_at=__import__("datetime").datetime(2026, 11, 1, tzinfo=__import__("datetime").UTC),
        chart=Chart("line", "day", ("m", "o"), "Members and others"),
    )
    assert chart_plan(report) == "chart"
    lines = chart_text(report, 40, 5, "en").plain.split("\n")
    assert lines[1] == "█ Members  ▓ Others"
    assert lines[2].startswith("01.11.2026 █ ") and lines[2].endswith(" 60.00")
    assert lines[3].lstrip().startswith("▓ ▓") and lines[3].endswith("120.00")

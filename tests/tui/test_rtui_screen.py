"""The report screen in the till (F12 → Reports) at 80×24 and 120×40: today's sales by day with the
net of the sales the test made, the period picker, another report, sorting, filtering, the chart
beside or under the table, and every part of it on screen."""

from __future__ import annotations

import sys
import types
from datetime import date
from decimal import Decimal

import pytest
from rtui_support import column, open_reports, seed_week, sell_for_cash, table_of, totals
from textual.widgets import Input, OptionList, Static

from pos_tui.core.reports import Chart, Column, Figure, ReportQuery, new_report
from pos_tui.tui.dialogs.report_period import ReportPeriodDialog
from pos_tui.tui.screens.reports import ReportsScreen
from pos_tui.tui.screens.sale import SaleScreen
from pos_tui.tui.widgets.report_chart import ReportChart

SIZES = [(80, 24), (120, 40)]


def fits(pilot, *selectors: str) -> None:
    """Each widget is drawn and entirely inside the terminal."""
    screen = pilot.app.screen
    for selector in selectors:
        widget = screen.query_one(selector)
        region = widget.region
        assert region.width > 0 and region.height > 0, (selector, region)
        assert screen.region.contains_region(region), (selector, region, screen.region)


@pytest.fixture
def week(shop, settings, now) -> None:
    seed_week(shop, settings, now)


@pytest.mark.parametrize("size", SIZES)
async def test_todays_sales_by_day_with_the_net_sold(size, make_app, open_shift, shop, till) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await till.login(pilot, "9999")
        await sell_for_cash(pilot, till, shop.CAY, "200")  # 120,00
        await sell_for_cash(pilot, till, shop.EKMEK, "10")  # 10,00
        screen = await open_reports(pilot, till)
        text = till.screen_text(pilot)
        assert "Sales by day · Today (01.11.2026)" in text
        # the list is folded away under 160 columns: the report has the width (test_rtui3_layout)
        assert not screen.query_one("#report-list", OptionList).display
        assert table_of(pilot).has_focus
        assert column(pilot, "day") == ["01.11.2026"]
        assert column(pilot, "receipts") == ["2"]
        assert column(pilot, "net") == ["130.00"]
        assert totals(pilot)[0] == "Total" and totals(pilot)[screen.report.column("net")] == "130.00"
        assert "Receipts: 2  ·  Net sales: 130.00" in text
        chart = screen.query_one(ReportChart)
        # one day's one bar would say nothing: one line under the table instead, at any width
        assert chart.display and str(chart.render()) == "Net sales: 01.11.2026 130.00 · one row, no chart"
        table = table_of(pilot)
        assert chart.region.y >= table.region.bottom and chart.region.height == 1
        fits(pilot, "#report-title", "#report-summary", "#report-table", "#report-chart", "#message")
        await pilot.press("escape")
        await till.settle(pilot)
        assert isinstance(app.screen, SaleScreen)


@pytest.mark.parametrize("size", SIZES)
async def test_the_period_picker_steps_and_takes_typed_days(size, make_app, week, shop, till) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await till.login(pilot, "9999")
        await sell_for_cash(pilot, till, shop.CAY, "200")
        screen = await open_reports(pilot, till)
        await pilot.press("f4")
        await till.settle(pilot)
        assert "Yesterday (31.10.2026)" in till.screen_text(pilot)
        assert column(pilot, "net") == ["85.00"]
        await pilot.press("f4")
        await till.settle(pilot)
        assert "This week (26.10.2026–01.11.2026)" in till.screen_text(pilot)
        assert column(pilot, "day")[0] == "26.10.2026" and len(column(pilot, "day")) == 7
        assert column(pilot, "net")[-3:] == ["32.50", "85.00", "120.00"]
        assert totals(pilot)[screen.report.column("net")] == "237.50"
        assert "┤" in str(screen.query_one(ReportChart).render())  # a week: columns over the days
        await pilot.press("f5")
        await till.settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ReportPeriodDialog)
        await till.type(pilot, "31.02.2026", "enter")
        assert "there is no day 31.02.2026" in till.screen_text(pilot)
        await till.type(pilot, "30.10.2026", "enter")
        await till.type(pilot, "29.10.2026", "enter")  # before the first day
        assert "ends (29.10.2026) before it starts (30.10.2026)" in till.screen_text(pilot)
        await till.type(pilot, "31.10.2026", "enter")
        assert isinstance(app.screen, ReportsScreen)
        assert "Sales by day · 30.10.2026–31.10.2026" in till.screen_text(pilot)
        assert column(pilot, "net") == ["32.50", "85.00"]
        assert totals(pilot)[screen.report.column("net")] == "117.50"


@pytest.mark.parametrize("size", SIZES)
async def test_sort_by_the_cursors_column_and_filter_by_a_typed_text(size, make_app, week, shop, till) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await till.login(pilot, "9999")
        await sell_for_cash(pilot, till, shop.CAY, "200")
        screen = await open_reports(pilot, till)
        await pilot.press("enter")  # sales by day: the table takes the focus
        await till.settle(pilot)
        await pilot.press("f4", "f4")  # this week
        await till.settle(pilot)
        table = table_of(pilot)
        assert table.has_focus
        net = screen.report.column("net")
        for _n in range(net):
            await pilot.press("right")
        assert table.cursor_column == net
        await pilot.press("f7")
        await till.settle(pilot)
        assert column(pilot, "net") == ["120.00", "85.00", "32.50", "0.00", "0.00", "0.00", "0.00"]
        assert column(pilot, "day")[:3] == ["01.11.2026", "31.10.2026", "30.10.2026"]
        assert "Net ▼" in till.screen_text(pilot) and "Sorted by Net, largest first" in till.message(pilot)
        await pilot.press(*["f4"] * 8)  # every period in turn, back to this week: the sort stays
        await till.settle(pilot)
        assert "This week" in till.screen_text(pilot) and "Net ▼" in till.screen_text(pilot)
        assert column(pilot, "day")[:3] == ["01.11.2026", "31.10.2026", "30.10.2026"]
        await pilot.press("f7")
        await till.settle(pilot)
        assert column(pilot, "day") == [
            "26.10.2026", "27.10.2026", "28.10.2026", "29.10.2026", "30.10.2026", "31.10.2026", "01.11.2026"
        ]  # fmt: skip
        assert column(pilot, "net")[-3:] == ["32.50", "85.00", "120.00"]
        await pilot.press("left")
        await pilot.press(*["left"] * net)  # the day column: text and days sort oldest first, then newest
        await pilot.press("f7", "f7")
        await till.settle(pilot)
        assert column(pilot, "day")[0] == "01.11.2026"
        await pilot.press("f7")  # a third time: the report's own order
        await till.settle(pilot)
        assert column(pilot, "day")[0] == "26.10.2026"
        assert totals(pilot)[net] == "237.50"  # the totals row stays last, whatever the order

        await pilot.press("slash")
        await till.settle(pilot)
        field = screen.query_one("#report-filter", Input)
        assert field.has_focus and field.region.height == 1
        await till.type(pilot, "85")
        assert column(pilot, "day") == ["31.10.2026"]
        assert "1 of 7 rows contain '85'; the totals row is of all rows" in till.message(pilot)
        await pilot.press("enter")  # keep the filter, back in the table
        await till.settle(pilot)
        assert table.has_focus and column(pilot, "day") == ["31.10.2026"]
        await pilot.press("escape")  # Esc clears the filter first
        await till.settle(pilot)
        assert len(column(pilot, "day")) == 7 and not field.has_class("shown")
        assert isinstance(app.screen, ReportsScreen)
        await pilot.press("ctrl+f")
        await till.type(pilot, "nothing like it")
        assert column(pilot, "day") == []
        await pilot.press("escape", "escape")  # clears, then leaves
        await till.settle(pilot)
        assert isinstance(app.screen, SaleScreen)


def fake_report(name: str, build) -> types.ModuleType:
    module = types.ModuleType(f"pos_tui.core.reports.{name.replace('-', '_')}")
    module.build = build  # type: ignore[attr-defined]
    return module


HOURS = [f"{h:02}" for h in range(24)]


def heatmap_build(query: ReportQuery):
    """A stand-in for the heat map report: Monday 09:00 sold 100,00, Friday 18:00 60,00."""
    columns = (
        Column("weekday", "Weekday", "text"),
        *(Column(f"h{n:02}", hour, "money") for n, hour in enumerate(HOURS)),
    )
    rows = []
    for n, day in enumerate(["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]):
        cells = [Decimal(0)] * 24
        if n == 0:
            cells[9] = Decimal(100)
        if n == 4:
            cells[18] = Decimal(60)
        rows.append((day, *cells))
    return new_report(
        "sales-heatmap",
        query,
        columns=columns,
        rows=tuple(rows),
        summary=(Figure("net", "Net sales", Decimal(160), "money"),),
        chart=Chart("heatmap", "weekday", tuple(c.key for c in columns[1:]), "Net sales by hour"),
    )


ASKED: list[dict[str, str]] = []


def compare_build(query: ReportQuery):
    """A stand-in for period over period: records the option it was asked with."""
    ASKED.append(dict(query.options))
    columns = (Column("day", "Day", "date"), Column("net", "Net", "money"), Column("before", "Before", "money"))
    return new_report(
        "sales-compare",
        query,
        columns=columns,
        rows=((date(2026, 11, 1), Decimal(130), Decimal(90)),),
        chart=Chart("bar", "day", ("net", "before"), "Net sales"),
    )


@pytest.mark.parametrize("size", SIZES)
async def test_another_report_its_option_and_its_heat_map(size, make_app, open_shift, shop, till, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "pos_tui.core.reports.sales_heatmap", fake_report("sales-heatmap", heatmap_build))
    monkeypatch.setitem(sys.modules, "pos_tui.core.reports.sales_compare", fake_report("sales-compare", compare_build))
    ASKED.clear()
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await till.login(pilot, "9999")
        screen = await open_reports(pilot, till)
        await pilot.press("f2", "down", "enter")  # the next report: sales by hour and weekday
        await till.settle(pilot)
        assert screen.report.name == "sales-heatmap"
        chart = screen.query_one(ReportChart)
        drawn = str(chart.render()).split("\n")
        # the title when there is room for it (beside the table); at 80×24 the weekdays come first
        top = 1 if size[0] >= 120 else 0
        assert drawn[0] == "Net sales by hour" if top else drawn[0].startswith("    00  02")
        assert drawn[top + 1].startswith("Mon ") and "█" in drawn[top + 1]
        assert drawn[top + 5].startswith("Fri ") and "▓" in drawn[top + 5]
        assert "█ ≤100.00" in drawn[-1]
        fits(pilot, "#report-chart", "#report-table", "#message")
        assert chart.region.height >= 9  # hours, seven days and the legend, all of them
        if size[0] < 120:  # the list gave its room to the table; F2 brings it back
            assert not screen.query_one("#report-list").display
        await pilot.press("f2")
        await till.settle(pilot)
        listing = screen.query_one("#report-list", OptionList)
        assert listing.display and listing.has_focus
        listing.highlighted = listing.get_option_index("sales-compare")
        await pilot.press("enter")
        await till.settle(pilot)
        assert "Period over period · Today (01.11.2026) · against the period before" in till.screen_text(pilot)
        assert ASKED[-1] == {"against": "previous"}
        await pilot.press("f6")
        await till.settle(pilot)
        assert ASKED[-1] == {"against": "last-year"}
        assert "against the same days last year" in till.screen_text(pilot)
        drawn = str(screen.query_one(ReportChart).render())
        assert "█ Net  ▓ Before" in drawn and "130.00" in drawn and "90.00" in drawn
        assert "F6 Option" in till.screen_text(pilot)
        await pilot.press("f2")
        listing.highlighted = listing.get_option_index("sales-by-day")
        await pilot.press("enter")
        await till.settle(pilot)
        assert "F6 Option" not in till.screen_text(pilot)  # sales by day has no option of its own
        asked = len(ASKED)
        await pilot.press("f6")
        await till.settle(pilot)
        assert len(ASKED) == asked and screen.report.name == "sales-by-day"


async def test_a_failing_report_says_so_on_the_screen(make_app, open_shift, shop, till, monkeypatch) -> None:
    from pos_tui.core.kernel import ValidationError

    def broken(query: ReportQuery):
        raise ValidationError("The stock figures are being recounted")

    monkeypatch.setitem(sys.modules, "pos_tui.core.reports.sales_heatmap", fake_report("sales-heatmap", broken))
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await till.login(pilot, "9999")
        screen = await open_reports(pilot, till)
        await pilot.press("f2", "down", "enter")
        await till.settle(pilot)
        assert "The stock figures are being recounted" in till.message(pilot)
        assert screen.query_one("#message", Static).has_class("error")
        # nothing of today's sales by day stays under the heat map's title
        assert screen.report is None and table_of(pilot).row_count == 0
        assert "Net sales" not in till.screen_text(pilot) and "F9 Export" not in till.screen_text(pilot)
        fits(pilot, "#message")


@pytest.mark.parametrize("size", SIZES)
async def test_every_report_of_the_list_opens(size, make_app, week, shop, till) -> None:
    """Each report of the catalogue, chosen from the list in turn for this week, is shown without
    an error, its table, its chart (when it has one) and the message line on screen."""
    from pos_tui.core.reports import CATALOGUE

    app = make_app()
    async with app.run_test(size=size) as pilot:
        await till.login(pilot, "9999")
        await sell_for_cash(pilot, till, shop.CAY, "200")
        screen = await open_reports(pilot, till)
        await pilot.press("f4", "f4")  # this week
        await till.settle(pilot)
        listing = screen.query_one("#report-list", OptionList)
        for entry in CATALOGUE:
            await pilot.press("f2")
            listing.highlighted = listing.get_option_index(entry.name)
            await pilot.press("enter")
            await till.settle(pilot)
            assert screen.report is not None and screen.report.name == entry.name
            assert not screen.query_one("#message", Static).has_class("error"), (entry.name, till.message(pilot))
            chart = screen.query_one(ReportChart)
            if screen.report.chart is not None and screen.report.rows:
                assert chart.display and str(chart.render()).strip(), entry.name
                fits(pilot, "#report-chart")
            fits(pilot, "#report-table", "#message")

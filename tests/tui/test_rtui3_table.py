"""What a newcomer found in the report screen's table at 80×24 (issue 17, the till): another report
opened with its label column scrolled away; the heat map's table showed the hours 00–07 of zeros
and a number cut at the edge (``1.17``); Saturday, the busiest day, below the fold."""

from __future__ import annotations

import pytest
from rtui3_support import busy_heatmap, choose, install, table_lines, whole_cells_only, wide_products
from rtui_support import open_reports, seed_week, sell_for_cash, table_of

from pos_tui.tui.widgets.report_chart import ReportChart

SIZES = [(80, 24), (120, 40)]


@pytest.fixture
def week(shop, settings, now) -> None:
    seed_week(shop, settings, now)


@pytest.mark.parametrize("size", SIZES)
async def test_another_report_opens_at_its_label_column(size, make_app, week, shop, till, monkeypatch) -> None:
    install(monkeypatch, "sales-by-product", wide_products)
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await till.login(pilot, "9999")
        await sell_for_cash(pilot, till, shop.CAY, "200")
        screen = await open_reports(pilot, till)
        await pilot.press("f4", "f4")  # this week: seven days
        await till.settle(pilot)
        table = table_of(pilot)
        net = screen.report.column("net")
        await pilot.press(*["right"] * net)
        assert table.cursor_column == net
        await choose(pilot, till, "sales-by-product")
        assert table.cursor_column == 0 and table.scroll_x == 0  # not the day report's Net column
        lines = table_lines(pilot, till)
        assert lines[0].split()[:3] == ["Code", "Product", "Week"] and "Ekmek" in lines[1]
        await pilot.press(*["right"] * 11)  # to the last week, the table scrolled right
        await till.settle(pilot)
        assert table.cursor_column == 11 and table.scroll_x > 0
        lines = table_lines(pilot, till)
        # the code and product stay at the left; the totals row still says what it is
        assert lines[0].split()[:2] == ["Code", "Product"] and lines[0].rstrip().endswith("Week 10")
        assert lines[1].split()[:2] == ["1001", "Ekmek"] and lines[1].rstrip().endswith("1,009.50")
        assert lines[4].split()[0] == "Total" and lines[4].rstrip().endswith("6,028.50")
        whole_cells_only(pilot, till)  # and no week's figure cut in half at the left edge
        await choose(pilot, till, "sales-by-day")  # back: the first column again
        assert table.cursor_column == 0 and table.scroll_x == 0


async def test_the_same_report_in_another_period_keeps_its_column(make_app, week, shop, till) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await till.login(pilot, "9999")
        screen = await open_reports(pilot, till)
        net = screen.report.column("net")
        await pilot.press(*["right"] * net)
        await pilot.press("f4")
        await till.settle(pilot)
        assert table_of(pilot).cursor_column == net  # F7 sorts what the cursor is on: it stays


@pytest.mark.parametrize("size", SIZES)
async def test_the_heat_maps_table_shows_the_hours_with_sales(size, make_app, open_shift, till, monkeypatch) -> None:
    install(monkeypatch, "sales-heatmap", busy_heatmap)
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await till.login(pilot, "9999")
        screen = await open_reports(pilot, till)
        await choose(pilot, till, "sales-heatmap")
        table = table_of(pilot)
        shown = table.shown_labels()
        assert shown == ["Weekday", *(f"{h:02}" for h in range(9, 19)), "Total"]  # 09 to 18 only
        assert "The table leaves out 14 hours without sales; the export has every hour" in till.message(pilot)
        assert len(screen.report.columns) == 26  # the report keeps all 24 hours
        lines = table_lines(pilot, till)
        assert lines[0].split()[:2] == ["Weekday", "09"]
        assert [line.split()[0] for line in lines[1:7]] == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        chart = screen.query_one(ReportChart)  # under the table at any width: its hours want the width
        assert chart.region.y >= table.region.bottom and chart.region.width >= 78
        whole_cells_only(pilot, till)  # 1,176.50 whole or not at all, at either edge
        await pilot.press(*["down"] * 6)  # Sunday: reachable
        await till.settle(pilot)
        assert table.cursor_row == 6 and "Sun" in "\n".join(table_lines(pilot, till))
        await pilot.press(*["right"] * 10)  # 18:00, Saturday's busiest hour, the table scrolled
        await till.settle(pilot)
        assert table.cursor_column == 10 and table_lines(pilot, till)[0].split()[0] == "Weekday"
        whole_cells_only(pilot, till)
        await pilot.press("f7")  # sorting by what the cursor shows: the report's column h18
        await till.settle(pilot)
        assert "Sorted by 18, largest first" in till.message(pilot)
        assert table.column_texts(screen.report.column("h18"))[0] == "4,541.64"

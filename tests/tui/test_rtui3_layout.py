"""What a newcomer found in the report screen's layout and keys (issue 17, the till): with the list
open at 80×24 the day report's Net and KDV were off screen; headline figures cut at two lines lost
their values; F6 on a report without an option did nothing; the F12 menu took ``r`` but not ``R``;
the collections forecast's title said ``"weeks": "8"``."""

from __future__ import annotations

import pytest
from rtui3_support import choose, figure_texts, install, many_figures
from rtui_support import open_reports, sell_for_cash, table_of
from textual.widgets import OptionList, Static

from pos_tui.tui.dialogs.views import ReportDialog
from pos_tui.tui.screens.reports import ReportsScreen, option_text, summary_lines
from pos_tui.tui.screens.sale import SaleScreen

SIZES = [(80, 24), (120, 40)]


@pytest.mark.parametrize("size", SIZES)
async def test_the_first_screen_shows_the_days_net(size, make_app, open_shift, shop, till) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await till.login(pilot, "9999")
        await sell_for_cash(pilot, till, shop.CAY, "200")
        screen = await open_reports(pilot, till)
        lines = till.screen_text(pilot).split("\n")
        table = table_of(pilot)
        header = lines[table.region.y]
        assert "Net" in header.split() and "KDV" in header.split()  # every column of the day report
        assert "120.00  20.00" in lines[table.region.y + 1]  # its net and KDV, without scrolling
        assert "F2: the list of reports" in till.message(pilot)
        listing = screen.query_one("#report-list", OptionList)
        assert not listing.display and table.has_focus
        await pilot.press("f2")  # the list, beside the table, to choose from
        await till.settle(pilot)
        assert listing.display and listing.has_focus
        await pilot.press("escape")  # Esc folds it away again; the next Esc leaves
        await till.settle(pilot)
        assert not listing.display and table.has_focus and isinstance(app.screen, ReportsScreen)
        await pilot.press("escape")
        await till.settle(pilot)
        assert isinstance(app.screen, SaleScreen)


async def test_the_list_stays_beside_the_table_on_a_roomy_terminal(make_app, open_shift, till) -> None:
    app = make_app()
    async with app.run_test(size=(160, 40)) as pilot:
        await till.login(pilot, "9999")
        screen = await open_reports(pilot, till)
        listing = screen.query_one("#report-list", OptionList)
        assert listing.display and listing.has_focus


def test_summary_lines_keep_each_figure_with_its_value() -> None:
    pairs = [("Returns", "7"), ("Refunded", "181.68"), ("Cancelled receipt amount", "1,234.56"), ("Voided", "3")]
    more = lambda n: f"… and {n} more: F10"  # noqa: E731
    text, left = summary_lines(pairs, 40, more=more)
    # three would need the "more" on a third line: two whole figures and the count of the others
    assert left == 2 and text.plain.split("\n") == ["Returns: 7  ·  Refunded: 181.68", "… and 2 more: F10"]
    text, left = summary_lines(pairs, 60, more=more)
    assert left == 0 and text.plain.split("\n") == [
        "Returns: 7  ·  Refunded: 181.68",
        "Cancelled receipt amount: 1,234.56  ·  Voided: 3",
    ]
    text, left = summary_lines(pairs, 200, more=more)
    assert left == 0
    assert text.plain == "Returns: 7  ·  Refunded: 181.68  ·  Cancelled receipt amount: 1,234.56  ·  Voided: 3"
    text, left = summary_lines(pairs, 8, more=lambda n: f"+{n}")  # a figure wider than the line: never cut
    assert left == 4 and text.plain == "+4"


async def test_every_headline_figure_is_whole_and_f10_shows_them_all(make_app, open_shift, till, monkeypatch) -> None:
    install(monkeypatch, "returns", many_figures)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await till.login(pilot, "9999")
        screen = await open_reports(pilot, till)
        await choose(pilot, till, "returns")
        shown = str(screen.query_one("#report-summary", Static).render())
        lines = shown.split("\n")
        assert len(lines) == 2 and all(len(line) <= 78 for line in lines)
        pairs = [part.strip() for line in lines for part in line.split("·")]
        shown = len(pairs) - 1
        assert shown >= 4 and pairs[-1] == f"… and {8 - shown} more: F10"
        assert pairs[:-1] == figure_texts()[:shown]  # whole "label: value" pairs, in order
        assert "F10 Summary" in till.screen_text(pilot)
        await pilot.press("f10")
        await till.settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ReportDialog)
        text = till.screen_text(pilot)
        for label, value in (t.split(": ") for t in figure_texts()):
            assert any(label in line and line.rstrip(" █").endswith(value) for line in text.split("\n")), label
        assert "they are not in net sales" in text  # and the notes
        assert "Returns and voids · Today (01.11.2026)" in text
        await pilot.press("escape")
        await till.settle(pilot)
        assert app.screen is screen


async def test_f6_on_a_report_without_an_option_says_so(make_app, open_shift, till) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await till.login(pilot, "9999")
        await open_reports(pilot, till)
        assert "F6" not in till.screen_text(pilot)  # the key bar offers no F6 here
        await pilot.press("f6")
        await till.settle(pilot)
        assert till.message(pilot) == "Sales by day has no option of its own"
        await choose(pilot, till, "sales-compare")
        assert "F6 Option" in till.screen_text(pilot)
        await pilot.press("f6")
        await till.settle(pilot)
        assert "against the same days last year" in till.screen_text(pilot)
        assert "has no option" not in till.message(pilot)


@pytest.mark.parametrize("key", ["r", "R"])
async def test_the_menu_opens_the_reports_with_r_in_either_case(key, make_app, open_shift, till) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await till.login(pilot, "9999")
        await pilot.press("f12")
        await till.settle(pilot)
        await pilot.press(key)
        await till.settle(pilot)
        assert isinstance(app.screen, ReportsScreen)


async def test_the_menus_other_letters_take_either_case_too(make_app, open_shift, till) -> None:
    from pos_tui.tui.screens.agenda import AgendaDialog

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await till.login(pilot, "9999")
        await pilot.press("f12")
        await till.settle(pilot)
        await pilot.press("J")  # the agenda
        await till.settle(pilot)
        assert isinstance(app.screen, AgendaDialog)


async def test_the_forecasts_weeks_are_said_the_shops_way(make_app, open_shift, till) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await till.login(pilot, "9999")
        await open_reports(pilot, till)
        await choose(pilot, till, "collections-forecast")
        text = till.screen_text(pilot)
        assert "Collections forecast · Today (01.11.2026) · 8 weeks" in text
        assert '"weeks"' not in text


def test_option_texts() -> None:
    assert option_text("weeks", "1") == "1 week"
    assert option_text("weeks", "12") == "12 weeks"
    assert option_text("against", "previous") == "against the period before"
    assert option_text("against", "last-year") == "against the same days last year"

"""The report screen's terminal and store filter (F8) at 80×24: sales on T1 (130,00) and T2
(117,50) today; T2 alone, the store both sell from, a second store, "all" again; the filter through
a period change and another report; a chain-wide report's note on screen; Esc keeps the filter;
the dialog fits with many terminals; the export's JSON and CSV carry the filter."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from rtui2_support import BOTH_NET, T1_NET, T2_NET, choose, open_scope, seed_two_tills
from rtui_support import column, open_reports, totals
from textual.widgets import Input, OptionList

from pos_tui.core import cash, staff
from pos_tui.tui.dialogs.report_export import ReportExportDialog
from pos_tui.tui.dialogs.report_scope import ALL, Scope, load_scopes
from pos_tui.tui.screens.reports import ReportsScreen
from pos_tui.tui.widgets.keybar import KeyBar

SIZE = (80, 24)


def title(pilot) -> str:
    return str(pilot.app.screen.query_one("#report-title").render())


def net(pilot) -> str:
    screen = pilot.app.screen
    return totals(pilot)[screen.report.column("net")]


def on_screen(pilot, till, text: str) -> bool:
    """``text`` drawn on the terminal, however the message line wrapped it."""
    return " ".join(text.split()) in " ".join(till.screen_text(pilot).split())


def inside(pilot, widget) -> None:
    region = widget.region
    assert region.width > 0 and region.height > 0, region
    assert pilot.app.screen.region.contains_region(region), (region, pilot.app.screen.region)


@pytest.fixture
def two_tills(shop, now) -> None:
    seed_two_tills(shop, now)


async def test_t2_alone_then_the_store_then_all(make_app, two_tills, till) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await till.login(pilot, "9999")
        screen = await open_reports(pilot, till)
        assert net(pilot) == BOTH_NET and column(pilot, "receipts") == ["3"]
        assert "F8 Terminal/Store" in str(screen.query_one(KeyBar).render())
        assert "Terminal" not in title(pilot)

        dialog = await open_scope(pilot, till)
        listing = dialog.query_one("#scope-list", OptionList)
        assert [str(listing.get_option_at_index(i).prompt).strip() for i in range(listing.option_count)] == [
            "All terminals and stores",
            "Terminals",
            "T1",
            "T2",
            "Stores",
            "S1 · Mağaza",
        ]
        assert listing.highlighted == listing.get_option_index(ALL)  # the filter now: none
        inside(pilot, dialog.query_one("#dialog"))
        assert "↑↓ and Enter: choose · Esc: cancel" in till.screen_text(pilot)
        await choose(pilot, till, "terminal:T2")

        assert app.screen is screen and screen.state.scope == Scope(terminal="T2")
        assert title(pilot) == "Sales by day · Today (01.11.2026) · Terminal: T2"
        assert column(pilot, "net") == [T2_NET] and column(pilot, "receipts") == ["1"]
        assert net(pilot) == T2_NET
        assert "Net sales: 117.50" in till.screen_text(pilot)

        dialog = await open_scope(pilot, till)  # the current filter is highlighted
        listing = dialog.query_one("#scope-list", OptionList)
        assert listing.highlighted == listing.get_option_index("terminal:T2")
        await choose(pilot, till, "store:S1")  # both sell from S1's default location
        assert title(pilot).endswith("· Store: S1")
        assert net(pilot) == BOTH_NET and column(pilot, "receipts") == ["3"]

        await open_scope(pilot, till)
        await choose(pilot, till, "terminal:T1")
        assert net(pilot) == T1_NET and column(pilot, "receipts") == ["2"]

        await open_scope(pilot, till)
        await choose(pilot, till, ALL)
        assert title(pilot) == "Sales by day · Today (01.11.2026)"
        assert net(pilot) == BOTH_NET


async def test_a_second_store_counts_only_its_terminal(make_app, shop, now, till) -> None:
    seed_two_tills(shop, now, second_store=True)  # T2 sells from S2's location KDK
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await till.login(pilot, "9999")
        await open_reports(pilot, till)
        await open_scope(pilot, till)
        await choose(pilot, till, "store:S2")
        assert title(pilot).endswith("· Store: S2") and net(pilot) == T2_NET
        await open_scope(pilot, till)
        await choose(pilot, till, "store:S1")  # T1 has no location: it sells from S1's default
        assert net(pilot) == T1_NET


async def test_the_filter_stays_through_periods_and_reports(make_app, two_tills, till) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await till.login(pilot, "9999")
        screen = await open_reports(pilot, till)
        await open_scope(pilot, till)
        await choose(pilot, till, "terminal:T2")

        await pilot.press("f4")  # yesterday: T2 sold nothing then (a day of zeros)
        await till.settle(pilot)
        assert title(pilot) == "Sales by day · Yesterday (31.10.2026) · Terminal: T2"
        assert net(pilot) == "0.00"
        await pilot.press("f4")  # this week: today's T2 receipt only
        await till.settle(pilot)
        assert "This week (26.10.2026–01.11.2026) · Terminal: T2" in title(pilot)
        assert net(pilot) == T2_NET

        await pilot.press("f5")  # typed days keep it too
        await till.settle(pilot)
        await till.type(pilot, "01.11.2026", "enter")
        await till.type(pilot, "01.11.2026", "enter")
        assert title(pilot) == "Sales by day · 01.11.2026 · Terminal: T2" and net(pilot) == T2_NET

        await pilot.press("f2")  # another report: sales by terminal, still T2's only
        listing = screen.query_one("#report-list", OptionList)
        listing.highlighted = listing.get_option_index("sales-by-terminal")
        await pilot.press("enter")
        await till.settle(pilot)
        assert screen.report.name == "sales-by-terminal" and screen.report.filters["terminal"] == "T2"
        assert column(pilot, "terminal") == ["T2"]


async def test_a_chain_wide_report_says_the_filter_does_not_apply(make_app, two_tills, till) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await till.login(pilot, "9999")
        screen = await open_reports(pilot, till)
        await open_scope(pilot, till)
        await choose(pilot, till, "store:S1")
        for name in ("receivables-aging", "loyalty-kpis"):
            await pilot.press("f2")
            listing = screen.query_one("#report-list", OptionList)
            listing.highlighted = listing.get_option_index(name)
            await pilot.press("enter")
            await till.settle(pilot)
            assert screen.report.name == name and screen.report.notes
            note = screen.report.notes[-1]
            assert "do not apply" in note
            assert on_screen(pilot, till, note), till.screen_text(pilot)
            inside(pilot, screen.query_one("#message"))


async def test_esc_keeps_the_filter(make_app, two_tills, till) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await till.login(pilot, "9999")
        screen = await open_reports(pilot, till)
        await open_scope(pilot, till)
        await choose(pilot, till, "terminal:T2")
        await open_scope(pilot, till)
        await pilot.press("up", "escape")
        await till.settle(pilot)
        assert app.screen is screen and screen.state.scope == Scope(terminal="T2") and net(pilot) == T2_NET


async def test_the_dialog_fits_80x24_with_many_terminals(make_app, open_shift, shop, now, till) -> None:
    for n in range(1, 21):
        cash.open_shift(f"K{n:02d}", shop.ayse, Decimal("0.00"), now=now)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await till.login(pilot, "9999")
        await open_reports(pilot, till)
        dialog = await open_scope(pilot, till)
        listing = dialog.query_one("#scope-list", OptionList)
        assert listing.option_count == 1 + 1 + 21 + 1 + 1  # all, heading, K01…K20 and T1, heading, S1
        for selector in ("#dialog", ".dialog-title", "#scope-list", ".dialog-hint"):
            inside(pilot, dialog.query_one(selector))
        await choose(pilot, till, "store:S1")  # the last one: the list scrolled to it
        assert isinstance(app.screen, ReportsScreen) and app.screen.state.scope == Scope(store="S1")


async def test_the_export_carries_the_filter(make_app, two_tills, settings, till) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await till.login(pilot, "9999")
        screen = await open_reports(pilot, till)
        await open_scope(pilot, till)
        await choose(pilot, till, "terminal:T2")
        await pilot.press("f9")  # XLSX first: its title block has the filter line
        await till.settle(pilot)
        assert isinstance(app.screen, ReportExportDialog)
        path = app.screen.query_one("#export-path", Input).value
        assert path.endswith("sales-by-day_2026-11-01_2026-11-01_T2.xlsx")  # T1's would be _T1
        await pilot.press("enter")
        await till.settle(pilot)
        assert app.screen is screen
        rows = list(load_workbook(path).worksheets[0].iter_rows(values_only=True))
        assert ("Filters: Terminal: T2",) in [tuple(c for c in row if c is not None) for row in rows]
        header = next(r for r in rows if r and r[0] == "Day")
        total = next(r for r in rows if r and r[0] == "Total")
        assert Decimal(str(total[header.index("Net")])) == Decimal(T2_NET)

        await pilot.press("f9")
        await till.settle(pilot)
        await pilot.press("down", "down", "down")  # XLSX → PDF → CSV → JSON
        await till.settle(pilot)
        path = app.screen.query_one("#export-path", Input).value
        assert path.endswith(".json")
        await pilot.press("enter")
        await till.settle(pilot)
        assert app.screen is screen
        written = json.loads(Path(path).read_text(encoding="utf-8"))
        assert written["filters"] == {"terminal": "T2", "store": None}
        assert written["totals"]["net"] == T2_NET


def test_scope_keys_round_trip() -> None:
    for scope in (Scope(), Scope(terminal="T2"), Scope(store="S1")):
        assert Scope.of_key(scope.key) == scope
    assert Scope().label() == "" and Scope(terminal="T2").label() == "Terminal: T2"
    assert Scope(store="S1").label() == "Store: S1"


def test_the_choices_are_the_terminals_the_cli_accepts(shop, now) -> None:
    """The dialog's terminals: where a shift, a sale, a Z or a PIN was ever recorded, sorted; the
    CLI's ``--terminal`` accepts exactly those (staff.terminal_known)."""
    assert staff.known_terminals() == []
    seed_two_tills(shop, now, second_store=True)
    loaded = load_scopes()
    assert loaded.terminals == ["T1", "T2"] and all(staff.terminal_known(t) for t in loaded.terminals)
    assert loaded.stores == [("S1", "Mağaza"), ("S2", "Kadıköy")]

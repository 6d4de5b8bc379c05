"""Helpers of the report screen's tests (test_rtui_*): open it from the F12 menu, read its table."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from pos_tui.tui.screens.menu import SHORTCUTS
from pos_tui.tui.screens.reports import ReportsScreen
from pos_tui.tui.widgets.report_table import ReportTable


async def sell_for_cash(pilot: Pilot[None], till: Any, code: str, cash: str) -> None:
    """Scan ``code``, pay ``cash`` in cash, close the receipt preview."""
    await till.scan(pilot, code)
    await pilot.press("f8")
    await till.type(pilot, cash, "enter")
    await till.type(pilot, "", "enter")


async def open_reports(pilot: Pilot[None], till: Any) -> ReportsScreen:
    """F12, then the menu's reports key; the screen with its first report made."""
    await pilot.press("f12")
    await till.settle(pilot)
    await pilot.press(SHORTCUTS["reports"])
    await till.settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ReportsScreen), screen
    return screen


def table_of(pilot: Pilot[None]) -> ReportTable:
    return pilot.app.screen.query_one(ReportTable)


def column(pilot: Pilot[None], key: str) -> list[str]:
    """The shown rows' texts in column ``key`` (the totals row left out)."""
    table = table_of(pilot)
    report = pilot.app.screen.report
    return table.column_texts(report.column(key))


def totals(pilot: Pilot[None]) -> list[str]:
    table = table_of(pilot)
    return [str(cell) for cell in table.get_row("__totals__")]

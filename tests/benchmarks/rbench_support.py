"""A stand-in report screen for the first-paint harness's test (``--preload rbench_support``): the F12
menu gets an entry ``reports`` on key ``r`` whose screen paints an empty table first and fills it
a moment later, as a report read in a worker would."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable

from pos_tui.tui.screens import menu

FILL_AFTER_S = 0.2


class FakeReportScreen(Screen[None]):
    def compose(self) -> ComposeResult:
        yield DataTable()

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns("Gün", "Net")
        self.set_timer(FILL_AFTER_S, self._fill)

    def _fill(self) -> None:
        self.query_one(DataTable).add_row("31.12.2025", "1.234,50")


def open_fake_reports(screen: Any) -> None:
    screen.app.push_screen(FakeReportScreen())


if "reports" not in menu.ACTIONS:  # the real entry wins once it exists
    menu.SHORTCUTS["reports"] = "r"
    menu.ACTIONS["reports"] = open_fake_reports
    _entries = menu.menu_entries

    def _with_reports(screen: Any) -> list[tuple[str, str]]:
        return [*_entries(screen), ("reports", "Raporlar")]

    menu.menu_entries = _with_reports

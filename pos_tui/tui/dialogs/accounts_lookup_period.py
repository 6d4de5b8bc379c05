"""The period of an account statement: first and last day (``01.11.2026``), both included."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from textual import on
from textual.app import ComposeResult
from textual.widgets import Input, Label

from pos_tui.i18n import _
from pos_tui.tui.dialogs.base import Dialog


@dataclass(frozen=True, slots=True)
class Period:
    start: date
    end: date


def parse_day(text: str) -> date | None:
    """``01.11.2026``, ``1.11.2026`` or ``2026-11-01``; None when it is none of them."""
    text = text.strip()
    for pattern in ("%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


class StatementPeriodDialog(Dialog[Period]):
    """Ask for the statement's first and last day (default: this month up to today)."""

    def __init__(self, today: date) -> None:
        super().__init__(_("Statement period"))
        self.today = today

    def compose_body(self) -> ComposeResult:
        yield Label(_("First day (dd.mm.yyyy)"), classes="dialog-prompt")
        yield Input(value=self.today.replace(day=1).strftime("%d.%m.%Y"), id="start", select_on_focus=True)
        yield Label(_("Last day (dd.mm.yyyy)"), classes="dialog-prompt")
        yield Input(value=self.today.strftime("%d.%m.%Y"), id="end", select_on_focus=True)

    @on(Input.Changed)
    def _changed(self) -> None:
        """A corrected field takes the old error away (each Enter checks again)."""
        self.clear_error()

    def _day(self, name: str) -> date | None:
        field = self.query_one(f"#{name}", Input)
        day = parse_day(field.value)
        if day is None:
            field.focus()
            self.show_error(_("{text!r} is not a date such as 01.11.2026").format(text=field.value.strip()[:20]))
        return day

    @on(Input.Submitted, "#start")
    def _start(self) -> None:
        if self._day("start") is not None:
            self.clear_error()
            self.query_one("#end", Input).focus()

    @on(Input.Submitted, "#end")
    def _submitted(self) -> None:
        start = self._day("start")
        end = None if start is None else self._day("end")
        if start is None or end is None:
            return
        if end < start:
            self.show_error(_("The last day is before the first day"))
            return
        self.clear_error()
        self.dismiss(Period(start, end))

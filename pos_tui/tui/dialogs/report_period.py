"""The report screen's own period: a first and a last day typed as ``01.12.2026`` (both included).

Each field is checked when it is left with Enter, so the error names the field and what was typed:
a day that is no date at all, a day that does not exist (31.02.2026), a last day before the first
one, a period over three years (the report's own rule, :class:`~pos_tui.core.reports.Period`).
"""

from __future__ import annotations

import re
from datetime import date

from textual import on
from textual.app import ComposeResult
from textual.widgets import Input, Label

from pos_tui.core.kernel import PosError
from pos_tui.core.reports import Period
from pos_tui.i18n import _
from pos_tui.tui.dialogs.base import Dialog

_DOTTED = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


class DayError(ValueError):
    """A typed day that is not one; the message says why, in the shop's language."""


def parse_day(text: str, field: str) -> date:
    """``01.12.2026`` (or ``1.12.2026``, ``01/12/2026``, ``2026-12-01``) as a day; else a
    :class:`DayError` naming ``field`` and what was typed."""
    value = text.strip()
    if not value:
        raise DayError(_("{field}: type a day such as 01.12.2026").format(field=field))
    dotted, iso = _DOTTED.match(value), _ISO.match(value)
    if dotted is not None:
        day, month, year = (int(dotted.group(n)) for n in (1, 2, 3))
    elif iso is not None:
        year, month, day = (int(iso.group(n)) for n in (1, 2, 3))
    else:
        raise DayError(
            _("{field}: {text} is not a day; type day.month.year, such as 01.12.2026").format(
                field=field, text=repr(value[:20])
            )
        )
    try:
        return date(year, month, day)
    except ValueError:
        raise DayError(
            _("{field}: there is no day {text} in the calendar").format(field=field, text=value[:20])
        ) from None


class ReportPeriodDialog(Dialog[Period]):
    """First and last day of the report (Enter goes to the next field, Enter on the last shows it)."""

    def __init__(self, period: Period) -> None:
        super().__init__(_("Report period"))
        self.period = period

    def compose_body(self) -> ComposeResult:
        yield Label(_("First day (dd.mm.yyyy)"), classes="dialog-prompt")
        yield Input(value=self.period.first.strftime("%d.%m.%Y"), id="period-first", select_on_focus=True)
        yield Label(_("Last day (dd.mm.yyyy)"), classes="dialog-prompt")
        yield Input(value=self.period.last.strftime("%d.%m.%Y"), id="period-last", select_on_focus=True)

    def hint(self) -> str:
        return _("Enter: next field, show on the last · Esc: cancel")

    @on(Input.Changed)
    def _changed(self) -> None:
        self.clear_error()

    def _day(self, name: str, label: str) -> date | None:
        field = self.query_one(f"#{name}", Input)
        try:
            return parse_day(field.value, label)
        except DayError as exc:
            field.focus()
            field.select_all()  # typing again replaces the wrong day
            self.show_error(str(exc))
            return None

    @on(Input.Submitted, "#period-first")
    def _first(self) -> None:
        if self._day("period-first", _("First day")) is not None:
            self.query_one("#period-last", Input).focus()

    @on(Input.Submitted, "#period-last")
    def _last(self) -> None:
        first = self._day("period-first", _("First day"))
        last = None if first is None else self._day("period-last", _("Last day"))
        if first is None or last is None:
            return
        try:
            period = Period(first, last)  # refuses a last day before the first, and over three years
        except PosError as exc:
            field = self.query_one("#period-last", Input)
            field.select_all()
            self.show_error(exc.for_till)
            return
        self.dismiss(period)

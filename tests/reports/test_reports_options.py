"""A report's own options through run_report: checked, defaulted, and refused in Turkish."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from pos_tui.core.kernel import ValidationError
from pos_tui.core.reports import Period, ReportQuery, run_report

NOW = datetime(2026, 12, 6, 9, tzinfo=UTC)


def _query(**options: str) -> ReportQuery:
    return ReportQuery(Period(date(2026, 12, 7), date(2026, 12, 7)), "Europe/Istanbul", NOW, options=options)


def test_weeks_sets_the_forecast_rows(db: object) -> None:
    assert len(run_report("collections-forecast", _query()).rows) == 1 + 8  # overdue + eight weeks
    report = run_report("collections-forecast", _query(weeks="3"))
    assert len(report.rows) == 1 + 3
    assert report.rows[-1][2] == date(2026, 12, 27)  # the third week ends on its Sunday
    assert report.filters["weeks"] == "3"


@pytest.mark.parametrize("weeks", ["0", "53", "iki", "-1", ""])
def test_a_bad_weeks_is_refused(db: object, weeks: str) -> None:
    with pytest.raises(ValidationError, match="--weeks"):
        run_report("collections-forecast", _query(weeks=weeks))


def test_an_option_of_another_report_or_a_bad_choice_is_refused(db: object) -> None:
    with pytest.raises(ValidationError, match="--weeks"):
        run_report("sales-by-day", _query(weeks="3"))
    with pytest.raises(ValidationError, match="last-year"):
        run_report("sales-compare", _query(against="last-month"))

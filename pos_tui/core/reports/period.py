"""A report's period: the shop days it covers, from ``--from/--to`` or a named ``--period``.

Every period is a run of whole local days, both ends included (``first`` ≤ ``last``). The named
ones are counted back from the shop's ``today``: ``week`` is Monday to today, ``month`` the 1st to
today, ``year`` 1 January to today; ``last-week``, ``last-month`` and ``last-year`` are the whole
ones before; ``yesterday`` is the day before today (the morning e-mail's period).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta

from pos_tui.core.kernel.clock import day_bounds
from pos_tui.core.kernel.errors import ValidationError
from pos_tui.i18n import _

PERIODS: tuple[str, ...] = ("today", "yesterday", "week", "last-week", "month", "last-month", "year", "last-year")
"""The names ``--period`` takes (``pos-admin report … --period month``) and the till's period picker shows."""

MAX_DAYS = 3 * 366 + 1
"""The longest period a report covers: three years (period over period reads the year before it)."""


@dataclass(frozen=True, slots=True)
class Period:
    """Shop days ``first`` to ``last``, both included."""

    first: date
    last: date

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValidationError(
                _("The report ends ({to}) before it starts ({start})").format(
                    to=self.last.strftime("%d.%m.%Y"), start=self.first.strftime("%d.%m.%Y")
                )
            )
        if self.days > MAX_DAYS:
            raise ValidationError(
                _("A report covers at most three years; {start} to {to} is {days} days").format(
                    start=self.first.strftime("%d.%m.%Y"), to=self.last.strftime("%d.%m.%Y"), days=self.days
                )
            )

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def each_day(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range(self.days)]

    def bounds(self, tz: str) -> tuple[datetime, datetime]:
        """The aware UTC ``[start, end)`` of the period's local days in ``tz``."""
        return day_bounds(self.first, tz)[0], day_bounds(self.last, tz)[1]

    def previous(self) -> Period:
        """The period to compare this one with, ending the day before it starts:

        * a week so far (from a Monday, up to seven days): the same weekdays of the week before;
        * a month so far (from the 1st, within the month): the same days of the month before, and a
          whole month the whole month before (15 November: 1–15 October; November: October);
        * a year so far (from 1 January, within the year): the same days of the year before;
        * any other period: as many days, just before it."""
        first, last = self.first, self.last
        if first.weekday() == 0 and self.days <= 7:
            return Period(first - timedelta(days=7), last - timedelta(days=7))
        if first.day == 1 and (first.year, first.month) == (last.year, last.month):
            month_end = last == first + relativedelta(months=1, days=-1)
            before = first - relativedelta(months=1)
            return Period(before, first - timedelta(days=1) if month_end else last - relativedelta(months=1))
        if (first.month, first.day) == (1, 1) and first.year == last.year:
            return self.year_before()
        return Period(first - timedelta(days=self.days), first - timedelta(days=1))

    def year_before(self) -> Period:
        """The same days a year earlier (29 February → 28 February)."""
        return Period(self.first - relativedelta(years=1), self.last - relativedelta(years=1))

    def label(self) -> str:
        """``01.12.2026–06.12.2026`` (one day: ``06.12.2026``)."""
        if self.first == self.last:
            return self.first.strftime("%d.%m.%Y")
        return f"{self.first.strftime('%d.%m.%Y')}–{self.last.strftime('%d.%m.%Y')}"

    def as_json(self) -> dict[str, str]:
        return {"from": self.first.isoformat(), "to": self.last.isoformat()}


def named_period(name: str, today: date) -> Period:
    """The period ``name`` (one of :data:`PERIODS`) as of the shop day ``today``."""
    if name == "today":
        return Period(today, today)
    if name == "yesterday":
        day = today - timedelta(days=1)
        return Period(day, day)
    if name == "week":
        return Period(today - timedelta(days=today.weekday()), today)
    if name == "last-week":
        monday = today - timedelta(days=today.weekday() + 7)
        return Period(monday, monday + timedelta(days=6))
    if name == "month":
        return Period(today.replace(day=1), today)
    if name == "last-month":
        first = today.replace(day=1) - relativedelta(months=1)
        return Period(first, today.replace(day=1) - timedelta(days=1))
    if name == "year":
        return Period(today.replace(month=1, day=1), today)
    if name == "last-year":
        return Period(date(today.year - 1, 1, 1), date(today.year - 1, 12, 31))
    raise ValidationError(
        _("No period {name}; choose one of {choices}").format(name=repr(name), choices=", ".join(PERIODS))
    )


def resolve_period(*, period: str | None, first: date | None, last: date | None, today: date) -> Period:
    """The period of ``--period`` or ``--from/--to`` (not both).

    ``--from`` alone runs to today, ``--to`` alone is that one day; neither is ``today``."""
    if period is not None:
        if first is not None or last is not None:
            raise ValidationError(_("Give either a named period or a first and last day, not both"))
        return named_period(period, today)
    if first is None and last is None:
        return Period(today, today)
    if first is None:
        assert last is not None
        return Period(last, last)
    return Period(first, last if last is not None else max(first, today))

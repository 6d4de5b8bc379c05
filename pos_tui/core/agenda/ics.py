"""The agenda as an iCalendar file (RFC 5545, the ``icalendar`` package): one VTODO per entry, its
UID stable (``<id>@pos_tui``), DUE and DTSTART in the shop's zone with a TZID (a VTIMEZONE is
included) or as a date for all-day entries, the recurrence kept as its RRULE."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from icalendar import Calendar, Todo, vRecur

from pos_tui.core.agenda.entries import DONE, AgendaInfo
from pos_tui.core.kernel.clock import SHOP_TZ, local

PRODID = "-//pos_tui//ajanda//TR"


def uid_of(entry_id: int) -> str:
    return f"{entry_id}@pos_tui"


def export_ics(entries: Iterable[AgendaInfo], *, now: datetime, tz: str = SHOP_TZ) -> bytes:
    """The calendar of ``entries`` as bytes (CRLF lines, UTF-8)."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("x-wr-timezone", tz)
    for e in entries:
        todo = Todo()
        todo.add("uid", uid_of(e.id))
        todo.add("dtstamp", now)
        todo.add("created", e.created_at)
        todo.add("summary", e.title)
        if e.text:
            todo.add("description", e.text)
        if e.due_at is not None:
            at = local(e.due_at, tz)
            value = at.date() if e.all_day else at
            todo.add("dtstart", value)
            todo.add("due", value)
        if e.rrule:
            todo.add("rrule", vRecur.from_ical(e.rrule))
        todo.add("status", "COMPLETED" if e.status == DONE else "NEEDS-ACTION")
        if e.status == DONE and e.done_at is not None:
            todo.add("completed", e.done_at)
        todo.add("categories", [e.kind])
        if e.link is not None:
            todo.add("x-pos-link", e.link)
        if e.source is not None:
            todo.add("x-pos-source", e.source)
        cal.add_component(todo)
    cal.add_missing_timezones()
    return cal.to_ical()

"""The agenda (ajanda): notes and tasks with a due date and time, a link to a party, product, document or
cheque, an assignee (user or role) and an RFC 5545 recurrence; automatic entries kept in step with the
books (cheques and installments falling due, supplier payments, overdue customer items, expiring
campaigns and coupons, the day's count); due dates on Turkish public holidays and weekends flagged.
Above till and cash (it reads accounts, stock, loyalty). docs/agenda.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pos_tui.core.kernel.lazy import front_door

# public name -> the module of this package that defines it (a module's own name: the module itself)
_EXPORTS = {
    "AUTO_ROLE": "automatic",
    "AgendaInfo": "entries",
    "AgendaInput": "entries",
    "DAYS_AHEAD": "automatic",
    "DayFlags": "entries",
    "KINDS": "entries",
    "LINK_KINDS": "entries",
    "RefreshResult": "automatic",
    "add_entry": "entries",
    "clean_rrule": "entries",
    "day_flags": "entries",
    "due_flags": "entries",
    "due_for": "entries",
    "edit_entry": "entries",
    "export_ics": "ics",
    "get_entry": "entries",
    "holiday_name": "entries",
    "list_entries": "entries",
    "mark_done": "entries",
    "next_occurrence": "entries",
    "parse_moment": "moments",
    "refresh": "automatic",
    "reopen": "entries",
    "snooze": "entries",
    "tomorrow_morning": "entries",
}

__all__ = [
    "AUTO_ROLE",
    "DAYS_AHEAD",
    "KINDS",
    "LINK_KINDS",
    "AgendaInfo",
    "AgendaInput",
    "DayFlags",
    "RefreshResult",
    "add_entry",
    "clean_rrule",
    "day_flags",
    "due_flags",
    "due_for",
    "edit_entry",
    "export_ics",
    "get_entry",
    "holiday_name",
    "list_entries",
    "mark_done",
    "next_occurrence",
    "parse_moment",
    "refresh",
    "reopen",
    "snooze",
    "tomorrow_morning",
]
if not TYPE_CHECKING:  # type checkers read the imports below instead, and flag a misspelt name
    __getattr__, __dir__ = front_door(__name__, _EXPORTS)

if TYPE_CHECKING:
    from pos_tui.core.agenda.automatic import AUTO_ROLE, DAYS_AHEAD, RefreshResult, refresh
    from pos_tui.core.agenda.entries import (
        KINDS,
        LINK_KINDS,
        AgendaInfo,
        AgendaInput,
        DayFlags,
        add_entry,
        clean_rrule,
        day_flags,
        due_flags,
        due_for,
        edit_entry,
        get_entry,
        holiday_name,
        list_entries,
        mark_done,
        next_occurrence,
        reopen,
        snooze,
        tomorrow_morning,
    )
    from pos_tui.core.agenda.ics import export_ics
    from pos_tui.core.agenda.moments import parse_moment

"""The agenda (ajanda) at the till.

- :func:`open_agenda` (F12 → Agenda): a day or week list (F4 switches) of what the logged-in user
  sees (theirs, their role's and everyone's), in the order they come up (a snoozed entry at the end
  of its snooze); F2 adds a note (title, date, text), F5 done (a recurring entry moves to its next
  date), F6 snooze (an hour, tomorrow 09:00 or a typed moment), F7 reopens a done one. Enter opens
  the entry: its whole title and text, link, assignee, recurrence and the holiday's name (F5, F6
  and F7 work there too). The list is laid out for 80 columns: time, a wide title, a short status
  and a one-character flag for a due day on a public holiday (◆) or a weekend (◇).
- :func:`show_at_login`: after a PIN login, the user's overdue and today's entries in a dialog
  that one key closes; nothing at all when there are none (a cashier is never held up: the
  entries are read in a worker and any failure only leaves the dialog out).

Reading the agenda is a quick local read (the automatic entries are brought in step first).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import DataTable, Input, Label, Static

from pos_tui.core import agenda
from pos_tui.core.kernel import PosError, local, role_label, shop_day
from pos_tui.i18n import _, ngettext
from pos_tui.tui.dialogs.base import Dialog
from pos_tui.tui.dialogs.prompts import ChoiceDialog
from pos_tui.tui.keymap import N_

if TYPE_CHECKING:
    from pos_tui.tui.screens.base import PosScreen

LOGIN_MAX = 40  # lines in the login reminder (the body scrolls); the rest: F12 → Agenda
TITLE_WIDTH = 38  # the list's title column at 80 columns (with the scroll bar of a long list)
REMINDER_WIDTH = 68  # a wide dialog at 80 columns leaves 72 inside its frame, less a scroll bar
WEEKDAYS = (N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"), N_("Saturday"), N_("Sunday"))


HOLIDAY_MARK, WEEKEND_MARK = "◆", "◇"


def effective_at(e: agenda.AgendaInfo, now: datetime) -> datetime | None:
    """When the entry comes up: the end of its snooze while it is snoozed, else its due time."""
    if e.is_snoozed(now) and e.snoozed_until is not None:
        return e.snoozed_until
    return e.due_at


def in_order(entries: list[agenda.AgendaInfo], now: datetime) -> list[agenda.AgendaInfo]:
    """The entries by the time they come up (:func:`effective_at`), undated ones last."""
    far = datetime.max.replace(tzinfo=UTC)
    return sorted(entries, key=lambda e: (effective_at(e, now) or far, e.id))


def when_text(e: agenda.AgendaInfo, tz: str, today: date | None = None, now: datetime | None = None) -> str:
    """The due time (with ``now``: the end of the snooze of a snoozed entry), short."""
    at_utc = e.due_at if now is None else effective_at(e, now)
    if at_utc is None:
        return "—"
    at = local(at_utc, tz)
    whole_day = e.all_day and at_utc == e.due_at
    if today is not None and at.date() == today:
        return _("today") if whole_day else at.strftime("%H:%M")
    return at.strftime("%d.%m.%Y") if whole_day else at.strftime("%d.%m %H:%M")


def shown_flags(e: agenda.AgendaInfo, now: datetime, tz: str) -> agenda.DayFlags:
    """The holiday/weekend flags of the day the list shows for the entry (:func:`effective_at`)."""
    at = effective_at(e, now)
    return agenda.DayFlags(None, False) if at is None else agenda.day_flags(local(at, tz).date())


def flag_mark(e: agenda.AgendaInfo, now: datetime, tz: str) -> Text:
    """One character: ◆ the day shown is a public holiday, ◇ a weekend, nothing else."""
    flags = shown_flags(e, now, tz)
    if flags.holiday:
        return Text(HOLIDAY_MARK, style="yellow")
    return Text(WEEKEND_MARK, style="yellow") if flags.weekend else Text("")


def flag_text(e: agenda.AgendaInfo, tz: str) -> str:
    """The due day's holiday name, "weekend", or nothing."""
    flags = agenda.due_flags(e, tz)
    if flags.holiday:
        return flags.holiday
    return _("weekend") if flags.weekend else ""


def reminder_line(e: agenda.AgendaInfo, now: datetime, tz: str, today: date, width: int = REMINDER_WIDTH) -> Text:
    """``  31.10 16:00  Bakkal'ın çekini sor  [hafta sonu]`` on one line of ``width`` (a long title
    is cut with "…" so the flag never wraps onto a line of its own)."""
    line = Text(no_wrap=True, overflow="ellipsis")
    overdue = e.is_overdue(now, tz)
    line.append(f"{when_text(e, tz, today):>11}  ", style="bold red" if overdue else "")
    flag = flag_text(e, tz)
    tail = f"  [{flag}]" if flag else ""
    room = max(width - len(line) - len(tail), 10)
    title = e.title if len(e.title) <= room else e.title[: room - 1] + "…"
    line.append(title)
    if tail:
        line.append(tail, style="yellow")
    return line


def status_text(e: agenda.AgendaInfo, now: datetime, tz: str) -> Text:
    """A short status word (the list gives it 10 columns)."""
    if e.status == "done":
        return Text(_("done"), style="dim")
    if e.is_snoozed(now):
        return Text(_("snoozed"), style="dim")
    if e.is_overdue(now, tz):
        return Text(_("late"), style="bold red")
    return Text(_("open"))


def _load(actor: Any, now: datetime, tz: str, language: str, since: date, until: date) -> list[agenda.AgendaInfo]:
    agenda.refresh(now=now, tz=tz, language=language)
    return agenda.list_entries(
        now=now,
        tz=tz,
        since=since,
        until=until,
        user=actor.name,
        role=actor.role,
        include_done=True,
        include_snoozed=True,
        undated=False,
    )


class AgendaLoaded(Message):
    """The entries of the agenda dialog's period, read in a worker."""

    def __init__(self, entries: list[agenda.AgendaInfo], week: bool, keep: int | None) -> None:
        super().__init__()
        self.entries, self.week, self.keep = entries, week, keep


class AgendaDueDialog(Dialog[None]):
    """The login reminder: overdue and today's entries; any of Enter, Esc or Space closes it."""

    SCROLLS = True
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "cancel", N_("Close"), show=False),
        Binding("space", "cancel", N_("Close"), show=False),
    ]

    def __init__(self, entries: list[agenda.AgendaInfo], now: datetime, tz: str) -> None:
        super().__init__(_("Agenda: overdue and today"))
        self.add_class("wide")
        self.entries, self.now, self.tz = entries, now, tz

    def compose_body(self) -> ComposeResult:
        today = shop_day(self.now, self.tz)
        for e in self.entries[:LOGIN_MAX]:
            yield Static(reminder_line(e, self.now, self.tz, today), classes="agenda-due-line")
        if len(self.entries) > LOGIN_MAX:
            more = len(self.entries) - LOGIN_MAX
            yield Static(
                ngettext(
                    "… and {n} more entry under F12 → Agenda", "… and {n} more entries under F12 → Agenda", more
                ).format(n=more),
                classes="agenda-due-line",
            )

    def hint(self) -> str:
        return _("Enter: close · F12 → Agenda for done and snooze")


class AgendaAddDialog(Dialog[agenda.AgendaInfo]):
    """Add a note: title, due (29.10.2026 14:30; empty: none) and text; Enter on the text saves."""

    TITLE_TEXT = N_("New agenda entry")

    def __init__(self, actor: Any, now: datetime, tz: str) -> None:
        super().__init__()
        self.actor, self.now, self.tz = actor, now, tz

    def compose_body(self) -> ComposeResult:
        yield Label(_("Title"))
        yield Input(id="agenda-title", max_length=agenda.entries.TITLE_MAX)
        yield Label(_("Date (29.10.2026 14:30; a day alone: all day; empty: none)"))
        yield Input(id="agenda-due", placeholder=local(self.now, self.tz).strftime("%d.%m.%Y %H:%M"))
        yield Label(_("Text"))
        yield Input(id="agenda-text")

    def hint(self) -> str:
        return _("Enter: next field, save on the last · Esc: cancel")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "agenda-text":
            self.focus_next()
            return
        self.save()

    def save(self) -> None:
        title = self.query_one("#agenda-title", Input).value
        due_text = self.query_one("#agenda-due", Input).value.strip()
        text = self.query_one("#agenda-text", Input).value
        try:
            due, timed = (None, False) if not due_text else agenda.parse_moment(due_text, self.tz, _("Date"))
            entry = agenda.add_entry(
                agenda.AgendaInput(title=title, text=text, due=due, all_day=due is not None and not timed),
                actor=self.actor,
                now=self.now,
                tz=self.tz,
            )
        except PosError as exc:
            self.show_error(exc.message)
            return
        self.dismiss(entry)


class SnoozeUntilDialog(Dialog[datetime]):
    """Type the moment to snooze until (a day alone: 09:00 that day)."""

    TITLE_TEXT = N_("Snooze until")

    def __init__(self, now: datetime, tz: str) -> None:
        super().__init__()
        self.now, self.tz = now, tz

    def compose_body(self) -> ComposeResult:
        yield Label(_("Date and time (29.10.2026 14:30)"))
        yield Input(id="snooze-until")

    @on(Input.Submitted, "#snooze-until")
    def _submitted(self, event: Input.Submitted) -> None:
        try:
            at, timed = agenda.parse_moment(event.value, self.tz, _("Snooze until"))
        except PosError as exc:
            self.show_error(exc.message)
            return
        when = at if timed else at + timedelta(hours=9)
        if when <= self.now:
            self.show_error(_("Snooze until a moment in the future"))
            return
        self.dismiss(when)


class AgendaDialog(Dialog[None]):
    """F12 → Agenda: the day or week list and its keys (module docstring)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f2", "add", N_("Add")),
        Binding("f4", "toggle_week", N_("Day/week")),
        Binding("f5", "done", N_("Done")),
        Binding("f6", "snooze", N_("Snooze")),
        Binding("f7", "reopen", N_("Reopen")),
    ]

    def __init__(self, actor: Any, now: datetime, tz: str, language: str) -> None:
        super().__init__(_("Agenda"))
        self.add_class("wide")
        self.actor, self.now, self.tz, self.language = actor, now, tz, language
        self.week = False
        self.note = ""  # what the last key did, shown after the period
        self.entries: list[agenda.AgendaInfo] = []

    def compose_body(self) -> ComposeResult:
        period = Label("", id="agenda-period")
        period.styles.width = "100%"  # wraps: the note of the last key goes on a second line
        yield period
        table: DataTable[Any] = DataTable(id="agenda-table", cursor_type="row", zebra_stripes=False)
        yield table

    def on_mount(self) -> None:
        table = self.query_one("#agenda-table", DataTable)
        # 80 columns leave 70 for the table: 60 for the cells, 2 of padding each and 2 for the
        # scroll bar of a long list; the title gets what the rest leaves (Enter shows all of it)
        table.add_column(_("When"), width=11)
        table.add_column(_("Title"), width=TITLE_WIDTH)
        table.add_column(_("Status"), width=10)
        table.add_column("", width=1)  # ◆ holiday, ◇ weekend (named in the entry's details)
        self.reload()
        table.focus()

    def hint(self) -> str:
        return _("Enter: details · F2 add · F4 day/week · F5 done · F6 snooze · F7 reopen")

    def period(self) -> tuple[date, date]:
        today = shop_day(self.now, self.tz)
        return today, today + timedelta(days=6 if self.week else 0)

    def reload(self, keep: int | None = None) -> None:
        """Read the period's entries in a worker (the automatic ones are brought in step first:
        that reads every open account) and show them when they come."""
        from pos_tui.tui.base import pos_app
        from pos_tui.tui.calls import CoreCall

        since, until = self.period()
        actor, now, tz, language, week = self.actor, self.now, self.tz, self.language, self.week

        def run(_override: Any) -> AgendaLoaded:
            return AgendaLoaded(_load(actor, now, tz, language, since, until), week, keep)

        pos_app(self).call_core(
            CoreCall(run=run, reply=lambda loaded: loaded, target=self, description=_("Agenda"), group="agenda")
        )

    @on(AgendaLoaded)
    def _loaded(self, event: AgendaLoaded) -> None:
        if event.week != self.week:
            return  # F4 was pressed again meanwhile: its own reply follows
        self.entries = in_order(event.entries, self.now)
        since, until = self.period()
        label = (
            _("Week {start} – {end}").format(start=since.strftime("%d.%m"), end=until.strftime("%d.%m.%Y"))
            if self.week
            else _("Day {day}, {weekday}").format(day=since.strftime("%d.%m.%Y"), weekday=_(WEEKDAYS[since.weekday()]))
        )
        flags = agenda.day_flags(since)
        if not self.week and flags.holiday:
            label += f" · {flags.holiday}"
        label += "  " + _("({n} entries)").format(n=len(self.entries))
        if any(shown_flags(e, self.now, self.tz).flagged for e in self.entries):
            label += " · " + _("{holiday} holiday, {weekend} weekend").format(
                holiday=HOLIDAY_MARK, weekend=WEEKEND_MARK
            )
        if self.note:
            label += "\n" + self.note
        self.query_one("#agenda-period", Label).update(label)
        table = self.query_one("#agenda-table", DataTable)
        table.clear()
        for e in self.entries:
            title = e.title + (" ↻" if e.rrule else "")
            table.add_row(
                when_text(e, self.tz, None if self.week else since, self.now),
                title if len(title) <= TITLE_WIDTH else title[: TITLE_WIDTH - 1] + "…",
                status_text(e, self.now, self.tz),
                flag_mark(e, self.now, self.tz),
                key=str(e.id),
            )
        if event.keep is not None:
            for row, e in enumerate(self.entries):
                if e.id == event.keep:
                    table.move_cursor(row=row)
                    break

    def selected(self) -> agenda.AgendaInfo | None:
        table = self.query_one("#agenda-table", DataTable)
        if not self.entries:
            self.show_error(_("Nothing is selected; add an entry with F2"))
            return None
        return self.entries[min(table.cursor_row, len(self.entries) - 1)]

    def _run(self, action: Any, entry_id: int, note: str) -> None:
        try:
            action()
        except PosError as exc:
            self.show_error(exc.message)
            return
        self.clear_error()
        self.note = note
        self.reload(keep=entry_id)

    @on(DataTable.RowSelected, "#agenda-table")
    def _open(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_details()

    def action_details(self) -> None:
        e = self.selected()
        if e is None:
            return

        def chosen(action: str | None) -> None:
            if action is not None:
                self.act(action, e)

        self.app.push_screen(AgendaDetailDialog(e, self.now, self.tz), chosen)

    def act(self, action: str, e: agenda.AgendaInfo) -> None:
        """Done, snooze or reopen entry ``e`` (from the list or its details)."""
        if action == "done":
            self._run(
                lambda: agenda.mark_done(e.id, actor=self.actor, now=self.now, tz=self.tz),
                e.id,
                _("Entry {id} done").format(id=e.id),
            )
        elif action == "reopen":
            self._run(lambda: agenda.reopen(e.id, now=self.now), e.id, _("Entry {id} open again").format(id=e.id))
        elif action == "snooze":
            self.snooze(e)

    def action_toggle_week(self) -> None:
        self.week = not self.week
        self.note = ""
        self.clear_error()
        self.reload()

    def action_add(self) -> None:
        def added(entry: agenda.AgendaInfo | None) -> None:
            if entry is not None:
                self.reload(keep=entry.id)

        self.app.push_screen(AgendaAddDialog(self.actor, self.now, self.tz), added)

    def action_done(self) -> None:
        e = self.selected()
        if e is not None:
            self.act("done", e)

    def action_reopen(self) -> None:
        e = self.selected()
        if e is not None:
            self.act("reopen", e)

    def action_snooze(self) -> None:
        e = self.selected()
        if e is not None:
            self.act("snooze", e)

    def snooze(self, e: agenda.AgendaInfo) -> None:
        def until(when: datetime | None) -> None:
            if when is not None:
                self._run(
                    lambda: agenda.snooze(e.id, when, now=self.now),
                    e.id,
                    _("Entry {id} snoozed until {at}").format(
                        id=e.id, at=local(when, self.tz).strftime("%d.%m.%Y %H:%M")
                    ),
                )

        def chosen(key: str | None) -> None:
            if key == "hour":
                until(self.now + timedelta(hours=1))
            elif key == "tomorrow":
                until(agenda.tomorrow_morning(self.now, self.tz))
            elif key == "typed":
                self.app.push_screen(SnoozeUntilDialog(self.now, self.tz), until)

        self.app.push_screen(
            ChoiceDialog(
                _("Snooze {title}").format(title=e.title[:40]),
                [("hour", _("For an hour")), ("tomorrow", _("Until tomorrow 09:00")), ("typed", _("Until…"))],
            ),
            chosen,
        )


FREQUENCIES = {
    "DAILY": N_("every day"),
    "WEEKLY": N_("every week"),
    "MONTHLY": N_("every month"),
    "YEARLY": N_("every year"),
}


LINK_LABELS = {
    "party": N_("account"),
    "product": N_("product"),
    "document": N_("document"),
    "cheque": N_("cheque or note"),
}


def recurrence_text(rrule: str) -> str:
    """``every week ("FREQ=WEEKLY;BYDAY=MO")``: the rule's frequency in words, the rule itself quoted."""
    parts = dict(p.partition("=")[::2] for p in rrule.upper().split(";") if "=" in p)
    words = FREQUENCIES.get(parts.get("FREQ", ""))
    return f'{_(words)} ("{rrule}")' if words else f'"{rrule}"'


class AgendaDetailDialog(Dialog[str]):
    """One entry in full: title, date, status, text, link, assignee, recurrence and the due day's
    holiday or weekend. F5 done, F6 snooze, F7 reopen: the dialog closes with that action (the
    agenda list runs it); Enter or Esc closes it."""

    SCROLLS = True
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f5", "choose('done')", N_("Done")),
        Binding("f6", "choose('snooze')", N_("Snooze")),
        Binding("f7", "choose('reopen')", N_("Reopen")),
        Binding("enter", "cancel", N_("Close"), show=False),
    ]

    def __init__(self, entry: agenda.AgendaInfo, now: datetime, tz: str) -> None:
        super().__init__(_("Agenda entry {id}").format(id=entry.id))
        self.add_class("wide")
        self.entry, self.now, self.tz = entry, now, tz

    def rows(self) -> list[tuple[str, str]]:
        e, tz = self.entry, self.tz
        rows: list[tuple[str, str]] = [(_("Title"), e.title)]
        flags = agenda.due_flags(e, tz)
        if e.due_at is None:
            day = "—"
        else:
            due = local(e.due_at, tz)
            day = due.strftime("%d.%m.%Y") + (" " + _("(all day)") if e.all_day else due.strftime(" %H:%M"))
            day += f", {_(WEEKDAYS[due.weekday()])}"
            if flags.weekend and not flags.holiday:
                day += f" {WEEKEND_MARK} {_('weekend')}"
        rows.append((_("Date"), day))
        if flags.holiday:
            rows.append((_("Holiday"), f"{HOLIDAY_MARK} {flags.holiday}"))
        status = status_text(e, self.now, tz).plain
        if e.is_snoozed(self.now) and e.snoozed_until is not None:
            status += " " + _("until {at}").format(at=local(e.snoozed_until, tz).strftime("%d.%m.%Y %H:%M"))
        if e.status == "done" and e.done_at is not None:
            status += " " + local(e.done_at, tz).strftime("%d.%m.%Y %H:%M") + (f" · {e.done_by}" if e.done_by else "")
        rows.append((_("Status"), status))
        if e.text:
            rows.append((_("Text"), e.text))
        if e.link:
            kind, _sep, ref = e.link.partition(":")
            label = LINK_LABELS.get(kind)
            rows.append((_("Link"), f"{_(label)} {ref}" if label else e.link))
        who = e.user or (_("role {role}").format(role=role_label(e.role)) if e.role else _("everyone"))
        rows.append((_("For"), who))
        if e.rrule:
            rows.append((_("Repeats"), recurrence_text(e.rrule)))
        if e.automatic:
            rows.append((_("Source"), _("automatic: kept in step with the books")))
        return rows

    def compose_body(self) -> ComposeResult:
        from rich.table import Table

        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column(overflow="fold")
        for label, value in self.rows():
            grid.add_row(label, value)
        yield Static(grid, id="agenda-detail")

    def hint(self) -> str:
        return _("F5 done · F6 snooze · F7 reopen · Enter/Esc: close")

    def action_choose(self, action: str) -> None:
        self.dismiss(action)


def open_agenda(screen: PosScreen) -> None:
    """The agenda dialog over ``screen`` for the logged-in user."""
    session = screen.session
    if session.actor is None:
        return
    screen.app.push_screen(AgendaDialog(session.actor, session.now(), session.tz, screen.language))


def show_at_login(screen: PosScreen) -> None:
    """After a login: the user's overdue and today's entries, read in a worker; a dialog only when
    there are some. A failure never stops the cashier (it is logged and nothing is shown)."""
    session = screen.session
    actor = session.actor
    if actor is None:
        return
    app = screen.app
    now, tz, language = session.now(), session.tz, screen.language

    def work() -> None:
        try:
            agenda.refresh(now=now, tz=tz, language=language)
            due = agenda.due_for(actor, now=now, tz=tz)
        except Exception:
            app.log.error("agenda at login failed")
            return
        if due:
            app.call_from_thread(app.push_screen, AgendaDueDialog(due, now, tz))

    app.run_worker(work, thread=True, group="agenda-login", exit_on_error=False)

"""``pos-admin agenda``: add, list, done, snooze, reopen and export the agenda (ajanda).

Dates are ``dd.mm.yyyy`` or ISO (``2026-10-29``), with an optional time (``29.10.2026 14:30``), in
the shop's time zone. Listing and exporting first bring the automatic entries in step with the
books (cheques, installments, payables, overdue customers, coupons, campaigns, open counts).
Commands act as the first active admin unless ``--by NAME`` says who did it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer

from pos_tui.cli.common import cli_actor, handle_errors, make_typer, now, state
from pos_tui.cli.output import JsonOption, info, print_json, table
from pos_tui.core import agenda
from pos_tui.core.kernel import ValidationError, iso, local, role_label
from pos_tui.i18n import _
from pos_tui.settings import Settings

app = make_typer("agenda", "The agenda (ajanda): notes and tasks, due dates, export to a calendar.")

IdArgument = Annotated[int, typer.Argument(metavar="ID", help="The entry's number (see agenda list).")]
ByOption = Annotated[
    str | None, typer.Option("--by", help="Who does it (a user name; default: the first active admin).")
]


# Turkish words for --role besides the codes and the shown labels (kasiyer, yönetici, sistem yöneticisi).
_ROLE_WORDS = {
    "kasiyer": "cashier",
    "yonetici": "supervisor",
    "sistem yoneticisi": "admin",
    "sorumlu": "supervisor",
    "vardiya sorumlusu": "supervisor",
    "mudur": "supervisor",
    "yonetim": "admin",
}


def role_code(text: str | None, roles: tuple[str, ...]) -> str | None:
    """A --role word: a role's code (``cashier``), its label in the shop's language (``kasiyer``)
    or a Turkish word (``sorumlu``); an unknown one is refused naming each role's code and label."""
    from pos_tui.core.kernel import role_label
    from pos_tui.text import fold

    if text is None or not text.strip():
        return text
    words = {fold(r): r for r in roles} | {fold(role_label(r)): r for r in roles}
    words |= {w: r for w, r in _ROLE_WORDS.items() if r in roles}
    found = words.get(fold(text.strip()))
    if found is None:
        raise ValidationError(
            _("There is no role {role!r}; the roles are: {roles}").format(
                role=text.strip()[:20], roles=", ".join(f"'{r}' ({role_label(r)})" for r in roles)
            )
        )
    return found


def entry_json(e: agenda.AgendaInfo, now_: datetime, tz: str) -> dict[str, Any]:
    flags = agenda.due_flags(e, tz)
    return {
        "id": e.id,
        "kind": e.kind,
        "title": e.title,
        "text": e.text,
        "due": None
        if e.due_at is None
        else (local(e.due_at, tz).date().isoformat() if e.all_day else iso(e.due_at, tz)),
        "all_day": e.all_day,
        "rrule": e.rrule,
        "link": e.link,
        "user": e.user,
        "role": e.role,
        "status": e.status,
        "snoozed_until": None if e.snoozed_until is None else iso(e.snoozed_until, tz),
        "done_at": None if e.done_at is None else iso(e.done_at, tz),
        "done_by": e.done_by,
        "source": e.source,
        "automatic": e.automatic,
        "overdue": e.is_overdue(now_, tz),
        "holiday": flags.holiday,
        "weekend": flags.weekend,
    }


def when_text(e: agenda.AgendaInfo, tz: str) -> str:
    if e.due_at is None:
        return "-"
    at = local(e.due_at, tz)
    return at.strftime("%d.%m.%Y") if e.all_day else at.strftime("%d.%m.%Y %H:%M")


def flag_text(e: agenda.AgendaInfo, tz: str) -> str:
    flags = agenda.due_flags(e, tz)
    if flags.holiday:
        return flags.holiday
    return _("weekend") if flags.weekend else ""


def _status_text(e: agenda.AgendaInfo, now_: datetime, tz: str) -> str:
    if e.status == "done":
        return _("done")
    if e.is_snoozed(now_):
        return _("snoozed")
    return _("overdue") if e.is_overdue(now_, tz) else _("open")


def _print(e: agenda.AgendaInfo, now_: datetime, settings: Settings, json_: bool, message: str) -> None:
    if json_:
        print_json(entry_json(e, now_, settings.shop.timezone))
    else:
        info(message)


@app.command("add")
@handle_errors
def add(
    title: Annotated[str, typer.Argument(metavar="TITLE", help="What to do or remember.")],
    text: Annotated[str | None, typer.Option("--text", help="More words about it.")] = None,
    due: Annotated[
        str | None,
        typer.Option("--due", help="When: 29.10.2026, 29.10.2026 14:30 or 2026-10-29T14:30 (no time: all day)."),
    ] = None,
    all_day: Annotated[bool, typer.Option("--all-day", help="Due on the day, at no particular time.")] = False,
    rrule: Annotated[
        str | None, typer.Option("--rrule", help="Repeat by an RFC 5545 rule, e.g. FREQ=MONTHLY;BYMONTHDAY=1.")
    ] = None,
    link: Annotated[
        str | None, typer.Option("--link", help="party:CODE, product:CODE, document:UID or cheque:NO.")
    ] = None,
    user: Annotated[str | None, typer.Option("--user", help="Assign it to this user.")] = None,
    role: Annotated[
        str | None,
        typer.Option(
            "--role",
            help="Assign it to everyone of this role: cashier, supervisor, admin"
            " (or kasiyer, yönetici, sistem yöneticisi).",
        ),
    ] = None,
    kind: Annotated[str, typer.Option("--kind", help="note or task.")] = "task",
    by: ByOption = None,
    json_: JsonOption = False,
) -> None:
    """Add a note or task (to everyone unless --user or --role)."""
    settings = state().open_db()
    tz = settings.shop.timezone
    at, timed = (None, False) if due is None else agenda.parse_moment(due, tz, "--due")
    if all_day and at is None:
        raise ValidationError(_("--all-day needs --due"))
    moment = now()
    entry = agenda.add_entry(
        agenda.AgendaInput(
            title=title,
            text=text,
            due=at,
            all_day=all_day or (at is not None and not timed),
            rrule=rrule,
            link=link,
            user=user,
            role=role_code(role, tuple(settings.roles)),
            kind=kind,
        ),
        actor=cli_actor(by, settings),
        now=moment,
        tz=tz,
        roles=tuple(settings.roles),
    )
    _print(entry, moment, settings, json_, _("Added agenda entry {id}: {title}").format(id=entry.id, title=entry.title))


@app.command("list")
@handle_errors
def list_(
    from_: Annotated[str | None, typer.Option("--from", help="From this day (dd.mm.yyyy or ISO).")] = None,
    to: Annotated[str | None, typer.Option("--to", help="Up to this day, inclusive.")] = None,
    user: Annotated[
        str | None, typer.Option("--user", help="What this user sees: theirs, their role's and everyone's.")
    ] = None,
    all_: Annotated[bool, typer.Option("--all", help="Also done and snoozed entries.")] = False,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only open entries past their due time.")] = False,
    json_: JsonOption = False,
) -> None:
    """The agenda by due time, after bringing the automatic entries in step with the books."""
    settings = state().open_db()
    tz = settings.shop.timezone
    moment = now()
    since = None if from_ is None else agenda.parse_moment(from_, tz, "--from")[0]
    until = None if to is None else agenda.parse_moment(to, tz, "--to")[0]
    agenda.refresh(now=moment, tz=tz, language=settings.language)
    found = agenda.list_entries(
        now=moment,
        tz=tz,
        since=None if since is None else local(since, tz).date(),
        until=None if until is None else local(until, tz).date(),
        user=user,
        include_done=all_,
        include_snoozed=all_,
        overdue_only=overdue,
    )
    if json_:
        print_json([entry_json(e, moment, tz) for e in found])
        return
    if not found:
        info(_("Nothing on the agenda; add an entry with: pos-admin agenda add TITLE --due 29.10.2026"))
        return
    table(
        [_("No."), _("Due"), _("Title"), _("Status"), _("Holiday or weekend"), _("Assigned to")],
        [
            (
                e.id,
                when_text(e, tz),
                e.title + (" ↻" if e.rrule else ""),
                _status_text(e, moment, tz),
                flag_text(e, tz),
                e.user or (role_label(e.role) if e.role else _("everyone")),
            )
            for e in found
        ],
        title=_("Agenda"),
    )


@app.command("done")
@handle_errors
def done(entry_id: IdArgument, by: ByOption = None, json_: JsonOption = False) -> None:
    """Mark an entry done (a recurring one moves on to its next date)."""
    settings = state().open_db()
    moment = now()
    entry = agenda.mark_done(entry_id, actor=cli_actor(by, settings), now=moment, tz=settings.shop.timezone)
    if entry.status == "open":
        message = _("Entry {id} done; next on {due}").format(id=entry.id, due=when_text(entry, settings.shop.timezone))
    else:
        message = _("Entry {id} done").format(id=entry.id)
    _print(entry, moment, settings, json_, message)


@app.command("snooze")
@handle_errors
def snooze(
    entry_id: IdArgument,
    until: Annotated[
        str | None, typer.Option("--until", help="Until this moment (29.10.2026 14:30; a day alone: 09:00).")
    ] = None,
    hours: Annotated[int | None, typer.Option("--hours", help="For this many hours.", min=1, max=24 * 366)] = None,
    json_: JsonOption = False,
) -> None:
    """Hide an entry until a moment (default: tomorrow 09:00)."""
    settings = state().open_db()
    tz = settings.shop.timezone
    moment = now()
    if until is not None and hours is not None:
        raise ValidationError(_("Give --until or --hours, not both"))
    if until is not None:
        at, timed = agenda.parse_moment(until, tz, "--until")
        when = at if timed else at + timedelta(hours=9)
    elif hours is not None:
        when = moment + timedelta(hours=hours)
    else:
        when = agenda.tomorrow_morning(moment, tz)
    entry = agenda.snooze(entry_id, when, now=moment)
    _print(
        entry,
        moment,
        settings,
        json_,
        _("Entry {id} snoozed until {at}").format(id=entry.id, at=local(when, tz).strftime("%d.%m.%Y %H:%M")),
    )


@app.command("reopen")
@handle_errors
def reopen(entry_id: IdArgument, json_: JsonOption = False) -> None:
    """Open a done entry again."""
    settings = state().open_db()
    moment = now()
    entry = agenda.reopen(entry_id, now=moment)
    _print(entry, moment, settings, json_, _("Entry {id} is open again").format(id=entry.id))


@app.command("export")
@handle_errors
def export(
    ics: Annotated[Path, typer.Option("--ics", help="Write an iCalendar file (.ics) here.")],
    all_: Annotated[bool, typer.Option("--all", help="Also done entries.")] = False,
    json_: JsonOption = False,
) -> None:
    """Export the agenda to a calendar file (one to-do per entry, repeats kept)."""
    settings = state().open_db()
    tz = settings.shop.timezone
    moment = now()
    agenda.refresh(now=moment, tz=tz, language=settings.language)
    found = agenda.list_entries(now=moment, tz=tz, include_done=all_, include_snoozed=True)
    data = agenda.export_ics(found, now=moment, tz=tz)
    try:
        ics.write_bytes(data)
    except OSError as exc:
        raise ValidationError(
            _("Cannot write {path}: {why}").format(path=str(ics), why=exc.strerror or str(exc))
        ) from None
    if json_:
        print_json({"file": str(ics), "entries": len(found)})
        return
    info(_("Wrote {n} agenda entries to {path}").format(n=len(found), path=str(ics)))

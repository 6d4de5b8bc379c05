"""Agenda entries (ajanda): notes and tasks typed by people, and the rules every entry follows.

- Times: services take aware datetimes and ``tz`` (the shop's zone); the store keeps naive UTC.
  An all-day entry is due at the start of its shop day (``all_day`` says to show the day only).
- Recurrence: an RFC 5545 ``RRULE`` (python-dateutil's ``rrulestr``), read in shop-local time from
  the entry's due time. Open-ended rules are allowed: only the next occurrence is ever computed
  (``due_at`` holds it). Marking a recurring entry done moves it to its next occurrence after
  both its due time and now (missed occurrences are skipped, ``COUNT`` counts them down); when the
  rule has no further occurrence the entry closes.
- Snooze hides an open entry until a moment; reopen brings a done entry back.
- Automatic entries (``source`` set, :mod:`~pos_tui.core.agenda.automatic`) are kept in step with
  the books and never edited by hand: done, snooze and reopen are allowed, edits are refused.
- Visibility: an entry is assigned to a user, to a role, or to nobody (everyone).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from dateutil.rrule import rrule, rrulestr
from peewee import fn

from pos_tui.core.kernel.actors import Actor
from pos_tui.core.kernel.clock import SHOP_TZ, day_bounds, from_db, local, shop_day, to_db, zone
from pos_tui.core.kernel.errors import NotFound, ValidationError
from pos_tui.core.kernel.pan import refuse_pan
from pos_tui.i18n import _
from pos_tui.store import models as m
from pos_tui.store import reading as store
from pos_tui.store import write_tx

NOTE = "note"
TASK = "task"
KINDS = (NOTE, TASK)
LINK_KINDS = ("party", "product", "document", "cheque")
OPEN = "open"
DONE = "done"
TITLE_MAX = 200
TEXT_MAX = 2000
RRULE_MAX = 255
_SKIP_LIMIT = 100_000  # occurrences walked at most to find the next one (a daily rule missed for centuries)


@dataclass(frozen=True, slots=True)
class AgendaInput:
    """What a person types for a new entry. ``due``: aware; ``all_day`` shows the day only (its
    time is ignored). ``link``: ``party:CODE``, ``product:CODE``, ``document:UID`` or ``cheque:NO``.
    ``user`` (a user name) or ``role``; neither: everyone."""

    title: str
    text: str | None = None
    due: datetime | None = None
    all_day: bool = False
    rrule: str | None = None
    link: str | None = None
    user: str | None = None
    role: str | None = None
    kind: str = TASK


@dataclass(frozen=True, slots=True)
class AgendaInfo:
    """An entry as the CLI and the till show it (times aware UTC)."""

    id: int
    kind: str
    title: str
    text: str | None
    due_at: datetime | None
    all_day: bool
    rrule: str | None
    link_kind: str | None
    link_ref: str | None
    user: str | None
    role: str | None
    status: str
    snoozed_until: datetime | None
    done_at: datetime | None
    done_by: str | None
    source: str | None
    created_at: datetime

    @property
    def automatic(self) -> bool:
        return self.source is not None

    @property
    def link(self) -> str | None:
        return None if self.link_kind is None else f"{self.link_kind}:{self.link_ref}"

    def shown_at(self) -> datetime | None:
        """When it comes up: the end of its snooze if later than its due time."""
        if self.snoozed_until is not None and (self.due_at is None or self.snoozed_until > self.due_at):
            return self.snoozed_until
        return self.due_at

    def is_overdue(self, now: datetime, tz: str = SHOP_TZ) -> bool:
        """Open and past due (an all-day entry: from the next shop day on)."""
        if self.status != OPEN or self.due_at is None:
            return False
        if self.all_day:
            return local(self.due_at, tz).date() < shop_day(now, tz)
        return self.due_at < now

    def is_snoozed(self, now: datetime) -> bool:
        return self.status == OPEN and self.snoozed_until is not None and self.snoozed_until > now


# --- time and recurrence -------------------------------------------------------------------------


def start_of_day(day: date, tz: str) -> datetime:
    return day_bounds(day, tz)[0]


def _local_naive(dt: datetime, tz: str) -> datetime:
    return local(dt, tz).replace(tzinfo=None)


def _from_local_naive(dt: datetime, tz: str) -> datetime:
    if dt.tzinfo is not None:  # a rule with UNTIL in UTC runs on aware times
        return dt.astimezone(UTC)
    return dt.replace(tzinfo=zone(tz)).astimezone(UTC)


def _rule_time(dt: datetime, tz: str, rule_text: str) -> datetime:
    """``dt`` as the rule reads it: shop-local wall time, aware when UNTIL is given in UTC."""
    if re.search(r"UNTIL=\d{8}T\d{6}Z", rule_text):
        return local(dt, tz)
    return _local_naive(dt, tz)


def clean_rrule(text: str | None) -> str | None:
    """The rule as stored: without an ``RRULE:`` prefix, upper case, no spaces; None when empty."""
    if text is None or not text.strip():
        return None
    value = re.sub(r"\s+", "", text).upper()
    if value.startswith("RRULE:"):
        value = value[len("RRULE:") :]
    if len(value) > RRULE_MAX:
        raise ValidationError(_("The recurrence rule is longer than {n} characters").format(n=RRULE_MAX))
    if any(part.startswith(("DTSTART", "EXDATE", "RDATE", "EXRULE")) for part in re.split(r"[;\n]", value)):
        raise ValidationError(_("Write only the rule (FREQ=…); the start is the entry's due time"))
    if "FREQ=" not in value:
        raise ValidationError(_("A recurrence rule needs FREQ=, e.g. FREQ=WEEKLY;BYDAY=MO"))
    return value


def build_rule(text: str, start: datetime, tz: str) -> rrule:
    """The dateutil rule of ``text`` starting at ``start`` (aware), in shop-local naive time."""
    try:
        rule = rrulestr(text, dtstart=_rule_time(start, tz, text))
    except (ValueError, TypeError) as exc:
        raise ValidationError(
            _("{rule!r} is not a recurrence rule (RFC 5545, e.g. FREQ=MONTHLY;BYMONTHDAY=1): {why}").format(
                rule=text[:60], why=str(exc)[:80]
            )
        ) from None
    if not isinstance(rule, rrule):
        raise ValidationError(_("Write one recurrence rule"))
    return rule


def first_occurrence(text: str, start: datetime, tz: str) -> datetime:
    """The rule's first occurrence at or after ``start`` (aware UTC); refuses a rule that never occurs."""
    rule = build_rule(text, start, tz)
    try:
        first = rule.after(_rule_time(start, tz, text), inc=True)
    except (ValueError, OverflowError):
        first = None
    if first is None:
        raise ValidationError(_("The recurrence rule {rule!r} has no date on or after the due date").format(rule=text))
    return _from_local_naive(first, tz)


def next_occurrence(text: str, due: datetime, now: datetime, tz: str) -> tuple[datetime, str] | None:
    """The occurrence that follows ``due`` and ``now`` (both aware), with the rule to store from
    then on (its ``COUNT`` reduced by the occurrences passed); None when the rule is over."""
    rule = build_rule(text, due, tz)
    after = _rule_time(max(due, now), tz, text)
    passed = 0
    found = None
    for occurrence in rule:
        if occurrence > after:
            found = occurrence
            break
        passed += 1
        if passed > _SKIP_LIMIT:
            break
    if found is None:
        return None
    rest = text
    count = re.search(r"(?:^|;)COUNT=(\d+)", text)
    if count is not None:
        left = int(count.group(1)) - passed
        if left < 1:
            return None
        rest = re.sub(r"((?:^|;)COUNT=)\d+", lambda mt: f"{mt.group(1)}{left}", text, count=1)
    return _from_local_naive(found, tz), rest


# --- holidays and weekends -----------------------------------------------------------------------


_HOLIDAYS: dict[int, dict[date, str]] = {}


def holiday_name(day: date) -> str | None:
    """The Turkish public holiday on ``day`` by its Turkish name (the ``holidays`` package), or None."""
    found = _HOLIDAYS.get(day.year)
    if found is None:
        import holidays

        found = dict(holidays.country_holidays("TR", years=day.year, language="tr").items())
        _HOLIDAYS[day.year] = found
    return found.get(day)


def is_weekend(day: date) -> bool:
    return day.weekday() >= 5


@dataclass(frozen=True, slots=True)
class DayFlags:
    holiday: str | None
    weekend: bool

    @property
    def flagged(self) -> bool:
        return self.holiday is not None or self.weekend


def day_flags(day: date) -> DayFlags:
    return DayFlags(holiday_name(day), is_weekend(day))


def due_flags(info: AgendaInfo, tz: str = SHOP_TZ) -> DayFlags:
    """The flags of an entry's due day (nothing when it has no due date)."""
    if info.due_at is None:
        return DayFlags(None, False)
    return day_flags(local(info.due_at, tz).date())


# --- reading -------------------------------------------------------------------------------------


def _info(row: m.AgendaEntry, names: dict[int, str]) -> AgendaInfo:
    def when(value: datetime | None) -> datetime | None:
        return None if value is None else from_db(value)

    assignee: Any = row.assignee_id  # type: ignore[attr-defined]
    done_by: Any = row.done_by_id  # type: ignore[attr-defined]
    return AgendaInfo(
        id=row.id,
        kind=row.kind,
        title=row.title,
        text=row.text,
        due_at=when(row.due_at),
        all_day=bool(row.all_day),
        rrule=row.rrule,
        link_kind=row.link_kind,
        link_ref=row.link_ref,
        user=None if assignee is None else names.get(assignee),
        role=row.role,
        status=row.status,
        snoozed_until=when(row.snoozed_until),
        done_at=when(row.done_at),
        done_by=None if done_by is None else names.get(done_by),
        source=row.source,
        created_at=from_db(row.created_at),
    )


def _user_names() -> dict[int, str]:
    return {uid: name for uid, name in store.rows(m.User.select(m.User.id, m.User.name))}


def _row(entry_id: int) -> m.AgendaEntry:
    row = m.AgendaEntry.get_or_none(m.AgendaEntry.id == entry_id)
    if row is None:
        raise NotFound(_("There is no agenda entry {id}").format(id=entry_id))
    return row


def get_entry(entry_id: int) -> AgendaInfo:
    return _info(_row(entry_id), _user_names())


def list_entries(
    *,
    now: datetime,
    tz: str = SHOP_TZ,
    since: date | None = None,
    until: date | None = None,
    user: str | None = None,
    role: str | None = None,
    include_done: bool = False,
    include_snoozed: bool = False,
    overdue_only: bool = False,
    undated: bool = True,
) -> list[AgendaInfo]:
    """Entries by due time (undated ones last). ``since``/``until``: shop days, both inclusive
    (an open entry overdue before ``since`` is listed too, and one done since then). ``user`` (a name) and
    ``role``: only what that user sees (theirs, their role's and everyone's). Snoozed entries
    are left out until their time unless ``include_snoozed``."""
    A = m.AgendaEntry
    query = A.select()
    if not include_done:
        query = query.where(A.status == OPEN)
    if until is not None:
        end = to_db(day_bounds(until, tz)[1])
        query = query.where(A.due_at.is_null(True) | (A.due_at < end)) if undated else query.where(A.due_at < end)
    elif not undated:
        query = query.where(A.due_at.is_null(False))
    if since is not None:
        start = to_db(start_of_day(since, tz))
        query = query.where(A.due_at.is_null(True) | (A.due_at >= start) | (A.status == OPEN) | (A.done_at >= start))
    if user is not None:
        row = m.User.get_or_none(m.User.name == user)
        if row is None:
            raise NotFound(_("There is no user named {name!r}").format(name=user))
        visible = A.assignee.is_null(True) & A.role.is_null(True)
        visible = visible | (A.assignee == row.id)
        the_role = role if role is not None else row.role
        visible = visible | (A.assignee.is_null(True) & (A.role == the_role))
        query = query.where(visible)
    elif role is not None:
        query = query.where(A.assignee.is_null(True) & (A.role.is_null(True) | (A.role == role)))
    names = _user_names()
    found = [_info(r, names) for r in query]
    if not include_snoozed:
        found = [e for e in found if not e.is_snoozed(now)]
    if overdue_only:
        found = [e for e in found if e.is_overdue(now, tz)]
    far = datetime.max.replace(tzinfo=UTC)
    found.sort(key=lambda e: (e.shown_at() or far, e.id))
    return found


def due_for(actor: Actor, *, now: datetime, tz: str = SHOP_TZ) -> list[AgendaInfo]:
    """What the till shows ``actor`` at login: their own, their role's and everyone's open entries
    that are overdue or due today (not snoozed)."""
    today = shop_day(now, tz)
    return [
        e
        for e in list_entries(now=now, tz=tz, until=today, user=actor.name, role=actor.role, undated=False)
        if e.due_at is not None
    ]


# --- writing -------------------------------------------------------------------------------------


def _clean_text(value: str | None, limit: int, label: str) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    if len(value) > limit:
        raise ValidationError(_("{field} is longer than {n} characters").format(field=label, n=limit))
    refuse_pan(value)
    return value


def parse_link(link: str | None) -> tuple[str, str] | None:
    """``party:CODE`` → ("party", "CODE") after checking it exists; None when empty."""
    if link is None or not link.strip():
        return None
    kind, sep, ref = link.strip().partition(":")
    kind, ref = kind.strip().lower(), ref.strip()
    if not sep or kind not in LINK_KINDS or not ref:
        raise ValidationError(
            _("A link is party:CODE, product:CODE, document:UID or cheque:NO, not {link!r}").format(link=link[:40])
        )
    if len(ref) > 64:
        raise ValidationError(_("The link {link!r} is too long").format(link=link[:40]))
    if not _link_exists(kind, ref):
        raise NotFound(_("Nothing to link: there is no {kind} {ref!r}").format(kind=link_label(kind), ref=ref))
    return kind, ref


def link_label(kind: str) -> str:
    return {
        "party": _("account"),
        "product": _("product"),
        "document": _("document"),
        "cheque": _("cheque or note"),
    }.get(kind, kind)


def _link_exists(kind: str, ref: str) -> bool:
    if kind == "party":
        return m.Party.select().where(m.Party.code == ref).exists()
    if kind == "product":
        return m.Product.select().where(m.Product.code == ref).exists()
    if kind == "cheque":
        return ref.isdigit() and m.Cheque.select().where(m.Cheque.number == int(ref)).exists()
    # document: a sale's uid, a receipt number, or a stock document as KIND-NUMBER (receipt-12)
    if m.Sale.select().where(m.Sale.uid == ref).exists():
        return True
    if ref.isdigit() and m.Sale.select().where(m.Sale.receipt_no == int(ref)).exists():
        return True
    doc_kind, dash, number = ref.rpartition("-")
    return bool(
        dash
        and number.isdigit()
        and m.StockDocument.select()
        .where((fn.LOWER(m.StockDocument.kind) == doc_kind.lower()) & (m.StockDocument.number == int(number)))
        .exists()
    )


def _assignee(user: str | None, role: str | None) -> tuple[int | None, str | None]:
    if user is not None and role is not None:
        raise ValidationError(_("Assign an entry to a user or to a role, not both"))
    if user is not None:
        row = m.User.get_or_none(m.User.name == user.strip())
        if row is None:
            raise NotFound(_("There is no user named {name!r}").format(name=user))
        return row.id, None
    if role is not None:
        role = role.strip().lower()
        if not role or len(role) > 16 or not re.fullmatch(r"[a-z0-9_]+", role):
            raise ValidationError(_("{role!r} is not a role name").format(role=role))
    return None, role or None


def add_entry(
    data: AgendaInput, *, actor: Actor | None, now: datetime, tz: str = SHOP_TZ, roles: tuple[str, ...] = ()
) -> AgendaInfo:
    """Write a new entry typed by a person. ``roles``: the role names the shop knows (checked when given)."""
    title = _clean_text(data.title, TITLE_MAX, _("The title"))
    if title is None:
        raise ValidationError(_("An agenda entry needs a title"))
    text = _clean_text(data.text, TEXT_MAX, _("The text"))
    if data.kind not in KINDS:
        raise ValidationError(_("The kind is note or task, not {kind!r}").format(kind=data.kind))
    rule = clean_rrule(data.rrule)
    due = data.due
    if due is not None and due.tzinfo is None:
        raise ValueError("naive due time")
    if due is not None and data.all_day:
        due = start_of_day(local(due, tz).date(), tz)
    if rule is not None:
        if due is None:
            raise ValidationError(_("A recurring entry needs a due date (the first occurrence)"))
        due = first_occurrence(rule, due, tz)
    link = parse_link(data.link)
    assignee, role = _assignee(data.user, data.role)
    if role is not None and roles and role not in roles:
        raise ValidationError(
            _("There is no role {role!r}; the roles are: {roles}").format(role=role, roles=", ".join(roles))
        )
    with write_tx():
        row = m.AgendaEntry.create(
            kind=data.kind,
            title=title,
            text=text,
            due_at=None if due is None else to_db(due),
            all_day=bool(data.all_day and due is not None),
            rrule=rule,
            link_kind=None if link is None else link[0],
            link_ref=None if link is None else link[1],
            assignee=assignee,
            role=role,
            status=OPEN,
            created_by=None if actor is None else actor.user_id,
            created_at=to_db(now),
            updated_at=to_db(now),
        )
    return get_entry(row.id)


def edit_entry(
    entry_id: int,
    *,
    now: datetime,
    tz: str = SHOP_TZ,
    title: str | None = None,
    text: str | None = None,
    due: datetime | None = None,
) -> AgendaInfo:
    """Change a typed entry's title, text or due time; automatic entries are refused."""
    with write_tx():
        row = _row(entry_id)
        if row.source is not None:
            raise ValidationError(
                _("Entry {id} is kept in step with the books; it cannot be edited (done or snooze it)").format(
                    id=entry_id
                )
            )
        if title is not None:
            cleaned = _clean_text(title, TITLE_MAX, _("The title"))
            if cleaned is None:
                raise ValidationError(_("An agenda entry needs a title"))
            row.title = cleaned
        if text is not None:
            row.text = _clean_text(text, TEXT_MAX, _("The text"))
        if due is not None:
            if row.all_day:
                due = start_of_day(local(due, tz).date(), tz)
            if row.rrule:
                due = first_occurrence(row.rrule, due, tz)
            row.due_at = to_db(due)
        row.updated_at = to_db(now)
        row.save()
    return get_entry(entry_id)


def mark_done(entry_id: int, *, actor: Actor | None, now: datetime, tz: str = SHOP_TZ) -> AgendaInfo:
    """Done. A recurring entry moves on to its next occurrence (and stays open) instead."""
    with write_tx():
        row = _row(entry_id)
        if row.status == DONE:
            raise ValidationError(_("Entry {id} is already done").format(id=entry_id))
        following = None
        if row.rrule and row.due_at is not None:
            following = next_occurrence(row.rrule, from_db(row.due_at), now, tz)
        if following is not None:
            row.due_at, row.rrule = to_db(following[0]), following[1]
            row.snoozed_until = None
        else:
            row.status = DONE
            row.done_at = to_db(now)
            row.done_by_id = None if actor is None else actor.user_id  # type: ignore[attr-defined]
        row.updated_at = to_db(now)
        row.save()
    return get_entry(entry_id)


def tomorrow_morning(now: datetime, tz: str = SHOP_TZ, hour: int = 9) -> datetime:
    """09:00 of the next shop day (aware UTC)."""
    day = shop_day(now, tz) + timedelta(days=1)
    return datetime.combine(day, time(hour), tzinfo=zone(tz)).astimezone(UTC)


def snooze(entry_id: int, until: datetime, *, now: datetime) -> AgendaInfo:
    """Hide an open entry until ``until`` (aware, in the future)."""
    if until.tzinfo is None:
        raise ValueError("naive snooze time")
    if until <= now:
        raise ValidationError(_("Snooze until a moment in the future"))
    with write_tx():
        row = _row(entry_id)
        if row.status != OPEN:
            raise ValidationError(_("Entry {id} is done; reopen it first").format(id=entry_id))
        row.snoozed_until = to_db(until)
        row.updated_at = to_db(now)
        row.save()
    return get_entry(entry_id)


def reopen(entry_id: int, *, now: datetime) -> AgendaInfo:
    """Bring a done entry back (open, not snoozed)."""
    with write_tx():
        row = _row(entry_id)
        if row.status == OPEN:
            raise ValidationError(_("Entry {id} is already open").format(id=entry_id))
        row.status = OPEN
        row.done_at = None
        row.done_by = None
        row.snoozed_until = None
        row.updated_at = to_db(now)
        row.save()
    return get_entry(entry_id)

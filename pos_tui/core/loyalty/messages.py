"""Loyalty messages: queued by ``loyalty run``, exported for the SMS provider, e-mailed by SMTP.

What is queued (:func:`queue_messages`, per the program's ``[messages]``):

* ``birthday``: on the member's birthday, or at the first run after it within
  :data:`BIRTHDAY_CATCH_UP_DAYS` days and the same calendar year (a shop closed on the day
  still greets the member the next morning; a first run in December does not greet everyone
  born in January). 29 February birthdays fall on 28 February in other years. Once a year.
* ``expiring``: points that expire within ``expiring_days`` days of the run (the last usable
  day from today to today + N); one message per member and expiry day.
* ``tier_up`` / ``tier_down``: one per :class:`~pos_tui.store.models.TierChange` made in the
  last :data:`TIER_MESSAGE_DAYS` days (evaluation, paid or manual).

Only for members who may be written to (KVKK): not anonymised, whose **latest** consent for
the channel (``sms`` or ``email``) grants it, with a phone number for SMS and an e-mail
address for e-mail. One message per channel. ``message.key`` (kind, period, member, channel)
makes queueing idempotent: running the job again queues nothing new.

Sending: there is no SMS gateway in pos_tui; SMS are exported (:func:`export_messages`, CSV
for the shop's SMS provider, ``mark_exported`` sets their status to ``exported``). E-mail goes
out through SMTP (:func:`send_messages`). Consent and the address are checked again when a
message is exported or sent: a member who withdrew consent or was anonymised after queueing
gets nothing (the message is marked ``failed`` with the reason).

Bodies are written in the shop's language (``_()``, Turkish by default) when queued.
"""

from __future__ import annotations

import smtplib
import ssl
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path
from typing import Any, TextIO

from peewee import JOIN, fn

from pos_tui import store
from pos_tui.core.kernel.clock import SHOP_TZ, from_db, iso, to_db, zone
from pos_tui.core.kernel.errors import StateError, ValidationError
from pos_tui.core.kernel.formats import write_records
from pos_tui.core.kernel.vocabulary import channel_label
from pos_tui.core.loyalty.program import Program
from pos_tui.core.loyalty.tiers import as_date, rank, raw
from pos_tui.i18n import _, current_language
from pos_tui.settings import SmtpSettings
from pos_tui.store import fast, write_tx
from pos_tui.store import models as m

CHANNELS = ("sms", "email")
KINDS = ("birthday", "expiring", "tier_up", "tier_down")
STATUSES = ("queued", "sent", "failed", "exported")
EXPORT_FORMATS = ("csv", "json")
EXPORT_COLUMNS = ("id", "kind", "channel", "to", "name", "subject", "body", "created_at", "status")
BIRTHDAY_CATCH_UP_DAYS = 7
TIER_MESSAGE_DAYS = 7
CHUNK = 500


@dataclass(frozen=True, slots=True)
class QueueReport:
    """Messages queued by one run, per kind (only new ones: a rerun queues zero)."""

    as_of: date
    queued: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.queued.values())


@dataclass(frozen=True, slots=True)
class MessageInfo:
    """A queued or handled message, with the address it goes to now (empty when the member
    has none for the channel any more)."""

    id: int
    member_id: int
    name: str
    kind: str
    channel: str
    to: str
    subject: str
    body: str
    status: str
    created_at: datetime
    sent_at: datetime | None
    error: str | None

    def as_json(self, tz: str) -> dict[str, Any]:
        """The message as JSON; its times in the shop's zone ``tz`` with its offset."""
        return {
            "id": self.id,
            "member_id": self.member_id,
            "name": self.name,
            "kind": self.kind,
            "channel": self.channel,
            "to": self.to,
            "subject": self.subject,
            "body": self.body,
            "status": self.status,
            "created_at": iso(self.created_at, tz),
            "sent_at": iso(self.sent_at, tz) if self.sent_at else None,
            "error": self.error,
        }


@dataclass(frozen=True, slots=True)
class SendReport:
    """What :func:`send_messages` did (or, with ``dry_run``, would do)."""

    attempted: int
    sent: int
    failed: int
    dry_run: bool
    errors: tuple[tuple[int, str], ...] = ()  # (message id, reason)
    messages: tuple[MessageInfo, ...] = ()

    def as_json(self, tz: str) -> dict[str, Any]:
        return {
            "attempted": self.attempted,
            "sent": self.sent,
            "failed": self.failed,
            "dry_run": self.dry_run,
            "errors": [{"id": i, "error": e} for i, e in self.errors],
            "messages": [msg.as_json(tz) for msg in self.messages],
        }


# --------------------------------------------------------------------------- queueing


@dataclass(frozen=True, slots=True)
class _Wanted:
    member_id: int
    kind: str
    period: str  # the part of the key that makes it once per year / expiry day / change
    params: dict[str, Any]


@dataclass(frozen=True, slots=True)
class _Contact:
    name: str
    phone: str | None
    email: str | None
    anonymized: bool


def _day_start(day: date, tz: str) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone(tz)).astimezone(UTC).replace(tzinfo=None)


def _chunks(items: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _birthday_in(born: date, year: int) -> date:
    if born.month == 2 and born.day == 29:
        try:
            return date(year, 2, 29)
        except ValueError:
            return date(year, 2, 28)
    return born.replace(year=year)


def _birthdays(as_of: date, cutoff: datetime, among: set[int]) -> list[_Wanted]:
    M = m.Member
    out = []
    rows = raw(
        M.select(M.id, M.birth_date).where(
            M.birth_date.is_null(False) & M.anonymized_at.is_null() & (M.created_at < cutoff)
        )
    )
    for member_id, born in rows:
        if member_id not in among:
            continue
        day = _birthday_in(as_date(born) or as_of, as_of.year)
        if 0 <= (as_of - day).days <= BIRTHDAY_CATCH_UP_DAYS:
            out.append(_Wanted(int(member_id), "birthday", str(as_of.year), {}))
    return out


def _expiring(as_of: date, days: int, cutoff: datetime, among: set[int]) -> list[_Wanted]:
    """Lots still holding points at the end of ``as_of`` whose last usable day is within
    ``days`` days; one query, summed per member and day."""
    lot = m.PointsEntry.alias("lot")
    used = m.PointsEntry.alias("used")
    left = lot.points + fn.COALESCE(fn.SUM(used.points), 0)
    per_lot = (
        lot.select(lot.member, lot.expires_on, left.alias("left"))
        .join(used, JOIN.LEFT_OUTER, on=((used.lot == lot.id) & (used.at < cutoff)))
        .where(
            lot.available_from.is_null(False)
            & lot.lot.is_null()
            & (lot.at < cutoff)
            & (lot.expires_on >= as_of)
            & (lot.expires_on <= as_of + timedelta(days=days))
        )
        .group_by(lot.id, lot.member, lot.expires_on, lot.points)
        .having(left > 0)
    )
    sums: dict[tuple[int, date], int] = defaultdict(int)
    for member_id, expires_on, points in raw(per_lot):
        if member_id in among:
            day = as_date(expires_on)
            assert day is not None
            sums[(int(member_id), day)] += int(points)
    return [
        _Wanted(member_id, "expiring", day.isoformat(), {"points": points, "day": day})
        for (member_id, day), points in sorted(sums.items())
    ]


def _tier_changes(program: Program, as_of: date, tz: str, among: set[int]) -> list[_Wanted]:
    T = m.TierChange
    lo, hi = _day_start(as_of - timedelta(days=TIER_MESSAGE_DAYS), tz), _day_start(as_of + timedelta(days=1), tz)
    out = []
    rows = raw(T.select(T.id, T.member, T.from_code, T.to_code).where((T.at >= lo) & (T.at < hi)).order_by(T.id))
    for change_id, member_id, from_code, to_code in rows:
        if from_code == to_code or member_id not in among:
            continue
        old, new = rank(program, from_code), rank(program, to_code)
        up = new > old or (new == old and to_code is not None)
        out.append(
            _Wanted(
                int(member_id), "tier_up" if up else "tier_down", str(change_id), {"from": from_code, "to": to_code}
            )
        )
    return out


def _contacts(member_ids: Sequence[int]) -> dict[int, _Contact]:
    M = m.Member

    def query(*ids: int) -> Any:
        return M.select(M.id, M.name, M.phone, M.email, M.anonymized_at).where(M.id.in_(list(ids)))

    found = {}
    for chunk in _chunks(member_ids):
        for member_id, name, phone, email, gone in fast.select_rendered("loyalty.contacts", query, *chunk):
            found[int(member_id)] = _Contact(name, phone or None, email or None, gone is not None)
    return found


def _existing_keys(keys: Sequence[str]) -> set[str]:
    def query(*wanted: str) -> Any:
        return m.Message.select(m.Message.key).where(m.Message.key.in_(list(wanted)))

    found: set[str] = set()
    for start in range(0, len(keys), CHUNK):
        found.update(k for (k,) in fast.select_rendered("loyalty.message_keys", query, *keys[start : start + CHUNK]))
    return found


def _latest(query: Any) -> dict[int, set[str]]:
    latest: dict[tuple[int, str], bool] = {}
    for member_id, channel, granted in raw(query):
        latest[(int(member_id), channel)] = bool(granted)
    out: dict[int, set[str]] = defaultdict(set)
    for (member_id, channel), granted in latest.items():
        if granted:
            out[member_id].add(channel)
    return dict(out)


def consents(member_ids: Sequence[int] | None = None, *, until: datetime | None = None) -> dict[int, set[str]]:
    """The marketing channels each member has granted in their latest decision per channel
    (decisions recorded before ``until``, naive UTC, when given); every member with a
    decision when ``member_ids`` is None (one pass over the consent table)."""
    C = m.Consent
    where = C.channel.in_(CHANNELS)
    if until is not None:
        where &= C.at < until
    ordered = (C.member, C.channel, C.at, C.id)
    if member_ids is None:
        return _latest(C.select(C.member, C.channel, C.granted).where(where).order_by(*ordered))
    out: dict[int, set[str]] = {}
    for chunk in _chunks(member_ids):
        out.update(
            _latest(
                C.select(C.member, C.channel, C.granted).where(where & C.member.in_(list(chunk))).order_by(*ordered)
            )
        )
    return out


def _address(contact: _Contact, channel: str) -> str | None:
    return contact.phone if channel == "sms" else contact.email


def _format_day(day: date) -> str:
    return day.strftime("%d.%m.%Y") if current_language() == "tr" else day.isoformat()


def _tier_name(program: Program, code: str | None) -> str:
    tier = program.tier(code)
    return tier.name if tier is not None else (code or "")


def compose(program: Program, kind: str, name: str, params: dict[str, Any]) -> tuple[str, str]:
    """The subject and body of a message, in the active language."""
    first = name.split()[0] if name.split() else name
    if kind == "birthday":
        return (
            _("Happy birthday from {program}").format(program=program.name),
            _("Happy birthday, {name}! {program} wishes you a wonderful year.").format(
                name=first, program=program.name
            ),
        )
    if kind == "expiring":
        return (
            _("Your points expire soon"),
            _(
                "Dear {name}, {points} of your {program} points can be used until {day}. Use them before they expire."
            ).format(name=first, points=params["points"], program=program.name, day=_format_day(params["day"])),
        )
    if kind == "tier_up":
        tier = _tier_name(program, params["to"])
        return (
            _("Welcome to {tier}").format(tier=tier),
            _("Dear {name}, you have reached the {tier} tier of {program}.").format(
                name=first, tier=tier, program=program.name
            ),
        )
    if params["to"] is None:
        return (
            _("Your {program} tier has changed").format(program=program.name),
            _("Dear {name}, your {tier} membership of {program} has ended.").format(
                name=first, tier=_tier_name(program, params["from"]), program=program.name
            ),
        )
    return (
        _("Your {program} tier has changed").format(program=program.name),
        _("Dear {name}, your {program} tier is now {tier}.").format(
            name=first, tier=_tier_name(program, params["to"]), program=program.name
        ),
    )


def queue_messages(program: Program, *, as_of: date, now: datetime, tz: str = SHOP_TZ) -> QueueReport:
    """Queue the messages due on ``as_of`` (see the module doc); returns how many new ones.

    Set-based: the consent decisions are read once, and only members who granted a channel
    are looked at further; existing keys are read back in chunks so a rerun inserts nothing.
    On SQLite the write transaction serialises two runs; on PostgreSQL a run racing another
    fails on the unique key and writes nothing (run it again)."""
    cutoff = _day_start(as_of + timedelta(days=1), tz)
    counts: dict[str, int] = dict.fromkeys(KINDS, 0)
    granted = consents(until=cutoff)
    among = set(granted)
    wanted: list[_Wanted] = []
    if among and program.messages.birthday:
        wanted += _birthdays(as_of, cutoff, among)
    if among and program.messages.expiring_days > 0:
        wanted += _expiring(as_of, program.messages.expiring_days, cutoff, among)
    if among and program.messages.tier_change:
        wanted += _tier_changes(program, as_of, tz, among)
    if not wanted:
        return QueueReport(as_of, counts)
    keyed = [
        (w, channel, f"{w.kind}:{w.period}:{w.member_id}:{channel}")
        for w in wanted
        for channel in CHANNELS
        if channel in granted[w.member_id]
    ]
    created = to_db(now)
    with write_tx():
        existing = _existing_keys([key for _w, _channel, key in keyed])
        todo = [(w, channel, key) for w, channel, key in keyed if key not in existing]
        contacts = _contacts(sorted({w.member_id for w, _channel, _key in todo}))
        rows: list[tuple[Any, ...]] = []
        for w, channel, key in todo:
            contact = contacts.get(w.member_id)
            if contact is None or contact.anonymized or not _address(contact, channel):
                continue
            subject, body = compose(program, w.kind, contact.name, w.params)
            rows.append((w.member_id, w.kind, channel, key, created, subject[:255], body, "queued"))
            counts[w.kind] += 1
        fast.insert_many(
            m.Message, ("member", "kind", "channel", "key", "created_at", "subject", "body", "status"), rows
        )
    return QueueReport(as_of, counts)


# --------------------------------------------------------------------------- reading


def list_messages(
    *, status: str | None = None, channel: str | None = None, limit: int | None = None
) -> list[MessageInfo]:
    """Messages (oldest first), optionally of one status and channel."""
    _check_filters(status, channel)
    Msg, M = m.Message, m.Member
    query = (
        Msg.select(
            Msg.id,
            Msg.member,
            M.name,
            M.phone,
            M.email,
            Msg.kind,
            Msg.channel,
            Msg.subject,
            Msg.body,
            Msg.status,
            Msg.created_at,
            Msg.sent_at,
            Msg.error,
        )
        .join(M)
        .order_by(Msg.id)
    )
    if status is not None:
        query = query.where(Msg.status == status)
    if channel is not None:
        query = query.where(Msg.channel == channel)
    if limit is not None:
        query = query.limit(limit)
    out = []
    for mid, member_id, name, phone, email, kind, ch, subject, body, st, created, sent, error in store.rows(query):
        to = (phone if ch == "sms" else email) or ""
        out.append(
            MessageInfo(
                mid,
                member_id,
                name,
                kind,
                ch,
                to,
                subject,
                body,
                st,
                from_db(created),
                from_db(sent) if sent else None,
                error,
            )
        )
    return out


def _check_filters(status: str | None, channel: str | None) -> None:
    if status is not None and status not in STATUSES:
        raise ValidationError(
            _("Unknown message status {status}; choose one of {choices}").format(
                status=status, choices=", ".join(STATUSES)
            )
        )
    if channel is not None and channel not in CHANNELS:
        raise ValidationError(
            _("Unknown message channel {channel}; choose one of {choices}").format(
                channel=channel, choices=", ".join(CHANNELS)
            )
        )


def _undeliverable(messages: Iterable[MessageInfo]) -> dict[int, str]:
    """Messages that must not go out any more, with the reason: the member was anonymised,
    withdrew consent for the channel, or has no address for it."""
    msgs = list(messages)
    ids = sorted({msg.member_id for msg in msgs})
    contacts = _contacts(ids)
    granted = consents(ids)
    out = {}
    for msg in msgs:
        contact = contacts[msg.member_id]
        if contact.anonymized:
            out[msg.id] = _("the member was anonymised")
        elif msg.channel not in granted.get(msg.member_id, ()):
            out[msg.id] = _("the member has withdrawn consent for {channel}").format(channel=channel_label(msg.channel))
        elif not _address(contact, msg.channel):
            out[msg.id] = _("the member has no address for {channel}").format(channel=channel_label(msg.channel))
    return out


def _mark(message_id: int, status: str, now: datetime | None, error: str | None = None) -> None:
    with write_tx():
        m.Message.update(status=status, sent_at=to_db(now) if now else None, error=error).where(
            m.Message.id == message_id
        ).execute()


# --------------------------------------------------------------------------- export


def export_messages(
    out: TextIO | Path | str,
    fmt: str = "csv",
    *,
    status: str = "queued",
    channel: str | None = None,
    mark_exported: bool = False,
    now: datetime | None = None,
    tz: str = SHOP_TZ,
) -> int:
    """Write the messages of ``status`` (and ``channel``) as CSV (formula-safe, for the SMS
    provider's upload) or JSON, their times in the shop's zone ``tz``; returns how many.
    Messages that may no longer go out (consent withdrawn, member anonymised, no address) are
    left out and marked ``failed`` when ``mark_exported``; the exported ones are then marked
    ``exported`` (give ``now``)."""
    if fmt not in EXPORT_FORMATS:
        raise ValidationError(
            _("Unknown export format {fmt}; choose one of {formats}").format(fmt=fmt, formats=", ".join(EXPORT_FORMATS))
        )
    if mark_exported and now is None:
        raise ValidationError(_("Give the time to mark the messages exported"))
    msgs = list_messages(status=status, channel=channel)
    blocked = _undeliverable(msgs)
    ready = [msg for msg in msgs if msg.id not in blocked]
    records = [
        {
            "id": msg.id,
            "kind": msg.kind,
            "channel": msg.channel,
            "to": msg.to,
            "name": msg.name,
            "subject": msg.subject,
            "body": msg.body,
            "created_at": iso(msg.created_at, tz),
            "status": msg.status,
        }
        for msg in ready
    ]
    if isinstance(out, (str, Path)):
        with Path(out).open("w", encoding="utf-8", newline="") as f:
            count = write_records(records, fmt, f, columns=EXPORT_COLUMNS)
    else:
        count = write_records(records, fmt, out, columns=EXPORT_COLUMNS)
    if mark_exported:
        with write_tx():
            for msg_id, reason in blocked.items():
                _mark(msg_id, "failed", now, reason)
            for msg in ready:
                _mark(msg.id, "exported", now)
    return count


# --------------------------------------------------------------------------- SMTP


def email_of(msg: MessageInfo, smtp: SmtpSettings, now: datetime) -> EmailMessage:
    """The e-mail for a message: plain UTF-8 text, dated ``now``."""
    mail = EmailMessage()
    mail["From"] = smtp.sender
    mail["To"] = msg.to
    mail["Subject"] = msg.subject
    mail["Date"] = format_datetime(now)
    domain = parseaddr(smtp.sender)[1].rpartition("@")[2] or None
    mail["Message-ID"] = make_msgid(idstring=f"pos-{msg.id}", domain=domain)
    mail.set_content(msg.body)
    return mail


def connect_smtp(smtp: SmtpSettings, password: str | None) -> smtplib.SMTP:
    """A logged-in connection to the mail server of ``[smtp]`` (TLS as configured); also used by
    ``pos-admin report send``. Raises ``OSError``/``smtplib.SMTPException`` when the server cannot be
    reached or refuses, :class:`StateError` when a login is configured but the password is not set."""
    context = ssl.create_default_context()
    client: smtplib.SMTP
    if smtp.ssl:
        client = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=smtp.timeout, context=context)
    else:
        client = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout)
    try:
        client.ehlo()
        if smtp.starttls:
            client.starttls(context=context)
            client.ehlo()
        if smtp.username:
            if not password:
                raise StateError(
                    _("The SMTP password is not set: put it in the environment variable {name}").format(
                        name=smtp.password_env
                    )
                )
            client.login(smtp.username, password)
    except BaseException:
        client.close()
        raise
    return client


def send_messages(
    *,
    smtp: SmtpSettings,
    now: datetime,
    password: str | None = None,
    limit: int | None = None,
    channel: str = "email",
    dry_run: bool = False,
    retry_failed: bool = False,
) -> SendReport:
    """E-mail queued messages (oldest first, at most ``limit``) through ``smtp``; each is
    marked ``sent`` or ``failed`` (with the server's answer) as soon as the server answers,
    so a run cut short never sends a message twice. ``retry_failed`` also retries failed
    ones. A server that cannot be reached or refuses the login raises :class:`StateError`
    and changes nothing. SMS are not sent (there is no SMS gateway): export them."""
    if channel == "sms":
        raise ValidationError(
            _(
                "pos_tui does not send SMS; export them for your SMS provider with: "
                "pos-admin messages export --channel sms --mark-exported"
            )
        )
    _check_filters(None, channel)
    if limit is not None and limit < 1:
        raise ValidationError(_("The limit must be at least 1"))
    msgs = list_messages(status="queued", channel="email")
    if retry_failed:
        msgs = sorted(msgs + list_messages(status="failed", channel="email"), key=lambda msg: msg.id)
    if limit is not None:
        msgs = msgs[:limit]
    blocked = _undeliverable(msgs)
    ready = [msg for msg in msgs if msg.id not in blocked]
    if dry_run:
        return SendReport(len(msgs), 0, 0, True, tuple(blocked.items()), tuple(ready))
    errors = list(blocked.items())
    for msg_id, reason in blocked.items():
        _mark(msg_id, "failed", now, reason)
    if not ready:
        return SendReport(len(msgs), 0, len(blocked), False, tuple(errors))
    if not smtp.host or not smtp.sender:
        raise StateError(_("No mail server is configured: set host and sender under [smtp] in pos.toml"))
    try:
        client = connect_smtp(smtp, password)
    except (OSError, smtplib.SMTPException) as exc:
        raise StateError(
            _("Cannot send through the mail server {host}:{port}: {error}").format(
                host=smtp.host, port=smtp.port, error=exc
            )
        ) from exc
    sent = 0
    try:
        for msg in ready:
            try:
                refused = client.send_message(email_of(msg, smtp, now))
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as exc:
                reason = smtp_error_text(exc)
                errors.append((msg.id, reason))
                _mark(msg.id, "failed", now, reason)
                continue
            if refused:
                reason = "; ".join(f"{who}: {smtp_error_text(why)}" for who, why in refused.items())
                errors.append((msg.id, reason))
                _mark(msg.id, "failed", now, reason)
                continue
            _mark(msg.id, "sent", now)
            sent += 1
    except (OSError, smtplib.SMTPException) as exc:
        raise StateError(
            _(
                "The mail server {host} dropped the connection after {sent} message(s); the rest stay queued: {error}"
            ).format(host=smtp.host, sent=sent, error=exc)
        ) from exc
    finally:
        try:
            client.quit()
        except (OSError, smtplib.SMTPException):
            client.close()
    return SendReport(len(msgs), sent, len(errors), False, tuple(errors))


def smtp_error_text(exc: Any) -> str:
    """The server's answer in an SMTP error (``550 5.1.1 no such mailbox``), for people."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{who}: {smtp_error_text(why)}" for who, why in exc.recipients.items())
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return f"{exc.smtp_code} {text}"
    if isinstance(exc, tuple) and len(exc) == 2:
        code, text = exc
        return f"{code} {text.decode('utf-8', 'replace') if isinstance(text, bytes) else text}"
    return str(exc)

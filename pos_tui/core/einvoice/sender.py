"""The background sender (docs/einvoice-send.md, "Statuses and retries").

The queue (``einvoice_queue``) holds each invoice's current status (a cache of its last status event),
the tries of the current step and when to try next. :func:`send_due` takes what is due:

- ``queued``: send it. Taken → a ``sent`` event (and ``accepted``/``rejected`` when the integrator
  answers at once), the first status question ``retry_seconds`` later. Unreachable → an ``error`` event,
  the status stays ``queued`` and the next try waits ``retry_seconds × 2^(tries-1)``; after
  ``max_attempts`` tries it waits for ``einvoice send ID``. Refused → ``rejected`` (the invoice stays on
  record; its sales may be invoiced again).
- ``sent``: ask for its status. No answer yet → asked again later (same backoff, at most
  :data:`POLL_CAP` apart, no event); a final answer → its event.

Every step of every invoice is one write transaction (event, journal entry ``einvoice_status``, queue),
written only if the queue row is still what the step started from (another sender did not take it
meanwhile), so a crash loses at most the step in flight, and its retry sends the SAME ETTN: providers are
idempotent by ETTN. ``error`` events are tries, not statuses: the status is the kind of the last event
that is one of :data:`~.model.STATUSES`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pos_tui import store
from pos_tui.core.einvoice.issuing import get_invoice
from pos_tui.core.einvoice.model import (
    ACCEPTED,
    CANCELLED,
    DRAFT,
    EARSIVFATURA,
    QUEUED,
    REJECTED,
    SENT,
    TICARIFATURA,
)
from pos_tui.core.einvoice.providers.base import (
    UNKNOWN,
    Answer,
    EInvoiceProvider,
    Outgoing,
    ProviderRefused,
    ProviderUnavailable,
    Receipt,
)
from pos_tui.core.kernel import journal
from pos_tui.core.kernel.actors import Actor, require
from pos_tui.core.kernel.clock import SHOP_TZ, from_db, iso, to_db
from pos_tui.core.kernel.errors import NotFound, StateError, ValidationError
from pos_tui.core.kernel.money import from_kurus
from pos_tui.i18n import N_, _
from pos_tui.settings import EInvoiceSettings
from pos_tui.store import fast
from pos_tui.store import models as m

_log = logging.getLogger(__name__)
STATUS_KIND = "einvoice_status"  # journal kind of every event after the issuing one
ERROR = "error"
POLL_CAP = timedelta(hours=6)  # a sent invoice is asked about at least this often
DEFAULT_LIMIT = 50

_LABELS = {
    DRAFT: N_("draft"),
    QUEUED: N_("queued"),
    SENT: N_("sent"),
    ACCEPTED: N_("accepted"),
    REJECTED: N_("rejected"),
    CANCELLED: N_("cancelled"),
    ERROR: N_("failed try"),
}


def status_label(status: str) -> str:
    """A status or event kind in the shop's language (draft, queued, sent, …, failed try)."""
    label = _LABELS.get(status)
    return _(label) if label else status


@dataclass(frozen=True, slots=True)
class Step:
    """What one step did to one invoice."""

    invoice_id: int
    number: str
    uuid: str
    status: str  # after the step
    event: str | None  # the last event written (sent, accepted, rejected, cancelled, error) or None
    attempt: int
    reference: str | None = None
    code: str | None = None
    message: str | None = None
    next_at: datetime | None = None

    @property
    def failed(self) -> bool:
        """The integrator could not be reached (or its answer not read) in this step."""
        return self.event == ERROR

    def as_json(self, tz: str = SHOP_TZ) -> dict[str, Any]:
        return {
            "id": self.invoice_id,
            "number": self.number,
            "uuid": self.uuid,
            "status": self.status,
            "event": self.event,
            "attempt": self.attempt,
            "reference": self.reference,
            "code": self.code,
            "message": self.message,
            "next_at": iso(self.next_at, tz) if self.next_at else None,
        }


@dataclass(slots=True)
class SendReport:
    """What one :func:`send_due` pass did."""

    steps: list[Step] = field(default_factory=list)

    def count(self, event: str) -> int:
        return sum(1 for s in self.steps if s.event == event)

    @property
    def errors(self) -> int:
        return self.count(ERROR)

    @property
    def unreachable(self) -> bool:
        """Every step of this pass failed to reach the integrator (and there was at least one)."""
        return bool(self.steps) and all(s.event == ERROR for s in self.steps)

    def as_json(self, tz: str = SHOP_TZ) -> dict[str, Any]:
        return {
            "steps": [s.as_json(tz) for s in self.steps],
            "sent": self.count(SENT),
            "accepted": self.count(ACCEPTED),
            "rejected": self.count(REJECTED),
            "errors": self.errors,
        }


@dataclass(frozen=True, slots=True)
class StatusEvent:
    """One row of an invoice's history."""

    id: int
    kind: str
    at: datetime  # aware UTC
    attempt: int
    reference: str | None
    code: str | None
    message: str | None
    terminal: str
    user: int | None

    def as_json(self, tz: str = SHOP_TZ) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "at": iso(self.at, tz),
            "attempt": self.attempt,
            "reference": self.reference,
            "code": self.code,
            "message": self.message,
            "terminal": self.terminal,
            "user": self.user,
        }


# -- reading -------------------------------------------------------------------------------------


def backoff(settings: EInvoiceSettings, attempt: int) -> timedelta:
    """How long after try ``attempt`` (1, 2, …) the next one waits: ``retry_seconds × 2^(attempt-1)``, the
    doubling stopped at 2^20 (a year and more at 30 s): a sent invoice is asked about for weeks, and an
    unbounded power would overflow ``timedelta`` (POLL_CAP then shortens it for polls)."""
    return timedelta(seconds=settings.retry_seconds * 2 ** min(max(attempt - 1, 0), 20))


def outgoing(invoice_id: int) -> Outgoing:
    """The invoice as a provider receives it."""
    E = m.EInvoice
    fields = ("uuid", "number", "profile", "type", "issued_at", "customer_id", "customer_name", "customer_alias")
    row = fast.select_first(E, (*fields, "payable", "xml"), {"id": invoice_id})
    if row is None:
        raise NotFound(_("No invoice {ref}").format(ref=invoice_id))
    d = dict(zip((*fields, "payable", "xml"), row, strict=True))
    issued = d["issued_at"]
    if isinstance(issued, str):
        issued = datetime.fromisoformat(issued)
    return Outgoing(
        uuid=d["uuid"],
        number=d["number"],
        profile=d["profile"],
        type=d["type"],
        issued_at=from_db(issued),
        customer_id=d["customer_id"],
        customer_name=d["customer_name"],
        customer_alias=d["customer_alias"],
        payable=from_kurus(d["payable"]),
        xml=str(d["xml"]).encode("utf-8"),
    )


def events_of(invoice_id: int) -> list[StatusEvent]:
    """An invoice's history, oldest first."""
    V = m.EInvoiceEvent
    query = (
        V.select(V.id, V.kind, V.at, V.attempt, V.reference, V.code, V.message, V.terminal, V.user)
        .where(V.invoice == invoice_id)
        .order_by(V.id)
    )
    return [
        StatusEvent(int(i), k, from_db(_dt(at)), int(a), r, c, msg, t, None if u is None else int(u))
        for i, k, at, a, r, c, msg, t, u in store.rows(query)
    ]


def event_payload(event_id: int) -> dict[str, Any]:
    """The journal payload of a status event, rebuilt from its row (the audit compares the two)."""
    V, E = m.EInvoiceEvent, m.EInvoice
    query = (
        V.select(
            V.invoice, E.uuid, E.number, V.kind, V.at, V.attempt, V.reference, V.code, V.message, V.terminal, V.user
        )
        .join(E, on=(V.invoice == E.id))
        .where(V.id == event_id)
    )
    rows = list(store.rows(query))
    if not rows:
        raise NotFound(_("No invoice event {id}").format(id=event_id))
    inv, ettn, number, kind, at, attempt, ref, code, message, terminal, user = rows[0]
    return {
        "event": event_id,
        "invoice": int(inv),
        "uuid": ettn,
        "number": number,
        "kind": kind,
        "at": iso(from_db(_dt(at)), "UTC"),
        "attempt": int(attempt),
        "reference": ref,
        "code": code,
        "message": message,
        "terminal": terminal,
        "user": None if user is None else int(user),
    }


def _dt(value: Any) -> datetime:
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def _queue_row(invoice_id: int) -> tuple[str, int, datetime | None, str | None, str | None]:
    fields = ("status", "attempts", "next_at", "reference", "message")
    row = fast.select_first(m.EInvoiceQueue, fields, {"invoice": invoice_id})
    if row is None:
        raise NotFound(_("Invoice {id} is not in the sender's queue").format(id=invoice_id))
    status, attempts, next_at, reference, message = row
    return str(status), int(attempts), None if next_at is None else from_db(_dt(next_at)), reference, message


# -- writing -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _New:
    kind: str
    attempt: int
    reference: str | None = None
    code: str | None = None
    message: str | None = None


def _record(
    invoice_id: int,
    expect: tuple[str, int],
    events: list[_New],
    queue: dict[str, Any],
    *,
    now: datetime,
    terminal: str,
    user: int | None,
) -> bool:
    """Write ``events`` (each journalled) and the queue row's new ``queue`` values in one transaction,
    only if the queue row still has ``expect`` (status, attempts); False when another sender moved it."""
    Q, V = m.EInvoiceQueue, m.EInvoiceEvent
    at = to_db(now)
    with store.write_tx():
        row = fast.select_first(Q, ("status", "attempts"), {"invoice": invoice_id}, for_update=True)
        if row is None or (str(row[0]), int(row[1])) != expect:
            return False
        ettn = fast.select_first(m.EInvoice, ("uuid",), {"id": invoice_id})
        for ev in events:
            event_id = fast.insert_one(
                V,
                {
                    "invoice": invoice_id,
                    "kind": ev.kind,
                    "at": at,
                    "attempt": ev.attempt,
                    "reference": ev.reference,
                    "code": ev.code,
                    "message": ev.message,
                    "terminal": terminal,
                    "user": user,
                },
            )
            ref = f"{ettn[0] if ettn else invoice_id}#{event_id}"
            journal.append(STATUS_KIND, event_payload(event_id), terminal=terminal, now=now, ref=ref)
        values = {**queue, "updated_at": at}
        if "next_at" in values and values["next_at"] is not None:
            values["next_at"] = to_db(values["next_at"])
        fast.update_where(Q, values, {"invoice": invoice_id})
    return True


def _clip(text: str | None, size: int = 2000) -> str | None:
    return None if text is None else text[:size]


def _send_step(
    provider: EInvoiceProvider,
    invoice_id: int,
    expect: tuple[str, int],
    *,
    now: datetime,
    terminal: str,
    settings: EInvoiceSettings,
    user: int | None,
) -> Step:
    invoice = outgoing(invoice_id)
    attempt = expect[1] + 1
    # Claim the try before the invoice leaves: from here a cancel knows it may have been handed over (and
    # asks the integrator), and another sender does not pick it until this try's backoff has passed.
    if not _record(
        invoice_id, expect, [], {"attempts": attempt, "next_at": now + backoff(settings, attempt)},
        now=now, terminal=terminal, user=user,
    ):  # fmt: skip
        return _current_step(invoice_id)
    expect = (expect[0], attempt)
    events: list[_New]
    message: str | None
    next_at: datetime | None
    queue: dict[str, Any]
    try:
        receipt: Receipt = provider.send(invoice)
    except ProviderUnavailable as exc:
        message = exc.message
        if attempt >= settings.max_attempts:
            next_at = None
            message = _("{message} (tried {n} times; no more automatic tries: einvoice send {id})").format(
                message=exc.message, n=attempt, id=invoice_id
            )
        else:
            next_at = now + backoff(settings, attempt)
        events = [_New(ERROR, attempt, message=_clip(exc.message))]
        queue = {"attempts": attempt, "next_at": next_at, "message": _clip(message)}
        status, last = QUEUED, ERROR
        reference, code = None, None
    except ProviderRefused as exc:
        events = [_New(REJECTED, attempt, code=exc.code, message=_clip(exc.message))]
        queue = {"status": REJECTED, "attempts": attempt, "next_at": None, "message": _clip(exc.message)}
        status = last = REJECTED
        reference, code, message, next_at = None, exc.code, exc.message, None
    else:
        reference, code, message = receipt.reference, receipt.code, receipt.message
        events = [_New(SENT, attempt, reference, None if receipt.status != SENT else code, _clip(message))]
        if receipt.status in (ACCEPTED, REJECTED):
            events.append(_New(receipt.status, attempt, reference, code, _clip(message)))
            next_at = None
            queue = {"status": receipt.status, "attempts": attempt, "next_at": None}
        else:
            next_at = now + backoff(settings, 1)
            queue = {"status": SENT, "attempts": 0, "next_at": next_at}
        queue.update(reference=reference, message=_clip(message))
        status = last = events[-1].kind
    written = _record(invoice_id, expect, events, queue, now=now, terminal=terminal, user=user)
    if not written:
        return _current_step(invoice_id)
    return Step(invoice_id, invoice.number, invoice.uuid, status, last, attempt, reference, code, message, next_at)


def _answer_step(
    answer: Answer,
    invoice_id: int,
    expect: tuple[str, int],
    *,
    now: datetime,
    terminal: str,
    settings: EInvoiceSettings,
    user: int | None,
    poll: int,
) -> Step:
    """Record what a provider answered about a sent invoice."""
    inv = get_invoice(invoice_id)
    if answer.status in (ACCEPTED, REJECTED, CANCELLED):
        events = [_New(answer.status, poll, answer.reference, answer.code, _clip(answer.message))]
        queue: dict[str, Any] = {"status": answer.status, "attempts": poll, "next_at": None}
        queue.update(message=_clip(answer.message))
        if answer.reference:
            queue["reference"] = answer.reference
        next_at = None
        status = last = answer.status
    elif answer.status == UNKNOWN:
        message = _(
            "The integrator does not know ETTN {uuid}; it is asked again later (einvoice send {id} hands it over again)"
        ).format(uuid=inv.uuid, id=invoice_id)
        next_at = now + min(backoff(settings, poll), POLL_CAP)
        events = [_New(ERROR, poll, code=answer.code, message=_clip(message))]
        queue = {"attempts": poll, "next_at": next_at, "message": _clip(message)}
        status, last = expect[0], ERROR
    else:  # still sent: ask again later, nothing to record
        next_at = now + min(backoff(settings, poll), POLL_CAP)
        events = []
        queue = {"attempts": poll, "next_at": next_at}
        if answer.message:
            queue["message"] = _clip(answer.message)
        status, last = expect[0], None
    written = _record(invoice_id, expect, events, queue, now=now, terminal=terminal, user=user)
    if not written:
        return _current_step(invoice_id)
    return Step(
        invoice_id, inv.number, inv.uuid, status, last, poll, answer.reference, answer.code, answer.message, next_at
    )


def _poll_step(
    provider: EInvoiceProvider,
    invoice_id: int,
    expect: tuple[str, int],
    *,
    now: datetime,
    terminal: str,
    settings: EInvoiceSettings,
    user: int | None,
) -> Step:
    inv = get_invoice(invoice_id)
    poll = expect[1] + 1
    try:
        answer = provider.status(inv.uuid)
    except ProviderUnavailable as exc:
        next_at = now + min(backoff(settings, poll), POLL_CAP)
        events = [_New(ERROR, poll, message=_clip(exc.message))]
        queue = {"attempts": poll, "next_at": next_at, "message": _clip(exc.message)}
        if not _record(invoice_id, expect, events, queue, now=now, terminal=terminal, user=user):
            return _current_step(invoice_id)
        return Step(invoice_id, inv.number, inv.uuid, expect[0], ERROR, poll, message=exc.message, next_at=next_at)
    return _answer_step(answer, invoice_id, expect, now=now, terminal=terminal, settings=settings, user=user, poll=poll)


def _current_step(invoice_id: int) -> Step:
    inv = get_invoice(invoice_id)
    status, attempts, next_at, reference, message = _queue_row(invoice_id)
    return Step(invoice_id, inv.number, inv.uuid, status, None, attempts, reference, None, message, next_at)


def send_due(
    provider: EInvoiceProvider,
    *,
    now: datetime,
    terminal: str,
    settings: EInvoiceSettings,
    limit: int = DEFAULT_LIMIT,
    on_step: Callable[[Step], None] | None = None,
) -> SendReport:
    """One pass of the sender: every queued invoice due to be sent and every sent one due to be asked
    about (``next_at <= now``), oldest first, at most ``limit``."""
    Q = m.EInvoiceQueue
    due = list(
        store.rows(
            Q.select(Q.invoice, Q.status, Q.attempts)
            .where(Q.status.in_([QUEUED, SENT]) & Q.next_at.is_null(False) & (Q.next_at <= to_db(now)))
            .order_by(Q.next_at, Q.invoice)
            .limit(limit)
        )
    )
    report = SendReport()
    for invoice_id, status, attempts in due:
        expect = (str(status), int(attempts))
        step_fn = _send_step if status == QUEUED else _poll_step
        try:
            step = step_fn(provider, int(invoice_id), expect, now=now, terminal=terminal, settings=settings, user=None)
        except Exception:  # one invoice's fault (a bug, a broken row) must not stop the others behind it
            _log.exception("e-invoice %s: this pass skips it", invoice_id)
            continue
        report.steps.append(step)
        if on_step is not None:
            on_step(step)
    return report


def send_now(
    ref: int | str,
    *,
    provider: EInvoiceProvider,
    actor: Actor,
    now: datetime,
    terminal: str,
    settings: EInvoiceSettings,
) -> Step:
    """Send one invoice now, whatever its backoff says: a draft is queued first; a queued one (also one the
    sender gave up on) is sent with the next try number; a sent one is handed over again (same ETTN)."""
    require(actor, "einvoice")
    inv = get_invoice(ref)
    status, attempts, *_rest = _queue_row(inv.id)
    if status == DRAFT:
        queued = _record(
            inv.id,
            (DRAFT, attempts),
            [_New(QUEUED, 0)],
            {"status": QUEUED, "attempts": 0, "next_at": now},
            now=now,
            terminal=terminal,
            user=actor.user_id,
        )
        if not queued:
            raise StateError(_("Invoice {number} changed meanwhile; try again").format(number=inv.number))
        status, attempts = QUEUED, 0
    elif status not in (QUEUED, SENT):
        raise StateError(resend_refusal(inv.number, status))
    if status == SENT:
        # handed over again with the same ETTN: the provider answers with what it knows
        try:
            receipt = provider.send(outgoing(inv.id))
        except ProviderRefused as exc:
            answer = Answer(inv.uuid, REJECTED, code=exc.code, message=exc.message)
        else:
            answer = Answer(inv.uuid, receipt.status, receipt.reference, receipt.code, receipt.message)
        return _answer_step(
            answer,
            inv.id,
            (SENT, attempts),
            now=now,
            terminal=terminal,
            settings=settings,
            user=actor.user_id,
            poll=attempts + 1,
        )
    # a manual try is one more try; a try past max_attempts still records error and waits for the next manual one
    return _send_step(
        provider, inv.id, (QUEUED, attempts), now=now, terminal=terminal, settings=settings, user=actor.user_id
    )


def ask_status(
    ref: int | str,
    *,
    provider: EInvoiceProvider,
    actor: Actor,
    now: datetime,
    terminal: str,
    settings: EInvoiceSettings,
) -> Step:
    """``einvoice status``: ask the provider about one invoice now and record its answer. An invoice the
    provider has not been given (draft, queued with no try) is not asked about."""
    inv = get_invoice(ref)
    status, attempts, *_rest = _queue_row(inv.id)
    if status in (DRAFT,) or (status == QUEUED and attempts == 0):
        return _current_step(inv.id)
    answer = provider.status(inv.uuid)
    if status == QUEUED:  # tried, answer lost: the provider may have it after all
        if answer.status == UNKNOWN:
            return _current_step(inv.id)
        events = [_New(SENT, attempts, answer.reference, None, None)]
        if answer.status in (ACCEPTED, REJECTED, CANCELLED):
            events.append(_New(answer.status, attempts, answer.reference, answer.code, _clip(answer.message)))
            queue: dict[str, Any] = {"status": answer.status, "next_at": None}
        else:
            queue = {"status": SENT, "attempts": 0, "next_at": now + backoff(settings, 1)}
        queue.update(reference=answer.reference, message=_clip(answer.message))
        if not _record(inv.id, (status, attempts), events, queue, now=now, terminal=terminal, user=actor.user_id):
            raise StateError(_("Invoice {number} changed meanwhile; try again").format(number=inv.number))
        return _current_step(inv.id)
    if status != SENT:  # final: show what the provider says, record nothing
        return Step(inv.id, inv.number, inv.uuid, status, None, attempts, answer.reference, answer.code, answer.message)
    return _answer_step(
        answer,
        inv.id,
        (SENT, attempts),
        now=now,
        terminal=terminal,
        settings=settings,
        user=actor.user_id,
        poll=attempts + 1,
    )


def resend_refusal(number: str, status: str) -> str:
    """Why invoice ``number`` in a final ``status`` (accepted, rejected, cancelled) has nothing to send."""
    if status == REJECTED:
        return _(
            "Invoice {number} was rejected; it stays on record as rejected. Issue a new invoice for its sales"
        ).format(number=number)
    if status == CANCELLED:
        return _("Invoice {number} is cancelled").format(number=number)
    return _("Invoice {number} was accepted; there is nothing more to send").format(number=number)


def cancel_invoice(
    ref: int | str,
    reason: str,
    *,
    actor: Actor,
    provider: EInvoiceProvider | None,
    now: datetime,
    terminal: str,
) -> Step:
    """Cancel an invoice (needs ``einvoice``). One never handed over (a draft, or queued with no try the
    provider knows of) is cancelled here; an e-Arşiv invoice the integrator has is cancelled there (iptal)
    first; an e-Fatura the buyer has is never cancelled: it is corrected by a return invoice."""
    require(actor, "einvoice")
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationError(_("Give the reason for the cancellation"))
    inv = get_invoice(ref)
    status, attempts, *_rest = _queue_row(inv.id)
    if status in (CANCELLED, REJECTED):
        raise StateError(resend_refusal(inv.number, status))
    handed_over = status not in (DRAFT, QUEUED) or attempts > 0
    if handed_over and status == QUEUED and provider is not None:
        handed_over = provider.status(inv.uuid).status != UNKNOWN
    answer: Answer | None = None
    if handed_over:
        if inv.profile != EARSIVFATURA:
            raise StateError(_efatura_refusal(inv.number, inv.profile))
        if provider is None:
            raise StateError(
                _("Invoice {number} is with the integrator: its driver is needed to cancel it").format(
                    number=inv.number
                )
            )
        answer = provider.cancel(inv.uuid, reason)
        if answer.status != CANCELLED:
            raise StateError(
                _("The integrator did not cancel invoice {number}: it answered {status} {message}")
                .format(number=inv.number, status=answer.status, message=answer.message or "")
                .strip()
            )
    event = _New(
        CANCELLED,
        attempts,
        answer.reference if answer else None,
        answer.code if answer else None,
        _clip(reason if answer is None or not answer.message else f"{reason} ({answer.message})"),
    )
    queue = {"status": CANCELLED, "next_at": None, "message": event.message}
    if not _record(inv.id, (status, attempts), [event], queue, now=now, terminal=terminal, user=actor.user_id):
        raise StateError(_("Invoice {number} changed meanwhile; try again").format(number=inv.number))
    return _current_step(inv.id)


def _efatura_refusal(number: str, profile: str) -> str:
    text = _(
        "Invoice {number} is an e-Fatura the buyer has received: an e-Fatura is not cancelled. Correct it with a "
        "return invoice (İADE) from the buyer"
    ).format(number=number)
    if profile == TICARIFATURA:
        text += _(", or the buyer rejects it (RED) within 8 days")
    else:
        text += _(", or a cancellation request on GİB's e-Belge portal within 8 days")
    return text

"""The cheque and note portfolio (çek/senet portföyü): each step of an instrument's life is one
journalled document.

A step (:func:`receive_cheque`, :func:`issue_cheque`, :func:`endorse`, :func:`deposit`,
:func:`collect_cheque`, :func:`bounce`, :func:`pay_cheque`) writes, in ONE write transaction:
a :class:`~pos_tui.store.models.ChequeEvent` row, a journal entry of kind ``cheque_event``
whose payload is :func:`event_payload` (rebuilt from the tables by the audit), the cached
``Cheque.status`` (and ``holder``), and — where money moves between parties — account entries
through :func:`pos_tui.core.accounts.ledger.post_entries`.

The states and the steps allowed from each (:data:`TRANSITIONS`; anything else is refused)::

    received from a customer                         issued by the shop to a supplier
    receive   → portfolio                            issue → issued
    portfolio → endorsed | deposited | collected | bounced     issued → paid | bounced
    deposited → collected | bounced
    endorsed  → bounced   (the supplier brings it back unpaid)
    collected, bounced, paid: final

The account entries (amount signed as in the ledger: > 0 the party owes the shop more):

- ``received``: ``cheque_in`` −amount on the customer (they paid with it). Its due date is the
  entry's own day, not the cheque's: the customer has paid today, so the entry settles their
  oldest open items now (open-item matching works on entry due dates); the cheque's maturity
  is followed here in the portfolio, and if it is not honoured the debt comes back as a new item.
- ``endorsed``: ``cheque_endorse`` +amount on the supplier (our debt to them shrinks).
- ``bounced``: ``cheque_bounce`` +amount on the customer (the debt is back, due that day); if it
  had been endorsed, also ``cheque_bounce`` −amount on the supplier who returned it (our debt to
  them is back). An issued cheque that bounces: ``cheque_bounce`` −amount on the supplier.
- ``issued``: ``cheque_out`` +amount on the supplier (we paid them with it).
- ``deposited``, ``collected``, ``paid``: no account entry (money moves between the shop and
  its bank, not between parties).

Every step needs the ``accounts`` permission (a supervisor's :class:`Override` is journalled).
Portfolio numbers are gapless over both directions (counter ``("accounts", "cheque")``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from peewee import JOIN

from pos_tui.core.accounts.ledger import (
    CHEQUE_BOUNCE,
    CHEQUE_ENDORSE,
    CHEQUE_IN,
    CHEQUE_OUT,
    MAX_AMOUNT_KURUS,
    EntryDraft,
    clean_note,
    lock_party,
    post_entries,
)
from pos_tui.core.accounts.parties import BOTH, CUSTOMER, SUPPLIER, get_party
from pos_tui.core.kernel import journal
from pos_tui.core.kernel.actors import Actor, Override, require
from pos_tui.core.kernel.clock import SHOP_TZ, from_db, iso, to_db
from pos_tui.core.kernel.errors import NotFound, ValidationError
from pos_tui.core.kernel.formats import text_problem
from pos_tui.core.kernel.formatting import format_money
from pos_tui.core.kernel.money import from_kurus, money, to_kurus
from pos_tui.core.kernel.pan import refuse_pan
from pos_tui.core.staff.users import record_override
from pos_tui.i18n import N_, _
from pos_tui.store import fast, write_tx
from pos_tui.store import models as m
from pos_tui.store import reading as store
from pos_tui.store.counters import next_value

CHEQUE, NOTE = "cheque", "note"
INSTRUMENTS = (CHEQUE, NOTE)
INSTRUMENT_WORDS = {"cheque": CHEQUE, "cek": CHEQUE, "çek": CHEQUE, "note": NOTE, "senet": NOTE, "bono": NOTE}
RECEIVED, ISSUED = "received", "issued"
DIRECTIONS = (RECEIVED, ISSUED)

# statuses (the cache on the cheque row)
PORTFOLIO = "portfolio"
ENDORSED = "endorsed"
DEPOSITED = "deposited"
COLLECTED = "collected"
BOUNCED = "bounced"
PAID = "paid"
STATUSES = (PORTFOLIO, ENDORSED, DEPOSITED, COLLECTED, BOUNCED, ISSUED, PAID)
STATUS_LABELS = {
    PORTFOLIO: N_("in portfolio"),
    ENDORSED: N_("endorsed"),
    DEPOSITED: N_("deposited to the bank"),
    COLLECTED: N_("collected"),
    BOUNCED: N_("returned unpaid"),
    ISSUED: N_("issued"),
    PAID: N_("paid"),
}
LIVE = (PORTFOLIO, DEPOSITED, ISSUED)  # still to act on when they fall due

# event kinds (ChequeEvent.kind) and the status each leaves
EV_RECEIVED, EV_ISSUED, EV_ENDORSED, EV_DEPOSITED = "received", "issued", "endorsed", "deposited"
EV_COLLECTED, EV_BOUNCED, EV_PAID = "collected", "bounced", "paid"
EVENT_STATUS = {
    EV_RECEIVED: PORTFOLIO,
    EV_ISSUED: ISSUED,
    EV_ENDORSED: ENDORSED,
    EV_DEPOSITED: DEPOSITED,
    EV_COLLECTED: COLLECTED,
    EV_BOUNCED: BOUNCED,
    EV_PAID: PAID,
}
# status before (None: a new instrument) -> the events allowed from it
TRANSITIONS: dict[str | None, tuple[str, ...]] = {
    None: (EV_RECEIVED, EV_ISSUED),
    PORTFOLIO: (EV_ENDORSED, EV_DEPOSITED, EV_COLLECTED, EV_BOUNCED),
    DEPOSITED: (EV_COLLECTED, EV_BOUNCED),
    ENDORSED: (EV_BOUNCED,),
    ISSUED: (EV_PAID, EV_BOUNCED),
    COLLECTED: (),
    BOUNCED: (),
    PAID: (),
}
STEP_LABELS = {
    EV_RECEIVED: N_("receive"),
    EV_ISSUED: N_("issue"),
    EV_ENDORSED: N_("endorse"),
    EV_DEPOSITED: N_("deposit"),
    EV_COLLECTED: N_("collect"),
    EV_BOUNCED: N_("return unpaid"),
    EV_PAID: N_("mark as paid"),
}
JOURNAL_KIND = "cheque_event"
COUNTER = ("accounts", "cheque")
_LIMITS = {"drawer": 255, "bank": 128, "branch": 128, "account_no": 64, "serial": 64}


def status_label(status: str) -> str:
    label = STATUS_LABELS.get(status)
    return _(label) if label else status


def instrument_label(instrument: str) -> str:
    return _("promissory note") if instrument == NOTE else _("cheque")


def parse_instrument(text: str) -> str:
    """``cheque``/``çek`` or ``note``/``senet``/``bono``."""
    found = INSTRUMENT_WORDS.get(text.strip().lower())
    if found is None:
        raise ValidationError(_("Unknown instrument {text!r}; use cheque (çek) or note (senet)").format(text=text[:20]))
    return found


def next_status(status: str | None, event: str) -> str | None:
    """The status after ``event`` from ``status``; None when the step is not allowed."""
    return EVENT_STATUS[event] if event in TRANSITIONS.get(status, ()) else None


@dataclass(frozen=True, slots=True, kw_only=True)
class ChequeInput:
    """A cheque or note as it is received or written. ``party``: the account's code (the customer
    who gave it, or the supplier it is written to); ``amount`` TRY; ``instrument`` cheque | note."""

    party: str
    amount: Decimal
    due: date
    instrument: str = CHEQUE
    drawer: str | None = None
    bank: str | None = None
    branch: str | None = None
    account_no: str | None = None
    serial: str | None = None
    issue_date: date | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class ChequeEventInfo:
    kind: str
    at: datetime  # aware UTC
    party: str | None  # the endorsee, or the supplier who returned it
    user: str
    terminal: str
    note: str | None

    def as_json(self, tz: str) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "at": iso(self.at, tz),
            "party": self.party,
            "user": self.user,
            "terminal": self.terminal,
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class ChequeInfo:
    id: int
    number: int
    instrument: str
    direction: str
    party: str
    party_name: str
    holder: str | None
    drawer: str | None
    bank: str | None
    branch: str | None
    account_no: str | None
    serial: str | None
    amount: Decimal
    currency: str
    issue_date: date | None
    due: date
    status: str
    events: tuple[ChequeEventInfo, ...] = ()

    def as_json(self, tz: str) -> dict[str, Any]:
        """The cheque as JSON; its steps' times in the shop's zone ``tz`` with its offset."""
        return {
            "number": self.number,
            "instrument": self.instrument,
            "direction": self.direction,
            "party": self.party,
            "party_name": self.party_name,
            "holder": self.holder,
            "drawer": self.drawer,
            "bank": self.bank,
            "branch": self.branch,
            "account_no": self.account_no,
            "serial": self.serial,
            "amount": f"{self.amount:.2f}",
            "currency": self.currency,
            "issue_date": None if self.issue_date is None else self.issue_date.isoformat(),
            "due": self.due.isoformat(),
            "status": self.status,
            "events": [e.as_json(tz) for e in self.events],
        }


# -- checks -----------------------------------------------------------------------------------


def _text(value: str | None, what: str, limit: int) -> str | None:
    if value is None or not value.strip():
        return None
    value = value.strip()
    problem = text_problem(value)
    if problem:
        raise ValidationError(_("{field} {problem}").format(field=what, problem=problem))
    if len(value) > limit:
        raise ValidationError(_("{field} may have at most {n} characters").format(field=what, n=limit))
    refuse_pan(value)
    return value


def _checked(data: ChequeInput) -> dict[str, Any]:
    instrument = parse_instrument(data.instrument)
    amount = money(data.amount)
    if amount <= 0:
        raise ValidationError(_("The amount of a cheque or note must be more than 0,00"))
    kurus = to_kurus(amount)
    if kurus >= MAX_AMOUNT_KURUS:
        raise ValidationError(_("That amount is too large"))
    if data.issue_date is not None and data.issue_date > data.due:
        raise ValidationError(
            _("The issue date {issued} is after the due date {due}").format(
                issued=data.issue_date.strftime("%d.%m.%Y"), due=data.due.strftime("%d.%m.%Y")
            )
        )
    names = {
        "drawer": _("Cheque drawer"),
        "bank": _("Bank"),
        "branch": _("Branch"),
        "account_no": _("Account number"),
        "serial": _("Serial number"),
    }
    values: dict[str, Any] = {f: _text(getattr(data, f), names[f], n) for f, n in _LIMITS.items()}
    if instrument == CHEQUE:
        missing = [names[f] for f in ("bank", "serial") if values[f] is None]
        if missing:
            raise ValidationError(
                _("A cheque needs its {fields}").format(fields=_(" and ").join(m_.lower() for m_ in missing))
            )
    values.update(instrument=instrument, amount=kurus, due=data.due, issue_date=data.issue_date)
    return values


def _record(
    actor: Actor, used: Override | None, step: str, details: dict[str, Any], *, terminal: str, now: datetime
) -> None:
    """Inside the step's transaction: journal the supervisor's override, if one was used."""
    if used is not None:
        record_override(actor, used, f"cheque_{step}", terminal=terminal, now=now, details=details)


def _party(code: str, kind: str) -> tuple[int, str]:
    party = get_party(code)
    if not party.active:
        raise ValidationError(_("The account {code} is closed").format(code=party.code))
    if party.kind not in (kind, BOTH):
        if kind == CUSTOMER:
            raise ValidationError(_("{code} is not a customer account").format(code=party.code))
        raise ValidationError(_("{code} is not a supplier account").format(code=party.code))
    return party.id, party.code


# -- the steps --------------------------------------------------------------------------------


def _event(
    cheque_id: int,
    kind: str,
    *,
    party_id: int | None,
    actor: Actor,
    terminal: str,
    now: datetime,
    note: str | None,
) -> int:
    event_id = fast.insert_one(
        m.ChequeEvent,
        {
            "cheque": cheque_id,
            "kind": kind,
            "at": to_db(now),
            "posted_at": to_db(now),
            "party": party_id,
            "terminal": terminal,
            "user": actor.user_id,
            "note": clean_note(note),
        },
    )
    journal.append(JOURNAL_KIND, event_payload(event_id), terminal=terminal, now=now, ref=f"cheque_event:{event_id}")
    return event_id


def _entry(
    party_id: int,
    kind: str,
    amount: int,
    cheque_id: int,
    number: int,
    *,
    actor: Actor,
    terminal: str,
    now: datetime,
    undoes: str | None = None,
) -> EntryDraft:
    """An account entry of the cheque's. ``undoes``: the kind of the cheque's earlier entry on this
    party that this one reverses (a bounce): it ``cancels`` it, so the open items are again what
    they were before the cheque (the customer's invoices it paid are open again, with their dues)."""
    cancels = None
    if undoes is not None:
        row = fast.select_first(m.AccountEntry, ("id",), {"cheque": cheque_id, "kind": undoes, "party": party_id})
        cancels = None if row is None else int(row[0])
    return EntryDraft(
        cancels=cancels,
        party_id=party_id,
        kind=kind,
        amount=amount,
        at=now,
        terminal=terminal,
        user_id=actor.user_id,
        method="cheque",
        document=f"cheque:{number}",
        cheque_id=cheque_id,
    )


def _new(
    data: ChequeInput,
    direction: str,
    *,
    actor: Actor,
    terminal: str,
    now: datetime,
    tz: str,
    override: Override | None,
) -> ChequeInfo:
    used = require(actor, "accounts", override)
    values = _checked(data)
    note = clean_note(data.note)
    kind = CUSTOMER if direction == RECEIVED else SUPPLIER
    with write_tx():
        party_id, code = _party(data.party, kind)
        lock_party(party_id)  # two terminals taking the same cheque in at once: the second sees the first
        if direction == RECEIVED and values["serial"] is not None:
            C = m.Cheque
            twin = (
                C.select(C.number)
                .where(
                    (C.direction == RECEIVED)
                    & (C.serial == values["serial"])
                    & (C.bank == values["bank"])
                    & (C.account_no.is_null() if values["account_no"] is None else C.account_no == values["account_no"])
                    & C.status.not_in([BOUNCED])
                )
                .scalar()
            )
            if twin is not None:
                raise ValidationError(
                    _("This cheque (bank {bank}, serial {serial}) is already in the portfolio as number {n}").format(
                        bank=values["bank"], serial=values["serial"], n=twin
                    )
                )
        event = EV_RECEIVED if direction == RECEIVED else EV_ISSUED
        _record(
            actor,
            used,
            event,
            {"party": code, "amount": f"{from_kurus(values['amount']):.2f}"},
            terminal=terminal,
            now=now,
        )
        number = next_value(*COUNTER)
        cheque_id = fast.insert_one(
            m.Cheque,
            {
                **values,
                "number": number,
                "direction": direction,
                "party": party_id,
                "holder": None,
                "currency": "TRY",
                "status": EVENT_STATUS[event],
                "created_at": to_db(now),
            },
        )
        _event(cheque_id, event, party_id=None, actor=actor, terminal=terminal, now=now, note=note)
        if direction == RECEIVED:
            drafts = [
                _entry(
                    party_id, CHEQUE_IN, -values["amount"], cheque_id, number, actor=actor, terminal=terminal, now=now
                )
            ]
        else:
            drafts = [
                _entry(
                    party_id, CHEQUE_OUT, values["amount"], cheque_id, number, actor=actor, terminal=terminal, now=now
                )
            ]
        post_entries(drafts, now=now, tz=tz)
    return get_cheque(number)


def receive_cheque(
    data: ChequeInput,
    *,
    actor: Actor,
    terminal: str,
    now: datetime,
    tz: str = SHOP_TZ,
    override: Override | None = None,
) -> ChequeInfo:
    """Take a customer's cheque or note into the portfolio (status ``portfolio``; ``cheque_in``
    −amount on their account)."""
    return _new(data, RECEIVED, actor=actor, terminal=terminal, now=now, tz=tz, override=override)


def issue_cheque(
    data: ChequeInput,
    *,
    actor: Actor,
    terminal: str,
    now: datetime,
    tz: str = SHOP_TZ,
    override: Override | None = None,
) -> ChequeInfo:
    """Write the shop's own cheque or note to a supplier (status ``issued``; ``cheque_out``
    +amount on their account)."""
    return _new(data, ISSUED, actor=actor, terminal=terminal, now=now, tz=tz, override=override)


def instrument_title(instrument: str) -> str:
    """``Cheque``/``Note``: the instrument at the start of a sentence."""
    return _("Promissory note") if instrument == NOTE else _("Cheque")


def _refused(row: dict[str, Any], event: str) -> ValidationError:
    what, n = instrument_title(row["instrument"]), row["number"]
    if row["direction"] == ISSUED and event in (EV_ENDORSED, EV_DEPOSITED, EV_COLLECTED):
        return ValidationError(
            _("{what} number {n} was issued by the shop to a supplier: it can only be paid or returned unpaid").format(
                what=what, n=n
            )
        )
    if row["direction"] == RECEIVED and event == EV_PAID:
        return ValidationError(
            _("{what} number {n} was received from a customer: it is collected, not paid").format(what=what, n=n)
        )
    return ValidationError(
        _("{what} number {n} is {status}; the step “{step}” is not possible").format(
            what=what, n=n, status=status_label(row["status"]), step=_(STEP_LABELS[event])
        )
    )


_ROW = ("id", "number", "instrument", "direction", "party", "holder", "amount", "status")


def _locked(number: int) -> dict[str, Any]:
    found = fast.select_first(m.Cheque, _ROW, {"number": number}, for_update=True)
    if found is None:
        raise NotFound(_("No cheque or note with the portfolio number {n}").format(n=number))
    return dict(zip(_ROW, found, strict=True))


def _step(
    number: int,
    event: str,
    *,
    actor: Actor,
    terminal: str,
    now: datetime,
    tz: str,
    override: Override | None,
    note: str | None,
    to_party: str | None = None,
) -> ChequeInfo:
    used = require(actor, "accounts", override)
    note = clean_note(note)
    with write_tx():
        row = _locked(int(number))
        status = next_status(row["status"], event)
        if status is None:
            raise _refused(row, event)
        cheque_id, amount, party_id = row["id"], int(row["amount"]), int(row["party"])
        event_party: int | None = None
        drafts: list[EntryDraft] = []
        extra: dict[str, Any] = {}
        if event == EV_ENDORSED:
            assert to_party is not None
            holder, _code = _party(to_party, SUPPLIER)
            if holder == party_id:
                raise ValidationError(_("A cheque cannot be endorsed back to the customer who gave it"))
            event_party = holder
            extra["holder"] = holder
            drafts.append(
                _entry(
                    holder, CHEQUE_ENDORSE, amount, cheque_id, row["number"], actor=actor, terminal=terminal, now=now
                )
            )
        elif event == EV_BOUNCED:
            if row["direction"] == RECEIVED:
                drafts.append(
                    _entry(
                        party_id,
                        CHEQUE_BOUNCE,
                        amount,
                        cheque_id,
                        row["number"],
                        actor=actor,
                        terminal=terminal,
                        now=now,
                        undoes=CHEQUE_IN,
                    )
                )
                if row["status"] == ENDORSED:
                    event_party = int(row["holder"])
                    drafts.append(
                        _entry(
                            event_party,
                            CHEQUE_BOUNCE,
                            -amount,
                            cheque_id,
                            row["number"],
                            actor=actor,
                            terminal=terminal,
                            now=now,
                            undoes=CHEQUE_ENDORSE,
                        )
                    )
            else:
                drafts.append(
                    _entry(
                        party_id,
                        CHEQUE_BOUNCE,
                        -amount,
                        cheque_id,
                        row["number"],
                        actor=actor,
                        terminal=terminal,
                        now=now,
                        undoes=CHEQUE_OUT,
                    )
                )
        _record(actor, used, event, {"number": row["number"]}, terminal=terminal, now=now)
        fast.update_where(m.Cheque, {"status": status, **extra}, {"id": cheque_id})
        _event(cheque_id, event, party_id=event_party, actor=actor, terminal=terminal, now=now, note=note)
        if drafts:
            post_entries(drafts, now=now, tz=tz)
    return get_cheque(int(number))


def endorse(
    number: int,
    to_party_code: str,
    *,
    actor: Actor,
    terminal: str,
    now: datetime,
    tz: str = SHOP_TZ,
    override: Override | None = None,
    note: str | None = None,
) -> ChequeInfo:
    """Endorse (ciro) a portfolio cheque to a supplier: it pays our debt to them."""
    return _step(
        number, EV_ENDORSED, actor=actor, terminal=terminal, now=now, tz=tz, override=override, note=note,
        to_party=to_party_code,
    )  # fmt: skip


def deposit(
    number: int,
    *,
    actor: Actor,
    terminal: str,
    now: datetime,
    tz: str = SHOP_TZ,
    override: Override | None = None,
    note: str | None = None,
) -> ChequeInfo:
    """Give a portfolio cheque to the bank for collection (no account entry)."""
    return _step(number, EV_DEPOSITED, actor=actor, terminal=terminal, now=now, tz=tz, override=override, note=note)


def collect_cheque(
    number: int,
    *,
    actor: Actor,
    terminal: str,
    now: datetime,
    tz: str = SHOP_TZ,
    override: Override | None = None,
    note: str | None = None,
) -> ChequeInfo:
    """The money came in (tahsil): at the counter from the portfolio, or from the bank after a
    deposit. No account entry: the customer's account was credited when the cheque came in."""
    return _step(number, EV_COLLECTED, actor=actor, terminal=terminal, now=now, tz=tz, override=override, note=note)


def bounce(
    number: int,
    *,
    actor: Actor,
    terminal: str,
    now: datetime,
    tz: str = SHOP_TZ,
    override: Override | None = None,
    note: str | None = None,
) -> ChequeInfo:
    """Returned unpaid (karşılıksız): the amount goes back on the customer's account; an endorsed
    one also comes back from the supplier (our debt to them returns). An issued one that bounced
    puts our debt back on the supplier's account."""
    return _step(number, EV_BOUNCED, actor=actor, terminal=terminal, now=now, tz=tz, override=override, note=note)


def pay_cheque(
    number: int,
    *,
    actor: Actor,
    terminal: str,
    now: datetime,
    tz: str = SHOP_TZ,
    override: Override | None = None,
    note: str | None = None,
) -> ChequeInfo:
    """The shop's own cheque or note was paid from its bank (no account entry)."""
    return _step(number, EV_PAID, actor=actor, terminal=terminal, now=now, tz=tz, override=override, note=note)


# -- the journal payload ----------------------------------------------------------------------


def _money(kurus: int) -> str:
    return f"{from_kurus(kurus):.2f}"


def _day(value: Any) -> str | None:
    return None if value is None else str(value)


def event_payload(event_id: int) -> dict[str, Any]:
    """The journal payload of cheque event ``event_id``, from the tables (the audit compares).
    The first event (received/issued) also carries the instrument's data, so a changed amount,
    due date or party on the cheque row no longer matches its journal."""
    E, C, P, U = m.ChequeEvent, m.Cheque, m.Party, m.User
    EP = P.alias("event_party")
    row = next(
        store.rows(
            E.select(
                E.id,
                C.number,
                E.kind,
                E.at,
                EP.code,
                E.terminal,
                U.name,
                E.note,
                C.instrument,
                C.direction,
                P.code,
                C.drawer,
                C.bank,
                C.branch,
                C.account_no,
                C.serial,
                C.amount,
                C.currency,
                C.issue_date,
                C.due,
            )
            .join(C, on=(E.cheque == C.id))
            .join(P, on=(C.party == P.id))
            .switch(E)
            .join(U, on=(E.user == U.id))
            .switch(E)
            .join(EP, on=(E.party == EP.id), join_type=JOIN.LEFT_OUTER)
            .where(E.id == event_id)
        ),
        None,
    )
    if row is None:
        raise NotFound(_("No cheque event {id}").format(id=event_id))
    (eid, number, kind, at, party, terminal, user, note, instrument, direction, owner, drawer, bank, branch,
     account_no, serial, amount, currency, issue_date, due) = row  # fmt: skip
    payload: dict[str, Any] = {
        "id": eid,
        "cheque": number,
        "kind": kind,
        "at": at.isoformat() if isinstance(at, datetime) else str(at),
        "party": party,
        "terminal": terminal,
        "user": user,
        "note": note,
    }
    if kind in (EV_RECEIVED, EV_ISSUED):
        payload["instrument"] = {
            "instrument": instrument,
            "direction": direction,
            "party": owner,
            "drawer": drawer,
            "bank": bank,
            "branch": branch,
            "account_no": account_no,
            "serial": serial,
            "amount": _money(amount),
            "currency": currency,
            "issue_date": _day(issue_date),
            "due": _day(due),
        }
    return payload


# -- reading ----------------------------------------------------------------------------------


def _as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _select() -> Any:
    C, P = m.Cheque, m.Party
    H = P.alias("holder_party")
    return (
        C.select(
            C.id,
            C.number,
            C.instrument,
            C.direction,
            P.code,
            P.name,
            H.code,
            C.drawer,
            C.bank,
            C.branch,
            C.account_no,
            C.serial,
            C.amount,
            C.currency,
            C.issue_date,
            C.due,
            C.status,
        )
        .join(P, on=(C.party == P.id))
        .switch(C)
        .join(H, on=(C.holder == H.id), join_type=JOIN.LEFT_OUTER)
    )


def _info(row: tuple[Any, ...], events: tuple[ChequeEventInfo, ...] = ()) -> ChequeInfo:
    values = list(row)
    values[12] = from_kurus(int(values[12]))
    values[14] = _as_date(values[14])
    values[15] = _as_date(values[15])
    values.append(events)
    return ChequeInfo(*values)


def events_of(cheque_id: int) -> tuple[ChequeEventInfo, ...]:
    E, P, U = m.ChequeEvent, m.Party, m.User
    query = (
        E.select(E.kind, E.at, P.code, U.name, E.terminal, E.note)
        .join(U, on=(E.user == U.id))
        .switch(E)
        .join(P, on=(E.party == P.id), join_type=JOIN.LEFT_OUTER)
        .where(E.cheque == cheque_id)
        .order_by(E.id)
    )
    return tuple(
        ChequeEventInfo(kind, from_db(at), party, user, terminal, note)
        for kind, at, party, user, terminal, note in store.rows(query)
    )


def get_cheque(number: int) -> ChequeInfo:
    """The cheque or note with portfolio number ``number``, with its events."""
    for row in store.rows(_select().where(m.Cheque.number == int(number))):
        return _info(row, events_of(int(row[0])))
    raise NotFound(_("No cheque or note with the portfolio number {n}").format(n=number))


def list_cheques(
    status: str | Iterable[str] | None = None,
    due_from: date | None = None,
    due_to: date | None = None,
    party: str | None = None,
    direction: str | None = None,
) -> list[ChequeInfo]:
    """Cheques and notes by due date (then number); every filter optional. ``party`` matches the
    account that gave or received it and the one it was endorsed to."""
    C = m.Cheque
    query = _select()
    if status is not None:
        wanted = [status] if isinstance(status, str) else list(status)
        for s in wanted:
            if s not in STATUSES:
                raise ValidationError(
                    _("Unknown status {status!r}; use one of {known}").format(status=s, known=", ".join(STATUSES))
                )
        query = query.where(C.status.in_(wanted))
    if direction is not None:
        if direction not in DIRECTIONS:
            raise ValidationError(_("Unknown direction {d!r}; use received or issued").format(d=direction))
        query = query.where(C.direction == direction)
    if due_from is not None:
        query = query.where(C.due >= due_from)
    if due_to is not None:
        query = query.where(C.due <= due_to)
    if party is not None:
        pid = get_party(party).id
        query = query.where((C.party == pid) | (C.holder == pid))
    return [_info(row) for row in store.rows(query.order_by(C.due, C.number))]


def due_cheques(day_from: date, day_to: date) -> list[ChequeInfo]:
    """Cheques and notes falling due between the two days (inclusive) that still need the shop
    to act: in the portfolio, at the bank, or issued by the shop and not yet paid."""
    return list_cheques(status=LIVE, due_from=day_from, due_to=day_to)


def amount_label(kurus: int) -> str:
    return format_money(from_kurus(kurus))

"""Opening balances, corrections and cancellations: the entries an admin writes by hand.

- :func:`post_opening` books a party's opening balance (``opening``) on a day (the balance the
  party had when the shop started keeping its books here). One live opening balance per party:
  cancel the wrong one first.
- :func:`post_correction` books a ``correction`` of a signed amount with a reason.
- :func:`cancel_entry` writes a ``cancel`` entry of the opposite amount with ``cancels`` set: the
  pair nets to zero and leaves the open items. An entry can be cancelled once; a cancellation is
  never cancelled; an entry that belongs to a document (a sale, a goods receipt, a cheque) is
  cancelled by that document's own return, reversal or cheque step, never here.

All three need the ``accounts`` permission (a supervisor's override that has it is journalled
with the entry, in the same transaction). ``reason`` is short (the entry's ``reason`` column,
:data:`MAX_REASON` characters); a longer story goes into ``note``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from pos_tui.core.accounts.items import end_of_day
from pos_tui.core.accounts.ledger import (
    CANCEL,
    CORRECTION,
    OPENING,
    EntryDraft,
    PostedEntry,
    get_entry,
    lock_party,
    post_entries,
)
from pos_tui.core.kernel.actors import Actor, Override, require
from pos_tui.core.kernel.clock import SHOP_TZ, day_bounds, shop_day
from pos_tui.core.kernel.errors import NotFound, ValidationError
from pos_tui.core.kernel.formats import text_problem
from pos_tui.core.kernel.money import from_kurus, to_kurus
from pos_tui.core.kernel.pan import refuse_pan
from pos_tui.i18n import _
from pos_tui.store import fast, write_tx
from pos_tui.store import models as m
from pos_tui.store import reading as store

PERMISSION = "accounts"
MAX_REASON = 32
_SECOND = timedelta(seconds=1)


def clean_reason(reason: str | None, *, required: bool = True) -> str | None:
    """A reason as stored: trimmed, one line, at most :data:`MAX_REASON` characters, never a card number."""
    if reason is None or not reason.strip():
        if required:
            raise ValidationError(_("Give a reason (e.g. 'wrong amount typed')"))
        return None
    reason = reason.strip()
    problem = text_problem(reason)
    if problem:
        raise ValidationError(_("The reason {problem}").format(problem=problem))
    if len(reason) > MAX_REASON:
        raise ValidationError(
            _("A reason may have at most {n} characters; write the rest as a note").format(n=MAX_REASON)
        )
    refuse_pan(reason)
    return reason


def _journal_override(
    actor: Actor, used: Override | None, action: str, terminal: str, now: datetime, **details: str
) -> None:
    if used is not None:
        from pos_tui.core.staff import record_override

        record_override(actor, used, action, terminal=terminal, now=now, details=details)


def _party_id(code: str) -> int:
    row = fast.select_first(m.Party, ("id",), {"code": code.strip()})
    if row is None:
        raise NotFound(_("No account with the code {code}").format(code=code.strip()[:32]))
    return int(row[0])


def post_opening(
    code: str,
    amount: int,
    *,
    day: date | None = None,
    actor: Actor,
    terminal: str,
    now: datetime,
    note: str | None = None,
    override: Override | None = None,
    tz: str = SHOP_TZ,
) -> PostedEntry:
    """The opening balance of ``code``: ``amount`` signed kuruş (> 0: the party owes the shop),
    dated at the start of ``day`` (default: today) and due that day."""
    used = require(actor, PERMISSION, override)
    day = day or shop_day(now, tz)
    if amount == 0:
        raise ValidationError(_("An opening balance of 0,00 changes nothing"))
    with write_tx():
        party_id = _party_id(code)
        lock_party(party_id)
        E = m.AccountEntry
        openings = [int(r[0]) for r in store.rows(E.select(E.id).where((E.party == party_id) & (E.kind == OPENING)))]
        if openings:
            cancelled = {int(r[0]) for r in store.rows(E.select(E.cancels).where(E.cancels.in_(openings)))}
            live = [i for i in openings if i not in cancelled]
            if live:
                raise ValidationError(
                    _(
                        "The account {code} already has an opening balance (entry {number}); cancel it first"
                        " or book a correction"
                    ).format(code=code.strip(), number=get_entry(live[0]).number)
                )
        (posted,) = post_entries(
            [
                EntryDraft(
                    party_id=party_id,
                    kind=OPENING,
                    amount=amount,
                    at=day_bounds(day, tz)[0],
                    due=day,
                    terminal=terminal,
                    user_id=actor.user_id,
                    document=f"opening:{code.strip()}",
                    note=note,
                )
            ],
            now=now,
            tz=tz,
        )
        _journal_override(actor, used, "account_opening", terminal, now, party=code.strip(), amount=_text(amount))
    return posted


def _text(kurus: int) -> str:
    return f"{from_kurus(kurus):.2f}"


def post_correction(
    code: str,
    amount: int,
    *,
    reason: str,
    actor: Actor,
    terminal: str,
    now: datetime,
    day: date | None = None,
    note: str | None = None,
    override: Override | None = None,
    tz: str = SHOP_TZ,
) -> PostedEntry:
    """A correction of ``amount`` signed kuruş on ``code``'s account, with a reason; dated now (or
    at the end of ``day``, a past day) and due on its day."""
    used = require(actor, PERMISSION, override)
    reason_text = clean_reason(reason)
    if amount == 0:
        raise ValidationError(_("A correction of 0,00 changes nothing"))
    at = now if day is None or day >= shop_day(now, tz) else end_of_day(day, tz) - _SECOND
    with write_tx():
        party_id = _party_id(code)
        lock_party(party_id)
        (posted,) = post_entries(
            [
                EntryDraft(
                    party_id=party_id,
                    kind=CORRECTION,
                    amount=amount,
                    at=at,
                    terminal=terminal,
                    user_id=actor.user_id,
                    reason=reason_text,
                    note=note,
                )
            ],
            now=now,
            tz=tz,
        )
        _journal_override(
            actor, used, "account_correction", terminal, now, party=code.strip(), amount=_text(amount), reason=reason
        )
    return posted


def cancel_entry(
    number: int,
    *,
    reason: str,
    actor: Actor,
    terminal: str,
    now: datetime,
    note: str | None = None,
    override: Override | None = None,
    tz: str = SHOP_TZ,
) -> PostedEntry:
    """Cancel entry ``number`` (the gapless entry number people see): a ``cancel`` entry of the
    opposite amount, dated now, due when the original was due, ``cancels`` set."""
    used = require(actor, PERMISSION, override)
    reason_text = clean_reason(reason)
    E = m.AccountEntry
    with write_tx():
        row = fast.select_first(
            E,
            ("id", "party", "kind", "amount", "due", "sale", "stock_document", "cheque", "cancels", "shift"),
            {"number": number},
        )
        if row is None:
            raise NotFound(_("No account entry number {n}").format(n=number))
        entry_id, party_id, kind, amount, due, sale, stock_doc, cheque, cancels, shift = row
        lock_party(int(party_id))
        if cancels is not None or kind == CANCEL:
            raise ValidationError(_("Entry {n} is itself a cancellation; it cannot be cancelled").format(n=number))
        if sale is not None or stock_doc is not None or cheque is not None:
            raise ValidationError(
                _(
                    "Entry {n} belongs to a document (a sale, a goods receipt or a cheque): cancel it with that"
                    " document's return, reversal or cheque step"
                ).format(n=number)
            )
        if shift is not None:  # its money went through a drawer: the shift's X and Z count it
            raise ValidationError(
                _(
                    "Entry {n} was paid through the drawer of shift {shift}: give the money back with a"
                    " payment or take it in with a collection instead of cancelling it"
                ).format(n=number, shift=shift)
            )
        done = fast.select_first(E, ("number",), {"cancels": entry_id})
        if done is not None:
            raise ValidationError(
                _("Entry {n} is already cancelled (by entry {other})").format(n=number, other=done[0])
            )
        if isinstance(due, str):
            due = date.fromisoformat(due)
        (posted,) = post_entries(
            [
                EntryDraft(
                    party_id=int(party_id),
                    kind=CANCEL,
                    amount=-int(amount),
                    at=now,
                    due=due,
                    terminal=terminal,
                    user_id=actor.user_id,
                    cancels=int(entry_id),
                    document=f"entry:{number}",
                    reason=reason_text,
                    note=note,
                )
            ],
            now=now,
            tz=tz,
        )
        _journal_override(
            actor,
            used,
            "account_cancel",
            terminal,
            now,
            entry=str(number),
            amount=_text(-int(amount)),
            reason=reason,
        )
    return posted


def parse_signed_amount(text: str) -> int:
    """A signed amount typed by a person (``-150,00``, ``1.234,50``) in kuruş."""
    from pos_tui.core.kernel.money import parse_money

    raw = text.strip()
    negative = raw.startswith("-")
    amount = to_kurus(parse_money(raw.lstrip("-+").strip(), _("amount")))
    return -amount if negative else amount

"""The cheques-and-notes part of ``pos-admin audit verify`` (called by :func:`check_accounts`).

1. Every cheque event equals its ``cheque_event`` journal entry (rebuilt from the tables: the
   first event carries the instrument's amount, due date and parties), and every such journal
   entry still has its row.
2. Portfolio numbers run 1…N without a gap (counter ``("accounts", "cheque")``).
3. ``Cheque.status`` (and ``holder``) is only a cache: it is recomputed from the events by the
   state table (:data:`~pos_tui.core.accounts.cheques.portfolio.TRANSITIONS`); a step the table
   does not allow is reported too.
4. The account entries of each cheque (``cheque_in``, ``cheque_out``, ``cheque_endorse``,
   ``cheque_bounce`` with its FK) are exactly those its events call for, and no such entry is
   without a cheque.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable

from pos_tui.core.accounts.cheques.portfolio import (
    COUNTER,
    ENDORSED,
    EV_BOUNCED,
    EV_ENDORSED,
    EV_ISSUED,
    EV_RECEIVED,
    ISSUED,
    JOURNAL_KIND,
    RECEIVED,
    event_payload,
    next_status,
    status_label,
)
from pos_tui.core.accounts.ledger import CHEQUE_BOUNCE, CHEQUE_ENDORSE, CHEQUE_IN, CHEQUE_OUT
from pos_tui.core.kernel.formatting import format_money
from pos_tui.core.kernel.money import from_kurus
from pos_tui.i18n import _
from pos_tui.store import models as m
from pos_tui.store import reading as store

Add = Callable[[int | None, str], None]
CHEQUE_KINDS = (CHEQUE_IN, CHEQUE_OUT, CHEQUE_ENDORSE, CHEQUE_BOUNCE)


def _journal(add: Add) -> None:
    J, E = m.JournalEntry, m.ChequeEvent
    journalled: dict[int, tuple[int, str]] = {}
    for jid, ref, payload in store.rows(J.select(J.id, J.ref, J.payload).where(J.kind == JOURNAL_KIND).order_by(J.id)):
        try:
            journalled[int(str(ref).split(":", 1)[1])] = (jid, payload)
        except (IndexError, ValueError):
            add(jid, _("entry {id}: a cheque event's journal entry names no event").format(id=jid))
    for event_id, number in store.rows(
        E.select(E.id, m.Cheque.number).join(m.Cheque, on=(E.cheque == m.Cheque.id)).order_by(E.id)
    ):
        found = journalled.pop(event_id, None)
        if found is None:
            add(None, _("cheque {n}: event {id} has no journal entry").format(n=number, id=event_id))
        elif json.loads(found[1]) != event_payload(event_id):
            add(
                found[0],
                _("entry {id}: cheque {n}'s event {event} differs from its journal entry").format(
                    id=found[0], n=number, event=event_id
                ),
            )
    for event_id, (jid, _payload) in sorted(journalled.items()):
        add(jid, _("entry {id}: cheque event {event} is missing from the tables").format(id=jid, event=event_id))


def _numbers(add: Add) -> None:
    numbers = [n for (n,) in store.rows(m.Cheque.select(m.Cheque.number).order_by(m.Cheque.number))]
    top = (
        m.Counter.select(m.Counter.value)
        .where((m.Counter.scope == COUNTER[0]) & (m.Counter.name == COUNTER[1]))
        .scalar()
        or 0
    )
    if numbers != list(range(1, len(numbers) + 1)) or top != len(numbers):
        add(
            None,
            _("cheques: portfolio numbers 1 to {top} were given but {n} are there: some were deleted").format(
                top=max(top, numbers[-1] if numbers else 0), n=len(numbers)
            ),
        )


def _life(add: Add) -> None:
    C, E, A = m.Cheque, m.ChequeEvent, m.AccountEntry
    events: dict[int, list[tuple[str, int | None]]] = {}
    for cheque_id, kind, party in store.rows(E.select(E.cheque, E.kind, E.party).order_by(E.id)):
        events.setdefault(cheque_id, []).append((kind, party))
    booked: dict[int, Counter[tuple[str, int, int]]] = {}
    for cheque_id, kind, party, amount in store.rows(
        A.select(A.cheque, A.kind, A.party, A.amount).where(A.kind.in_(CHEQUE_KINDS)).order_by(A.id)
    ):
        if cheque_id is None:
            add(None, _("an account entry of kind {kind} names no cheque").format(kind=kind))
            continue
        booked.setdefault(cheque_id, Counter())[(kind, party, int(amount))] += 1
    query = C.select(C.id, C.number, C.direction, C.party, C.holder, C.amount, C.status).order_by(C.number)
    for cheque_id, number, direction, party, holder, amount, cached in store.rows(query):
        status: str | None = None
        last_holder: int | None = None
        expected: Counter[tuple[str, int, int]] = Counter()
        first = EV_RECEIVED if direction == RECEIVED else EV_ISSUED
        for i, (kind, event_party) in enumerate(events.get(cheque_id, [])):
            after = next_status(status, kind)
            if after is None or (i == 0 and kind != first):
                add(
                    None,
                    _("cheque {n}: the step {kind} after {status} is not allowed").format(
                        n=number, kind=kind, status="-" if status is None else status
                    ),
                )
                break
            if kind == EV_RECEIVED:
                expected[(CHEQUE_IN, party, -amount)] += 1
            elif kind == EV_ISSUED:
                expected[(CHEQUE_OUT, party, amount)] += 1
            elif kind == EV_ENDORSED and event_party is not None:
                last_holder = event_party
                expected[(CHEQUE_ENDORSE, event_party, amount)] += 1
            elif kind == EV_BOUNCED:
                if direction == ISSUED:
                    expected[(CHEQUE_BOUNCE, party, -amount)] += 1
                else:
                    expected[(CHEQUE_BOUNCE, party, amount)] += 1
                    if status == ENDORSED and event_party is not None:
                        expected[(CHEQUE_BOUNCE, event_party, -amount)] += 1
            status = after
        if status != cached:
            add(
                None,
                _("cheque {n}: its status says {cached} but its events say {status}").format(
                    n=number, cached=status_label(cached), status="-" if status is None else status_label(status)
                ),
            )
        if holder != last_holder:
            add(None, _("cheque {n}: its holder does not match its endorsement").format(n=number))
        got = booked.pop(cheque_id, Counter())
        if got != expected:
            add(
                None,
                _("cheque {n}: its account entries add up to {got} but its events call for {expected}").format(
                    n=number,
                    got=format_money(from_kurus(sum(k[2] * c for k, c in got.items()))),
                    expected=format_money(from_kurus(sum(k[2] * c for k, c in expected.items()))),
                )
                if sum(k[2] * c for k, c in got.items()) != sum(k[2] * c for k, c in expected.items())
                else _("cheque {n}: its account entries are not the ones its events call for").format(n=number),
            )
    for cheque_id in sorted(booked):
        add(None, _("account entries name cheque id {id}, which does not exist").format(id=cheque_id))


def check_cheques(add: Add) -> None:
    """Every cheque's status agrees with its events; every event equals its journal entry."""
    _journal(add)
    _numbers(add)
    _life(add)

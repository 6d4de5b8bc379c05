"""The e-invoice part of ``pos-admin audit verify`` (docs/einvoice-send.md, "What the audit checks"):

1. Every invoice equals its ``einvoice`` journal entry (rebuilt by :func:`.issuing.invoice_payload`),
   every such entry still has its invoice, and the stored XML still has its digest (sha256).
2. Numbers run 1…N without a gap per series and year, each number is its series, year and sequence,
   and the series' counter equals N.
3. Every event after an invoice's first (the issuing one: draft or queued) equals its
   ``einvoice_status`` journal entry (:func:`.sender.event_payload`), and every such entry has its event.
4. The queue's status is the kind of the invoice's last status event (an ``error`` is a try, not a
   status).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from pos_tui.core.einvoice.issuing import JOURNAL_KIND, format_number, invoice_payload
from pos_tui.core.einvoice.model import DRAFT, QUEUED, STATUSES
from pos_tui.core.einvoice.sender import STATUS_KIND, event_payload
from pos_tui.core.kernel.errors import ValidationError
from pos_tui.i18n import _
from pos_tui.store import models as m
from pos_tui.store import reading as store

Add = Callable[[int | None, str], None]


def _journal(kind: str) -> dict[str, tuple[int, str]]:
    J = m.JournalEntry
    return {
        str(ref): (int(jid), str(payload))
        for jid, ref, payload in store.rows(J.select(J.id, J.ref, J.payload).where(J.kind == kind).order_by(J.id))
    }


def _same(payload: str, expected: dict[str, Any]) -> bool:
    try:
        return bool(json.loads(payload) == expected)
    except ValueError:
        return False


def _invoices(add: Add) -> dict[int, str]:
    """Checks 1 and 2; the number of each invoice by id."""
    E = m.EInvoice
    journalled = _journal(JOURNAL_KIND)
    numbers: dict[int, str] = {}
    series: dict[tuple[str, int], list[int]] = {}
    for inv_id, ettn, number, ser, year, seq, xml, digest in store.rows(
        E.select(E.id, E.uuid, E.number, E.series, E.year, E.seq, E.xml, E.digest).order_by(E.id)
    ):
        numbers[int(inv_id)] = number
        series.setdefault((ser, int(year)), []).append(int(seq))
        found = journalled.pop(str(ettn), None)
        if found is None:
            add(None, _("invoice {number} has no journal entry").format(number=number))
        elif not _same(found[1], invoice_payload(int(inv_id))):
            add(
                found[0],
                _("entry {id}: invoice {number} differs from its journal entry").format(id=found[0], number=number),
            )
        if hashlib.sha256(str(xml).encode("utf-8")).hexdigest() != digest:
            add(None, _("invoice {number}: its XML was changed after it was issued (digest)").format(number=number))
        try:
            expected = format_number(ser, int(year), int(seq))
        except ValidationError:
            expected = None
        if expected != number:
            add(
                None,
                _("invoice {number}: the number is not its series {series}, year {year} and sequence {seq}").format(
                    number=number, series=ser, year=year, seq=seq
                ),
            )
    for ettn, (jid, _payload) in journalled.items():
        add(jid, _("entry {id}: the invoice with ETTN {uuid} is missing from the tables").format(id=jid, uuid=ettn))
    C = m.Counter
    for (ser, year), seqs in sorted(series.items()):
        seqs.sort()
        top = C.select(C.value).where((C.scope == f"einvoice:{ser}") & (C.name == str(year))).scalar() or 0
        if seqs != list(range(1, len(seqs) + 1)) or top != len(seqs):
            add(
                None,
                _("invoices {series} {year}: numbers 1 to {top} were given but {n} are there").format(
                    series=ser, year=year, top=max(top, seqs[-1]), n=len(seqs)
                ),
            )
    return numbers


def _events(add: Add, numbers: dict[int, str]) -> None:
    """Checks 3 and 4."""
    V, Q = m.EInvoiceEvent, m.EInvoiceQueue
    journalled = _journal(STATUS_KIND)
    by_event: dict[int, tuple[int, str]] = {}
    for ref, entry in journalled.items():
        try:
            by_event[int(ref.rsplit("#", 1)[1])] = entry
        except (IndexError, ValueError):
            add(entry[0], _("entry {id}: an invoice status entry names no event").format(id=entry[0]))
    last: dict[int, str] = {}
    first_seen: set[int] = set()
    for event_id, inv_id, kind, attempt in store.rows(
        V.select(V.id, V.invoice, V.kind, V.attempt).order_by(V.invoice, V.id)
    ):
        inv_id = int(inv_id)
        number = numbers.get(inv_id, str(inv_id))
        if kind in STATUSES:
            last[inv_id] = kind
        if inv_id not in first_seen:
            first_seen.add(inv_id)
            if kind not in (DRAFT, QUEUED) or attempt != 0:
                add(None, _("invoice {number}: its history does not start with its issuing").format(number=number))
            continue
        found = by_event.pop(int(event_id), None)
        if found is None:
            add(
                None,
                _("invoice {number}: the event {event} ({kind}) has no journal entry").format(
                    number=number, event=event_id, kind=kind
                ),
            )
        elif not _same(found[1], event_payload(int(event_id))):
            add(
                found[0],
                _("entry {id}: the event {event} of invoice {number} differs from its journal entry").format(
                    id=found[0], event=event_id, number=number
                ),
            )
    for event_id, (jid, _payload) in sorted(by_event.items()):
        add(jid, _("entry {id}: the invoice event {event} is missing from the tables").format(id=jid, event=event_id))
    queued = {int(inv): str(status) for inv, status in store.rows(Q.select(Q.invoice, Q.status))}
    for inv_id, number in numbers.items():
        status = queued.get(inv_id)
        if status is None:
            add(None, _("invoice {number} is missing from the sender's queue").format(number=number))
        elif status != last.get(inv_id):
            add(
                None,
                _("invoice {number}: the queue says {status}, its last event {event}").format(
                    number=number, status=status, event=last.get(inv_id, "—")
                ),
            )


def check_einvoices(add: Add) -> None:
    """Run every e-invoice check; ``add(journal entry id or None, message)`` for each problem."""
    _events(add, _invoices(add))

"""The accounts part of ``pos-admin audit verify``: do the account tables still agree with the
journal and with the documents they record?

1. Every account entry equals its ``account_entry`` journal entry (rebuilt from the table), and
   every such journal entry still has its row; entry numbers run 1…N without a gap.
2. An entry that cancels another (a ``cancel``, a bounced cheque's) is its exact opposite, on the
   same account.
3. Per sale or return: what was paid ``on_account`` equals the account entries that document
   left (a sale's entries add up to its on-account payments; a return's to minus its refunds).
4. Cheques and notes: :func:`pos_tui.core.accounts.cheques.audit.check_cheques`.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from peewee import fn

from pos_tui.core.accounts.ledger import JOURNAL_KIND, RETURN, SALE, entry_payloads
from pos_tui.core.kernel.formatting import format_money
from pos_tui.core.kernel.money import from_kurus
from pos_tui.i18n import _
from pos_tui.store import models as m
from pos_tui.store import reading as store

Add = Callable[[int | None, str], None]
ON_ACCOUNT = "on_account"
CHUNK = 2000


def _journal(add: Add) -> None:
    J, E = m.JournalEntry, m.AccountEntry
    journalled: dict[int, tuple[int, str]] = {}
    for jid, ref, payload in store.rows(J.select(J.id, J.ref, J.payload).where(J.kind == JOURNAL_KIND).order_by(J.id)):
        try:
            journalled[int(str(ref).split(":", 1)[1])] = (jid, payload)
        except (IndexError, ValueError):
            add(jid, _("entry {id}: an account entry's journal entry names no account entry").format(id=jid))
    numbers = []
    rows = list(store.rows(E.select(E.id, E.number).order_by(E.number)))
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        payloads = entry_payloads(E.id.in_([entry_id for entry_id, _n in chunk]))
        for entry_id, number in chunk:
            numbers.append(number)
            found = journalled.pop(entry_id, None)
            if found is None:
                add(None, _("account entry {n} has no journal entry").format(n=number))
            elif json.loads(found[1]) != payloads[entry_id]:
                add(
                    found[0],
                    _("entry {id}: account entry {n} differs from its journal entry").format(id=found[0], n=number),
                )
    for entry_id, (jid, _payload) in sorted(journalled.items()):
        add(jid, _("entry {id}: account entry {n} is missing from the tables").format(id=jid, n=entry_id))
    top = (
        m.Counter.select(m.Counter.value)
        .where((m.Counter.scope == "accounts") & (m.Counter.name == "account_entry"))
        .scalar()
        or 0
    )
    if numbers != list(range(1, len(numbers) + 1)) or top != len(numbers):
        add(
            None,
            _("account entries: numbers 1 to {top} were given but {n} are there: some were deleted").format(
                top=max(top, numbers[-1] if numbers else 0), n=len(numbers)
            ),
        )


def _cancels(add: Add) -> None:
    E = m.AccountEntry
    O = E.alias("original")  # noqa: E741
    query = (
        E.select(E.number, O.number, E.amount, O.amount, E.party, O.party)
        .join(O, on=(E.cancels == O.id))
        .where(E.cancels.is_null(False) & ((E.amount + O.amount != 0) | (E.party != O.party)))
    )
    for number, original, amount, original_amount, _party, _original_party in store.rows(query):
        add(
            None,
            _("account entry {n} cancels entry {original} but is not its opposite ({amount} against {other})").format(
                n=number,
                original=original,
                amount=format_money(from_kurus(amount)),
                other=format_money(from_kurus(original_amount)),
            ),
        )


def _documents(add: Add) -> None:
    """On-account payments of each sale or return against the entries that document left."""
    P, S, E = m.Payment, m.Sale, m.AccountEntry
    paid = {
        sale_id: (uid, kind, int(amount))
        for sale_id, uid, kind, amount in store.rows(
            P.select(P.sale, S.uid, S.kind, fn.SUM(P.amount))
            .join(S, on=(P.sale == S.id))
            .where(P.method == ON_ACCOUNT)
            .group_by(P.sale, S.uid, S.kind)
        )
    }
    booked = {
        sale_id: int(amount)
        for sale_id, amount in store.rows(
            E.select(E.sale, fn.SUM(E.amount))
            .where(E.sale.is_null(False) & E.kind.in_([SALE, RETURN]))
            .group_by(E.sale)
        )
    }
    for sale_id in sorted(set(paid) | set(booked)):
        uid, kind, amount = paid.get(sale_id, (None, None, 0))
        expected = -amount if kind == "return" else amount
        got = booked.get(sale_id, 0)
        if got != expected:
            if uid is None:
                row = S.select(S.uid).where(S.id == sale_id).scalar()
                uid = row or str(sale_id)
            add(
                None,
                _("document {uid}: {paid} was paid on account but the account entries add up to {booked}").format(
                    uid=uid, paid=format_money(from_kurus(expected)), booked=format_money(from_kurus(got))
                ),
            )


def check_accounts(add: Add) -> None:
    """Run every accounts check; ``add(journal_entry_id, text)`` receives each problem."""
    from pos_tui.core.accounts.cheques.audit import check_cheques

    _journal(add)
    _cancels(add)
    _documents(add)
    check_cheques(add)

"""Automatic agenda entries, kept in step with the books by :func:`refresh`.

Each kind of source says which entries should exist now; :func:`refresh` upserts them by their
``source`` (unique) and closes the open ones whose document was settled (status done, ``done_by``
empty: nobody closed it by hand). It is idempotent and cheap enough to run whenever the agenda is
listed or shown at login (a few queries per kind; the open items of the parties whose balance is
not zero). The sources:

- ``cheque:<id>``: a cheque or note in the portfolio (received) or issued, due within ``days``;
  collected, deposited, endorsed, bounced or paid → done.
- ``installment:<entry id>``: an installment of a sale on account still open, due within ``days``.
- ``payable:<entry id>``: what the shop owes a supplier (an open item in the supplier's favour),
  due within ``days``.
- ``overdue:<party code>``: a customer with items past their due date (one entry per customer).
- ``coupon:<id>``: a shop-wide coupon (not a member's own) still usable, ending within ``days``.
- ``campaign:<code>``: a promotion or threshold bonus of the loyalty program whose window ends
  within ``days``.
- ``count:<session id>``: a stock count session still open.

An entry whose document changed (amount, due date) gets its new title and due date; one outside
the ``days`` window keeps being updated but is not created early. A done automatic entry comes
back when its source needs attention again and it was closed automatically, or when its facts
changed since someone marked it done. Every automatic entry is assigned to the ``admin`` role
(``AUTO_ROLE``): a cashier's login is never held up by the books, nor a counter's by the count
they are about to do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from peewee import fn

from pos_tui.core import accounts
from pos_tui.core.agenda.entries import DONE, OPEN, TASK, start_of_day
from pos_tui.core.kernel.clock import SHOP_TZ, from_db, shop_day, to_db
from pos_tui.core.kernel.formatting import format_money
from pos_tui.core.kernel.money import from_kurus
from pos_tui.i18n import _
from pos_tui.store import models as m
from pos_tui.store import reading as store
from pos_tui.store import write_tx

DAYS_AHEAD = 7
AUTO_ROLE = "admin"
SOURCE_KINDS = ("cheque", "installment", "payable", "overdue", "coupon", "campaign", "count")


@dataclass(frozen=True, slots=True)
class Wanted:
    """An automatic entry as its source says it should be. ``create``: within the window (else
    only an existing entry is updated)."""

    source: str
    title: str
    due: datetime
    all_day: bool = True
    link_kind: str | None = None
    link_ref: str | None = None
    role: str | None = AUTO_ROLE
    create: bool = True


@dataclass(frozen=True, slots=True)
class RefreshResult:
    added: int
    updated: int
    closed: int
    reopened: int


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


def _money(kurus: int, language: str | None) -> str:
    return format_money(from_kurus(abs(kurus)), language)


def _cheques(today: date, horizon: date, tz: str, language: str | None) -> list[Wanted]:
    C, P = m.Cheque, m.Party
    query = (
        C.select(C.id, C.number, C.instrument, C.direction, C.amount, C.due, C.status, P.code)
        .join(P, on=(C.party == P.id))
        .where(C.status.in_(("portfolio", "issued")))
    )
    found = []
    for cid, number, instrument, direction, amount, due, _status, code in store.rows(query):
        due = due if isinstance(due, date) else date.fromisoformat(str(due))
        values = {"number": number, "party": code, "amount": _money(amount, language)}
        if direction == "issued":
            title = (
                _("Pay note No. {number} to {party}: {amount}")
                if instrument == "note"
                else _("Cheque No. {number} to {party} falls due: {amount}")
            ).format(**values)
        else:
            title = (
                _("Note No. {number} from {party} falls due: {amount}")
                if instrument == "note"
                else _("Cheque No. {number} from {party} falls due: {amount}")
            ).format(**values)
        found.append(
            Wanted(
                f"cheque:{cid}",
                title,
                start_of_day(due, tz),
                link_kind="cheque",
                link_ref=str(number),
                create=due <= horizon,
            )
        )
    return found


def _accounts(today: date, horizon: date, tz: str, language: str | None) -> list[Wanted]:
    """Installments, supplier payments and overdue customers: the open items of every party whose
    balance is not zero (a party at zero has no open items)."""
    E, P = m.AccountEntry, m.Party
    total = fn.SUM(E.amount)
    parties = (
        P.select(P.id, P.code, P.kind).join(E, on=(E.party == P.id)).group_by(P.id, P.code, P.kind).having(total != 0)
    )
    found: list[Wanted] = []
    listed = list(store.rows(parties))
    by_party = accounts.entries_of([party_id for party_id, _code, _kind in listed])
    texts = accounts.document_labels(e.document for batch in by_party.values() for e in batch if e.amount < 0)
    for party_id, code, kind in listed:
        items = accounts.match(by_party.get(party_id, []), tz)
        customer, supplier = kind in ("customer", "both"), kind in ("supplier", "both")
        for item in items:
            values = {"party": code, "amount": _money(item.open, language), "n": item.installment}
            if item.installment is not None and item.open > 0:
                found.append(
                    Wanted(
                        f"installment:{item.entry_id}",
                        _("Installment {n} of {party} falls due: {amount}").format(**values),
                        start_of_day(item.due, tz),
                        link_kind="party",
                        link_ref=code,
                        create=item.due <= horizon,
                    )
                )
            elif supplier and item.open < 0:
                found.append(
                    Wanted(
                        f"payable:{item.entry_id}",
                        _("Pay {party}: {amount}").format(**values)
                        + (f" ({texts.get(item.document, item.document)})" if item.document else ""),
                        start_of_day(item.due, tz),
                        link_kind="party",
                        link_ref=code,
                        create=item.due <= horizon,
                    )
                )
        overdue = accounts.overdue_kurus(items, today)
        if customer and overdue > 0:
            oldest = min(i.due for i in items if i.due < today and i.open > 0)
            found.append(
                Wanted(
                    f"overdue:{code}",
                    _("{party} is overdue: {amount}").format(party=code, amount=_money(overdue, language)),
                    start_of_day(oldest, tz),
                    link_kind="party",
                    link_ref=code,
                )
            )
    return found


def _coupons(today: date, horizon: date, tz: str, language: str | None) -> list[Wanted]:
    C, U = m.Coupon, m.CouponUse
    uses = U.select(U.coupon, fn.COUNT(U.id).alias("n")).group_by(U.coupon)
    used: dict[int, int] = {cid: n for cid, n in store.rows(uses)}
    query = C.select(C.id, C.code, C.valid_to, C.max_uses).where(
        C.active & C.member.is_null(True) & C.valid_to.is_null(False) & (C.valid_to >= today)
    )
    found = []
    for cid, code, valid_to, max_uses in store.rows(query):
        if max_uses is not None and used.get(cid, 0) >= max_uses:
            continue
        day = valid_to if isinstance(valid_to, date) else date.fromisoformat(str(valid_to))
        found.append(
            Wanted(
                f"coupon:{cid}",
                _("Coupon {code} ends on {day}").format(code=code, day=day.strftime("%d.%m.%Y")),
                start_of_day(day, tz),
                create=day <= horizon,
            )
        )
    return found


def _campaigns(today: date, horizon: date, tz: str, language: str | None) -> list[Wanted]:
    from pos_tui.core import loyalty

    program = loyalty.active_program()
    ending: list[tuple[str, str, date]] = []
    for promo in program.promotions:
        if promo.window.valid_to is not None:
            ending.append((promo.code, promo.name, promo.window.valid_to))
    for bonus in program.bonuses:
        if bonus.window.valid_to is not None:
            ending.append((bonus.code, bonus.code, bonus.window.valid_to))
    return [
        Wanted(
            f"campaign:{code}"[:64],
            _("Campaign {name} ends on {day}").format(name=name, day=day.strftime("%d.%m.%Y")),
            start_of_day(day, tz),
            create=day <= horizon,
        )
        for code, name, day in ending
        if day >= today
    ]


def _counts(today: date, horizon: date, tz: str, language: str | None) -> list[Wanted]:
    S = m.CountSession
    query = S.select(S.id, S.name, S.opened_at).where(S.status == "open")
    return [
        Wanted(
            f"count:{sid}",
            _("Stock count {name!r} is open").format(name=name),
            from_db(opened_at),
            all_day=False,
        )
        for sid, name, opened_at in store.rows(query)
    ]


_KINDS = {
    "cheque": _cheques,
    "accounts": _accounts,
    "coupon": _coupons,
    "campaign": _campaigns,
    "count": _counts,
}


def wanted_entries(
    *, now: datetime, tz: str = SHOP_TZ, days: int = DAYS_AHEAD, language: str | None = None
) -> list[Wanted]:
    """What every source says the automatic entries should be now."""
    today = shop_day(now, tz)
    horizon = today + timedelta(days=days)
    found: list[Wanted] = []
    for make in _KINDS.values():
        found.extend(make(today, horizon, tz, language))
    return found


def refresh(*, now: datetime, tz: str = SHOP_TZ, days: int = DAYS_AHEAD, language: str | None = None) -> RefreshResult:
    """Bring the automatic entries in step with the books (idempotent)."""
    wanted = {w.source: w for w in wanted_entries(now=now, tz=tz, days=days, language=language)}
    A = m.AgendaEntry
    added = updated = closed = reopened = 0
    stamp = to_db(now)
    rows: dict[str, Any] = {str(r.source): r for r in A.select().where(A.source.is_null(False) & (A.status == OPEN))}
    missing = [s for s in wanted if s not in rows]
    for start in range(0, len(missing), 500):
        chunk = missing[start : start + 500]
        rows.update({str(r.source): r for r in A.select().where(A.source.in_(chunk))})
    inserts: list[dict[str, Any]] = []
    changes: list[tuple[int, dict[Any, Any]]] = []
    for source, w in wanted.items():
        row = rows.get(source)
        due = to_db(w.due)
        if row is None:
            if w.create:
                inserts.append(
                    {
                        "kind": TASK,
                        "title": w.title[:200],
                        "due_at": due,
                        "all_day": w.all_day,
                        "link_kind": w.link_kind,
                        "link_ref": w.link_ref,
                        "role": w.role,
                        "status": OPEN,
                        "source": source,
                        "created_at": stamp,
                        "updated_at": stamp,
                    }
                )
            continue
        changed = row.title != w.title[:200] or row.due_at != due
        # the facts are the title's numbers (amount, number, date) and the due time: a title
        # written in another language (a till in English, pos-admin in Turkish) is not news
        news = _digits(row.title) != _digits(w.title[:200]) or row.due_at != due
        come_back = row.status == DONE and w.create and (row.done_by_id is None or news)
        if not changed and not come_back:
            continue
        fields: dict[Any, Any] = {A.title: w.title[:200], A.due_at: due, A.updated_at: stamp}
        if come_back:
            fields.update({A.status: OPEN, A.done_at: None, A.done_by: None, A.snoozed_until: None})
            reopened += 1
        else:
            updated += 1
        changes.append((row.id, fields))
    for source, row in rows.items():
        if row.status != OPEN or source in wanted or source.split(":", 1)[0] not in SOURCE_KINDS:
            continue
        changes.append((row.id, {A.status: DONE, A.done_at: stamp, A.done_by: None, A.updated_at: stamp}))
        closed += 1
    if not inserts and not changes:
        return RefreshResult(0, 0, 0, 0)  # the usual case: no write transaction at all
    with write_tx():
        for values in inserts:
            # another terminal may have written it a moment ago: the insert then does nothing
            cursor = A._meta.database.execute(A.insert(**values).on_conflict_ignore())
            added += max(cursor.rowcount, 0)
        for entry_id, fields in changes:
            A.update(fields).where(A.id == entry_id).execute()
    return RefreshResult(added, updated, closed, reopened)

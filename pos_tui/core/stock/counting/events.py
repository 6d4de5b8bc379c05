"""Count events: every scan, typed quantity or weighed label of a count is one inserted row.

This is the counting screen's hot path, as fast as a scan at the till: one short write
transaction per event, touching only the product's own rows (never the whole session), and the
product's new total comes back so the screen paints it at once. Several terminals may count the
same session at the same time: each event is a row of its own, a product's total is the sum of
its events, so nothing is lost and nothing counted twice. The caller gives every event a ``uid``
(a UUID made when the key was pressed): sending the same event again (a retry after a timeout)
returns the first one's result and counts nothing.

**The rule while sales continue.** Selling and receiving go on during a count. A product's
*expected* quantity is frozen at the moment its first count event is recorded: the stock on
hand at the session's location then, read inside the same write transaction as that event
(``count_line.expected``). Its variance is ``counted − expected``. Posting books that variance
as a movement on top of whatever is on hand at posting time, so a sale or receipt between the
product's first count and the posting is neither lost nor counted twice: it moved the stock
after the shelf was counted, and it stays booked. Count a product's whole stock (shelf and
back room of the location) after its first scan without a long pause, as a sale of an item the
counter has not reached yet but whose first unit was already counted would otherwise show as a
shortage. When every entry of a product is undone, its line is dropped, so a
mistaken scan does not freeze the expected quantity early.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from peewee import IntegrityError, fn

from pos_tui import store
from pos_tui.core.catalog import get_product, scan
from pos_tui.core.kernel.actors import Actor, Override, require
from pos_tui.core.kernel.clock import to_db
from pos_tui.core.kernel.errors import NotFound, ValidationError
from pos_tui.core.kernel.formatting import format_quantity
from pos_tui.core.kernel.money import MILLI
from pos_tui.core.kernel.pan import refuse_pan
from pos_tui.core.stock.counting.sessions import in_scope, require_open
from pos_tui.core.stock.ledger import on_hand
from pos_tui.i18n import _
from pos_tui.settings import ScaleLabelMask
from pos_tui.store import fast, write_tx
from pos_tui.store import models as m
from pos_tui.store.fast import select_rendered

MAX_EVENT_QTY = 10**9  # a million units (milli-units): a typing slip, not a count


@dataclass(frozen=True, slots=True)
class EventResult:
    """What one event did: the product's new total in the session (all terminals), and its
    expected quantity unless the session is blind. ``replayed``: the uid was already recorded."""

    event_id: int
    uid: str
    product_id: int
    code: str
    name: str
    unit: str
    qty: int  # milli-units this event added (negative for an undo)
    counted: int  # milli-units, the product's total now
    expected: int | None
    zone: str | None
    replayed: bool = False
    undoes: int | None = None


def new_uid() -> str:
    return uuid.uuid4().hex


def _total_query(session_id: int, product_id: int) -> Any:
    E = m.CountEvent
    return E.select(fn.COALESCE(fn.SUM(E.qty), 0)).where((E.session == session_id) & (E.product == product_id))


def product_total(session_id: int, product_id: int) -> int:
    """Milli-units counted of ``product_id`` in the session (its events' sum)."""
    return int(select_rendered("count_total", _total_query, session_id, product_id)[0][0])


def _product(product_id: int) -> tuple[str, str, str, int | None]:
    row = fast.select_first(m.Product, ("code", "name", "unit", "category"), {"id": product_id})
    if row is None:
        raise NotFound(_("No product with id {id}").format(id=product_id))
    return str(row[0]), str(row[1]), str(row[2]), row[3]


def check_quantity(qty: int, unit: str, name: str) -> None:
    """A counted quantity: not negative (zero says "counted, none there"), whole for a piece
    product, not absurd."""
    if qty < 0:
        raise ValidationError(_("{name}: a counted quantity cannot be negative").format(name=name))
    if unit == "piece" and qty % MILLI:
        raise ValidationError(
            _("{name} is counted in pieces; {qty} is not a whole number").format(name=name, qty=format_quantity(qty))
        )
    if qty > MAX_EVENT_QTY:
        raise ValidationError(_("{name}: {qty} is too many for one entry").format(name=name, qty=format_quantity(qty)))


def _replay(uid: str, session_id: int, blind: bool | None = None) -> EventResult | None:
    row = fast.select_first(m.CountEvent, ("id", "session", "product", "qty", "zone", "undoes"), {"uid": uid})
    if row is None:
        return None
    event_id, session, product_id, qty, zone, undoes = row
    if session != session_id:
        raise ValidationError(_("Entry {uid} belongs to another count").format(uid=uid))
    code, name, unit, _category = _product(product_id)
    if blind is None:
        blind_row = fast.select_first(m.CountSession, ("blind",), {"id": session_id})
        blind = bool(blind_row and blind_row[0])
    expected = None
    if not blind:
        line = fast.select_first(m.CountLine, ("expected",), {"session": session_id, "product": product_id})
        expected = None if line is None else int(line[0])
    return EventResult(
        event_id,
        uid,
        product_id,
        code,
        name,
        unit,
        qty,
        product_total(session_id, product_id),
        expected,
        zone,
        True,
        undoes,
    )


def _clean_zone(zone: str | None) -> str | None:
    zone = (zone or "").strip()
    if len(zone) > 32:
        raise ValidationError(_("A zone name must have at most 32 characters"))
    refuse_pan(zone)
    return zone or None


def record_event(
    session_id: int,
    product_id: int,
    qty: int,
    *,
    uid: str,
    actor: Actor,
    now: datetime,
    terminal: str,
    zone: str | None = None,
    override: Override | None = None,
) -> EventResult:
    """Count ``qty`` milli-units of ``product_id`` (permission ``count``) in open session
    ``session_id``. The first event of a product freezes its expected quantity (the module's
    rule). A ``uid`` already recorded returns that event, counting nothing."""
    require(actor, "count", override)
    zone = _clean_zone(zone)
    uid = uid.strip()
    if not uid or len(uid) > 64:
        raise ValidationError(_("An entry id must have 1 to 64 characters"))
    for attempt in (1, 2):
        try:
            return _record(session_id, product_id, qty, uid, actor, now, terminal, zone)
        except IntegrityError:
            # another terminal wrote the same uid (a retry racing its original) or the same first
            # line at the same moment (PostgreSQL): the transaction rolled back; look again
            found = _replay(uid, session_id)
            if found is not None:
                return found
            if attempt == 2:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _record(
    session_id: int,
    product_id: int,
    qty: int,
    uid: str,
    actor: Actor,
    now: datetime,
    terminal: str,
    zone: str | None,
) -> EventResult:
    at = to_db(now)
    with write_tx():
        found = _replay(uid, session_id)  # a retry answers even when the count closed meanwhile
        if found is not None:
            return found
        loc, blind, scope = require_open(session_id)
        code, name, unit, category = _product(product_id)
        if not in_scope(scope, product_id, category):
            raise ValidationError(_("{code} {name} is not in this count's scope").format(code=code, name=name))
        check_quantity(qty, unit, name)
        line = fast.select_first(m.CountLine, ("expected",), {"session": session_id, "product": product_id})
        if line is None:
            expected = on_hand(product_id, loc)
            fast.insert_many(
                m.CountLine, ("session", "product", "expected", "at"), [(session_id, product_id, expected, at)]
            )
        else:
            expected = int(line[0])
        event_id = fast.insert_one(
            m.CountEvent,
            {
                "uid": uid,
                "session": session_id,
                "product": product_id,
                "qty": qty,
                "zone": zone,
                "user": actor.user_id,
                "terminal": terminal,
                "at": at,
            },
        )
        total = product_total(session_id, product_id)
    return EventResult(event_id, uid, product_id, code, name, unit, qty, total, None if blind else expected, zone)


def resolve(code: str, masks: Sequence[ScaleLabelMask]) -> tuple[int, int | None]:
    """(product id, quantity a scale label carries or None) for a scanned or typed code:
    a barcode or product code (active or not: a product off sale may still be on the shelf),
    else a scale label."""
    text = code.strip()
    if not text:
        raise ValidationError(_("Nothing was scanned"))
    try:
        return get_product(text).id, None
    except NotFound:
        found = scan(text, masks)
        return found.product.id, found.qty_milli


def record_scan(
    session_id: int,
    code: str,
    *,
    uid: str,
    actor: Actor,
    now: datetime,
    terminal: str,
    masks: Sequence[ScaleLabelMask] = (),
    qty: int | None = None,
    zone: str | None = None,
    override: Override | None = None,
) -> EventResult:
    """A scan (or a typed code): one unit, or the weight a scale label carries; ``qty``
    (milli-units, the screen's ``5*`` or a typed quantity) replaces one unit, or multiplies a
    label's weight as a count of labels (``3*`` then a label: three such packs)."""
    require(actor, "count", override)
    product_id, label_qty = resolve(code, masks)
    if label_qty is None:
        amount = MILLI if qty is None else qty
    elif qty is None:
        amount = label_qty
    else:
        if qty % MILLI:
            raise ValidationError(_("A scale label can be multiplied only by a whole number"))
        amount = label_qty * (qty // MILLI)
    return record_event(
        session_id, product_id, amount, uid=uid, actor=actor, now=now, terminal=terminal, zone=zone, override=override
    )


def _last_open_event(session_id: int, user_id: int) -> int | None:
    E = m.CountEvent
    U = E.alias()
    undone = U.select(U.id).where(U.undoes == E.id)
    query = (
        E.select(E.id)
        .where((E.session == session_id) & (E.user == user_id) & E.undoes.is_null() & ~fn.EXISTS(undone))
        .order_by(E.id.desc())
        .limit(1)
    )
    rows = list(store.rows(query))
    return None if not rows else int(rows[0][0])


def undo_event(
    session_id: int,
    *,
    uid: str,
    actor: Actor,
    now: datetime,
    terminal: str,
    event_id: int | None = None,
    override: Override | None = None,
) -> EventResult:
    """Undo an entry by a new event of the opposite quantity (``undoes`` it, so never twice).
    Without ``event_id``: the actor's own last entry not undone yet (permission ``count``);
    any other entry needs ``count_manage``. When every entry of the product is undone its line
    is dropped: it is uncounted again, and its next scan freezes a fresh expected quantity."""
    require(actor, "count", override)
    at = to_db(now)
    try:
        with write_tx():
            _loc, blind, _scope = require_open(session_id)
            found = _replay(uid, session_id, blind)
            if found is not None:
                return found
            own_last = _last_open_event(session_id, actor.user_id)
            target = own_last if event_id is None else event_id
            if target is None:
                raise ValidationError(_("You have no entry left to undo in this count"))
            row = fast.select_first(m.CountEvent, ("session", "product", "qty", "user", "undoes"), {"id": target})
            if row is None or row[0] != session_id:
                raise NotFound(_("No entry {id} in this count").format(id=target))
            _session, product_id, qty, user_id, undoes = row
            if undoes is not None:
                raise ValidationError(_("Entry {id} is itself an undo").format(id=target))
            if fast.select_first(m.CountEvent, ("id",), {"undoes": target}) is not None:
                raise ValidationError(_("Entry {id} is already undone").format(id=target))
            if target != own_last or user_id != actor.user_id:
                require(actor, "count_manage", override)
            undo_id = fast.insert_one(
                m.CountEvent,
                {
                    "uid": uid,
                    "session": session_id,
                    "product": product_id,
                    "qty": -qty,
                    "zone": None,
                    "user": actor.user_id,
                    "terminal": terminal,
                    "at": at,
                    "undoes": target,
                },
            )
            total = product_total(session_id, product_id)
            expected = None
            if not _live_events(session_id, product_id):
                fast.delete_where(m.CountLine, {"session": session_id, "product": product_id})
            elif not blind:
                line = fast.select_first(m.CountLine, ("expected",), {"session": session_id, "product": product_id})
                expected = None if line is None else int(line[0])
            code, name, unit, _category = _product(product_id)
    except IntegrityError:
        found = _replay(uid, session_id)
        if found is None:
            raise ValidationError(_("Entry {id} is already undone").format(id=event_id)) from None
        return found
    return EventResult(undo_id, uid, product_id, code, name, unit, -qty, total, expected, None, False, target)


def _live_query(session_id: int, product_id: int) -> Any:
    E = m.CountEvent
    U = E.alias()
    undone = U.select(U.id).where(U.undoes == E.id)
    return E.select(fn.COUNT(E.id)).where(
        (E.session == session_id) & (E.product == product_id) & E.undoes.is_null() & ~fn.EXISTS(undone)
    )


def _live_events(session_id: int, product_id: int) -> int:
    """How many of the product's entries in the session are neither undos nor undone."""
    return int(store.rows(_live_query(session_id, product_id)).__next__()[0])


def session_totals(session_id: int) -> dict[int, int]:
    """Milli-units counted per product id so far (all terminals), for a screen joining a session."""
    E = m.CountEvent
    query = E.select(E.product, fn.SUM(E.qty)).where(E.session == session_id).group_by(E.product)
    return {int(pid): int(total) for pid, total in store.rows(query)}


@dataclass(frozen=True, slots=True)
class CountedLine:
    """A product's line on the counting screen."""

    product_id: int
    code: str
    name: str
    unit: str
    counted: int
    expected: int | None


def counted_lines(session_id: int, *, blind: bool, limit: int | None = 200) -> list[CountedLine]:
    """The products counted so far, the most recently counted first (for a screen joining a
    session); ``expected`` only when the session is not blind."""
    E, P, L = m.CountEvent, m.Product, m.CountLine
    query = (
        E.select(E.product, P.code, P.name, P.unit, fn.SUM(E.qty), fn.MAX(E.id), L.expected)
        .join(P, on=(E.product == P.id))
        .join(L, on=((L.session == E.session) & (L.product == E.product)))
        .where(E.session == session_id)
        .group_by(E.product, P.code, P.name, P.unit, L.expected)
        .order_by(fn.MAX(E.id).desc())
    )
    if limit is not None:
        query = query.limit(limit)
    return [
        CountedLine(pid, code, name, unit, int(total), None if blind else int(expected))
        for pid, code, name, unit, total, _last, expected in store.rows(query)
    ]

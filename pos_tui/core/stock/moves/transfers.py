"""Transfers between stock locations: sent, then received, with the difference booked.

**Sending** writes a ``transfer_out`` document (numbered per kind: the transfer's number) whose
lines are the products and quantities sent; each line moves the goods out of the source
(``transfer_out``) and into the in-transit location ``YOLDA`` (``transfer_in``, see
:mod:`~pos_tui.core.stock.moves.places`). **Receiving** writes a ``transfer_in`` document that
``refers_to`` the sending; per line the received quantity moves out of ``YOLDA`` and into the
destination. A line received short leaves an ``adjust`` movement at ``YOLDA`` taking the missing
quantity out (reason ``loss`` unless the receiver names another: ``damage``, ``waste``…); a line
received over brings the extra in at ``YOLDA`` first (reason ``correction``). Either way ``YOLDA``
is back to what it held before the sending, for every product of the transfer. Transfer movements
carry no value; the difference movements are valued at the average cost like any adjustment.

A transfer is received once: the sending's row is locked and the receipt is looked for in the
same transaction. Both steps need the ``stock_adjust`` permission. Duplicate products in a
sending are added together into one line.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from pos_tui import store
from pos_tui.core.kernel.actors import Actor, Override, require
from pos_tui.core.kernel.clock import from_db
from pos_tui.core.kernel.errors import ImportRejected, NotFound, RowError, StateError, ValidationError
from pos_tui.core.kernel.formats import JsonRefused, header_key, load_json
from pos_tui.core.kernel.money import parse_quantity
from pos_tui.core.kernel.vocabulary import field_label
from pos_tui.core.stock import ledger, locations
from pos_tui.core.stock.ledger import ADJUST, TRANSFER_IN, TRANSFER_OUT, DraftLine, Movement, StockDraft
from pos_tui.core.stock.moves.common import (
    PERMISSION,
    ProductRef,
    check_quantity,
    clean_note,
    find_product,
    override_data,
    parse_reason,
    product_by_id,
    record,
)
from pos_tui.core.stock.moves.places import TRANSIT_CODE, is_transit, transit_location_id
from pos_tui.i18n import _
from pos_tui.store import fast, write_tx
from pos_tui.store import models as m

SENT = "transfer_out"
RECEIVED = "transfer_in"
SHORT_REASONS = ("loss", "damage", "waste", "correction")
MAX_LINES = 10_000


@dataclass(frozen=True, slots=True)
class TransferLine:
    """A line of a transfer: ``sent``, and ``received`` once received (None before)."""

    code: str
    name: str
    unit: str
    sent: int  # milli-units
    received: int | None = None

    @property
    def difference(self) -> int | None:
        """received - sent (negative: short), None while on the way."""
        return None if self.received is None else self.received - self.sent


@dataclass(frozen=True, slots=True)
class Transfer:
    """A transfer as a person sees it: its number (the sending's), where from and to, when."""

    id: int  # the sending's document id
    number: int
    source: str
    destination: str
    sent_at: datetime
    sent_by: str
    note: str | None
    lines: tuple[TransferLine, ...]
    received_at: datetime | None = None
    received_by: str | None = None
    received_number: int | None = None
    received_note: str | None = None
    short_reason: str | None = None

    @property
    def open(self) -> bool:
        return self.received_at is None


def _location(code: str) -> int:
    if is_transit(code):
        raise ValidationError(
            _("{code} holds the goods on their way; send from and to a real location").format(code=TRANSIT_CODE)
        )
    return locations.location_id(code)


def _merge(lines: Sequence[tuple[str, int]]) -> list[tuple[ProductRef, int]]:
    """Look every product up and check its quantity; a product named twice is one line."""
    if not lines:
        raise ValidationError(_("A transfer needs at least one line"))
    if len(lines) > MAX_LINES:
        raise ValidationError(_("A transfer may have at most {n} lines").format(n=MAX_LINES))
    merged: dict[int, tuple[ProductRef, int]] = {}
    problems: list[str] = []
    for n, (code, qty) in enumerate(lines, start=1):
        try:
            ref = find_product(code)
            check_quantity(ref, qty, allow_negative=False)
        except (NotFound, ValidationError) as exc:  # every bad line is named, not just the first
            problems.append(_("line {n}: {problem}").format(n=n, problem=exc.message))
            continue
        before = merged.get(ref.id)
        merged[ref.id] = (ref, qty + (before[1] if before else 0))
    if problems:
        raise ValidationError("\n".join(problems))
    return list(merged.values())


def send_transfer(
    source: str,
    destination: str,
    lines: Sequence[tuple[str, int]],
    *,
    actor: Actor,
    terminal: str,
    now: datetime,
    note: str | None = None,
    override: Override | None = None,
) -> Transfer:
    """Send ``lines`` (product code or barcode, milli-units > 0) from ``source`` to
    ``destination``: out of the source, into ``YOLDA``. All or nothing."""
    used = require(actor, PERMISSION, override)
    src = _location(source)
    dst = _location(destination)
    if src == dst:
        raise ValidationError(_("A transfer goes between two different locations"))
    note = clean_note(note)
    merged = _merge(lines)
    with write_tx():
        transit = transit_location_id(terminal=terminal, now=now, user=actor.name)
        assert transit is not None
        movements: list[Movement] = []
        for ref, qty in merged:
            movements.append(Movement(ref.id, src, -qty, TRANSFER_OUT))
            movements.append(Movement(ref.id, transit, qty, TRANSFER_IN))
        posted = ledger.write_stock_document(
            StockDraft(
                kind=SENT,
                at=now,
                now=now,
                terminal=terminal,
                user_id=actor.user_id,
                location_id=src,
                other_location_id=dst,
                lines=[DraftLine(ref.id, qty) for ref, qty in merged],
                movements=movements,
                note=note,
                data={"transit": TRANSIT_CODE, **override_data(actor, used)},
            )
        )
        record(
            actor, used, "stock_transfer", terminal=terminal, now=now, details={"document": posted.id, "step": "send"}
        )
    return get_transfer(posted.number)


def receive_transfer(
    number: int,
    received: Mapping[str, int] | None = None,
    *,
    actor: Actor,
    terminal: str,
    now: datetime,
    reason: str | None = None,
    note: str | None = None,
    override: Override | None = None,
) -> Transfer:
    """Receive transfer ``number`` at its destination. ``received`` maps a product (code or
    barcode) to the milli-units that arrived (0 allowed: nothing came); products not named
    arrived as sent. ``reason`` is the reason booked for lines that came short (default
    ``loss``); lines that came over are a ``correction``. A transfer is received once."""
    used = require(actor, PERMISSION, override)
    short_reason = "loss" if reason is None or not reason.strip() else parse_reason(reason, SHORT_REASONS)
    note = clean_note(note)
    D, L = m.StockDocument, m.StockDocumentLine
    with write_tx():
        head = fast.select_first(
            D, ("id", "location", "other_location"), {"kind": SENT, "number": number}, for_update=True
        )
        if head is None:
            raise NotFound(_("No transfer number {number}").format(number=number))
        send_id, src, dst = int(head[0]), int(head[1]), int(head[2])
        done = fast.select_first(D, ("number", "at"), {"kind": RECEIVED, "refers_to": send_id})
        if done is not None:
            raise StateError(
                _("Transfer {number} was already received (document {received})").format(
                    number=number, received=done[0]
                )
            )
        sent_lines = [
            (int(line_id), product_by_id(int(pid)), int(qty))
            for line_id, pid, qty in store.rows(
                L.select(L.id, L.product, L.qty).where(L.document == send_id).order_by(L.line_no)
            )
        ]
        wanted = _received_quantities(number, sent_lines, received or {})
        transit = transit_location_id(terminal=terminal, now=now, user=actor.name, create=False)
        if transit is None:  # pragma: no cover - a sending made it
            raise StateError(_("The in-transit location {code} is missing").format(code=TRANSIT_CODE))
        movements: list[Movement] = []
        draft_lines: list[DraftLine] = []
        summary: list[dict[str, Any]] = []
        for line_id, ref, sent in sent_lines:
            got = wanted[ref.id]
            if got > sent:
                movements.append(Movement(ref.id, transit, got - sent, ADJUST, reason="correction"))
            if got:
                movements.append(Movement(ref.id, transit, -got, TRANSFER_OUT))
                movements.append(Movement(ref.id, dst, got, TRANSFER_IN))
                draft_lines.append(DraftLine(ref.id, got, refers_to=line_id))
            if got < sent:
                movements.append(Movement(ref.id, transit, got - sent, ADJUST, reason=short_reason))
            summary.append({"code": ref.code, "sent": sent, "received": got})
        posted = ledger.write_stock_document(
            StockDraft(
                kind=RECEIVED,
                at=now,
                now=now,
                terminal=terminal,
                user_id=actor.user_id,
                location_id=dst,
                other_location_id=src,
                lines=draft_lines,
                movements=movements,
                refers_to=send_id,
                reason=short_reason if any(s["received"] < s["sent"] for s in summary) else None,
                note=note,
                data={"transfer": number, "lines": summary, "short_reason": short_reason, **override_data(actor, used)},
            )
        )
        record(
            actor,
            used,
            "stock_transfer",
            terminal=terminal,
            now=now,
            details={"document": posted.id, "step": "receive", "transfer": number},
        )
    return get_transfer(number)


def _received_quantities(
    number: int, sent_lines: Sequence[tuple[int, ProductRef, int]], received: Mapping[str, int]
) -> dict[int, int]:
    """Product id → milli-units received: as sent unless ``received`` says otherwise."""
    wanted = {ref.id: sent for _line, ref, sent in sent_lines}
    on_transfer = {ref.id for _line, ref, _sent in sent_lines}
    for code, qty in received.items():
        ref = find_product(code)
        if ref.id not in on_transfer:
            raise ValidationError(
                _("{code} ({name}) is not on transfer {number}").format(code=ref.code, name=ref.name, number=number)
            )
        if qty < 0:
            raise ValidationError(
                _("{code} ({name}): a received quantity cannot be negative").format(code=ref.code, name=ref.name)
            )
        if qty:
            check_quantity(ref, qty, allow_negative=False)
        wanted[ref.id] = qty
    return wanted


# -- reading ----------------------------------------------------------------------------------


def _codes() -> dict[int, str]:
    Loc = m.StockLocation
    return dict(store.rows(Loc.select(Loc.id, Loc.code)))


def _transfers(where: Any) -> list[Transfer]:
    D, L, U = m.StockDocument, m.StockDocumentLine, m.User
    codes = _codes()
    users = dict(store.rows(U.select(U.id, U.name)))
    heads = list(
        store.rows(
            D.select(D.id, D.number, D.location, D.other_location, D.at, D.user, D.note)
            .where((D.kind == SENT) & where)
            .order_by(D.number)
        )
    )
    if not heads:
        return []
    ids = [h[0] for h in heads]
    receipts: dict[int, tuple[Any, ...]] = {}
    for chunk in range(0, len(ids), 500):
        part = ids[chunk : chunk + 500]
        for row in store.rows(
            D.select(D.refers_to, D.id, D.number, D.at, D.user, D.note, D.data).where(
                (D.kind == RECEIVED) & D.refers_to.in_(part)
            )
        ):
            receipts[row[0]] = row[1:]
    lines: dict[int, list[tuple[int, int, int]]] = {}  # document id -> (line id, product, qty)
    got: dict[int, int] = {}  # sent line id -> qty received
    all_ids = ids + [r[0] for r in receipts.values()]
    for chunk in range(0, len(all_ids), 500):
        part = all_ids[chunk : chunk + 500]
        for line_id, doc, pid, qty, ref in store.rows(
            L.select(L.id, L.document, L.product, L.qty, L.refers_to).where(L.document.in_(part)).order_by(L.line_no)
        ):
            if ref is not None:
                got[ref] = qty
            else:
                lines.setdefault(doc, []).append((line_id, pid, qty))
    products: dict[int, ProductRef] = {}

    def product(pid: int) -> ProductRef:
        if pid not in products:
            products[pid] = product_by_id(pid)
        return products[pid]

    found: list[Transfer] = []
    for doc_id, number, src, dst, at, user, note in heads:
        receipt = receipts.get(doc_id)
        transfer_lines = tuple(
            TransferLine(
                product(pid).code,
                product(pid).name,
                product(pid).unit,
                qty,
                None if receipt is None else got.get(line_id, 0),
            )
            for line_id, pid, qty in lines.get(doc_id, [])
        )
        extra: dict[str, Any] = {}
        if receipt is not None:
            _rid, rnumber, rat, ruser, rnote, rdata = receipt
            extra = {
                "received_at": from_db(rat),
                "received_by": users.get(ruser),
                "received_number": rnumber,
                "received_note": rnote,
                "short_reason": json.loads(rdata).get("short_reason"),
            }
        found.append(
            Transfer(
                id=doc_id,
                number=number,
                source=codes[src],
                destination=codes[dst],
                sent_at=from_db(at),
                sent_by=users.get(user, ""),
                note=note,
                lines=transfer_lines,
                **extra,
            )
        )
    return found


def get_transfer(number: int) -> Transfer:
    """Transfer ``number`` (the sending's number), received or not."""
    found = _transfers(m.StockDocument.number == number)
    if not found:
        raise NotFound(_("No transfer number {number}").format(number=number))
    return found[0]


def list_transfers(*, open_only: bool = False) -> list[Transfer]:
    """Every transfer by number; ``open_only``: those sent and not yet received."""
    found = _transfers(m.StockDocument.id.is_null(False))
    return [t for t in found if t.open] if open_only else found


# -- files --------------------------------------------------------------------------------------


def read_lines_file(path: Path) -> list[tuple[str, int]]:
    """The lines of a transfer file: CSV (``;`` or ``,``) or JSON (an array of objects) with a
    ``code`` or ``barcode`` column and ``qty`` (decimal comma or dot). All or nothing: every bad
    row is named (:class:`ImportRejected`)."""
    source = path.name
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise NotFound(_("{file}: no such file").format(file=str(path))) from None
    except UnicodeDecodeError:
        raise ValidationError(_("{file}: not a UTF-8 text file").format(file=source)) from None
    except OSError as exc:
        raise ValidationError(_("{file}: cannot be read: {why}").format(file=source, why=exc.strerror)) from None
    records: list[tuple[int, dict[str, Any]]]
    if path.suffix.lower() == ".json":
        try:
            data = load_json(text)
        except JsonRefused as exc:
            raise ImportRejected(source, [RowError(exc.line, "-", exc.reason)]) from None
        if not isinstance(data, list):
            raise ImportRejected(source, [RowError(1, "-", _("a JSON file must hold an array of lines"))])
        records = []
        for i, item in enumerate(data, start=1):
            if not isinstance(item, dict):
                raise ImportRejected(source, [RowError(i, "-", _("each line must be an object"))])
            records.append((i, {header_key(str(k)): v for k, v in item.items()}))
    else:
        if not text.strip():
            raise ImportRejected.empty(source)
        first = text.splitlines()[0]
        delimiter = ";" if first.count(";") >= first.count(",") and ";" in first else ","
        reader = csv.reader(io.StringIO(text), delimiter=delimiter)
        rows = list(reader)
        header = [header_key(h) for h in rows[0]]
        records = [
            (n, dict(zip(header, row, strict=False)))
            for n, row in enumerate(rows[1:], start=2)
            if any(c.strip() for c in row)
        ]
    if not records:
        raise ImportRejected.empty(source)
    errors: list[RowError] = []
    lines: list[tuple[str, int]] = []
    code_field, qty_field = field_label("code"), _("quantity")
    for n, fields in records:
        code = str(fields.get("barcode") or fields.get("code") or "").strip()
        raw = fields.get("qty")
        if not code:
            errors.append(RowError(n, code_field, _("a code or barcode is needed")))
        if raw is None or str(raw).strip() == "":
            errors.append(RowError(n, qty_field, _("a quantity is needed")))
        if not code or raw is None or str(raw).strip() == "":
            continue
        try:
            ref = find_product(code)
        except (ValidationError, NotFound) as exc:
            errors.append(RowError(n, code_field, exc.message))
            continue
        try:
            qty = parse_quantity(str(raw), qty_field)
            check_quantity(ref, qty, allow_negative=False)
        except ValidationError as exc:
            errors.append(RowError(n, qty_field, exc.message))
            continue
        lines.append((code, qty))
    if errors:
        raise ImportRejected(source, errors)
    return lines

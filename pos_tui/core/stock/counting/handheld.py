"""Files from handheld terminals: ``barcode;qty``, ``barcode,qty`` or ``barcode<TAB>qty`` lines.

A line is split at its first ``;``, else its first tab, else its first ``,`` (so ``123,1,5`` is
barcode ``123`` and one and a half). The quantity may use a decimal comma or dot; a barcode alone
means one. A first line whose first field has no digit (``barcode;qty``, ``Barkod;Miktar``) is a
header. Blank lines are skipped.

The import is all or nothing: an unknown barcode, a fractional quantity of a piece product, a
negative quantity or a malformed number rejects the whole file, naming every bad line. The
events it records carry a uid made of the file's digest and the line number, so importing the
very same file again counts nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from pos_tui.core.kernel.actors import Actor, Override, require
from pos_tui.core.kernel.errors import ImportRejected, NotFound, PosError, RowError, ValidationError
from pos_tui.core.kernel.formatting import format_quantity
from pos_tui.core.kernel.money import MILLI, parse_quantity, shown_text
from pos_tui.core.stock.counting.events import MAX_EVENT_QTY, _clean_zone, _record, resolve
from pos_tui.core.stock.counting.sessions import in_scope, require_open
from pos_tui.i18n import _
from pos_tui.settings import ScaleLabelMask
from pos_tui.store import fast, write_tx
from pos_tui.store import models as m

BARCODE = "barcode"
QTY = "qty"


@dataclass(frozen=True, slots=True)
class HandheldLine:
    """A parsed line: its number in the file (1-based), the code and the quantity (milli-units)."""

    line: int
    code: str
    qty: int


def _split(text: str) -> tuple[str, str | None]:
    for sep in (";", "\t", ","):
        if sep in text:
            code, qty = text.split(sep, 1)
            return code.strip(), qty.strip()
    return text.strip(), None


def parse_handheld(text: str) -> tuple[list[HandheldLine], list[RowError]]:
    """The lines of a handheld file and the problems of its shape (catalogue aside)."""
    lines: list[HandheldLine] = []
    errors: list[RowError] = []
    first = True
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        code, qty_text = _split(raw.lstrip("\ufeff"))
        if first:
            first = False
            if not any(ch.isdigit() for ch in code):
                continue  # a header
        if not code:
            errors.append(RowError(number, BARCODE, _("the barcode is missing")))
            continue
        if qty_text is None or qty_text == "":
            lines.append(HandheldLine(number, code, MILLI))
            continue
        try:
            qty = parse_quantity(qty_text, _("quantity"))
        except ValidationError:
            errors.append(RowError(number, QTY, _("{text!r} is not a quantity").format(text=shown_text(qty_text))))
            continue
        if qty < 0:
            errors.append(RowError(number, QTY, _("a negative quantity ({text})").format(text=qty_text)))
            continue
        if qty > MAX_EVENT_QTY:
            errors.append(RowError(number, QTY, _("{text} is too many for one line").format(text=qty_text)))
            continue
        lines.append(HandheldLine(number, code, qty))
    return lines, errors


@dataclass(frozen=True, slots=True)
class ImportResult:
    session_id: int
    lines: int  # lines recorded now
    already: int  # lines this very file had recorded before
    products: int
    qty: int  # milli-units recorded now


def import_handheld(
    session_id: int,
    data: bytes,
    *,
    source: str,
    actor: Actor,
    now: datetime,
    terminal: str,
    masks: Sequence[ScaleLabelMask] = (),
    zone: str | None = None,
    override: Override | None = None,
) -> ImportResult:
    """Record a handheld file's lines as count events (permission ``count``), all or nothing."""
    require(actor, "count", override)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1254")  # Windows Turkish, what older handheld software writes
        except UnicodeDecodeError:  # pragma: no cover - cp1254 maps almost every byte
            raise ValidationError(_("{source}: the file is not text").format(source=source)) from None
    zone = _clean_zone(zone)
    lines, errors = parse_handheld(text)
    if not lines and not errors:
        raise ImportRejected.empty(source)
    digest = hashlib.sha256(data).hexdigest()[:24]
    resolved: list[tuple[HandheldLine, int, int]] = []
    with write_tx():
        _loc, _blind, scope = require_open(session_id)
        for ln in lines:
            try:
                product_id, label_qty = resolve(ln.code, masks)
            except NotFound:
                errors.append(
                    RowError(ln.line, BARCODE, _("no product with barcode or code {code}").format(code=ln.code))
                )
                continue
            except PosError as exc:
                errors.append(RowError(ln.line, BARCODE, exc.message))
                continue
            row = fast.select_first(m.Product, ("unit", "category", "name"), {"id": product_id})
            assert row is not None
            unit, category, name = row
            qty = ln.qty if label_qty is None else label_qty * max(ln.qty // MILLI, 1)
            if unit == "piece" and qty % MILLI:
                errors.append(
                    RowError(
                        ln.line,
                        QTY,
                        _("{name} is counted in pieces; {qty} is not a whole number").format(
                            name=name, qty=format_quantity(qty)
                        ),
                    )
                )
                continue
            if not in_scope(scope, product_id, category):
                errors.append(RowError(ln.line, BARCODE, _("{name} is not in this count's scope").format(name=name)))
                continue
            resolved.append((ln, product_id, qty))
        if errors:
            errors.sort(key=lambda e: e.line)
            raise ImportRejected(source, errors)
        recorded = already = total = 0
        products: set[int] = set()
        for ln, product_id, qty in resolved:
            result = _record(session_id, product_id, qty, f"file:{digest}:{ln.line}", actor, now, terminal, zone)
            products.add(product_id)
            if result.replayed:
                already += 1
            else:
                recorded += 1
                total += qty
    return ImportResult(session_id, recorded, already, len(products), total)

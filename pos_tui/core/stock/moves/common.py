"""What adjustments and transfers share: finding a product, checking a quantity, the reasons
(and the Turkish words a shop types for them), recording a supervisor's override."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pos_tui.core.kernel import MILLI
from pos_tui.core.kernel.actors import Actor, Override
from pos_tui.core.kernel.errors import NotFound, ValidationError
from pos_tui.core.kernel.formatting import format_quantity
from pos_tui.core.kernel.pan import refuse_pan
from pos_tui.core.kernel.vocabulary import reason_label
from pos_tui.core.stock.ledger import REASONS
from pos_tui.i18n import _
from pos_tui.store import fast
from pos_tui.store import models as m
from pos_tui.text import fold

PERMISSION = "stock_adjust"
MAX_NOTE = 500

# Reasons a person may give for an adjustment on the command line or in a file: the stored code,
# or the shop's Turkish word (accents and case do not matter: "Kayıp", "kayip", "KAYIP").
REASON_WORDS: dict[str, str] = {
    "waste": "waste",
    "fire": "waste",
    "damage": "damage",
    "zayi": "damage",
    "hasar": "damage",
    "loss": "loss",
    "kayip": "loss",
    "internal": "internal",
    "ic-kullanim": "internal",
    "ic_kullanim": "internal",
    "ic kullanim": "internal",
    "correction": "correction",
    "duzeltme": "correction",
    "opening": "opening",
    "acilis": "opening",
}


def clean_note(note: str | None) -> str | None:
    """An adjustment's or a transfer's note: trimmed, None when empty, at most :data:`MAX_NOTE`,
    never a card number."""
    if note is None or not note.strip():
        return None
    note = note.strip()
    if len(note) > MAX_NOTE:
        raise ValidationError(_("A note may have at most {n} characters").format(n=MAX_NOTE))
    refuse_pan(note)
    return note


def parse_reason(text: str, allowed: tuple[str, ...] = REASONS) -> str:
    """The reason code for ``text`` (a code or a Turkish word); a clear error otherwise."""
    code = REASON_WORDS.get(fold(text.strip()))
    if code is None or code not in allowed:
        choices = ", ".join(f"{c} ({reason_label(c)})" for c in allowed)
        raise ValidationError(
            _("Unknown adjustment reason {reason!r}; use one of: {choices}").format(reason=text, choices=choices)
        )
    return code


@dataclass(frozen=True, slots=True)
class ProductRef:
    """A product as the moves need it."""

    id: int
    code: str
    name: str
    unit: str


def find_product(code_or_barcode: str) -> ProductRef:
    """A product by barcode or code (active or not: the stock of a delisted product still moves)."""
    from pos_tui.core import catalog

    text = code_or_barcode.strip()
    if not text:
        raise ValidationError(_("Scan or type a product's barcode or code"))
    info = catalog.get_product(text)
    return ProductRef(info.id, info.code, info.name, info.unit)


def product_by_id(product_id: int) -> ProductRef:
    found = fast.select_first(m.Product, ("id", "code", "name", "unit"), {"id": product_id})
    if found is None:
        raise NotFound(_("No product with id {id}").format(id=product_id))
    return ProductRef(int(found[0]), found[1], found[2], found[3])


def check_quantity(product: ProductRef, qty: int, *, allow_negative: bool) -> None:
    """A quantity of milli-units must be non-zero (positive unless ``allow_negative``) and whole
    for a product sold by the piece."""
    if qty == 0:
        raise ValidationError(
            _("{code} ({name}): the quantity cannot be 0").format(code=product.code, name=product.name)
        )
    if qty < 0 and not allow_negative:
        raise ValidationError(
            _("{code} ({name}): the quantity must be above 0").format(code=product.code, name=product.name)
        )
    if product.unit == "piece" and qty % MILLI:
        raise ValidationError(
            _("{code} ({name}) is counted in pieces: {qty} is not a whole number").format(
                code=product.code, name=product.name, qty=format_quantity(abs(qty))
            )
        )


def override_data(actor: Actor, used: Override | None) -> dict[str, Any]:
    """The override part of a document's ``data`` (empty when the actor had the permission)."""
    if used is None:
        return {}
    return {"override": {"cashier": actor.name, "supervisor": used.supervisor.name, "reason": used.reason}}


def record(actor: Actor, used: Override | None, action: str, *, terminal: str, now: datetime, details: Any) -> None:
    """Journal the supervisor's override (kind ``override``), inside the caller's transaction."""
    if used is not None:
        from pos_tui.core.staff import record_override

        record_override(actor, used, action, terminal=terminal, now=now, details=details)


@dataclass(frozen=True, slots=True)
class ProductStock:
    """A product with its stock at one location (where an adjustment will be booked)."""

    product: ProductRef
    location: str
    on_hand: int  # milli-units at the location
    on_hand_total: int  # milli-units, all locations


def product_stock(code_or_barcode: str, *, terminal: str | None = None, location: str | None = None) -> ProductStock:
    """``code_or_barcode``'s stock at ``location`` (default: ``terminal``'s location): a quick read
    for a screen that asks "how many are there now?" before an adjustment."""
    from pos_tui.core.stock import ledger, locations

    ref = find_product(code_or_barcode)
    loc = locations.location_id(location, terminal)
    row = fast.select_first(m.StockLocation, ("code",), {"id": loc})
    assert row is not None
    return ProductStock(ref, row[0], ledger.on_hand(ref.id, loc), ledger.on_hand(ref.id))

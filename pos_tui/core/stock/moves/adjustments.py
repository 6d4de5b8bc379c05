"""Stock adjustments: goods written off (fire: waste, zayi: damage, kayıp: loss, iç kullanım:
internal use), a correction, or the opening stock.

An adjustment is a stock document of kind ``adjustment`` with one line and one ``adjust``
movement carrying its reason, written by :func:`~pos_tui.core.stock.ledger.write_stock_document`
(journalled as ``stock_adjustment``). Goods going out leave at the average cost; goods coming in
come in at the average cost too (stock found is worth what the stock on hand is worth), except
an *opening* stock, which may carry its unit cost (excluding KDV): then it is new money and sets
the average cost like a goods receipt. Needs the ``stock_adjust`` permission (a supervisor's
override is journalled with the document, in its transaction).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from pos_tui.core.kernel import costing
from pos_tui.core.kernel.actors import Actor, Override, require
from pos_tui.core.kernel.errors import ValidationError
from pos_tui.core.kernel.money import from_kurus, to_kurus
from pos_tui.core.stock import ledger, locations
from pos_tui.core.stock.ledger import ADJUST, DraftLine, Movement, StockDraft
from pos_tui.core.stock.moves.common import (
    PERMISSION,
    check_quantity,
    clean_note,
    find_product,
    override_data,
    record,
)
from pos_tui.i18n import _
from pos_tui.store import fast, write_tx
from pos_tui.store import models as m

# The reasons an adjustment may carry (the ledger's REASONS).
ADJUST_REASONS = ledger.REASONS


@dataclass(frozen=True, slots=True)
class Adjustment:
    """A posted adjustment: what moved where, what it was worth, and the stock after it."""

    document_id: int
    number: int
    code: str
    name: str
    unit: str
    qty: int  # milli-units, signed
    reason: str
    location: str
    value: Decimal  # the stock value's change, signed
    unit_cost: Decimal  # per unit, the cost it moved at
    on_hand: int  # at the location, after it
    on_hand_total: int  # all locations, after it
    note: str | None


def adjust(
    product: str,
    qty: int,
    reason: str,
    *,
    actor: Actor,
    terminal: str,
    now: datetime,
    location: str | None = None,
    note: str | None = None,
    unit_cost: Decimal | None = None,
    override: Override | None = None,
) -> Adjustment:
    """Book ``qty`` milli-units (signed: + found or opening, - written off) of ``product`` (code
    or barcode) at ``location`` (default: ``terminal``'s) for ``reason``. ``unit_cost`` (lira per
    unit, excluding KDV) only for an opening stock. All or nothing, in one transaction."""
    used = require(actor, PERMISSION, override)
    if reason not in ADJUST_REASONS:
        raise ValidationError(
            _("Unknown adjustment reason {reason!r}; use one of: {choices}").format(
                reason=reason, choices=", ".join(ADJUST_REASONS)
            )
        )
    ref = find_product(product)
    check_quantity(ref, qty, allow_negative=True)
    note = clean_note(note)
    amount: int | None = None
    cost_kurus = 0
    if unit_cost is not None:
        if reason != "opening":
            raise ValidationError(_("A unit cost can be given only for an opening stock"))
        if unit_cost < 0:
            raise ValidationError(_("A unit cost cannot be negative"))
        cost_kurus = to_kurus(unit_cost)
        amount = costing.line_value(abs(qty), cost_kurus)
    if reason == "opening" and qty < 0:
        raise ValidationError(_("An opening stock is a quantity above 0"))
    with write_tx():
        loc_id = locations.location_id(location, terminal)
        loc_code = fast.select_first(m.StockLocation, ("code",), {"id": loc_id})
        assert loc_code is not None
        draft = StockDraft(
            kind="adjustment",
            at=now,
            now=now,
            terminal=terminal,
            user_id=actor.user_id,
            location_id=loc_id,
            lines=[DraftLine(ref.id, abs(qty), unit_cost=cost_kurus, net=amount or 0)],
            movements=[Movement(ref.id, loc_id, qty, ADJUST, amount=amount, reason=reason, note=note)],
            reason=reason,
            note=note,
            data=override_data(actor, used),
        )
        posted = ledger.write_stock_document(draft)
        record(
            actor,
            used,
            "stock_adjust",
            terminal=terminal,
            now=now,
            details={"document": posted.id, "code": ref.code, "qty": qty, "reason": reason},
        )
        on_hand = ledger.on_hand(ref.id, loc_id)
        total = ledger.on_hand(ref.id)
    moved = posted.movements[0]
    return Adjustment(
        document_id=posted.id,
        number=posted.number,
        code=ref.code,
        name=ref.name,
        unit=ref.unit,
        qty=qty,
        reason=reason,
        location=loc_code[0],
        value=from_kurus(moved.value),
        unit_cost=from_kurus(moved.unit_cost),
        on_hand=on_hand,
        on_hand_total=total,
        note=note,
    )

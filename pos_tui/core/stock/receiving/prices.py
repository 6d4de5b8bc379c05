"""New sale prices after a goods receipt: by a margin on the new cost or typed by hand.

A changed price sets ``product.price`` and ``product.updated_at``, so the product lands in the
shelf-label queue (``pos-admin labels print --changed-since DAY`` selects products by
``updated_at``), and one ``price_change`` journal entry lists every change (code, old, new) with
the receipt it followed. Permission ``receive``: whoever receives the goods prices them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from pos_tui.core.kernel import journal
from pos_tui.core.kernel.actors import Actor, Override, require
from pos_tui.core.kernel.clock import to_db
from pos_tui.core.kernel.errors import NotFound, ValidationError
from pos_tui.core.kernel.formatting import format_money
from pos_tui.core.kernel.money import from_kurus, to_kurus
from pos_tui.core.stock.receiving.pricing import price_for_margin
from pos_tui.core.stock.receiving.receipts import CostChange
from pos_tui.i18n import _
from pos_tui.store import fast, write_tx
from pos_tui.store import models as m

# A shelf price above this is a slip (a barcode typed into the price field).
MAX_PRICE = Decimal("10000000.00")


@dataclass(frozen=True, slots=True)
class PriceChange:
    """Set product ``code``'s sale price (KDV included) to ``price``."""

    code: str
    price: Decimal


@dataclass(frozen=True, slots=True)
class PriceSet:
    code: str
    old: Decimal
    new: Decimal


def margin_price(change: CostChange, margin_pct: Decimal) -> Decimal:
    """The sale price (KDV included) that puts ``margin_pct`` % on the product's new cost: the
    receipt's unit cost after discount (:func:`.pricing.price_for_margin`)."""
    if margin_pct < 0 or margin_pct > 1000:
        raise ValidationError(_("A margin is between 0 and 1000 percent"))
    return from_kurus(price_for_margin(to_kurus(change.purchase_cost), margin_pct, change.kdv_rate))


def set_sale_prices(
    changes: Sequence[PriceChange],
    *,
    actor: Actor,
    now: datetime,
    terminal: str,
    receipt: int | None = None,
    override: Override | None = None,
) -> list[PriceSet]:
    """Set the prices in one transaction (unchanged ones are skipped) and journal them."""
    used = require(actor, "receive", override)
    done: list[PriceSet] = []
    with write_tx():
        for change in changes:
            if change.price <= 0:
                raise ValidationError(_("{code}: a sale price must be above zero").format(code=change.code))
            if change.price > MAX_PRICE:
                raise ValidationError(
                    _("{code}: {price} is not a sale price").format(code=change.code, price=format_money(change.price))
                )
            row = fast.select_first(m.Product, ("id", "price"), {"code": change.code})
            if row is None:
                raise NotFound(_("No product with code {code}").format(code=change.code))
            new = to_kurus(change.price)
            if new == row[1]:
                continue
            fast.update_where(m.Product, {"price": new, "updated_at": to_db(now)}, {"id": row[0]})
            done.append(PriceSet(change.code, from_kurus(row[1]), from_kurus(new)))
        if done:
            payload: dict[str, Any] = {
                "receipt": receipt,
                "user": actor.name,
                "changes": [{"code": p.code, "old": f"{p.old:.2f}", "new": f"{p.new:.2f}"} for p in done],
            }
            if used is not None:
                payload["supervisor"] = used.supervisor.name
                payload["override_reason"] = used.reason
            ref = None if receipt is None else f"receipt:{receipt}"
            journal.append("price_change", payload, terminal=terminal, now=now, ref=ref)
    return done

"""One product's stock now: on hand per location, average cost, value, last purchase (``stock show``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pos_tui import store
from pos_tui.core.catalog import get_product
from pos_tui.core.kernel.clock import from_db, local
from pos_tui.core.stock.reports.common import money_text, qty_text
from pos_tui.store import models as m


@dataclass(frozen=True, slots=True)
class LastPurchase:
    """The latest goods receipt price of the product (``supplier_price``), any supplier."""

    supplier: str
    supplier_name: str
    unit_cost: int  # kuruş a unit, excluding KDV, after the line discount
    at: datetime  # aware UTC
    document_id: int


@dataclass(frozen=True, slots=True)
class StockInfo:
    """A product's stock from the ledger's caches. Quantities in milli-units, money in kuruş."""

    product_id: int
    code: str
    name: str
    unit: str
    on_hand: int
    by_location: dict[str, int]  # location code -> on hand there (every location in use it ever moved at)
    avg_cost: int
    value: int
    min_stock: int
    last_purchase: LastPurchase | None

    @property
    def negative(self) -> bool:
        return self.on_hand < 0 or any(q < 0 for q in self.by_location.values())

    @property
    def below_min(self) -> bool:
        return self.min_stock > 0 and self.on_hand < self.min_stock

    def purchase_day(self, tz: str) -> date | None:
        return None if self.last_purchase is None else local(self.last_purchase.at, tz).date()

    def as_json(self, tz: str) -> dict[str, Any]:
        """``{code, name, unit, on_hand, by_location, avg_cost, value, min_stock, negative, below_min,
        last_purchase: {supplier, supplier_name, unit_cost, date} | null}``; numbers as decimal strings."""
        purchase = self.last_purchase
        return {
            "code": self.code,
            "name": self.name,
            "unit": self.unit,
            "on_hand": qty_text(self.on_hand),
            "by_location": {code: qty_text(q) for code, q in self.by_location.items()},
            "avg_cost": money_text(self.avg_cost),
            "value": money_text(self.value),
            "min_stock": qty_text(self.min_stock),
            "negative": self.negative,
            "below_min": self.below_min,
            "last_purchase": None
            if purchase is None
            else {
                "supplier": purchase.supplier,
                "supplier_name": purchase.supplier_name,
                "unit_cost": money_text(purchase.unit_cost),
                "date": str(self.purchase_day(tz)),
            },
        }


def stock_info(code_or_barcode: str) -> StockInfo:
    """The stock of the product with this code or barcode (active or not), from the caches that
    ``post_movements`` keeps and ``audit verify`` checks against the movements."""
    product = get_product(code_or_barcode)
    return stock_info_of(product.id)


def stock_info_of(product_id: int) -> StockInfo:
    P, SL, L, SP, S = m.Product, m.StockLevel, m.StockLocation, m.SupplierPrice, m.Supplier
    code, name, unit, on_hand, value, cost, min_stock = next(
        store.rows(
            P.select(P.code, P.name, P.unit, P.stock, P.stock_value, P.cost, P.min_stock).where(P.id == product_id)
        )
    )
    # a location out of use (the transfers' in-transit one) is listed only while it holds some
    levels = store.rows(
        SL.select(L.code, SL.qty)
        .join(L, on=(SL.location == L.id))
        .where((SL.product == product_id) & (L.active | (SL.qty != 0)))
        .order_by(L.code)
    )
    purchase = next(
        store.rows(
            SP.select(S.code, S.name, SP.unit_cost, SP.at, SP.document)
            .join(S, on=(SP.supplier == S.id))
            .where(SP.product == product_id)
            .order_by(SP.at.desc(), SP.document.desc())
            .limit(1)
        ),
        None,
    )
    last = None
    if purchase is not None:
        supplier, supplier_name, unit_cost, at, document = purchase
        last = LastPurchase(supplier, supplier_name, int(unit_cost), from_db(at), int(document))
    return StockInfo(
        product_id=product_id,
        code=code,
        name=name,
        unit=unit,
        on_hand=int(on_hand),
        by_location={loc: int(q) for loc, q in levels},
        avg_cost=int(cost),
        value=int(value),
        min_stock=int(min_stock),
        last_purchase=last,
    )

"""What the till's services hand back: the result of a sale, a return and a posted document read back.

Split from the sale flow so that the screens and reports can name these values without loading the posting
code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

REFUND_METHODS = ("original", "cash", "store_credit", "gift_card_new")
SaleRef = str | tuple[str, int]
"""A posted document: its uid, or ``(terminal, receipt_no)``."""


@dataclass(frozen=True, slots=True)
class SaleResult:
    """A posted sale or return. ``change`` is the cash handed back (zero for returns)."""

    sale_id: int
    uid: str
    receipt_no: int
    total: Decimal
    change: Decimal
    document: dict[str, Any]


@dataclass(frozen=True, slots=True)
class SaleSummary:
    """One row of the receipt list."""

    sale_id: int
    uid: str
    kind: str
    terminal: str
    receipt_no: int
    at: datetime
    cashier: str
    customer_id: int | None
    total: Decimal
    return_of_id: int | None
    source: str


@dataclass(frozen=True, slots=True)
class ReturnLineInput:
    """Give back ``qty_milli`` of line ``line_no`` of the original receipt."""

    line_no: int
    qty_milli: int


@dataclass(frozen=True, slots=True)
class BlindReturnLineInput:
    """Give back ``qty_milli`` of the product with this PLU or barcode, at today's price."""

    code: str
    qty_milli: int


@dataclass(frozen=True, slots=True)
class ReturnableLine:
    """What is left to return of one sold line."""

    line_no: int
    code: str
    barcode: str | None
    name: str
    unit: str
    kdv_rate: int
    unit_price: Decimal
    sold_milli: int
    returned_milli: int
    total: Decimal
    refunded: Decimal

    @property
    def remaining_milli(self) -> int:
        return self.sold_milli - self.returned_milli

    @property
    def remaining_amount(self) -> Decimal:
        return self.total - self.refunded

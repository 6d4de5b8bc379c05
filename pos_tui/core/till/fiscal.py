"""The fiscal device (ÖKC) as the sale flow sees it: a ticket to register, a confirmation back.

Turkish law has a sale registered on a certified fiscal device (ödeme kaydedici cihaz); the
device prints the fiscal receipt and numbers it. ``core`` knows no device: the till passes
:func:`pos_tui.core.till.posting.complete_sale` a :data:`FiscalHook` (built in ``pos_tui.devices``)
that registers a :class:`FiscalTicket` and returns the device's :class:`FiscalRecord`.

The hook runs inside the sale's transaction, after every check and every write that could
refuse the sale (tenders, loyalty), just before the document is journalled: a device error
(:class:`FiscalError`) rolls the whole sale back, so the cart stays open and payable and
nothing is half-recorded; a confirmation is stored on the sale (``sale_fiscal``) and in its
journalled document. Returns are not registered on the device (an ÖKC records sales; a refund
is documented with a return slip or invoice), so they carry no fiscal record.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from pos_tui.core.kernel.errors import PosError


class FiscalError(PosError):
    """The fiscal device refused or failed (paper out, not paired, no answer…): the sale is
    not recorded and stays open. The message is for the cashier."""


@dataclass(frozen=True, slots=True)
class FiscalItem:
    name: str
    qty_milli: int
    unit: str
    unit_price: Decimal
    kdv_rate: int
    discount: Decimal  # the line's share of every discount (already inside ``total``)
    total: Decimal  # net, KDV included


@dataclass(frozen=True, slots=True)
class FiscalPayment:
    method: str  # cash | card | points | store_credit | gift_card …
    amount: Decimal  # what the payment settles (cash: without the change)


@dataclass(frozen=True, slots=True)
class FiscalTicket:
    """One sale to register: our document id and receipt number for the device's reference."""

    uid: str
    terminal: str
    receipt_no: int
    cashier: str
    items: tuple[FiscalItem, ...]
    payments: tuple[FiscalPayment, ...]
    total: Decimal
    change: Decimal


@dataclass(frozen=True, slots=True)
class FiscalRecord:
    """The device's confirmation: its serial number, the fiscal receipt number and the Z."""

    device: str
    fiscal_no: int
    z_no: int
    at: datetime

    def as_json(self) -> dict[str, object]:
        return {"device": self.device, "no": self.fiscal_no, "z": self.z_no}


FiscalHook = Callable[[FiscalTicket], FiscalRecord]

__all__ = ["FiscalError", "FiscalHook", "FiscalItem", "FiscalPayment", "FiscalRecord", "FiscalTicket"]

"""The basket: the cart being rung up as pure values (lines, discounts, KDV, benefits) and the tender registry
(what each payment method validates and posts). No I/O.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pos_tui.core.kernel.lazy import front_door

# public name -> the module of this package that defines it (a module's own name: the module itself)
_EXPORTS = {
    "AppliedPayment": "tenders",
    "Benefit": "cart",
    "Cart": "cart",
    "CartLine": "cart",
    "CartTotals": "cart",
    "Discount": "cart",
    "LineTotals": "cart",
    "PaymentInput": "tenders",
    "RETURN": "tenders",
    "SALE": "tenders",
    "SaleAccount": "cart",
    "TenderContext": "tenders",
    "WEIGHED_UNITS": "cart",
    "check_quantity": "cart",
    "settle_payments": "tenders",
}

__all__ = [
    "RETURN",
    "SALE",
    "WEIGHED_UNITS",
    "AppliedPayment",
    "Benefit",
    "Cart",
    "CartLine",
    "CartTotals",
    "Discount",
    "LineTotals",
    "PaymentInput",
    "SaleAccount",
    "TenderContext",
    "check_quantity",
    "settle_payments",
]
if not TYPE_CHECKING:  # type checkers read the imports below instead, and flag a misspelt name
    __getattr__, __dir__ = front_door(__name__, _EXPORTS)

if TYPE_CHECKING:
    from pos_tui.core.basket.cart import (
        WEIGHED_UNITS,
        Benefit,
        Cart,
        CartLine,
        CartTotals,
        Discount,
        LineTotals,
        SaleAccount,
        check_quantity,
    )
    from pos_tui.core.basket.tenders import RETURN, SALE, AppliedPayment, PaymentInput, TenderContext, settle_payments

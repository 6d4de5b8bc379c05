"""Money on account at the till and from pos-admin: the ``on_account`` tender (credit limit checked at
the moment of the sale), collections (tahsilat) and payments to suppliers, and what sales, returns,
goods receipts and supplier returns post on the accounts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pos_tui.core.kernel.lazy import front_door

# public name -> the module of this package that defines it (a module's own name: the module itself)
_EXPORTS = {
    "COLLECT_METHODS": "money",
    "CollectionInput": "money",
    "CollectionResult": "money",
    "CreditLimitExceeded": "tender",
    "CreditStatus": "tender",
    "MAX_INSTALLMENTS": "tender",
    "ON_ACCOUNT": "tender",
    "PAY_METHODS": "money",
    "PaymentOutInput": "money",
    "PaymentResult": "money",
    "collect": "money",
    "collection_slip": "money",
    "credit_check": "tender",
    "credit_status": "tender",
    "customer_account": "tender",
    "installment_dues": "tender",
    "method_name": "money",
    "on_account_total": "tender",
    "other_account_message": "tender",
    "over_limit_message": "tender",
    "pay": "money",
    "payment_slip": "money",
    "register_account_tenders": "tender",
}

__all__ = [
    "COLLECT_METHODS",
    "MAX_INSTALLMENTS",
    "ON_ACCOUNT",
    "PAY_METHODS",
    "CollectionInput",
    "CollectionResult",
    "CreditLimitExceeded",
    "CreditStatus",
    "PaymentOutInput",
    "PaymentResult",
    "collect",
    "collection_slip",
    "credit_check",
    "credit_status",
    "customer_account",
    "installment_dues",
    "method_name",
    "on_account_total",
    "other_account_message",
    "over_limit_message",
    "pay",
    "payment_slip",
    "register_account_tenders",
]
if not TYPE_CHECKING:  # type checkers read the imports below instead, and flag a misspelt name
    __getattr__, __dir__ = front_door(__name__, _EXPORTS)

if TYPE_CHECKING:
    from pos_tui.core.accounts.payments.money import (
        COLLECT_METHODS,
        PAY_METHODS,
        CollectionInput,
        CollectionResult,
        PaymentOutInput,
        PaymentResult,
        collect,
        collection_slip,
        method_name,
        pay,
        payment_slip,
    )
    from pos_tui.core.accounts.payments.tender import (
        MAX_INSTALLMENTS,
        ON_ACCOUNT,
        CreditLimitExceeded,
        CreditStatus,
        credit_check,
        credit_status,
        customer_account,
        installment_dues,
        on_account_total,
        other_account_message,
        over_limit_message,
        register_account_tenders,
    )

"""Cheques and promissory notes (çek, senet): the portfolio of those received from customers (in portfolio,
endorsed to a supplier, deposited, collected, returned unpaid) and those issued to suppliers (issued, paid);
installment plans of sales on account and their senet texts. Each step is a journalled event and, where
money moves between parties, an account entry. docs/accounts-cheques.md has the state table.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pos_tui.core.kernel.lazy import front_door

# public name -> the module of this package that defines it (a module's own name: the module itself)
_EXPORTS = {
    "CHEQUE": "portfolio",
    "DIRECTIONS": "portfolio",
    "INSTRUMENTS": "portfolio",
    "ISSUED": "portfolio",
    "NOTE": "portfolio",
    "RECEIVED": "portfolio",
    "STATUSES": "portfolio",
    "TRANSITIONS": "portfolio",
    "ChequeEventInfo": "portfolio",
    "ChequeInfo": "portfolio",
    "ChequeInput": "portfolio",
    "Plan": "senet",
    "PlanLine": "senet",
    "SaleRef": "senet",
    "amount_in_words": "senet",
    "audit": "audit",
    "bounce": "portfolio",
    "check_cheques": "audit",
    "collect_cheque": "portfolio",
    "deposit": "portfolio",
    "due_cheques": "portfolio",
    "endorse": "portfolio",
    "event_payload": "portfolio",
    "get_cheque": "portfolio",
    "installment_plan": "senet",
    "instrument_label": "portfolio",
    "issue_cheque": "portfolio",
    "list_cheques": "portfolio",
    "number_in_words": "senet",
    "parse_instrument": "portfolio",
    "pay_cheque": "portfolio",
    "portfolio": "portfolio",
    "receive_cheque": "portfolio",
    "senet": "senet",
    "senet_pdf": "senet",
    "status_label": "portfolio",
}

__all__ = [
    "CHEQUE",
    "DIRECTIONS",
    "INSTRUMENTS",
    "ISSUED",
    "NOTE",
    "RECEIVED",
    "STATUSES",
    "TRANSITIONS",
    "ChequeEventInfo",
    "ChequeInfo",
    "ChequeInput",
    "Plan",
    "PlanLine",
    "SaleRef",
    "amount_in_words",
    "audit",
    "bounce",
    "check_cheques",
    "collect_cheque",
    "deposit",
    "due_cheques",
    "endorse",
    "event_payload",
    "get_cheque",
    "installment_plan",
    "instrument_label",
    "issue_cheque",
    "list_cheques",
    "number_in_words",
    "parse_instrument",
    "pay_cheque",
    "portfolio",
    "receive_cheque",
    "senet",
    "senet_pdf",
    "status_label",
]
if not TYPE_CHECKING:  # type checkers read the imports below instead, and flag a misspelt name
    __getattr__, __dir__ = front_door(__name__, _EXPORTS)

if TYPE_CHECKING:
    from pos_tui.core.accounts.cheques import audit, portfolio, senet
    from pos_tui.core.accounts.cheques.audit import check_cheques
    from pos_tui.core.accounts.cheques.portfolio import (
        CHEQUE,
        DIRECTIONS,
        INSTRUMENTS,
        ISSUED,
        NOTE,
        RECEIVED,
        STATUSES,
        TRANSITIONS,
        ChequeEventInfo,
        ChequeInfo,
        ChequeInput,
        bounce,
        collect_cheque,
        deposit,
        due_cheques,
        endorse,
        event_payload,
        get_cheque,
        instrument_label,
        issue_cheque,
        list_cheques,
        parse_instrument,
        pay_cheque,
        receive_cheque,
        status_label,
    )
    from pos_tui.core.accounts.cheques.senet import (
        Plan,
        PlanLine,
        SaleRef,
        amount_in_words,
        installment_plan,
        number_in_words,
        senet_pdf,
    )

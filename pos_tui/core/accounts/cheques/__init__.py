"""Cheques and promissory notes (çek, senet): the portfolio of those received from customers (in portfolio,
endorsed to a supplier, deposited, collected, returned unpaid) and those issued to suppliers (issued, paid);
installment plans of sales on account and their senet texts. Each step is a journalled event and, where
money moves between parties, an account entry.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pos_tui.core.kernel.lazy import front_door

# public name -> the module of this package that defines it (a module's own name: the module itself)
_EXPORTS = {
    "audit": "audit",
    "check_cheques": "audit",
}

__all__ = [
    "audit",
    "check_cheques",
]
if not TYPE_CHECKING:  # type checkers read the imports below instead, and flag a misspelt name
    __getattr__, __dir__ = front_door(__name__, _EXPORTS)

if TYPE_CHECKING:
    from pos_tui.core.accounts.cheques import audit
    from pos_tui.core.accounts.cheques.audit import check_cheques

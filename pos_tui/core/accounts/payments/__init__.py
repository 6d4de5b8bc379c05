"""Money on account at the till and from pos-admin: the ``on_account`` tender (credit limit checked at
the moment of the sale), collections (tahsilat) and payments to suppliers, and what sales, returns,
goods receipts and supplier returns post on the accounts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pos_tui.core.kernel.lazy import front_door

# public name -> the module of this package that defines it (a module's own name: the module itself)
_EXPORTS: dict[str, str] = {}

__all__ = []
if not TYPE_CHECKING:  # type checkers read the imports below instead, and flag a misspelt name
    __getattr__, __dir__ = front_door(__name__, _EXPORTS)

if TYPE_CHECKING:
    pass  # no public names yet

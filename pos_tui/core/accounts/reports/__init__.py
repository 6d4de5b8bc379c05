"""Account reports: the statement of a period (hesap ekstresi) with running balance, aging of open items
by due date, the collections forecast, and the reconciliation letter (mutabakat).
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

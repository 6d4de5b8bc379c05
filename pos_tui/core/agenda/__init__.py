"""The agenda (ajanda): notes and tasks with a due date and time, a link to a party, product, document or
cheque, an assignee (user or role) and an RFC 5545 recurrence; automatic entries kept in step with the
books (cheques and installments falling due, supplier payments, overdue customer items, expiring
campaigns and coupons, the day's count); due dates on Turkish public holidays and weekends flagged.
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

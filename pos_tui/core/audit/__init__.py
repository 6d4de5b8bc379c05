"""Audit: ``pos-admin audit verify`` — is the database what pos_tui wrote? The journal chain, documents against
their journal payloads, totals, and the loyalty tables.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pos_tui.core.kernel.lazy import front_door

# public name -> the module of this package that defines it (a module's own name: the module itself)
_EXPORTS = {
    "Anchor": "verification",
    "AuditReport": "verification",
    "parse_anchor": "verification",
    "verify": "verification",
    "work_size": "verification",
}

__all__ = [
    "Anchor",
    "AuditReport",
    "parse_anchor",
    "verify",
    "work_size",
]
__getattr__, __dir__ = front_door(__name__, _EXPORTS)

if TYPE_CHECKING:
    from pos_tui.core.audit.verification import Anchor, AuditReport, parse_anchor, verify, work_size

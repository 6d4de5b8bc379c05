"""Audit: ``pos-admin audit verify`` — is the database what pos_tui wrote? The journal chain, documents against
their journal payloads, totals, and the loyalty tables. ``pos-admin audit pan`` — is a card number stored anywhere?
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pos_tui.core.kernel.lazy import front_door

# public name -> the module of this package that defines it (a module's own name: the module itself)
_EXPORTS = {
    "Anchor": "verification",
    "AuditReport": "verification",
    "PanFinding": "pan_scan",
    "scan_pans": "pan_scan",
    "scan_size": "pan_scan",
    "parse_anchor": "verification",
    "verify": "verification",
    "work_size": "verification",
}

__all__ = [
    "Anchor",
    "AuditReport",
    "PanFinding",
    "parse_anchor",
    "scan_pans",
    "scan_size",
    "verify",
    "work_size",
]
if not TYPE_CHECKING:  # type checkers read the imports below instead, and flag a misspelt name
    __getattr__, __dir__ = front_door(__name__, _EXPORTS)

if TYPE_CHECKING:
    from pos_tui.core.audit.pan_scan import PanFinding, scan_pans, scan_size
    from pos_tui.core.audit.verification import Anchor, AuditReport, parse_anchor, verify, work_size

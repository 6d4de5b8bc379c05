"""Cash: shifts (float, paid in/out, counted cash), X and Z reports and the figures they share with sales
reports.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pos_tui.core.kernel.lazy import front_door

# public name -> the module of this package that defines it (a module's own name: the module itself)
_EXPORTS = {
    "CashMovementInfo": "shifts",
    "DocumentTotals": "reports",
    "KdvTotal": "reports",
    "REPORT_BY": "reports",
    "ReportRow": "reports",
    "ShiftInfo": "shifts",
    "ZReport": "closures",
    "close_shift": "shifts",
    "current_shift": "shifts",
    "document_totals": "reports",
    "no_sale": "shifts",
    "open_shift": "shifts",
    "paid_in": "shifts",
    "paid_out": "shifts",
    "pay_supplier_cash": "shifts",
    "sales_report": "reports",
    "take_x_preview": "closures",
    "take_x_report": "shifts",
    "x_preview": "closures",
    "z_report": "closures",
}

__all__ = [
    "REPORT_BY",
    "CashMovementInfo",
    "DocumentTotals",
    "KdvTotal",
    "ReportRow",
    "ShiftInfo",
    "ZReport",
    "close_shift",
    "current_shift",
    "document_totals",
    "no_sale",
    "open_shift",
    "paid_in",
    "paid_out",
    "pay_supplier_cash",
    "sales_report",
    "take_x_preview",
    "take_x_report",
    "x_preview",
    "z_report",
]
if not TYPE_CHECKING:  # type checkers read the imports below instead, and flag a misspelt name
    __getattr__, __dir__ = front_door(__name__, _EXPORTS)

if TYPE_CHECKING:
    from pos_tui.core.cash.closures import ZReport, take_x_preview, x_preview, z_report
    from pos_tui.core.cash.reports import REPORT_BY, DocumentTotals, KdvTotal, ReportRow, document_totals, sales_report
    from pos_tui.core.cash.shifts import (
        CashMovementInfo,
        ShiftInfo,
        close_shift,
        current_shift,
        no_sale,
        open_shift,
        paid_in,
        paid_out,
        pay_supplier_cash,
        take_x_report,
    )

"""Stock counts (sayım): sessions, scans from several terminals, handheld files, review, posting and reversal.

The rule while sales continue: a product's expected quantity is frozen when its first count
event is recorded (on hand at the session's location then, read in the same transaction);
variance = counted − expected; posting books the variance on top of the stock on hand at
posting, so sales and receipts during the count are neither lost nor doubled
(:mod:`~pos_tui.core.stock.counting.events` has the whole rule).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pos_tui.core.kernel.lazy import front_door

# public name -> the module of this package that defines it (a module's own name: the module itself)
_EXPORTS = {
    "CANCELLED": "sessions",
    "DEFAULT_THRESHOLD": "posting",
    "OPEN": "sessions",
    "POSTED": "sessions",
    "UNCOUNTED_CHOICES": "posting",
    "CountInfo": "sessions",
    "CountedLine": "events",
    "EventResult": "events",
    "HandheldLine": "handheld",
    "ImportResult": "handheld",
    "PostResult": "posting",
    "ReverseResult": "posting",
    "Review": "posting",
    "ReviewLine": "posting",
    "Scope": "sessions",
    "SheetRow": "sheets",
    "cancel_count": "sessions",
    "counted_lines": "events",
    "get_count": "sessions",
    "import_handheld": "handheld",
    "list_counts": "sessions",
    "may_see_expected": "posting",
    "new_uid": "events",
    "open_count": "sessions",
    "parse_handheld": "handheld",
    "post_count": "posting",
    "product_total": "events",
    "record_event": "events",
    "record_scan": "events",
    "resolve": "events",
    "reverse_count": "posting",
    "review_count": "posting",
    "session_totals": "events",
    "sheet_csv": "sheets",
    "sheet_header": "sheets",
    "sheet_cells": "sheets",
    "sheet_rows": "sheets",
    "sheet_xlsx": "sheets",
    "status_label": "sessions",
    "undo_event": "events",
}

__all__ = [
    "CANCELLED",
    "DEFAULT_THRESHOLD",
    "OPEN",
    "POSTED",
    "UNCOUNTED_CHOICES",
    "CountInfo",
    "CountedLine",
    "EventResult",
    "HandheldLine",
    "ImportResult",
    "PostResult",
    "ReverseResult",
    "Review",
    "ReviewLine",
    "Scope",
    "SheetRow",
    "cancel_count",
    "counted_lines",
    "get_count",
    "import_handheld",
    "list_counts",
    "may_see_expected",
    "new_uid",
    "open_count",
    "parse_handheld",
    "post_count",
    "product_total",
    "record_event",
    "record_scan",
    "resolve",
    "reverse_count",
    "review_count",
    "session_totals",
    "sheet_cells",
    "sheet_csv",
    "sheet_header",
    "sheet_rows",
    "sheet_xlsx",
    "status_label",
    "undo_event",
]
if not TYPE_CHECKING:  # type checkers read the imports below instead, and flag a misspelt name
    __getattr__, __dir__ = front_door(__name__, _EXPORTS)

if TYPE_CHECKING:
    from pos_tui.core.stock.counting.events import (
        CountedLine,
        EventResult,
        counted_lines,
        new_uid,
        product_total,
        record_event,
        record_scan,
        resolve,
        session_totals,
        undo_event,
    )
    from pos_tui.core.stock.counting.handheld import HandheldLine, ImportResult, import_handheld, parse_handheld
    from pos_tui.core.stock.counting.posting import (
        DEFAULT_THRESHOLD,
        UNCOUNTED_CHOICES,
        PostResult,
        ReverseResult,
        Review,
        ReviewLine,
        may_see_expected,
        post_count,
        reverse_count,
        review_count,
    )
    from pos_tui.core.stock.counting.sessions import (
        CANCELLED,
        OPEN,
        POSTED,
        CountInfo,
        Scope,
        cancel_count,
        get_count,
        list_counts,
        open_count,
        status_label,
    )
    from pos_tui.core.stock.counting.sheets import (
        SheetRow,
        sheet_cells,
        sheet_csv,
        sheet_header,
        sheet_rows,
        sheet_xlsx,
    )

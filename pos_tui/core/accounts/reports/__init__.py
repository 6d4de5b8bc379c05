"""Account reports: the statement of a period (hesap ekstresi) with running balance, aging of open items
by due date, the collections forecast, and the reconciliation letter (mutabakat).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pos_tui.core.kernel.lazy import front_door

# public name -> the module of this package that defines it (a module's own name: the module itself)
_EXPORTS = {
    "DEFAULT_BUCKETS": "dues",
    "Aging": "dues",
    "AgingRow": "dues",
    "Forecast": "dues",
    "ForecastGroup": "dues",
    "Statement": "statements",
    "StatementLine": "statements",
    "Summary": "statements",
    "account_summary": "statements",
    "aging": "dues",
    "balance_words": "statements",
    "bucket_labels": "dues",
    "forecast": "dues",
    "forecast_json": "dues",
    "parse_buckets": "dues",
    "statement": "statements",
    "statement_csv": "statements",
    "statement_header": "statements",
    "statement_json": "statements",
    "statement_rows": "statements",
    "statement_slip": "slips",
    "statement_xlsx": "statements",
    "summary_json": "statements",
}

__all__ = [
    "DEFAULT_BUCKETS",
    "Aging",
    "AgingRow",
    "Forecast",
    "ForecastGroup",
    "Statement",
    "StatementLine",
    "Summary",
    "account_summary",
    "aging",
    "balance_words",
    "bucket_labels",
    "forecast",
    "forecast_json",
    "parse_buckets",
    "statement",
    "statement_csv",
    "statement_header",
    "statement_json",
    "statement_rows",
    "statement_slip",
    "statement_xlsx",
    "summary_json",
]
if not TYPE_CHECKING:  # type checkers read the imports below instead, and flag a misspelt name
    __getattr__, __dir__ = front_door(__name__, _EXPORTS)

if TYPE_CHECKING:
    from pos_tui.core.accounts.reports.dues import (
        DEFAULT_BUCKETS,
        Aging,
        AgingRow,
        Forecast,
        ForecastGroup,
        aging,
        bucket_labels,
        forecast,
        forecast_json,
        parse_buckets,
    )
    from pos_tui.core.accounts.reports.slips import statement_slip
    from pos_tui.core.accounts.reports.statements import (
        Statement,
        StatementLine,
        Summary,
        account_summary,
        balance_words,
        statement,
        statement_csv,
        statement_header,
        statement_json,
        statement_rows,
        statement_xlsx,
        summary_json,
    )

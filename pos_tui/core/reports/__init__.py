"""Reports a shop owner reads (docs/reports.md): one module per report, each a pure function of the
store and a :class:`ReportQuery` (period, terminal, store) giving a :class:`Report`, the one shape
the till's report screen, ``pos-admin report NAME`` and every export (JSON, CSV, XLSX, PDF, e-mail)
are made from.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pos_tui.core.kernel.lazy import front_door

# public name -> the module of this package that defines it (a module's own name: the module itself)
_EXPORTS = {
    "CATALOGUE": "registry",
    "EXPORT_FORMATS": "exporting.writing",
    "GROUPS": "registry",
    "KINDS": "model",
    "MAIL_FORMATS": "exporting.mailing",
    "PERIODS": "period",
    "Cell": "model",
    "Chart": "model",
    "Column": "model",
    "Figure": "model",
    "OptionRejected": "registry",
    "Period": "period",
    "Report": "model",
    "ReportEntry": "registry",
    "ReportOption": "registry",
    "ReportQuery": "common",
    "ReportSpec": "registry",
    "attachment_name": "exporting.mailing",
    "check_addresses": "exporting.mailing",
    "format_cell": "model",
    "json_cell": "model",
    "named_period": "period",
    "new_report": "registry",
    "plain_number": "model",
    "report_bytes": "exporting.writing",
    "report_entry": "registry",
    "report_mail": "exporting.mailing",
    "report_names": "registry",
    "report_spec": "registry",
    "resolve_period": "period",
    "run_report": "registry",
    "send_report": "exporting.mailing",
    "sum_totals": "model",
    "terminal_on_record": "common",
    "title_lines": "exporting.headings",
    "write_report": "exporting.writing",
}

__all__ = [
    "CATALOGUE",
    "EXPORT_FORMATS",
    "GROUPS",
    "KINDS",
    "MAIL_FORMATS",
    "PERIODS",
    "Cell",
    "Chart",
    "Column",
    "Figure",
    "OptionRejected",
    "Period",
    "Report",
    "ReportEntry",
    "ReportOption",
    "ReportQuery",
    "ReportSpec",
    "attachment_name",
    "check_addresses",
    "format_cell",
    "json_cell",
    "named_period",
    "new_report",
    "plain_number",
    "report_bytes",
    "report_entry",
    "report_mail",
    "report_names",
    "report_spec",
    "resolve_period",
    "run_report",
    "send_report",
    "sum_totals",
    "terminal_on_record",
    "title_lines",
    "write_report",
]
if not TYPE_CHECKING:  # type checkers read the imports below instead, and flag a misspelt name
    __getattr__, __dir__ = front_door(__name__, _EXPORTS)

if TYPE_CHECKING:
    from pos_tui.core.reports.common import ReportQuery, terminal_on_record
    from pos_tui.core.reports.exporting.headings import title_lines
    from pos_tui.core.reports.exporting.mailing import (
        MAIL_FORMATS,
        attachment_name,
        check_addresses,
        report_mail,
        send_report,
    )
    from pos_tui.core.reports.exporting.writing import EXPORT_FORMATS, report_bytes, write_report
    from pos_tui.core.reports.model import (
        KINDS,
        Cell,
        Chart,
        Column,
        Figure,
        Report,
        format_cell,
        json_cell,
        plain_number,
        sum_totals,
    )
    from pos_tui.core.reports.period import PERIODS, Period, named_period, resolve_period
    from pos_tui.core.reports.registry import (
        CATALOGUE,
        GROUPS,
        OptionRejected,
        ReportEntry,
        ReportOption,
        ReportSpec,
        new_report,
        report_entry,
        report_names,
        report_spec,
        run_report,
    )

"""A report written as a file (docs/reports.md "Exports"): JSON, CSV, XLSX and PDF, each made from
the one :class:`~pos_tui.core.reports.model.Report`, so every format carries the same figures.

Reached through the reports front door (``EXPORT_FORMATS``, ``report_bytes``, ``write_report``,
``send_report``); ``xlsxwriter`` and ``reportlab`` load only when their format is asked for.
"""

"""What every people's format (CSV, XLSX, PDF, the e-mail) writes around a report's table: its
title block (shop, title, period, filters, when it was made), the totals row's label and how a
filter reads."""

from __future__ import annotations

from pos_tui.core.kernel.formatting import format_moment
from pos_tui.core.reports.model import Cell, Report
from pos_tui.i18n import _
from pos_tui.settings import Settings


def filter_text(report: Report) -> str:
    """The report's filters that are set, as people read them: ``Terminal: T1, --against: last-year``
    (empty: no filter)."""
    names = {"terminal": _("Terminal"), "store": _("Store")}
    parts = []
    for key, value in report.filters.items():
        if value is None or value == "":
            continue
        parts.append(f"{names.get(key, '--' + key)}: {value}")
    return ", ".join(parts)


def title_lines(report: Report, settings: Settings) -> list[str]:
    """The lines above the table: the report's title, its period, its filters (when any) and when it
    was made (the shop's name is written apart, by each format its own way)."""
    lines = [
        report.title,
        _("Period: {period}").format(period=report.period.label()),
    ]
    filters = filter_text(report)
    if filters:
        lines.append(_("Filters: {filters}").format(filters=filters))
    lines.append(_("Made: {at}").format(at=format_moment(report.generated_at, settings.shop.timezone)))
    return lines


def totals_cells(report: Report) -> list[Cell] | None:
    """The totals row with "Total" in its first column when that column has no total of its own."""
    if report.totals is None:
        return None
    cells = list(report.totals)
    if cells and cells[0] is None:
        cells[0] = _("Total")
    return cells

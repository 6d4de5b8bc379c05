"""A report as CSV that opens right in a Turkish Excel (docs/reports.md "Exports").

UTF-8 with a byte-order mark (Excel otherwise reads it as Windows-1254 and garbles ğ, ş, ı), ``;``
between fields (Excel's separator where the decimal sign is a comma), a header row of the
columns' labels, the rows, then the totals row ("Total" in its first column when that is empty).
Numbers are written without grouping, with a point (``1234.50``) or, with ``decimal_comma``, a
comma (``1234,50``: what a Turkish Excel takes for a number); counts and points are whole numbers;
percentages are the number of percent (``12.5`` is 12,5 %); days are ISO ``2026-12-01``, which
Excel reads as a date in every language. Text that a spreadsheet would run as a formula
(``=…``, ``+…``, ``@…``) is written with a leading ``'``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from pos_tui.core.kernel.formats import protect_cell
from pos_tui.core.reports.exporting.headings import totals_cells
from pos_tui.core.reports.model import Cell, Report, plain_number

_DECIMAL_KINDS = frozenset({"money", "qty", "percent"})


def _cell(value: Cell, kind: str, decimal_comma: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return protect_cell(value)
    text = plain_number(value, kind)
    if decimal_comma and kind in _DECIMAL_KINDS:
        text = text.replace(".", ",")
    return text


def csv_bytes(report: Report, *, decimal_comma: bool = False) -> bytes:
    """``report`` as CSV bytes (see the module docstring)."""
    report = report.for_people()
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    kinds = [c.kind for c in report.columns]
    writer.writerow([protect_cell(c.label) for c in report.columns])

    def write(row: Sequence[Cell]) -> None:
        writer.writerow([_cell(v, k, decimal_comma) for v, k in zip(row, kinds, strict=True)])

    for row in report.rows:
        write(row)
    totals = totals_cells(report)
    if totals is not None:
        write(totals)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")

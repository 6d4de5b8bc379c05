"""Count sheets for a paper count: every product in the session's scope that is on sale or has
stock at its location, by category and name, with an empty column for the counted quantity.
The expected quantity (on hand now) is printed only on the sheets of an open count, never on a
blind one's. CSV and XLSX are written here; the PDF is drawn by ``pos-admin count sheet``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

from pos_tui import store
from pos_tui.core.kernel.formatting import format_quantity
from pos_tui.core.kernel.vocabulary import unit_label
from pos_tui.core.stock.counting.sessions import CountInfo, get_count
from pos_tui.i18n import _
from pos_tui.store import models as m


@dataclass(frozen=True, slots=True)
class SheetRow:
    code: str
    barcode: str
    name: str
    unit: str
    category: str
    location: str
    expected: int | None  # milli-units; None on a blind count's sheet


def sheet_rows(session_id: int) -> tuple[CountInfo, list[SheetRow]]:
    info = get_count(session_id)
    P, S, B, C = m.Product, m.StockLevel, m.Barcode, m.Category
    levels = dict(store.rows(S.select(S.product, S.qty).where(S.location == info.location_id)))
    categories = dict(store.rows(C.select(C.id, C.name)))
    barcodes: dict[int, str] = {}
    for code, pid in store.rows(B.select(B.code, B.product).order_by(B.code)):
        barcodes.setdefault(pid, code)
    wanted_p, wanted_c = info.scope.product_set, info.scope.category_set
    rows = []
    query = P.select(P.id, P.code, P.name, P.unit, P.category, P.active)
    for pid, code, name, unit, category, active in store.rows(query):
        if not info.scope.everything and pid not in wanted_p and (category is None or category not in wanted_c):
            continue
        on_hand = levels.get(pid, 0)
        if not active and not on_hand:
            continue
        rows.append(
            SheetRow(
                code,
                barcodes.get(pid, ""),
                name,
                unit,
                categories.get(category, "") if category is not None else "",
                info.location,
                None if info.blind else on_hand,
            )
        )
    rows.sort(key=lambda r: (r.category, r.name, r.code))
    return info, rows


def sheet_header(blind: bool) -> list[str]:
    head = [_("code"), _("barcode"), _("name"), _("unit"), _("location")]
    if not blind:
        head.append(_("expected"))
    head.append(_("counted"))
    return head


def sheet_cells(row: SheetRow) -> list[str]:
    """A sheet's row in the shop's words and numbers (``adet``, ``1,5``): sheets are for people."""
    cells = [row.code, row.barcode, row.name, unit_label(row.unit), row.location]
    if row.expected is not None:
        cells.append(format_quantity(row.expected))
    cells.append("")
    return cells


def sheet_csv(info: CountInfo, rows: Sequence[SheetRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(sheet_header(info.blind))
    for row in rows:
        writer.writerow(sheet_cells(row))
    return out.getvalue()


def sheet_xlsx(info: CountInfo, rows: Sequence[SheetRow]) -> bytes:
    """A one-sheet XLSX workbook (xlsxwriter, imported only here): text cells, so codes and
    barcodes keep their leading zeros; the counted column is left empty for the pen."""
    import xlsxwriter  # type: ignore[import-untyped]

    out = io.BytesIO()
    workbook = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = workbook.add_worksheet(_("Count {id}").format(id=info.id)[:31])
    bold = workbook.add_format({"bold": True})
    for c, value in enumerate(sheet_header(info.blind)):
        sheet.write_string(0, c, value, bold)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(sheet_cells(row)):
            if value != "":
                sheet.write_string(r, c, value)
    sheet.freeze_panes(1, 0)
    workbook.close()
    return out.getvalue()

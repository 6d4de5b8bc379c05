"""Shelf labels for a receipt printer: each label as a :class:`~pos_tui.core.kernel.printable.Printable`.

A small shop without a sheet printer prints labels on the receipt printer and cuts them out.
Each label is its own job (cut after it), laid out for the paper's width in characters, with
the barcode as a :class:`~pos_tui.core.kernel.printable.PrintLine` that the printer driver
(``pos_tui.devices.printer``) prints with the printer's own barcode command (ESC/POS
``GS k``): EAN-13 for a product's GTIN, Code 128 of the product code otherwise. The words
and figures are the same as on the PDF sheet (:func:`pos_tui.core.catalog.shelf_labels.label_text`).
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from pos_tui.core.catalog import ShelfLabel, label_text
from pos_tui.core.kernel import Printable, PrintLine, columns
from pos_tui.i18n import _

DEFAULT_WIDTH = 42  # characters of font A on 80 mm paper (32 on 58 mm)
DOUBLE_WIDTH_LIMIT = 2  # a double-width line holds half as many characters


def label_printable(label: ShelfLabel, *, width: int = DEFAULT_WIDTH, language: str = "tr") -> Printable:
    """One shelf label as a print job: the name (bold, at most two lines), the price in double
    size, the unit price, the date and code, then the barcode; cut after it."""
    text = label_text(label, language)
    lines: list[PrintLine] = []
    name_lines = textwrap.wrap(text.name, width) or [""]
    if len(name_lines) > 2:
        name_lines = [name_lines[0], textwrap.shorten(" ".join(name_lines[1:]), width, placeholder="...")]
    lines += [PrintLine(line, align="center", bold=True) for line in name_lines]
    price = f"{text.price} {text.per}".strip()
    unit_line = f"{text.unit_price_amount} {text.unit_price_per}".strip()
    # The sale price and the unit price in the same size (the regulation: same size and colour).
    double = all(len(line) * DOUBLE_WIDTH_LIMIT <= width for line in (price, unit_line))
    lines.append(PrintLine(price, align="center", bold=True, double=double))
    if text.unit_price:
        lines.append(PrintLine(text.unit_price_caption, align="center"))
        lines.append(PrintLine(unit_line, align="center", bold=True, double=double))
    if text.net:
        lines.append(PrintLine(text.net, align="center"))
    lines.append(PrintLine(columns(text.date, text.code, width)))
    if label.barcode is not None:
        lines.append(PrintLine(align="center", barcode=label.barcode, symbology=label.symbology))
    return Printable(title=_("Shelf label {code}").format(code=label.code), lines=tuple(lines), cut=True)


def label_printables(
    labels: Sequence[ShelfLabel], *, width: int = DEFAULT_WIDTH, language: str = "tr"
) -> list[Printable]:
    """Every label as its own job, in order (a job per label: the printer cuts between them,
    and a paper-out in the middle leaves the rest waiting in the print queue, not lost)."""
    return [label_printable(label, width=width, language=language) for label in labels]


__all__ = ["DEFAULT_WIDTH", "label_printable", "label_printables"]

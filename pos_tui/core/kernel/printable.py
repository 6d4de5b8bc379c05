"""What a printer is asked to print, as values: lines of text and barcodes, a cut, a drawer kick.

Receipts, information slips, reports and shelf labels are built in ``core`` as a
:class:`Printable`; a driver in ``pos_tui.devices`` turns it into its own bytes (ESC/POS for a
receipt printer) and the TUI shows the same lines as an on-screen preview. Keeping the layout
here means the words and figures on paper are tested without a printer, and a new printer
language needs a driver, not a second layout.

Lines are already laid out for the paper's width in characters (see :func:`columns`): a driver
only styles and encodes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Align = Literal["left", "center", "right"]
Symbology = Literal["CODE128", "EAN13", "QR"]  # QR: the e-Arşiv slip's karekod


@dataclass(frozen=True, slots=True)
class PrintLine:
    """One printed line: text (styled), or a barcode of ``barcode`` when it is set."""

    text: str = ""
    align: Align = "left"
    bold: bool = False
    double: bool = False  # double width and height: totals, the "no fiscal value" notice
    barcode: str | None = None
    symbology: Symbology = "CODE128"


@dataclass(frozen=True, slots=True)
class Printable:
    """A whole print job. ``title`` names it on the status line and in the print queue."""

    title: str
    lines: tuple[PrintLine, ...]
    cut: bool = True
    kick: bool = False  # open the cash drawer once the job is printed


def columns(left: str, right: str, width: int) -> str:
    """``left`` and ``right`` on one line of ``width`` characters; a long ``left`` is cut short
    (never the right side, which is the amount)."""
    room = width - len(right) - 1
    if room < 1:
        return right[-width:]
    left = left[:room]  # no ellipsis: receipt code pages have none
    return left + " " * (width - len(left) - len(right)) + right


__all__ = ["Align", "PrintLine", "Printable", "Symbology", "columns"]

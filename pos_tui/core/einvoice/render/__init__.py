"""Showing an invoice, from its UBL-TR XML alone (ours or one received): the HTML page (our XSLT 1.0
stylesheet, ``pos_tui/data/einvoice.xsl``), the A4 PDF (reportlab), GİB's karekod (QR code) content
and the information slip (e-Arşiv or e-Fatura) for the receipt printer. docs/einvoice-render.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pos_tui.core.kernel.lazy import front_door

# public name -> the module of this package that defines it (a module's own name: the module itself)
_EXPORTS = {
    "InvoiceView": "view",
    "info_slip": "slip",
    "info_slip_lines": "slip",
    "karekod": "qr",
    "karekod_fields": "qr",
    "qr_matrix": "qr",
    "qr_svg": "qr",
    "read_invoice": "view",
    "render_html": "html",
    "render_pdf": "pdf",
}

__all__ = [
    "InvoiceView",
    "info_slip",
    "info_slip_lines",
    "karekod",
    "karekod_fields",
    "qr_matrix",
    "qr_svg",
    "read_invoice",
    "render_html",
    "render_pdf",
]
if not TYPE_CHECKING:  # type checkers read the imports below instead, and flag a misspelt name
    __getattr__, __dir__ = front_door(__name__, _EXPORTS)

if TYPE_CHECKING:
    from pos_tui.core.einvoice.render.html import render_html
    from pos_tui.core.einvoice.render.pdf import render_pdf
    from pos_tui.core.einvoice.render.qr import karekod, karekod_fields, qr_matrix, qr_svg
    from pos_tui.core.einvoice.render.slip import info_slip, info_slip_lines
    from pos_tui.core.einvoice.render.view import InvoiceView, read_invoice

"""GİB's karekod (QR code) of an invoice printout: a minified JSON object whose values are copied
verbatim from the XML (docs/einvoice-rules.md §4), and the QR symbol that carries it, as a module
matrix (the PDF draws it with reportlab's widget; the HTML page shows it as an inline SVG).
"""

from __future__ import annotations

import json
from typing import Any

from pos_tui.core.einvoice.render.view import KDV_CODE, NS, parse

QR_LEVEL = "L"  # the error-correction level of GİB's own display XSLT


def _text(root: Any, path: str) -> str:
    found = root.xpath(path, namespaces=NS)
    return str(found[0]).strip() if found else ""


def karekod_fields(xml: bytes) -> dict[str, str]:
    """The karekod's keys and values in GİB's order."""
    root = parse(xml)
    fields = {
        "vkntckn": _text(
            root,
            "cac:AccountingSupplierParty/cac:Party/cac:PartyIdentification/cbc:ID"
            "[@schemeID='VKN' or @schemeID='TCKN']/text()",
        ),
        "avkntckn": _text(
            root,
            "cac:AccountingCustomerParty/cac:Party/cac:PartyIdentification/cbc:ID"
            "[@schemeID='VKN' or @schemeID='TCKN']/text()",
        ),
        "senaryo": _text(root, "cbc:ProfileID/text()"),
        "tip": _text(root, "cbc:InvoiceTypeCode/text()"),
        "tarih": _text(root, "cbc:IssueDate/text()"),
        "no": _text(root, "cbc:ID/text()"),
        "ettn": _text(root, "cbc:UUID/text()"),
        "parabirimi": _text(root, "cbc:DocumentCurrencyCode/text()"),
        "malhizmettoplam": _text(root, "cac:LegalMonetaryTotal/cbc:LineExtensionAmount/text()"),
    }
    path = f"cac:TaxTotal/cac:TaxSubtotal[cac:TaxCategory/cac:TaxScheme/cbc:TaxTypeCode='{KDV_CODE}']"
    for sub in root.xpath(path, namespaces=NS):
        percent = _text(sub, "cbc:Percent/text()")
        fields[f"kdvmatrah({percent})"] = _text(sub, "cbc:TaxableAmount/text()")
        fields[f"hesaplanankdv({percent})"] = _text(sub, "cbc:TaxAmount/text()")
    fields["vergidahil"] = _text(root, "cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount/text()")
    fields["odenecek"] = _text(root, "cac:LegalMonetaryTotal/cbc:PayableAmount/text()")
    return fields


def karekod(xml: bytes) -> str:
    """The karekod text of an invoice: GİB's JSON, minified, values as written in the XML."""
    return json.dumps(karekod_fields(xml), ensure_ascii=False, separators=(",", ":"))


def qr_widget(text: str, size: float) -> Any:
    """reportlab's QR widget for ``text``, ``size`` points square (quiet zone included)."""
    from reportlab.graphics.barcode.qr import QrCodeWidget

    return QrCodeWidget(text, barLevel=QR_LEVEL, barWidth=size, barHeight=size, barBorder=4)


def qr_matrix(text: str) -> list[list[bool]]:
    """The QR symbol of ``text`` as rows of dark (True) and light modules, without the quiet zone."""
    widget = qr_widget(text, 100)
    widget.qr.make()
    return [[bool(cell) for cell in row] for row in widget.qr.modules]


def qr_svg(text: str, *, module: int = 4, border: int = 4) -> str:
    """The QR symbol of ``text`` as a standalone SVG element (one path of dark squares)."""
    matrix = qr_matrix(text)
    side = (len(matrix) + 2 * border) * module
    squares = "".join(
        f"M{(c + border) * module},{(r + border) * module}h{module}v{module}h-{module}z"
        for r, row in enumerate(matrix)
        for c, dark in enumerate(row)
        if dark
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="karekod" width="{side}" height="{side}" '
        f'viewBox="0 0 {side} {side}" shape-rendering="crispEdges" role="img" aria-label="Karekod">'
        f'<rect width="{side}" height="{side}" fill="#fff"/><path fill="#000" d="{squares}"/></svg>'
    )

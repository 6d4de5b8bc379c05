"""The HTML view of an invoice: our XSLT 1.0 stylesheet (``pos_tui/data/einvoice.xsl``) run by lxml
on the XML, with the karekod drawn as an inline SVG where the stylesheet leaves ``<div id="karekod">``.
The stylesheet escapes every value it copies from the XML.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from lxml import etree

from pos_tui.core.einvoice.render.qr import karekod, qr_svg
from pos_tui.core.einvoice.render.view import parse

STYLESHEET = Path(__file__).resolve().parents[3] / "data" / "einvoice.xsl"


@functools.cache
def _transform() -> Any:
    access = etree.XSLTAccessControl.DENY_ALL  # the stylesheet reads nothing but the invoice
    return etree.XSLT(etree.parse(str(STYLESHEET)), access_control=access)


def render_html(xml: bytes) -> str:
    """The invoice as a standalone HTML page (UTF-8 text)."""
    root = parse(xml)
    result = _transform()(root)
    page = result.getroot()
    holder = page.find(".//div[@id='karekod']")
    if holder is not None:
        svg = etree.fromstring(qr_svg(karekod(xml)).replace(' xmlns="http://www.w3.org/2000/svg"', ""))
        holder.append(svg)
    return str(result)

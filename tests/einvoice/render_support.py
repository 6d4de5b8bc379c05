"""Helpers for the render tests (a uniquely named module; no tests in it): issue an invoice and read
its XML, decode every QR code on a PDF's pages, and draw the HTML page's SVG karekod as pixels so an
independent decoder (zxing-cpp) reads it."""

from __future__ import annotations

import re

import pypdfium2 as pdfium
import zxingcpp
from einvoice_support import Shop, consumer_draft, issue
from PIL import Image, ImageDraw

from pos_tui.core import einvoice

SQUARE = re.compile(r"M(\d+),(\d+)h(\d+)v\d+h-\d+z")


def issued_xml(shop: Shop, **kw: object) -> tuple[einvoice.IssuedInvoice, bytes]:
    inv = issue(shop, consumer_draft(shop.settings, **kw))  # type: ignore[arg-type]
    return inv, einvoice.invoice_xml(inv.id)


def pdf_qr_codes(data: bytes, dpi: int = 200) -> list[list[str]]:
    """The QR codes zxing-cpp reads on each page of a PDF."""
    pages = []
    for page in pdfium.PdfDocument(data):
        image = page.render(scale=dpi / 72, grayscale=True).to_pil()
        pages.append([r.text for r in zxingcpp.read_barcodes(image) if r.format.name == "QRCode"])
    return pages


def pdf_pages_text(data: bytes) -> list[str]:
    return [" ".join(page.get_textpage().get_text_range().split()) for page in pdfium.PdfDocument(data)]


def svg_qr_text(svg_width: int, path: str, scale: int = 3) -> list[str]:
    """Draw the squares of the SVG's path (``M x,y h s v s h-s z``) and decode them."""
    image = Image.new("L", (svg_width * scale, svg_width * scale), 255)
    draw = ImageDraw.Draw(image)
    for x, y, side in ((int(a), int(b), int(c)) for a, b, c in SQUARE.findall(path)):
        draw.rectangle([x * scale, y * scale, (x + side) * scale - 1, (y + side) * scale - 1], fill=0)
    return [r.text for r in zxingcpp.read_barcodes(image)]

"""The PDF of an invoice (A4, reportlab): the same content as the HTML view, read from the XML.
Every page repeats the invoice's title, number, date and ETTN at the top and the page number at
the bottom; the lines table flows over as many pages as it needs with its column heads repeated.

The font is Bitstream Vera, shipped inside reportlab, which has every Turkish letter (Helvetica
has no ş or ğ) — as the promissory notes (accounts.cheques) do. Amounts read the Turkish way.
"""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from pos_tui.core.einvoice.render.qr import karekod, qr_widget
from pos_tui.core.einvoice.render.view import InvoiceView, LineView, PartyView, day, read_invoice, shown_price
from pos_tui.core.kernel.formatting import format_decimal, format_money

FONTS = ("PosInvoice", "PosInvoiceBold")


def _fonts() -> tuple[str, str]:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    folder = Path(pdfmetrics.__file__).resolve().parent.parent / "fonts"
    for name, file in zip(FONTS, ("Vera.ttf", "VeraBd.ttf"), strict=True):
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, str(folder / file)))
    return FONTS


def _cur(view: InvoiceView) -> str:
    return "TL" if view.currency == "TRY" else view.currency


def money(value: Decimal, currency: str = "TL") -> str:
    return f"{format_money(value, 'tr')} {currency}"


def quantity(value: Decimal) -> str:
    return format_decimal(value.normalize() if value == value.to_integral() else value, language="tr")


def _party_lines(party: PartyView, *, supplier: bool) -> list[str]:
    lines = [party.name]
    if party.address:
        lines.append(party.address)
    if party.phone:
        lines.append(f"Tel: {party.phone}")
    if party.email:
        lines.append(f"E-Posta: {party.email}")
    if party.tax_office:
        lines.append(f"Vergi Dairesi: {party.tax_office}")
    if party.identifier:
        lines.append(f"{party.scheme}: {party.identifier}")
    if party.mersis:
        lines.append(f"MERSİS No: {party.mersis}")
    if party.trade_registry:
        lines.append(f"Ticaret Sicil No: {party.trade_registry}")
    return lines if supplier else ["SAYIN", *lines]


def head_rows(view: InvoiceView) -> list[tuple[str, str]]:
    """The invoice's own fields, as (label, value) rows."""
    rows = [
        ("Özelleştirme No", view.customization),
        ("Senaryo", view.profile),
        ("Fatura Tipi", view.type),
        ("Fatura No", view.number),
        ("Fatura Tarihi", f"{day(view.issue_date)} {view.issue_time[:5]}".strip()),
    ]
    for number, date, description in view.fiscal_slips:
        rows.append(("ÖKC Fiş", " · ".join(p for p in (f"Fiş No: {number}", day(date), description) if p)))
    for number, date in view.billing_refs:
        rows.append(("İade Edilen Fatura", f"{number} · {day(date)}"))
    return rows


def total_rows(view: InvoiceView) -> list[tuple[str, str]]:
    """The totals block, as (label, amount) rows."""
    cur = _cur(view)
    rows = [
        ("Mal Hizmet Toplam Tutarı", money(view.goods_total, cur)),
        ("Toplam İskonto", money(view.discount_total, cur)),
        ("Vergi Hariç Tutar", money(view.tax_exclusive, cur)),
    ]
    rows += [(f"Hesaplanan KDV (%{t.percent})", money(t.amount, cur)) for t in view.kdv]
    rows += [(f"KDV Tevkifatı (%{t.percent}) {t.code}".strip(), money(t.amount, cur)) for t in view.withholding]
    rows += [
        ("Vergiler Dahil Toplam Tutar", money(view.tax_inclusive, cur)),
        ("Ödenecek Tutar", money(view.payable, cur)),
    ]
    return rows


def tax_code_rows(view: InvoiceView) -> list[tuple[str, str]]:
    """The legal codes of the invoice's taxes, one row per subtotal that has one: the KDV exemption
    ("KDV İstisna (%0)", "301 - 11/1-a Mal ihracatı") and the withholding ("KDV Tevkifatı (%90)",
    "602 - Etüt, plan-proje… (9/10)")."""
    rows = [(f"KDV İstisna (%{t.percent})", t.legal_text) for t in view.kdv if t.legal_text]
    rows += [(f"KDV Tevkifatı (%{t.percent})", t.legal_text) for t in view.withholding]
    return rows


def line_name(line: LineView) -> list[str]:
    """The line's name, then its exemption and withholding codes (one text each)."""
    return [
        line.name,
        *(f"İstisna: {text}" for text in line.exemptions),
        *(f"Tevkifat: {text}" for text in line.withholdings),
    ]


def unit_price(value: Decimal) -> str:
    """The printed unit price: 2 to 4 decimals, the Turkish way (``34,5533``)."""
    return format_decimal(shown_price(value), places=2, language="tr")


def render_pdf(xml: bytes) -> bytes:
    """The invoice as an A4 PDF (bytes)."""
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    view = read_invoice(xml)
    regular, bold = _fonts()
    text = ParagraphStyle("text", fontName=regular, fontSize=8.5, leading=11)
    strong = ParagraphStyle("strong", parent=text, fontName=bold)
    cell = ParagraphStyle("cell", parent=text, fontSize=7.5, leading=9)
    head_cell = ParagraphStyle("head", parent=cell, fontName=bold)
    right = ParagraphStyle("right", parent=cell, alignment=2)

    def para(value: str, style: Any = text) -> Any:
        return Paragraph(escape(value), style)

    def party_block(party: PartyView, *, supplier: bool) -> Any:
        lines = _party_lines(party, supplier=supplier)
        cells = [[para(lines[0], strong)], *[[para(v)] for v in lines[1:]]]
        table = Table(cells, colWidths=[95 * mm])
        table.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 0.6, colors.black), ("TOPPADDING", (0, 0), (-1, -1), 1)]))
        return table

    size = 32 * mm
    qr = Drawing(size, size)
    qr.add(qr_widget(karekod(xml), size))
    head = Table([[para(label, strong), para(value)] for label, value in head_rows(view)], colWidths=[33 * mm, 52 * mm])
    head.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.black), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    left = [party_block(view.supplier, supplier=True), Spacer(1, 4 * mm), party_block(view.customer, supplier=False)]
    right_side = [qr, para(view.title, ParagraphStyle("title", parent=strong, fontSize=14, leading=18)), head]
    top = Table([[left, right_side]], colWidths=[100 * mm, 86 * mm])
    top.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))

    heads = ["Sıra", "Kod", "Mal Hizmet", "Miktar", "Birim Fiyat", "İskonto", "KDV %", "KDV", "Tutar"]
    rows: list[list[Any]] = [[Paragraph(escape(h), head_cell) for h in heads]]
    for ln in view.lines:
        rows.append(
            [
                para(ln.no, cell),
                para(ln.code, cell),
                [para(text, cell) for text in line_name(ln)],
                para(f"{quantity(ln.quantity)} {ln.unit_name}", right),
                para(unit_price(ln.price), right),
                para(format_money(ln.discount, "tr"), right),
                para(f"%{ln.rate}", right),
                para(format_money(ln.kdv, "tr"), right),
                para(format_money(ln.amount, "tr"), right),
            ]
        )
    widths = [11, 16, 50, 20, 24, 17, 12, 16, 20]  # 186 mm: A4 less the margins
    lines = Table(rows, colWidths=[w * mm for w in widths], repeatRows=1)
    lines.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.black),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    totals = Table(
        [[para(a, strong), para(b, right)] for a, b in total_rows(view)], colWidths=[55 * mm, 35 * mm], hAlign="RIGHT"
    )
    totals.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.black)]))
    story: list[Any] = [
        top,
        Spacer(1, 3 * mm),
        para(f"ETTN: {view.uuid}"),
        Spacer(1, 3 * mm),
        lines,
        Spacer(1, 4 * mm),
        totals,
    ]
    codes = tax_code_rows(view)
    if codes:
        table = Table([[para(a, strong), para(b)] for a, b in codes], colWidths=[40 * mm, 146 * mm])
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.black), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        story += [Spacer(1, 4 * mm), table]
    if view.notes:
        story += [Spacer(1, 4 * mm), *[para(n) for n in view.notes]]

    def on_page(canvas: Any, doc: Any) -> None:
        width, height = A4
        canvas.saveState()
        canvas.setFont(bold, 9)
        canvas.drawString(12 * mm, height - 10 * mm, f"{view.title} {view.number}")
        canvas.setFont(regular, 8)
        canvas.drawRightString(width - 12 * mm, height - 10 * mm, f"{day(view.issue_date)}  ETTN: {view.uuid}")
        canvas.line(12 * mm, height - 12 * mm, width - 12 * mm, height - 12 * mm)
        canvas.drawRightString(width - 12 * mm, 8 * mm, f"Sayfa {doc.page}")
        canvas.restoreState()

    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=16 * mm,
        bottomMargin=14 * mm,
        title=f"{view.title} {view.number}",
        author=view.supplier.name,
        pageCompression=1,
    )
    doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return out.getvalue()

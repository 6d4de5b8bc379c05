"""The printed gider pusulası (or return slip) of a consumer's return, for the consumer's signature
(docs/einvoice-trade.md; the fields are those docs/einvoice-rules.md §1 lists): the shop (title, VKN, tax
office, address), the consumer (name, TCKN, address — blank lines to fill in when not given), the original
invoice (number, ETTN, date) and receipts, the returned lines with their KDV shown apart from the price, the
KDV per rate, the refunded total in figures and words, how it was refunded, and two signature lines.

It is a Turkish tax document, so it is printed in Turkish whatever the interface language (like the senet).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from pos_tui import store
from pos_tui.core.einvoice.sources import PAYMENT_NAMES
from pos_tui.core.einvoice.trade_returns import GIDER_PUSULASI, RECEIVED_IADE, ReturnDocumentInfo
from pos_tui.core.einvoice.words import amount_words
from pos_tui.core.kernel.errors import ValidationError
from pos_tui.core.kernel.formatting import format_money, format_quantity
from pos_tui.core.kernel.money import from_kurus
from pos_tui.i18n import _
from pos_tui.settings import Settings
from pos_tui.store import models as m

TITLES = {GIDER_PUSULASI: "GİDER PUSULASI", "return_slip": "MAL İADE FİŞİ"}
BLANK = "................................................"


def _fonts() -> tuple[str, str]:
    """Bitstream Vera, shipped inside reportlab, has every Turkish letter (Helvetica has no ş)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    folder = Path(pdfmetrics.__file__).resolve().parent.parent / "fonts"
    names = ("PosReturn", "PosReturnBold")
    for name, file in zip(names, ("Vera.ttf", "VeraBd.ttf"), strict=True):
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, str(folder / file)))
    return names


def _tl(amount: Decimal) -> str:
    return f"{format_money(amount, 'tr')} TL"


def return_document_pdf(
    doc: ReturnDocumentInfo, path: Path | str, settings: Settings, *, address: str | None = None
) -> Path:
    """Write the gider pusulası / return slip ``doc`` as an A4 PDF to ``path`` (replaced only once the whole
    file is written); ``address``: the consumer's address (default: the one recorded with the document),
    else a blank line to fill in by hand."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.lib.utils import simpleSplit
    from reportlab.pdfgen.canvas import Canvas

    if doc.kind == RECEIVED_IADE:
        raise ValidationError(
            _("Return {receipt} is documented by the buyer's IADE invoice {number}: the shop prints nothing").format(
                receipt=doc.receipt, number=doc.number
            )
        )
    path = Path(path)
    if not path.parent.is_dir():
        raise ValidationError(_("No folder {folder} to write the document to").format(folder=path.parent))
    L, K, P = m.SaleLine, m.SaleKdv, m.Payment
    lines = list(
        store.rows(
            L.select(L.name, L.qty, L.unit, L.total, L.kdv_rate, L.kdv).where(L.sale == doc.sale_id).order_by(L.line_no)
        )
    )
    rates = list(store.rows(K.select(K.rate, K.base, K.kdv).where(K.sale == doc.sale_id).order_by(K.rate)))
    paid: dict[str, int] = defaultdict(int)
    for method, amount in store.rows(P.select(P.method, P.amount).where(P.sale == doc.sale_id)):
        paid[str(method)] += abs(int(amount))
    regular, bold = _fonts()
    shop = settings.shop
    title = TITLES.get(doc.kind, "GİDER PUSULASI")
    width, height = A4
    left, right = 18 * mm, width - 18 * mm
    tmp = path.with_name(path.name + ".part")
    canvas = Canvas(str(tmp), pagesize=A4, pageCompression=1)
    canvas.setTitle(f"{title} {doc.number}")
    canvas.setAuthor(shop.legal_name or shop.name)
    y = height - 20 * mm

    def text(value: str, *, font: str = regular, size: int = 10, x: float = left, step: float = 5 * mm) -> None:
        nonlocal y
        canvas.setFont(font, size)
        for part in simpleSplit(value, font, size, right - x) or [""]:
            if y < 25 * mm:
                canvas.showPage()
                y = height - 20 * mm
                canvas.setFont(font, size)
            canvas.drawString(x, y, part)
            y -= step

    canvas.setFont(bold, 16)
    canvas.drawString(left, y, title)
    canvas.setFont(regular, 10)
    canvas.drawRightString(right, y, f"No: {doc.number}")
    y -= 6 * mm
    canvas.drawString(left, y, "(Nihai tüketiciden mal iadesi)")
    canvas.drawRightString(right, y, f"Tarih: {doc.issue_date.strftime('%d.%m.%Y')}")
    y -= 10 * mm
    text("Düzenleyen (satıcı)", font=bold)
    text(f"Unvan: {shop.legal_name or shop.name}")
    text(f"VKN/TCKN: {shop.vkn or BLANK}   Vergi dairesi: {shop.tax_office or BLANK}")
    text(f"Adres: {' '.join((shop.address or '').split()) or BLANK}")
    y -= 3 * mm
    text("Malı iade eden (alıcı)", font=bold)
    text(f"Adı soyadı: {doc.person_name or BLANK}")
    text(f"TCKN: {doc.person_id or BLANK}")
    text(f"Adres: {' '.join((address or doc.person_address or '').split()) or BLANK}")
    y -= 3 * mm
    text("İade edilen malların faturası", font=bold)
    text(f"Fatura no: {doc.invoice_number}   Tarih: {doc.invoice_date.strftime('%d.%m.%Y')}")
    text(f"ETTN: {doc.invoice_uuid}")
    text(f"Satış fişi: {doc.original_receipt}   İade fişi: {doc.receipt}")
    y -= 4 * mm
    # name and quantity from the left; KDV %, net, KDV and total right-aligned at these edges
    qty_x = left + 74 * mm
    edges = (left + 112 * mm, left + 136 * mm, left + 154 * mm, right)
    canvas.setFont(bold, 9)
    canvas.drawString(left, y, "Malın cinsi")
    canvas.drawString(qty_x, y, "Miktar")
    for x, head in zip(edges, ("KDV %", "KDV hariç", "KDV", "Toplam"), strict=True):
        canvas.drawRightString(x, y, head)
    y -= 2 * mm
    canvas.line(left, y, right, y)
    y -= 5 * mm
    canvas.setFont(regular, 9)
    for name, qty, unit, total, rate, kdv in lines:
        if y < 40 * mm:
            canvas.showPage()
            y = height - 20 * mm
            canvas.setFont(regular, 9)
        gross, tax = abs(int(total)), abs(int(kdv))
        canvas.drawString(left, y, simpleSplit(str(name), regular, 9, 72 * mm)[0])
        canvas.drawString(qty_x, y, format_quantity(abs(int(qty)), str(unit), language="tr"))
        values = (f"%{rate}", format_money(from_kurus(gross - tax), "tr"), format_money(from_kurus(tax), "tr"),
                  format_money(from_kurus(gross), "tr"))  # fmt: skip
        for x, value in zip(edges, values, strict=True):
            canvas.drawRightString(x, y, value)
        y -= 5 * mm
    canvas.line(left, y + 3 * mm, right, y + 3 * mm)
    y -= 2 * mm
    label_x = left + 84 * mm
    base_total = sum(abs(int(b)) for _r, b, _k in rates)
    canvas.setFont(regular, 10)
    canvas.drawString(label_x, y, "KDV hariç toplam:")
    canvas.drawRightString(right, y, _tl(from_kurus(base_total)))
    y -= 5 * mm
    for rate, _base, kdv in rates:
        canvas.drawString(label_x, y, f"KDV %{rate}:")
        canvas.drawRightString(right, y, _tl(from_kurus(abs(int(kdv)))))
        y -= 5 * mm
    canvas.setFont(bold, 10)
    canvas.drawString(label_x, y, "Ödenen toplam (KDV dahil):")
    canvas.drawRightString(right, y, _tl(doc.amount))
    y -= 8 * mm
    text(amount_words(doc.amount), font=bold)
    methods = ", ".join(f"{PAYMENT_NAMES.get(k, k)} {_tl(from_kurus(v))}" for k, v in sorted(paid.items()))
    text(f"İade şekli: {methods or BLANK}")
    if doc.note:
        text(f"Not: {doc.note}")
    y -= 3 * mm
    text(
        f"Yukarıda dökümü yazılı malları iade ettim; bedeli olan {_tl(doc.amount)} "
        f"({amount_words(doc.amount).removeprefix('Yalnız: ')}) tarafıma ödenmiştir."
    )
    y -= 14 * mm
    if y < 30 * mm:
        canvas.showPage()
        y = height - 40 * mm
    canvas.setFont(bold, 10)
    canvas.drawString(left, y, "Malı iade eden (ad soyad, imza)")
    canvas.drawString(left + 100 * mm, y, "Teslim alan (işletme, kaşe, imza)")
    y -= 16 * mm
    canvas.line(left, y, left + 70 * mm, y)
    canvas.line(left + 100 * mm, y, right, y)
    canvas.save()
    tmp.replace(path)
    return path

"""The information slip of an invoice (e-Arşiv fatura bilgi fişi, or e-Fatura bilgi fişi for an
e-Fatura) for the receipt printer, read from the invoice's XML: the shop, the slip's title after
the invoice's profile, the invoice's number, date and ETTN, the customer, the totals with KDV per
rate, the exemption and withholding codes, the amount in words, how the invoice reaches the buyer
(the e-Arşiv SendingType: ELEKTRONIK or KAGIT), where it can be checked, and the karekod as the
printer's own QR code. Laid out for the paper's width like every receipt
(:mod:`pos_tui.core.till.receipts`); the wording is the legal Turkish one, never translated.
"""

from __future__ import annotations

import textwrap

from pos_tui.core.einvoice.render.qr import karekod
from pos_tui.core.einvoice.render.view import InvoiceView, day, read_invoice
from pos_tui.core.kernel.errors import ValidationError
from pos_tui.core.kernel.formatting import format_money
from pos_tui.core.kernel.printable import Align, Printable, PrintLine, columns
from pos_tui.i18n import _

WIDTHS = range(32, 81)
WHERE = "Karekod faturanın PDF çıktısında da vardır; fatura ETTN ve VKN/TCKN ile sorgulanabilir."
"""Where the invoice and its karekod can be checked: printed on every slip, also on screen, where the
karekod itself cannot be drawn; a shop passes its integrator's own text (``where=``)."""
DELIVERY = {
    "ELEKTRONIK": "e-Arşiv faturanız elektronik ortamda iletilir.",
    "KAGIT": "e-Arşiv faturanız kağıt olarak verilir; faturanın çıktısı alıcı nüshasıdır.",
}
"""How an e-Arşiv invoice reaches the buyer, by its SendingType (none printed without one)."""
EFATURA_DELIVERY = "e-Faturanız GİB üzerinden e-Fatura posta kutunuza iletilir."


def slip_title(view: InvoiceView) -> str:
    return "e-Arşiv Fatura Bilgi Fişi" if view.profile == "EARSIVFATURA" else "e-Fatura Bilgi Fişi"


def delivery(view: InvoiceView) -> str:
    """The sentence on how the invoice reaches the buyer: an e-Fatura through GİB to his mailbox; an
    e-Arşiv invoice by its SendingType (electronically, or on paper: the printout is his copy)."""
    if view.profile != "EARSIVFATURA":
        return EFATURA_DELIVERY
    return DELIVERY.get(view.sending_type, "")


def _printable(text: str) -> str:
    return "".join(c if c.isprintable() else " " for c in text)


class _Slip:
    def __init__(self, width: int) -> None:
        if width not in WIDTHS:
            raise ValidationError(
                _("The paper width must be {low} to {high} characters, not {width}").format(
                    low=WIDTHS.start, high=WIDTHS.stop - 1, width=width
                )
            )
        self.width = width
        self.lines: list[PrintLine] = []

    def text(self, text: str, *, align: Align = "left", bold: bool = False) -> None:
        parts = textwrap.wrap(_printable(text), self.width, break_long_words=True, break_on_hyphens=False)
        self.lines += [PrintLine(p, align=align, bold=bold) for p in parts or [""]]

    def row(self, left: str, right: str, *, bold: bool = False) -> None:
        if len(left) + len(right) + 1 > self.width:  # a long value goes under its label
            self.text(left, bold=bold)
            self.text(right, align="right", bold=bold)
        else:
            self.lines.append(PrintLine(columns(_printable(left), _printable(right), self.width), bold=bold))

    def rule(self) -> None:
        self.lines.append(PrintLine("-" * self.width))


def _money(view: InvoiceView, amount: object) -> str:
    cur = "TL" if view.currency == "TRY" else view.currency
    return f"{format_money(amount, 'tr')} {cur}"  # type: ignore[arg-type]


def _slip(view: InvoiceView, width: int, where: str) -> _Slip:
    s = _Slip(width)
    shop = view.supplier
    s.text(shop.name, align="center", bold=True)
    if shop.address:
        s.text(shop.address, align="center")
    if shop.tax_office or shop.identifier:
        s.text(f"V.D.: {shop.tax_office}  {shop.scheme}: {shop.identifier}".strip(), align="center")
    s.rule()
    s.text(slip_title(view), align="center", bold=True)
    s.rule()
    s.row("Fatura No:", view.number)
    s.row("Tarih:", f"{day(view.issue_date)} {view.issue_time[:5]}".strip())
    s.row("Tip:", view.type)
    s.text("ETTN:")
    s.text(view.uuid)
    for number, date, description in view.fiscal_slips:
        s.row("ÖKC Fiş No:", f"{number} {day(date)}")
        if description:
            s.text(description)
    for number, date in view.billing_refs:
        s.row("İade Edilen Fatura:", f"{number} {day(date)}")
    s.rule()
    s.text(f"Alıcı: {view.customer.name}" if view.customer.name else "Alıcı:")
    s.row(f"{view.customer.scheme}:", view.customer.identifier)
    s.rule()
    s.row("Mal Hizmet Toplamı:", _money(view, view.goods_total))
    if view.discount_total:
        s.row("Toplam İskonto:", _money(view, view.discount_total))
    s.row("Vergi Hariç Tutar:", _money(view, view.tax_exclusive))
    for tax in view.kdv:
        s.row(f"KDV %{tax.percent}:", _money(view, tax.amount))
    for tax in view.withholding:
        s.row(f"KDV Tevkifatı %{tax.percent}:", _money(view, tax.amount))
    for tax in view.kdv:
        if tax.legal_text:
            s.text(f"KDV İstisna: {tax.legal_text}")
    for tax in view.withholding:
        s.text(f"Tevkifat: {tax.legal_text}")
    s.row("Vergiler Dahil Toplam:", _money(view, view.tax_inclusive))
    s.row("ÖDENECEK TUTAR:", _money(view, view.payable), bold=True)
    if view.words:
        s.text(view.words)
    s.rule()
    for sentence in (delivery(view), where):
        if sentence:
            s.text(sentence, align="center")
    return s


def info_slip_lines(xml: bytes, width: int = 42, *, where: str = WHERE) -> list[str]:
    """The slip's text lines, none longer than ``width`` (32 to 80) characters."""
    return [line.text for line in _slip(read_invoice(xml), width, where).lines]


def info_slip(xml: bytes, width: int = 42, *, where: str = WHERE) -> Printable:
    """The slip as a print job: the lines above and the karekod as a QR code (the printer's own)."""
    view = read_invoice(xml)
    s = _slip(view, width, where)
    s.lines.append(PrintLine("Karekod", align="center", barcode=karekod(xml), symbology="QR"))
    return Printable(title=f"{slip_title(view)} {view.number}", lines=tuple(s.lines))

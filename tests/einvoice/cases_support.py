"""Helpers the invoice-from-a-sale case tests share (a uniquely named module; no tests in it).

:func:`check_against_sales` is the heart of "validation is the test": an issued invoice's XML passes
GİB's XSD and schematron, and its figures equal the posted sales' to the kuruş (total, KDV per rate,
Σ lines == tax-exclusive, each line's quantity × price − allowance == its extension).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from einvoice_support import Shop, assert_valid
from lxml import etree

from pos_tui.core import catalog, einvoice
from pos_tui.core.basket import Cart
from pos_tui.store import models as m

D = Decimal
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
NS = {"cbc": CBC, "cac": CAC}
CENT = D("0.01")


@dataclass(frozen=True)
class Line:
    quantity: str
    unit: str
    price: Decimal
    extension: Decimal
    allowance: Decimal
    allowance_reason: str | None
    percent: int
    kdv: Decimal
    name: str


@dataclass(frozen=True)
class Parsed:
    """What the tests read back from an invoice's XML."""

    root: etree._Element
    profile: str
    type: str
    line_extension: Decimal
    tax_exclusive: Decimal
    tax_inclusive: Decimal
    allowance_total: Decimal
    payable: Decimal
    tax_total: Decimal
    subtotals: dict[int, tuple[Decimal, Decimal]]  # rate -> (taxable, tax)
    exemptions: dict[int, str]  # rate -> exemption code
    lines: tuple[Line, ...]
    notes: tuple[str, ...]

    def text(self, path: str) -> str | None:
        return self.root.findtext(path, namespaces=NS)

    def all(self, path: str) -> list[etree._Element]:
        return self.root.findall(path, NS)


def _d(el: etree._Element, path: str) -> Decimal:
    text = el.findtext(path, namespaces=NS)
    assert text is not None, f"{path} is missing"
    return D(text)


def parse(xml: bytes) -> Parsed:
    root = etree.fromstring(xml)
    total = root.find("cac:LegalMonetaryTotal", NS)
    subtotals: dict[int, tuple[Decimal, Decimal]] = {}
    exemptions: dict[int, str] = {}
    (tax_total,) = root.findall("cac:TaxTotal", NS)
    for sub in tax_total.findall("cac:TaxSubtotal", NS):
        rate = int(D(sub.findtext("cbc:Percent", namespaces=NS) or "0"))
        subtotals[rate] = (_d(sub, "cbc:TaxableAmount"), _d(sub, "cbc:TaxAmount"))
        code = sub.findtext("cac:TaxCategory/cbc:TaxExemptionReasonCode", namespaces=NS)
        if code:
            exemptions[rate] = code
    lines = []
    for ln in root.findall("cac:InvoiceLine", NS):
        qty = ln.find("cbc:InvoicedQuantity", NS)
        allowance = ln.find("cac:AllowanceCharge", NS)
        lines.append(
            Line(
                quantity=qty.text or "",
                unit=qty.get("unitCode") or "",
                price=_d(ln, "cac:Price/cbc:PriceAmount"),
                extension=_d(ln, "cbc:LineExtensionAmount"),
                allowance=_d(allowance, "cbc:Amount") if allowance is not None else D(0),
                allowance_reason=(
                    allowance.findtext("cbc:AllowanceChargeReason", namespaces=NS) if allowance is not None else None
                ),
                percent=int(D(ln.findtext("cac:TaxTotal/cac:TaxSubtotal/cbc:Percent", namespaces=NS) or "0")),
                kdv=_d(ln, "cac:TaxTotal/cbc:TaxAmount"),
                name=ln.findtext("cac:Item/cbc:Name", namespaces=NS) or "",
            )
        )
    return Parsed(
        root=root,
        profile=root.findtext("cbc:ProfileID", namespaces=NS) or "",
        type=root.findtext("cbc:InvoiceTypeCode", namespaces=NS) or "",
        line_extension=_d(total, "cbc:LineExtensionAmount"),
        tax_exclusive=_d(total, "cbc:TaxExclusiveAmount"),
        tax_inclusive=_d(total, "cbc:TaxInclusiveAmount"),
        allowance_total=_d(total, "cbc:AllowanceTotalAmount")
        if total.find("cbc:AllowanceTotalAmount", NS) is not None
        else D(0),
        payable=_d(total, "cbc:PayableAmount"),
        tax_total=_d(tax_total, "cbc:TaxAmount"),
        subtotals=subtotals,
        exemptions=exemptions,
        lines=tuple(lines),
        notes=tuple(n.text or "" for n in root.findall("cbc:Note", NS)),
    )


def check_against_sales(invoice: einvoice.IssuedInvoice, sale_ids: Sequence[int]) -> Parsed:
    """Validate the invoice's XML with GİB's rules and check its figures against the posted sales."""
    xml = einvoice.invoice_xml(invoice.id)
    assert_valid(xml)
    inv = parse(xml)
    S, K, L = m.Sale, m.SaleKdv, m.SaleLine
    sale_total = sum(int(s.total) for s in S.select(S.total).where(S.id.in_(list(sale_ids))))
    kdv: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for row in K.select().where(K.sale.in_(list(sale_ids))):
        kdv[int(row.rate)][0] += int(row.base)
        kdv[int(row.rate)][1] += int(row.kdv)
    n_lines = L.select().where(L.sale.in_(list(sale_ids))).count()
    assert inv.tax_inclusive == D(sale_total) / 100, (inv.tax_inclusive, sale_total)
    assert inv.payable == inv.tax_inclusive
    assert invoice.tax_inclusive == inv.tax_inclusive and invoice.payable == inv.payable
    assert inv.subtotals == {r: (D(b) / 100, D(k) / 100) for r, (b, k) in kdv.items()}
    assert inv.tax_total == sum((t for _b, t in inv.subtotals.values()), D(0)) == invoice.kdv
    assert sum((ln.extension for ln in inv.lines), D(0)) == inv.line_extension == inv.tax_exclusive
    assert inv.tax_exclusive + inv.tax_total == inv.tax_inclusive
    assert len(inv.lines) == n_lines == int(inv.text("cbc:LineCountNumeric") or 0)
    for ln in inv.lines:
        before = (ln.price * D(ln.quantity)).quantize(CENT)
        assert abs(before - ln.allowance - ln.extension) <= CENT, ln
    for rate in inv.subtotals:
        in_lines = sum((ln.extension for ln in inv.lines if ln.percent == rate), D(0))
        assert in_lines == inv.subtotals[rate][0], (rate, in_lines)
    return inv


def add_products(shop: Shop) -> None:
    """Beyond the shop's 1001–1004 (1 % and 20 %): a 10 % product, a weighed cheese and a 0 % book."""
    catalog.upsert_products(
        [
            catalog.ProductInput(code="1005", name="Lokum 250 g", price=D("45.00"), kdv_rate=10),
            catalog.ProductInput(code="1006", name="Beyaz Peynir", unit="kg", price=D("280.00"), kdv_rate=1),
            catalog.ProductInput(code="1007", name="Kitap", price=D("150.00"), kdv_rate=0),
        ],
        now=shop.now,
        kdv_rates=shop.settings.kdv_rates,
    )


def cart_milli(*items: tuple[str, int]) -> Cart:
    """A cart of ``(product code, quantity in milli-units)`` (1255 of a kg product: 1,255 kg)."""
    cart = Cart()
    for code, milli in items:
        cart = cart.add_product(catalog.get_product(code), milli, merge=False)
    return cart


def buyer(identifier: str, name: str, *, tax_office: str = "", email: str = "") -> einvoice.InvoiceParty:
    return einvoice.InvoiceParty(
        identifier,
        name,
        tax_office=tax_office,
        street="Bahariye Cad. 5",
        district="Kadıköy",
        city="İstanbul",
        email=email,
    )

"""What an invoice printout shows, read from the UBL-TR XML (bytes) alone, so that any invoice
renders the same way: one we issued or one a supplier sent us. The PDF and the e-Arşiv information
slip read these values; the HTML page reads the XML itself through ``pos_tui/data/einvoice.xsl``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from lxml import etree

from pos_tui.core.kernel.errors import ValidationError
from pos_tui.i18n import _

NS = {
    "inv": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
UNIT_NAMES = {"C62": "adet", "NIU": "adet", "KGM": "kg", "GRM": "g", "LTR": "lt", "MTR": "m", "MTK": "m²"}
"""UN/ECE unit codes as the printout writes them (an unknown code is shown as it is)."""
KDV_CODE = "0015"


@dataclass(frozen=True, slots=True)
class PartyView:
    name: str
    identifier: str  # VKN or TCKN
    scheme: str  # "VKN" | "TCKN"
    tax_office: str
    address: str
    mersis: str = ""
    trade_registry: str = ""
    phone: str = ""
    email: str = ""


@dataclass(frozen=True, slots=True)
class LineView:
    no: str
    code: str
    name: str
    quantity: Decimal
    unit: str  # UN/ECE code
    price: Decimal
    discount: Decimal
    rate: str  # the KDV percent as written
    kdv: Decimal
    amount: Decimal  # LineExtensionAmount (after the line's discounts, KDV excluded)

    @property
    def unit_name(self) -> str:
        return UNIT_NAMES.get(self.unit, self.unit)


@dataclass(frozen=True, slots=True)
class TaxView:
    percent: str  # as written in cbc:Percent
    taxable: Decimal
    amount: Decimal
    exemption: str = ""


@dataclass(frozen=True, slots=True)
class InvoiceView:
    profile: str
    type: str
    number: str
    uuid: str
    issue_date: str  # YYYY-MM-DD as written
    issue_time: str
    currency: str
    supplier: PartyView
    customer: PartyView
    notes: tuple[str, ...]
    fiscal_slips: tuple[tuple[str, str, str], ...]  # (fiş no, date, "Z No: …; ÖKC: …")
    billing_refs: tuple[tuple[str, str], ...]  # (number, date)
    lines: tuple[LineView, ...]
    kdv: tuple[TaxView, ...]
    withholding: tuple[TaxView, ...]
    line_extension: Decimal
    line_allowances: Decimal
    allowance_total: Decimal  # document-level allowances (LegalMonetaryTotal)
    tax_exclusive: Decimal
    tax_inclusive: Decimal
    payable: Decimal
    customization: str = "TR1.2"

    @property
    def title(self) -> str:
        return "e-Arşiv Fatura" if self.profile == "EARSIVFATURA" else "e-Fatura"

    @property
    def goods_total(self) -> Decimal:
        """Mal/Hizmet Toplam Tutarı: the lines before their discounts."""
        return self.line_extension + self.line_allowances

    @property
    def discount_total(self) -> Decimal:
        """Toplam İskonto: the lines' discounts and any discount on the whole invoice."""
        return self.line_allowances + self.allowance_total

    @property
    def withholding_total(self) -> Decimal:
        return sum((w.amount for w in self.withholding), Decimal(0))

    @property
    def words(self) -> str:
        """The amount in words ("Yalnız: …"), when a note carries it."""
        return next((n for n in self.notes if n.startswith("Yalnız")), "")


def parse(xml: bytes) -> Any:
    """The invoice's root element; a clear error for something that is not a UBL invoice."""
    try:
        root = etree.fromstring(xml, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        raise ValidationError(_("Not a readable invoice XML: {error}").format(error=exc)) from exc
    if etree.QName(root).localname != "Invoice" or etree.QName(root).namespace != NS["inv"]:
        raise ValidationError(_("Not a UBL invoice: the root element is {name}").format(name=root.tag))
    return root


def _text(node: Any, path: str) -> str:
    found = node.xpath(path, namespaces=NS)
    return str(found[0]).strip() if found else ""


def _amount(node: Any, path: str) -> Decimal:
    text = _text(node, path).replace(",", ".")  # some printers of received invoices use commas
    if not text:
        return Decimal(0)
    try:
        return Decimal(text)
    except InvalidOperation as exc:
        raise ValidationError(
            _("Not a number in the invoice at {path}: {value}").format(path=path, value=text)
        ) from exc


def _party(node: Any) -> PartyView:
    ids = {
        str(i.get("schemeID", "")): (i.text or "").strip()
        for i in node.xpath("cac:PartyIdentification/cbc:ID", namespaces=NS)
    }
    scheme = "TCKN" if "TCKN" in ids else "VKN"
    name = _text(node, "cac:PartyName/cbc:Name/text()")
    if not name:
        name = " ".join(
            p
            for p in (_text(node, "cac:Person/cbc:FirstName/text()"), _text(node, "cac:Person/cbc:FamilyName/text()"))
            if p
        )
    a = node.xpath("cac:PostalAddress", namespaces=NS)
    address = ""
    if a:
        street = " ".join(
            p
            for p in (
                _text(a[0], "cbc:StreetName/text()"),
                _text(a[0], "cbc:BuildingName/text()"),
                _text(a[0], "cbc:BuildingNumber/text()"),
            )
            if p
        )
        town = " ".join(
            p
            for p in (_text(a[0], "cbc:PostalZone/text()"), _text(a[0], "cbc:CitySubdivisionName/text()"))
            if p and p != "-"
        )
        city = _text(a[0], "cbc:CityName/text()")
        address = ", ".join(p for p in (street, town, "" if city == "-" else city) if p)
    return PartyView(
        name=name,
        identifier=ids.get(scheme, ""),
        scheme=scheme,
        tax_office=_text(node, "cac:PartyTaxScheme/cac:TaxScheme/cbc:Name/text()"),
        address=address,
        mersis=ids.get("MERSISNO", ""),
        trade_registry=ids.get("TICARETSICILNO", ""),
        phone=_text(node, "cac:Contact/cbc:Telephone/text()"),
        email=_text(node, "cac:Contact/cbc:ElectronicMail/text()"),
    )


def _taxes(nodes: list[Any]) -> tuple[TaxView, ...]:
    return tuple(
        TaxView(
            percent=_text(s, "cbc:Percent/text()"),
            taxable=_amount(s, "cbc:TaxableAmount/text()"),
            amount=_amount(s, "cbc:TaxAmount/text()"),
            exemption=_text(s, "cac:TaxCategory/cbc:TaxExemptionReasonCode/text()"),
        )
        for s in nodes
    )


def _line(node: Any) -> LineView:
    allowances = sum(
        (
            _amount(a, "cbc:Amount/text()")
            for a in node.xpath("cac:AllowanceCharge[cbc:ChargeIndicator='false']", namespaces=NS)
        ),
        Decimal(0),
    )
    kdv = node.xpath(
        f"cac:TaxTotal/cac:TaxSubtotal[cac:TaxCategory/cac:TaxScheme/cbc:TaxTypeCode='{KDV_CODE}']", namespaces=NS
    )
    return LineView(
        no=_text(node, "cbc:ID/text()"),
        code=_text(node, "cac:Item/cac:SellersItemIdentification/cbc:ID/text()"),
        name=_text(node, "cac:Item/cbc:Name/text()"),
        quantity=_amount(node, "cbc:InvoicedQuantity/text()"),
        unit=_text(node, "cbc:InvoicedQuantity/@unitCode"),
        price=_amount(node, "cac:Price/cbc:PriceAmount/text()"),
        discount=allowances,
        rate=_text(kdv[0], "cbc:Percent/text()") if kdv else "",
        kdv=sum((_amount(s, "cbc:TaxAmount/text()") for s in kdv), Decimal(0)),
        amount=_amount(node, "cbc:LineExtensionAmount/text()"),
    )


def read_invoice(xml: bytes) -> InvoiceView:
    """Everything a printout shows, from the XML."""
    root = parse(xml)
    lines = tuple(_line(n) for n in root.xpath("cac:InvoiceLine", namespaces=NS))
    kdv_path = f"cac:TaxTotal/cac:TaxSubtotal[cac:TaxCategory/cac:TaxScheme/cbc:TaxTypeCode='{KDV_CODE}']"
    supplier = root.xpath("cac:AccountingSupplierParty/cac:Party", namespaces=NS)
    customer = root.xpath("cac:AccountingCustomerParty/cac:Party", namespaces=NS)
    if not supplier or not customer:
        raise ValidationError(_("The invoice has no supplier or no customer party"))
    money = "cac:LegalMonetaryTotal/cbc:"
    return InvoiceView(
        profile=_text(root, "cbc:ProfileID/text()"),
        type=_text(root, "cbc:InvoiceTypeCode/text()"),
        number=_text(root, "cbc:ID/text()"),
        uuid=_text(root, "cbc:UUID/text()"),
        issue_date=_text(root, "cbc:IssueDate/text()"),
        issue_time=_text(root, "cbc:IssueTime/text()"),
        currency=_text(root, "cbc:DocumentCurrencyCode/text()") or "TRY",
        supplier=_party(supplier[0]),
        customer=_party(customer[0]),
        notes=tuple(str(n).strip() for n in root.xpath("cbc:Note/text()", namespaces=NS)),
        fiscal_slips=tuple(
            (_text(d, "cbc:ID/text()"), _text(d, "cbc:IssueDate/text()"), _text(d, "cbc:DocumentDescription/text()"))
            for d in root.xpath("cac:AdditionalDocumentReference[cbc:DocumentTypeCode='OKCBF']", namespaces=NS)
        ),
        billing_refs=tuple(
            (_text(d, "cbc:ID/text()"), _text(d, "cbc:IssueDate/text()"))
            for d in root.xpath("cac:BillingReference/cac:InvoiceDocumentReference", namespaces=NS)
        ),
        lines=lines,
        kdv=_taxes(root.xpath(kdv_path, namespaces=NS)),
        withholding=_taxes(root.xpath("cac:WithholdingTaxTotal/cac:TaxSubtotal", namespaces=NS)),
        line_extension=_amount(root, money + "LineExtensionAmount/text()"),
        line_allowances=sum((ln.discount for ln in lines), Decimal(0)),
        allowance_total=_amount(root, money + "AllowanceTotalAmount/text()"),
        tax_exclusive=_amount(root, money + "TaxExclusiveAmount/text()"),
        tax_inclusive=_amount(root, money + "TaxInclusiveAmount/text()"),
        payable=_amount(root, money + "PayableAmount/text()"),
        customization=_text(root, "cbc:CustomizationID/text()"),
    )


def day(iso: str) -> str:
    """``2026-12-06`` → ``06.12.2026`` (anything else as it is)."""
    parts = iso.split("-")
    return f"{parts[2]}.{parts[1]}.{parts[0]}" if len(parts) == 3 else iso

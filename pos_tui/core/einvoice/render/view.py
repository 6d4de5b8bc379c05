"""What an invoice printout shows, read from the UBL-TR XML (bytes) alone, so that any invoice
renders the same way: one we issued or one a supplier sent us. The PDF and the e-Arşiv information
slip read these values; the HTML page reads the XML itself through ``pos_tui/data/einvoice.xsl``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
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
    exemptions: tuple[str, ...] = ()  # "301 - 11/1-a Mal ihracatı", one per exempt KDV subtotal of the line
    withholdings: tuple[str, ...] = ()  # "602 - Etüt, plan-proje… (9/10)"

    @property
    def unit_name(self) -> str:
        return UNIT_NAMES.get(self.unit, self.unit)

    @property
    def shown_price(self) -> Decimal:
        """The unit price as printed: see :func:`shown_price`."""
        return shown_price(self.price)


@dataclass(frozen=True, slots=True)
class TaxView:
    percent: str  # as written in cbc:Percent
    taxable: Decimal
    amount: Decimal
    exemption: str = ""  # KDV: TaxExemptionReasonCode
    reason: str = ""  # KDV: TaxExemptionReason; withholding: the TaxScheme's Name
    code: str = ""  # withholding: the TaxTypeCode (601…627, 801…)

    @property
    def legal_text(self) -> str:
        """The code a printout must show: "301 - 11/1-a Mal ihracatı" for an exempt KDV subtotal,
        "602 - Etüt, plan-proje… (9/10)" for a withholding one; "" for plain KDV."""
        if self.code:
            return f"{code_and_name(self.code, self.reason)} ({withholding_share(self.percent)})"
        return code_and_name(self.exemption, self.reason) if self.exemption else ""


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
    sending_type: str = ""  # e-Arşiv: ELEKTRONIK | KAGIT (AdditionalDocumentReference SendingType); "" if none

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


def code_and_name(code: str, name: str) -> str:
    """``301`` and ``11/1-a Mal ihracatı`` → ``301 - 11/1-a Mal ihracatı``; a name that already starts
    with its code (as ours do) is not given the code twice."""
    if not name or name == code:
        return code
    if not code or name.startswith(code):
        return name
    return f"{code} - {name}"


def withholding_share(percent: str) -> str:
    """The withheld share the way GİB's lists write it: ``90`` → ``9/10``; ``%33`` when not in tenths."""
    try:
        value = Decimal(percent)
    except InvalidOperation:
        return f"%{percent}"
    tenths = value / 10
    return f"{int(tenths)}/10" if tenths == tenths.to_integral() and 0 < tenths <= 10 else f"%{percent}"


def shown_price(value: Decimal) -> Decimal:
    """A unit price as the printouts show it: rounded (half up) to 4 decimals at most, with 2 at
    least (``34.55333333`` → ``34.5533``, ``70.833`` → ``70.833``, ``12`` → ``12.00``). The XML keeps
    every decimal it was issued with; only the printed figure is rounded."""
    rounded = value.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    for places in ("0.01", "0.001"):
        if rounded == rounded.quantize(Decimal(places)):
            return rounded.quantize(Decimal(places))
    return rounded


def _taxes(nodes: list[Any], *, withholding: bool = False) -> tuple[TaxView, ...]:
    return tuple(
        TaxView(
            percent=_text(s, "cbc:Percent/text()"),
            taxable=_amount(s, "cbc:TaxableAmount/text()"),
            amount=_amount(s, "cbc:TaxAmount/text()"),
            exemption="" if withholding else _text(s, "cac:TaxCategory/cbc:TaxExemptionReasonCode/text()"),
            reason=_text(
                s,
                "cac:TaxCategory/cac:TaxScheme/cbc:Name/text()"
                if withholding
                else "cac:TaxCategory/cbc:TaxExemptionReason/text()",
            ),
            code=_text(s, "cac:TaxCategory/cac:TaxScheme/cbc:TaxTypeCode/text()") if withholding else "",
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
        exemptions=tuple(t.legal_text for t in _taxes(kdv) if t.legal_text),
        withholdings=tuple(
            t.legal_text
            for t in _taxes(node.xpath("cac:WithholdingTaxTotal/cac:TaxSubtotal", namespaces=NS), withholding=True)
        ),
    )


OKCBF_PATH = (
    "cac:BillingReference/cac:AdditionalDocumentReference[cbc:DocumentTypeCode='OKCBF']"
    " | cac:AdditionalDocumentReference[cbc:DocumentTypeCode='OKCBF']"
)
"""The ÖKC slip references: inside cac:BillingReference as GİB's rules and our builder put them, or
directly under the invoice as some senders do."""


def _slip_description(node: Any) -> str:
    """ "Z No: 3; ÖKC: AB12345678" from the Z number (the attachment's URI) and the device (the
    issuer's endpoint) when the reference has them, else its DocumentDescription."""
    z_no = _text(node, "cac:Attachment/cac:ExternalReference/cbc:URI/text()")
    device = _text(node, "cac:IssuerParty/cbc:EndpointID/text()")
    if z_no or device:
        return "; ".join(p for p in (f"Z No: {z_no}" if z_no else "", f"ÖKC: {device}" if device else "") if p)
    return _text(node, "cbc:DocumentDescription/text()")


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
            (_text(d, "cbc:ID/text()"), _text(d, "cbc:IssueDate/text()"), _slip_description(d))
            for d in root.xpath(OKCBF_PATH, namespaces=NS)
        ),
        billing_refs=tuple(
            (_text(d, "cbc:ID/text()"), _text(d, "cbc:IssueDate/text()"))
            for d in root.xpath("cac:BillingReference/cac:InvoiceDocumentReference", namespaces=NS)
        ),
        lines=lines,
        kdv=_taxes(root.xpath(kdv_path, namespaces=NS)),
        withholding=_taxes(root.xpath("cac:WithholdingTaxTotal/cac:TaxSubtotal", namespaces=NS), withholding=True),
        line_extension=_amount(root, money + "LineExtensionAmount/text()"),
        line_allowances=sum((ln.discount for ln in lines), Decimal(0)),
        allowance_total=_amount(root, money + "AllowanceTotalAmount/text()"),
        tax_exclusive=_amount(root, money + "TaxExclusiveAmount/text()"),
        tax_inclusive=_amount(root, money + "TaxInclusiveAmount/text()"),
        payable=_amount(root, money + "PayableAmount/text()"),
        customization=_text(root, "cbc:CustomizationID/text()"),
        sending_type=_text(
            root, "cac:AdditionalDocumentReference[cbc:DocumentTypeCode='SendingType']/cbc:DocumentType/text()"
        ).upper(),
    )


def day(iso: str) -> str:
    """``2026-12-06`` → ``06.12.2026`` (anything else as it is)."""
    parts = iso.split("-")
    return f"{parts[2]}.{parts[1]}.{parts[0]}" if len(parts) == 3 else iso

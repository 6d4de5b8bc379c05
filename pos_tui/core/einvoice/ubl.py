"""The UBL-TR 1.2.1 XML of an invoice (UBL 2.1 Invoice with GİB's customisation), written with lxml in the
order the XSD asks for. The XML is unsigned: the integrator signs it (XAdES) before it reaches GİB, so the
``cac:Signature`` block names the shop as the signatory and no ``ds:Signature`` is embedded.

Layout choices (docs/einvoice.md, "What the XML says"): every discount is a line allowance (the receipt
discount was spread over the lines when the sale was posted), so LegalMonetaryTotal has no document
allowance; KDV is one TaxTotal with a subtotal per rate (exactly the posted rows); a 0 % rate carries its
exemption code; the ÖKC receipt is an OKCBF AdditionalDocumentReference; an IADE refers to the returned
invoice with a BillingReference; how it was paid (cash, card, points, on account) is written as notes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from lxml import etree

from pos_tui.core.einvoice.model import (
    EARSIVFATURA,
    KDV_TAX_CODE,
    NOT_EXEMPT_CODE,
    NOT_EXEMPT_REASON,
    UNIT_CODES,
    FiscalSlip,
    InvoiceDraft,
    InvoiceFigures,
    InvoiceParty,
)
from pos_tui.core.einvoice.words import amount_words
from pos_tui.core.kernel.formatting import format_money
from pos_tui.core.kernel.money import from_kurus

NS_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
NS_CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
NS_CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
NS_EXT = "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2"
NS_UNSIGNED = "urn:pos-tui:einvoice:unsigned"
NSMAP = {None: NS_INVOICE, "cac": NS_CAC, "cbc": NS_CBC, "ext": NS_EXT}

UBL_VERSION = "2.1"
CUSTOMIZATION = "TR1.2"
KDV_NAME = "KDV"
WITHHOLDING_NAME = "KDV TEVKİFAT"


def _cac(parent: Any, name: str) -> Any:
    return etree.SubElement(parent, f"{{{NS_CAC}}}{name}")


def _cbc(parent: Any, name: str, text: object, **attrib: str) -> Any:
    el = etree.SubElement(parent, f"{{{NS_CBC}}}{name}", attrib)
    el.text = str(text)
    return el


def _amount(parent: Any, name: str, value: Decimal, currency: str) -> Any:
    return _cbc(parent, name, f"{value:.2f}", currencyID=currency)


def _quantity(qty_milli: int) -> str:
    whole, frac = divmod(qty_milli, 1000)
    return f"{whole}.{frac:03d}" if frac else str(whole)


def _price(value: Decimal) -> str:
    text = f"{value:.8f}".rstrip("0")
    return text + "00" if text.endswith(".") else text if len(text.split(".")[1]) >= 2 else text + "0"


def _party(parent: Any, party: InvoiceParty) -> None:
    p = _cac(parent, "Party")
    pid = _cac(p, "PartyIdentification")
    _cbc(pid, "ID", party.identifier, schemeID="TCKN" if party.is_person else "VKN")
    if party.mersis:
        _cbc(_cac(p, "PartyIdentification"), "ID", party.mersis, schemeID="MERSISNO")
    if party.trade_registry:
        _cbc(_cac(p, "PartyIdentification"), "ID", party.trade_registry, schemeID="TICARETSICILNO")
    if not party.is_person:
        _cbc(_cac(p, "PartyName"), "Name", party.name)
    address = _cac(p, "PostalAddress")
    if party.street:
        _cbc(address, "StreetName", party.street)
    _cbc(address, "CitySubdivisionName", party.district or "-")
    _cbc(address, "CityName", party.city or "-")
    if party.postal_zone:
        _cbc(address, "PostalZone", party.postal_zone)
    _cbc(_cac(address, "Country"), "Name", party.country or "Türkiye")
    if party.tax_office:
        _cbc(_cac(_cac(p, "PartyTaxScheme"), "TaxScheme"), "Name", party.tax_office)
    if party.phone or party.email:
        contact = _cac(p, "Contact")
        if party.phone:
            _cbc(contact, "Telephone", party.phone)
        if party.email:
            _cbc(contact, "ElectronicMail", party.email)
    if party.is_person:
        person = _cac(p, "Person")
        first, _, family = party.name.strip().rpartition(" ")
        _cbc(person, "FirstName", first or family)
        _cbc(person, "FamilyName", family)


def _okc_slip(parent: Any, slip: FiscalSlip, supplier: InvoiceParty, profile: str) -> None:
    """The ÖKC receipt the sale was printed on (GİB's BillingReferenceCheck rules): fiş no and date, the Z
    number as the attachment's URI, the device's serial as the issuer's endpoint."""
    doc = _cac(parent, "AdditionalDocumentReference")
    _cbc(doc, "ID", slip.number)
    _cbc(doc, "IssueDate", slip.at.date().isoformat())
    _cbc(doc, "DocumentTypeCode", "OKCBF")
    _cbc(doc, "DocumentType", "OKCBilgiFisi")
    _cbc(doc, "DocumentDescription", "E-ARSIV" if profile == EARSIVFATURA else "E-FATURA")
    _cbc(_cac(_cac(doc, "Attachment"), "ExternalReference"), "URI", slip.z_no)
    period = _cac(doc, "ValidityPeriod")
    _cbc(period, "StartDate", slip.at.date().isoformat())
    _cbc(period, "StartTime", slip.at.strftime("%H:%M:%S"))
    issuer = _cac(doc, "IssuerParty")
    _cbc(issuer, "EndpointID", slip.device)
    _cbc(
        _cac(issuer, "PartyIdentification"), "ID", supplier.identifier, schemeID="TCKN" if supplier.is_person else "VKN"
    )
    address = _cac(issuer, "PostalAddress")
    _cbc(address, "CitySubdivisionName", supplier.district or "-")
    _cbc(address, "CityName", supplier.city or "-")
    _cbc(_cac(address, "Country"), "Name", supplier.country or "Türkiye")


def _tax_total(
    parent: Any,
    currency: str,
    total: Decimal,
    subtotals: Sequence[tuple[Decimal, Decimal, int, str, str]],
) -> None:
    """A cac:TaxTotal of KDV: (taxable, tax, rate, exemption code, exemption reason) per subtotal."""
    tt = _cac(parent, "TaxTotal")
    _amount(tt, "TaxAmount", total, currency)
    for taxable, tax, rate, code, reason in subtotals:
        sub = _cac(tt, "TaxSubtotal")
        _amount(sub, "TaxableAmount", taxable, currency)
        _amount(sub, "TaxAmount", tax, currency)
        _cbc(sub, "Percent", rate)
        category = _cac(sub, "TaxCategory")
        if code:
            _cbc(category, "TaxExemptionReasonCode", code)
            _cbc(category, "TaxExemptionReason", reason or code)
        scheme = _cac(category, "TaxScheme")
        _cbc(scheme, "Name", KDV_NAME)
        _cbc(scheme, "TaxTypeCode", KDV_TAX_CODE)


def _withholding_total(
    parent: Any, currency: str, rows: Sequence[tuple[str, int, Decimal, Decimal]], reasons: dict[str, str]
) -> None:
    total = sum((r[3] for r in rows), Decimal(0))
    wt = _cac(parent, "WithholdingTaxTotal")
    _amount(wt, "TaxAmount", total, currency)
    for code, percent, base, amount in rows:
        sub = _cac(wt, "TaxSubtotal")
        _amount(sub, "TaxableAmount", base, currency)
        _amount(sub, "TaxAmount", amount, currency)
        _cbc(sub, "Percent", percent)
        scheme = _cac(_cac(sub, "TaxCategory"), "TaxScheme")
        _cbc(scheme, "Name", reasons.get(code, WITHHOLDING_NAME))
        _cbc(scheme, "TaxTypeCode", code)


def build(
    draft: InvoiceDraft,
    figures: InvoiceFigures,
    *,
    number: str,
    uuid: str,
    profile: str,
    issued_at: datetime,
    notes: Sequence[str] = (),
    withholding_names: dict[str, str] | None = None,
) -> bytes:
    """The invoice as UTF-8 XML bytes. ``issued_at`` is local shop time (IssueDate and IssueTime)."""
    cur = draft.currency
    root = etree.Element(f"{{{NS_INVOICE}}}Invoice", nsmap=NSMAP)
    # GİB's XSD wants one element in ext:ExtensionContent: the integrator puts its XAdES ds:Signature there.
    # Until then a placeholder of ours holds the place (any namespace but UBL's is allowed, unvalidated).
    holder = etree.SubElement(etree.SubElement(root, f"{{{NS_EXT}}}UBLExtensions"), f"{{{NS_EXT}}}UBLExtension")
    content = etree.SubElement(holder, f"{{{NS_EXT}}}ExtensionContent")
    etree.SubElement(content, f"{{{NS_UNSIGNED}}}Unsigned", nsmap={"pos": NS_UNSIGNED})
    _cbc(root, "UBLVersionID", UBL_VERSION)
    _cbc(root, "CustomizationID", CUSTOMIZATION)
    _cbc(root, "ProfileID", profile)
    _cbc(root, "ID", number)
    _cbc(root, "CopyIndicator", "false")
    _cbc(root, "UUID", uuid)
    _cbc(root, "IssueDate", issued_at.date().isoformat())
    _cbc(root, "IssueTime", issued_at.strftime("%H:%M:%S"))
    _cbc(root, "InvoiceTypeCode", draft.type)
    for note in (amount_words(figures.payable, cur), *notes, *draft.notes):
        _cbc(root, "Note", note)
    for method, kurus in draft.payments:
        _cbc(root, "Note", f"Ödeme: {method} {format_money(from_kurus(kurus), 'tr')} TL")
    _cbc(root, "DocumentCurrencyCode", cur)
    _cbc(root, "LineCountNumeric", len(draft.lines))
    if draft.billing_reference is not None:
        ref = _cac(_cac(root, "BillingReference"), "InvoiceDocumentReference")
        _cbc(ref, "ID", draft.billing_reference.number)
        _cbc(ref, "IssueDate", draft.billing_reference.issue_date.isoformat())
        _cbc(ref, "DocumentTypeCode", "IADE")
    for slip in draft.fiscal_slips:
        _okc_slip(_cac(root, "BillingReference"), slip, draft.supplier, profile)
    if profile == EARSIVFATURA:
        # How the e-Arşiv invoice reaches the buyer (integrators require it): on paper (the printout or
        # the information slip at the till) or electronically (e-mail).
        sending = _cac(root, "AdditionalDocumentReference")
        _cbc(sending, "ID", uuid)
        _cbc(sending, "IssueDate", issued_at.date().isoformat())
        _cbc(sending, "DocumentTypeCode", "SendingType")
        _cbc(sending, "DocumentType", "ELEKTRONIK" if draft.customer.email else "KAGIT")
    signature = _cac(root, "Signature")
    _cbc(signature, "ID", draft.supplier.identifier, schemeID="VKN_TCKN")
    signatory = _cac(signature, "SignatoryParty")
    _cbc(
        _cac(signatory, "PartyIdentification"),
        "ID",
        draft.supplier.identifier,
        schemeID="TCKN" if draft.supplier.is_person else "VKN",
    )
    sig_address = _cac(signatory, "PostalAddress")
    _cbc(sig_address, "CitySubdivisionName", draft.supplier.district or "-")
    _cbc(sig_address, "CityName", draft.supplier.city or "-")
    _cbc(_cac(sig_address, "Country"), "Name", draft.supplier.country or "Türkiye")
    _cbc(_cac(_cac(signature, "DigitalSignatureAttachment"), "ExternalReference"), "URI", f"#Signature_{number}")
    _party(_cac(root, "AccountingSupplierParty"), draft.supplier)
    _party(_cac(root, "AccountingCustomerParty"), draft.customer)
    exemptions = {ln.kdv_rate: (ln.exemption_code, ln.exemption_reason) for ln in draft.lines if ln.exemption_code}
    # A subtotal whose KDV is 0 needs a reason (TaxExemptionReasonCheck-1): its lines' exemption, or 351 when
    # a rate's KDV rounded to 0 on tiny amounts.
    not_exempt = (NOT_EXEMPT_CODE, NOT_EXEMPT_REASON)
    _tax_total(
        root,
        cur,
        figures.kdv_total,
        [
            (
                from_kurus(g.base),
                from_kurus(g.kdv),
                g.rate,
                *exemptions.get(g.rate, not_exempt if not g.kdv else ("", "")),
            )
            for g in figures.kdv
        ],
    )
    names = withholding_names or {}
    if figures.withholding:
        _withholding_total(
            root, cur, [(c, p, from_kurus(b), from_kurus(a)) for c, p, b, a in figures.withholding], names
        )
    total = _cac(root, "LegalMonetaryTotal")
    _amount(total, "LineExtensionAmount", figures.line_extension, cur)
    _amount(total, "TaxExclusiveAmount", figures.tax_exclusive, cur)
    _amount(total, "TaxInclusiveAmount", figures.tax_inclusive, cur)
    _amount(total, "AllowanceTotalAmount", Decimal("0.00"), cur)
    _amount(total, "PayableAmount", figures.payable, cur)
    by_no = {f.line_no: f for f in figures.lines}
    for i, ln in enumerate(draft.lines, start=1):
        f = by_no[ln.line_no]
        line = _cac(root, "InvoiceLine")
        _cbc(line, "ID", i)
        _cbc(line, "InvoicedQuantity", _quantity(ln.qty), unitCode=UNIT_CODES.get(ln.unit, "C62"))
        _amount(line, "LineExtensionAmount", f.extension, cur)
        if f.allowance:
            ac = _cac(line, "AllowanceCharge")
            _cbc(ac, "ChargeIndicator", "false")
            reason = "; ".join(d.reason for d in ln.discounts) or "İskonto"
            _cbc(ac, "AllowanceChargeReason", reason[:255])
            _amount(ac, "Amount", f.allowance, cur)
            _amount(ac, "BaseAmount", f.before, cur)
        _tax_total(line, cur, f.kdv, [(f.extension, f.kdv, ln.kdv_rate, ln.exemption_code, ln.exemption_reason)])
        if ln.withholding_code:
            _withholding_total(line, cur, [(ln.withholding_code, ln.withholding_percent, f.kdv, f.withholding)], names)
        item = _cac(line, "Item")
        _cbc(item, "Name", ln.name)
        _cbc(_cac(item, "SellersItemIdentification"), "ID", ln.code)
        _cbc(_cac(line, "Price"), "PriceAmount", _price(f.price), currencyID=cur)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)

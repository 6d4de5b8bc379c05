"""The own sum check of a KDV subtotal allows the rounding of the KDV as posted: a kuruş per sale
(a periodic invoice adds several sales' KDV), never more than a kuruş per line at that rate."""

from __future__ import annotations

from lxml import etree

from pos_tui.core.einvoice.validation import _arithmetic

CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"


def _invoice(lines: int, tax: str) -> etree._Element:
    line = (
        f'<cac:InvoiceLine xmlns:cac="{CAC}" xmlns:cbc="{CBC}"><cbc:ID>1</cbc:ID>'
        "<cac:TaxTotal><cac:TaxSubtotal><cbc:Percent>20</cbc:Percent></cac:TaxSubtotal></cac:TaxTotal>"
        "</cac:InvoiceLine>"
    )
    xml = (
        f'<Invoice xmlns:cac="{CAC}" xmlns:cbc="{CBC}">' + line * lines + "<cac:TaxTotal>"
        f"<cbc:TaxAmount>{tax}</cbc:TaxAmount><cac:TaxSubtotal><cbc:TaxableAmount>4.85</cbc:TaxableAmount>"
        f"<cbc:TaxAmount>{tax}</cbc:TaxAmount><cbc:Percent>20</cbc:Percent></cac:TaxSubtotal></cac:TaxTotal>"
        "</Invoice>"
    )
    return etree.fromstring(xml.encode())


def _subtotal_findings(lines: int, tax: str) -> list[str]:
    return [f.rule for f in _arithmetic(_invoice(lines, tax)) if f.rule == "TaxSubtotal"]


def test_three_sales_kdv_may_differ_from_base_times_rate_by_their_rounding() -> None:
    # 4,85 × %20 = 0,97; three sales' KDV as posted add up to 0,95 (found by the periodic-invoice property)
    assert _subtotal_findings(3, "0.95") == []
    assert _subtotal_findings(3, "0.93") == ["TaxSubtotal"]  # more than a kuruş per line


def test_one_line_allows_one_kurus_only() -> None:
    assert _subtotal_findings(1, "0.96") == []
    assert _subtotal_findings(1, "0.95") == ["TaxSubtotal"]

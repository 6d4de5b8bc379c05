"""IADE invoices of goods returned to a supplier: lines from the supplier-return stock document, the payable equal
to the return's entry on the supplier's account, a BillingReference to the supplier's invoice, TEMELFATURA for a
registered supplier (never TICARIFATURA), e-Arşiv otherwise."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from decimal import Decimal

import pytest
from einvoice_support import Shop, assert_valid
from lxml import etree

from pos_tui.core import accounts, audit, einvoice
from pos_tui.core.kernel import NotFound, PermissionDenied, ValidationError
from pos_tui.core.stock import receiving
from pos_tui.store import models as m

D = Decimal
NS = {
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
}
ACME_VKN = "9876543209"
SUPPLIER_INVOICE = "ACM2026000000077"


def _acme_return(shop: Shop) -> receiving.ReceiptInfo:
    """ACME (with a VKN now) delivered 10 × Çay at 100,00 (line discount 20,00) and 6 × Ekmek at 8,00; 4 Çay
    and 5 Ekmek go back."""
    accounts.update_party(accounts.PartyInput(code="ACME", vkn=ACME_VKN, tax_office="Kozyatağı"), now=shop.now)
    receipt = receiving.post_receipt(
        receiving.ReceiptInput(
            supplier="ACME",
            lines=(
                receiving.ReceiptLineInput("1003", 10_000, D("100.00"), discount=D("20.00")),
                receiving.ReceiptLineInput("1001", 6_000, D("8.00")),
            ),
            document=SUPPLIER_INVOICE,
        ),
        actor=shop.books.admin,
        now=shop.now,
        terminal="T1",
        kdv_rates=shop.settings.kdv_rates,
        tz=shop.settings.shop.timezone,
    )
    return receiving.post_supplier_return(
        receipt.number,
        [receiving.SupplierReturnLineInput(4_000, line_no=1), receiving.SupplierReturnLineInput(5_000, line_no=2)],
        actor=shop.books.admin,
        now=shop.now + timedelta(hours=1),
        terminal="T1",
        tz=shop.settings.shop.timezone,
    )


def _iade(shop: Shop, ref: str | int, **kw: object) -> einvoice.IssuedInvoice:
    values: dict[str, object] = {
        "actor": shop.books.mehmet,
        "terminal": "T1",
        "now": shop.now + timedelta(hours=2),
        "settings": shop.settings,
    }
    values.update(kw)
    return einvoice.issue_supplier_return(ref, SUPPLIER_INVOICE, shop.now.date(), **values)  # type: ignore[arg-type]


def test_the_iade_invoice_refers_to_the_supplier_invoice_and_equals_the_return_on_the_account(shop: Shop) -> None:
    back = _acme_return(shop)
    inv = _iade(shop, back.number)
    assert (inv.type, inv.profile, inv.source, inv.customer_id) == ("IADE", "EARSIVFATURA", "supplier_return", ACME_VKN)
    assert inv.billing_ref == SUPPLIER_INVOICE
    entry = m.AccountEntry.get((m.AccountEntry.stock_document == back.id) & (m.AccountEntry.kind == "supplier_return"))
    assert inv.payable == back.total == D(entry.amount) / 100
    assert m.EInvoice.get_by_id(inv.id).stock_document_id == back.id
    xml = einvoice.invoice_xml(inv.id)
    assert_valid(xml)
    root = etree.fromstring(xml)
    ref = root.find("cac:BillingReference/cac:InvoiceDocumentReference", NS)
    assert ref.findtext("cbc:ID", namespaces=NS) == SUPPLIER_INVOICE
    assert ref.findtext("cbc:DocumentTypeCode", namespaces=NS) == "IADE"
    assert ref.findtext("cbc:IssueDate", namespaces=NS) == shop.now.date().isoformat()
    assert root.findtext("cac:LegalMonetaryTotal/cbc:PayableAmount", namespaces=NS) == f"{back.total:.2f}"
    rates = {
        sub.findtext("cbc:Percent", namespaces=NS): (
            sub.findtext("cbc:TaxableAmount", namespaces=NS),
            sub.findtext("cbc:TaxAmount", namespaces=NS),
        )
        for sub in root.findall("cac:TaxTotal/cac:TaxSubtotal", NS)
    }
    assert rates == {str(t.kdv_rate): (f"{t.net:.2f}", f"{t.kdv:.2f}") for t in back.totals}
    supplier = root.find("cac:AccountingCustomerParty/cac:Party", NS)
    assert supplier.findtext("cac:PartyIdentification/cbc:ID", namespaces=NS) == ACME_VKN
    report = audit.verify(settings=shop.settings)
    assert report.ok, report.problems


def test_a_registered_supplier_gets_a_temelfatura_even_when_the_shop_uses_ticarifatura(shop: Shop) -> None:
    back = _acme_return(shop)
    m.EInvoiceUser.create(
        identifier=ACME_VKN, mailbox="urn:mail:defaultpk@acme.com.tr", title="Acme", kind="PK", imported_at=shop.now
    )
    settings = dataclasses.replace(
        shop.settings, einvoice=dataclasses.replace(shop.settings.einvoice, profile="TICARIFATURA")
    )
    inv = _iade(shop, f"id:{back.id}", settings=settings)
    assert (inv.profile, inv.customer_alias) == ("TEMELFATURA", "urn:mail:defaultpk@acme.com.tr")
    assert inv.number.startswith("FT1")
    assert_valid(einvoice.invoice_xml(inv.id))


def test_a_supplier_return_is_invoiced_once_and_checked(shop: Shop) -> None:
    back = _acme_return(shop)
    with pytest.raises(PermissionDenied):
        _iade(shop, back.number, actor=shop.books.ayse)
    with pytest.raises(NotFound, match="No supplier return 99"):
        _iade(shop, 99)
    with pytest.raises(ValidationError, match="not an e-invoice number"):
        einvoice.issue_supplier_return(
            back.number,
            "IRS-1",
            date(2026, 10, 1),
            actor=shop.books.mehmet,
            terminal="T1",
            now=shop.now,
            settings=shop.settings,
        )
    inv = _iade(shop, back.number)
    with pytest.raises(ValidationError, match=f"already on invoice {inv.number}"):
        _iade(shop, back.number)
    assert m.EInvoice.select().count() == 1


def test_a_supplier_without_a_vkn_cannot_get_an_iade_invoice(shop: Shop) -> None:
    back = _acme_return(shop)
    accounts_party = m.Party.get(m.Party.code == "ACME")
    m.Party.update(vkn=None).where(m.Party.id == accounts_party.id).execute()
    with pytest.raises(ValidationError, match="no VKN or TCKN"):
        _iade(shop, back.number)
    assert m.EInvoice.select().count() == 0

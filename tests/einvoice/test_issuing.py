"""Issuing: numbers, ETTN, validation before anything is written, insert-only rows, the journal."""

from __future__ import annotations

import json
import re
import uuid
from datetime import timedelta

import pytest
from einvoice_support import TCKN, VKN, Shop, assert_valid, consumer_draft, issue
from lxml import etree
from peewee import IntegrityError as PeeweeIntegrityError

from pos_tui import store
from pos_tui.core import einvoice
from pos_tui.core.kernel import ValidationError
from pos_tui.store import models as m

NUMBER = re.compile(r"^[A-Z0-9]{3}20[0-9]{2}[0-9]{9}$")
NS = {
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
}


def test_an_earsiv_invoice_to_a_consumer_is_numbered_valid_stored_and_journalled(shop: Shop) -> None:
    inv = issue(shop, consumer_draft(shop.settings))
    assert NUMBER.match(inv.number) and inv.number == f"AT1{shop.now.year}000000001"
    assert str(uuid.UUID(inv.uuid)) == inv.uuid
    assert (inv.profile, inv.type, inv.status) == ("EARSIVFATURA", "SATIS", "queued")
    xml = einvoice.invoice_xml(inv.id)
    assert_valid(xml)
    root = etree.fromstring(xml)
    assert root.findtext("cbc:UUID", namespaces=NS) == inv.uuid
    assert root.findtext("cac:LegalMonetaryTotal/cbc:PayableAmount", namespaces=NS) == "128.00"
    (payload,) = [
        json.loads(p)
        for (p,) in store.rows(m.JournalEntry.select(m.JournalEntry.payload).where(m.JournalEntry.kind == "einvoice"))
    ]
    assert payload == einvoice.invoice_payload(inv.id)


def test_numbers_are_gapless_per_series_and_year_and_separate_for_efatura(shop: Shop) -> None:
    a = issue(shop, consumer_draft(shop.settings))
    b = issue(shop, consumer_draft(shop.settings, identifier=VKN, name="Köşe Bakkalı Ltd."), profile="TEMELFATURA")
    c = issue(shop, consumer_draft(shop.settings))
    next_year = shop.now.replace(year=shop.now.year - 1)  # GİB refuses a date after today: go back a year
    d = issue(shop, consumer_draft(shop.settings), now=next_year)
    e = issue(shop, consumer_draft(shop.settings), terminal="T2")
    assert [x.number[-9:] for x in (a, c, d)] == ["000000001", "000000002", "000000001"]
    assert b.number.startswith(f"FT1{shop.now.year}") and b.number.endswith("000000001")
    assert d.number[3:7] == str(next_year.year)
    assert e.number.startswith("AT2")


def test_an_invoice_gib_would_refuse_is_not_issued_and_takes_no_number(shop: Shop) -> None:
    future = shop.now.replace(year=2099)  # GİB's TimeCheck: an invoice dated after today
    with pytest.raises(ValidationError, match="TimeCheck"):
        issue(shop, consumer_draft(shop.settings), now=future)
    assert m.EInvoice.select().count() == 0
    assert issue(shop, consumer_draft(shop.settings)).number.endswith("000000001")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"identifier": "12345678901"}, "TCKN"),
        ({"identifier": "123"}, "neither"),
        ({"name": "Ayşe"}, "family name"),
        ({"type": "IADE"}, "return invoice"),
        ({"type": "TEVKIFAT"}, "withholding"),
    ],
)
def test_bad_drafts_are_refused_with_their_reason(shop: Shop, changes: dict[str, str], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        issue(shop, consumer_draft(shop.settings, **changes))
    assert m.EInvoice.select().count() == 0


def test_the_anonymous_consumer_number_is_for_earsiv_only(shop: Shop) -> None:
    inv = issue(shop, consumer_draft(shop.settings, identifier=einvoice.ANONYMOUS_TCKN, name="Nihai Tüketici"))
    assert inv.customer_id == "11111111111"
    with pytest.raises(ValidationError, match="e-Arşiv"):
        issue(
            shop,
            consumer_draft(shop.settings, identifier=einvoice.ANONYMOUS_TCKN, name="Nihai Tüketici"),
            profile="TEMELFATURA",
        )


def test_a_sale_is_invoiced_once(shop: Shop) -> None:
    sale_id = shop.sale.sale_id
    issue(shop, consumer_draft(shop.settings, sale_ids=(sale_id,)))
    with pytest.raises(ValidationError, match="already on invoice"):
        issue(shop, consumer_draft(shop.settings, sale_ids=(sale_id,)), now=shop.now + timedelta(minutes=1))
    assert [i.sale_ids for i in einvoice.list_invoices(sale_id=sale_id)] == [(sale_id,)]


def test_issued_invoices_cannot_be_edited(shop: Shop) -> None:
    inv = issue(shop, consumer_draft(shop.settings))
    with pytest.raises(PeeweeIntegrityError):
        m.EInvoice.update(payable=1).where(m.EInvoice.id == inv.id).execute()
    assert einvoice.get_invoice(inv.number).payable == inv.payable
    assert einvoice.get_invoice(inv.uuid).id == inv.id
    assert TCKN in einvoice.invoice_xml(inv.id).decode()


def test_a_posted_sale_is_invoiced_with_its_own_totals_kdv_and_payment(shop: Shop) -> None:
    buyer = einvoice.InvoiceParty(TCKN, "Ayşe Yılmaz", district="Kadıköy", city="İstanbul")
    inv = einvoice.invoice_sales(
        [f"T1/{shop.sale.receipt_no}"],
        actor=shop.books.ayse,
        terminal="T1",
        now=shop.now,
        settings=shop.settings,
        customer=buyer,
    )
    assert (inv.profile, inv.source, inv.sale_ids) == ("EARSIVFATURA", "sale", (shop.sale.sale_id,))
    xml = einvoice.invoice_xml(inv.number)
    assert_valid(xml)
    root = etree.fromstring(xml)
    total = root.find("cac:LegalMonetaryTotal", NS)
    assert total.findtext("cbc:TaxInclusiveAmount", namespaces=NS) == "140.00"
    rates = {
        sub.findtext("cbc:Percent", namespaces=NS): sub.findtext("cbc:TaxAmount", namespaces=NS)
        for sub in root.findall("cac:TaxTotal/cac:TaxSubtotal", NS)
    }
    kdv = {str(r.rate): f"{r.kdv / 100:.2f}" for r in m.SaleKdv.select().where(m.SaleKdv.sale == shop.sale.sale_id)}
    assert rates == kdv
    notes = [n.text for n in root.findall("cbc:Note", NS)]
    assert "Yalnız: YüzKırk Türk Lirası" in notes and any("Nakit" in n for n in notes)


def test_an_account_sale_goes_to_the_account_and_a_registered_buyer_gets_an_efatura(shop: Shop) -> None:
    m.EInvoiceUser.create(
        identifier=VKN,
        mailbox="urn:mail:defaultpk@bakkal.com.tr",
        title="Köşe Bakkalı Ltd.",
        kind="PK",
        imported_at=shop.now,
    )
    inv = einvoice.invoice_sales(
        [shop.sale.sale_id],
        actor=shop.books.ayse,
        terminal="T1",
        now=shop.now,
        settings=shop.settings,
        account="BAKKAL",
    )
    assert (inv.profile, inv.customer_id, inv.customer_alias) == (
        "TEMELFATURA",
        VKN,
        "urn:mail:defaultpk@bakkal.com.tr",
    )
    assert inv.number.startswith("FT1")
    assert_valid(einvoice.invoice_xml(inv.id))


def test_invoices_are_listed_since_a_shop_day(shop: Shop) -> None:
    old = issue(shop, consumer_draft(shop.settings), now=shop.now - timedelta(days=3))
    new = issue(shop, consumer_draft(shop.settings))
    assert [i.id for i in einvoice.list_invoices(since=shop.now.date())] == [new.id]
    assert [i.id for i in einvoice.list_invoices(since=(shop.now - timedelta(days=3)).date())] == [new.id, old.id]


def test_a_line_scanned_by_its_barcode_is_invoiced(shop: Shop) -> None:
    """GİB's XSD has no StandardItemIdentification: the barcode is not written (the code is)."""
    line = einvoice.InvoiceLineDraft(1, "1001", "Ekmek", "piece", 1000, 1000, 1000, 1, barcode="8690000000012")
    inv = issue(shop, consumer_draft(shop.settings, lines=(line,)))
    assert_valid(einvoice.invoice_xml(inv.id))

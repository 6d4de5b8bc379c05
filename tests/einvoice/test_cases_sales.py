"""Invoices of real posted sales (docs/einvoice-cases.md): each XML passes GİB's XSD and schematron and its
totals equal the posted sale's to the kuruş — e-Arşiv to a consumer and to an unregistered firm, e-Fatura
TEMELFATURA and TICARIFATURA, weighed lines, line and receipt discounts, three KDV rates and 0 %, the ÖKC
receipt (OKCBF), a periodic invoice of an account's sales, and what is refused."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from cases_support import NS, D, add_products, buyer, cart_milli, check_against_sales
from einvoice_support import TCKN, VKN, Shop
from money_support import cart_of, on_account, sell

from pos_tui.core import einvoice
from pos_tui.core.basket import Discount, PaymentInput
from pos_tui.core.kernel import PermissionDenied, ValidationError
from pos_tui.core.till import ReturnLineInput, complete_sale, create_return
from pos_tui.devices.fiscal import FiscalSimulator, fiscal_hook
from pos_tui.settings import Settings
from pos_tui.store import models as m

FIRM_VKN = "4840847211"  # check digits valid, not in GİB's list (an unregistered firm)
REGISTERED_VKN = VKN
MAILBOX = "urn:mail:defaultpk@bakkal.com.tr"


def invoice(
    shop: Shop,
    refs: list[str | int],
    *,
    settings: Settings | None = None,
    now: datetime | None = None,
    **kw: object,
) -> einvoice.IssuedInvoice:
    return einvoice.invoice_sales(
        refs,
        actor=kw.pop("actor", shop.books.ayse),  # type: ignore[arg-type]
        terminal="T1",
        now=now or shop.now,
        settings=settings or shop.settings,
        **kw,  # type: ignore[arg-type]
    )


def register_buyer(shop: Shop, identifier: str = REGISTERED_VKN) -> None:
    m.EInvoiceUser.create(
        identifier=identifier, mailbox=MAILBOX, title="Köşe Bakkalı Ltd.", kind="PK", imported_at=shop.now
    )


def cash(amount: Decimal | str) -> list[PaymentInput]:
    return [PaymentInput("cash", D(amount))]


def test_earsiv_to_a_consumer_by_tckn(shop: Shop) -> None:
    inv = invoice(shop, [f"T1/{shop.sale.receipt_no}"], customer=buyer(TCKN, "Ayşe Nur Yılmaz"))
    assert (inv.profile, inv.type, inv.status, inv.customer_id) == ("EARSIVFATURA", "SATIS", "queued", TCKN)
    x = check_against_sales(inv, [shop.sale.sale_id])
    party = x.root.find("cac:AccountingCustomerParty/cac:Party", NS)
    assert party is not None
    ids = [el.get("schemeID") for el in party.iter("{*}ID")]
    assert ids == ["TCKN"]
    assert x.text("cac:AccountingCustomerParty/cac:Party/cac:Person/cbc:FirstName") == "Ayşe Nur"
    assert x.text("cac:AccountingCustomerParty/cac:Party/cac:Person/cbc:FamilyName") == "Yılmaz"
    # e-Arşiv: how it reaches the buyer (no e-mail given: on paper)
    sending = [
        d for d in x.all("cac:AdditionalDocumentReference") if d.findtext("{*}DocumentTypeCode") == "SendingType"
    ]
    assert [d.findtext("{*}DocumentType") for d in sending] == ["KAGIT"]
    assert x.tax_inclusive == D("140.00")


def test_earsiv_to_an_unregistered_firm_by_vkn_is_sent_electronically_when_it_has_an_email(shop: Shop) -> None:
    firm = buyer(FIRM_VKN, "Yıldız İnşaat A.Ş.", tax_office="Üsküdar", email="muhasebe@yildiz.com.tr")
    inv = invoice(shop, [shop.sale.sale_id], customer=firm)
    assert (inv.profile, inv.number[:3], inv.customer_alias) == ("EARSIVFATURA", "AT1", None)
    x = check_against_sales(inv, [shop.sale.sale_id])
    assert x.text("cac:AccountingCustomerParty/cac:Party/cac:PartyName/cbc:Name") == "Yıldız İnşaat A.Ş."
    assert x.text("cac:AccountingCustomerParty/cac:Party/cac:PartyTaxScheme/cac:TaxScheme/cbc:Name") == "Üsküdar"
    assert "ELEKTRONIK" in [d.findtext("{*}DocumentType") for d in x.all("cac:AdditionalDocumentReference")]


@pytest.mark.parametrize("profile", ["TEMELFATURA", "TICARIFATURA"])
def test_efatura_to_a_registered_vkn(shop: Shop, profile: str) -> None:
    register_buyer(shop)
    settings = dataclasses.replace(shop.settings, einvoice=dataclasses.replace(shop.settings.einvoice, profile=profile))
    firm = buyer(REGISTERED_VKN, "Köşe Bakkalı Ltd.", tax_office="Kadıköy")
    inv = invoice(shop, [shop.sale.sale_id], customer=firm, settings=settings)
    assert (inv.profile, inv.type, inv.customer_alias) == (profile, "SATIS", MAILBOX)
    assert inv.number.startswith(f"FT1{shop.now.year}")
    x = check_against_sales(inv, [shop.sale.sale_id])
    assert x.profile == profile
    # e-Fatura carries no e-Arşiv sending type
    assert not [
        d for d in x.all("cac:AdditionalDocumentReference") if d.findtext("{*}DocumentTypeCode") == "SendingType"
    ]


def test_a_registered_firm_without_its_tax_office_is_refused_on_efatura(shop: Shop) -> None:
    register_buyer(shop)
    with pytest.raises(ValidationError, match="tax office"):
        invoice(shop, [shop.sale.sale_id], customer=buyer(REGISTERED_VKN, "Köşe Bakkalı Ltd."))
    assert m.EInvoice.select().count() == 0


def test_a_weighed_line_has_three_decimals_in_kilograms(shop: Shop) -> None:
    add_products(shop)
    # 1,255 kg of cheese at 280,00/kg = 351,40; a loaf of bread
    sale = sell(shop.books, cart_milli(("1006", 1255), ("1001", 1000)), cash("361.40"))
    assert sale.total == D("361.40")
    inv = invoice(shop, [sale.sale_id], customer=buyer(TCKN, "Ayşe Yılmaz"))
    x = check_against_sales(inv, [sale.sale_id])
    cheese, bread = x.lines
    assert (cheese.quantity, cheese.unit) == ("1.255", "KGM")
    assert (bread.quantity, bread.unit) == ("1", "C62")
    assert cheese.extension + cheese.kdv == D("351.40")


def test_line_and_receipt_discounts_are_line_allowances(shop: Shop) -> None:
    add_products(shop)
    cart = cart_milli(("1003", 2000), ("1004", 1000), ("1001", 3000))  # 240 + 85 + 30 = 355,00
    cart = cart.discount_line(1, Discount("percent", D(10)))  # −24,00 on the tea
    cart = cart.discount_cart(Discount("amount", D("33.10")))  # spread over the three lines
    sale = sell(shop.books, cart, cash(cart.total), actor=shop.books.mehmet)
    assert sale.total == D("297.90")
    inv = invoice(shop, [sale.sale_id], customer=buyer(TCKN, "Ayşe Yılmaz"))
    x = check_against_sales(inv, [sale.sale_id])
    posted = {ln.line_no: ln.discount for ln in m.SaleLine.select().where(m.SaleLine.sale == sale.sale_id)}
    assert all(posted.values()), "every line took a share of the receipt discount"
    for line, (rate, discount) in zip(x.lines, [(20, posted[1]), (20, posted[2]), (1, posted[3])], strict=True):
        # the allowance is the KDV-inclusive discount without its KDV
        assert line.allowance == (D(discount) / 100 * 100 / (100 + rate)).quantize(D("0.01"))
        assert line.allowance_reason == "İndirim"
    assert x.tax_exclusive == sum((ln.extension for ln in x.lines), D(0))
    assert x.tax_inclusive == sale.total
    assert x.allowance_total == 0  # no document-level allowance: every discount is on its line


def test_three_kdv_rates_and_a_zero_rate_line_with_its_exemption(shop: Shop) -> None:
    add_products(shop)
    cart = cart_of(("1001", 3), ("1005", 2), ("1003", 1), ("1007", 1))  # 1 %, 10 %, 20 %, 0 %
    sale = sell(shop.books, cart, cash(cart.total))
    inv = invoice(shop, [sale.sale_id], customer=buyer(TCKN, "Ayşe Yılmaz"))
    x = check_against_sales(inv, [sale.sale_id])
    assert sorted(x.subtotals) == [0, 1, 10, 20]
    assert x.subtotals[0][1] == 0 and x.exemptions == {0: "351"}
    assert x.subtotals[10] == (D("81.82"), D("8.18"))  # 2 × 45,00 at 10 %
    assert inv.kdv == sum((t for _b, t in x.subtotals.values()), D(0))


def test_a_fiscal_receipt_is_referenced_as_okcbf(shop: Shop, tmp_path: Path) -> None:
    device = FiscalSimulator(tmp_path / "okc", serial="AB00012345")
    hook = fiscal_hook(device, lambda: shop.now)
    for _ in range(2):  # the device numbers its receipts: the second sale is fiş 2
        sale = complete_sale(
            "T1", shop.books.ayse, cash("140.00"), now=shop.now, cart=cart_of(("1001", 2), ("1003", 1)), fiscal=hook
        )
    fiscal = m.SaleFiscal.get(m.SaleFiscal.sale == sale.sale_id)
    inv = invoice(shop, [sale.sale_id], customer=buyer(TCKN, "Ayşe Yılmaz"))
    x = check_against_sales(inv, [sale.sale_id])
    (ref,) = x.all("cac:BillingReference/cac:AdditionalDocumentReference")
    assert ref.findtext("{*}DocumentTypeCode") == "OKCBF" and ref.findtext("{*}DocumentType") == "OKCBilgiFisi"
    assert ref.findtext("{*}ID") == str(fiscal.fiscal_no) == "2"
    assert ref.findtext("{*}Attachment/{*}ExternalReference/{*}URI") == str(fiscal.z_no)
    assert ref.findtext("{*}IssuerParty/{*}EndpointID") == "AB00012345"
    assert ref.findtext("{*}DocumentDescription") == "E-ARSIV"
    assert ref.findtext("{*}ValidityPeriod/{*}StartDate") == ref.findtext("{*}IssueDate")


def test_a_periodic_invoice_of_three_sales_of_the_account(shop: Shop) -> None:
    add_products(shop)
    carts = [cart_of(("1004", 1)), cart_milli(("1006", 2500), ("1005", 1000)), cart_of(("1001", 5), ("1003", 1))]
    sales = [
        sell(shop.books, c, [on_account(str(c.total))], now=shop.now + timedelta(days=i), actor=shop.books.mehmet)
        for i, c in enumerate(carts)
    ]
    refs: list[str | int] = [f"T1/{s.receipt_no}" for s in sales]
    when = shop.now + timedelta(days=3)
    with pytest.raises(PermissionDenied, match="may not manage e-invoices"):
        invoice(shop, refs, account="BAKKAL", now=when)  # a cashier may not issue a periodic invoice
    inv = invoice(shop, refs, account="BAKKAL", now=when, actor=shop.books.admin)
    ids = [s.sale_id for s in sales]
    assert (inv.source, inv.sale_ids, inv.customer_id) == ("sales", tuple(sorted(ids)), VKN)
    x = check_against_sales(inv, ids)
    assert x.tax_inclusive == sum((s.total for s in sales), D(0))
    assert x.lines[0].name == f"Deterjan (T1/{sales[0].receipt_no})"
    assert x.lines[-1].name == f"Çay 500 g (T1/{sales[2].receipt_no})"
    assert sorted(x.subtotals) == [1, 10, 20]
    receipts = ", ".join(f"T1/{s.receipt_no}" for s in sales)
    assert f"Fiş: {receipts}" in x.notes
    assert any("Açık hesap" in n for n in x.notes)


def test_several_sales_need_an_account(shop: Shop) -> None:
    other = sell(shop.books, cart_of(("1001", 1)), cash("10.00"))
    with pytest.raises(ValidationError, match="one account"):
        invoice(shop, [shop.sale.sale_id, other.sale_id], customer=buyer(TCKN, "Ayşe Yılmaz"), actor=shop.books.admin)


def test_a_sale_already_returned_is_refused(shop: Shop) -> None:
    create_return("T1", shop.books.ayse, shop.sale.uid, [ReturnLineInput(1, 1000)], now=shop.now, reason="bayat")
    with pytest.raises(ValidationError, match="already returned"):
        invoice(shop, [shop.sale.sale_id], customer=buyer(TCKN, "Ayşe Yılmaz"))
    assert m.EInvoice.select().count() == 0


def test_a_return_document_is_refused(shop: Shop) -> None:
    ret = create_return("T1", shop.books.ayse, shop.sale.uid, [ReturnLineInput(1, 1000)], now=shop.now, reason="r")
    with pytest.raises(ValidationError, match="is a return"):
        invoice(shop, [ret.sale_id], customer=buyer(TCKN, "Ayşe Yılmaz"))
    assert m.EInvoice.select().count() == 0


def test_a_sale_is_invoiced_only_once(shop: Shop) -> None:
    first = invoice(shop, [shop.sale.sale_id], customer=buyer(TCKN, "Ayşe Yılmaz"))
    with pytest.raises(ValidationError, match=f"already on invoice {first.number}"):
        invoice(shop, [f"T1/{shop.sale.receipt_no}"], customer=buyer(FIRM_VKN, "Yıldız İnşaat A.Ş."))
    assert m.EInvoice.select().count() == 1


def test_the_anonymous_consumer_on_earsiv(shop: Shop) -> None:
    anonymous = buyer(einvoice.ANONYMOUS_TCKN, "Nihai Tüketici")
    inv = invoice(shop, [shop.sale.sale_id], customer=anonymous)
    assert (inv.profile, inv.customer_id) == ("EARSIVFATURA", "11111111111")
    x = check_against_sales(inv, [shop.sale.sale_id])
    assert x.text("cac:AccountingCustomerParty/cac:Party/cac:PartyIdentification/cbc:ID") == "11111111111"


def test_the_anonymous_number_is_refused_where_gib_would_route_an_efatura(shop: Shop) -> None:
    register_buyer(shop, einvoice.ANONYMOUS_TCKN)  # even if a bad user list had it
    with pytest.raises(ValidationError, match="e-Arşiv"):
        invoice(shop, [shop.sale.sale_id], customer=buyer(einvoice.ANONYMOUS_TCKN, "Nihai Tüketici"))


def test_a_bad_identifier_is_refused_before_anything_is_written(shop: Shop) -> None:
    with pytest.raises(ValidationError, match="TCKN 12345678901 is not valid"):
        invoice(shop, [shop.sale.sale_id], customer=buyer("12345678901", "Ayşe Yılmaz"))
    assert m.EInvoice.select().count() == 0


def test_a_free_line_is_a_full_allowance_and_an_all_free_receipt_still_validates(shop: Shop) -> None:
    cart = cart_of(("1003", 1), ("1001", 2)).discount_line(2, Discount("percent", D(100)))  # bread on the house
    sale = sell(shop.books, cart, cash("120.00"), actor=shop.books.admin)
    x = check_against_sales(invoice(shop, [sale.sale_id], customer=buyer(TCKN, "Ayşe Yılmaz")), [sale.sale_id])
    tea, bread = x.lines
    assert tea.extension + tea.kdv == D("120.00")
    assert bread.extension == 0 and bread.kdv == 0 and bread.allowance == (bread.price * 2).quantize(D("0.01")) > 0
    assert x.subtotals[1] == (D(0), D(0)) and x.exemptions[1] == "351"  # a KDV of 0 names its reason
    gift = cart_of(("1004", 1)).discount_cart(Discount("percent", D(100)))
    free = sell(shop.books, gift, [], actor=shop.books.admin)
    assert free.total == 0
    x = check_against_sales(invoice(shop, [free.sale_id], customer=buyer(TCKN, "Ayşe Yılmaz")), [free.sale_id])
    assert x.tax_inclusive == x.payable == 0 and "Yalnız: Sıfır Türk Lirası" in x.notes

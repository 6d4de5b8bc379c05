"""Standalone wholesale invoices: SATIS, ISTISNA and TEVKIFAT, the account entry of the payable amount, the goods
leaving stock, all in one transaction; validated with GİB's XSD and schematron."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from einvoice_support import VKN, Shop, assert_valid
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from pos_tui.core import accounts, audit, catalog, einvoice
from pos_tui.core.kernel import PermissionDenied, ValidationError
from pos_tui.store import models as m

D = Decimal
NS = {
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
}
W = einvoice.WholesaleLine


def _issue(
    shop: Shop, lines: list[einvoice.WholesaleLine], account: str = "BAKKAL", **kw: object
) -> einvoice.WholesaleResult:
    values: dict[str, object] = {
        "actor": shop.books.mehmet,
        "terminal": "T1",
        "now": shop.now,
        "settings": shop.settings,
    }
    values.update(kw)
    return einvoice.issue_wholesale(account, lines, **values)  # type: ignore[arg-type]


def _total(xml: bytes, name: str) -> str:
    return etree.fromstring(xml).findtext(f"cac:LegalMonetaryTotal/cbc:{name}", namespaces=NS)


def _entry(number: str) -> m.AccountEntry:
    return m.AccountEntry.get(m.AccountEntry.document == f"einvoice:{number}")


def test_a_satis_wholesale_invoice_posts_its_payable_on_the_account_and_takes_goods_out_of_stock(shop: Shop) -> None:
    stock_before = catalog.get_product("1001").stock
    done = _issue(
        shop,
        [W("1001", 10_000), W("1003", 2_000, unit_price=D("100.00"), discount=D("10.00"))],
        note="Sipariş 42",
    )
    inv = done.invoice
    assert (inv.profile, inv.type, inv.source, inv.status) == ("EARSIVFATURA", "SATIS", "wholesale", "queued")
    xml = einvoice.invoice_xml(inv.id)
    assert_valid(xml)
    # 10 × 10,00 (catalog price) + 2 × 100,00 − 10,00 = 290,00
    assert inv.payable == D("290.00") == D(_total(xml, "PayableAmount"))
    entry = _entry(inv.number)
    assert (entry.kind, entry.amount, entry.party_id, entry.note) == ("sale", 29000, shop.books.bakkal.id, "Sipariş 42")
    assert entry.due == shop.now.date() + timedelta(days=30) == done.due
    assert done.entry_number == entry.number and done.as_json() == inv.as_json()
    assert accounts.balance(shop.books.bakkal.id) == D("290.00")
    day = shop.now.date()
    (line,) = accounts.reports.statement(shop.books.bakkal.id, day, day).lines
    assert line.document == f"Invoice {inv.number}" and line.debit == D("290.00")
    assert catalog.get_product("1001").stock == stock_before - 10_000
    moved = m.StockMovement.get(m.StockMovement.note == f"einvoice:{inv.number}")
    assert (moved.kind, moved.qty, moved.sale_id) == ("sale", -10_000, None)
    report = audit.verify(settings=shop.settings)
    assert report.ok, report.problems


def test_the_account_price_list_prices_lines_without_a_price(shop: Shop) -> None:
    accounts.prices.add_price_list("TOPTAN", "Toptan", actor=shop.books.admin, now=shop.now)
    accounts.prices.set_price(
        "TOPTAN",
        accounts.prices.PriceInput(product="1003", price=D("99.90")),
        actor=shop.books.admin,
        now=shop.now,
        day=shop.now.date(),
    )
    accounts.update_party(accounts.PartyInput(code="BAKKAL", price_list="TOPTAN"), now=shop.now)
    inv = _issue(shop, [W("1003", 3_000)]).invoice
    assert inv.payable == D("299.70")
    assert_valid(einvoice.invoice_xml(inv.id))


def test_a_registered_buyer_gets_an_efatura_of_the_shop_profile(shop: Shop) -> None:
    m.EInvoiceUser.create(
        identifier=VKN,
        mailbox="urn:mail:defaultpk@bakkal.com.tr",
        title="Köşe Bakkalı",
        kind="PK",
        imported_at=shop.now,
    )
    inv = _issue(shop, [W("1004", 1_000)]).invoice
    assert (inv.profile, inv.customer_alias) == ("TEMELFATURA", "urn:mail:defaultpk@bakkal.com.tr")
    assert inv.number.startswith("FT1")
    assert_valid(einvoice.invoice_xml(inv.id))


def test_an_istisna_invoice_has_only_zero_rate_lines_with_the_exemption_code(shop: Shop) -> None:
    inv = _issue(shop, [W("1003", 2_000), W("1001", 5_000)], type="ISTISNA", exemption_code="301").invoice
    xml = einvoice.invoice_xml(inv.id)
    assert_valid(xml)
    root = etree.fromstring(xml)
    assert root.findtext("cbc:InvoiceTypeCode", namespaces=NS) == "ISTISNA"
    (sub,) = root.findall("cac:TaxTotal/cac:TaxSubtotal", NS)
    assert sub.findtext("cbc:Percent", namespaces=NS) == "0"
    assert sub.findtext("cac:TaxCategory/cbc:TaxExemptionReasonCode", namespaces=NS) == "301"
    assert "Mal ihracatı" in sub.findtext("cac:TaxCategory/cbc:TaxExemptionReason", namespaces=NS)
    # the list prices without their KDV: 2 × 120,00 / 1,20 + 5 × 10,00 / 1,01 = 200,00 + 49,50
    assert (inv.kdv, inv.payable) == (D("0.00"), D("249.50"))
    assert _entry(inv.number).amount == 24950


@pytest.mark.parametrize(
    ("code", "message"),
    [("351", "not an exemption"), ("999", "not an exemption code"), ("", "needs GİB's exemption code")],
)
def test_an_istisna_invoice_refuses_a_code_gib_does_not_allow(shop: Shop, code: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        _issue(shop, [W("1003", 1_000)], type="ISTISNA", exemption_code=code)
    assert m.EInvoice.select().count() == 0 and m.AccountEntry.select().count() == 0


def test_a_tevkifat_invoice_withholds_nine_tenths_and_the_account_gets_the_payable(shop: Shop) -> None:
    # 10 × 85,00 at 20 %: 708,33 + 141,67 KDV; 9/10 of it (127,50) is withheld by the buyer
    withholding = einvoice.parse_withholding("602:9/10")
    assert withholding == ("602", 90)
    inv = _issue(shop, [W("1004", 10_000)], type="TEVKIFAT", withholding=withholding).invoice
    xml = einvoice.invoice_xml(inv.id)
    assert_valid(xml)
    root = etree.fromstring(xml)
    assert root.findtext("cac:WithholdingTaxTotal/cbc:TaxAmount", namespaces=NS) == "127.50"
    sub = root.find("cac:WithholdingTaxTotal/cac:TaxSubtotal", NS)
    assert sub.findtext("cbc:Percent", namespaces=NS) == "90"
    assert sub.findtext("cac:TaxCategory/cac:TaxScheme/cbc:TaxTypeCode", namespaces=NS) == "602"
    assert _total(xml, "TaxInclusiveAmount") == "850.00" and _total(xml, "PayableAmount") == "722.50"
    assert (inv.withholding, inv.payable) == (D("127.50"), D("722.50"))
    assert _entry(inv.number).amount == 72250


def test_a_tevkifat_invoice_withholds_only_on_lines_with_kdv_and_checks_code_and_percent(shop: Shop) -> None:
    with pytest.raises(ValidationError, match="allows 20 %"):
        _issue(shop, [W("1004", 1_000)], type="TEVKIFAT", withholding=("624", 90))
    with pytest.raises(ValidationError, match="601–627"):
        _issue(shop, [W("1004", 1_000)], type="TEVKIFAT", withholding=("650", 20))
    with pytest.raises(ValidationError, match="needs a withholding code"):
        _issue(shop, [W("1004", 1_000)], type="TEVKIFAT")
    with pytest.raises(ValidationError, match="Only a withholding invoice"):
        _issue(shop, [W("1004", 1_000)], withholding=("624", 20))
    catalog.upsert_products(
        [catalog.ProductInput(code="1005", name="Gazete", price=D("15.00"), kdv_rate=0)],
        now=shop.now,
        kdv_rates=shop.settings.kdv_rates,
    )
    lines = [W("1004", 2_000), W("1001", 1_000), W("1005", 1_000)]
    inv = _issue(shop, lines, type="TEVKIFAT", withholding=("624", 20)).invoice
    xml = einvoice.invoice_xml(inv.id)
    assert_valid(xml)
    # 2 × 85,00 at 20 % = 141,67 + 28,33 KDV: 2/10 withheld = 5,67; 10,00 of bread at 1 % (0,10 KDV): 0,02;
    # the newspaper at 0 % (code 351) withholds nothing
    assert (inv.withholding, inv.payable) == (D("5.69"), D("189.31"))
    codes = [
        line.findtext("cac:WithholdingTaxTotal/cac:TaxSubtotal/cac:TaxCategory/cac:TaxScheme/cbc:TaxTypeCode", None, NS)
        for line in etree.fromstring(xml).findall("cac:InvoiceLine", NS)
    ]
    assert codes == ["624", "624", None]


def test_a_failing_invoice_leaves_no_account_entry_and_no_stock_movement(shop: Shop) -> None:
    stock_before = catalog.get_product("1001").stock
    movements = m.StockMovement.select().count()
    with pytest.raises(ValidationError, match="TimeCheck"):  # GİB refuses an invoice dated after today
        _issue(shop, [W("1001", 1_000)], now=shop.now.replace(year=2099))
    assert m.EInvoice.select().count() == 0 and m.AccountEntry.select().count() == 0
    assert m.StockMovement.select().count() == movements and catalog.get_product("1001").stock == stock_before
    assert _issue(shop, [W("1001", 1_000)]).invoice.number.endswith("000000001")  # the number was given back


def test_a_failing_account_entry_leaves_no_invoice(shop: Shop, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_a: object, **_k: object) -> None:
        raise ValidationError("ledger down")

    monkeypatch.setattr(accounts, "post_entries", refuse)
    with pytest.raises(ValidationError, match="ledger down"):
        _issue(shop, [W("1001", 1_000)])
    assert m.EInvoice.select().count() == 0 and m.EInvoiceQueue.select().count() == 0
    assert m.JournalEntry.select().where(m.JournalEntry.kind == "einvoice").count() == 0


def test_a_wholesale_invoice_needs_the_einvoice_permission_and_good_lines(shop: Shop) -> None:
    with pytest.raises(PermissionDenied):
        _issue(shop, [W("1001", 1_000)], actor=shop.books.ayse)
    with pytest.raises(ValidationError, match="Line 2: no product 9999"):
        _issue(shop, [W("1001", 1_000), W("9999", 1_000)])
    with pytest.raises(ValidationError, match="Line 1: 1001 is counted in pieces"):
        _issue(shop, [W("1001", 1_500)])
    with pytest.raises(ValidationError, match="Line 1: the discount"):
        _issue(shop, [W("1001", 1_000, discount=D("10.01"))])
    with pytest.raises(ValidationError, match="supplier account"):
        _issue(shop, [W("1001", 1_000)], account="ACME")
    with pytest.raises(ValidationError, match="SATIS, ISTISNA or TEVKIFAT"):
        _issue(shop, [W("1001", 1_000)], type="IADE")
    assert m.EInvoice.select().count() == 0


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    lines=st.lists(
        st.tuples(
            st.sampled_from(["1001", "1002", "1003", "1004", "2001"]),
            st.integers(1, 40),
            # from 1,00: a line so cheap that its KDV rounds to 0,00 trips GİB's TaxExemptionReasonCheck-1
            # (reported: ubl.py writes no exemption reason for a rate > 0 whose KDV is 0,00)
            st.one_of(st.none(), st.integers(100, 50_000)),
            st.integers(0, 100),
        ),
        min_size=1,
        max_size=5,
    ),
    kind=st.sampled_from(["SATIS", "TEVKIFAT"]),
)
def test_random_wholesale_invoices_validate_and_post_their_payable(
    shop: Shop, lines: list[tuple[str, int, int | None, int]], kind: str
) -> None:
    if not m.Product.select().where(m.Product.code == "2001").exists():
        catalog.upsert_products(
            [catalog.ProductInput(code="2001", name="Beyaz Peynir", price=D("455.80"), kdv_rate=10, unit="kg")],
            now=shop.now,
            kdv_rates=shop.settings.kdv_rates,
        )
    wanted = []
    for code, n, price, percent_off in lines:
        qty = n * 137 if code == "2001" else n * 1000  # a weighed product: grams, three decimals on the invoice
        unit_price = None if price is None else D(price) / 100
        gross = (unit_price or catalog.get_product(code).price) * qty / 1000
        wanted.append(W(code, qty, unit_price=unit_price, discount=(gross * percent_off / 100 / 3).quantize(D("0.01"))))
    done = _issue(shop, wanted, type=kind, withholding=("626", 20) if kind == "TEVKIFAT" else None)
    inv = done.invoice
    xml = einvoice.invoice_xml(inv.id)
    assert_valid(xml)
    assert D(_total(xml, "PayableAmount")) == inv.payable == inv.tax_inclusive - inv.withholding
    assert _entry(inv.number).amount * D("0.01") == inv.payable

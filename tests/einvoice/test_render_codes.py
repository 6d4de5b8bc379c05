"""What a printout must say beyond the figures: the exemption code and reason of an ISTISNA invoice and
the withholding code, name and share of a TEVKIFAT one (HTML, PDF, slip); unit prices rounded to 2–4
decimals while the XML keeps them all; the information slip's title and delivery sentence after the
profile and the e-Arşiv SendingType, and where the karekod can be checked when the slip is on screen."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from einvoice_support import VKN, Shop, assert_valid, consumer_draft, issue
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree, html
from render_support import pdf_pages_text

from pos_tui.core import einvoice
from pos_tui.core.einvoice.render.slip import DELIVERY, EFATURA_DELIVERY, WHERE
from pos_tui.core.einvoice.render.view import shown_price, withholding_share
from pos_tui.core.kernel.formatting import format_decimal

D = Decimal
W = einvoice.WholesaleLine
NS = {
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
}
render = einvoice.render
EXPORT = "301 - 11/1-a Mal ihracatı"
STUDY = "602 - Etüt, plan-proje, danışmanlık, denetim ve benzeri hizmetler (9/10)"


def _wholesale(shop: Shop, lines: list[einvoice.WholesaleLine], **kw: object) -> bytes:
    values: dict[str, object] = {"actor": shop.books.mehmet, "terminal": "T1", "now": shop.now}
    values.update(kw)
    done = einvoice.issue_wholesale("BAKKAL", lines, settings=shop.settings, **values)  # type: ignore[arg-type]
    xml = einvoice.invoice_xml(done.invoice.id)
    assert_valid(xml)
    return xml


def _cell(page: html.HtmlElement, id_: str) -> str:
    (node,) = page.xpath(f"//*[@id='{id_}']")
    return " ".join(node.text_content().split())


def _line_notes(page: html.HtmlElement, kind: str) -> list[str]:
    return [" ".join(n.text_content().split()) for n in page.xpath(f"//table[@id='lines']//small[@class='{kind}']")]


def _screen(job: object) -> str:
    """The slip as the till shows it without a printer: the text lines, barcodes left out."""
    return "\n".join(line.text for line in job.lines if line.barcode is None)  # type: ignore[attr-defined]


def test_an_istisna_invoice_shows_its_exemption_code_and_reason_once_in_html_pdf_and_slip(shop: Shop) -> None:
    xml = _wholesale(shop, [W("1003", 2_000), W("1001", 5_000)], type="ISTISNA", exemption_code="301")
    page = html.fromstring(render.render_html(xml))
    assert _line_notes(page, "exemption") == [f"İstisna: {EXPORT}"] * 2  # per line
    assert _cell(page, "exemption-1") == f"KDV İstisna (%0) {EXPORT}"  # per KDV subtotal
    assert "301 301" not in page.text_content()
    (text,) = pdf_pages_text(render.render_pdf(xml))
    assert text.count(f"İstisna: {EXPORT}") == 2 and f"KDV İstisna (%0) {EXPORT}" in text
    assert "301 301" not in text and "Hesaplanan KDV (%0) 0,00 TL" in text
    slip = " ".join(line.strip() for line in render.info_slip_lines(xml, 80))
    assert f"KDV İstisna: {EXPORT}" in slip


def test_a_tevkifat_invoice_shows_the_withholding_code_name_and_share(shop: Shop) -> None:
    xml = _wholesale(shop, [W("1004", 10_000)], type="TEVKIFAT", withholding=einvoice.parse_withholding("602:9/10"))
    page = html.fromstring(render.render_html(xml))
    assert _line_notes(page, "withholding") == [f"Tevkifat: {STUDY}"]
    assert _cell(page, "withholding-1") == f"KDV Tevkifatı (%90) {STUDY}"
    assert _cell(page, "tevkifat-1") == "KDV Tevkifatı (%90) 602 127,50 TL"
    (text,) = pdf_pages_text(render.render_pdf(xml))
    for expected in (f"Tevkifat: {STUDY}", f"KDV Tevkifatı (%90) {STUDY}", "KDV Tevkifatı (%90) 602 127,50 TL"):
        assert expected in text, expected
    slip = " ".join(line.strip() for line in render.info_slip_lines(xml, 80))
    assert f"Tevkifat: {STUDY}" in slip


def test_a_two_tenths_withholding_reads_2_of_10_and_plain_lines_get_no_codes(shop: Shop) -> None:
    xml = _wholesale(shop, [W("1004", 2_000), W("1001", 1_000)], type="TEVKIFAT", withholding=("624", 20))
    page = html.fromstring(render.render_html(xml))
    assert _line_notes(page, "withholding") == ["Tevkifat: 624 - Yük taşımacılığı hizmeti (2/10)"] * 2
    assert _line_notes(page, "exemption") == []
    (text,) = pdf_pages_text(render.render_pdf(xml))
    assert "624 - Yük taşımacılığı hizmeti (2/10)" in text and "İstisna" not in text
    plain = html.fromstring(render.render_html(_wholesale(shop, [W("1004", 1_000)])))
    assert not plain.xpath("//*[@id='tax-codes']") and _line_notes(plain, "withholding") == []


@pytest.mark.parametrize(
    ("percent", "share"), [("90", "9/10"), ("20", "2/10"), ("100", "10/10"), ("50.0", "5/10"), ("33", "%33")]
)
def test_withholding_shares_read_in_tenths(percent: str, share: str) -> None:
    assert withholding_share(percent) == share


def test_a_code_given_apart_from_its_reason_is_joined_once(shop: Shop) -> None:
    xml = _wholesale(shop, [W("1003", 1_000)], type="ISTISNA", exemption_code="301")
    root = etree.fromstring(xml)
    for reason in root.iterfind(".//cac:TaxCategory/cbc:TaxExemptionReason", NS):
        reason.text = "11/1-a Mal ihracatı"  # as another program might write it: the reason without the code
    page = html.fromstring(render.render_html(etree.tostring(root)))
    assert _cell(page, "exemption-1") == f"KDV İstisna (%0) {EXPORT}"
    assert f"KDV İstisna (%0) {EXPORT}" in pdf_pages_text(render.render_pdf(etree.tostring(root)))[0]


def test_unit_prices_print_with_two_to_four_decimals_and_the_xml_keeps_them_all(shop: Shop) -> None:
    lines = [W("1001", 3_000, unit_price=D("185.00")), W("1003", 1_000, unit_price=D("100.00")), W("1004", 1_000)]
    xml = _wholesale(shop, lines)
    prices = [p.text for p in etree.fromstring(xml).iterfind("cac:InvoiceLine/cac:Price/cbc:PriceAmount", NS)]
    assert any(len(p.split(".")[1]) > 4 for p in prices), prices  # else this test proves nothing
    expected = [format_decimal(shown_price(D(p)), places=2, language="tr") for p in prices]
    assert all(2 <= len(e.split(",")[1]) <= 4 for e in expected)
    page = html.fromstring(render.render_html(xml))
    cells = [" ".join(td.text_content().split()) for td in page.xpath("//table[@id='lines']/tbody/tr/td[5]")]
    assert cells == [f"{e} TL" for e in expected]
    (text,) = pdf_pages_text(render.render_pdf(xml))
    for full, short in zip(prices, expected, strict=True):
        assert short in text and (full.replace(".", ",") == short or full.replace(".", ",") not in text)
    assert einvoice.invoice_xml(etree.fromstring(xml).findtext("cbc:ID", namespaces=NS)) == xml  # unchanged


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("34.55333333", "34.5533"),
        ("183.16833333", "183.1683"),
        ("9.406", "9.406"),
        ("12", "12.00"),
        ("12.5", "12.50"),
        ("0.00005", "0.0001"),
        ("70.83335", "70.8334"),
    ],
)
def test_shown_price_rounds_half_up_to_four_decimals_keeping_two(value: str, shown: str) -> None:
    assert str(shown_price(D(value))) == shown


SAMPLE = (Path(__file__).parent / "data" / "render_sample.xml").read_bytes()


# exact halves whose double × 10000 falls just below the half (found by brute force): the XSLT must still round up
HALVES = ["191087.73075", "186584.98135", "694643.70425", "87675.92695", "712756.82795"]


@settings(max_examples=60, deadline=None)
@given(
    price=st.decimals(min_value=D("0.00000001"), max_value=D("999999.99999999"), places=8)
    | st.sampled_from([D(h) for h in HALVES])
    | st.integers(0, 9_999_999_999).map(lambda n: D(n) / 10000 + D("0.00005"))
)
def test_the_html_rounds_unit_prices_as_the_pdf_does(price: Decimal) -> None:
    _html_price_is_the_pdf_price(price)


@pytest.mark.parametrize("half", HALVES)
def test_the_html_rounds_an_exact_half_up(half: str) -> None:
    _html_price_is_the_pdf_price(D(half))
    assert shown_price(D(half)) - D(half) == D("0.00005")  # up, by half a step


def _html_price_is_the_pdf_price(price: Decimal) -> None:
    root = etree.fromstring(SAMPLE)
    root.find("cac:InvoiceLine/cac:Price/cbc:PriceAmount", NS).text = str(price)
    page = html.fromstring(render.render_html(etree.tostring(root)))
    cell = " ".join(page.xpath("//table[@id='lines']/tbody/tr[1]/td[5]")[0].text_content().split())
    assert cell == f"{format_decimal(shown_price(price), places=2, language='tr')} TL"


def test_an_efatura_slip_calls_itself_e_fatura_and_says_how_it_reaches_the_buyer(shop: Shop) -> None:
    inv = issue(shop, consumer_draft(shop.settings, identifier=VKN, name="Bakkal"), profile=einvoice.TEMELFATURA)
    xml = einvoice.invoice_xml(inv.id)
    assert inv.number.startswith("FT1")
    job = render.info_slip(xml)
    assert job.title == f"e-Fatura Bilgi Fişi {inv.number}"
    text = _screen(job)
    assert "e-Fatura Bilgi Fişi" in text and "e-Arşiv" not in text and "elektronik ortamda" not in text
    assert " ".join(text.split()).count(EFATURA_DELIVERY) == 1


@pytest.mark.parametrize(("email", "sending"), [("ayse@example.com", "ELEKTRONIK"), ("", "KAGIT")])
def test_an_earsiv_slip_follows_the_sending_type(shop: Shop, email: str, sending: str) -> None:
    draft = consumer_draft(shop.settings)
    customer = einvoice.InvoiceParty(draft.customer.identifier, draft.customer.name, city="İstanbul", email=email)
    inv = issue(shop, consumer_draft(shop.settings, customer=customer))
    xml = einvoice.invoice_xml(inv.id)
    sent = etree.fromstring(xml).xpath(
        "cac:AdditionalDocumentReference[cbc:DocumentTypeCode='SendingType']/cbc:DocumentType/text()", namespaces=NS
    )
    assert sent == [sending]
    job = render.info_slip(xml)
    assert job.title == f"e-Arşiv Fatura Bilgi Fişi {inv.number}"
    words = " ".join(_screen(job).split())
    assert DELIVERY[sending] in words
    assert ("elektronik ortamda iletilir" in words) == (sending == "ELEKTRONIK")
    assert ("alıcı nüshasıdır" in words) == (sending == "KAGIT")


@pytest.mark.parametrize("width", [32, 42, 48])
def test_on_screen_the_slip_still_says_where_the_karekod_and_invoice_can_be_checked(shop: Shop, width: int) -> None:
    inv = issue(shop, consumer_draft(shop.settings))
    xml = einvoice.invoice_xml(inv.id)
    job = render.info_slip(xml, width)
    screen = _screen(job)
    assert all(len(line) <= width for line in screen.splitlines())
    assert WHERE in " ".join(screen.split()) and "Karekod" in screen
    assert screen.splitlines() == render.info_slip_lines(xml, width)
    assert len(render.info_slip_lines(xml, width)) - len(render.info_slip_lines(xml, width, where="")) <= 3
    own = render.info_slip_lines(xml, width, where="Fatura: entegrator.example/sorgu")
    assert "Fatura: entegrator.example/sorgu" in " ".join(own) and WHERE not in " ".join(" ".join(own).split())


def test_the_okc_slip_reference_of_our_own_invoices_is_shown_with_its_z_number(shop: Shop) -> None:
    slip = einvoice.FiscalSlip(number=12, at=shop.now, z_no=3, device="AB12345678")
    inv = issue(shop, consumer_draft(shop.settings, fiscal_slips=(slip,)))
    xml = einvoice.invoice_xml(inv.id)
    assert etree.fromstring(xml).xpath("cac:BillingReference/cac:AdditionalDocumentReference", namespaces=NS)
    expected = f"Fiş No: 12 · {shop.now:%d.%m.%Y} · Z No: 3; ÖKC: AB12345678"
    assert expected in _cell(html.fromstring(render.render_html(xml)), "head")
    assert expected in pdf_pages_text(render.render_pdf(xml))[0]
    assert any(line.startswith("ÖKC Fiş No:") for line in render.info_slip_lines(xml))

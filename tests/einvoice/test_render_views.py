"""Showing an invoice from its XML: the HTML page (our XSLT), the A4 PDF, GİB's karekod and the
e-Arşiv information slip. Figures are checked against the XML and against hand-worked values."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from einvoice_support import VKN, Shop, assert_valid
from lxml import etree, html
from render_support import issued_xml, pdf_pages_text, pdf_qr_codes, svg_qr_text

from pos_tui.core import einvoice
from pos_tui.core.kernel import ValidationError
from pos_tui.core.kernel.printable import Printable
from pos_tui.devices.printer import EscposPrinter, PrinterConfig

NS = {
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
}
render = einvoice.render
NASTY = 'Öz & <Oğul> "Ticaret" Ltd.'


def _cell(page: html.HtmlElement, id_: str) -> str:
    (node,) = page.xpath(f"//*[@id='{id_}']")
    return " ".join(node.text_content().split())


def test_the_karekod_is_gibs_json_with_the_values_of_the_xml(shop: Shop) -> None:
    inv, xml = issued_xml(shop)
    got = json.loads(render.karekod(xml))
    assert list(got) == [
        "vkntckn", "avkntckn", "senaryo", "tip", "tarih", "no", "ettn", "parabirimi", "malhizmettoplam",
        "kdvmatrah(1)", "hesaplanankdv(1)", "kdvmatrah(20)", "hesaplanankdv(20)", "vergidahil", "odenecek",
    ]  # fmt: skip
    assert got["vkntckn"] == shop.settings.shop.vkn and got["avkntckn"] == inv.customer_id
    assert (got["senaryo"], got["tip"], got["no"], got["ettn"]) == ("EARSIVFATURA", "SATIS", inv.number, inv.uuid)
    assert got["tarih"] == inv.issued_at.date().isoformat() and got["parabirimi"] == "TRY"
    # 2 × Ekmek 20,00 at 1 %; Çay 120,00 less 12,00 at 20 %: nets 19,80 and 90,00
    assert got["kdvmatrah(1)"] == "19.80" and got["hesaplanankdv(1)"] == "0.20"
    assert got["kdvmatrah(20)"] == "90.00" and got["hesaplanankdv(20)"] == "18.00"
    assert got["malhizmettoplam"] == "109.80" and got["vergidahil"] == got["odenecek"] == "128.00"
    assert Decimal(got["odenecek"]) == inv.payable
    assert render.karekod(xml) == json.dumps(got, separators=(",", ":"))  # minified, nothing else in it


def test_the_html_page_shows_the_figures_of_the_xml_the_turkish_way(shop: Shop) -> None:
    inv, xml = issued_xml(shop)
    page = html.fromstring(render.render_html(xml))
    assert _cell(page, "title") == "e-Arşiv Fatura" and _cell(page, "profile") == "EARSIVFATURA"
    assert _cell(page, "number") == inv.number and _cell(page, "ettn") == inv.uuid
    assert _cell(page, "date") == inv.issued_at.strftime("%d.%m.%Y %H:%M") and _cell(page, "type") == "SATIS"
    supplier = _cell(page, "supplier")
    s = shop.settings.shop
    assert (s.legal_name or s.name) in supplier and f"VKN: {s.vkn}" in supplier and s.tax_office in supplier
    assert "Ayşe Yılmaz" in _cell(page, "customer") and f"TCKN: {inv.customer_id}" in _cell(page, "customer")
    rows = [
        [" ".join(td.text_content().split()) for td in tr.xpath("td")]
        for tr in page.xpath("//table[@id='lines']/tbody/tr")
    ]
    assert rows == [
        ["1", "1001", "Ekmek", "2 adet", "9,90 TL", "0,00 TL", "%1", "0,20 TL", "19,80 TL"],
        ["2", "1003", "Çay 500 g", "1 adet", "100,00 TL", "10,00 TL", "%20", "18,00 TL", "90,00 TL"],
    ]
    totals = {tr.get("id"): " ".join(tr.xpath("string(td)").split()) for tr in page.xpath("//table[@id='totals']/tr")}
    assert totals == {
        "goods": "119,80 TL",  # before the line discounts
        "discount": "10,00 TL",  # Σ line allowances (net of KDV)
        "tax-exclusive": "109,80 TL",
        "kdv-1": "0,20 TL",
        "kdv-20": "18,00 TL",
        "tax-inclusive": "128,00 TL",
        "payable": "128,00 TL",
    }
    assert _cell(page, "notes").startswith("Yalnız: YüzYirmiSekiz Türk Lirası")


def test_the_html_escapes_names_and_groups_thousands(shop: Shop) -> None:
    line = einvoice.InvoiceLineDraft(1, "9001", "Buzdolabı <A&B>", "piece", 1000, 1234560, 1234560, 20)
    _inv, xml = issued_xml(shop, identifier=VKN, name=NASTY, lines=(line,))
    assert_valid(xml)
    text = render.render_html(xml)
    assert "<Oğul>" not in text and "<A&B>" not in text and "&lt;Oğul&gt;" in text
    page = html.fromstring(text)
    assert NASTY in _cell(page, "customer") and f"VKN: {VKN}" in _cell(page, "customer")
    assert "Buzdolabı <A&B>" in _cell(page, "lines")
    assert _cell(page, "payable") == "Ödenecek Tutar 12.345,60 TL"
    assert _cell(page, "tax-exclusive") == "Vergi Hariç Tutar 10.288,00 TL"


def test_the_html_karekod_decodes_to_the_karekod(shop: Shop) -> None:
    _inv, xml = issued_xml(shop)
    page = html.fromstring(render.render_html(xml))
    (svg,) = page.xpath("//div[@id='karekod']/svg")
    (path,) = svg.xpath("path")
    assert svg_qr_text(int(svg.get("width")), path.get("d")) == [render.karekod(xml)]


def test_the_pdf_has_the_figures_and_a_karekod_that_decodes(shop: Shop) -> None:
    line = einvoice.InvoiceLineDraft(1, "9001", "Buzdolabı <A&B>", "piece", 1000, 1234560, 1234560, 20)
    inv, xml = issued_xml(shop, identifier=VKN, name=NASTY, lines=(line,))
    data = render.render_pdf(xml)
    (text,) = pdf_pages_text(data)
    for expected in (
        "e-Arşiv Fatura",
        inv.number,
        inv.uuid,
        NASTY,
        "Buzdolabı <A&B>",
        "Vergi Dairesi: Kadıköy",
        "Vergi Hariç Tutar 10.288,00 TL",
        "Hesaplanan KDV (%20) 2.057,60 TL",
        "Ödenecek Tutar 12.345,60 TL",
        "Yalnız:",
    ):
        assert expected in text, expected
    assert pdf_qr_codes(data) == [[render.karekod(xml)]]


def test_a_long_invoice_flows_over_pages_with_the_header_on_each(shop: Shop) -> None:
    lines = tuple(
        einvoice.InvoiceLineDraft(i, f"{i:04d}", f"Ürün {i}", "piece", 1000, 1000 + i, 1000 + i, 20)
        for i in range(1, 121)
    )
    inv, xml = issued_xml(shop, lines=lines)
    pages = pdf_pages_text(render.render_pdf(xml))
    assert len(pages) >= 3
    for number, page in enumerate(pages, start=1):
        assert f"e-Arşiv Fatura {inv.number}" in page and f"ETTN: {inv.uuid}" in page and f"Sayfa {number}" in page
        assert ("Ürün" in page) == ("Mal Hizmet" in page)  # the column heads repeat over the lines
    everything = " ".join(pages)
    assert all(f"Ürün {i} " in everything for i in range(1, 121))
    assert everything.count("Ödenecek Tutar") == 1 and "Ödenecek Tutar" not in pages[0]


def test_the_information_slip_fits_the_paper_and_carries_the_invoice(shop: Shop) -> None:
    inv, xml = issued_xml(shop)
    for width in (32, 42, 48):
        lines = render.info_slip_lines(xml, width)
        assert all(len(line) <= width for line in lines), width
        text = "\n".join(lines)
        assert "e-Arşiv Fatura Bilgi Fişi" in text and inv.number in text
        assert inv.uuid in "".join(lines)  # 36 characters: split over two lines on 32-column paper
        assert "Ayşe Yılmaz" in text and inv.customer_id in text
        assert "YüzYirmiSekiz" in text.replace("\n", "")
    lines = render.info_slip_lines(xml)
    assert any(line.startswith("ÖDENECEK TUTAR:") and line.endswith("128,00 TL") for line in lines)
    assert any(line.startswith("KDV %20:") and line.endswith("18,00 TL") for line in lines)
    with pytest.raises(ValidationError):
        render.info_slip_lines(xml, 20)


def test_the_slip_prints_its_karekod_with_the_printers_qr_command(shop: Shop) -> None:
    _inv, xml = issued_xml(shop)
    job = render.info_slip(xml)
    assert isinstance(job, Printable)
    assert [ln.text for ln in job.lines[:-1]] == render.info_slip_lines(xml)
    qr = job.lines[-1]
    assert (qr.symbology, qr.barcode) == ("QR", render.karekod(xml))
    data = EscposPrinter(PrinterConfig()).render(job)
    store = render.karekod(xml).encode()
    # GS ( k, function 180 (store the data): pL pH = the length + 3
    head = b"\x1d(k" + bytes([(len(store) + 3) % 256, (len(store) + 3) // 256]) + b"1P0"
    assert head + store in data and b"\x1d(k\x03\x001Q0" in data  # stored, then printed


def test_an_iade_and_an_okcbf_reference_are_shown(shop: Shop) -> None:
    sample = (Path(__file__).parent / "data" / "render_sample.xml").read_bytes()
    page = html.fromstring(render.render_html(sample))
    head = _cell(page, "head")
    assert "Fiş No: 12 · 06.12.2026 · Z No: 3; ÖKC: AB12345678" in head
    assert "1,255 kg" in _cell(page, "lines") and "39,6096 TL" in _cell(page, "lines")
    assert _cell(page, "kdv-10") == "Hesaplanan KDV (%10) 9,09 TL"
    # An IADE invoice as a supplier might send it (rendering needs only the XML).
    _inv, issued = issued_xml(shop, identifier=VKN, name="ACME Toptan")
    root = etree.fromstring(issued)
    root.find("cbc:InvoiceTypeCode", NS).text = "IADE"
    ref = etree.Element(f"{{{NS['cac']}}}BillingReference")
    doc = etree.SubElement(ref, f"{{{NS['cac']}}}InvoiceDocumentReference")
    for tag, value in (
        ("ID", "ABC2026000000042"),
        ("IssueDate", shop.now.date().isoformat()),
        ("DocumentTypeCode", "IADE"),
    ):
        etree.SubElement(doc, f"{{{NS['cbc']}}}{tag}").text = value
    root.find("cbc:LineCountNumeric", NS).addnext(ref)
    xml = etree.tostring(root)
    page = html.fromstring(render.render_html(xml))
    assert _cell(page, "type") == "IADE"
    assert f"ABC2026000000042 · {shop.now:%d.%m.%Y}" in _cell(page, "head")
    slip = " ".join(line.strip() for line in render.info_slip_lines(xml))
    assert f"İade Edilen Fatura: ABC2026000000042 {shop.now:%d.%m.%Y}" in slip


def test_something_that_is_not_an_invoice_is_refused_clearly() -> None:
    with pytest.raises(ValidationError, match="Not a readable invoice XML"):
        render.render_html(b"<Invoice")
    with pytest.raises(ValidationError, match="Not a UBL invoice"):
        render.karekod(etree.tostring(etree.Element("Order")))


def test_a_tevkifat_invoice_shows_the_withheld_kdv(shop: Shop) -> None:
    line = einvoice.InvoiceLineDraft(
        1, "S01", "Temizlik hizmeti", "piece", 1000, 120000, 120000, 20, withholding_code="622", withholding_percent=90
    )
    inv, xml = issued_xml(shop, identifier=VKN, name="Acme Temizlik", type=einvoice.TEVKIFAT, lines=(line,))
    assert_valid(xml)
    # 1.200,00 with 20 % KDV: net 1.000,00, KDV 200,00, 9/10 of it withheld: 180,00; payable 1.020,00
    page = html.fromstring(render.render_html(xml))
    assert _cell(page, "tevkifat-1").startswith("KDV Tevkifatı (%90)") and _cell(page, "tevkifat-1").endswith(
        "180,00 TL"
    )
    assert _cell(page, "payable") == "Ödenecek Tutar 1.020,00 TL" and inv.payable == Decimal("1020.00")
    (text,) = pdf_pages_text(render.render_pdf(xml))
    assert "KDV Tevkifatı (%90) 622 180,00 TL" in text and "Ödenecek Tutar 1.020,00 TL" in text
    assert any(ln.startswith("KDV Tevkifatı %90:") and ln.endswith("180,00 TL") for ln in render.info_slip_lines(xml))
    assert json.loads(render.karekod(xml))["odenecek"] == "1020.00"

"""The receipt as printable lines (pos_tui.core.till.receipts.receipt_for), from sale documents in the
posted shape: what a customer reads, in Turkish and English, at 32, 42 and 48 characters."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from printing_support import joined, member_doc, return_doc, sale_doc, settings_in, texts

from pos_tui.core.kernel import Printable, ValidationError
from pos_tui.core.till import NO_FISCAL_VALUE, PointsSummary, as_text, mask_card, receipt_for
from pos_tui.i18n import set_language
from pos_tui.settings import Settings


@pytest.fixture
def tr(tmp_path: Path) -> Iterator[Settings]:
    set_language("tr")
    yield settings_in("tr", tmp_path)
    set_language("en")


@pytest.fixture
def en(tmp_path: Path) -> Settings:
    set_language("en")
    return settings_in("en", tmp_path)


def fits(job: Printable, width: int) -> None:
    for line in job.lines:
        room = width // 2 if line.double else width
        assert len(line.text) <= room, (line.text, room)


def test_turkish_receipt_reads_like_a_turkish_slip(tr: Settings) -> None:
    job = receipt_for(sale_doc(), tr, width=42, fiscal=False)
    lines = texts(job)
    assert lines[0] == "Demo Market Gıda Ltd. Şti."
    assert job.lines[0].bold and job.lines[0].align == "center"
    assert "Moda Cad. No: 1, Kadıköy / İstanbul" in lines
    assert "Kadıköy V.D. · VKN 1234567890" in lines
    assert "Hoş geldiniz" in lines  # settings.receipt_header
    assert "SATIŞ" in lines
    assert lines[lines.index("SATIŞ") + 1] == "Fiş no: T1/42".ljust(26) + "01.11.2026 10:15"
    assert "Kasiyer: ayse" in lines[lines.index("SATIŞ") + 2] and lines[lines.index("SATIŞ") + 2].endswith("Kasa: T1")
    # each line: the name with the KDV rate marker and the amount before its discount
    assert any(t.startswith("TOZ ŞEKER 1 KG") and t.endswith("%1 50,00") for t in lines)
    assert "  2 x 25,00" in lines
    assert any(t.startswith("Gül Şampuanı ığdır") and t.endswith("%20 110,00") for t in lines)
    assert any(t.startswith("  İndirim") and t.endswith("-15,00") for t in lines)
    assert any(t.startswith("Ara toplam") and t.endswith("160,00") for t in lines)
    total = next(line for line in job.lines if line.text.startswith("TOPLAM"))
    assert total.double and total.bold and total.text.endswith("145,00 TL")
    assert "₺" not in joined(job)
    assert joined(job).count(NO_FISCAL_VALUE) == 2  # under the header and at the bottom
    assert "Bizi tercih ettiğiniz için teşekkürler" in joined(job)  # settings.receipt_footer
    assert "COPY" not in lines and "KOPYA" not in lines


def test_kdv_breakdown_has_base_and_tax_per_rate(tr: Settings) -> None:
    lines = texts(receipt_for(sale_doc(), tr, width=42, fiscal=True))
    head = next(i for i, t in enumerate(lines) if t.startswith("KDV ") and "Matrah" in t)
    assert lines[head].endswith("Matrah KDV tutarı")
    assert lines[head + 1].split() == ["%1", "49,50", "0,50"]
    assert lines[head + 2].split() == ["%20", "79,17", "15,83"]


def test_english_ui_still_prints_the_legal_notice_in_turkish(en: Settings) -> None:
    job = receipt_for(sale_doc(), en, width=42, fiscal=False)
    lines = texts(job)
    assert "SALE" in lines and "Receipt no: T1/42".ljust(26) + "01.11.2026 10:15" in lines
    assert any(t.startswith("  Discount") and t.endswith("-15.00") for t in lines)
    assert next(t for t in lines if t.startswith("TOTAL")).endswith("145.00 TL")
    assert NO_FISCAL_VALUE in joined(job)
    notice = [line for line in job.lines if "BİLGİ" in line.text or "YOKTUR" in line.text]
    assert notice and all(line.double and line.bold and line.align == "center" for line in notice)


def test_fiscal_mode_leaves_the_notice_out(en: Settings) -> None:
    assert "BİLGİ" not in joined(receipt_for(sale_doc(), en, width=42, fiscal=True))


def test_split_payment_with_change(en: Settings) -> None:
    job = receipt_for(sale_doc(), en, width=42, fiscal=True)
    lines = texts(job)
    card = lines.index("Card (1234)".ljust(37) + "45.00")
    assert lines[card + 1] == "Cash".ljust(36) + "100.00"
    assert lines[card + 2] == "  Given".ljust(36) + "200.00"
    assert lines[card + 3] == "  Change".ljust(33) + "100.00 TL"
    assert job.lines[card + 3].bold
    assert job.kick  # cash changed hands: the drawer opens once the slip is printed


def test_card_only_sale_keeps_the_drawer_shut(en: Settings) -> None:
    doc = sale_doc(
        payments=[{"method": "card", "amount": "145.00", "tendered": None, "change": None, "reference": None}]
    )
    assert not receipt_for(doc, en, width=42, fiscal=True).kick


def test_reprint_is_marked_copy_and_never_kicks(en: Settings) -> None:
    job = receipt_for(sale_doc(), en, width=42, fiscal=False, copy=True)
    copy = next(line for line in job.lines if line.text == "COPY")
    assert copy.double and copy.align == "center"
    assert not job.kick


def test_member_benefits_and_points(en: Settings) -> None:
    points = PointsSummary(earned=14, spent=100, balance=1234, pending=14)
    job = receipt_for(member_doc(), en, width=42, fiscal=True, points=points)
    lines = texts(job)
    # line 2's 15.00 discount: 10.00 of it the reward, the other 5.00 a plain discount
    shampoo = next(i for i, t in enumerate(lines) if t.startswith("Gül Şampuanı"))
    assert lines[shampoo + 1].startswith("  Discount") and lines[shampoo + 1].endswith("-5.00")
    assert lines[shampoo + 2].startswith("  Hoş geldin ödülü (100 points)") and lines[shampoo + 2].endswith("-10.00")
    assert "Member".ljust(29) + "*********3456" in lines
    assert "2990000123456" not in joined(job)  # the card (or a phone number) never prints whole
    assert "Points earned".ljust(40) + "14" in lines
    assert "Points spent".ljust(39) + "100" in lines
    assert "Points balance".ljust(38) + "1234" in lines


def test_member_without_points_prints_only_the_card(en: Settings) -> None:
    lines = texts(receipt_for(member_doc(), en, width=32, fiscal=True))
    assert any(t.startswith("Member") for t in lines)
    assert not any(t.startswith("Points") for t in lines)


def test_return_is_titled_as_a_return(en: Settings, tr: Settings) -> None:
    job = receipt_for(return_doc(), tr, width=42, fiscal=False, original="T1/42")
    lines = texts(job)
    assert "İADE" in lines and "SATIŞ" not in lines
    assert "T1/42" in joined(job)
    assert job.title.endswith("T1/43")
    assert job.kick  # the refund came out of the drawer
    assert next(line for line in job.lines if line.barcode is not None).barcode == "T1/43"


def test_barcode_holds_what_the_returns_screen_accepts(en: Settings) -> None:
    job = receipt_for(sale_doc(), en, width=42, fiscal=True)
    barcodes = [line for line in job.lines if line.barcode is not None]
    assert len(barcodes) == 1
    assert barcodes[0].barcode == "T1/42" and barcodes[0].symbology == "CODE128"
    terminal, number = barcodes[0].barcode.split("/")  # ReturnsScreen.find splits TERMINAL/NUMBER
    assert terminal == "T1" and number.isdigit()


@pytest.mark.parametrize("width", [32, 42, 48])
def test_long_product_names_are_cut_at_the_width(en: Settings, width: int) -> None:
    doc = member_doc()
    doc["lines"][0]["name"] = "ÇOK UZUN ÜRÜN ADI ŞEKERLEME ÇİKOLATA KAPLAMALI FINDIK 500 GR EKONOMİK PAKET"
    job = receipt_for(doc, en, width=width, fiscal=False, points=PointsSummary(1, 2, 3, 4))
    fits(job, width)
    item = next(t for t in texts(job) if t.startswith("ÇOK UZUN"))
    assert len(item) == width and item.endswith("%1 50.00")  # the amount is never the part cut
    assert item[: width - len(" %1 50.00")].rstrip() in doc["lines"][0]["name"]


@pytest.mark.parametrize("width", [32, 42, 48])
def test_every_line_fits_in_turkish_too(tr: Settings, width: int) -> None:
    job = receipt_for(return_doc(), tr, width=width, fiscal=False, copy=True, original="T1/42")
    fits(job, width)
    assert NO_FISCAL_VALUE in joined(job)


def test_a_width_too_narrow_for_a_total_is_refused(en: Settings) -> None:
    with pytest.raises(ValidationError, match="24 to 80"):
        receipt_for(sale_doc(), en, width=20, fiscal=True)


def test_card_mask_keeps_the_last_four() -> None:
    assert mask_card("05321234567") == "*******4567"
    assert mask_card("123") == "123"


def test_text_view_shows_barcodes_and_wide_lines(en: Settings) -> None:
    text = as_text(receipt_for(sale_doc(), en, width=32, fiscal=False))
    assert "[T1/42]" in text
    assert "T O T A L" in text


@settings(max_examples=60, deadline=None)
@given(
    name=st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=90),
    width=st.sampled_from([32, 42, 48]),
)
def test_any_product_name_fits(name: str, width: int) -> None:
    set_language("en")
    config = settings_in("en", Path("/nonexistent-pos-home"))
    doc = sale_doc()
    doc["lines"][1]["name"] = name
    job = receipt_for(doc, config, width=width, fiscal=False)
    for line in job.lines:
        assert len(line.text) <= (width // 2 if line.double else width)

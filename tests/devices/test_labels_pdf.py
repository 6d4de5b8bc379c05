"""A4 label sheets: every barcode scans (zxing-cpp on the rendered page) as exactly the selected
products, the text layer has the names and prices with Turkish letters, the grid is configurable."""

from __future__ import annotations

import io
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import pytest
from labels_support import (
    add_products,
    catalog,  # noqa: F401 (the fixture, used by name)
    decode_cells,
    decode_pdf,
    expected_barcodes,
    gtin,
    pdf_text,
)

from pos_tui.core.catalog import select_products
from pos_tui.core.kernel import ValidationError
from pos_tui.devices.labels_pdf import FONT_CANDIDATES, SheetLayout, label_fonts, write_pdf

TODAY = date(2026, 11, 1)
ALL = ["1001", "1002", "1003", "1004", "2001", "2002", "KOL-400"]


def _pdf(labels: list, layout: SheetLayout | None = None, **kwargs: object) -> tuple[bytes, int]:
    out = io.BytesIO()
    pages = write_pdf(labels, out, layout, **kwargs)  # type: ignore[arg-type]
    return out.getvalue(), pages


@pytest.mark.usefixtures("catalog")
def test_every_barcode_on_the_sheet_scans_as_the_selected_products() -> None:
    labels = select_products(codes=ALL, as_of=TODAY)
    data, pages = _pdf(labels)
    assert pages == 1
    (found,) = decode_pdf(data)
    assert Counter(found) == expected_barcodes(labels)
    assert ("EAN13", "0036000291452") in found and ("Code128", "KOL-400") in found and ("Code128", "2001") in found


@pytest.mark.usefixtures("catalog")
def test_the_text_layer_has_names_prices_and_unit_prices_with_turkish_letters() -> None:
    labels = select_products(codes=ALL, as_of=TODAY)
    (text,) = pdf_text(_pdf(labels, language="tr")[0])
    for name in ("Şeker Küp 1 kg", "Iğdır Kayısısı Kurusu 500 g", "Çaykur Rize Çayı 1000 g", "Gül Suyu 250 ml"):
        assert name in text
    assert "Ezine Beyaz Peynir" in text and "Isparta Gülü Kolonya 400 ml" in text
    for figure in ("64,90 TL", "189,50 TL", "379,00 TL", "420,00 TL", "380,00 TL", "224,75 TL", "25.10.2026"):
        assert figure in text, figure
    assert "/ kg" in text and "/ lt" in text


def test_many_labels_fill_several_sheets_and_all_scan(db: object, now: datetime) -> None:
    rows = [
        (f"P{i:03d}", (gtin(i),) if i % 4 else (), f"Ürün {i} Şöleni 250 g", "piece", "12.50", "Gıda")
        for i in range(45)
    ]
    add_products(rows, now=now)
    labels = select_products(category="Gıda", as_of=TODAY)
    layout = SheetLayout(columns=4, rows=10, label_width=48.5, label_height=25.4, margin_left=8, margin_top=21.5)
    data, pages = _pdf(labels, layout)
    assert pages == 2
    cells = decode_cells(data, layout)
    names = {"EAN13": "EAN13", "CODE128": "Code128"}
    assert cells[: len(labels)] == [[(names[label.symbology], label.barcode)] for label in labels]
    assert cells[len(labels) :] == [[]] * (80 - len(labels))
    assert [len(page) for page in decode_pdf(data, dpi=400)] == [40, 5]


@pytest.mark.usefixtures("catalog")
def test_skip_starts_on_a_partly_used_sheet() -> None:
    labels = select_products(codes=ALL, as_of=TODAY)
    data, pages = _pdf(labels, SheetLayout(), skip=18)  # 21 per sheet: 3 here, 4 on the next
    assert pages == 2
    assert [len(page) for page in decode_pdf(data)] == [3, 4]
    with pytest.raises(ValidationError, match="skip must be between 0 and 20"):
        _pdf(labels, SheetLayout(), skip=21)


@pytest.mark.usefixtures("catalog")
def test_without_barcodes_the_same_sheets_have_none() -> None:
    labels = select_products(codes=ALL, as_of=TODAY)
    data, _pages = _pdf(labels, barcodes=False)
    assert decode_pdf(data) == [[]]
    assert "Şeker Küp 1 kg" in pdf_text(data)[0]


@pytest.mark.usefixtures("catalog")
def test_the_same_labels_give_the_same_bytes() -> None:
    labels = select_products(codes=ALL, as_of=TODAY)
    assert _pdf(labels)[0] == _pdf(labels)[0]


def test_layout_from_config_and_options_is_checked() -> None:
    where = "devices.toml [labels]"
    layout = SheetLayout.parse(
        {"columns": 2, "rows": 5, "label_width": 99.1, "label_height": 57, "margin_top": 4, "border": True}, where
    )
    assert (layout.columns, layout.rows, layout.label_width, layout.border) == (2, 5, 99.1, True)
    assert layout.with_options(columns=None, rows=4).rows == 4
    assert SheetLayout.parse(None) == SheetLayout()
    with pytest.raises(ValidationError, match=r"\[labels\]: unknown key colums"):
        SheetLayout.parse({"colums": 3}, where)
    with pytest.raises(ValidationError, match=r"\[labels\].columns: must be a whole number from 1 to 40, not 0"):
        SheetLayout.parse({"columns": 0}, where)
    with pytest.raises(ValidationError, match="label_width: must be a number of millimetres"):
        SheetLayout.parse({"label_width": "wide"}, where)
    with pytest.raises(ValidationError, match=r"4 × 7 labels need 268.7 × 281.8 mm, more than an A4 page"):
        SheetLayout().with_options(columns=4)
    with pytest.raises(ValidationError, match="at least 30 × 20 mm"):
        SheetLayout().with_options(label_width=20)


def test_fonts_have_turkish_letters_and_a_bad_font_is_a_clear_error(tmp_path: Path) -> None:
    regular, bold = label_fonts(SheetLayout())
    assert regular != bold
    assert any(r.is_file() for r, _b in FONT_CANDIDATES)
    with pytest.raises(ValidationError, match="no font file at"):
        label_fonts(SheetLayout(font=tmp_path / "missing.ttf"))
    junk = tmp_path / "junk.ttf"
    junk.write_bytes(b"not a font")
    with pytest.raises(ValidationError, match="Cannot read the font"):
        label_fonts(SheetLayout(font=junk))


def test_a_font_without_turkish_letters_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    import pos_tui.devices.labels_pdf as labels_pdf

    monkeypatch.setattr(labels_pdf, "TURKISH_LETTERS", "ş\u0d05")  # a Malayalam letter no label font has
    regular, _bold = FONT_CANDIDATES[0]
    with pytest.raises(ValidationError, match="has no Turkish letters"):
        label_fonts(SheetLayout(font=regular))


def test_no_labels_is_an_error() -> None:
    with pytest.raises(ValidationError, match="No labels to print"):
        _pdf([])

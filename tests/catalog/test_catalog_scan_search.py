"""Scanning (barcodes, scale labels, PLU codes) and Turkish-aware name search on a real database."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest
from catalog_support import MakeProduct, ean
from hypothesis import given
from hypothesis import strategies as st

from pos_tui.core import catalog
from pos_tui.core.catalog import make_ean13, make_scale_label, products
from pos_tui.core.kernel import NotFound, ValidationError
from pos_tui.settings import DEFAULT_SCALE_LABELS, Settings
from pos_tui.store import database

MASKS = DEFAULT_SCALE_LABELS
WEIGHT_27, WEIGHT_28, PRICE_29 = MASKS


@pytest.fixture
def shelf(make_product: MakeProduct) -> dict[str, catalog.ProductInfo]:
    return {
        "kolonya": make_product("1501", "Isparta Gülü Kolonya 400 ml", "129.90", barcodes=(ean(1), ean(2))),
        "lokum": make_product("16", "Gül Lokumu", "219.00", unit="kg", kdv_rate=1),
        "domates": make_product("00042", "Domates", "34.90", unit="kg", kdv_rate=1),
        "kiyma": make_product("9", "Dana Kıyma", "549.00", unit="kg", kdv_rate=1),
        "seker": make_product("1001", "Toz Şeker 1 kg", "44.90", kdv_rate=1, barcodes=(ean(3),)),
        "ekmek": make_product("50", "Ekmek", "10.00", kdv_rate=1),
        "eski": make_product("99", "Eski Sigara", "80.00", active=False, barcodes=(ean(4),)),
    }


def test_barcode_finds_the_product(shelf: dict[str, catalog.ProductInfo]) -> None:
    result = catalog.scan(ean(2), MASKS)
    assert result.product == shelf["kolonya"]
    assert (result.barcode, result.qty_milli, result.line_price) == (ean(2), None, None)
    assert result.product.price == Decimal("129.90") and result.product.barcodes == (ean(1), ean(2))


def test_plu_code_finds_the_product(shelf: dict[str, catalog.ProductInfo]) -> None:
    result = catalog.scan(" 50 ", MASKS)
    assert result.product.name == "Ekmek" and result.barcode is None


def test_upc_a_and_its_ean13_form_are_the_same_product(make_product: MakeProduct) -> None:
    make_product("7", "Import Cola", barcodes=("036000291452",))
    assert catalog.scan("0036000291452", MASKS).product.code == "7"


def test_weight_labels_give_grams(shelf: dict[str, catalog.ProductInfo]) -> None:
    for mask in (WEIGHT_27, WEIGHT_28):
        result = catalog.scan(make_scale_label(mask, 42, 1250), MASKS)  # PLU 00042 -> code "00042"
        assert result.product.name == "Domates"
        assert (result.qty_milli, result.line_price) == (1250, None)
    # PLU 00009 finds code "9": leading zeros of the label are not part of the code
    assert catalog.scan(make_scale_label(WEIGHT_27, 9, 480), MASKS).product.name == "Dana Kıyma"


def test_price_label_charges_the_label_price_exactly(shelf: dict[str, catalog.ProductInfo]) -> None:
    label = make_scale_label(PRICE_29, 16, 5475)  # 54,75 of Gül Lokumu at 219,00/kg = 250 g
    result = catalog.scan(label, MASKS)
    assert result.product.name == "Gül Lokumu"
    assert result.line_price == Decimal("54.75")
    assert result.qty_milli == 250
    assert result.barcode == label
    odd = catalog.scan(make_scale_label(PRICE_29, 16, 100), MASKS)  # 1,00 -> 4.566 g -> 5 g
    assert (odd.line_price, odd.qty_milli) == (Decimal("1.00"), 5)


def test_price_label_on_a_piece_product_is_one_piece(shelf: dict[str, catalog.ProductInfo]) -> None:
    result = catalog.scan(make_scale_label(PRICE_29, 50, 750), MASKS)
    assert (result.product.name, result.qty_milli, result.line_price) == ("Ekmek", 1000, Decimal("7.50"))


def test_weight_label_on_a_piece_product_is_refused(shelf: dict[str, catalog.ProductInfo]) -> None:
    with pytest.raises(ValidationError, match="carries a weight, but Ekmek is sold by piece"):
        catalog.scan(make_scale_label(WEIGHT_27, 50, 500), MASKS)


def test_damaged_scale_label_is_an_error_not_a_line(shelf: dict[str, catalog.ProductInfo]) -> None:
    good = make_scale_label(WEIGHT_27, 42, 1250)
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)
    with pytest.raises(ValidationError, match="bad check digit"):
        catalog.scan(bad, MASKS)


def test_unknown_plu_is_a_clear_error(shelf: dict[str, catalog.ProductInfo]) -> None:
    with pytest.raises(NotFound, match="no product with PLU 00777"):
        catalog.scan(make_scale_label(WEIGHT_28, 777, 1000), MASKS)


def test_gtin_with_bad_check_digit_is_a_clear_error(shelf: dict[str, catalog.ProductInfo]) -> None:
    good = make_ean13("869123456789")
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)
    with pytest.raises(ValidationError, match="bad check digit"):
        catalog.scan(bad, MASKS)
    with pytest.raises(NotFound, match=f"No product with barcode or code {good}"):
        catalog.scan(good, MASKS)


def test_a_stored_barcode_wins_even_in_a_label_range(make_product: MakeProduct) -> None:
    code = make_scale_label(WEIGHT_27, 42, 1250)
    make_product("5001", "Paketli Domates", barcodes=(code,))
    assert catalog.scan(code, MASKS).product.code == "5001"


def test_inactive_products_are_not_for_sale(shelf: dict[str, catalog.ProductInfo]) -> None:
    with pytest.raises(ValidationError, match="is not for sale"):
        catalog.scan(ean(4), MASKS)
    with pytest.raises(ValidationError, match="is not for sale"):
        catalog.scan("99", MASKS)
    assert catalog.get_product(ean(4)).active is False  # admin tools still see it


def test_nothing_scanned(db: object) -> None:
    with pytest.raises(ValidationError):
        catalog.scan("  ", MASKS)
    with pytest.raises(NotFound):
        catalog.get_product("nope")


@pytest.mark.parametrize("query", ["ISPARTA", "ısparta", "Isparta", "İSPARTA", "isparta", "ıSPARTA", "ısp"])
def test_every_turkish_spelling_finds_isparta(shelf: dict[str, catalog.ProductInfo], query: str) -> None:
    assert [p.name for p in catalog.search_products(query)] == ["Isparta Gülü Kolonya 400 ml"]


@pytest.mark.parametrize("query", ["gul", "GÜL", "gül", "Gul"])
def test_gul_without_turkish_letters(shelf: dict[str, catalog.ProductInfo], query: str) -> None:
    assert [p.name for p in catalog.search_products(query)] == ["Gül Lokumu", "Isparta Gülü Kolonya 400 ml"]


def test_every_word_must_match(shelf: dict[str, catalog.ProductInfo]) -> None:
    assert [p.name for p in catalog.search_products("gül kol")] == ["Isparta Gülü Kolonya 400 ml"]
    assert [p.name for p in catalog.search_products("kolonya 400 isp")] == ["Isparta Gülü Kolonya 400 ml"]
    assert [p.name for p in catalog.search_products("şeker 1 KG")] == ["Toz Şeker 1 kg"]
    assert catalog.search_products("gül ekmek") == []
    assert catalog.search_products("kıymalı") == []
    assert [p.name for p in catalog.search_products("KIYMA")] == ["Dana Kıyma"]


def test_search_leaves_out_inactive_unless_asked(shelf: dict[str, catalog.ProductInfo]) -> None:
    assert catalog.search_products("sigara") == []
    assert [p.code for p in catalog.search_products("sigara", include_inactive=True)] == ["99"]


def test_empty_queries_and_limits(shelf: dict[str, catalog.ProductInfo]) -> None:
    assert catalog.search_products("") == []
    assert catalog.search_products(" -- ") == []
    assert len(catalog.search_products("g", limit=1)) == 1


def test_search_uses_the_word_index(shelf: dict[str, catalog.ProductInfo]) -> None:
    query = catalog.search_query("isparta gül")
    assert query is not None
    sql, params = query.sql()
    plan = " | ".join(row[-1] for row in database.execute_sql("EXPLAIN QUERY PLAN " + sql, params))
    assert "sqlite_autoindex_product_word_1 (word>? AND word<?)" in plan
    assert "product_word_product_id (product_id=?)" in plan
    assert "SCAN" not in plan.replace("SCAN CONSTANT ROW", "")
    assert " LIKE " not in sql.upper()


def test_search_is_bounded_on_a_big_catalog(db: object, settings: Settings, now: datetime) -> None:
    rows = [
        catalog.ProductInput(code=f"P{i:05d}", name=f"Gül Çayı {i}", price=Decimal("10"), kdv_rate=20)
        for i in range(catalog.SEARCH_CANDIDATES + 200)
    ]
    catalog.upsert_products(rows, now=now, kdv_rates=settings.kdv_rates)
    found = catalog.search_products("gul", limit=50)
    assert len(found) == 50
    assert [p.name for p in found] == sorted(p.name for p in found)  # ordered by name among the candidates
    assert len(catalog.search_products("gul cay 1134")) == 1


@given(st.text(alphabet="0123456789abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=6), st.data())
def test_successor_bounds_exactly_the_prefix(prefix: str, data: st.DataObject) -> None:
    word = data.draw(st.text(alphabet="0123456789abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8))
    upper = products._successor(prefix)
    in_range = word >= prefix and (upper is None or word < upper)
    assert in_range == word.startswith(prefix)


def test_the_rarest_word_drives_a_many_word_search(
    db: object, settings: Settings, now: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(products, "SEARCH_SCAN", 5)
    rows = [catalog.ProductInput(f"{i}", name=f"Gül Çayı {i}", price=Decimal(1), kdv_rate=1) for i in range(30)]
    rows.append(catalog.ProductInput("99", name="Gül Özel Kolonya", price=Decimal(1), kdv_rate=20))
    catalog.upsert_products(rows, now=now, kdv_rates=settings.kdv_rates)
    assert [p.code for p in catalog.search_products("gül özel")] == ["99"]  # "gül" alone has 31 entries
    assert [p.code for p in catalog.search_products("KOLONYA gul")] == ["99"]
    assert len(catalog.search_products("gul cay")) <= 5  # two vague words: the first matches only


def test_word_probes_count_up_to_the_cap(db: object, settings: Settings, now: datetime) -> None:
    names = ["Zz Çay", "Zzz Çay", "Zza Çay", "Zy Çay", "Bal Çayı"]
    rows = [catalog.ProductInput(f"Z{i}", name=name, price=Decimal(1), kdv_rate=20) for i, name in enumerate(names)]
    catalog.upsert_products(rows, now=now, kdv_rates=settings.kdv_rates)
    assert products._matches_up_to("zz", 10) == 3  # no upper bound: "zz" has no successor
    assert products._matches_up_to("zz", 2) == 2
    assert products._matches_up_to("cay", 10) == 5  # çay and çayı
    assert products._matches_up_to("caz", 10) == 0
    assert [p.code for p in catalog.search_products("zz çay")] == ["Z0", "Z2", "Z1"]

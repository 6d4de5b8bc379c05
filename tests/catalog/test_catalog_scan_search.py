"""Scanning (barcodes, scale labels, PLU codes) and Turkish-aware name search on a real database."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest
from catalog_support import MakeProduct, ean
from hypothesis import HealthCheck, given
from hypothesis import settings as settings_hypothesis
from hypothesis import strategies as st

from pos_tui.core import catalog
from pos_tui.core.catalog import make_ean13, make_scale_label, upsert
from pos_tui.core.kernel import NotFound, ValidationError
from pos_tui.settings import DEFAULT_SCALE_LABELS, Settings
from pos_tui.store import database, search
from pos_tui.store import models as m
from pos_tui.text import search_key, words

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


def test_search_uses_the_name_index(shelf: dict[str, catalog.ProductInfo]) -> None:
    query = catalog.search_query("isparta gül")
    assert query is not None
    sql, params = query.sql()
    plan = " | ".join(row[-1] for row in database.execute_sql("EXPLAIN QUERY PLAN " + sql, params))
    assert "SCAN product_search VIRTUAL TABLE" in plan
    assert "SCAN" not in plan.replace("SCAN CONSTANT ROW", "").replace("SCAN product_search VIRTUAL TABLE", "")
    assert " LIKE " not in sql.upper()


@pytest.mark.parametrize("typed", ["i", "is", "ISP", "ıspa", "İspar", "ispart", "Isparta"])
def test_every_prefix_typed_ahead_finds_the_product(shelf: dict[str, catalog.ProductInfo], typed: str) -> None:
    assert "Isparta Gülü Kolonya 400 ml" in [p.name for p in catalog.search_products(typed)]


def test_words_match_in_any_order(shelf: dict[str, catalog.ProductInfo]) -> None:
    for query in ("gülü isparta", "ISPARTA GÜLÜ", "400 kolonya ıspar", "ml 4 gu"):
        assert [p.name for p in catalog.search_products(query)] == ["Isparta Gülü Kolonya 400 ml"], query


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


def test_the_name_index_follows_renames_deletes_and_direct_inserts(
    shelf: dict[str, catalog.ProductInfo], settings: Settings, now: datetime
) -> None:
    catalog.upsert_products(
        [catalog.ProductInput("1501", name="Eyüp Sabri Tuncer Limon Kolonyası")], now=now, kdv_rates=settings.kdv_rates
    )
    assert [p.code for p in catalog.search_products("isparta")] == []
    assert [p.code for p in catalog.search_products("limon eyup")] == ["1501"]
    m.Product.delete().where(m.Product.code == "50").execute()
    assert catalog.search_products("ekmek") == []
    made = shelf["ekmek"]
    m.Product.create(code="51", name="Çavdar Ekmeği", name_key=search_key("Çavdar Ekmeği"), price=100, kdv_rate=1,
                     updated_at=now)  # fmt: skip
    assert [p.code for p in catalog.search_products("ekm cavdar")] == ["51"] and made.code == "50"
    assert search.check(database) is None


def test_a_bulk_load_indexes_every_name(db: object, settings: Settings, now: datetime) -> None:
    rows = [
        catalog.ProductInput(f"B{i:05d}", name=f"Ürün {i} Çikolata", price=Decimal(1), kdv_rate=20)
        for i in range(2 * upsert.CHUNK + 7)  # an empty catalogue loaded in bulk: indexes built at the end
    ]
    catalog.upsert_products(rows, now=now, kdv_rates=settings.kdv_rates)
    assert search.check(database) is None
    assert [p.code for p in catalog.search_products(f"urun {2 * upsert.CHUNK + 6}")] == [f"B{2 * upsert.CHUNK + 6:05d}"]
    assert len(catalog.search_products("cik", limit=5000)) == catalog.SEARCH_CANDIDATES
    names = {i.name for i in database.get_indexes("product")}
    assert {"product_code", "product_category_id", "product_updated_at"} <= names


_LETTERS = "abcçdefgğhıijklmnoöprsştuüvyzABCÇDEFGĞHIİJKLMNOÖPRSŞTUÜVYZ0123"


@settings_hypothesis(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    names=st.lists(
        st.lists(st.text(_LETTERS, min_size=1, max_size=5), min_size=1, max_size=4), min_size=1, max_size=12
    ),
    query=st.lists(st.text(_LETTERS, min_size=1, max_size=6), min_size=1, max_size=3),
)
@pytest.mark.parametrize("spelt_out", [0, search.SPELT_OUT])
def test_search_finds_exactly_the_names_with_a_word_for_every_query_word(
    db: object,
    settings: Settings,
    now: datetime,
    monkeypatch: pytest.MonkeyPatch,
    spelt_out: int,
    names: list[list[str]],
    query: list[str],
) -> None:
    """The database's index against the rule written out: every folded query word is the
    start of some folded word of the name, in any order. Words longer than the prefix lists
    are spelt out as the index's words (or, past ``SPELT_OUT`` of them, read as a prefix)."""
    monkeypatch.setattr(search, "SPELT_OUT", spelt_out)
    m.Product.delete().execute()
    rows = [
        catalog.ProductInput(f"H{i}", name=" ".join(parts), price=Decimal(1), kdv_rate=20)
        for i, parts in enumerate(names)
    ]
    catalog.upsert_products(rows, now=now, kdv_rates=settings.kdv_rates)
    typed = " ".join(query)
    expected = {
        row.code for row in rows if all(any(w.startswith(q) for w in words(row.name or "")) for q in words(typed))
    }
    assert {p.code for p in catalog.search_products(typed, limit=100)} == expected

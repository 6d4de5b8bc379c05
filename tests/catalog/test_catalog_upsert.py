"""upsert_products: creates, updates, the stock ledger, barcodes moving, and all-or-nothing."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from catalog_support import MakeProduct, ean
from hypothesis import given
from hypothesis import strategies as st
from peewee import fn

from pos_tui.core import catalog
from pos_tui.core.catalog import ProductInput as Row
from pos_tui.core.catalog import upsert as upsert_module
from pos_tui.core.kernel import ImportRejected, to_db
from pos_tui.settings import Settings
from pos_tui.store import database, search
from pos_tui.store import models as m
from pos_tui.text import fold, search_key, words


@pytest.fixture(autouse=True, params=["chunks", "row by row"])
def chunked(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every case twice: rows checked and written a chunk at a time, and one row per chunk, so
    that what a row must know of the rows before it crosses chunks (and the read-ahead thread,
    which starts after a first full chunk, runs)."""
    if request.param == "row by row":
        monkeypatch.setattr(upsert_module, "CHUNK", 1)


def upsert(rows: list[Row], settings: Settings, now: datetime, **kw: object) -> catalog.UpsertResult:
    return catalog.upsert_products(rows, now=now, kdv_rates=settings.kdv_rates, **kw)  # type: ignore[arg-type]


def ledger(code: str) -> int:
    product = m.Product.get(m.Product.code == code)
    total = m.StockMovement.select(fn.SUM(m.StockMovement.qty)).where(m.StockMovement.product == product).scalar()
    assert product.stock == (total or 0), "the stock cache must equal the sum of the movements"
    return product.stock


def test_create_then_update_then_unchanged(db: object, settings: Settings, now: datetime) -> None:
    row = Row(
        "1",
        (ean(1),),
        "Çay 1 kg",
        "piece",
        Decimal("254.90"),
        Decimal("200"),
        1,
        "Temel Gıda",
        "Rize Çay",
        10_000,
        48_000,
    )
    assert upsert([row], settings, now) == catalog.UpsertResult(1, 0, 0)
    info = catalog.get_product(ean(1))
    assert (info.code, info.price, info.cost, info.kdv_rate, info.category, info.supplier) == (
        "1",
        Decimal("254.90"),
        Decimal("200.00"),
        1,
        "Temel Gıda",
        "Rize Çay",
    )
    assert (info.min_stock, info.stock, info.active, info.unit) == (10_000, 48_000, True, "piece")
    assert ledger("1") == 48_000
    assert upsert([row], settings, now) == catalog.UpsertResult(0, 0, 1)
    later = now + timedelta(hours=1)
    assert upsert([Row("1", price=Decimal("259.90"), stock=45_500)], settings, later) == catalog.UpsertResult(0, 1, 0)
    info = catalog.get_product("1")
    assert info.price == Decimal("259.90") and info.name == "Çay 1 kg" and info.barcodes == (ean(1),)
    assert ledger("1") == 45_500
    kinds = [
        mv.qty for mv in m.StockMovement.select().where(m.StockMovement.kind == "import").order_by(m.StockMovement.id)
    ]
    assert kinds == [48_000, -2_500]
    assert m.Product.get(m.Product.code == "1").updated_at == to_db(later)


def test_new_products_get_defaults_and_the_default_kdv(db: object, settings: Settings, now: datetime) -> None:
    upsert([Row("7", name="Simit", price=Decimal("15"))], settings, now, default_kdv_rate=10)
    info = catalog.get_product("7")
    assert (info.unit, info.cost, info.kdv_rate, info.category, info.stock, info.active) == (
        "piece",
        Decimal("0.00"),
        10,
        None,
        0,
        True,
    )
    assert m.StockMovement.select().count() == 0


def test_renaming_reindexes_the_words(make_product: MakeProduct, settings: Settings, now: datetime) -> None:
    make_product("1", "Isparta Gülü Kolonya")
    upsert([Row("1", name="Limon Kolonyası")], settings, now)
    assert catalog.search_products("isparta") == []
    assert [p.code for p in catalog.search_products("limon")] == ["1"]
    assert m.Product.get(m.Product.code == "1").name_key == "limon kolonyasi"
    assert search.check(database) is None  # the name index agrees with the names


def test_barcodes_replace_and_may_move_between_products(
    make_product: MakeProduct, settings: Settings, now: datetime
) -> None:
    make_product("A", "Eski Paket", barcodes=(ean(1), ean(2)))
    make_product("B", "Yeni Paket", barcodes=(ean(3),))
    upsert([Row("B", barcodes=(ean(3), ean(2))), Row("A", barcodes=(ean(1),))], settings, now)
    assert catalog.get_product("A").barcodes == (ean(1),)
    assert catalog.get_product("B").barcodes == tuple(sorted((ean(3), ean(2))))
    upsert([Row("A", name="Eski Paket 2")], settings, now)  # no barcodes given: kept
    assert catalog.get_product("A").barcodes == (ean(1),)


def test_barcode_of_another_product_is_refused(make_product: MakeProduct, settings: Settings, now: datetime) -> None:
    make_product("A", "Kola", barcodes=(ean(1),))
    with pytest.raises(ImportRejected) as rejected:
        upsert([Row("B", (ean(1),), "Gazoz", price=Decimal("30"), kdv_rate=20)], settings, now)
    assert [(e.line, e.field) for e in rejected.value.errors] == [(1, "barcode")]
    assert "already belongs to product A (Kola)" in rejected.value.errors[0].reason
    assert not m.Product.select().where(m.Product.code == "B").exists()


def test_rows_without_code_match_by_barcode(make_product: MakeProduct, settings: Settings, now: datetime) -> None:
    make_product("A", "Kola", barcodes=(ean(1),))
    result = upsert(
        [Row(None, (ean(1),), price=Decimal("45.00")), Row(None, (ean(9),), "Soda", price=Decimal("9"), kdv_rate=20)],
        settings,
        now,
    )
    assert result == catalog.UpsertResult(1, 1, 0)
    assert catalog.get_product("A").price == Decimal("45.00")
    assert catalog.get_product(ean(9)).code == ean(9)  # a new product takes its barcode as its code


def test_categories_and_suppliers_are_matched_turkish_aware(
    make_product: MakeProduct, settings: Settings, now: datetime
) -> None:
    make_product("1", "Süt", category="İçecek", supplier="Trakya Süt")
    make_product("2", "Ayran", category="icecek", supplier="TRAKYA SÜT")
    assert m.Category.select().count() == 1 and m.Supplier.select().count() == 1
    supplier = m.Supplier.get()
    assert supplier.code == "TRAKYA-SUT"
    make_product("3", "Kefir", supplier="TRAKYA-SUT")  # by code
    assert m.Supplier.select().count() == 1 and catalog.get_product("3").supplier == "Trakya Süt"
    upsert([Row("1", category="", supplier="")], settings, now)
    assert (catalog.get_product("1").category, catalog.get_product("1").supplier) == (None, None)


def test_every_bad_row_is_listed_and_nothing_is_written(
    make_product: MakeProduct, settings: Settings, now: datetime
) -> None:
    make_product("A", "Kola", barcodes=(ean(1),))
    rows = [
        Row("1", name="İyi", price=Decimal("1"), kdv_rate=20),
        Row("2", name="", price=Decimal("-1"), kdv_rate=7),
        Row("1", name="Tekrar", price=Decimal("1"), kdv_rate=20),
        Row("3", ("8690000000011",), "Hatalı barkod", price=Decimal("1.005"), kdv_rate=20),
        Row("4", name="Birimsiz", unit="kutu", price=Decimal("1"), kdv_rate=20, min_stock=-1),
        Row("5", kdv_rate=20),
    ]
    with pytest.raises(ImportRejected) as rejected:
        upsert(rows, settings, now, lines=[2, 3, 4, 5, 6, 7], source="x.csv")
    got = [(e.line, e.field) for e in rejected.value.errors]
    assert got == [
        (3, "name"), (3, "price"), (3, "kdv_rate"),
        (4, "code"),
        (5, "barcode"), (5, "price"),
        (6, "unit"), (6, "min_stock"),
        (7, "name"), (7, "price"),
    ]  # fmt: skip
    assert "code 1 is also on line 2" in rejected.value.errors[3].reason
    assert m.Product.select().count() == 1 and m.StockMovement.select().count() == 0


def test_dry_run_counts_but_writes_nothing(make_product: MakeProduct, settings: Settings, now: datetime) -> None:
    make_product("A", "Kola")
    result = upsert(
        [Row("A", price=Decimal("99")), Row("B", name="Yeni", price=Decimal("1"), kdv_rate=20, stock=5000)],
        settings,
        now,
        dry_run=True,
    )
    assert result == catalog.UpsertResult(1, 1, 0)
    assert catalog.get_product("A").price == Decimal("10.00")
    assert m.Product.select().count() == 1 and m.StockMovement.select().count() == 0


def test_big_initial_load_rebuilds_indexes(
    db: object, settings: Settings, now: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(upsert_module, "CHUNK", 10)  # the first chunk is full: a bulk load
    rows = [Row(f"{i}", (ean(i),), f"Ürün {i}", price=Decimal(i), kdv_rate=1, stock=i * 1000) for i in range(1, 51)]
    assert upsert(rows, settings, now) == catalog.UpsertResult(50, 0, 0)
    assert search.check(database) is None
    assert [p.code for p in catalog.search_products("urun 42")] == ["42"]
    indexes = {row[1] for row in db.execute_sql("PRAGMA index_list('product')")}  # type: ignore[attr-defined]
    assert {"product_code", "product_category_id", "product_updated_at"} <= indexes
    assert catalog.scan(ean(42), ()).product.name == "Ürün 42"
    assert sum(ledger(str(i)) for i in range(1, 51)) == sum(i * 1000 for i in range(1, 51))


@given(st.text(max_size=40))
def test_the_search_key_is_the_names_words_in_order(name: str) -> None:
    key = search_key(name)
    assert key == " ".join(w for w in re.findall("[0-9a-z]+", fold(name)))
    assert list(dict.fromkeys(key.split())) == words(name)


def test_a_code_with_braces_is_named_in_its_duplicate_error(db: object, settings: Settings, now: datetime) -> None:
    """The line was filled in after the code, so a code such as ``A{1}`` broke the message."""
    rows = [
        Row("A{1}", name="Bir", price=Decimal(1), kdv_rate=20),
        Row("A{1}", name="İki", price=Decimal(1), kdv_rate=20),
    ]
    with pytest.raises(ImportRejected) as refused:
        upsert(rows, settings, now)
    assert [(e.line, e.reason) for e in refused.value.errors] == [(2, "code A{1} is also on line 1")]

"""Which products get a shelf label and what each label says (``core/catalog/shelf_labels.py``)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from labels_support import add_products, catalog  # noqa: F401 (the fixture, used by name)
from stdnum import ean

from pos_tui.core.catalog import (
    label_barcode,
    label_record,
    label_text,
    net_quantity,
    products,
    select_products,
    unit_price_of,
)
from pos_tui.core.kernel import NotFound, ValidationError
from pos_tui.settings import Settings

TODAY = date(2026, 11, 1)


@pytest.mark.usefixtures("catalog")
def test_labels_for_codes_keep_the_order_given_and_carry_every_figure() -> None:
    labels = select_products(codes=["2001", "1002", "KOL-400", "1002"], as_of=TODAY)
    assert [label.code for label in labels] == ["2001", "1002", "KOL-400"]
    cheese, apricot, cologne = labels

    # Loose goods: the price is per kg already; no net quantity.
    assert (cheese.price, cheese.unit, cheese.unit_price, cheese.unit_price_unit) == (
        Decimal("420.00"),
        "kg",
        Decimal("420.00"),
        "kg",
    )
    assert cheese.net_quantity is None and cheese.barcode == "2001" and cheese.symbology == "CODE128"

    # Packaged: 189,50 TL for 500 g is 379,00 TL per kg.
    assert apricot.net_quantity is not None and apricot.net_quantity.milli == 500
    assert (apricot.unit_price, apricot.unit_price_unit) == (Decimal("379.00"), "kg")
    assert (apricot.barcode, apricot.symbology) == ("8690000000029", "EAN13")
    assert apricot.price_date == date(2026, 10, 25) and apricot.printed_on == TODAY

    assert (cologne.unit_price, cologne.unit_price_unit, cologne.barcode) == (Decimal("224.75"), "lt", "KOL-400")


@pytest.mark.usefixtures("catalog")
def test_a_barcode_finds_its_product_and_a_upc_prints_as_its_ean13() -> None:
    (tea,) = select_products(codes=["036000291452"], as_of=TODAY)
    assert (tea.code, tea.barcode, tea.symbology) == ("1003", "0036000291452", "EAN13")
    assert ean.is_valid(tea.barcode)
    # The printed EAN-13 scans back to the same product at the till.
    assert products.scan(tea.barcode, ()).product.code == "1003"
    (same,) = select_products(codes=["0036000291452"], as_of=TODAY)
    assert same.code == "1003"


@pytest.mark.usefixtures("catalog")
def test_every_label_barcode_scans_back_to_its_product() -> None:
    labels = select_products(category="gıda", as_of=TODAY) + select_products(category="KOZMETİK", as_of=TODAY)
    for label in labels:
        assert label.barcode is not None
        assert products.scan(label.barcode, ()).product.code == label.code


@pytest.mark.usefixtures("catalog")
def test_category_and_changed_since_combine_and_leave_inactive_products_out(now: datetime) -> None:
    assert [label.code for label in select_products(category="Kozmetik", as_of=TODAY)] == ["1004", "KOL-400"]
    changed = select_products(changed_since=TODAY, as_of=TODAY, tz="Europe/Istanbul")
    assert [label.code for label in changed] == ["1003", "1004"]  # category order: İçecek, Kozmetik
    assert [label.price_date for label in changed] == [TODAY, TODAY]
    assert [label.code for label in select_products(category="Kozmetik", changed_since=TODAY, as_of=TODAY)] == ["1004"]

    add_products([("1004", (), "Gül Suyu 250 ml", "piece", "40.00", "Kozmetik")], now=now, active=False)
    assert [label.code for label in select_products(changed_since=TODAY, as_of=TODAY)] == ["1003"]
    with pytest.raises(ValidationError, match="1004 is not for sale"):
        select_products(codes=["1004"], as_of=TODAY)


def test_changed_since_counts_shop_days(db: object, now: datetime) -> None:
    # 23:30 on 31 October in Istanbul is 20:30 UTC: it belongs to the 31st, not to 1 November.
    late = datetime.fromisoformat("2026-10-31T20:30:00+00:00")
    add_products([("9001", (), "Simit", "piece", "15.00", "Fırın")], now=late)
    with pytest.raises(ValidationError, match="No product matches"):
        select_products(changed_since=TODAY, as_of=TODAY)
    assert [label.code for label in select_products(changed_since=date(2026, 10, 31), as_of=TODAY)] == ["9001"]
    assert select_products(codes=["9001"], as_of=TODAY)[0].price_date == date(2026, 10, 31)


@pytest.mark.usefixtures("catalog")
def test_unknown_codes_and_empty_selections_are_clear_errors() -> None:
    with pytest.raises(NotFound, match=r"No product with barcode or code 4242$"):
        select_products(codes=["1001", "4242"], as_of=TODAY)
    with pytest.raises(NotFound, match="4242, 8690000000999"):
        select_products(codes=["4242", "1001", "8690000000999"], as_of=TODAY)
    with pytest.raises(NotFound, match="No category named Oyuncak"):
        select_products(category="Oyuncak", as_of=TODAY)
    with pytest.raises(ValidationError, match="Choose the products"):
        select_products(as_of=TODAY)
    with pytest.raises(ValidationError, match="No product matches"):
        select_products(codes=["1001"], category="Kozmetik", as_of=TODAY)
    with pytest.raises(ValidationError, match="after the label date"):
        select_products(changed_since=TODAY + timedelta(days=1), as_of=TODAY)


@pytest.mark.usefixtures("catalog")
def test_label_text_in_both_languages(settings: Settings) -> None:
    apricot, cheese = select_products(codes=["1002", "2001"], as_of=TODAY)
    text = label_text(apricot, "tr")
    assert (text.name, text.price, text.per, text.net, text.date) == (
        "Iğdır Kayısısı Kurusu 500 g",
        "189,50 TL",
        "",
        "500 g",
        "25.10.2026",
    )
    assert (text.unit_price_amount, text.unit_price_per) == ("379,00 TL", "/ kg")
    assert text.unit_price == "Unit price: 379,00 TL / kg"  # English catalog in tests
    cheese_text = label_text(cheese, "en")
    assert (cheese_text.price, cheese_text.per, cheese_text.unit_price) == ("420.00 TL", "/ kg", "")
    assert label_record(apricot) | {"price_date": None} == {
        "code": "1002",
        "name": "Iğdır Kayısısı Kurusu 500 g",
        "price": "189.50",
        "unit": "piece",
        "unit_price": "379.00",
        "unit_price_unit": "kg",
        "net_quantity": "500 g",
        "category": "Gıda",
        "price_date": None,
        "printed_on": "2026-11-01",
        "barcode": "8690000000029",
        "symbology": "EAN13",
    }


@pytest.mark.parametrize(
    ("name", "milli", "unit"),
    [
        ("Süt 1 lt", 1000, "lt"),
        ("Su 1,5 L", 1500, "lt"),
        ("Kola 330ml", 330, "lt"),
        ("Ayran 6 x 200 ml", 1200, "lt"),
        ("Un 5 kg", 5000, "kg"),
        ("Çay 500 g", 500, "kg"),
        ("Lokum 250 gr", 250, "kg"),
        ("Kolonya 40 cl", 400, "lt"),
        ("Peynir 2.5kg", 2500, "kg"),
    ],
)
def test_net_quantity_read_from_names(name: str, milli: int, unit: str) -> None:
    net = net_quantity(name)
    assert net is not None and (net.milli, net.unit) == (milli, unit)


@pytest.mark.parametrize("name", ["Ekmek", "Ülker 12'li Bisküvi", "Eti 3 Kuru", "Yağ 0 g", "Kg Tuz", "3 Al 2 Öde"])
def test_names_without_a_net_quantity(name: str) -> None:
    assert net_quantity(name) is None


@given(
    kurus=st.integers(min_value=1, max_value=10**8),
    milli=st.integers(min_value=1, max_value=10**6),
)
def test_unit_price_is_the_price_per_thousand_milli_units_to_the_kurus(kurus: int, milli: int) -> None:
    from pos_tui.core.catalog import NetQuantity

    price = Decimal(kurus) / 100
    unit_price = unit_price_of(price, NetQuantity(milli, "kg", "x"))
    assert unit_price == unit_price.quantize(Decimal("0.01"))
    # Within half a kuruş of the exact value.
    assert abs(unit_price - price * 1000 / milli) <= Decimal("0.005")


@given(st.text(max_size=80))
def test_net_quantity_never_fails_on_any_name(name: str) -> None:
    net = net_quantity(name)
    assert net is None or (net.milli > 0 and net.unit in ("kg", "lt"))


def test_label_barcode_choice() -> None:
    assert label_barcode("1001", ["8690000000012", "1234"]) == ("8690000000012", "EAN13")
    assert label_barcode("1001", ["8690000000013"]) == ("1001", "CODE128")  # bad check digit: not an EAN-13
    assert label_barcode("1001", ["036000291452"]) == ("0036000291452", "EAN13")
    assert label_barcode("ŞKR-1", []) == (None, "CODE128")

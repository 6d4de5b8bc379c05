"""Price lists: resolution on a day (validity edges, product item vs list-wide rule, newest start
wins), percent rounding against exact fractions, setting and importing (all or nothing)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from accounts_support import Books, books_fixture, quick_pins  # noqa: F401 (fixtures)
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from pos_tui.core import accounts, catalog
from pos_tui.core.accounts import prices
from pos_tui.core.kernel import ImportRejected, PermissionDenied, ValidationError
from pos_tui.store import models as m

D = Decimal
DAY = date(2026, 6, 15)


def _list(books: Books, code: str = "TOPTAN") -> prices.PriceListInfo:
    return prices.add_price_list(code, "Toptan fiyatlar", actor=books.admin, now=books.now)


def _set(books: Books, product: str | None, **kw: object) -> prices.PriceItem:
    return prices.set_price("TOPTAN", prices.PriceInput(product, **kw), actor=books.admin, now=books.now, day=DAY)  # type: ignore[arg-type]


def _pid(code: str) -> int:
    return catalog.get_product(code).id


def test_without_items_the_catalog_price_stands(books: Books) -> None:
    _list(books)
    assert prices.price_for("TOPTAN", _pid("1001"), DAY) == D("10.00")
    assert prices.resolve_prices("TOPTAN", [_pid("1001")], DAY)[_pid("1001")].source == prices.CATALOG
    assert prices.price_for("TOPTAN", 999_999, DAY) is None


def test_validity_days_are_inclusive(books: Books) -> None:
    _list(books)
    _set(books, "1001", price=D("8.00"), valid_from=date(2026, 6, 1), valid_to=date(2026, 6, 30))
    pid = _pid("1001")
    assert prices.price_for("TOPTAN", pid, date(2026, 5, 31)) == D("10.00")
    assert prices.price_for("TOPTAN", pid, date(2026, 6, 1)) == D("8.00")
    assert prices.price_for("TOPTAN", pid, date(2026, 6, 30)) == D("8.00")
    assert prices.price_for("TOPTAN", pid, date(2026, 7, 1)) == D("10.00")


def test_product_item_beats_list_wide_rule_and_newest_start_wins(books: Books) -> None:
    _list(books)
    _set(books, "*", percent_off=D("10"))
    _set(books, "1003", price=D("100.00"))
    _set(books, "1003", price=D("90.00"), valid_from=date(2026, 6, 10), valid_to=date(2026, 6, 20))
    got = prices.prices_for("TOPTAN", [_pid("1002"), _pid("1003"), _pid("1004")], DAY)
    assert got == {_pid("1002"): D("29.25"), _pid("1003"): D("90.00"), _pid("1004"): D("76.50")}
    assert prices.price_for("TOPTAN", _pid("1003"), date(2026, 6, 21)) == D("100.00")
    view = prices.show_price_list("TOPTAN", day=DAY)
    in_force = {(i.product_code, i.result) for i in view.items if i.in_force}
    assert in_force == {(None, None), ("1003", D("90.00"))}
    assert view.as_json()["items"][0]["percent_off"] == "10.00"


def test_same_window_replaces_and_same_start_other_end_is_refused(books: Books) -> None:
    _list(books)
    _set(books, "1001", price=D("8.00"), valid_from=date(2026, 6, 1))
    _set(books, "1001", price=D("7.50"), valid_from=date(2026, 6, 1))
    assert m.PriceListItem.select().count() == 1
    assert prices.price_for("TOPTAN", _pid("1001"), DAY) == D("7.50")
    with pytest.raises(ValidationError, match="same day"):
        _set(books, "1001", price=D("7.00"), valid_from=date(2026, 6, 1), valid_to=date(2026, 6, 9))


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"price": D("1"), "percent_off": D("1")}, "either a price"),
        ({}, "either a price"),
        ({"price": D("0")}, "more than zero"),
        ({"price": D("1.005")}, "two decimals"),
        ({"percent_off": D("0")}, "more than 0"),
        ({"percent_off": D("100.01")}, "at most 100"),
        ({"percent_off": D("1.005")}, "two decimals"),
        ({"price": D("1"), "valid_from": DAY, "valid_to": DAY - timedelta(days=1)}, "before the start"),
    ],
)
def test_bad_items_are_refused(books: Books, kw: dict[str, object], message: str) -> None:
    _list(books)
    with pytest.raises(ValidationError, match=message):
        _set(books, "1001", **kw)
    assert m.PriceListItem.select().count() == 0


def test_changes_need_the_accounts_permission(books: Books) -> None:
    with pytest.raises(PermissionDenied):
        prices.add_price_list("TOPTAN", "Toptan", actor=books.ayse, now=books.now)
    _list(books)
    with pytest.raises(PermissionDenied):
        prices.set_price("TOPTAN", prices.PriceInput("1001", price=D("1")), actor=books.mehmet, now=books.now, day=DAY)


def test_a_duplicate_code_is_refused(books: Books) -> None:
    _list(books)
    with pytest.raises(ValidationError, match="already"):
        _list(books)


@hsettings(max_examples=300, deadline=None)
@given(
    kurus=st.integers(min_value=1, max_value=10**9),
    hundredths=st.integers(min_value=1, max_value=10_000),
)
def test_percent_rule_matches_exact_fractions(kurus: int, hundredths: int) -> None:
    catalog_price = Fraction(kurus, 100)
    discount = catalog_price * Fraction(hundredths, 10_000)
    # half-up to the kuruş, computed on exact fractions
    discount_kurus = int(discount * 100 + Fraction(1, 2))
    expected = Fraction(kurus - discount_kurus, 100)
    got = prices.price_after(Decimal(kurus) / 100, hundredths)
    assert Fraction(got) == expected
    assert got == got.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert D(0) <= got <= Decimal(kurus) / 100


def test_documented_rounding_example() -> None:
    assert prices.price_after(D("10.01"), 1250) == D("8.76")


# -- files -------------------------------------------------------------------------------------


def test_import_csv_with_turkish_headers(books: Books, tmp_path: Path) -> None:
    _list(books)
    path = tmp_path / "toptan.csv"
    path.write_text(
        "kod;barkod;fiyat;iskonto (%);başlangıç;bitiş\n"
        "1002;;30,00;;;\n"
        ";8690000000012;;12,5;01.06.2026;30.06.2026\n"
        "*;;;5;;\n",
        encoding="utf-8",
    )
    summary = prices.import_prices("TOPTAN", path, actor=books.admin, now=books.now)
    assert (summary.added, summary.replaced) == (3, 0)
    got = prices.prices_for("TOPTAN", [_pid("1001"), _pid("1002"), _pid("1004")], DAY)
    assert got == {_pid("1001"): D("8.75"), _pid("1002"): D("30.00"), _pid("1004"): D("80.75")}


def test_a_bad_file_writes_nothing_and_names_every_bad_row(books: Books, tmp_path: Path) -> None:
    _list(books)
    _set(books, "1001", price=D("9.00"))
    path = tmp_path / "bad.csv"
    path.write_text(
        "kod,fiyat,iskonto,bitiş\n"
        "1002,30,,\n"  # good
        "9999,5,,\n"  # unknown product
        "1003,abc,,\n"  # bad price
        "1004,5,10,\n"  # both
        "1001,,,\n"  # neither
        "1002,1,,32.13.2026\n",  # bad date
        encoding="utf-8",
    )
    with pytest.raises(ImportRejected) as caught:
        prices.import_prices("TOPTAN", path, actor=books.admin, now=books.now)
    lines = sorted({e.line for e in caught.value.errors})
    assert lines == [3, 4, 5, 6, 7]  # the unknown product too: every bad row in one report
    fields = {(e.line, e.field) for e in caught.value.errors}
    assert (7, "valid_to") in fields and (4, "price") in fields and (3, "code") in fields
    path.write_text("kod,fiyat\n1002,30\n9999,5\n", encoding="utf-8")
    with pytest.raises(ImportRejected) as caught:
        prices.import_prices("TOPTAN", path, actor=books.admin, now=books.now)
    assert [(e.line, e.field) for e in caught.value.errors] == [(3, "code")]
    assert m.PriceListItem.select().count() == 1


def test_import_json_and_a_clash_inside_the_file(books: Books, tmp_path: Path) -> None:
    _list(books)
    path = tmp_path / "p.json"
    path.write_text(json.dumps([{"kod": "1001", "fiyat": "9,00"}, {"kod": "1001", "fiyat": "8,00"}]))
    with pytest.raises(ImportRejected) as caught:
        prices.import_prices("TOPTAN", path, actor=books.admin, now=books.now)
    assert [e.line for e in caught.value.errors] == [2]
    path.write_text(json.dumps([{"barcode": "8690000000012", "percent_off": 10}]))
    assert prices.import_prices("TOPTAN", path, actor=books.admin, now=books.now).added == 1
    assert prices.price_for("TOPTAN", _pid("1001"), DAY) == D("9.00")


def test_a_party_carries_a_price_list(books: Books) -> None:
    _list(books)
    party = accounts.update_party(accounts.PartyInput(code="BAKKAL", price_list="TOPTAN"), now=books.now)
    assert party.price_list == "TOPTAN"
    assert [p.code for p in prices.list_price_lists()] == ["TOPTAN"]


def test_an_unknown_column_names_the_columns(books: Books, tmp_path: Path) -> None:
    _list(books)
    path = tmp_path / "p.csv"
    path.write_text("kod,fiyatt\n1001,5\n", encoding="utf-8")
    with pytest.raises(ImportRejected) as caught:
        prices.import_prices("TOPTAN", path, actor=books.admin, now=books.now)
    (error,) = caught.value.errors
    assert (error.line, error.field) == (1, "fiyatt") and "fiyat, iskonto" in error.reason


def test_an_empty_file_says_so(books: Books, tmp_path: Path) -> None:
    _list(books)
    path = tmp_path / "p.csv"
    path.write_text("kod,fiyat\n", encoding="utf-8")
    with pytest.raises(ImportRejected, match="empty"):
        prices.import_prices("TOPTAN", path, actor=books.admin, now=books.now)

"""Stores (pos_tui.core.catalog.stores, ``pos-admin stores``), locations of a store, and prices per
store at the till: a store's price list prices what its terminals sell; a sale account's own list
still wins; elsewhere the catalog price stands."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
from accounts_support import Books, books_fixture  # noqa: F401 (fixture)
from sync_support import set_identity

from pos_tui.core import accounts, catalog, till
from pos_tui.core.accounts import prices
from pos_tui.core.basket import Cart, PaymentInput
from pos_tui.core.kernel import NotFound, ValidationError
from pos_tui.core.stock import moves
from pos_tui.store import models as m

D = Decimal
CENTRE = "postgresql://t2@centre/shop"


# ------------------------------------------------------------------ stores


def test_every_database_starts_with_store_s1(db: object) -> None:
    assert catalog.list_stores() == [catalog.StoreInfo("S1", "Mağaza", None, ("MAGAZA",))]


def test_add_update_and_list_stores(books: Books) -> None:
    now = books.now
    prices.add_price_list("KADIKOY", "Kadıköy fiyatları", actor=books.admin, now=now)
    added = catalog.add_store("s2", " Kadıköy ", price_list="KADIKOY", now=now, terminal="T1", user="admin")
    assert added == catalog.StoreInfo("S2", "Kadıköy", "KADIKOY", ())
    assert added.as_json() == {"code": "S2", "name": "Kadıköy", "price_list": "KADIKOY", "locations": []}
    renamed = catalog.update_store("S2", name="Kadıköy Çarşı", now=now, terminal="T1")
    assert (renamed.name, renamed.price_list) == ("Kadıköy Çarşı", "KADIKOY")  # the list is kept
    cleared = catalog.update_store("S2", price_list=None, now=now, terminal="T1")
    assert cleared.price_list is None
    again = catalog.update_store("S2", price_list="KADIKOY", now=now, terminal="T1")
    assert again.price_list == "KADIKOY"
    assert [s.code for s in catalog.list_stores()] == ["S1", "S2"]
    entries = [json.loads(e.payload) for e in m.JournalEntry.select().where(m.JournalEntry.kind == "store")]
    assert [(e["action"], e.get("price_list", "-")) for e in entries] == [
        ("add", "KADIKOY"),
        ("update", "-"),
        ("update", None),
        ("update", "KADIKOY"),
    ]


def test_bad_stores_are_refused_and_nothing_is_written(books: Books) -> None:
    now = books.now
    before = m.JournalEntry.select().count()
    with pytest.raises(ValidationError, match="Store code"):
        catalog.add_store("S 2", "Bad", now=now, terminal="T1")
    with pytest.raises(ValidationError, match="already exists"):
        catalog.add_store("S1", "Again", now=now, terminal="T1")
    with pytest.raises(NotFound, match="NOPE"):
        catalog.add_store("S3", "Üsküdar", price_list="NOPE", now=now, terminal="T1")
    with pytest.raises(ValidationError, match="name"):
        catalog.add_store("S3", "  ", now=now, terminal="T1")
    with pytest.raises(NotFound, match="S9"):
        catalog.update_store("S9", name="X", now=now, terminal="T1")
    with pytest.raises(ValidationError, match="Nothing to change"):
        catalog.update_store("S1", now=now, terminal="T1")
    assert [s.code for s in catalog.list_stores()] == ["S1"]
    assert m.JournalEntry.select().count() == before


def test_a_location_belongs_to_a_store(books: Books) -> None:
    catalog.add_store("S2", "Kadıköy", now=books.now, terminal="T1")
    loc = moves.add_location("DEPO2", "Kadıköy depo", terminal="T1", now=books.now, store_code="s2")
    assert loc.store == "S2"
    assert {(x.code, x.store) for x in moves.list_locations()} == {("MAGAZA", "S1"), ("DEPO2", "S2")}
    assert catalog.get_store("S2").locations == ("DEPO2",)
    with pytest.raises(NotFound, match="S7"):
        moves.add_location("DEPO7", "Nowhere", terminal="T1", now=books.now, store_code="S7")
    assert "DEPO7" not in {x.code for x in moves.list_locations()}


def test_stores_cli(books: Books, cli: Callable[..., Any]) -> None:
    prices.add_price_list("KADIKOY", "Kadıköy fiyatları", actor=books.admin, now=books.now)
    done = cli("stores", "add", "S2", "Kadıköy", "--price-list", "KADIKOY", "--json")
    assert done.exit_code == 0, done.stderr
    assert json.loads(done.stdout) == {"code": "S2", "name": "Kadıköy", "price_list": "KADIKOY", "locations": []}
    done = cli("stock", "locations", "add", "DEPO2", "--name", "Kadıköy depo", "--store", "S2")
    assert done.exit_code == 0, done.stderr
    assert "S2" in done.stderr
    listed = cli("stores", "list", "--json")
    assert json.loads(listed.stdout) == [
        {"code": "S1", "name": "Mağaza", "price_list": None, "locations": ["MAGAZA"]},
        {"code": "S2", "name": "Kadıköy", "price_list": "KADIKOY", "locations": ["DEPO2"]},
    ]
    locations = json.loads(cli("stock", "locations", "list", "--json").stdout)
    assert {(x["code"], x["store"]) for x in locations} == {("MAGAZA", "S1"), ("DEPO2", "S2")}
    table = cli("stores", "list", env={"COLUMNS": "80"})
    assert "KADIKOY" in table.stdout and "(catalog prices)" in table.stdout
    assert all(len(line) <= 80 for line in table.stdout.splitlines())
    done = cli("stores", "update", "S2", "--no-price-list", "--json")
    assert json.loads(done.stdout)["price_list"] is None
    done = cli("stores", "update", "S2", "--name", "Kadıköy Çarşı")
    assert done.exit_code == 0 and "catalog prices" in done.stderr
    # mistakes: a usage error (2) or a clear refusal (1)
    assert cli("stores", "update", "S2").exit_code == 2
    assert cli("stores", "update", "S2", "--price-list", "KADIKOY", "--no-price-list").exit_code == 2
    bad = cli("stores", "add", "S3", "Üsküdar", "--price-list", "NOPE")
    assert bad.exit_code == 1 and "NOPE" in bad.stderr
    bad = cli("stock", "locations", "add", "DEPO9", "--name", "X", "--store", "S9")
    assert bad.exit_code == 1 and "S9" in bad.stderr


# ------------------------------------------------------------------ prices per store


@pytest.fixture(name="chain")
def chain_fixture(books: Books) -> Books:
    """Store S2 sells at price list KADIKOY (1001 at 9,00, everything else 5 % off); BAKKAL buys
    at TOPTAN (1001 at 8,00, everything else 10 % off)."""
    day = books.now.date()
    prices.add_price_list("KADIKOY", "Kadıköy", actor=books.admin, now=books.now)
    for product, kw in (("1001", {"price": D("9.00")}), ("*", {"percent_off": D("5")})):
        prices.set_price("KADIKOY", prices.PriceInput(product, **kw), actor=books.admin, now=books.now, day=day)  # type: ignore[arg-type]
    prices.add_price_list("TOPTAN", "Toptan", actor=books.admin, now=books.now)
    for product, kw in (("1001", {"price": D("8.00")}), ("*", {"percent_off": D("10")})):
        prices.set_price("TOPTAN", prices.PriceInput(product, **kw), actor=books.admin, now=books.now, day=day)  # type: ignore[arg-type]
    accounts.update_party(accounts.PartyInput(code="BAKKAL", price_list="TOPTAN"), now=books.now)
    catalog.add_store("S2", "Kadıköy", price_list="KADIKOY", now=books.now, terminal="T1")
    return books


def _add(books: Books, code: str, now: datetime | None = None) -> Cart:
    return till.add_item("T2", books.mehmet, code, now=now or books.now, masks=books.settings.scale_labels)


def _prices(cart: Cart) -> list[tuple[str, Decimal, Decimal, Decimal | None]]:
    return [(ln.code, ln.unit_price, ln.list_price, ln.account_price) for ln in cart.lines]


def test_a_terminal_of_the_store_sells_at_the_stores_prices(chain: Books) -> None:
    set_identity("T2", "S2", CENTRE)
    _add(chain, "1001")
    cart = _add(chain, "1003")
    assert _prices(cart) == [("1001", D("9.00"), D("9.00"), None), ("1003", D("114.00"), D("114.00"), None)]
    result = till.complete_sale("T2", chain.mehmet, [PaymentInput("cash", D("123.00"))], now=chain.now)
    doc = till.get_sale(result.uid)
    assert [(ln["code"], ln["unit_price"], ln["list_price"]) for ln in doc["lines"]] == [
        ("1001", "9.00", "9.00"),
        ("1003", "114.00", "114.00"),
    ]
    assert result.total == D("123.00")


def test_elsewhere_the_catalog_price_stands(chain: Books) -> None:
    """S1 (a shop that never joined a centre is S1) has no price list."""
    cart = _add(chain, "1001")
    assert _prices(cart) == [("1001", D("10.00"), D("10.00"), None)]
    catalog.update_store("S2", price_list=None, now=chain.now, terminal="T1")
    set_identity("T2", "S2", CENTRE)
    cart = _add(chain, "1003")
    assert _prices(cart)[-1] == ("1003", D("120.00"), D("120.00"), None)


def test_a_price_valid_another_day_does_not_apply(chain: Books) -> None:
    from datetime import timedelta

    set_identity("T2", "S2", CENTRE)
    later = chain.now + timedelta(days=10)
    prices.set_price(
        "KADIKOY",
        prices.PriceInput("1004", price=D("70.00"), valid_from=later.date()),
        actor=chain.admin,
        now=chain.now,
        day=chain.now.date(),
    )
    assert _prices(_add(chain, "1004"))[-1][1] == D("80.75")  # 85,00 − 5 % (the list-wide rule)
    assert _prices(_add(chain, "1004", later))[-1][1] == D("70.00")


def test_the_sale_accounts_own_list_wins_over_the_stores(chain: Books) -> None:
    set_identity("T2", "S2", CENTRE)
    _add(chain, "1001")
    _add(chain, "1003")
    cart = till.set_account("T2", chain.mehmet, "BAKKAL", now=chain.now)
    # 1001: TOPTAN's own item; 1003: TOPTAN's 10 % off the store's price 114,00
    assert _prices(cart) == [("1001", D("8.00"), D("9.00"), D("8.00")), ("1003", D("102.60"), D("114.00"), D("102.60"))]
    cart = _add(chain, "1004")  # scanned into the account's sale: 85,00 − 5 % = 80,75, − 10 % = 72,67
    assert _prices(cart)[-1] == ("1004", D("72.67"), D("80.75"), D("72.67"))
    cart = till.set_account("T2", chain.mehmet, None, now=chain.now)  # back to the store's prices
    assert [p[1] for p in _prices(cart)] == [D("9.00"), D("114.00"), D("80.75")]


def test_a_blind_return_is_at_the_stores_price(chain: Books) -> None:
    set_identity("T2", "S2", CENTRE)
    result = till.create_blind_return(
        "T2", chain.mehmet, [till.BlindReturnLineInput("1001", 2000)], now=chain.now, reason="Bozuk"
    )
    assert result.total == D("18.00")

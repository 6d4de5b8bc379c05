"""Master data written at the centre with the ordinary services reaches a joined terminal:
products, barcodes, categories, users (their PINs work here), price lists and their items,
members, accounts and stores; edits and deletions follow; a pull with nothing new writes
nothing; pulled rows never travel back up."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from pull_support import MEMBER_CARD, central, local, seed_centre, table_counts
from sync_support import bound

from pos_tui.core import catalog, staff
from pos_tui.core.sync import identity, join, pull
from pos_tui.settings import Settings
from pos_tui.store import models as m
from pos_tui.store import write_tx

pytestmark = pytest.mark.postgres


def _product(path: Path, code: str) -> tuple[object, ...] | None:
    rows = local(
        path,
        "SELECT p.name, p.price, c.name, p.active, p.stock, p.cost FROM product p "
        "LEFT JOIN category c ON c.id = p.category_id WHERE p.code = ?",
        (code,),
    )
    return rows[0] if rows else None


def test_a_joined_terminal_has_the_centres_master_data(
    central_url: str, db: object, db_path: Path, settings: Settings, now: datetime
) -> None:
    seed_centre(central_url, settings, now)
    result = join(central_url, "T2", "S1", now, settings)

    assert (result.terminal, result.store, result.rejoined) == ("T2", "S1", False)
    assert result.series == {"efatura": "FT2", "earsiv": "AT2"}
    assert result.rows > 0 and result.revision > 0
    assert _product(db_path, "1001") == ("Ekmek", 1000, None, 1, 0, 0)
    assert _product(db_path, "2001") == ("Peynir", 15000, "Şarküteri", 1, 0, 0)
    assert local(db_path, "SELECT b.code, p.code FROM barcode b JOIN product p ON p.id = b.product_id") == [
        ("8690000000012", "1001")
    ]
    assert local(db_path, "SELECT name, role FROM user ORDER BY name") == [
        ("admin", "admin"),
        ("ayse", "cashier"),
        ("mehmet", "supervisor"),
    ]
    # the centre's PIN key came with the users: ayse logs in here with her PIN
    assert result.pin_key_present
    assert staff.login("1111", terminal="T2", now=now, settings=settings).name == "ayse"
    items = local(
        db_path,
        "SELECT l.code, p.code, i.price, i.percent_off FROM price_list_item i "
        "JOIN price_list l ON l.id = i.price_list_id LEFT JOIN product p ON p.id = i.product_id ORDER BY i.id",
    )
    assert items == [("TOPTAN", "1001", 900, None), ("TOPTAN", None, None, 500)]
    origins = local(db_path, "SELECT origin FROM sync_origin WHERE tbl = 'price_list_item'")
    centre_ids = central(central_url, "SELECT id FROM price_list_item ORDER BY id")
    assert sorted(o for (o,) in origins) == sorted(f"c:{i}" for (i,) in centre_ids)
    assert local(db_path, "SELECT card, phone, name FROM member") == [(MEMBER_CARD, "+905321112233", "Zeynep Yılmaz")]
    assert local(db_path, "SELECT code, credit_limit FROM party ORDER BY code") == [("ACME", 0), ("BAKKAL", 100000)]
    stores = local(db_path, "SELECT s.code, l.code FROM store s LEFT JOIN price_list l ON l.id = s.price_list_id")
    assert sorted(stores) == [("S1", None), ("S2", "TOPTAN")]
    assert ("DEPO2", "S2") in local(db_path, "SELECT code, store FROM stock_location")
    # nothing that came down is queued to go back up
    assert local(db_path, "SELECT COUNT(*) FROM sync_capture WHERE outbox IS NULL") == [(0,)]
    assert local(db_path, "SELECT COUNT(*) FROM sync_outbox") == [(0,)]
    # the product search finds pulled names
    assert [p.code for p in catalog.search_products("peyn")] == ["2001"]


def test_edits_and_deletions_at_the_centre_follow(
    central_url: str, db: object, db_path: Path, settings: Settings, now: datetime
) -> None:
    seed_centre(central_url, settings, now)
    join(central_url, "T2", "S1", now, settings)
    later = now + timedelta(hours=1)
    with bound(central_url):
        catalog.upsert_products(
            [
                catalog.ProductInput(code="1001", name="Ekmek tam buğday", price=Decimal("12.50"), barcodes=()),
                catalog.ProductInput(code="1002", barcodes=("8690000000029",)),
            ],
            now=later,
            kdv_rates=settings.kdv_rates,
        )
    central(central_url, "DELETE FROM price_list_item WHERE product_id IS NULL")
    central(central_url, "DELETE FROM product WHERE code = '2001'")
    central(central_url, "DELETE FROM category WHERE name = 'Şarküteri'")

    result = pull(later)

    assert _product(db_path, "1001") == ("Ekmek tam buğday", 1250, None, 1, 0, 0)
    assert _product(db_path, "2001") is None
    assert local(db_path, "SELECT COUNT(*) FROM category") == [(0,)]
    assert local(db_path, "SELECT b.code, p.code FROM barcode b JOIN product p ON p.id = b.product_id") == [
        ("8690000000029", "1002")
    ]
    assert local(db_path, "SELECT COUNT(*) FROM price_list_item") == [(1,)]
    assert local(db_path, "SELECT COUNT(*) FROM sync_origin WHERE tbl = 'price_list_item'") == [(1,)]
    assert result.tombstones >= 3
    assert [p.code for p in catalog.search_products("tam bugday")] == ["1001"]
    assert catalog.search_products("peynir") == []


def test_a_pull_with_nothing_new_writes_nothing(
    central_url: str, db: object, db_path: Path, settings: Settings, now: datetime
) -> None:
    seed_centre(central_url, settings, now)
    join(central_url, "T2", "S1", now, settings)
    before = table_counts(db_path)
    meta = dict(local(db_path, "SELECT key, value FROM meta_entry WHERE key NOT LIKE 'sync_last_%'"))

    result = pull(now + timedelta(minutes=5))

    assert (result.rows, result.tombstones, result.ledger_rows, result.balances) == ({}, 0, 0, 0)
    assert table_counts(db_path) == before
    assert dict(local(db_path, "SELECT key, value FROM meta_entry WHERE key NOT LIKE 'sync_last_%'")) == meta


def test_a_deleted_product_this_terminal_sold_stays_inactive(
    central_url: str, db: object, db_path: Path, settings: Settings, now: datetime
) -> None:
    seed_centre(central_url, settings, now)
    join(central_url, "T2", "S1", now, settings)
    # a stock movement here refers to 1004: the centre deletes the product (it never sold it)
    catalog.upsert_products([catalog.ProductInput(code="1004", stock=5000)], now=now, kdv_rates=settings.kdv_rates)
    central(central_url, "DELETE FROM product WHERE code = '1004'")

    result = pull(now + timedelta(minutes=5))

    assert local(db_path, "SELECT active, stock FROM product WHERE code = '1004'") == [(0, 5000)]
    assert any("1004" in note for note in result.notes)


def test_a_member_changed_here_and_not_sent_yet_is_not_overwritten(
    central_url: str, db: object, db_path: Path, settings: Settings, now: datetime
) -> None:
    seed_centre(central_url, settings, now)
    join(central_url, "T2", "S1", now, settings)
    with write_tx():  # the till changes the member: an outbox record, not pushed yet
        m.Member.update(email="zeynep@example.com").where(m.Member.card == MEMBER_CARD).execute()
    central(central_url, "UPDATE member SET name = 'Zeynep Kaya' WHERE card = %s", (MEMBER_CARD,))

    pull(now + timedelta(minutes=1))

    member = "SELECT name, email FROM member WHERE card = ?"
    assert local(db_path, member, (MEMBER_CARD,)) == [("Zeynep Yılmaz", "zeynep@example.com")]
    assert local(db_path, "SELECT value FROM meta_entry WHERE key = 'sync_pull_deferred:member'") == [
        (f'["{MEMBER_CARD}"]',)
    ]
    # the push took the change to the centre, which applied it: now the centre's row comes down
    identity.put({"high_water": "1"})
    central(central_url, "UPDATE member SET email = 'zeynep@example.com' WHERE card = %s", (MEMBER_CARD,))

    pull(now + timedelta(minutes=2))

    assert local(db_path, member, (MEMBER_CARD,)) == [("Zeynep Kaya", "zeynep@example.com")]
    assert local(db_path, "SELECT COUNT(*) FROM meta_entry WHERE key LIKE 'sync_pull_deferred:%'") == [(0,)]

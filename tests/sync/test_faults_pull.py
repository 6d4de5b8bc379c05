"""A master-data pull cut half way (issue 15, section 4; docs/sync-faults.md): the fault proxy
resets the line after a number of bytes of the centre's answer, at several points of a pull of
thousands of changed, new and deleted products. After each cut the terminal is consistent (the
file passes its checks, every product is wholly the old or wholly the new version, nothing pulled
is queued to go back up, progress never goes back); the next pull completes and the terminal
equals the centre."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from faults_proxy import DOWN, FaultProxy
from pull_support import central, seed_centre
from stdnum import ean
from sync_support import PG_URL, bound

from pos_tui.core import catalog, sync
from pos_tui.core.sync import connection
from pos_tui.settings import Settings

pytestmark = pytest.mark.postgres

PRODUCTS = 3000


def _ean(body: str) -> str:
    return body + ean.calc_check_digit(body)


def _products(n: int, version: int, start: int = 0) -> list[catalog.ProductInput]:
    return [
        catalog.ProductInput(
            code=f"P{i:05d}",
            name=f"Ürün {i} sürüm {version}",
            price=Decimal(100 + i + version * 7),
            kdv_rate=20,
            barcodes=(_ean(f"86{version}{i:09d}"),),
        )
        for i in range(start, start + n)
    ]


def _versions(path: Path) -> dict[str, tuple[str, int]]:
    with closing(sqlite3.connect(path)) as conn:
        return {
            code: (name, price)
            for code, name, price in conn.execute("SELECT code, name, price FROM product WHERE code LIKE 'P%'")
        }


def _checks(path: Path) -> tuple[str, list[tuple[object, ...]], int, int]:
    with closing(sqlite3.connect(path)) as conn:
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        foreign = conn.execute("PRAGMA foreign_key_check").fetchall()
        unsealed = conn.execute("SELECT COUNT(*) FROM sync_capture WHERE outbox IS NULL").fetchone()[0]
        records = conn.execute("SELECT COUNT(*) FROM sync_outbox").fetchone()[0]
    return integrity, foreign, unsealed, records


def _barcodes(path: Path) -> dict[str, str]:
    with closing(sqlite3.connect(path)) as conn:
        return dict(
            conn.execute(
                "SELECT b.code, p.code FROM barcode b JOIN product p ON p.id = b.product_id WHERE p.code LIKE 'P%'"
            )
        )


def test_a_pull_cut_anywhere_leaves_the_terminal_consistent_and_the_next_one_completes(
    central_url: str, db: object, db_path: Path, settings: Settings, now: datetime
) -> None:
    assert PG_URL
    seed_centre(central_url, settings, now)
    with bound(central_url):
        catalog.upsert_products(_products(PRODUCTS, 1), now=now, kdv_rates=settings.kdv_rates)
    sync.join(central_url, "T2", "S1", now, settings)
    old = _versions(db_path)
    assert len(old) == PRODUCTS

    # At the centre: every product renamed and repriced (its barcode replaced), 1,000 new ones,
    # 200 deleted.
    later = now + timedelta(days=1)
    with bound(central_url):
        catalog.upsert_products(_products(PRODUCTS, 2), now=later, kdv_rates=settings.kdv_rates)
        catalog.upsert_products(_products(1000, 2, start=PRODUCTS), now=later, kdv_rates=settings.kdv_rates)
    gone = [f"P{i:05d}" for i in range(0, 2000, 10)]
    central(
        central_url, "DELETE FROM barcode WHERE product_id IN (SELECT id FROM product WHERE code = ANY(%s))", (gone,)
    )
    central(central_url, "DELETE FROM product WHERE code = ANY(%s)", (gone,))
    wanted = {
        code: (name, int(price))  # kuruş at the centre too
        for code, name, price in central(central_url, "SELECT code, name, price FROM product WHERE code LIKE 'P%%'")
    }
    new_pairs = {p.code: (p.name, int(p.price * 100)) for p in _products(PRODUCTS + 1000, 2) if p.code and p.price}
    old_pairs = dict(old)
    integrity, foreign, unsealed, records = _checks(db_path)
    assert (integrity, foreign, unsealed) == ("ok", [], 0)

    with FaultProxy.for_url(PG_URL) as proxy:
        via = proxy.url(central_url)
        progress, partial, cuts, nbytes = 0, 0, 0, 20_000
        while True:  # cut each pull later than the one before, until one gets through
            connection.forget()
            proxy.cut_after(nbytes, DOWN)
            try:
                sync.pull(later, url=via, batch=500)
            except sync.CentralUnreachable:
                cuts += 1
            else:
                break
            nbytes = int(nbytes * 1.7)
            assert proxy.cuts == cuts
            integrity, foreign, unsealed, after = _checks(db_path)
            assert (integrity, foreign, unsealed, after) == ("ok", [], 0, records)
            here = _versions(db_path)
            for code, pair in here.items():
                assert pair in (old_pairs.get(code), new_pairs.get(code)), code  # never half a row
            for barcode, code in _barcodes(db_path).items():
                assert int(barcode[3:12]) == int(code[1:]), (barcode, code)  # its own product's
            done = sum(1 for code, pair in here.items() if pair == new_pairs.get(code))
            assert done >= progress  # what came down stays
            partial += 0 < done < PRODUCTS + 1000
            progress = done
        assert cuts >= 3, "the cuts did not fall inside the pull"
        assert partial, "no cut fell half way through the products"
        proxy.heal()
    assert _versions(db_path) == wanted
    assert not set(gone) & set(_versions(db_path))
    assert sorted(_barcodes(db_path).values()) == sorted(wanted)
    integrity, foreign, unsealed, after = _checks(db_path)
    assert (integrity, foreign, unsealed, after) == ("ok", [], 0, records)
    # a pull with nothing new writes nothing
    again = sync.pull(later + timedelta(minutes=1), url=central_url, batch=500)
    assert sum(again.rows.values()) == 0 and again.tombstones == 0
    connection.forget()

"""The till on a full disk and on a damaged file: the cart is kept, the message says why."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from decimal import Decimal
from pathlib import Path

import pytest
from stdnum import ean

from pos_tui.core import catalog
from pos_tui.store import close_database, database, open_database
from pos_tui.store import models as m
from pos_tui.tui.screens.sale import SaleScreen

LINES = 12


@pytest.fixture
def db(db_path: Path) -> Iterator[object]:
    """The shop's file with the smallest pages (512 bytes), so posting a sale needs new pages."""
    with closing(sqlite3.connect(db_path)) as conn:
        conn.execute("PRAGMA page_size = 512")
        conn.execute("VACUUM")
    yield open_database(db_path)
    close_database()


def barcode(i: int) -> str:
    body = f"869123{i:06d}"
    return body + ean.calc_check_digit(body)


def cap_new_connections() -> None:
    """Cap the file at its size for every connection opened from now on: the till's thread
    workers (which post the sale) get SQLITE_FULL on the first write that needs a new page,
    while this thread's connection (the cart's saves, on the UI thread) still writes."""
    pages = database.execute_sql("PRAGMA page_count").fetchone()[0]
    database.obj._pragmas = [*database.obj._pragmas, ("max_page_count", pages)]


async def test_a_full_disk_keeps_the_cart_and_says_so(make_app, open_shift, shop, till, settings, now) -> None:
    """Before the fix the till showed "Unexpected error: cannot rollback - no transaction is active"."""
    catalog.upsert_products(
        [
            catalog.ProductInput(
                code=f"9{i:03d}", name=f"Ürün {i}", price=Decimal("1.00"), kdv_rate=1, barcodes=(barcode(i),)
            )
            for i in range(LINES)
        ],
        now=now,
        kdv_rates=settings.kdv_rates,
    )
    cap_new_connections()
    app = make_app()
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await till.login(pilot)
            for i in range(LINES):
                await till.scan(pilot, barcode(i))
            await pilot.press("f8", "enter")
            await till.settle(pilot)
            screen = app.screen_stack[1]
            assert isinstance(screen, SaleScreen)
            text = till.screen_text(pilot)
            assert "disk full: nothing was written" in text, text
            assert "cannot rollback" not in text
            assert len(screen.cart.lines) == LINES
    finally:
        database.obj._pragmas = [p for p in database.obj._pragmas if p[0] != "max_page_count"]
    assert not m.Sale.select().exists()


@pytest.fixture
def damaged_gate(db_path: Path) -> Iterator[None]:
    """The background quick_check found the file damaged."""
    from pos_tui.store import db as store_db

    fault = store_db.StorageFault(store_db.DAMAGED, db_path, "Page 3: btreeInitPage() returns error code 11")
    store_db.gate.finish(fault)
    yield
    store_db.gate.finish(None)


async def test_the_till_says_the_file_is_damaged_and_posts_nothing(
    make_app, open_shift, shop, till, damaged_gate, db_path
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await till.settle(pilot)
        assert any(f"the database {db_path} is damaged" in n.message for n in app._notifications)
        await till.login(pilot)
        await till.scan(pilot, shop.EKMEK)
        await pilot.press("f8", "enter")
        await till.settle(pilot)
        assert "is damaged" in till.screen_text(pilot)
    assert not m.Sale.select().exists()

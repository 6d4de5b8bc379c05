"""Helpers of the pull tests: a centre with master data written by the ordinary services, rows
read straight from either side, and ledger rows at the centre as another terminal pushed them."""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "accounts"))

from accounts_support import Books, make_books
from sync_support import bound

from pos_tui.core import accounts, catalog
from pos_tui.core.kernel import to_db
from pos_tui.core.loyalty import members
from pos_tui.core.sync import open_central
from pos_tui.settings import Settings
from pos_tui.store import models as m

MEMBER_CARD = "2000000000017"
MEMBER_PHONE = "+905321112233"


def seed_centre(url: str, settings: Settings, now: datetime) -> Books:
    """The centre's master data, written with the ordinary services: users ayse/mehmet/admin,
    products 1001–1004 (1001 with a barcode), accounts BAKKAL and ACME, a price list TOPTAN with
    an item and a rule, a member and a second store with a depot."""
    with bound(url):
        books = make_books(settings, now)
        catalog.upsert_products(
            [
                catalog.ProductInput(
                    code="2001", name="Peynir", price=Decimal("150.00"), kdv_rate=1, category="Şarküteri"
                )
            ],
            now=now,
            kdv_rates=settings.kdv_rates,
        )
        accounts.prices.add_price_list("TOPTAN", "Toptan", actor=books.admin, now=now)
        day = now.date()
        accounts.prices.set_price(
            "TOPTAN", accounts.prices.PriceInput("1001", price=Decimal("9.00")), actor=books.admin, now=now, day=day
        )
        accounts.prices.set_price(
            "TOPTAN", accounts.prices.PriceInput(None, percent_off=Decimal("5")), actor=books.admin, now=now, day=day
        )
        members.enroll(
            name="Zeynep Yılmaz", phone="0532 111 22 33", card=MEMBER_CARD, source="cli", actor=None, now=now
        )
        m.Store.insert(
            code="S2",
            name="Kadıköy",
            price_list=m.PriceList.get(m.PriceList.code == "TOPTAN").id,
            created_at=to_db(now),
        ).execute()
        m.StockLocation.insert(code="DEPO2", name="Kadıköy depo", store="S2", created_at=to_db(now)).execute()
    return books


def central(url: str, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """Run ``sql`` at the centre (committed) and return its rows, if any."""
    db = open_central(url)
    try:
        with db.atomic():
            cursor = db.execute_sql(sql, tuple(params))
            return [tuple(r) for r in cursor.fetchall()] if cursor.description else []
    finally:
        db.close()


def local(path: Path, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    with sqlite3.connect(path) as conn:
        return [tuple(r) for r in conn.execute(sql, tuple(params)).fetchall()]


def table_counts(path: Path) -> dict[str, int]:
    """Rows per table of the terminal's file (what a pull that writes nothing leaves alone)."""
    with sqlite3.connect(path) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {t: conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}


def ledger_row(
    url: str,
    *,
    terminal: str,
    table: str,
    local_id: int,
    ledger: str,
    key: str,
    amount: int,
    at: datetime,
    data: dict[str, Any],
    place: str = "",
    store: str = "S1",
    document: str = "doc-1",
) -> str:
    """A ``sync_ledger`` row as the centre keeps what ``terminal`` pushed (docs/sync.md, "The
    body"); returns its origin."""
    origin = f"{terminal}:{table}:{local_id}"
    central(
        url,
        "INSERT INTO sync_ledger (origin, document, terminal, store, tbl, ledger, key, place, amount, at, data) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        (origin, document, terminal, store, table, ledger, key, place, amount, to_db(at), json.dumps(data)),
    )
    return origin


def iso(value: datetime | date) -> str:
    return (to_db(value) if isinstance(value, datetime) else value).isoformat()

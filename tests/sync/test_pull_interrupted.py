"""A pull cut off anywhere — the line drops between two reads, the terminal fails while writing a
batch — leaves the terminal consistent (every row whole, with its references; no mark beyond
what was written), and the next pull goes on and completes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pull_support import central, local, seed_centre
from sync_support import bound

from pos_tui.core import catalog
from pos_tui.core.catalog.barcodes import make_ean13
from pos_tui.core.sync import CentralUnreachable, join, pull, pulling
from pos_tui.settings import Settings
from pos_tui.store.outbox import MASTER_KEYS

pytestmark = pytest.mark.postgres


def _more_products(url: str, settings: Settings, now: datetime) -> None:
    with bound(url):
        catalog.upsert_products(
            [
                catalog.ProductInput(
                    code=f"3{n:03d}",
                    name=f"Ürün {n}",
                    price=Decimal(n),
                    kdv_rate=20,
                    category=f"Reyon {n % 4}",
                    barcodes=(make_ean13(f"869100{n:06d}"),),
                )
                for n in range(1, 31)
            ],
            now=now,
            kdv_rates=settings.kdv_rates,
        )


def _check_consistent(url: str, path: Path) -> None:
    """No mark is beyond what was written: every central row up to a table's mark is here."""
    marks = dict(local(path, "SELECT key, value FROM meta_entry WHERE key LIKE 'sync_pulled:%'"))
    for table, key in MASTER_KEYS.items():
        mark = int(marks.get(f"sync_pulled:{table}", 0))
        if table == "price_list_item":
            wanted = {f"c:{i}" for (i,) in central(url, "SELECT id FROM price_list_item WHERE revision <= %s", (mark,))}
            have = {o for (o,) in local(path, "SELECT origin FROM sync_origin WHERE tbl = 'price_list_item'")}
        else:
            wanted = {str(k) for (k,) in central(url, f'SELECT "{key}" FROM "{table}" WHERE revision <= %s', (mark,))}
            have = {str(k) for (k,) in local(path, f'SELECT "{key}" FROM "{table}"')}
        assert wanted <= have, (table, mark, wanted - have)
    assert local(path, "PRAGMA foreign_key_check") == []
    assert local(path, "SELECT COUNT(*) FROM sync_capture WHERE outbox IS NULL") == [(0,)]
    assert local(path, "SELECT COUNT(*) FROM sync_outbox") == [(0,)]


def _failing_at(monkeypatch: pytest.MonkeyPatch, n: int, where: str) -> None:
    """Make the pull fail at its ``n``-th central read (``centre``: the line drops) or local
    batch write (``local``: the terminal fails half way through a batch)."""
    calls = {"n": 0}
    if where == "centre":
        original: Callable[..., Any] = pulling._Centre.rows

        def rows(self: Any, sql: str, params: Any = ()) -> Any:
            calls["n"] += 1
            if calls["n"] == n:
                raise CentralUnreachable("the line dropped")
            return original(self, sql, params)

        monkeypatch.setattr(pulling._Centre, "rows", rows)
    else:
        write: Callable[..., Any] = pulling._Puller._write

        def failing(self: Any, plan: Any, rows: Any, depth: int = 0) -> None:
            write(self, plan, rows, depth)
            calls["n"] += 1
            if calls["n"] == n:
                raise RuntimeError("the terminal failed half way through a batch")

        monkeypatch.setattr(pulling._Puller, "_write", failing)


@pytest.mark.parametrize("where", ["centre", "local"])
def test_an_interrupted_pull_leaves_the_terminal_consistent_and_the_next_one_completes(
    central_url: str,
    db: object,
    db_path: Path,
    settings: Settings,
    now: datetime,
    monkeypatch: pytest.MonkeyPatch,
    where: str,
) -> None:
    seed_centre(central_url, settings, now)
    _more_products(central_url, settings, now)
    join(central_url, "T2", "S1", now, settings, batch=1000)  # T2 joins; then much more changes
    later = now + timedelta(hours=1)
    with bound(central_url):
        catalog.upsert_products(
            [
                catalog.ProductInput(code=f"3{n:03d}", name=f"Yeni ürün {n}", barcodes=(make_ean13(f"868100{n:06d}"),))
                for n in range(1, 31)
            ]
            + [catalog.ProductInput(code=f"4{n:03d}", name=f"Ek {n}", price=Decimal(2), kdv_rate=1) for n in range(9)],
            now=later,
            kdv_rates=settings.kdv_rates,
        )
    central(central_url, "DELETE FROM product WHERE code IN ('3001', '3002')")

    interrupted = 0
    for n in (2, 3, 5, 8):
        with monkeypatch.context() as patch:
            _failing_at(patch, n, where)
            with pytest.raises((CentralUnreachable, RuntimeError)):
                pull(later, batch=4)
        interrupted += 1
        _check_consistent(central_url, db_path)
    assert interrupted == 4
    if where == "centre":
        assert local(db_path, "SELECT value FROM meta_entry WHERE key = 'sync_online'") == [("0",)]

    pull(later, batch=4)

    _check_consistent(central_url, db_path)
    names = central(central_url, "SELECT code, name FROM product ORDER BY code")
    assert local(db_path, "SELECT code, name FROM product ORDER BY code") == names
    barcodes = central(
        central_url, "SELECT b.code, p.code FROM barcode b JOIN product p ON p.id = b.product_id ORDER BY b.code"
    )
    assert local(
        db_path, "SELECT b.code, p.code FROM barcode b JOIN product p ON p.id = b.product_id ORDER BY b.code"
    ) == [tuple(r) for r in barcodes]
    assert local(db_path, "SELECT value FROM meta_entry WHERE key = 'sync_online'") == [("1",)]

"""Counting (sayım): scans into a count session, and posting a count of a whole catalogue.

Setup (untimed): a temporary SQLite file (the till's pragmas), a supervisor and a counter, a
catalogue of generated products (``--products``, default 100,000) imported with 10 units each
at the default location, and open count sessions.

Rows, ours against a baseline in the same run:

- **one scan into a count** (``--scans``, default 10,000): :func:`counting.record_event` as the
  counting screen calls it (permission check, the session open?, the uid not seen before, the
  product in scope, its line frozen on its first scan, the event inserted, the product's new
  total read back; one durable write transaction), over the products in turn, p50/p95/p99 per
  scan, against the same event inserted by hand on a bare ``sqlite3`` connection to the same file
  (``BEGIN IMMEDIATE``; ``INSERT INTO count_event``; ``COMMIT``, durable too): what our checks
  and layers cost on top of the one row that must be written.
- **posting a count of every product** (each counted once, 9 units found of 10: one movement
  per product): :func:`counting.post_count` (the review, the stock document with its lines,
  the movements valued at average cost, the caches, the journal entry) against the bare inserts
  of the same document lines and movements with ``executemany`` in one transaction (rolled back).
  The events of that session are written in bulk during setup, not timed.

    python3 -m benchmarks.bench_counting [--products 100000] [--scans 10000] [--quiet]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from benchmarks.common import percentiles, product_rows, save, timer, verdict

NOW = datetime(2026, 12, 31, 18, 0, tzinfo=UTC)


def setup(path: Path, products: int) -> tuple[Any, Any, list[int]]:
    from pos_tui.core import staff
    from pos_tui.core.catalog import ProductInput, upsert_products
    from pos_tui.settings import load_settings
    from pos_tui.store import models as m
    from pos_tui.store import open_database

    open_database(path)
    settings = load_settings({"POS_DB": str(path), "POS_HOME": str(path.parent)})
    boss = staff.actor_of(staff.add_user("mehmet", "supervisor", "2222", now=NOW), settings)
    counter = staff.actor_of(staff.add_user("ayse", "cashier", "1111", now=NOW), settings)
    rows = [
        ProductInput(
            code=code,
            barcodes=(barcode,),
            name=name,
            unit="piece",
            price=Decimal(price.replace(",", ".")),
            cost=Decimal(cost.replace(",", ".")),
            kdv_rate=int(kdv),
            category=category,
            stock=10_000,
        )
        for code, barcode, name, _unit, price, cost, kdv, category, _supplier, _min, _stock in product_rows(products)
    ]
    upsert_products(rows, now=NOW, kdv_rates=(0, 1, 10, 20))
    ids = [pid for (pid,) in m.Product.select(m.Product.id).order_by(m.Product.id).tuples()]
    return boss, counter, ids


def bench_scans(path: Path, counter: Any, boss: Any, ids: list[int], scans: int) -> dict[str, Any]:
    from pos_tui.core.stock import counting

    session = counting.open_count("Scans", actor=boss, now=NOW, terminal="T1").id
    baseline_session = counting.open_count("Baseline", actor=boss, now=NOW, terminal="T1").id
    bare = sqlite3.connect(path, isolation_level=None)
    bare.execute("PRAGMA journal_mode=wal")
    bare.execute("PRAGMA synchronous=full")
    bare.execute("PRAGMA busy_timeout=5000")
    from pos_tui.store import models as m

    insert = (
        f'INSERT INTO "{m.CountEvent._meta.table_name}" '
        '("uid", "session_id", "product_id", "qty", "zone", "user_id", "terminal", "at") '
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
    )
    at = NOW.replace(tzinfo=None)
    pool = ids[: min(len(ids), 2000)]  # a shelf's worth of products, each scanned several times
    ours: list[float] = []
    base: list[float] = []
    for i in range(scans):
        pid = pool[i % len(pool)]
        t = time.perf_counter()
        counting.record_event(
            session, pid, 1_000, uid=f"s{i}", actor=counter, now=NOW + timedelta(seconds=i), terminal="T1", zone="A"
        )
        ours.append(time.perf_counter() - t)
        t = time.perf_counter()
        bare.execute("BEGIN IMMEDIATE")
        bare.execute(insert, (f"b{i}", baseline_session, pid, 1_000, "A", counter.user_id, "T1", at))
        bare.execute("COMMIT")
        base.append(time.perf_counter() - t)
    bare.close()
    totals = counting.session_totals(session)
    assert sum(totals.values()) == scans * 1_000, "every scan counted once"
    return {"ours": percentiles(ours), "baseline_bare_insert": percentiles(base), "products_scanned": len(totals)}


def bench_post(path: Path, boss: Any, ids: list[int]) -> dict[str, Any]:
    from pos_tui.core.stock import counting, ledger
    from pos_tui.store import fast, write_tx
    from pos_tui.store import models as m

    session = counting.open_count("Year end", actor=boss, now=NOW, terminal="T1").id
    at = NOW.replace(tzinfo=None)
    with write_tx():  # every product counted once (9 of the 10 units): written in bulk, untimed
        fast.insert_many(m.CountLine, ("session", "product", "expected", "at"), [(session, p, 10_000, at) for p in ids])
        fast.insert_many(
            m.CountEvent,
            ("uid", "session", "product", "qty", "user", "terminal", "at"),
            [(f"p{p}", session, p, 9_000, boss.user_id, "T1", at) for p in ids],
        )
    with timer() as t:
        result = counting.post_count(
            session, uncounted="leave", actor=boss, now=NOW + timedelta(hours=1), terminal="T1"
        )
    assert result.movements == len(ids), result
    assert ledger.on_hand(ids[0]) == 9_000

    bare = sqlite3.connect(path, isolation_level=None)
    lines = (
        f'INSERT INTO "{m.StockDocumentLine._meta.table_name}" ("document_id", "line_no", "product_id", "qty", '
        '"unit_cost", "discount", "net", "kdv_rate", "kdv") VALUES (?, ?, ?, ?, 0, 0, 0, 0, 0)'
    )
    moves = (
        f'INSERT INTO "{m.StockMovement._meta.table_name}" ("product_id", "at", "qty", "kind", "location_id", '
        '"unit_cost", "value", "document_id") VALUES (?, ?, ?, ?, 1, 0, 0, ?)'
    )
    started = time.perf_counter()
    bare.execute("BEGIN IMMEDIATE")
    bare.executemany(lines, [(result.document_id, i, p, 1_000) for i, p in enumerate(ids, 1)])
    bare.executemany(moves, [(p, at, -1_000, "count", result.document_id) for p in ids])
    baseline = time.perf_counter() - started
    bare.execute("ROLLBACK")
    bare.close()
    return {"ours_s": t["seconds"], "baseline_bare_inserts_s": round(baseline, 3), "movements": result.movements}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--scans", type=int, default=10_000)
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="pos-bench-counting-"))
    load_before = os.getloadavg()
    try:
        from pos_tui.store import close_database

        with timer() as t:
            boss, counter, ids = setup(work / "count.sqlite3", args.products)
        scans = bench_scans(work / "count.sqlite3", counter, boss, ids, args.scans)
        post = bench_post(work / "count.sqlite3", boss, ids)
        close_database()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    result: dict[str, Any] = {
        "products": len(ids),
        "scans": args.scans,
        "setup_s": t["seconds"],
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "scan": scans,
        "post": post,
    }
    result["summary"] = [
        verdict(
            f"one scan into a count (p99 of {args.scans:,})",
            "ms",
            scans["ours"]["p99_ms"],
            baseline=scans["baseline_bare_insert"]["p99_ms"],
            baseline_name="the same event inserted by hand (bare sqlite3, one durable transaction)",
        ),
        verdict(
            f"post a count of {len(ids):,} products",
            "s",
            post["ours_s"],
            baseline=post["baseline_bare_inserts_s"],
            baseline_name="the bare inserts of its lines and movements",
        ),
    ]
    save("counting", result, quiet=args.quiet)


if __name__ == "__main__":
    main()

"""Goods receipt: posting a 1,000-line receipt (mal kabul) from a supplier.

Setup (untimed): ``--products`` generated products (``common.product_rows``) through
``catalog.upsert_products`` into a temporary SQLite file, one supplier and one admin.

Timed, ``--runs`` times each, alternating, p50/p99 reported:

* **ours**: ``receiving.post_receipt`` of ``--lines`` lines (distinct products by code, mixed KDV
  rates, a discount on every fifth line): the products looked up, every line checked, the totals
  per KDV rate, the stock document with its lines, one valued movement per line (moving average
  cost), the caches (product stock, value and cost; stock per location), the last purchase prices,
  the journal entry (whose payload is rebuilt from the tables), all in one transaction; then the
  receipt read back for the screen;
* **baseline**: the same rows written by hand in one transaction with ``executemany`` — the
  document, its lines, the movements, the product caches, the stock levels, the supplier prices and
  a journal row — with the product ids known and nothing checked, valued or read back: the floor
  of what writing these rows costs on this machine.

No target in the issue beyond "benchmark it"; the ratio says what the checking and costing cost.

    python3 -m benchmarks.bench_receiving [--lines 1000] [--products 5000] [--runs 20] [--quiet]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from benchmarks.common import percentiles, product_rows, save, timer, verdict

NOW = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)


def setup(work: Path, products: int) -> tuple[list[tuple[int, str, int]], Any]:
    """The catalogue, a supplier and an admin; returns [(id, code, kdv_rate)] and the admin actor."""
    from argon2 import PasswordHasher

    from pos_tui.core import catalog, staff
    from pos_tui.core.staff import users
    from pos_tui.settings import load_settings
    from pos_tui.store import models as m
    from pos_tui.store import open_database

    users._HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)  # the PIN hash is not measured
    open_database(work / "receiving.sqlite3")
    rows = [
        catalog.ProductInput(
            code=code,
            barcodes=(barcode,),
            name=name,
            unit="piece",  # whole quantities for every line
            price=Decimal(price.replace(",", ".")),
            kdv_rate=int(kdv),
        )
        for code, barcode, name, _unit, price, _cost, kdv, _cat, _sup, _min, _stock in product_rows(products)
    ]
    catalog.upsert_products(rows, now=NOW, kdv_rates=(0, 1, 10, 20))
    m.Supplier.create(code="TOPTAN", name="Toptan Gıda A.Ş.", created_at=NOW.replace(tzinfo=None))
    settings = load_settings({"POS_HOME": str(work), "POS_DB": str(work / "receiving.sqlite3"), "POS_LANG": "en"})
    admin = staff.actor_of(staff.add_user("admin", "admin", "9999", now=NOW), settings)
    P = m.Product
    found = [(pid, code, rate) for pid, code, rate in P.select(P.id, P.code, P.kdv_rate).order_by(P.id).tuples()]
    return found, admin


def receipt_lines(products: list[tuple[int, str, int]], lines: int, rng: random.Random) -> list[tuple[Any, ...]]:
    """``lines`` distinct products: (id, code, kdv_rate, qty milli, unit cost kuruş, discount kuruş)."""
    chosen = rng.sample(products, lines)
    out = []
    for i, (pid, code, rate) in enumerate(chosen):
        qty = rng.randint(1, 48) * 1000
        cost = rng.randint(100, 50_000)
        discount = (qty // 1000 * cost) // 20 if i % 5 == 0 else 0
        out.append((pid, code, rate, qty, cost, discount))
    return out


def ours(lines: list[tuple[Any, ...]], admin: Any, number: int) -> float:
    from pos_tui.core.stock import receiving

    receipt = receiving.ReceiptInput(
        supplier="TOPTAN",
        document=f"IRS-{number}",
        lines=[
            receiving.ReceiptLineInput(code, qty, Decimal(cost) / 100, Decimal(discount) / 100)
            for _pid, code, _rate, qty, cost, discount in lines
        ],
    )
    t = time.perf_counter()
    receiving.post_receipt(
        receipt, actor=admin, now=NOW + timedelta(seconds=number), terminal="B1", kdv_rates=(0, 1, 10, 20)
    )
    return time.perf_counter() - t


def baseline(lines: list[tuple[Any, ...]], admin: Any, number: int) -> float:
    """The same rows by hand: executemany in one transaction, nothing checked or computed beyond the net."""
    from pos_tui.store import database, write_tx

    at = (NOW + timedelta(seconds=number)).replace(tzinfo=None)
    t = time.perf_counter()
    with write_tx():
        cur = database.cursor()
        cur.execute(
            "INSERT INTO stock_document (kind, number, at, posted_at, terminal, user_id, location_id, supplier_id, "
            "supplier_doc, data) VALUES ('receipt', ?, ?, ?, 'B1', ?, 1, 1, ?, '{}')",
            (1_000_000 + number, at, at, admin.user_id, f"BASE-{number}"),
        )
        doc = cur.lastrowid
        nets = [((qty * cost + 500) // 1000) - discount for _p, _c, _r, qty, cost, discount in lines]
        cur.executemany(
            "INSERT INTO stock_document_line (document_id, line_no, product_id, qty, unit_cost, discount, net, "
            "kdv_rate, kdv) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0)",
            [(doc, i, ln[0], ln[3], ln[4], ln[5], nets[i - 1], ln[2]) for i, ln in enumerate(lines, start=1)],
        )
        cur.executemany(
            "INSERT INTO stock_movement (product_id, at, qty, kind, location_id, unit_cost, value, document_id, "
            "terminal, user_id) VALUES (?, ?, ?, 'receipt', 1, ?, ?, ?, 'B1', ?)",
            [(ln[0], at, ln[3], ln[4], nets[i], doc, admin.user_id) for i, ln in enumerate(lines)],
        )
        cur.executemany(
            "UPDATE product SET stock = stock + ?, stock_value = stock_value + ?, cost = ? WHERE id = ?",
            [(ln[3], nets[i], ln[4], ln[0]) for i, ln in enumerate(lines)],
        )
        cur.executemany(
            "INSERT INTO stock_level (product_id, location_id, qty) VALUES (?, 1, ?) "
            "ON CONFLICT (product_id, location_id) DO UPDATE SET qty = stock_level.qty + excluded.qty",
            [(ln[0], ln[3]) for ln in lines],
        )
        cur.executemany(
            "INSERT INTO supplier_price (supplier_id, product_id, unit_cost, at, document_id) VALUES (1, ?, ?, ?, ?) "
            "ON CONFLICT (supplier_id, product_id) DO UPDATE SET unit_cost = excluded.unit_cost, at = excluded.at, "
            "document_id = excluded.document_id",
            [(ln[0], ln[4], at, doc) for ln in lines],
        )
        cur.execute(
            "INSERT INTO journal_entry (at, terminal, kind, ref, payload, prev_hash, hash) "
            "VALUES (?, 'B1', 'bench', NULL, '{}', '', ?)",
            (at, f"bench-{number}-{os.getpid()}"),
        )
    return time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--lines", type=int, default=1000)
    parser.add_argument("--products", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="pos-bench-receiving-"))
    rng = random.Random(12)
    try:
        from pos_tui.store import close_database

        with timer() as t:
            products, admin = setup(work, max(args.products, args.lines))
        number = 0
        for _ in range(args.warmup):
            number += 1
            ours(receipt_lines(products, args.lines, rng), admin, number)
            baseline(receipt_lines(products, args.lines, rng), admin, number)
        ours_s: list[float] = []
        base_s: list[float] = []
        for _ in range(args.runs):
            number += 1
            ours_s.append(ours(receipt_lines(products, args.lines, rng), admin, number))
            base_s.append(baseline(receipt_lines(products, args.lines, rng), admin, number))
        close_database()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    ours_p, base_p = percentiles(ours_s), percentiles(base_s)
    result: dict[str, Any] = {
        "lines": args.lines,
        "products": len(products),
        "runs": args.runs,
        "setup_s": t["seconds"],
        "ours": ours_p,
        "baseline_executemany": base_p,
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
    result["summary"] = [
        verdict(
            f"post a {args.lines:,}-line goods receipt (p50)",
            "ms",
            ours_p["p50_ms"],
            baseline=base_p["p50_ms"],
            baseline_name="the same rows by hand (executemany, one transaction)",
        ),
        verdict(
            f"post a {args.lines:,}-line goods receipt (p99)",
            "ms",
            ours_p["p99_ms"],
            baseline=base_p["p99_ms"],
            baseline_name="the same rows by hand (executemany, one transaction)",
        ),
    ]
    save("receiving", result, quiet=args.quiet)


if __name__ == "__main__":
    main()

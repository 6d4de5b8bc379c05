"""The stock card of a product with 1,000,000 movements (issue 12).

The database is built once with bulk inserts through Python's ``sqlite3`` (one product with
``--movements`` movements over about two years: mostly sales, each with its ``sale`` row, a
goods receipt every hundred movements with its ``stock_document``, now and then an adjustment;
plus ``--noise`` movements of 1,000 other products interleaved, so the index has to find the
product's rows) and kept as ``results/stock_card_N_vV.sqlite3`` for the next run.

Measured, each as a fresh process from spawn to exit, ``--runs`` times (median reported), with
the time to the first movement on stdout:

- ``pos-admin stock card CODE --json --from … --to …`` for one month (about 40,000 rows), and
- ``pos-admin stock card CODE --json`` for the whole history,

against the baseline: the same SQL run by hand with the ``sqlite3`` shell (``-json``): the
opening ``SUM`` over the ``(product, at)`` index, then the rows joined to their sale and stock
document in ``(at, id)`` order with the running balance as a window ``SUM``. Also recorded: the
peak resident memory of our process (the card is streamed: it must not grow with the history)
and the table output (the last 100 movements) for the whole history.

    python3 -m benchmarks.bench_stock_card [--movements 1000000] [--runs 3] [--quick]
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from benchmarks.common import RESULTS, save, verdict

GENERATOR_VERSION = 1
CODE = "777001"
START = datetime(2025, 1, 1, 6, 0)  # naive UTC, as stored
MONTH = ("2026-03-01", "2026-03-31")  # a month inside the generated history


def _stored(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S")


def build(path: Path, movements: int, noise: int) -> None:
    """Make the database: schema (pos_tui's own migrations), products, then bulk rows."""
    from pos_tui.core import catalog, stock
    from pos_tui.core.kernel import utcnow
    from pos_tui.settings import load_settings
    from pos_tui.store import close_database, open_database
    from pos_tui.store import models as m

    for f in path.parent.glob(path.name + "*"):
        f.unlink()
    partial = path.with_name(path.name + ".building")
    for f in partial.parent.glob(partial.name + "*"):
        f.unlink()
    open_database(partial)
    now = utcnow()
    settings = load_settings({"POS_DB": str(partial), "POS_HOME": str(partial.parent)})
    rows = [catalog.ProductInput(code=CODE, name="Pınar Süt 1 L", price=Decimal("32.50"), kdv_rate=1)]
    rows += [
        catalog.ProductInput(code=str(800000 + i), name=f"Ürün {i}", price=Decimal("10.00"), kdv_rate=20)
        for i in range(1000)
    ]
    catalog.upsert_products(rows, now=now, kdv_rates=settings.kdv_rates)
    user = m.User.create(name="bench", role="admin", pin_tag="bench", pin_hash="x", created_at=now.replace(tzinfo=None))
    location = stock.location_id("MAGAZA")
    ids = {p.code: p.id for p in m.Product.select(m.Product.id, m.Product.code)}
    target = ids[CODE]
    others = [ids[str(800000 + i)] for i in range(1000)]
    close_database()

    rnd = random.Random(12)
    con = sqlite3.connect(partial)
    con.execute("PRAGMA journal_mode=wal")
    con.execute("PRAGMA synchronous=off")
    total = movements + noise
    step = timedelta(seconds=2 * 365 * 24 * 3600 / max(total, 1))
    qty = 0
    sales: list[tuple[Any, ...]] = []
    docs: list[tuple[Any, ...]] = []
    moves: list[tuple[Any, ...]] = []
    sale_id = doc_id = receipt_no = number = 0
    cols = "product_id, at, qty, kind, sale_id, location_id, unit_cost, value, reason, document_id, terminal, user_id"
    noise_every = total / noise if noise else 0.0
    next_noise = noise_every
    mine = 0

    def flush() -> None:
        con.executemany(
            "INSERT INTO sale (id, uid, kind, terminal, receipt_no, at, cashier_id, subtotal, discount, total, source)"
            " VALUES (?, ?, 'sale', 'T1', ?, ?, ?, 3250, 0, 3250, 'till')",
            sales,
        )
        con.executemany(
            "INSERT INTO stock_document (id, kind, number, at, posted_at, terminal, user_id, location_id, data)"
            " VALUES (?, ?, ?, ?, ?, 'T1', ?, ?, '{}')",
            docs,
        )
        con.executemany(f"INSERT INTO stock_movement ({cols}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", moves)
        sales.clear()
        docs.clear()
        moves.clear()

    con.execute("BEGIN")
    for i in range(total):
        at = _stored(START + step * i)
        if noise and i >= next_noise:
            next_noise += noise_every
            moves.append((rnd.choice(others), at, -1000, "sale", None, location, 700, -700, None, None, "T2", user.id))
            continue
        mine += 1
        if mine % 100 == 1:
            doc_id += 1
            number += 1
            docs.append((doc_id, "receipt", number, at, at, user.id, location))
            moves.append((target, at, 120_000, "receipt", None, location, 2200, 264_000, None, doc_id, "T1", user.id))
            qty += 120_000
        elif mine % 997 == 0:
            doc_id += 1
            docs.append((doc_id, "adjustment", doc_id, at, at, user.id, location))
            moves.append((target, at, -1000, "adjust", None, location, 2200, -2200, "damage", doc_id, "T1", user.id))
            qty -= 1000
        else:
            sale_id += 1
            receipt_no += 1
            sales.append((sale_id, f"bench-{sale_id}", receipt_no, at, user.id))
            moves.append((target, at, -1000, "sale", sale_id, location, 2200, -2200, None, None, "T1", user.id))
            qty -= 1000
        if len(moves) >= 50_000:
            flush()
    flush()
    con.execute(
        "UPDATE product SET stock = ?, cost = 2200, stock_value = ? WHERE id = ?", (qty, max(qty, 0) * 22 // 10, target)
    )
    con.execute(
        "INSERT INTO stock_level (product_id, location_id, qty) VALUES (?, ?, ?)"
        " ON CONFLICT (product_id, location_id) DO UPDATE SET qty = excluded.qty",
        (target, location, qty),
    )
    con.execute("COMMIT")
    con.execute("ANALYZE")
    con.close()
    for suffix in ("", "-wal", "-shm"):
        src = Path(str(partial) + suffix)
        if src.exists():
            src.replace(Path(str(path) + suffix))


def baseline_sql(first: str | None, last: str | None) -> str:
    """The card's SQL by hand: the opening SUM, then the rows with a running balance."""
    start = f"'{first} 00:00:00'" if first else None
    end = f"date('{last}', '+1 day')" if last else None
    window = " AND ".join(x for x in (f"m.at >= {start}" if start else "", f"m.at < {end}" if end else "") if x)
    product = f"(SELECT id FROM product WHERE code = '{CODE}')"
    opening = (
        f"(SELECT COALESCE(SUM(qty), 0) FROM stock_movement WHERE product_id = {product} AND at < {start})"
        if start
        else "0"
    )
    return (
        f"SELECT {opening} AS opening;\n"
        "SELECT m.at, m.kind,"
        " COALESCE(s.terminal || '-' || s.receipt_no, d.kind || ' ' || d.number, m.kind) AS document,"
        " MAX(m.qty, 0) AS qty_in, MAX(-m.qty, 0) AS qty_out,"
        f" {opening} + SUM(m.qty) OVER (ORDER BY m.at, m.id) AS balance, m.unit_cost"
        " FROM stock_movement m LEFT JOIN sale s ON s.id = m.sale_id"
        " LEFT JOIN stock_document d ON d.id = m.document_id"
        f" WHERE m.product_id = {product}{' AND ' + window if window else ''} ORDER BY m.at, m.id;\n"
    )


def timed(command: list[str], env: dict[str, str], marker: bytes, stdin: str | None = None) -> dict[str, Any]:
    """Run ``command``; seconds to the first line holding ``marker`` and to exit, lines, bytes."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(command, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdin is not None and proc.stdout is not None
    if stdin is not None:
        proc.stdin.write(stdin.encode())
    proc.stdin.close()
    first = None
    lines = size = 0
    for line in proc.stdout:
        if first is None and marker in line:
            first = time.perf_counter() - t0
        lines += 1
        size += len(line)
    err = proc.stderr.read() if proc.stderr else b""
    code = proc.wait()
    total = time.perf_counter() - t0
    if code != 0:
        raise SystemExit(f"{command[:6]} failed ({code}): {err.decode()[-2000:]}")
    return {
        "first_s": round(first if first is not None else total, 4),
        "total_s": round(total, 4),
        "lines": lines,
        "bytes": size,
    }


def median_of(runs: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "first_s": round(statistics.median(r["first_s"] for r in runs), 4),
        "total_s": round(statistics.median(r["total_s"] for r in runs), 4),
        "lines": runs[0]["lines"],
        "bytes": runs[0]["bytes"],
        "runs": [[r["first_s"], r["total_s"]] for r in runs],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--movements", type=int, default=1_000_000)
    parser.add_argument("--noise", type=int, default=None, help="movements of other products (default: a fifth)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="20,000 movements, one run: a smoke run")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.movements, args.runs = 20_000, 1
    noise = args.movements // 5 if args.noise is None else args.noise
    db = RESULTS / f"stock_card_{args.movements}_{noise}_v{GENERATOR_VERSION}.sqlite3"
    built = None
    if not db.is_file():
        RESULTS.mkdir(parents=True, exist_ok=True)
        t = time.perf_counter()
        build(db, args.movements, noise)
        built = round(time.perf_counter() - t, 1)
    env = {**os.environ, "POS_DB": str(db), "POS_HOME": str(db.parent), "POS_LANG": "tr"}
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(Path(__file__).resolve().parent.parent), env.get("PYTHONPATH")) if p
    )
    ours = [sys.executable, "-m", "pos_tui.cli.app", "stock", "card", CODE]
    shell = ["sqlite3", "-json", str(db)]
    cases = {"month": ["--from", MONTH[0], "--to", MONTH[1]], "whole": []}
    # first, alone: our peak memory over the whole history (and the file into the page cache)
    alone = timed([*ours, "--json"], env, b'"at"')
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    results: dict[str, Any] = {}
    for name, window in cases.items():
        mine, theirs = [], []
        for _run in range(args.runs):  # alternate, so drift hits both alike
            mine.append(timed([*ours, *window, "--json"], env, b'"at"'))
            sql = baseline_sql(MONTH[0], MONTH[1]) if window else baseline_sql(None, None)
            theirs.append(timed(shell, env, b'"at"', stdin=sql))
        results[name] = {"ours": median_of(mine), "baseline": median_of(theirs)}
    table = timed([*ours], env, b"\xe2\x94\x82")  # the table's first row (its │ border)
    counted = (
        sqlite3.connect(db)
        .execute(
            "SELECT COUNT(*) FROM stock_movement m JOIN product p ON p.id = m.product_id WHERE p.code = ?", (CODE,)
        )
        .fetchone()[0]
    )
    summary = []
    for name, label in (("month", "a month"), ("whole", "the whole history")):
        ours_r, base_r = results[name]["ours"], results[name]["baseline"]
        summary.append(
            verdict(
                f"stock card --json, {label}: total",
                "s",
                ours_r["total_s"],
                baseline=base_r["total_s"],
                baseline_name="the same SQL in the sqlite3 shell",
            )
        )
        summary.append(
            verdict(
                f"stock card --json, {label}: first row",
                "s",
                ours_r["first_s"],
                baseline=base_r["first_s"],
                baseline_name="the same SQL in the sqlite3 shell",
            )
        )
    summary.append(verdict("stock card table (last 100 of the whole history)", "s", table["total_s"]))
    save(
        "stock_card",
        {
            "movements": counted,
            "movements_asked": args.movements,
            "first_whole_run": alone,
            "noise_movements": noise,
            "database": str(db),
            "built_seconds": built,
            "month": MONTH,
            "results": results,
            "table": table,
            "peak_rss_mb_ours_whole_history": round(rss, 1),
            "summary": summary,
        },
        quiet=args.quiet,
    )


if __name__ == "__main__":
    main()

"""Sync: a new terminal pulls a 1,000,000-product catalogue (products + one barcode each) from
the central PostgreSQL.

Setup (untimed): a new PostgreSQL database on the server at ``POS_BENCH_PG_URL`` (or
``POS_TEST_PG_URL``) with pos_tui's schema 11, the generated catalogue of
:func:`benchmarks.common.product_rows` (realistic Turkish names, nine categories, four suppliers)
loaded with ``COPY … FROM STDIN`` — the revision triggers number every row as the catalogue's
own import would.

Timed, in the same run, on the same data:

* **ours**: ``sync.join`` of a new SQLite terminal — registering it at the centre and the first
  full pull (one REPEATABLE READ snapshot, batches of 5,000 by revision, references written as
  natural keys and translated back to local ids, each batch and its mark one durable local
  transaction), into a database with the till's whole schema (name index, capture triggers);
* **baseline**: the same rows read with a plain ``COPY (SELECT …) TO STDOUT`` at the centre and
  inserted into an equally new pos_tui SQLite file with ``executemany``, ids copied as they are
  (nothing to translate), one transaction;
* **again**: a second pull with nothing new (what the till's worker does every few seconds).

No target: issue 15 names none for the pull. The load average is recorded before and after.

    python3 -m benchmarks.bench_sync_pull [--products 1000000] [--quick] [--quiet]
    POS_BENCH_PULL_PRODUCTS=20000 python3 -m benchmarks.bench_sync_pull    # a quick check
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.common import CATEGORIES, SUPPLIERS, product_rows, save, verdict

CHUNK = 100_000  # rows per COPY at setup


def _server() -> str:
    url = os.environ.get("POS_BENCH_PG_URL") or os.environ.get("POS_TEST_PG_URL")
    if not url:
        raise SystemExit("set POS_BENCH_PG_URL (or POS_TEST_PG_URL) to a PostgreSQL server URL")
    return url


def _admin(server: str) -> Any:
    import psycopg2

    conn = psycopg2.connect(server)
    conn.autocommit = True
    return conn


def _kurus(text: str) -> int:
    whole, _comma, cents = text.partition(",")
    return int(whole) * 100 + int(cents or 0)


def load_centre(url: str, products: int) -> None:
    """The centre's catalogue: categories, suppliers, ``products`` products with one barcode each."""
    import psycopg2

    from pos_tui.store import close_database, open_database
    from pos_tui.text import search_key

    open_database(url)  # schema 11 and the revision triggers
    close_database()
    now = datetime.now(UTC).replace(tzinfo=None)
    conn = psycopg2.connect(url)
    try:
        cur = conn.cursor()
        for name in CATEGORIES:
            cur.execute("INSERT INTO category (name) VALUES (%s)", (name,))
        for n, name in enumerate(sorted({s for s in SUPPLIERS if s})):
            cur.execute(
                "INSERT INTO supplier (code, name, created_at) VALUES (%s, %s, %s)", (f"TED{n + 1:02d}", name, now)
            )
        cur.execute("SELECT name, id FROM category")
        categories = dict(cur.fetchall())
        cur.execute("SELECT name, id FROM supplier")
        suppliers = dict(cur.fetchall())
        conn.commit()
        columns = (
            "code, name, name_key, unit, price, cost, kdv_rate, category_id, supplier_id, min_stock, stock, "
            "active, updated_at, stock_value"
        )
        rows = product_rows(products)
        stamp = now.isoformat(" ")
        while True:
            chunk = [next(rows, None) for _ in range(CHUNK)]
            chunk = [r for r in chunk if r is not None]
            if not chunk:
                break
            products_text, barcodes_text = io.StringIO(), io.StringIO()
            for code, barcode, name, unit, price, cost, kdv, category, supplier, _min, _stock in chunk:
                supplier_id = suppliers.get(supplier, r"\N") if supplier else r"\N"
                products_text.write(
                    f"{code}\t{name}\t{search_key(name)}\t{unit}\t{_kurus(price)}\t{_kurus(cost)}\t{kdv}\t"
                    f"{categories[category]}\t{supplier_id}\t0\t0\tt\t{stamp}\t0\n"
                )
                barcodes_text.write(f"{barcode}\t{code}\n")
            products_text.seek(0)
            cur.copy_expert(f"COPY product ({columns}) FROM STDIN", products_text)
            cur.execute("CREATE TEMP TABLE IF NOT EXISTS bench_barcode (code text, product_code text)")
            cur.execute("TRUNCATE bench_barcode")
            barcodes_text.seek(0)
            cur.copy_expert("COPY bench_barcode FROM STDIN", barcodes_text)
            cur.execute(
                "INSERT INTO barcode (code, product_id) SELECT b.code, p.id FROM bench_barcode b "
                "JOIN product p ON p.code = b.product_code"
            )
            conn.commit()
        cur.execute("ANALYZE")
        conn.commit()
    finally:
        conn.close()


class _Rows:
    """A file ``COPY … TO STDOUT`` writes into: complete lines become rows (text format: tabs,
    ``\\N`` for NULL), inserted with ``executemany`` every :data:`BASELINE_BATCH` rows, so the
    baseline streams as the pull does instead of holding the catalogue in memory."""

    def __init__(self, db: sqlite3.Connection, table: str, columns: str) -> None:
        marks = ", ".join("?" * len(columns.split(",")))
        self.db, self.sql = db, f'INSERT INTO "{table}" ({columns}) VALUES ({marks})'
        self.rest: bytes = b""
        self.rows: list[tuple[Any, ...]] = []

    def write(self, data: bytes) -> None:
        lines = (self.rest + data).split(b"\n")  # whole lines only: a UTF-8 letter may straddle two writes
        self.rest = lines.pop()
        for line in lines:
            self.rows.append(tuple(None if v == r"\N" else v for v in line.decode("utf-8").split("\t")))
        if len(self.rows) >= BASELINE_BATCH:
            self.flush()

    def flush(self) -> None:
        self.db.executemany(self.sql, self.rows)
        self.rows = []


BASELINE = {
    "category": ("id, name, revision", "SELECT id, name, revision FROM category"),
    "supplier": ("id, code, name, created_at, revision", "SELECT id, code, name, created_at, revision FROM supplier"),
    "product": (
        "id, code, name, name_key, unit, price, cost, kdv_rate, category_id, supplier_id, min_stock, stock, "
        "active, updated_at, stock_value, revision",
        "SELECT id, code, name, name_key, unit, price, 0, kdv_rate, category_id, supplier_id, min_stock, "
        "0, CASE WHEN active THEN 1 ELSE 0 END, updated_at, 0, revision FROM product",
    ),
    "barcode": ("code, product_id, revision", "SELECT code, product_id, revision FROM barcode"),
}
BASELINE_BATCH = 5000


def baseline(url: str, path: Path) -> dict[str, Any]:
    """The same rows with a plain COPY at the centre and executemany into a new pos_tui file."""
    import psycopg2

    from pos_tui.store import close_database, open_database

    open_database(path)  # the same schema, name index and triggers as the terminal's
    close_database()
    started = time.perf_counter()
    conn = psycopg2.connect(url)
    db = sqlite3.connect(path, isolation_level=None)
    try:
        db.execute("PRAGMA journal_mode = wal")
        db.execute("PRAGMA synchronous = full")
        db.execute("PRAGMA foreign_keys = 1")
        db.execute("BEGIN IMMEDIATE")
        for table, (columns, select) in BASELINE.items():
            sink = _Rows(db, table, columns)
            conn.cursor().copy_expert(f"COPY ({select}) TO STDOUT", sink)
            sink.flush()
        db.execute("COMMIT")
        seconds = time.perf_counter() - started
        written = {t: db.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in ("product", "barcode")}
    finally:
        db.close()
        conn.close()
    return {"seconds": round(seconds, 3), "rows": written}


def run(products: int) -> dict[str, Any]:
    from pos_tui.core.sync import connection, join, pull
    from pos_tui.settings import load_settings
    from pos_tui.store import close_database, open_database

    server = _server()
    name = f"pos_bench_pull_{uuid.uuid4().hex[:10]}"
    admin = _admin(server)
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    url = server.rsplit("/", 1)[0] + "/" + name
    load_before = os.getloadavg()
    try:
        started = time.perf_counter()
        # in a process of its own: the generator's memory must not count as the pull's
        subprocess.run(
            [sys.executable, "-m", "benchmarks.bench_sync_pull", "--load-centre", url, "--products", str(products)],
            check=True,
        )
        setup = time.perf_counter() - started
        with tempfile.TemporaryDirectory() as tmp:
            terminal = Path(tmp) / "terminal.sqlite3"
            open_database(terminal)
            settings = load_settings({"POS_DB": str(terminal), "POS_HOME": tmp})
            now = datetime.now(UTC)
            t = time.perf_counter()
            joined = join(url, "T2", "S1", now, settings)
            ours = time.perf_counter() - t
            rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            t = time.perf_counter()
            again = pull(now)
            nothing = time.perf_counter() - t
            close_database()
            connection.forget()
            size_ours = terminal.stat().st_size
            check = sqlite3.connect(terminal)
            pulled = {t: check.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in ("product", "barcode")}
            check.close()
            base = baseline(url, Path(tmp) / "baseline.sqlite3")
            if base["rows"] != pulled:
                raise SystemExit(f"the baseline wrote {base['rows']} but the pull {pulled}")
    finally:
        connection_forget()
        admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
    rows = products * 2
    return {
        "sizes": {"products": products, "barcodes": products, "rows_pulled": joined.rows},
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "setup_seconds": round(setup, 1),
        "ours": {"seconds": round(ours, 3), "rows_per_second": round(rows / ours), "peak_rss_mb": round(rss_mb, 1)},
        "again": {"seconds": round(nothing, 3), "rows": sum(again.rows.values())},
        "baseline": base,
        "terminal_file_mb": round(size_ours / 1e6, 1),
        "summary": [
            verdict(
                f"join a new terminal: pull {products:,} products + {products:,} barcodes",
                "s",
                round(ours, 2),
                baseline=base["seconds"],
                baseline_name="COPY TO STDOUT at the centre streamed into SQLite with executemany, one transaction",
            ),
            verdict(f"pull with nothing new, {products:,} products", "ms", round(nothing * 1000, 1)),
            verdict(f"join a new terminal, {products:,} products: peak resident memory", "MB", round(rss_mb, 1)),
        ],
    }


def connection_forget() -> None:
    from pos_tui.core.sync import connection

    connection.forget()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    default = int(os.environ.get("POS_BENCH_PULL_PRODUCTS", "1000000"))
    parser.add_argument("--products", type=int, default=default)
    parser.add_argument("--quick", action="store_true", help="2,000 products: a smoke run")
    parser.add_argument("--quiet", action="store_true")
    parser.add_argument("--load-centre", metavar="URL", help=argparse.SUPPRESS)  # the setup's child process
    args = parser.parse_args()
    if args.quick:
        args.products = 2000
    if args.load_centre:
        load_centre(args.load_centre, args.products)
        return
    save("sync_pull", run(args.products), quiet=args.quiet)


if __name__ == "__main__":
    main()

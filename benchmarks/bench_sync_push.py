"""Pushing a terminal's offline sales to the centre: ``sync.push`` against a ``COPY`` of the same
rows into the same tables (issue 15: ≤ 5×).

A terminal (SQLite, a catalogue of ``--products`` imported through the core, a cashier) sells
``--sales`` sales of 5 lines each (``till.complete_sale`` paid in cash) while it cannot reach the
centre; each sale is one outbox record (its journal entry, 5 stock movements). What the setup
itself posted (the user, the import's opening stock) is marked as already received, so the push
carries exactly the sales.

Each run starts from a copy of that terminal file and a fresh central database (pos_tui's schema,
from a template, the terminal registered):

- *ours*: ``sync.push(now, batch=--batch, url=…)``, in process: the bodies built from the outbox,
  sent in batches of 500, each received in one central transaction (documents ``ON CONFLICT DO
  NOTHING``, sequence and chain checks, ledger rows, balances, high-water mark);
- *baseline*: the same ``sync_document`` rows (bodies included) and ``sync_ledger`` rows, dumped
  from ours afterwards (not timed), loaded into a fresh database of the same schema with ``COPY
  … FROM STDIN``, both tables in one transaction.

The runs alternate (push, COPY, push, COPY, …); the figures are medians. Also measured: the
documents and ledger rows per second, the same number of sales pushed by ``--terminals``
terminals at once (each its own process, one centre), the centre's size per 10,000 sales (tables
and indexes), and ``pos-admin sync push --json`` as a fresh process with the bytecode cache present and
absent (the whole command: start-up, the push, the answer).

The server is one of the benchmark's own (``fsync`` on) when the PostgreSQL binaries are
installed, else ``POS_BENCH_PG_URL`` / ``POS_TEST_PG_URL`` (``--server`` names one).

    python3 -m benchmarks.bench_sync_push [--sales 10000] [--runs 3] [--batch 500] [--server URL]
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks import pg_server
from benchmarks.bench_cli import env_for, source_copy
from benchmarks.common import percentiles, products_csv, save, verdict

LINES = 5
TERMINAL, STORE = "T1", "S1"
START = datetime(2026, 12, 1, 7, 0, tzinfo=UTC)


def make_terminal(work: Path, products: int, sales: int, terminal: str = TERMINAL) -> tuple[Path, dict[str, Any]]:
    """The file of ``terminal`` with ``sales`` unsent sales; returns it and the setup's facts."""
    from pos_tui.core import catalog, interchange, staff
    from pos_tui.core.basket import Cart, PaymentInput
    from pos_tui.core.till import complete_sale
    from pos_tui.settings import load_settings
    from pos_tui.store import close_database, database, open_database

    path = work / f"terminal-{terminal}.sqlite3"
    settings = load_settings({"POS_DB": str(path), "POS_HOME": str(work), "POS_TERMINAL": terminal})
    open_database(path)
    interchange.import_products(products_csv(products), now=START, settings=settings)
    info = staff.add_user("kasiyer", "cashier", "4821", now=START, settings=settings)
    actor = staff.actor_of(info, settings)
    setup_seq, setup_hash = database.execute_sql(
        "SELECT seq, hash FROM sync_outbox ORDER BY seq DESC LIMIT 1"
    ).fetchone()
    codes = [c for (c,) in database.execute_sql("SELECT code FROM product WHERE unit = 'piece' ORDER BY id").fetchall()]
    rnd = random.Random(15)
    # Generating the sales is not what is measured: no fsync per sale here.
    database.execute_sql("PRAGMA synchronous = OFF")
    t = time.perf_counter()
    for i in range(sales):
        cart = Cart()
        for code in rnd.sample(codes, LINES):
            cart = cart.add_product(catalog.get_product(code), 1000)
        at = START + timedelta(seconds=20 * (i + 1))
        complete_sale(terminal, actor, [PaymentInput("cash", cart.totals().total)], now=at, cart=cart)
    generated = time.perf_counter() - t
    close_database()
    return path, {
        "terminal": terminal,
        "setup_seq": int(setup_seq),
        "setup_hash": setup_hash,
        "generate_s": round(generated, 1),
        "end": START + timedelta(seconds=20 * (sales + 1)),
    }


def _admin(url: str) -> Any:
    import psycopg2

    conn = psycopg2.connect(url)
    conn.autocommit = True
    return conn


def _one(url: str, sql: str, params: tuple[Any, ...] = ()) -> Any:
    conn = _admin(url)
    try:
        cur = conn.cursor()
        cur.execute(sql, params)
        return cur.fetchone()
    finally:
        conn.close()


def new_centre(server: str, template: str, *terminals: dict[str, Any]) -> str:
    """A fresh centre (the template's schema) that knows each terminal up to its setup's records."""
    name = f"pos_bench_push_{os.urandom(5).hex()}"
    conn = _admin(server)
    try:
        conn.cursor().execute(f'CREATE DATABASE "{name}" TEMPLATE "{template.rsplit("/", 1)[1]}"')
    finally:
        conn.close()
    url = server.rsplit("/", 1)[0] + "/" + name
    for facts in terminals:
        _one(
            url,
            "INSERT INTO sync_terminal (terminal, store, high_water, head_hash, joined_at) "
            "VALUES (%s, %s, %s, %s, %s) RETURNING terminal",
            (facts["terminal"], STORE, facts["setup_seq"], facts["setup_hash"], START.replace(tzinfo=None)),
        )
    return url


def terminal_copy(source: Path, work: Path, name: str, central: str, facts: dict[str, Any]) -> Path:
    """A copy of the terminal file joined to ``central`` (identity written as ``sync init`` does)."""
    path = work / f"{name}.sqlite3"
    shutil.copyfile(source, path)
    with sqlite3.connect(path) as conn:
        for key, value in (
            ("terminal", facts["terminal"]),
            ("store", STORE),
            ("central", central),
            ("high_water", str(facts["setup_seq"])),
        ):
            conn.execute(
                "INSERT INTO meta_entry (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (f"sync_{key}", value),
            )
    return path


def push_once(path: Path, central: str, batch: int, now: datetime) -> tuple[float, Any]:
    from pos_tui.core import sync
    from pos_tui.core.sync import connection
    from pos_tui.store import close_database, open_database

    open_database(path)
    gc.collect()
    try:
        t = time.perf_counter()
        result = sync.push(now, batch=batch, url=central)
        took = time.perf_counter() - t
    finally:
        connection.forget()
        close_database()
    return took, result


def dump(central: str) -> dict[str, bytes]:
    """The rows the push wrote, as ``COPY … TO STDOUT`` text (not timed)."""
    conn = _admin(central)
    out = {}
    try:
        cur = conn.cursor()
        for table in ("sync_document", "sync_ledger"):
            buf = io.BytesIO()
            cur.copy_expert(f"COPY {table} TO STDOUT", buf)
            out[table] = buf.getvalue()
    finally:
        conn.close()
    return out


def copy_in(url: str, rows: dict[str, bytes]) -> float:
    """The baseline: the same rows into the same tables with COPY, in one transaction."""
    import psycopg2

    conn = psycopg2.connect(url)
    try:
        cur = conn.cursor()
        t = time.perf_counter()
        for table in ("sync_document", "sync_ledger"):
            cur.copy_expert(f"COPY {table} FROM STDIN", io.BytesIO(rows[table]))
        conn.commit()
        return time.perf_counter() - t
    finally:
        conn.close()


def sizes(central: str) -> dict[str, int]:
    conn = _admin(central)
    try:
        cur = conn.cursor()
        out = {}
        for table in ("sync_document", "sync_ledger", "sync_balance"):
            cur.execute("SELECT pg_total_relation_size(%s), pg_relation_size(%s)", (table, table))
            total, heap = cur.fetchone()
            out[f"{table}_total_bytes"] = int(total)
            out[f"{table}_heap_bytes"] = int(heap)
        cur.execute("SELECT COALESCE(SUM(length(body)), 0), COUNT(*) FROM sync_document")
        body, docs = cur.fetchone()
        out["body_bytes"] = int(body)
        out["documents"] = int(docs)
        return out
    finally:
        conn.close()


PUSH_ONE = """
import json, sys, time
from datetime import datetime
from pos_tui.core import sync
from pos_tui.core.sync import pushing
from pos_tui.store import open_database
open_database(sys.argv[1])
print("ready", flush=True)
sys.stdin.readline()
start = time.time()
result = sync.push(datetime.fromisoformat(sys.argv[3]), batch=int(sys.argv[4]), url=sys.argv[2])
print(json.dumps({"start": start, "end": time.time(), "inserted": result.inserted}), flush=True)
"""


def push_together(paths: list[Path], central: str, batch: int, now: datetime) -> tuple[float, int]:
    """Several terminals pushing to one centre at the same moment, each in its own process: the
    seconds from the first push's start to the last one's end, and the documents inserted."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", PUSH_ONE, str(path), central, now.isoformat(), str(batch)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for path in paths
    ]
    for proc in procs:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    answers = []
    for proc in procs:
        out, _err = proc.communicate(timeout=900)
        if proc.returncode != 0:
            raise SystemExit(f"a concurrent push failed: {out[-2000:]}")
        answers.append(json.loads(out.strip().splitlines()[-1]))
    took = max(a["end"] for a in answers) - min(a["start"] for a in answers)
    return took, sum(a["inserted"] for a in answers)


def cli_push(root: Path, path: Path, *, cache: bool) -> float:
    env = env_for(root, path, cache=cache)
    command = [sys.executable, "-m", "pos_tui.cli.app", "--db", str(path), "sync", "push", "--json"]
    t = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    took = time.perf_counter() - t
    if done.returncode != 0:
        raise SystemExit(f"sync push failed ({done.returncode}): {done.stderr[-3000:]}")
    json.loads(done.stdout)
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sales", type=int, default=10_000)
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--server", help="a PostgreSQL URL to create databases on (default: a server of our own)")
    parser.add_argument("--no-cli", action="store_true", help="skip the pos-admin runs")
    parser.add_argument(
        "--terminals", type=int, default=4, help="also push the same number of sales from this many terminals at once"
    )
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="pos-bench-sync-push-"))
    made: list[str] = []
    try:
        with pg_server.server(args.server) as srv:
            server = srv["url"]
            template = pg_server.create_database(server, "pos_bench_tpl")
            made.append(template)
            source, facts = make_terminal(work, args.products, args.sales)
            now = facts["end"] + timedelta(minutes=5)
            expected_docs, expected_rows = args.sales, args.sales * LINES

            push_s: list[float] = []
            copy_s: list[float] = []
            size: dict[str, int] = {}
            batches = 0
            for run in range(args.runs):
                central = new_centre(server, template, facts)
                made.append(central)
                path = terminal_copy(source, work, f"run{run}", central, facts)
                took, result = push_once(path, central, args.batch, now)
                docs = _one(central, "SELECT COUNT(*) FROM sync_document")[0]
                rows = _one(central, "SELECT COUNT(*) FROM sync_ledger")[0]
                if (result.inserted, docs, rows, result.waiting) != (expected_docs, expected_docs, expected_rows, 0):
                    raise SystemExit(f"the push did not carry the sales: {result} {docs=} {rows=}")
                push_s.append(took)
                batches = -(-result.sent // args.batch)
                if not size:
                    size = sizes(central)
                dumped = dump(central)
                base = new_centre(server, template, facts)
                made.append(base)
                copy_s.append(copy_in(base, dumped))
                if _one(base, "SELECT COUNT(*) FROM sync_ledger")[0] != expected_rows:
                    raise SystemExit("the COPY did not load the same rows")
                for url in (central, base):
                    pg_server.drop_database(server, url)
                    made.remove(url)
                path.unlink()

            cli: dict[str, float] = {}
            if not args.no_cli:
                for cache in (True, False):
                    root = source_copy(work, f"src-{cache}", compiled=cache)
                    central = new_centre(server, template, facts)
                    made.append(central)
                    path = terminal_copy(source, work, f"cli-{cache}", central, facts)
                    cli["with_bytecode_cache" if cache else "without_bytecode_cache"] = round(
                        cli_push(root, path, cache=cache), 3
                    )
                    if _one(central, "SELECT high_water FROM sync_terminal")[0] != facts["setup_seq"] + args.sales:
                        raise SystemExit("pos-admin sync push did not send everything")
                    pg_server.drop_database(server, central)
                    made.remove(central)

            together: dict[str, Any] = {}
            if args.terminals > 1:
                each = args.sales // args.terminals
                made_terminals = [
                    make_terminal(work / f"c{i}", args.products, each, terminal=f"C{i}")
                    for i in range(1, args.terminals + 1)
                ]
                central = new_centre(server, template, *(facts_ for _p, facts_ in made_terminals))
                made.append(central)
                paths = [
                    terminal_copy(p, work, f"c{i}", central, facts_) for i, (p, facts_) in enumerate(made_terminals)
                ]
                latest = max(facts_["end"] for _p, facts_ in made_terminals) + timedelta(minutes=5)
                took, inserted = push_together(paths, central, args.batch, latest)
                if inserted != each * args.terminals:
                    raise SystemExit(f"the concurrent pushes inserted {inserted}")
                together = {"terminals": args.terminals, "sales_each": each, "seconds": round(took, 3)}
                pg_server.drop_database(server, central)
                made.remove(central)

            ours = statistics.median(push_s)
            baseline = statistics.median(copy_s)
            per_10k = 10_000 / args.sales
            summary = [
                verdict(
                    f"push {args.sales:,} offline sales (5 lines) to the centre",
                    "s",
                    round(ours, 3),
                    baseline=round(baseline, 3),
                    baseline_name="COPY of the same sync_document and sync_ledger rows",
                    max_ratio=5.0,
                ),
                verdict("push: documents per second", "docs/s", round(args.sales / ours)),
                verdict("push: ledger rows per second", "rows/s", round(expected_rows / ours)),
                verdict(
                    "centre size per 10,000 sales (documents, ledger, balances, with indexes)",
                    "MB",
                    round(
                        per_10k
                        * sum(size[f"{t}_total_bytes"] for t in ("sync_document", "sync_ledger", "sync_balance"))
                        / 1e6,
                        1,
                    ),
                ),
            ]
            if together:
                n = together["terminals"] * together["sales_each"]
                summary.append(
                    verdict(
                        f"push: documents per second, {together['terminals']} terminals pushing at once",
                        "docs/s",
                        round(n / together["seconds"]),
                        baseline=round(args.sales / ours),
                        baseline_name="one terminal alone",
                    )
                )
            for name, seconds in cli.items():
                summary.append(
                    verdict(f"pos-admin sync push --json, {args.sales:,} sales, {name.replace('_', ' ')}", "s", seconds)
                )
            result = {
                "sales": args.sales,
                "lines_per_sale": LINES,
                "products": args.products,
                "batch": args.batch,
                "batches": batches,
                "server": {"own": srv["own"], **srv["settings"]},
                "setup": {"generate_sales_s": facts["generate_s"], "setup_records_marked_received": facts["setup_seq"]},
                "push_s": [round(x, 3) for x in push_s],
                "copy_s": [round(x, 3) for x in copy_s],
                "push_per_batch_ms": percentiles([x / max(batches, 1) for x in push_s]),
                "ratio": round(ours / baseline, 2),
                "sizes": size,
                "cli_s": cli,
                "together": together,
                "summary": summary,
            }
            for url in list(made):
                pg_server.drop_database(server, url)
                made.remove(url)
        save("sync_push", result, quiet=args.quiet)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

"""Catalogue at scale: import 1,000,000 products, then barcode lookup and Turkish name search.

Import: ``pos-admin import products FILE`` (a fresh process on a fresh database, timed from
process start to exit: reading, validation, products, barcodes, the name index, stock
movements, the journal entry, one commit) against the sqlite3 shell's ``.import`` of the
same CSV into a table keyed like ours (``code`` primary key, unique ``barcode`` index), run
before and after ours; the older baseline, a bare table without indexes, is reported beside
it. Also recorded: our import's peak resident memory and both database sizes.

Lookups run in this process on the imported database, its file first read once into the OS
page cache (a till that has been running): ``catalog.scan`` of random barcodes and
``catalog.search_products`` of Turkish queries, each against the same SQL run through
Python's ``sqlite3`` module (what the ORM and the result objects cost on top). The bytes
read from disk while sampling are recorded, to show the figures are warm.

Targets (issue 11): import ≤ 3× the keyed baseline with peak RSS < 300 MB and a database ≤ 2.5×
the baseline's; barcode lookup p99 < 1 ms; name search p99 < 10 ms and ≤ 1.2× the same SQL
through raw sqlite3.

    python3 -m benchmarks.bench_catalog [--products 1000000] [--keep PATH] [--profile]
"""

from __future__ import annotations

import argparse
import json
import os
import pstats
import random
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.common import (
    RESULTS,
    disk_read_mb,
    ean13,
    products_csv,
    sample,
    save,
    timer,
    verdict,
    warm_file,
)
from pos_tui.core import catalog
from pos_tui.store import search as name_index
from pos_tui.text import words

# Folded the Turkish way, ISPARTA / ısparta / Isparta / İSPARTA must all find the same products.
TURKISH_FORMS = ["ISPARTA", "ısparta", "Isparta", "İSPARTA"]
QUERIES = [
    *TURKISH_FORMS,
    "İsparta gül",
    "çay",
    "Şeker",
    "ULKER BISKUVI",
    "ığdır lokum",
    "kolonya 400",
    "pinar sut",
    "ezine peynir",
    "bal",
    "tahin sade",
    "ödemiş",
    "KARS KAŞAR",
    "giresun fındıklı",
    "hacı şakir sabun",
    "ŞANLIURFA ACILI",
    "i",
    "düzce köy tereyağı 500",
    # typing ahead: what the search field holds after each key
    "p",
    "pı",
    "pın",
    "pına",
    "pınar s",
    "pınar sü",
    "süt pınar",
    "1 lt",
]
BASELINE_SCAN_SQL = (
    "SELECT p.id, p.code, p.name, p.unit, p.price, p.cost, p.kdv_rate, p.category_id, p.supplier_id, "
    "p.min_stock, p.stock, p.active FROM barcode b JOIN product p ON p.id = b.product_id WHERE b.code = ?"
)


def cli_env(db: Path) -> dict[str, str]:
    return {**os.environ, "POS_DB": str(db), "POS_HOME": str(db.parent)}


KEYED_TABLE = (
    "CREATE TABLE products (code TEXT PRIMARY KEY, barcode TEXT NOT NULL UNIQUE, name TEXT, unit TEXT, "
    "price TEXT, cost TEXT, kdv_rate TEXT, category TEXT, supplier TEXT, min_stock TEXT, stock TEXT)"
)


def sqlite3_import(csv_path: Path, work: Path, *, keyed: bool = True) -> tuple[float, float]:
    """Seconds for ``sqlite3 DB ".import CSV products"`` into a new file, and its size in MB:
    ``keyed``, a table with a primary key on ``code`` and a unique ``barcode`` index, like
    ours; else a bare table the shell creates from the header."""
    db = work / "baseline.sqlite3"
    for f in work.glob("baseline.sqlite3*"):
        f.unlink()
    into = f"{KEYED_TABLE};\n.import --skip 1 '{csv_path}' products" if keyed else f".import '{csv_path}' products"
    script = f".mode csv\n.separator ;\n{into}\n"
    with timer() as t:
        subprocess.run(["sqlite3", str(db)], input=script, text=True, check=True)
    count = ["sqlite3", str(db), "SELECT COUNT(*) FROM products"]
    rows = subprocess.run(count, capture_output=True, text=True)
    assert rows.stdout.strip().isdigit(), rows.stderr
    return t["seconds"], round(sum(f.stat().st_size for f in work.glob("baseline.sqlite3*")) / 1e6, 1)


def pos_import(csv_path: Path, db: Path, profile: Path | None = None) -> tuple[float, dict[str, Any]]:
    """``pos-admin init`` (not timed), then the timed ``pos-admin import products CSV --json``."""
    for f in db.parent.glob(db.name + "*"):
        f.unlink()
    env = cli_env(db)
    init = [sys.executable, "-m", "pos_tui.cli.app", "init"]
    subprocess.run(init, env=env, check=True, capture_output=True)
    python = [sys.executable] if profile is None else [sys.executable, "-m", "cProfile", "-o", str(profile)]
    command = [*python, "-m", "pos_tui.cli.app", "import", "products", str(csv_path), "--json"]
    with timer() as t:
        proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        peak = _watch_rss(proc)
        stdout, stderr = proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(f"pos-admin import failed ({proc.returncode}): {stderr[-2000:]}")
    # the largest single process so far: ours (the sqlite3 shell and `init` stay far smaller)
    largest = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return t["seconds"], {
        **json.loads(stdout),
        "peak_rss_mb_largest_process": round(largest, 1),
        "peak_rss_mb_with_reader": round(peak, 1),
    }


def _rss_mb(pid: int) -> float:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    return next((int(line.split()[1]) / 1024 for line in status.splitlines() if line.startswith("VmRSS:")), 0.0)


def _watch_rss(proc: subprocess.Popen[str]) -> float:
    """The highest resident memory of ``proc`` and its children together (the import reads a
    big file in a forked process), sampled every 20 ms until it exits."""
    peak = 0.0
    while proc.poll() is None:
        pids = [proc.pid]
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == proc.pid:
                pids.append(int(stat.parent.name))
        peak = max(peak, sum(_rss_mb(pid) for pid in pids))
        time.sleep(0.02)
    return peak


def profile_summary(path: Path, top: int = 25) -> dict[str, Any]:
    """Where the import's time goes, from a cProfile file: our functions by cumulative time,
    and every function (C ones included) by its own time."""
    stats = pstats.Stats(str(path))
    entries = stats.stats  # type: ignore[attr-defined]
    total = max(ct for (_cc, _nc, _tt, ct, _callers) in entries.values())

    def name(key: tuple[str, int, str]) -> str:
        file, line, func = key
        short = file.split("site-packages/")[-1].split("/work/main/")[-1]
        return f"{short}:{line}({func})"

    def rows(index: int, only_ours: bool = False) -> list[dict[str, Any]]:
        mine = [kv for kv in entries.items() if not only_ours or "pos_tui/" in kv[0][0]]
        ranked = sorted(mine, key=lambda kv: kv[1][index], reverse=True)[:top]
        return [
            {"function": name(k), "calls": v[1], "own_s": round(v[2], 3), "cumulative_s": round(v[3], 3)}
            for k, v in ranked
        ]

    return {"total_s": round(total, 3), "pos_tui_by_cumulative": rows(3, True), "by_own_time": rows(2)}


def lookups(db: Path, count: int, scans: int, searches: int) -> dict[str, Any]:
    """Barcode scans and name searches on ``db`` (``count`` products), ours and raw sqlite3."""
    from pos_tui.settings import DEFAULT_SCALE_LABELS
    from pos_tui.store import close_database, open_database

    warm_file(db)
    read_before = disk_read_mb()
    open_database(db)
    raw = sqlite3.connect(db)
    raw.execute("PRAGMA cache_size = -64000")
    rnd = random.Random(3)
    codes = [ean13(rnd.randrange(count)) for _ in range(scans + 1000)]
    it, raw_it = iter(codes), iter(codes)
    scan = sample(lambda: catalog.scan(next(it), DEFAULT_SCALE_LABELS), scans, warmup=1000)
    raw_scan = sample(lambda: raw.execute(BASELINE_SCAN_SQL, (next(raw_it),)).fetchone(), scans, warmup=1000)

    queries = [rnd.choice(QUERIES) for _ in range(searches + 200)]
    q, raw_q = iter(queries), iter(queries)
    compiled: dict[str, list[tuple[str, tuple[Any, ...]]]] = {}
    for query in QUERIES:
        # the statements our search runs: a vocabulary lookup per word longer than the index's
        # prefix lists, then the search itself
        spelt = [w for w in dict.fromkeys(words(query)) if len(w) > name_index.PREFIX_LIST]
        vocabulary = f'SELECT term FROM "{name_index.VOCABULARY}" WHERE term >= ? AND term < ? LIMIT ?'
        statements = [(vocabulary, (w, w + "{", name_index.SPELT_OUT + 1)) for w in spelt]
        select = catalog.search_query(query, 50)
        assert select is not None
        compiled[query] = [*statements, select.sql()]
    search = sample(lambda: catalog.search_products(next(q), 50), searches, warmup=200)

    def raw_search() -> None:
        for sql, params in compiled[next(raw_q)]:
            raw.execute(sql, params).fetchall()

    raw_search_stats = sample(raw_search, searches, warmup=200)
    hits = {query: len(catalog.search_products(query, 50)) for query in QUERIES}
    forms = [[p.id for p in catalog.search_products(form, 50)] for form in TURKISH_FORMS]
    raw.close()
    close_database()
    return {
        "barcode_scan": scan,
        "barcode_scan_raw_sqlite3": raw_scan,
        "name_search": search,
        "name_search_raw_sqlite3": raw_search_stats,
        "search_hits": hits,
        "turkish_forms_agree": bool(forms[0]) and all(f == forms[0] for f in forms),
        "disk_read_mb_during_lookups": round(disk_read_mb() - read_before, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--products", type=int, default=1_000_000)
    parser.add_argument("--scans", type=int, default=5000, help="barcode lookups sampled")
    parser.add_argument("--searches", type=int, default=2000, help="name searches sampled")
    parser.add_argument("--baseline-runs", type=int, default=2, help="sqlite3 .import runs (around ours)")
    parser.add_argument("--keep", type=Path, help="keep the imported database at this path (for bench_tui)")
    parser.add_argument("--profile", action="store_true", help="also profile the import (cProfile)")
    parser.add_argument("--quiet", action="store_true", help="write the JSON without printing it")
    args = parser.parse_args()

    csv_path = products_csv(args.products)
    work = Path(tempfile.mkdtemp(prefix="pos-bench-catalog-"))
    try:
        db = work / "pos.sqlite3"
        first = sqlite3_import(csv_path, work)
        ours, report = pos_import(csv_path, db)
        keyed = [first] + [sqlite3_import(csv_path, work) for _ in range(max(0, args.baseline_runs - 1))]
        bare = sqlite3_import(csv_path, work, keyed=False)
        baseline = round(statistics.median(s for s, _mb in keyed), 3)
        sizes = {
            "pos_mb": round(sum(f.stat().st_size for f in work.glob("pos.sqlite3*")) / 1e6, 1),
            "baseline_mb": keyed[0][1],
            "bare_baseline_mb": bare[1],
        }
        sizes["ratio"] = round(sizes["pos_mb"] / sizes["baseline_mb"], 2)
        found = lookups(db, args.products, args.scans, args.searches)
        result: dict[str, Any] = {
            "products": args.products,
            "csv": {"file": csv_path.name, "mb": round(csv_path.stat().st_size / 1e6, 1)},
            "import": {
                "pos_admin_s": ours,
                "sqlite3_import_s": baseline,
                "sqlite3_import_runs_s": [s for s, _mb in keyed],
                "ratio": round(ours / baseline, 2),
                "sqlite3_import_bare_table_s": round(bare[0], 3),
                "ratio_to_bare_table": round(ours / bare[0], 2),
                "report": report,
                "database_size": sizes,
            },
            **found,
        }
        if args.profile:
            prof = RESULTS / "catalog_import.prof"
            seconds, _report = pos_import(csv_path, work / "profiled.sqlite3", profile=prof)
            result["import_profile"] = {"wall_s_under_cprofile": seconds, **profile_summary(prof)}
        n = f"{args.products:,}"
        result["summary"] = [
            verdict(
                f"import {n} products",
                "s",
                ours,
                baseline=baseline,
                baseline_name="sqlite3 shell .import (primary key + unique barcode)",
                max_ratio=3.0,
            ),
            verdict(
                f"import {n} products, against a bare table",
                "s",
                ours,
                baseline=round(bare[0], 3),
                baseline_name="sqlite3 shell .import (bare table, the older baseline)",
            ),
            verdict(
                f"import {n} products: peak resident memory (writer and reader processes)",
                "MB",
                report["peak_rss_mb_with_reader"],
                max_value=300.0,
            ),
            verdict(
                f"import {n} products: database size",
                "MB",
                sizes["pos_mb"],
                baseline=sizes["baseline_mb"],
                baseline_name="the keyed baseline's file",
                max_ratio=2.5,
            ),
            verdict(
                f"barcode lookup p99, {n} products",
                "ms",
                found["barcode_scan"]["p99_ms"],
                baseline=found["barcode_scan_raw_sqlite3"]["p99_ms"],
                baseline_name="same query, raw sqlite3",
                max_value=1.0,
            ),
            verdict(
                f"name search p99, {n} products",
                "ms",
                found["name_search"]["p99_ms"],
                baseline=found["name_search_raw_sqlite3"]["p99_ms"],
                baseline_name="same SQL, raw sqlite3",
                max_value=10.0,
                max_ratio=1.2,
            ),
        ]
        save("catalog", result, quiet=args.quiet)
        if args.keep is not None:
            args.keep.parent.mkdir(parents=True, exist_ok=True)
            for stale in args.keep.parent.glob(args.keep.name + "*"):
                stale.unlink()
            for f in work.glob(db.name + "*"):
                shutil.move(str(f), args.keep.with_name(args.keep.name + f.name.removeprefix(db.name)))
            for key in work.glob("pin-*.key"):  # the PIN key goes with its database (docs/security.md)
                shutil.move(str(key), args.keep.parent / key.name)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

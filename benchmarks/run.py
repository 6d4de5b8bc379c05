"""Run every benchmark and print ours vs baseline vs target side by side.

    python3 -m benchmarks.run            # full size: 1,000,000 products (about 10 minutes on 2 cores)
    python3 -m benchmarks.run --quick    # small sizes, a minute: proves the scripts work
    python3 -m benchmarks.run --only sale

Each benchmark runs in its own process and writes ``benchmarks/results/NAME.json``; the
catalogue benchmark keeps its imported database for the TUI benchmark. This script then
reads the JSON files and prints one table (and writes ``results/summary.json``). The
numbers are meaningful only on an otherwise idle machine: the load average is recorded.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.common import RESULTS, code_version, machine

BENCHMARKS = (
    "catalog",
    "sale",
    "tui",
    "cli",
    "loyalty_run",
    "loyalty",
    "loyalty16",
    "labels",
    "weight",
    "counting",
    "receiving",
    "stock_card",
    "count_tui",
    "accounts",
    "prices",
    "agenda",
    "einvoice",
    "einvoice_users",
    "sync_sale",
    "sync_push",
    "reports",
)
FULL = {"products": 1_000_000, "sale_products": 100_000, "scans": 5000, "searches": 2000, "sales": 1000,
        "tui_scans": 500, "starts": 5, "baseline_runs": 2, "account_entries": 100_000,
        "account_parties": 10_000}  # fmt: skip
QUICK = {"products": 2000, "sale_products": 2000, "scans": 300, "searches": 100, "sales": 30,
         "tui_scans": 20, "starts": 1, "baseline_runs": 1, "members": 2000, "account_entries": 5000,
         "account_parties": 500}  # fmt: skip


def commands(sizes: dict[str, int], catalog_db: Path, profile: bool) -> dict[str, list[str]]:
    py = [sys.executable, "-m"]
    catalog = [
        *py, "benchmarks.bench_catalog", "--products", str(sizes["products"]), "--scans", str(sizes["scans"]),
        "--searches", str(sizes["searches"]), "--baseline-runs", str(sizes["baseline_runs"]),
        "--keep", str(catalog_db), "--quiet",
    ]  # fmt: skip
    if profile:
        catalog.append("--profile")
    tui = [
        *py,
        "benchmarks.bench_tui",
        "--scans",
        str(sizes["tui_scans"]),
        "--starts",
        str(sizes["starts"]),
        "--quiet",
    ]
    tui += ["--db", str(catalog_db)] if catalog_db.is_file() else ["--products", str(sizes["products"])]
    if sizes is QUICK:
        tui += ["--warmup", "5", "--memory-scans", "5"]
    else:
        tui += ["--load"]  # scans timed idle and again beside CPU-burning neighbours
    cli = [*py, "benchmarks.bench_cli", "--quiet", *(["--runs", "1"] * (sizes is QUICK))]
    cli += ["--db", str(catalog_db)] if catalog_db.is_file() else ["--products", str(sizes["products"])]
    return {
        "catalog": catalog,
        "sale": [
            *py,
            "benchmarks.bench_sale",
            "--products",
            str(sizes["sale_products"]),
            "--sales",
            str(sizes["sales"]),
            *(["--warmup", "5"] if sizes is QUICK else []),
            "--quiet",
        ],
        "tui": tui,
        "cli": cli,
        "loyalty_run": [*py, "benchmarks.bench_loyalty_run", "--members", str(sizes.get("members", 10**5)), "--quiet"],
        "loyalty": [*py, "benchmarks.bench_loyalty", "--quiet", *(["--quick"] if sizes is QUICK else [])],
        "loyalty16": [
            *py,
            "benchmarks.bench_loyalty16",
            "--quiet",
            *(
                ["--quick"]
                if sizes is QUICK
                else ["--products", str(sizes["sale_products"]), "--sales", str(sizes["sales"])]
            ),
        ],
        "labels": [*py, "benchmarks.bench_labels", "--quiet", *(["--labels", "50", "--runs", "1"] * (sizes is QUICK))],
        "counting": [
            *py,
            "benchmarks.bench_counting",
            "--quiet",
            *(["--products", "2000", "--scans", "300"] * (sizes is QUICK)),
        ],
        "weight": [
            *py,
            "benchmarks.bench_weight",
            "--quiet",
            *(["--frames", "20", "--warmup", "3"] * (sizes is QUICK)),
        ],
        "receiving": [
            *py,
            "benchmarks.bench_receiving",
            "--quiet",
            *(["--runs", "2", "--lines", "200"] * (sizes is QUICK)),
        ],
        "stock_card": [*py, "benchmarks.bench_stock_card", "--quiet", *(["--quick"] if sizes is QUICK else [])],
        "count_tui": [
            *py,
            "benchmarks.bench_count_tui",
            "--quiet",
            *(["--db", str(catalog_db)] if catalog_db.is_file() else ["--products", str(sizes["products"])]),
            *(["--quick"] if sizes is QUICK else ["--load"]),
        ],
        "accounts": [
            *py,
            "benchmarks.bench_accounts",
            "--quiet",
            "--entries",
            str(sizes["account_entries"]),
            "--parties",
            str(sizes["account_parties"]),
            *(["--runs", "1"] * (sizes is QUICK)),
        ],
        "prices": [*py, "benchmarks.bench_prices", "--quiet", *(["--quick"] if sizes is QUICK else [])],
        "agenda": [*py, "benchmarks.bench_agenda", "--quiet", *(["--quick"] if sizes is QUICK else [])],
        "einvoice": [*py, "benchmarks.bench_einvoice", "--quiet", *(["--quick"] if sizes is QUICK else [])],
        "sync_sale": [
            *py,
            "benchmarks.bench_sync_sale",
            "--products",
            str(sizes["sale_products"]),
            "--sales",
            str(sizes["sales"]),
            *(["--warmup", "5", "--block", "10"] if sizes is QUICK else []),
            "--quiet",
        ],
        "sync_push": [
            *py,
            "benchmarks.bench_sync_push",
            "--quiet",
            *(
                ["--sales", "100", "--products", "2000", "--runs", "1", "--no-cli", "--terminals", "1"]
                if sizes is QUICK
                else []
            ),
        ],
        "reports": [*py, "benchmarks.bench_reports", "--quiet", *(["--quick"] if sizes is QUICK else [])],
        "einvoice_users": [
            *py,
            "benchmarks.bench_einvoice_users",
            "--quiet",
            *(["--rows", "3000", "--runs", "1"] * (sizes is QUICK)),
        ],
    }


def _fmt(value: Any, unit: str) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and value != int(value):
        return f"{value:,.2f} {unit}" if value < 100 else f"{value:,.0f} {unit}"
    return f"{value:,} {unit}" if isinstance(value, int) else f"{value:,.0f} {unit}"


def table(rows: list[dict[str, Any]], *, markdown: bool = False) -> str:
    """The side-by-side table as plain text (or Markdown, for docs/benchmarks.md)."""
    head = ("metric", "ours", "baseline", "ratio", "target", "result", "load")
    body = [
        (
            r["metric"],
            _fmt(r["ours"], r["unit"]),
            _fmt(r["baseline"], r["unit"]),
            "—" if r["ratio"] is None else f"{r['ratio']:.2f}×",
            r["target"] or "—",
            {True: "pass", False: "FAIL", None: "info"}[r["pass"]],
            "—" if r.get("load_average") is None else f"{r['load_average']:.2f}",
        )
        for r in rows
    ]
    if markdown:
        lines = ["| " + " | ".join(str(c) for c in row) + " |" for row in (head, *body)]
        lines.insert(1, "|" + "---|" * len(head))
        return "\n".join(lines)
    widths = [max(len(str(x[i])) for x in (head, *body)) for i in range(len(head))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)) for row in (head, *body)]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (2,000 products): a smoke run")
    parser.add_argument("--only", choices=BENCHMARKS, action="append", help="run only these (repeatable)")
    parser.add_argument("--profile", action="store_true", help="also profile the catalogue import (cProfile)")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    args = parser.parse_args()

    sizes = QUICK if args.quick else FULL
    catalog_db = RESULTS / f"catalog_{sizes['products']}.sqlite3"
    chosen = args.only or list(BENCHMARKS)
    load_before = os.getloadavg()
    took: dict[str, float] = {}
    for name in BENCHMARKS:
        if name not in chosen:
            continue
        command = commands(sizes, catalog_db, args.profile)[name]
        print(f"== {name}: {' '.join(command[2:])}", file=sys.stderr, flush=True)
        t = time.perf_counter()
        subprocess.run(command, check=True)
        took[name] = round(time.perf_counter() - t, 1)

    rows: list[dict[str, Any]] = []
    for name in BENCHMARKS:
        path = RESULTS / f"{name}.json"
        if name in chosen and path.is_file():
            saved = json.loads(path.read_text(encoding="utf-8"))
            load = saved.get("machine", {}).get("load_average", [None])[0]
            rows += [{**row, "load_average": load} for row in saved["summary"]]
    summary = {
        "quick": args.quick,
        "machine": machine(),
        "code": code_version(),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "seconds": took,
        "rows": rows,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    text = json.dumps(summary, indent=2, ensure_ascii=False)
    (RESULTS / "summary.json").write_text(text + "\n", encoding="utf-8")
    print(table(rows, markdown=args.markdown))
    print(f"\nload average before/after: {summary['load_average_before']} / {summary['load_average_after']}")


if __name__ == "__main__":
    main()

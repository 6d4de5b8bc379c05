"""``pos-admin`` start-up against a bare Typer app doing the same with raw sqlite3.

Two commands, each timed as a whole process from spawn to exit (fresh processes, ours and
the baseline in turn, pair by pair): ``pos-admin --help`` and ``pos-admin products show CODE
--json`` on the catalogue database (a barcode of a product in the middle of it), against
:mod:`benchmarks.cli_baseline` doing the same (``--help``; the same lookup with raw sqlite3,
printing the same JSON, which is checked once). Both run as scripts, ours through the same
three lines a console script has.

Each pair runs twice: with the bytecode cache present (pos_tui precompiled, as the install
step does) and absent (``PYTHONDONTWRITEBYTECODE=1`` on a copy of pos_tui without any
``__pycache__``, as on a machine that forbids writing them and an editable install that
never wrote them; the libraries keep the ``.pyc`` files pip wrote at install). pos_tui runs
from a copy of the source, so the cache of the checkout is never touched.

Also reported (no target): ``products show`` when the file changed since its last integrity
check, which pays ``PRAGMA quick_check`` (docs/recovery.md). With ``--neighbour`` a process
burning one core runs the whole time (the till's machine is rarely idle).

Target (issue 11): ≤ 1.5× the baseline.

    python3 -m benchmarks.bench_cli [--products 1000000] [--db CATALOG.sqlite3] [--runs 10]
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

from benchmarks.common import RESULTS, products_csv, ratio, save, verdict

REPO = Path(__file__).resolve().parent.parent
BASELINE = Path(__file__).resolve().parent / "cli_baseline.py"
# What pip writes as the ``pos-admin`` console script, less its argv[0] rewrite.
CONSOLE_SCRIPT = "import sys\nfrom pos_tui.cli.app import main\nif __name__ == '__main__':\n    sys.exit(main())\n"


def ensure_db(db: Path | None, products: int) -> Path:
    """The catalogue database: ``db`` when given, else one imported with ``pos-admin``."""
    if db is not None:
        if not db.is_file():
            raise SystemExit(f"{db}: no such database (make one with bench_catalog --keep {db})")
        return db
    path = RESULTS / f"cli_catalog_{products}.sqlite3"
    if path.is_file():
        return path
    env = {**os.environ, "POS_DB": str(path), "POS_HOME": str(path.parent)}
    cli = [sys.executable, "-m", "pos_tui.cli.app"]
    subprocess.run([*cli, "init"], env=env, check=True, capture_output=True)
    command = [*cli, "import", "products", str(products_csv(products)), "--json"]
    subprocess.run(command, env=env, check=True, capture_output=True)
    return path


def a_barcode(db: Path) -> str:
    """The barcode of the product in the middle of the catalogue."""
    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        (count,) = conn.execute("SELECT MAX(id) FROM product").fetchone()
        row = conn.execute("SELECT code FROM barcode WHERE product_id >= ? LIMIT 1", (count // 2,)).fetchone()
    return str(row[0])


def source_copy(work: Path, name: str, *, compiled: bool) -> Path:
    """A copy of pos_tui under ``work/name`` without any ``__pycache__``; ``compiled``: then
    precompiled with :mod:`compileall`, as the install step does."""
    root = work / name
    shutil.copytree(REPO / "pos_tui", root / "pos_tui", ignore=shutil.ignore_patterns("__pycache__"))
    (root / "pos-admin").write_text(CONSOLE_SCRIPT, encoding="utf-8")
    if compiled:
        compileall.compile_dir(root / "pos_tui", quiet=1)
    return root


def env_for(root: Path, db: Path, *, cache: bool) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("POS_") and k != "PYTHONPYCACHEPREFIX"}
    env.update(POS_DB=str(db), POS_HOME=str(db.parent), PYTHONPATH=str(root), POS_LANG="tr")
    if not cache:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def run(command: list[str], env: dict[str, str]) -> tuple[float, str]:
    """Spawn to exit, in seconds, and what the command printed on stdout."""
    t = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    took = time.perf_counter() - t
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}): {done.stderr[-3000:]}")
    return took, done.stdout


def pairs(ours: list[str], base: list[str], env: dict[str, str], runs: int, warmup: int = 2) -> dict[str, Any]:
    """``runs`` pairs, ours then the baseline; medians in ms and the median of the pair ratios."""
    for _ in range(warmup):
        run(ours, env)
        run(base, env)
    a: list[float] = []
    b: list[float] = []
    for _ in range(runs):
        a.append(run(ours, env)[0] * 1000)
        b.append(run(base, env)[0] * 1000)
    return {
        "ours_median_ms": round(statistics.median(a), 1),
        "baseline_median_ms": round(statistics.median(b), 1),
        "median_pair_ratio": round(statistics.median(x / y for x, y in zip(a, b, strict=True)), 2),
        "ours_ms": [round(x, 1) for x in a],
        "baseline_ms": [round(x, 1) for x in b],
    }


def unchecked(ours: list[str], env: dict[str, str], db: Path, runs: int) -> dict[str, Any]:
    """``ours`` after the database file changed (its modification time moved on, as a write
    would): the command must check the file again."""
    took = []
    for _ in range(runs):
        stat = db.stat()
        os.utime(db, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
        took.append(run(ours, env)[0] * 1000)
    return {"median_ms": round(statistics.median(took), 1), "runs_ms": [round(x, 1) for x in took]}


@contextmanager
def neighbour(on: bool) -> Iterator[None]:
    """A process burning one core for the duration (``on``), as another program on the till would."""
    if not on:
        yield
        return
    burner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        yield
    finally:
        burner.kill()
        burner.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--products", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, help="catalogue database to use (bench_catalog --keep)")
    parser.add_argument("--runs", type=int, default=10, help="timed pairs of each command in each cache state")
    parser.add_argument("--neighbour", action="store_true", help="with a CPU-burning process running alongside")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args()

    db = ensure_db(args.db, args.products)
    code = a_barcode(db)
    py = sys.executable
    load_before = os.getloadavg()
    cases: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="pos-bench-cli-") as tmp, neighbour(args.neighbour):
        for cache in (True, False):
            root = source_copy(Path(tmp), "cached" if cache else "source", compiled=cache)
            env = env_for(root, db, cache=cache)
            ours = [py, str(root / "pos-admin")]
            base = [py, str(BASELINE)]
            show = ["products", "show", code, "--json"]
            if cache:  # the same work: the same JSON
                mine, theirs = json.loads(run([*ours, *show], env)[1]), json.loads(run([*base, *show], env)[1])
                if mine != theirs:
                    raise SystemExit(f"the baseline prints {theirs}, pos-admin {mine}")
            key = "cache_present" if cache else "cache_absent"
            cases[key] = {
                "help": pairs([*ours, "--help"], [*base, "--help"], env, args.runs),
                "products_show": pairs([*ours, *show], [*base, *show], env, args.runs),
            }
            if cache:
                cases[key]["products_show_after_a_change"] = unchecked([*ours, *show], env, db, max(2, args.runs // 3))
    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        (products,) = conn.execute("SELECT COUNT(*) FROM product").fetchone()
    n = f"{products:,}"
    summary = []
    for key, label in (("cache_present", "bytecode cache present"), ("cache_absent", "no bytecode cache")):
        for case, metric in (("help", "pos-admin --help"), ("products_show", f"pos-admin products show --json, {n}")):
            c = cases[key][case]
            summary.append(
                verdict(
                    f"{metric} ({label}{', CPU neighbour' if args.neighbour else ''}), median",
                    "ms",
                    c["ours_median_ms"],
                    baseline=c["baseline_median_ms"],
                    baseline_name="bare Typer app with raw sqlite3",
                    max_ratio=1.5,
                )
            )
    after = cases["cache_present"]["products_show_after_a_change"]["median_ms"]
    summary.append(
        verdict(f"pos-admin products show --json, {n}, file changed since its last check, median", "ms", after)
    )
    result = {
        "products": products,
        "barcode": code,
        "neighbour": args.neighbour,
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "cases": cases,
        "ratios": {
            f"{key}.{case}": ratio(c["ours_median_ms"], c["baseline_median_ms"])
            for key, per in cases.items()
            for case, c in per.items()
            if "ours_median_ms" in c
        },
        "summary": summary,
    }
    save("cli", result, quiet=args.quiet)


if __name__ == "__main__":
    main()

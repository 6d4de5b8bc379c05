"""The sale screen with 1,000,000 products: scan-to-line-on-screen, cold start, memory.

Scan to line on screen (this process): ``PosApp`` runs headless under ``App.run_test`` at
100×30 on the catalogue database. The benchmark logs in with a PIN, opens a shift in the
dialog, then for each sample puts a random barcode in the scan field (not timed: a scanner
types it) and times from the Enter key, delivered as the terminal driver delivers keys,
to the first paint whose output to the terminal contains the new cart row (its name cell
exactly as the table renders it; :class:`benchmarks.tui_start.PaintClock`).
That covers the scan field, the core adding the item (the cart's write to the database
included), the widgets' update and the compositor's paint. The cart is
emptied every 20 lines, as a real basket would be paid.

Cold start (fresh processes, alternating): ``pos`` — settings, database, Textual, the login
screen; the driver types the PIN as soon as the login screen is usable and waits for the
sale screen (a shift is already open) — against a minimal Textual app with one input, both
timed from just before the process is spawned to their first paint with the input
focused. Memory: the till's resident set after login and a few dozen scans.

Targets (issue 2): scan p99 < 16 ms; cold start < 1 s and ≤ 1.5× the minimal app;
resident memory < 150 MB.

    python3 -m benchmarks.bench_tui [--products 1000000] [--db CATALOG.sqlite3]
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from benchmarks.common import RESULTS, percentiles, products_csv, ratio, save, verdict, warm_file
from benchmarks.tui_start import SIZE, PaintClock, press_enter, until
from pos_tui.core import cash, staff, till

PIN = "4821"
CASHIER = "benchkasa"
CART_LINES = 20
COLD_TERMINAL = "TCOLD"


def ensure_catalog(db: Path | None, products: int) -> Path:
    """The catalogue database: ``db`` when given, else one imported with ``pos-admin``."""
    if db is not None:
        if not db.is_file():
            raise SystemExit(f"{db}: no such database (make one with bench_catalog --keep {db})")
        return db
    path = RESULTS / f"tui_catalog_{products}.sqlite3"
    if path.is_file():
        return path
    env = {**os.environ, "POS_DB": str(path), "POS_HOME": str(path.parent)}
    cli = [sys.executable, "-m", "pos_tui.cli.app"]
    subprocess.run([*cli, "init"], env=env, check=True, capture_output=True)
    csv_path = products_csv(products)
    command = [*cli, "import", "products", str(csv_path), "--json"]
    subprocess.run(command, env=env, check=True, capture_output=True)
    return path


def prepare(db: Path, count: int, seed: int = 5) -> tuple[list[str], str]:
    """A cashier, an open shift on the cold-start terminal, and ``count`` barcodes of products
    sold by the piece. Returns the barcodes and a fresh terminal id for the scan run."""
    from pos_tui.settings import load_settings
    from pos_tui.store import close_database, database, open_database

    now = datetime.now(UTC)
    open_database(db)
    settings = load_settings({"POS_DB": str(db), "POS_HOME": str(db.parent)})
    if not any(u.name == CASHIER for u in staff.list_users()):
        staff.add_user(CASHIER, "cashier", PIN, now=now, settings=settings)
    actor = staff.actor_by_name(CASHIER, settings=settings)
    if cash.current_shift(COLD_TERMINAL) is None:
        cash.open_shift(COLD_TERMINAL, actor, Decimal("100.00"), now=now)
    (top,) = database.execute_sql("SELECT MAX(id) FROM product").fetchone()
    rnd = random.Random(seed)
    ids = rnd.sample(range(1, top + 1), min(top, count * 2))
    codes: list[str] = []
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ", ".join("?" * len(chunk))
        sql = (
            "SELECT b.code FROM barcode b JOIN product p ON p.id = b.product_id "
            f"WHERE p.unit = 'piece' AND p.active AND p.id IN ({marks})"
        )
        codes += [c for (c,) in database.execute_sql(sql, chunk)]
    close_database()
    rnd.shuffle(codes)
    return codes[:count], f"TS{int(time.time()) % 10**8}"


def line_painted(table: Any, row_key: str, output: str) -> bool:
    """Whether ``output`` (a paint, as sent to the terminal) shows the cart row ``row_key``:
    the row exists and its name cell, exactly as the table renders it, is in the output."""
    from textual.widgets.data_table import CellDoesNotExist, ColumnDoesNotExist, RowDoesNotExist

    try:
        name = table.get_cell(row_key, "name")
    except (CellDoesNotExist, ColumnDoesNotExist, RowDoesNotExist):
        return False
    return bool(name.plain) and name.plain in output


def discard_cold_cart(db: Path) -> None:
    """Empty the cold-start terminal's open cart, so every start finds the same (empty) sale."""
    from pos_tui.settings import load_settings
    from pos_tui.store import close_database, open_database

    open_database(db)
    settings = load_settings({"POS_DB": str(db), "POS_HOME": str(db.parent)})
    till.discard_open_cart(COLD_TERMINAL, staff.actor_by_name(CASHIER, settings=settings).user_id)
    close_database()


async def scan_to_screen(db: Path, terminal: str, codes: list[str], warmup: int) -> dict[str, Any]:
    """Scan ``codes`` in the sale screen; percentiles of Enter → line painted."""
    from textual.constants import MAX_FPS
    from textual.widgets import Input

    from pos_tui.core.basket import Cart
    from pos_tui.settings import load_settings
    from pos_tui.store import close_database, open_database
    from pos_tui.tui.app import PosApp
    from pos_tui.tui.screens.sale import SaleScreen
    from pos_tui.tui.widgets.cart_table import CartTable

    class BenchPosApp(PaintClock, PosApp):
        pass

    settings = load_settings({"POS_DB": str(db), "POS_HOME": str(db.parent), "POS_TERMINAL": terminal})
    open_database(db)
    app = BenchPosApp(settings)
    to_paint: list[float] = []
    to_cart: list[float] = []
    lines_at_scan: list[int] = []
    paints_before: dict[int, int] = {}
    try:
        async with app.run_test(size=SIZE) as pilot:
            await until(lambda: app.ready_at("LoginScreen") is not None)
            app.screen.query_one("#pin", Input).value = PIN
            press_enter(app)

            def float_asked() -> bool:
                return type(app.screen).__name__ == "OpenShiftDialog" and isinstance(app.focused, Input)

            await until(float_asked)
            assert isinstance(app.focused, Input)
            app.focused.value = "100"
            press_enter(app)
            await until(lambda: app.ready_at("SaleScreen") is not None)
            screen = app.screen
            assert isinstance(screen, SaleScreen)
            table = screen.query_one(CartTable)
            scan = screen.query_one("#scan", Input)
            actor = app.session.require_actor()
            shown: list[float] = []
            show_cart = screen.show_cart

            def timed_show_cart(cart: Cart, **kwargs: Any) -> None:
                show_cart(cart, **kwargs)
                shown.append(time.monotonic())

            screen.show_cart = timed_show_cart  # type: ignore[method-assign]
            for i, code in enumerate(codes):
                if table.row_count >= CART_LINES:
                    till.discard_open_cart(terminal, actor.user_id)
                    screen.show_cart(Cart())
                    await pilot.pause()
                scan.value = code
                await pilot.pause()
                rows = table.row_count
                shown.clear()
                app.arm_probe(functools.partial(line_painted, table, str(rows + 1)))
                t0 = time.monotonic()
                press_enter(app)
                await until(lambda: app.probe_at is not None, timeout=10)
                if i >= warmup:
                    assert app.probe_at is not None and shown, "the scan did not reach the screen"
                    to_paint.append(app.probe_at - t0)
                    to_cart.append(shown[0] - t0)
                    lines_at_scan.append(rows + 1)
                    earlier = app.paints_between(t0, app.probe_at)
                    paints_before[earlier] = paints_before.get(earlier, 0) + 1
            till.discard_open_cart(terminal, actor.user_id)
            await pilot.pause()
    finally:
        close_database()
    return {
        "enter_to_line_painted": percentiles(to_paint),
        "enter_to_cart_updated": percentiles(to_cart),
        "cart_lines": {"min": min(lines_at_scan), "max": max(lines_at_scan)},
        "other_paints_before_the_line": {str(k): v for k, v in sorted(paints_before.items())},
        "terminal_size": f"{SIZE[0]}x{SIZE[1]}",
        "textual_fps": MAX_FPS,
    }


def _start(kind: str, extra: list[str], work: Path, env: dict[str, str] | None = None) -> tuple[float, dict[str, Any]]:
    out = work / f"{kind}.json"
    out.unlink(missing_ok=True)
    command = [sys.executable, "-m", "benchmarks.tui_start", kind, "--out", str(out), *extra]
    t0 = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)
    if done.returncode != 0 or not out.is_file():
        raise SystemExit(f"tui_start {kind} failed ({done.returncode}): {done.stderr[-3000:]}")
    return t0, json.loads(out.read_text())


def start_env(work: Path, *, bytecode: bool) -> dict[str, str]:
    """Both apps start from a copy of pos_tui: precompiled (``bytecode``, as the install step
    does), or without any ``__pycache__`` and with ``PYTHONDONTWRITEBYTECODE=1`` (a machine
    that forbids writing them; the libraries keep the ``.pyc`` files pip wrote)."""
    from benchmarks.bench_cli import source_copy

    root = source_copy(work, "compiled" if bytecode else "source", compiled=bytecode)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root), str(Path(__file__).resolve().parent.parent)])}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if not bytecode:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def cold_starts(db: Path, runs: int, codes: list[str], work: Path, *, bytecode: bool = True) -> dict[str, Any]:
    """``runs`` alternating starts of the minimal app and the till; times in ms."""
    minimal: list[float] = []
    login: list[float] = []
    sale: list[float] = []
    memory: list[dict[str, Any]] = []
    baseline_memory: list[dict[str, float]] = []
    pos_args = ["--db", str(db), "--terminal", COLD_TERMINAL, "--pin", PIN, "--codes", ",".join(codes)]
    env = start_env(work, bytecode=bytecode)
    for _ in range(runs):
        discard_cold_cart(db)
        t0, report = _start("minimal", [], work, env)
        minimal.append(round((report["ready"] - t0) * 1000, 1))
        baseline_memory.append({k: report[k] for k in ("rss_mb", "peak_rss_mb")})
        t0, report = _start("pos", pos_args, work, env)
        login.append(round((report["login_ready"] - t0) * 1000, 1))
        sale.append(round((report["sale_ready"] - t0) * 1000, 1))
        memory.append({"after_login": report["after_login"], "after_scans": report["after_scans"]})
    discard_cold_cart(db)

    def stats(ms: list[float]) -> dict[str, Any]:
        return {"median_ms": round(statistics.median(ms), 1), "max_ms": max(ms), "runs_ms": ms}

    return {
        "bytecode_cache": bytecode,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "minimal_textual_app": stats(minimal),
        "pos_login_screen": stats(login),
        "pos_sale_screen": stats(sale),
        "memory": {
            "pos_runs": memory,
            "pos_peak_rss_mb": max(m["after_scans"]["peak_rss_mb"] for m in memory),
            "pos_rss_after_scans_mb": max(m["after_scans"]["rss_mb"] for m in memory),
            "scans_before_reading": len(codes),
            "minimal_textual_app_rss_mb": max(m["rss_mb"] for m in baseline_memory),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--products", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, help="catalogue database to use (bench_catalog --keep)")
    parser.add_argument("--scans", type=int, default=500, help="timed scans")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--starts", type=int, default=5, help="cold starts of each app")
    parser.add_argument("--memory-scans", type=int, default=50, help="scans before reading the till's memory")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args()

    db = ensure_catalog(args.db, args.products)
    codes, terminal = prepare(db, args.scans + args.warmup + args.memory_scans)
    memory_codes, scan_codes = codes[: args.memory_scans], codes[args.memory_scans :]
    with tempfile.TemporaryDirectory(prefix="pos-bench-tui-") as tmp:
        starts = cold_starts(db, args.starts, memory_codes, Path(tmp))
    with tempfile.TemporaryDirectory(prefix="pos-bench-tui-") as tmp:
        uncached = cold_starts(db, args.starts, memory_codes, Path(tmp), bytecode=False)
    warm_file(db)
    scans = asyncio.run(scan_to_screen(db, terminal, scan_codes, args.warmup))
    from pos_tui.store import close_database, open_database
    from pos_tui.store import models as m

    open_database(db)
    products = m.Product.select().count()
    close_database()
    minimal = starts["minimal_textual_app"]["median_ms"]
    login = starts["pos_login_screen"]["median_ms"]
    sale = starts["pos_sale_screen"]["median_ms"]
    peak = starts["memory"]["pos_peak_rss_mb"]
    n = f"{products:,}"
    result = {
        "products": products,
        "scan": scans,
        "cold_start": starts,
        "cold_start_no_bytecode_cache": uncached,
        "ratios": {"login_vs_minimal": ratio(login, minimal), "sale_vs_minimal": ratio(sale, minimal)},
        "summary": [
            verdict(
                f"scan to line on screen p99, {n} products",
                "ms",
                scans["enter_to_line_painted"]["p99_ms"],
                max_value=16.0,
            ),
            verdict(
                "cold start to the sale screen (PIN typed at once), median",
                "ms",
                sale,
                baseline=minimal,
                baseline_name="minimal Textual app, first paint",
                max_value=1000.0,
                max_ratio=1.5,
            ),
            verdict(
                "cold start to the login screen (first usable screen), median",
                "ms",
                login,
                baseline=minimal,
                baseline_name="minimal Textual app, first paint",
                max_value=1000.0,
                max_ratio=1.5,
            ),
            verdict(
                "cold start to the sale screen, no bytecode cache, median",
                "ms",
                uncached["pos_sale_screen"]["median_ms"],
                baseline=uncached["minimal_textual_app"]["median_ms"],
                baseline_name="minimal Textual app, first paint, no bytecode cache",
                max_value=1000.0,
                max_ratio=1.5,
            ),
            verdict(
                f"resident memory (peak), {n} products",
                "MB",
                peak,
                baseline=starts["memory"]["minimal_textual_app_rss_mb"],
                baseline_name="minimal Textual app",
                max_value=150.0,
            ),
        ],
    }
    save("tui", result, quiet=args.quiet)


if __name__ == "__main__":
    main()

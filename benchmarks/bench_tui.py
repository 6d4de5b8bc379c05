"""The sale screen with 1,000,000 products: scan-to-line-on-screen, cold start, memory.

Scan to line on screen (this process): ``PosApp`` runs headless under ``App.run_test`` at
100×30 on the catalogue database. The benchmark logs in with a PIN, opens a shift in the
dialog, then for each sample puts a random barcode in the scan field (not timed: a scanner
types it) and times from the Enter key, delivered as the terminal driver delivers keys,
to the first paint whose output to the terminal contains the new cart row (its name cell
exactly as the table renders it; :class:`benchmarks.tui_start.PaintClock`).
That covers the scan field, the core adding the item (the cart's write to the database
included), the widgets' update and the compositor's paint. It also notes the first paint
that repaints the totals' line count, to show whether line and totals arrive together.

Cart sizes (``--cart-sizes``, default 1, 20 and 100 lines): for size N the cart is emptied,
filled to N − w lines through the core (untimed, as a resumed cart would be), and the w
scans that make lines N − w + 1 … N are timed (``--window`` w = 10, 1 for size 1). The sizes
take turns round by round. ``--scans`` samples per size.

Idle and loaded: every run times the scans once as the machine is; with ``--load [N]`` it
then starts N processes that burn CPU (busy loops; default 3, a load average of about 3 on
this 2-core machine), lets them run ``--settle`` seconds, and times everything again beside
them, sampling the 1-minute load average. In each condition a minimal Textual app (an input
and a fixed-size label; Enter puts the entry in the label) is timed the same way first: the
floor of what Textual itself costs from a key to the screen.

Cold start (fresh processes, alternating): ``pos`` — settings, database, Textual, the login
screen; the driver types the PIN as soon as the login screen is usable and waits for the
sale screen (a shift is already open) — against a minimal Textual app with one input, both
timed from just before the process is spawned to their first paint with the input
focused. Memory: the till's resident set after login and a few dozen scans.

Targets (issue 2): scan p99 < 16 ms; cold start < 1 s and ≤ 1.5× the minimal app;
resident memory < 150 MB.

    python3 -m benchmarks.bench_tui [--products 1000000] [--db CATALOG.sqlite3] [--load] [--starts 0]
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
            "SELECT MIN(b.code) FROM barcode b JOIN product p ON p.id = b.product_id "
            f"WHERE p.unit = 'piece' AND p.active AND p.id IN ({marks}) GROUP BY p.id"
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


class ScanClock(PaintClock):
    """:class:`PaintClock` that also notes when a paint first covers a given screen region
    (``arm_region``): the totals panel's line count, to see whether the new line and the
    totals reach the terminal in the same paint."""

    region: Any = None
    region_at: float | None = None

    def _display(self, screen: Any, renderable: Any) -> None:
        super()._display(screen, renderable)
        app: Any = self
        if self.region is None or renderable is None or app._batch_count:
            return
        if _covers(renderable, self.region):
            self.region_at = self.recent[-1] if self.__dict__.get("recent") else time.monotonic()
            self.region = None

    def arm_region(self, region: Any) -> None:
        self.region_at = None
        self.region = region


def _covers(update: Any, region: Any) -> bool:
    """Whether a compositor update repaints any cell of ``region``."""
    from textual._compositor import ChopsUpdate

    if not isinstance(update, ChopsUpdate):
        return True  # a full update repaints everything
    right = region.x + region.width
    return any(region.y <= y < region.y + region.height and x1 < right and x2 >= region.x for y, x1, x2 in update.spans)


class Neighbour:
    """``processes`` CPU-burning processes (busy loops) beside the benchmark, as another
    program on a busy till PC would be; ``loadavg`` samples the 1-minute load average."""

    def __init__(self, processes: int) -> None:
        self.processes = processes
        self.children: list[subprocess.Popen[bytes]] = []
        self.samples: list[float] = []

    def __enter__(self) -> Neighbour:
        burn = "while True: pass"
        self.children = [subprocess.Popen([sys.executable, "-c", burn]) for _ in range(self.processes)]
        return self

    def __exit__(self, *exc: object) -> None:
        for child in self.children:
            child.kill()
        for child in self.children:
            child.wait()

    def sample(self) -> None:
        self.samples.append(os.getloadavg()[0])


def _load_summary(samples: list[float]) -> dict[str, float]:
    return {"min": round(min(samples), 2), "mean": round(statistics.fmean(samples), 2), "max": round(max(samples), 2)}


async def _log_in(app: Any, pilot: Any) -> None:
    """Type the PIN, then the float if the shift is not open yet; wait for the sale screen."""
    from textual.widgets import Input

    await until(lambda: app.ready_at("LoginScreen") is not None)
    app.screen.query_one("#pin", Input).value = PIN
    press_enter(app)

    def next_screen() -> bool:
        name = type(app.screen).__name__
        return app.ready_at("SaleScreen") is not None or (name == "OpenShiftDialog" and isinstance(app.focused, Input))

    await until(next_screen)
    if type(app.screen).__name__ == "OpenShiftDialog":
        assert isinstance(app.focused, Input)
        app.focused.value = "100"
        press_enter(app)
        await until(lambda: app.ready_at("SaleScreen") is not None)


def cart_plan(sizes: list[int], samples: int, window: int) -> list[tuple[int, int]]:
    """The rounds of one run: ``(size, timed)`` fills a cart to ``size - timed`` lines untimed,
    then times the ``timed`` scans that make lines ``size - timed + 1`` … ``size``. The sizes
    take turns, so drift in the machine's load touches all of them alike."""
    left = {n: samples for n in sizes}
    plan: list[tuple[int, int]] = []
    while any(left.values()):
        for n in sizes:
            if left[n]:
                timed = min(window, n, left[n])
                plan.append((n, timed))
                left[n] -= timed
    return plan


async def scan_to_screen(
    db: Path,
    terminal: str,
    codes: list[str],
    *,
    sizes: list[int],
    samples: int,
    warmup: int,
    window: int,
    neighbour: Neighbour | None = None,
) -> dict[str, Any]:
    """Scan in the sale screen with the cart at each of ``sizes`` lines; percentiles of
    Enter → line painted (and → cart updated, → totals painted) per size."""
    from textual.constants import MAX_FPS
    from textual.widgets import Input, Static

    from pos_tui.core.basket import Cart
    from pos_tui.settings import load_settings
    from pos_tui.store import close_database, open_database
    from pos_tui.tui.app import PosApp
    from pos_tui.tui.screens.sale import SaleScreen
    from pos_tui.tui.widgets.cart_table import CartTable

    class BenchPosApp(ScanClock, PosApp):
        pass

    settings = load_settings({"POS_DB": str(db), "POS_HOME": str(db.parent), "POS_TERMINAL": terminal})
    open_database(db)
    app = BenchPosApp(settings)
    per_size: dict[int, dict[str, list[float]]] = {n: {"paint": [], "cart": [], "totals": []} for n in sizes}
    same_paint = dict.fromkeys(sizes, 0)
    paints_before: dict[int, int] = {}
    pool = iter(codes * 1000)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await _log_in(app, pilot)
            screen = app.screen
            assert isinstance(screen, SaleScreen)
            table = screen.query_one(CartTable)
            scan = screen.query_one("#scan", Input)
            summary = screen.query_one("#summary", Static)
            session = app.session
            actor = session.require_actor()
            shown: list[float] = []
            show_cart = screen.show_cart

            def timed_show_cart(cart: Cart, **kwargs: Any) -> None:
                show_cart(cart, **kwargs)
                shown.append(time.monotonic())

            async def empty_cart() -> None:
                till.discard_open_cart(terminal, actor.user_id)
                show_cart(Cart())
                await pilot.pause()

            async def fill(lines: int) -> None:
                """Put ``lines`` lines in the cart through the core (untimed), then show it."""
                cart = Cart()
                for _ in range(lines):
                    cart = till.add_item(
                        terminal, actor, next(pool), now=session.now(), tz=session.tz, masks=settings.scale_labels
                    )
                show_cart(cart)
                await pilot.pause()

            async def scan_one() -> tuple[float, float, float, int]:
                scan.value = next(pool)
                await pilot.pause()
                rows = table.row_count
                shown.clear()
                app.arm_probe(functools.partial(line_painted, table, str(rows + 1)))
                app.arm_region(summary.region)
                t0 = time.monotonic()
                press_enter(app)
                await until(lambda: app.probe_at is not None and app.region_at is not None, timeout=10)
                assert app.probe_at is not None and app.region_at is not None and shown, "no line on screen"
                assert table.row_count == rows + 1, "the scan merged into the previous line"
                return app.probe_at - t0, shown[0] - t0, app.region_at - t0, app.paints_between(t0, app.probe_at)

            screen.show_cart = timed_show_cart  # type: ignore[method-assign]
            for _ in range(warmup):
                if table.row_count >= CART_LINES:
                    await empty_cart()
                await scan_one()
            for size, timed in cart_plan(sizes, samples, window):
                await empty_cart()
                await fill(size - timed)
                if neighbour is not None:
                    neighbour.sample()
                for _ in range(timed):
                    paint, cart, totals, earlier = await scan_one()
                    per_size[size]["paint"].append(paint)
                    per_size[size]["cart"].append(cart)
                    per_size[size]["totals"].append(totals)
                    same_paint[size] += totals <= paint
                    paints_before[earlier] = paints_before.get(earlier, 0) + 1
            await empty_cart()
    finally:
        close_database()
    every = [t for n in sizes for t in per_size[n]["paint"]]
    return {
        "enter_to_line_painted": percentiles(every),
        "by_cart_size": {
            str(n): {
                "enter_to_line_painted": percentiles(per_size[n]["paint"]),
                "enter_to_cart_updated": percentiles(per_size[n]["cart"]),
                "enter_to_totals_painted": percentiles(per_size[n]["totals"]),
                "totals_in_the_line_paint": same_paint[n],
                "lines_timed": f"{max(n - min(window, n) + 1, 1)}-{n}",
            }
            for n in sizes
        },
        "other_paints_before_the_line": {str(k): v for k, v in sorted(paints_before.items())},
        "terminal_size": f"{SIZE[0]}x{SIZE[1]}",
        "textual_fps": MAX_FPS,
    }


async def textual_floor(samples: int, warmup: int) -> dict[str, Any]:
    """The baseline: a minimal Textual app (an input and a label) where Enter puts the entry
    in the label, timed the same way (Enter as the driver sends it → the first paint that
    shows the entry). What Textual itself costs from a key to the screen."""
    from textual.app import App, ComposeResult
    from textual.widgets import Input, Label

    class Floor(ScanClock, App[None]):
        CSS = "#shown { width: 40; }"  # a fixed size: the label's update needs no layout

        def compose(self) -> ComposeResult:
            yield Input(id="scan")
            yield Label("", id="shown")

        def on_input_submitted(self, event: Input.Submitted) -> None:
            self.query_one("#shown", Label).update(event.value, layout=False)
            event.input.value = ""

    app = Floor()
    times: list[float] = []
    async with app.run_test(size=SIZE) as pilot:
        scan = app.query_one("#scan", Input)
        label = app.query_one("#shown", Label)
        for i in range(samples + warmup):
            text = f"869{i:010d}"
            scan.value = text
            await pilot.pause()
            app.arm_probe(lambda output, text=text: text in output)  # type: ignore[misc]
            app.arm_region(label.region)
            t0 = time.monotonic()
            press_enter(app)
            await until(lambda: app.probe_at is not None, timeout=10)
            if i >= warmup:
                assert app.probe_at is not None
                times.append(app.probe_at - t0)
    return percentiles(times)


def scan_runs(
    db: Path,
    terminal: str,
    codes: list[str],
    *,
    sizes: list[int],
    samples: int,
    warmup: int,
    window: int,
    load: int,
    settle: float,
) -> dict[str, Any]:
    """Idle, then (``load`` > 0) beside ``load`` CPU-burning processes: the Textual floor and
    our scans in each condition, with the load average."""
    out: dict[str, Any] = {}
    before = os.getloadavg()[0]
    out["idle"] = {
        "textual_floor": asyncio.run(textual_floor(samples, warmup)),
        **asyncio.run(scan_to_screen(db, terminal, codes, sizes=sizes, samples=samples, warmup=warmup, window=window)),
        "load_average_1min": {"before": round(before, 2), "after": round(os.getloadavg()[0], 2)},
    }
    if load:
        with Neighbour(load) as neighbour:
            time.sleep(settle)
            neighbour.sample()
            floor = asyncio.run(textual_floor(samples, warmup))
            loaded = asyncio.run(
                scan_to_screen(
                    db,
                    terminal + "L",
                    codes,
                    sizes=sizes,
                    samples=samples,
                    warmup=warmup,
                    window=window,
                    neighbour=neighbour,
                )
            )
            neighbour.sample()
        out["loaded"] = {
            "textual_floor": floor,
            **loaded,
            "neighbour_processes": load,
            "load_average_1min": _load_summary(neighbour.samples),
        }
    return out


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
    parser.add_argument("--scans", type=int, default=500, help="timed scans per cart size and condition")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--cart-sizes", default="1,20,100", help="cart sizes (lines) to time scans at")
    parser.add_argument("--window", type=int, default=10, help="scans timed per filled cart (lines N-w+1…N)")
    parser.add_argument(
        "--load",
        type=int,
        nargs="?",
        const=3,
        default=0,
        help="also scan beside this many CPU-burning processes (default 3: load average about 3)",
    )
    parser.add_argument("--settle", type=float, default=20.0, help="seconds the neighbour burns before timing")
    parser.add_argument("--starts", type=int, default=5, help="cold starts of each app (0: scans only)")
    parser.add_argument("--memory-scans", type=int, default=50, help="scans before reading the till's memory")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args()
    sizes = [int(n) for n in args.cart_sizes.split(",")]

    db = ensure_catalog(args.db, args.products)
    codes, terminal = prepare(db, max(sizes) * 4 + args.memory_scans)
    memory_codes, scan_codes = codes[: args.memory_scans], codes[args.memory_scans :]
    starts: dict[str, Any] | None = None
    uncached: dict[str, Any] | None = None
    if args.starts:
        with tempfile.TemporaryDirectory(prefix="pos-bench-tui-") as tmp:
            starts = cold_starts(db, args.starts, memory_codes, Path(tmp))
        with tempfile.TemporaryDirectory(prefix="pos-bench-tui-") as tmp:
            uncached = cold_starts(db, args.starts, memory_codes, Path(tmp), bytecode=False)
    warm_file(db)
    runs = scan_runs(
        db,
        terminal,
        scan_codes,
        sizes=sizes,
        samples=args.scans,
        warmup=args.warmup,
        window=args.window,
        load=args.load,
        settle=args.settle,
    )
    scans = runs["idle"]
    from pos_tui.store import close_database, open_database
    from pos_tui.store import models as m

    open_database(db)
    products = m.Product.select().count()
    close_database()
    n = f"{products:,}"
    scan_rows = []
    for condition, run in runs.items():
        floor = run["textual_floor"]["p99_ms"]
        for size in sizes:
            scan_rows.append(
                verdict(
                    f"scan to line on screen p99, {n} products, cart at {size} lines, {condition}",
                    "ms",
                    run["by_cart_size"][str(size)]["enter_to_line_painted"]["p99_ms"],
                    baseline=floor,
                    baseline_name="minimal Textual app, Enter to label painted, p99",
                    max_value=16.0,
                )
            )
    result: dict[str, Any] = {
        "products": products,
        "scan": scans,
        "scan_loaded": runs.get("loaded"),
        "summary": scan_rows,
    }
    if starts is not None:
        minimal = starts["minimal_textual_app"]["median_ms"]
        login = starts["pos_login_screen"]["median_ms"]
        sale = starts["pos_sale_screen"]["median_ms"]
        peak = starts["memory"]["pos_peak_rss_mb"]
        result["cold_start"] = starts
        result["cold_start_no_bytecode_cache"] = uncached
        result["ratios"] = {"login_vs_minimal": ratio(login, minimal), "sale_vs_minimal": ratio(sale, minimal)}
        result["summary"] += [
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
        ]
    if uncached is not None:
        result["summary"] += [
            verdict(
                "cold start to the sale screen, no bytecode cache, median",
                "ms",
                uncached["pos_sale_screen"]["median_ms"],
                baseline=uncached["minimal_textual_app"]["median_ms"],
                baseline_name="minimal Textual app, first paint, no bytecode cache",
                max_value=1000.0,
                max_ratio=1.5,
            ),
        ]
    if starts is not None:
        result["summary"] += [
            verdict(
                f"resident memory (peak), {n} products",
                "MB",
                peak,
                baseline=starts["memory"]["minimal_textual_app_rss_mb"],
                baseline_name="minimal Textual app",
                max_value=150.0,
            ),
        ]
    save("tui", result, quiet=args.quiet)


if __name__ == "__main__":
    main()

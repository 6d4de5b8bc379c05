"""The counting screen (sayım): scan → the counted line and the totals on screen, as on the sale screen.

Issue 12 asks the counting screen to be as fast as the sale screen: scan → line on screen in
under one frame. This measures it exactly as :mod:`benchmarks.bench_tui` measures the sale
screen, with its helpers (imported, not copied): ``PosApp`` headless under ``App.run_test``
at the same 100×30, on the same catalogue database (1,000,000 products; a copy of it, made
with SQLite's backup API, so the count sessions written here never reach the kept file). The
benchmark logs the cashier in with a PIN (the sale screen, a shift open), then opens the
counting screen on a count session as F12 → Stock → Stock count does (``CountingScreen``
pushed on the sale screen, no zone). For each sample it puts a barcode in the scan field (not
timed: a scanner types it) and times from the Enter key, delivered as the terminal driver
delivers keys, to the first paint whose output to the terminal shows the product's line at
the top of the list (its code and the start of its name, as the list renders them) after the
screen recorded the entry; it also notes the first paint that repaints the totals' line
(``bench_tui.ScanClock``), to show whether line and totals arrive together, and when the
screen's ``counted`` returned (the core's event written and read back, the widgets updated).

Session sizes (``--events``, default 0, 1,000 and 10,000): a session that already holds that
many count events before the timed scans, one per product (wrapping over the products when the
catalogue is smaller), written in bulk in setup with their count lines (expected = on hand
then), not timed; the screen opens on it and reads every line (F5's work, not timed). The
timed scans alternate a product already counted in that session (its line moves from deep in
the list to the top) and one not counted yet (a new line on top). The sizes take turns round
by round (``--window`` scans each); size 0 gets a fresh session every round, so its scans
always find at most ``--window`` events before them. ``--scans`` samples per size.

Baselines in the same run and condition: the minimal Textual app of ``bench_tui`` (an input
and a label; Enter → the label painted), the floor of what Textual costs from a key to the
screen; and the sale screen itself (``bench_tui.scan_to_screen``) at ``--sale-cart-sizes``
lines, so "as fast as the sale screen" is a ratio of two numbers from one run. ``--load [N]``
repeats everything beside N CPU-burning processes, sampling the 1-minute load average.

Target (issue 12, as issue 2's for the sale screen): p99 < 16 ms (one frame at 60 Hz).

    python3 -m benchmarks.bench_count_tui [--db CATALOG.sqlite3 | --products 1000000] [--scans 500] [--quick] [--load]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import sqlite3
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.bench_tui import (
    CASHIER,
    Neighbour,
    ScanClock,
    _load_summary,
    _log_in,
    ensure_catalog,
    prepare,
    scan_to_screen,
    textual_floor,
)
from benchmarks.common import percentiles, save, verdict, warm_file
from benchmarks.tui_start import SIZE, press_enter, until

SUPERVISOR = "benchsayim"
SUPERVISOR_PIN = "7373"
FRAME_MS = 16.0


def copy_database(source: Path, target: Path) -> Path:
    """A consistent copy of ``source`` (WAL included) at ``target``, with SQLite's backup API,
    and the PIN key files beside it (the users' PINs are checked with them)."""
    for key in source.parent.glob("pin-*.key"):
        shutil.copy2(key, target.parent / key.name)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst, pages=1 << 16)
    finally:
        dst.close()
        src.close()
    return target


def product_ids(db: Path, barcodes: list[str]) -> list[int]:
    """The product id of each barcode (bench_tui.prepare's piece products)."""
    con = sqlite3.connect(db)
    try:
        found: dict[str, int] = {}
        for start in range(0, len(barcodes), 500):
            chunk = barcodes[start : start + 500]
            sql = f"SELECT code, product_id FROM barcode WHERE code IN ({', '.join('?' * len(chunk))})"
            found.update(con.execute(sql, chunk).fetchall())
    finally:
        con.close()
    return [found[c] for c in barcodes]


def list_names(db: Path, pids: list[int]) -> dict[int, tuple[str, str]]:
    """Each product's code and the start of its name (the part the list shows at 100 columns)."""
    con = sqlite3.connect(db)
    try:
        out: dict[int, tuple[str, str]] = {}
        for start in range(0, len(pids), 500):
            chunk = pids[start : start + 500]
            sql = f"SELECT id, code, name FROM product WHERE id IN ({', '.join('?' * len(chunk))})"
            out.update({pid: (code, name[:12]) for pid, code, name in con.execute(sql, chunk)})
    finally:
        con.close()
    return out


def open_sessions(db: Path, sizes: list[int], pids: list[int]) -> dict[int, int]:
    """A supervisor, and one open count session per size > 0 holding that many events (one per
    product of ``pids`` in turn), written in bulk with the products' count lines. Untimed."""
    from pos_tui.core import staff
    from pos_tui.core.kernel.clock import to_db
    from pos_tui.core.stock import counting
    from pos_tui.core.stock.ledger import on_hand
    from pos_tui.settings import load_settings
    from pos_tui.store import close_database, fast, open_database, write_tx
    from pos_tui.store import models as m

    now = datetime.now(UTC)
    open_database(db)
    settings = load_settings({"POS_DB": str(db), "POS_HOME": str(db.parent)})
    try:
        if not any(u.name == SUPERVISOR for u in staff.list_users()):
            staff.add_user(SUPERVISOR, "supervisor", SUPERVISOR_PIN, now=now, settings=settings)
        boss = staff.actor_by_name(SUPERVISOR, settings=settings)
        counter = staff.actor_by_name(CASHIER, settings=settings)
        sessions: dict[int, int] = {}
        at = to_db(now)
        for size in sizes:
            if size == 0:
                continue
            info = counting.open_count(f"bench {size}", actor=boss, now=now, terminal="TBENCH")
            counted = pids[: min(size, len(pids))]
            with write_tx():
                lines = [(info.id, pid, on_hand(pid, info.location_id), at) for pid in counted]
                fast.insert_many(m.CountLine, ("session", "product", "expected", "at"), lines)
                events = [
                    (counting.new_uid(), info.id, counted[i % len(counted)], 1000, counter.user_id, "TBENCH", at)
                    for i in range(size)
                ]
                fast.insert_many(m.CountEvent, ("uid", "session", "product", "qty", "user", "terminal", "at"), events)
            sessions[size] = info.id
    finally:
        close_database()
    return sessions


def count_plan(sizes: list[int], samples: int, window: int) -> list[tuple[int, int]]:
    """Rounds ``(size, timed)``: the sizes take turns, ``window`` scans each, ``samples`` in all."""
    left = dict.fromkeys(sizes, samples)
    plan: list[tuple[int, int]] = []
    while any(left.values()):
        for n in sizes:
            if left[n]:
                timed = min(window, left[n])
                plan.append((n, timed))
                left[n] -= timed
    return plan


def count_line_painted(screen: Any, entries: int, code: str, name: str, output: str) -> bool:
    """Whether ``output`` (a paint, as sent to the terminal) is the one that shows this entry:
    the screen has recorded it (``entries`` grew) and the product's code and the start of its
    name, as the list renders them, are in the paint."""
    return screen.entries > entries and code in output and name in output


async def count_to_screen(
    db: Path,
    terminal: str,
    codes: list[str],
    pids: list[int],
    sessions: dict[int, int],
    *,
    sizes: list[int],
    samples: int,
    warmup: int,
    window: int,
    neighbour: Neighbour | None = None,
) -> dict[str, Any]:
    """Scan on the counting screen of a session at each of ``sizes`` events; percentiles of
    Enter → line painted (and → screen updated, → totals painted) per size."""
    from textual.constants import MAX_FPS
    from textual.widgets import Input, Static

    from pos_tui.core import staff
    from pos_tui.core.stock import counting
    from pos_tui.settings import load_settings
    from pos_tui.store import close_database, open_database
    from pos_tui.tui.app import PosApp
    from pos_tui.tui.screens.counting import CountingScreen

    class BenchPosApp(ScanClock, PosApp):
        pass

    settings = load_settings({"POS_DB": str(db), "POS_HOME": str(db.parent), "POS_TERMINAL": terminal})
    open_database(db)
    app = BenchPosApp(settings)
    per_size: dict[int, dict[str, list[float]]] = {n: {"paint": [], "screen": [], "totals": []} for n in sizes}
    same_paint = dict.fromkeys(sizes, 0)
    events_at: dict[int, list[int]] = {n: [] for n in sizes}
    lines_at: dict[int, list[int]] = {n: [] for n in sizes}
    barcode = dict(zip(pids, codes, strict=True))
    shown_as = list_names(db, pids)
    counted_in = {
        size: set(pids[: min(size, len(pids))]) if size else set() for size in sizes
    }  # products with a line in each session
    events_in = {sessions[n]: n for n in sizes if n}  # events in each session so far
    rnd = random.Random(11)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await _log_in(app, pilot)
            boss = staff.actor_by_name(SUPERVISOR, settings=settings)  # opens the fresh sessions

            async def enter(session_id: int) -> CountingScreen:
                screen = CountingScreen(counting.get_count(session_id), None)
                await app.push_screen(screen)
                await until(lambda: app.screen is screen and isinstance(app.focused, Input))
                await pilot.pause()
                return screen

            async def leave() -> None:
                app.pop_screen()
                await pilot.pause()

            def fresh_session() -> int:
                info = counting.open_count("bench 0", actor=boss, now=app.session.now(), terminal=terminal)
                return info.id

            def pick(size: int, turn: int) -> int:
                """A product already counted in the session (even turns), else one not counted yet."""
                inside = counted_in[size]
                if turn % 2 == 0 and inside:
                    return rnd.choice(tuple(inside))
                for _ in range(50):
                    pid = rnd.choice(pids)
                    if pid not in inside:
                        return pid
                return rnd.choice(pids)  # a small catalogue, all counted: a line moves to the top

            async def scan_one(screen: CountingScreen, pid: int) -> tuple[float, float, float]:
                scan = screen.query_one("#scan", Input)
                totals = screen.query_one("#count-totals", Static)
                code, name = shown_as[pid]
                scan.value = barcode[pid]
                await pilot.pause()
                shown: list[float] = []
                counted = screen.counted

                def timed_counted(result: Any) -> None:
                    counted(result)
                    shown.append(time.monotonic())

                screen.counted = timed_counted  # type: ignore[method-assign]
                entries = screen.entries
                app.arm_probe(lambda output: count_line_painted(screen, entries, code, name, output))
                app.arm_region(totals.region)
                t0 = time.monotonic()
                press_enter(app)
                await until(lambda: app.probe_at is not None and app.region_at is not None, timeout=10)
                screen.counted = counted  # type: ignore[method-assign]
                assert app.probe_at is not None and app.region_at is not None and shown, "no line on screen"
                assert screen.order[0] == pid, "the counted product is not on top"
                return app.probe_at - t0, shown[0] - t0, app.region_at - t0

            screen = await enter(fresh_session())
            for _ in range(warmup):
                await scan_one(screen, rnd.choice(pids))
            await leave()
            for turn, (size, timed) in enumerate(count_plan(sizes, samples, window)):
                if size == 0:
                    counted_in[0] = set()
                    session_id = fresh_session()
                    events_in[session_id] = 0
                else:
                    session_id = sessions[size]
                screen = await enter(session_id)
                if neighbour is not None:
                    neighbour.sample()
                for i in range(timed):
                    pid = pick(size, turn + i)
                    events_at[size].append(events_in[session_id])
                    lines_at[size].append(len(screen.lines))
                    paint, shown_at, totals_at = await scan_one(screen, pid)
                    counted_in[size].add(pid)
                    events_in[session_id] += 1
                    per_size[size]["paint"].append(paint)
                    per_size[size]["screen"].append(shown_at)
                    per_size[size]["totals"].append(totals_at)
                    same_paint[size] += totals_at <= paint
                await leave()
    finally:
        close_database()
    every = [t for n in sizes for t in per_size[n]["paint"]]
    return {
        "enter_to_line_painted": percentiles(every),
        "by_session_events": {
            str(n): {
                "enter_to_line_painted": percentiles(per_size[n]["paint"]),
                "enter_to_screen_updated": percentiles(per_size[n]["screen"]),
                "enter_to_totals_painted": percentiles(per_size[n]["totals"]),
                "totals_in_the_line_paint": same_paint[n],
                "events_before_a_scan": {"min": min(events_at[n]), "max": max(events_at[n])},
                "lines_on_the_screen_before_a_scan": {"min": min(lines_at[n]), "max": max(lines_at[n])},
            }
            for n in sizes
        },
        "terminal_size": f"{SIZE[0]}x{SIZE[1]}",
        "textual_fps": MAX_FPS,
    }


def runs(
    db: Path,
    terminal: str,
    codes: list[str],
    pids: list[int],
    sessions: dict[int, int],
    *,
    sizes: list[int],
    sale_sizes: list[int],
    samples: int,
    warmup: int,
    window: int,
    load: int,
    settle: float,
) -> dict[str, Any]:
    """Idle, then (``load`` > 0) beside CPU-burning processes: the Textual floor, the sale
    screen and the counting screen in each condition, with the load average."""

    def one(suffix: str, neighbour: Neighbour | None) -> dict[str, Any]:
        out: dict[str, Any] = {"textual_floor": asyncio.run(textual_floor(samples, warmup))}
        if sale_sizes:
            sale = asyncio.run(
                scan_to_screen(
                    db,
                    terminal + suffix + "S",
                    codes,
                    sizes=sale_sizes,
                    samples=samples,
                    warmup=warmup,
                    window=window,
                    neighbour=neighbour,
                )
            )
            out["sale_screen"] = {k: sale[k] for k in ("enter_to_line_painted", "by_cart_size")}
        count = count_to_screen(
            db,
            terminal + suffix,
            codes,
            pids,
            sessions,
            sizes=sizes,
            samples=samples,
            warmup=warmup,
            window=window,
            neighbour=neighbour,
        )
        out.update(asyncio.run(count))
        return out

    result: dict[str, Any] = {}
    before = os.getloadavg()[0]
    idle = one("", None)
    idle["load_average_1min"] = {"before": round(before, 2), "after": round(os.getloadavg()[0], 2)}
    result["idle"] = idle
    if load:
        with Neighbour(load) as neighbour:
            time.sleep(settle)
            neighbour.sample()
            loaded = one("L", neighbour)
            neighbour.sample()
        loaded["neighbour_processes"] = load
        loaded["load_average_1min"] = _load_summary(neighbour.samples)
        result["loaded"] = loaded
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--products", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, help="catalogue database to copy (bench_catalog --keep)")
    parser.add_argument("--scans", type=int, default=500, help="timed scans per session size and condition")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--events", default="0,1000,10000", help="events already in the session")
    parser.add_argument("--window", type=int, default=25, help="scans timed per turn of a session size")
    parser.add_argument("--sale-cart-sizes", default="1,100", help="sale screen baseline cart sizes ('' for none)")
    parser.add_argument(
        "--load", type=int, nargs="?", const=3, default=0, help="also scan beside this many CPU-burning processes"
    )
    parser.add_argument("--settle", type=float, default=20.0, help="seconds the neighbour burns before timing")
    parser.add_argument("--quick", action="store_true", help="a smoke run: 20 scans, a short warm-up")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.scans, args.warmup, args.window = min(args.scans, 20), min(args.warmup, 5), min(args.window, 10)
    sizes = [int(n) for n in args.events.split(",")]
    sale_sizes = [int(n) for n in args.sale_cart_sizes.split(",") if n.strip()]

    source = ensure_catalog(args.db, args.products)
    with tempfile.TemporaryDirectory(prefix="pos-bench-count-tui-") as tmp:
        db = copy_database(source, Path(tmp) / "count.sqlite3")
        pool = max(sizes) + args.scans * len(sizes) + args.warmup
        codes, terminal = prepare(db, max(pool, max(sale_sizes, default=1) * 4))
        pids = product_ids(db, codes)
        sessions = open_sessions(db, sizes, pids)
        warm_file(db)
        measured = runs(
            db,
            terminal,
            codes,
            pids,
            sessions,
            sizes=sizes,
            sale_sizes=sale_sizes,
            samples=args.scans,
            warmup=args.warmup,
            window=args.window,
            load=args.load,
            settle=args.settle,
        )
        con = sqlite3.connect(db)
        (products,) = con.execute("SELECT COUNT(*) FROM product").fetchone()
        con.close()

    n = f"{products:,}"
    rows = []
    for condition, run in measured.items():
        floor = run["textual_floor"]["p99_ms"]
        for size in sizes:
            rows.append(
                verdict(
                    f"count screen: scan to line on screen p99, {n} products, session at {size:,} events, {condition}",
                    "ms",
                    run["by_session_events"][str(size)]["enter_to_line_painted"]["p99_ms"],
                    baseline=floor,
                    baseline_name="minimal Textual app, Enter to label painted, p99",
                    max_value=FRAME_MS,
                )
            )
        if "sale_screen" in run:
            biggest = str(max(sale_sizes))
            sale_p99 = run["sale_screen"]["by_cart_size"][biggest]["enter_to_line_painted"]["p99_ms"]
            rows.append(
                verdict(
                    f"count screen at {max(sizes):,} events vs sale screen at {biggest} lines, p99, {condition}",
                    "ms",
                    run["by_session_events"][str(max(sizes))]["enter_to_line_painted"]["p99_ms"],
                    baseline=sale_p99,
                    baseline_name=f"sale screen, cart at {biggest} lines, scan to line painted, p99",
                )
            )
    result = {
        "products": products,
        "scan": measured["idle"],
        "scan_loaded": measured.get("loaded"),
        "summary": rows,
    }
    save("count_tui", result, quiet=args.quiet)


if __name__ == "__main__":
    main()

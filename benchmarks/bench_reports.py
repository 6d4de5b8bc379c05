"""Every report over a year of a busy shop (issue 17 §5): a month under 1 s, a year under 5 s; the
report screen's first paint under 200 ms.

The data is :mod:`benchmarks.year_shop`: 300,000 receipts over 2025 (about 1,000,000 lines and
1,100,000 stock movements, 2 stores, 3 terminals; generated once, about a minute, and cached).
The reports are made as on the last evening of the year (``now`` 31.12.2025 23:30, Istanbul).

**1. Reports.** For every name of ``pos_tui.core.reports.CATALOGUE``, in this process:
``run_report(name, ReportQuery(period, tz, now))`` for the last month (December) and for the whole
year: the first call (cold: the module imported, the pages of the file read), then ``--runs``
calls (median and max of the wall clock, and the median CPU time, ``time.thread_time``, which a
shared machine's waits leave out; the first call was their warm-up). A name whose module is not there yet is
recorded as ``missing``; one that raises as ``error`` (with the message), and the run goes on.
Baseline, the same run and connection, in turn with the report: the floor any report of the period
must read, ``SELECT count(*), sum(total) FROM sale WHERE at >= ? AND at < ?`` plus the period's
lines ``SELECT sum(l.total) FROM sale_line l JOIN sale s …``. Targets: month < 1 s, year < 5 s
(the median; met or missed is reported, nothing asserts it).

**2. Exports.** ``write_report`` (when ``pos_tui.core.reports`` exports it) of a month of
``sales-by-product`` (``sales-by-day`` while that one is missing) to CSV, XLSX and PDF, against the
same table written bare: the ``csv`` module, ``xlsxwriter`` cells without formats, and a
``reportlab`` canvas with one line of text per row.

**3. The report screen's first paint** (:mod:`benchmarks.report_paint`, a fresh process per
measurement, logged in as the admin on a copy of the shop at the year's last evening): F12 then the
menu's ``r``, to the first paint of the report screen and to the first paint showing its table with
rows (the default report shown); the baseline is the stock look-up screen (F12 → ``s`` → ``6``) of
the same app, also imported when first opened; the F12 menu's own paint is recorded too. Processes
alternate, with the bytecode cache present (a precompiled copy of pos_tui) and absent (a copy
without ``__pycache__``, ``PYTHONDONTWRITEBYTECODE=1``), as ``bench_tui`` does for start-up.

The load average is recorded before and after each part.

    python3 -m benchmarks.bench_reports [--runs 3] [--starts 3] [--only NAME …] [--no-paint] [--quick]
"""

from __future__ import annotations

import argparse
import csv
import functools
import gc
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from benchmarks.common import save, verdict, warm_file
from benchmarks.year_shop import ADMIN, PINS, TZ, YEAR, ShopSize, ensure_shop, shop_now, tiny

MONTH_TARGET_S = 1.0
YEAR_TARGET_S = 5.0
PAINT_TARGET_MS = 200.0
EXPORT_REPORT = "sales-by-product"
FORMATS = ("csv", "xlsx", "pdf")
PAINT_TERMINAL = "TP"
SLOW_S = 20.0  # a first call this slow is timed once more only (the run stays bounded)


def module_of(name: str) -> str:
    """The module report ``name`` lives in (``pos_tui.core.reports.registry`` names them so)."""
    return f"pos_tui.core.reports.{name.replace('-', '_')}"


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def periods(size: ShopSize) -> dict[str, Any]:
    """``month``: the calendar month of the data's last day; ``year``: every day of the data."""
    from pos_tui.core.reports import Period

    last = size.last_day
    return {"month": Period(last.replace(day=1), last), "year": Period(size.first_day, last)}


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    gc.collect()
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def _timed_cpu(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    """Wall-clock and CPU seconds of ``fn()`` (``time.thread_time``: without the waits for a processor
    or the disk, which a shared machine makes long), and its result."""
    gc.collect()
    t, c = time.perf_counter(), time.thread_time()
    out = fn()
    return time.perf_counter() - t, time.thread_time() - c, out


def stats(runs: list[float]) -> dict[str, Any]:
    return {
        "median_s": round(statistics.median(runs), 4),
        "max_s": round(max(runs), 4),
        "runs_s": [round(r, 4) for r in runs],
    }


# --------------------------------------------------------------------------- 1. reports


def floor_query(period: Any) -> Callable[[], Any]:
    """The baseline of ``period``: what any report of it must at least read."""
    from pos_tui.core.kernel.clock import to_db
    from pos_tui.store import database

    start, end = (to_db(b).isoformat(" ") for b in period.bounds(TZ))

    def run() -> Any:
        head = database.execute_sql("SELECT count(*), sum(total) FROM sale WHERE at >= ? AND at < ?", (start, end))
        lines = database.execute_sql(
            "SELECT sum(l.total) FROM sale_line l JOIN sale s ON s.id = l.sale_id WHERE s.at >= ? AND s.at < ?",
            (start, end),
        )
        return head.fetchone(), lines.fetchone()

    return run


def report_part(names: list[str], size: ShopSize, runs: int) -> dict[str, Any]:
    from pos_tui.core.reports import CATALOGUE, ReportQuery, report_spec, run_report

    now = shop_now(size)
    chosen = [e.name for e in CATALOGUE if not names or e.name in names]
    out: dict[str, Any] = {"load_average_before": load_average(), "now": now.isoformat(), "reports": {}}
    spans = periods(size)
    floors = {key: floor_query(p) for key, p in spans.items()}
    baseline: dict[str, list[float]] = {key: [] for key in spans}
    baseline_cpu: dict[str, list[float]] = {key: [] for key in spans}
    for key, fn in floors.items():  # the floors' first call: their warm-up
        cold, counted = _timed(fn)
        out.setdefault("floor_first_s", {})[key] = round(cold, 4)
        out.setdefault("floor_rows", {})[key] = {
            "documents": counted[0][0],
            "total_kurus": counted[0][1],
            "lines_total_kurus": counted[1][0],
        }
    for name in chosen:
        try:
            report_spec(name)
        except ModuleNotFoundError as exc:
            if exc.name != module_of(name):
                raise
            out["reports"][name] = {"status": "missing", "detail": str(exc)}
            continue
        entry: dict[str, Any] = {"status": "ok"}
        for key, period in spans.items():
            query = ReportQuery(period=period, tz=TZ, now=now)
            try:
                cold, _cpu, report = _timed_cpu(functools.partial(run_report, name, query))
                timings, cpu = [], []
                for _run in range(runs if cold < SLOW_S else 1):  # a report far over target: one more run
                    wall, used, _report = _timed_cpu(functools.partial(run_report, name, query))
                    timings.append(wall)
                    cpu.append(used)
                    wall, used, _rows = _timed_cpu(floors[key])
                    baseline[key].append(wall)
                    baseline_cpu[key].append(used)
            except Exception as exc:  # a report that fails is recorded, and the others still run
                entry["status"] = "error"
                entry[key] = {"error": f"{type(exc).__name__}: {exc}", "trace": traceback.format_exc()[-1500:]}
                continue
            entry[key] = {
                "first_s": round(cold, 4),
                **stats(timings),
                "median_cpu_s": round(statistics.median(cpu), 4),
                "rows": len(report.rows),
                "days": period.days,
            }
        out["reports"][name] = entry
    out["floor"] = {
        key: {**stats(v), "median_cpu_s": round(statistics.median(baseline_cpu[key]), 4)} if v else None
        for key, v in baseline.items()
    }
    out["missing"] = [n for n, e in out["reports"].items() if e["status"] == "missing"]
    out["errors"] = [n for n, e in out["reports"].items() if e["status"] == "error"]
    out["load_average_after"] = load_average()
    return out


# --------------------------------------------------------------------------- 2. exports


def _write(report: Any, fmt: str, path: Path, settings: Any) -> None:
    from pos_tui.core.reports import write_report

    write_report(report, path, fmt, settings=settings)


def bare_csv(report: Any, path: Path) -> None:
    from pos_tui.core.reports import plain_number

    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f, delimiter=";")
        w.writerow([c.label for c in report.columns])
        kinds = [c.kind for c in report.columns]
        for row in report.rows:
            w.writerow([plain_number(v, k) for v, k in zip(row, kinds, strict=True)])


def bare_xlsx(report: Any, path: Path) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet()
    ws.write_row(0, 0, [c.label for c in report.columns])
    for r, row in enumerate(report.rows, start=1):
        ws.write_row(r, 0, [v if isinstance(v, int | float | str) or v is None else str(v) for v in row])
    wb.close()


def bare_pdf(report: Any, path: Path) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=A4)
    y = 800
    for row in (tuple(col.label for col in report.columns), *report.rows):
        c.drawString(30, y, " | ".join("" if v is None else str(v) for v in row))
        y -= 12
        if y < 40:
            c.showPage()
            y = 800
    c.save()


BARE = {"csv": bare_csv, "xlsx": bare_xlsx, "pdf": bare_pdf}


def export_part(size: ShopSize, runs: int, work: Path) -> dict[str, Any]:
    from pos_tui.core.reports import ReportQuery, report_spec, run_report
    from pos_tui.settings import load_settings

    out: dict[str, Any] = {"load_average_before": load_average()}
    settings = load_settings({"POS_HOME": str(work)})  # the shop's header: the default settings'
    name = EXPORT_REPORT
    try:
        report_spec(name)
    except ModuleNotFoundError as exc:
        if exc.name != module_of(name):
            raise
        name = "sales-by-day"
        out["note"] = f"{EXPORT_REPORT} is missing: the export is of sales-by-day"
    report = run_report(name, ReportQuery(period=periods(size)["month"], tz=TZ, now=shop_now(size)))
    out.update(report=name, rows=len(report.rows), columns=len(report.columns))
    for fmt in FORMATS:
        entry: dict[str, Any] = {}
        bare_path = work / f"bare.{fmt}"
        cold, _ = _timed(lambda f=fmt, p=bare_path: BARE[f](report, p))  # type: ignore[misc]
        bare = [_timed(lambda f=fmt, p=bare_path: BARE[f](report, p))[0] for _ in range(runs)]  # type: ignore[misc]
        entry["bare"] = {"first_s": round(cold, 4), **stats(bare), "bytes": bare_path.stat().st_size}
        path = work / f"report.{fmt}"
        try:
            cold, _ = _timed(lambda f=fmt, p=path: _write(report, f, p, settings))  # type: ignore[misc]
            ours = [_timed(lambda f=fmt, p=path: _write(report, f, p, settings))[0] for _ in range(runs)]  # type: ignore[misc]
            entry["write_report"] = {"first_s": round(cold, 4), **stats(ours), "bytes": path.stat().st_size}
        except Exception as exc:
            entry["write_report"] = {
                "error": f"{type(exc).__name__}: {exc}",
                "trace": traceback.format_exc()[-1500:],
            }
        out[fmt] = entry
    out["load_average_after"] = load_average()
    return out


# --------------------------------------------------------------------------- 3. first paint


def paint_copy(db: Path, work: Path, now: datetime) -> Path:
    """A copy of the shop (its folder: the PIN key is there) for the till to log in to, with a shift
    open on the paint terminal and the agenda refreshed once (the login then finds nothing new)."""
    from decimal import Decimal

    from pos_tui.core import agenda, cash, staff
    from pos_tui.settings import load_settings
    from pos_tui.store import close_database, open_database

    target = work / "shop"
    shutil.copytree(db.parent, target)
    copy = target / db.name
    open_database(copy)
    settings = load_settings({"POS_DB": str(copy), "POS_HOME": str(target)})
    actor = staff.actor_by_name(ADMIN, settings=settings)
    if cash.current_shift(PAINT_TERMINAL) is None:
        cash.open_shift(PAINT_TERMINAL, actor, Decimal("500.00"), now=now)
    agenda.refresh(now=now, tz=TZ, language=settings.language)
    close_database()
    return copy


def _paint_once(target: str, db: Path, now: datetime, env: dict[str, str], work: Path) -> dict[str, Any]:
    out = work / f"paint_{target}.json"
    out.unlink(missing_ok=True)
    command = [
        sys.executable,
        "-m",
        "benchmarks.report_paint",
        target,
        "--out",
        str(out),
        "--db",
        str(db),
        "--terminal",
        PAINT_TERMINAL,
        "--pin",
        PINS[ADMIN],
        "--now",
        now.isoformat(),
    ]
    env = {**env, "POS_HOME": str(db.parent)}
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, env=env)
    if done.returncode != 0 or not out.is_file():
        raise SystemExit(f"report_paint {target} failed ({done.returncode}): {done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(out.read_text())
    return result


def paint_part(db: Path, size: ShopSize, starts: int, work: Path) -> dict[str, Any]:
    from benchmarks.bench_tui import start_env

    now = shop_now(size)
    copy = paint_copy(db, work, now)
    warm_file(copy)
    out: dict[str, Any] = {"load_average_before": load_average(), "now": now.isoformat()}
    for cache, bytecode in (("cache_present", True), ("cache_absent", False)):
        env = start_env(work, bytecode=bytecode)
        runs: dict[str, list[dict[str, Any]]] = {"lookup": [], "reports": []}
        for _ in range(starts):
            for target in ("lookup", "reports"):
                runs[target].append(_paint_once(target, copy, now, env, work))
        out[cache] = summarize_paints(runs)
    out["load_average_after"] = load_average()
    return out


def _median(values: list[float | None]) -> float | None:
    got = [v for v in values if v is not None]
    return round(statistics.median(got), 1) if got else None


def summarize_paints(runs: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    menus = [r["menu"]["first_paint_ms"] for rs in runs.values() for r in rs]
    lookup = [r["screen"]["first_paint_ms"] for r in runs["lookup"]]
    out: dict[str, Any] = {
        "menu_first_paint_ms": {"median": _median(menus), "max": max(menus), "runs": menus},
        "lookup_first_paint_ms": {"median": _median(lookup), "max": max(lookup), "runs": lookup},
        "lookup_screen": runs["lookup"][0]["screen"]["class"],
        "settle_s": [r["settle_s"] for rs in runs.values() for r in rs],
        "memory": [r["memory"] for rs in runs.values() for r in rs],
    }
    if any("missing" in r for r in runs["reports"]):
        out["reports"] = {"status": "missing", "detail": runs["reports"][0].get("missing")}
        return out
    first = [r["screen"]["first_paint_ms"] for r in runs["reports"]]
    shown = [r["screen"]["table_rows_painted_ms"] for r in runs["reports"]]
    out["reports"] = {
        "status": "ok",
        "screen": runs["reports"][0]["screen"]["class"],
        "module": runs["reports"][0]["screen"]["module"],
        "first_paint_ms": {"median": _median(first), "max": max(first), "runs": first},
        "table_rows_painted_ms": {"median": _median(shown), "runs": shown},
        "rows_timeout": any(r.get("rows_timeout") for r in runs["reports"]),
    }
    return out


# --------------------------------------------------------------------------- summary


def summary_rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    part = result["reports"]
    floor = part["floor"]
    rows.append(verdict("issue 17: reports missing (module not there yet)", "reports", len(part["missing"])))
    if part["errors"]:
        rows.append(verdict("issue 17: reports that failed", "reports", len(part["errors"])))
    for name, entry in part["reports"].items():
        for key, target in (("month", MONTH_TARGET_S), ("year", YEAR_TARGET_S)):
            got = entry.get(key)
            if entry["status"] == "missing" or not got or "error" in got:
                continue
            base = floor[key]["median_s"] if floor.get(key) else None
            rows.append(
                verdict(
                    f"issue 17: report {name}, {key} ({got['days']} days), median",
                    "s",
                    got["median_s"],
                    baseline=base,
                    baseline_name="the period's sale and sale_line floor",
                    max_value=target,
                )
            )
    exports = result.get("exports") or {}
    for fmt in FORMATS:
        entry = exports.get(fmt) or {}
        ours, bare = entry.get("write_report"), entry.get("bare")
        if ours and "median_s" in ours and bare:
            rows.append(
                verdict(
                    f"issue 17: write_report {fmt}, a month of {exports['report']}, median",
                    "s",
                    ours["median_s"],
                    baseline=bare["median_s"],
                    baseline_name=f"bare {fmt}",
                )
            )
    paint = result.get("paint") or {}
    for cache, label in (("cache_present", "bytecode cache present"), ("cache_absent", "no bytecode cache")):
        got = paint.get(cache)
        if not got:
            continue
        lookup = got["lookup_first_paint_ms"]["median"]
        rows.append(
            verdict(f"issue 17: F12 menu first paint, {label}, median", "ms", got["menu_first_paint_ms"]["median"])
        )
        rep = got["reports"]
        if rep["status"] != "ok":
            rows.append(
                verdict(f"issue 17: stock look-up first paint (baseline; report screen missing), {label}", "ms", lookup)
            )
            continue
        rows.append(
            verdict(
                f"issue 17: report screen first paint (F12 → r), {label}, median",
                "ms",
                rep["first_paint_ms"]["median"],
                baseline=lookup,
                baseline_name="stock look-up screen, first paint",
                max_value=PAINT_TARGET_MS,
            )
        )
        shown = rep["table_rows_painted_ms"]["median"]
        if shown is not None:
            rows.append(
                verdict(
                    f"issue 17: report screen with its default report's rows, {label}, median",
                    "ms",
                    shown,
                    baseline=lookup,
                    baseline_name="stock look-up screen, first paint",
                    max_value=PAINT_TARGET_MS,
                )
            )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--receipts", type=int, default=YEAR.receipts)
    parser.add_argument("--days", type=int, default=YEAR.days)
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each report and period after the first")
    parser.add_argument("--starts", type=int, default=3, help="fresh processes per screen and bytecode-cache state")
    parser.add_argument("--only", action="append", default=[], help="only this report (repeatable)")
    parser.add_argument("--no-paint", action="store_true", help="skip the report screen's first paint")
    parser.add_argument("--no-export", action="store_true", help="skip the exports")
    parser.add_argument("--rebuild", action="store_true", help="generate the shop again")
    parser.add_argument("--quick", action="store_true", help="a tiny shop (500 receipts), one run, one start")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args()
    if args.quick:
        size, args.runs, args.starts = tiny(), 1, 1
    else:
        size = ShopSize(receipts=args.receipts, days=args.days)

    def log(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    load_start = load_average()
    db, facts = ensure_shop(size, rebuild=args.rebuild, log=log)
    from pos_tui.store import close_database, open_database

    warm_file(db)
    open_database(db, create=False)
    result: dict[str, Any] = {
        "load_average_start": load_start,
        "shop": {k: facts[k] for k in ("size", "generation_s", "file_mb", "checks", "reused", "now")},
    }
    t = time.perf_counter()
    result["reports"] = report_part(args.only, size, args.runs)
    result["seconds"] = {"reports": round(time.perf_counter() - t, 1)}
    with tempfile.TemporaryDirectory(prefix="bench_reports_") as tmp:
        work = Path(tmp)
        if not args.no_export:
            t = time.perf_counter()
            result["exports"] = export_part(size, args.runs, work)
            result["seconds"]["exports"] = round(time.perf_counter() - t, 1)
        close_database()
        if not args.no_paint:
            t = time.perf_counter()
            result["paint"] = paint_part(db, size, args.starts, work)
            result["seconds"]["paint"] = round(time.perf_counter() - t, 1)
    result["targets"] = {"month_s": MONTH_TARGET_S, "year_s": YEAR_TARGET_S, "first_paint_ms": PAINT_TARGET_MS}
    result["bytecode_cache"] = (
        "reports and exports: in-process after a first call (the cold call imports the module); "
        "first paint: fresh processes with the bytecode cache present and absent"
    )
    result["summary"] = summary_rows(result)
    save("reports", result, quiet=args.quiet)


if __name__ == "__main__":
    main()

"""The issue-17 report benchmark's shop is consistent, and the benchmark runs end to end on a tiny one.

The generator writes sales, lines, KDV rows, payments, stock movements and points by bulk inserts,
not through the till: these tests hold it to the rules the till keeps, recomputed here from the
rows (not by the generator's own checks), and run a real report over it. Nothing here looks at a
timing.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections import defaultdict
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from benchmarks.year_shop import RETURN_SHARE, build_shop, check_shop, shop_now, split_kdv, tiny

REPO = Path(__file__).resolve().parents[2]
SIZE = tiny(receipts=500)


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("shop") / "shop.sqlite3"
    build_shop(path, SIZE)
    return path


def test_a_tiny_shop_has_its_receipts_lines_members_and_returns(shop: Path) -> None:
    con = sqlite3.connect(shop)
    kinds = dict(con.execute("SELECT kind, count(*) FROM sale GROUP BY kind").fetchall())
    assert kinds["sale"] == 500
    assert 0 < kinds["return"] <= 500 * RETURN_SHARE * 3
    (lines,) = con.execute("SELECT count(*) FROM sale_line l JOIN sale s ON s.id = l.sale_id WHERE s.kind = 'sale'")
    assert 2.5 <= lines[0] / 500 <= 4.5  # about 3.5 lines a receipt
    (members,) = con.execute("SELECT count(*) FROM sale WHERE kind = 'sale' AND member_id IS NOT NULL")
    assert 50 <= members[0] <= 150  # about 20 %
    days = {d for (d,) in con.execute("SELECT DISTINCT date(at, '+3 hours') FROM sale")}
    assert min(days) == "2025-12-01" and max(days) == "2025-12-31"
    hours = {int(h) for (h,) in con.execute("SELECT DISTINCT strftime('%H', at, '+3 hours') FROM sale")}
    assert hours <= set(range(8, 22))  # shop hours, local time
    # the terminals' receipt numbers run 1, 2, 3 … without a gap
    for terminal, count, top in con.execute("SELECT terminal, count(*), max(receipt_no) FROM sale GROUP BY terminal"):
        assert count == top, terminal
    con.close()


def test_every_document_adds_up_as_the_till_writes_it(shop: Path) -> None:
    con = sqlite3.connect(shop)
    docs = {
        i: (total, discount, subtotal)
        for i, total, discount, subtotal in con.execute("SELECT id, total, discount, subtotal FROM sale")
    }
    lines: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for sale, total, discount, rate, kdv in con.execute(
        "SELECT sale_id, total, discount, kdv_rate, kdv FROM sale_line"
    ):
        lines[sale][0] += total
        lines[sale][1] += discount
        assert kdv == split_kdv(total, rate)[1]
    kdv_rows: dict[int, int] = defaultdict(int)
    for sale, base, kdv in con.execute("SELECT sale_id, base, kdv FROM sale_kdv"):
        kdv_rows[sale] += base + kdv
    paid: dict[int, int] = defaultdict(int)
    for sale, amount in con.execute("SELECT sale_id, amount FROM payment"):
        paid[sale] += amount
    assert set(lines) == set(kdv_rows) == set(paid) == set(docs)
    for sale, (total, discount, subtotal) in docs.items():
        assert lines[sale] == [total, discount], sale  # the total is the lines'
        assert subtotal == total + discount
        assert kdv_rows[sale] == total, sale  # Σ base + KDV over the rates = the total
        assert paid[sale] == total, sale  # the payments pay it exactly
    # a cash payment's change is what was handed over less the amount
    for amount, tendered, change in con.execute(
        "SELECT amount, tendered, change FROM payment WHERE method = 'cash' AND tendered IS NOT NULL"
    ):
        assert tendered - change == amount and change >= 0
    con.close()


def test_returns_stock_and_points_point_at_what_they_come_from(shop: Path) -> None:
    con = sqlite3.connect(shop)
    for rid, original, at, original_at in con.execute(
        "SELECT r.id, r.return_of_id, r.at, o.at FROM sale r JOIN sale o ON o.id = r.return_of_id "
        "WHERE r.kind = 'return'"
    ):
        assert original < rid and original_at < at
    bad = con.execute(
        "SELECT count(*) FROM sale_line l JOIN sale s ON s.id = l.sale_id JOIN sale_line o ON o.id = l.origin_line_id "
        "WHERE s.kind = 'return' AND (o.sale_id != s.return_of_id OR l.qty > o.qty OR l.product_id != o.product_id)"
    ).fetchone()[0]
    assert bad == 0
    # each product's stock and value caches are the sums of its movements, sales go out and returns come in
    for pid, stock, value, moved, valued in con.execute(
        "SELECT p.id, p.stock, p.stock_value, sum(m.qty), sum(m.value) FROM product p "
        "JOIN stock_movement m ON m.product_id = p.id GROUP BY p.id"
    ):
        assert (stock, value) == (moved, valued), pid
    signs = dict(con.execute("SELECT kind, max(sign(qty)) * 10 + min(sign(qty)) FROM stock_movement GROUP BY kind"))
    assert signs["sale"] == -11 and signs["return"] == 11 and signs["receipt"] == 11
    # a member's earned points: 1 % of what was paid other than in points; no lot spent below zero
    for sale, points, paid_otherwise in con.execute(
        "SELECT e.sale_id, e.points, (SELECT sum(amount) FROM payment p WHERE p.sale_id = e.sale_id "
        "AND p.method != 'points') FROM points_entry e WHERE e.kind = 'earn'"
    ):
        assert points == paid_otherwise // 10000, sale
    assert check_shop(shop)["violations"] == dict.fromkeys(check_shop(shop)["violations"], 0)
    con.close()


def test_the_same_seed_makes_the_same_shop(shop: Path, tmp_path: Path) -> None:
    again = tmp_path / "again.sqlite3"
    build_shop(again, SIZE)
    query = "SELECT count(*), sum(total), sum(id * total) FROM sale"
    assert sqlite3.connect(again).execute(query).fetchone() == sqlite3.connect(shop).execute(query).fetchone()
    assert replace(SIZE, seed=18).key != SIZE.key  # another seed is another cached file


def test_sales_by_day_reads_the_generated_shop_through_its_normal_path(shop: Path) -> None:
    from pos_tui.core.reports import Period, ReportQuery, run_report
    from pos_tui.store import close_database, open_database

    con = sqlite3.connect(shop)
    (net,) = con.execute("SELECT sum(CASE kind WHEN 'return' THEN -total ELSE total END) FROM sale").fetchone()
    (receipts,) = con.execute("SELECT count(*) FROM sale WHERE kind = 'sale'").fetchone()
    con.close()
    open_database(shop, create=False)
    try:
        query = ReportQuery(
            period=Period(date(2025, 12, 1), date(2025, 12, 31)), tz="Europe/Istanbul", now=shop_now(SIZE)
        )
        report = run_report("sales-by-day", query)
    finally:
        close_database()
    figures = {f.key: f.value for f in report.summary}
    assert figures["receipts"] == receipts == 500
    assert figures["net"] == Decimal(net) / 100
    assert len(report.rows) == 31


@pytest.mark.slow
def test_the_quick_benchmark_times_every_report_and_records_what_is_missing(tmp_path: Path) -> None:
    env = {**os.environ, "POS_BENCH_RESULTS": str(tmp_path), "PYTHONPATH": str(REPO)}
    for name in ("POS_DB", "POS_HOME", "POS_CONFIG", "POS_TERMINAL"):
        env.pop(name, None)
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--quick", "--only", "reports"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    assert "issue 17: report sales-by-day, month (31 days), median" in done.stdout

    from pos_tui.core.reports import CATALOGUE

    result = json.loads((tmp_path / "reports.json").read_text(encoding="utf-8"))
    assert result["benchmark"] == "reports" and result["machine"]["load_average"]
    assert result["shop"]["checks"]["rows"]["sale"] == 500 + result["shop"]["checks"]["rows"]["returns"]
    reports = result["reports"]["reports"]
    assert list(reports) == [e.name for e in CATALOGUE]
    assert {e["status"] for e in reports.values()} <= {"ok", "missing"}  # none failed
    day = reports["sales-by-day"]
    assert day["month"]["rows"] == day["year"]["rows"] == 31 and len(day["month"]["runs_s"]) == 1
    assert result["reports"]["floor_rows"]["month"]["documents"] == result["shop"]["checks"]["rows"]["sale"]
    for fmt in ("csv", "xlsx", "pdf"):
        assert result["exports"][fmt]["bare"]["bytes"] > 0
    for cache in ("cache_present", "cache_absent"):
        paint = result["paint"][cache]
        assert paint["lookup_screen"] == "StockLookupScreen"
        assert paint["reports"]["status"] in ("ok", "missing")
    for row in result["summary"]:
        assert row["ours"] is not None, row
    # the cached shop is reused by a second run (its facts say so)
    facts = next((tmp_path / "cache").glob("year_shop_*/facts.json"))
    assert json.loads(facts.read_text(encoding="utf-8"))["checks"]["violations"]["payments_not_the_total"] == 0


@pytest.mark.slow
@pytest.mark.parametrize("target", ["reports", "lookup"])
def test_the_paint_driver_finds_the_screen_behind_f12_and_its_rows(shop: Path, tmp_path: Path, target: str) -> None:
    from benchmarks.bench_reports import PAINT_TERMINAL, paint_copy
    from benchmarks.year_shop import ADMIN, PINS

    now = shop_now(SIZE)
    copy = paint_copy(shop, tmp_path, now)
    out = tmp_path / "paint.json"
    support = Path(__file__).resolve().parent
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(support)]), "POS_HOME": str(copy.parent)}
    for name in ("POS_DB", "POS_CONFIG", "POS_TERMINAL"):
        env.pop(name, None)
    command = [sys.executable, "-m", "benchmarks.report_paint", target, "--out", str(out), "--db", str(copy),
               "--terminal", PAINT_TERMINAL, "--pin", PINS[ADMIN], "--now", now.isoformat(),
               "--preload", "rbench_support"]  # fmt: skip
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-4000:]
    got = json.loads(out.read_text())
    assert got["menu"]["screen"] == "MenuDialog" and got["menu"]["first_paint_ms"] > 0
    screen = got["screen"]
    if target == "lookup":
        assert screen["class"] == "StockLookupScreen"
        return
    if screen["module"] == "rbench_support":  # the stand-in: its table fills a moment after it is mounted
        assert screen["class"] == "FakeReportScreen"
        assert screen["table_rows_painted_ms"] >= screen["first_paint_ms"] > 0
    else:  # the real report screen has arrived
        assert screen["first_paint_ms"] > 0 and "rows_timeout" not in got

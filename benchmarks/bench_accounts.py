"""Account reports at size (issue 13 §8): the statement of a party with 100,000 entries, and aging
over 10,000 parties.

The database is built once with bulk inserts through Python's ``sqlite3`` (the schema from
pos_tui's own migrations; no journal entries: they play no part in reading) and kept as
``results/accounts_P_E_S_vV.sqlite3``: one party ``BIG`` with ``--entries`` entries over two years
(sales on account due in 30 days, a collection every fifth entry, now and then a cancelled
collection), plus ``--parties`` other customers with ``--per-party`` entries each.

Measured, ``--runs`` times (median), ours and its baseline in turn after a warm-up of each, both in
this process (the time of the core call, what the till and the CLI both pay) and as fresh
processes (spawn to exit):

- ``accounts.reports.statement`` of ``BIG`` over its whole history, and
  ``pos-admin accounts statement BIG --from … --to … --format json``;
- ``accounts.reports.aging`` over every party, and ``pos-admin accounts aging --json``.

Baselines, the same run: the statement's SQL by hand (the opening ``SUM`` and the rows with a
window running balance), and for aging the least any aging must do: every entry read once and
summed per party (``SUM … GROUP BY party``); through Python's ``sqlite3`` against the core calls,
through the ``sqlite3`` shell (``-json``) against the processes. The processes run from a copy
of pos_tui, precompiled and again with no ``__pycache__`` and ``PYTHONDONTWRITEBYTECODE=1`` (as
``bench_cli`` does: the bytecode cache present and absent). The load average is recorded before,
after the core calls and at the end.

    python3 -m benchmarks.bench_accounts [--entries 100000] [--parties 10000] [--runs 3] [--quick]
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks.bench_cli import env_for, source_copy
from benchmarks.common import RESULTS, save, verdict

GENERATOR_VERSION = 1
START = datetime(2025, 1, 1, 6, 0)  # naive UTC, as stored
AS_OF = date(2027, 1, 15)


def _stored(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S")


def build(path: Path, entries: int, parties: int, per_party: int) -> None:
    from pos_tui.core.kernel import utcnow
    from pos_tui.store import close_database, open_database
    from pos_tui.store import models as m

    partial = path.with_name(path.name + ".building")
    for f in partial.parent.glob(partial.name + "*"):
        f.unlink()
    open_database(partial)
    now = utcnow().replace(tzinfo=None)
    user = m.User.create(name="bench", role="admin", pin_tag="bench", pin_hash="x", created_at=now)
    close_database()
    rnd = random.Random(13)
    con = sqlite3.connect(partial)
    con.execute("PRAGMA journal_mode=wal")
    con.execute("PRAGMA synchronous=off")
    con.execute("BEGIN")
    stamp = _stored(now)
    con.executemany(
        "INSERT INTO party (id, code, name, name_key, kind, terms_days, credit_limit, currency, active, created_at,"
        " updated_at) VALUES (?, ?, ?, ?, 'customer', 30, 500000, 'TRY', 1, ?, ?)",
        [(1, "BIG", "Büyük Toptancı", "buyuk toptanci", stamp, stamp)]
        + [(i + 2, f"C{i:05d}", f"Müşteri {i}", f"musteri {i}", stamp, stamp) for i in range(parties)],
    )
    cols = "id, number, party_id, kind, at, posted_at, due, amount, currency, document, cancels_id, terminal, user_id"
    rows: list[tuple[Any, ...]] = []
    number = 0

    def add(party: int, kind: str, at: datetime, due: date, amount: int, cancels: int | None = None) -> int:
        nonlocal number
        number += 1
        rows.append((number, number, party, kind, _stored(at), _stored(at), due.isoformat(), amount, "TRY",
                     f"sale:{number}" if kind == "sale" else None, cancels, "T1", user.id))  # fmt: skip
        if len(rows) >= 50_000:
            con.executemany(f"INSERT INTO account_entry ({cols}) VALUES ({', '.join('?' * 13)})", rows)
            rows.clear()
        return number

    def ledger(party: int, count: int) -> None:
        step = timedelta(seconds=2 * 365 * 24 * 3600 / max(count, 1))
        for i in range(count):
            at = START + step * i
            if i % 5 == 4:
                entry = add(party, "collection", at, at.date(), -rnd.randint(5_000, 60_000))
                if i % 250 == 249:
                    add(party, "cancel", at + timedelta(hours=1), at.date(), 0 - rows[-1][7], entry)
            else:
                add(party, "sale", at, at.date() + timedelta(days=30), rnd.randint(1_000, 20_000))

    ledger(1, entries)
    for i in range(parties):
        ledger(i + 2, per_party)
    if rows:
        con.executemany(f"INSERT INTO account_entry ({cols}) VALUES ({', '.join('?' * 13)})", rows)
    con.execute(
        "INSERT INTO counter (scope, name, value) VALUES ('accounts', 'account_entry', ?)"
        " ON CONFLICT DO UPDATE SET value = excluded.value",
        (number,),
    )
    con.execute("COMMIT")
    con.execute("ANALYZE")
    con.close()
    for suffix in ("", "-wal", "-shm"):
        src = Path(str(partial) + suffix)
        if src.exists():
            src.replace(Path(str(path) + suffix))


def paired(ours: Callable[[], Any], base: Callable[[], Any], runs: int) -> dict[str, Any]:
    """Both once untimed (imports, page cache), then ``runs`` times each in turn, ours first, so
    drift and a neighbour's bursts hit both alike; medians in seconds."""
    ours()
    base()
    a: list[float] = []
    b: list[float] = []
    for _run in range(runs):
        for fn, out in ((ours, a), (base, b)):
            gc.collect()
            t = time.perf_counter()
            fn()
            out.append(time.perf_counter() - t)
    return {
        "ours": {"median_s": round(statistics.median(a), 4), "runs": [round(s, 4) for s in a]},
        "baseline": {"median_s": round(statistics.median(b), 4), "runs": [round(s, 4) for s in b]},
    }


def run_process(command: list[str], env: dict[str, str], stdin: str | None = None) -> int:
    """Run ``command`` to its end; the bytes it printed (a failure stops the benchmark)."""
    done = subprocess.run(command, env=env, input=stdin.encode() if stdin else None, capture_output=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{command[1:8]} failed ({done.returncode}): {done.stderr.decode()[-2000:]}")
    return len(done.stdout)


def paired_processes(ours: list[str], base: list[str], base_sql: str, env: dict[str, str], runs: int) -> dict[str, Any]:
    """``ours`` and the ``sqlite3`` shell fed ``base_sql``, each spawn to exit, in turn."""
    sizes = {"ours": run_process(ours, env), "baseline": run_process(base, env, base_sql)}  # warm-up
    timings = paired(lambda: run_process(ours, env), lambda: run_process(base, env, base_sql), runs)
    timings["ours"]["bytes"], timings["baseline"]["bytes"] = sizes["ours"], sizes["baseline"]
    return timings


STATEMENT_SQL = (
    "SELECT COALESCE(SUM(amount), 0) AS opening FROM account_entry WHERE party_id = 1 AND at < '2025-01-01';\n"
    "SELECT number, at, due, kind, document, amount, SUM(amount) OVER (ORDER BY at, id) AS balance, cancels_id"
    " FROM account_entry WHERE party_id = 1 AND at >= '2025-01-01' ORDER BY at, id;\n"
)


def baseline_statement(db: Path) -> None:
    con = sqlite3.connect(db)
    opening_sql, rows_sql = STATEMENT_SQL.strip().split("\n")
    con.execute(opening_sql.rstrip(";")).fetchone()
    rows = con.execute(rows_sql.rstrip(";")).fetchall()
    assert rows
    con.close()


def aging_sql() -> str:
    until = f"{AS_OF + timedelta(days=1)} 00:00:00"
    return (
        f"SELECT party_id, SUM(amount) FROM account_entry WHERE at < '{until}' GROUP BY party_id ORDER BY party_id;\n"
    )


def baseline_aging(db: Path) -> None:
    con = sqlite3.connect(db)
    rows = con.execute(aging_sql().strip().rstrip(";")).fetchall()
    assert rows
    con.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000, help="entries of the one big party")
    parser.add_argument("--parties", type=int, default=10_000)
    parser.add_argument("--per-party", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="5,000 entries, 500 parties, one run")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.entries, args.parties, args.runs = 5_000, 500, 1
    load_before = os.getloadavg()
    RESULTS.mkdir(parents=True, exist_ok=True)
    db = RESULTS / f"accounts_{args.entries}_{args.parties}_{args.per_party}_v{GENERATOR_VERSION}.sqlite3"
    built = None
    if not db.is_file():
        t = time.perf_counter()
        build(db, args.entries, args.parties, args.per_party)
        built = round(time.perf_counter() - t, 1)

    from pos_tui.core import accounts
    from pos_tui.store import close_database, open_database

    open_database(db)
    tz = "Europe/Istanbul"
    first, last = date(2025, 1, 1), AS_OF
    big = accounts.get_party("BIG")
    statement = accounts.reports.statement(big.id, first, last, tz=tz)
    report = accounts.reports.aging(AS_OF, tz=tz)
    with sqlite3.connect(db) as con:
        (entries,) = con.execute("SELECT COUNT(*) FROM account_entry").fetchone()
    checks = {
        "entries": entries,
        "statement_lines": len(statement.lines),
        "statement_adds_up": statement.opening + statement.total_debit - statement.total_credit == statement.closing,
        "aging_parties": len(report.parties),
        "aging_adds_up": all(r.not_due + sum(r.buckets) == r.total == r.balance for r in report.parties),
    }
    del statement, report  # a 100,000-line statement kept alive would slow every later collection
    gc.collect()
    core = {
        "statement": paired(
            lambda: accounts.reports.statement(big.id, first, last, tz=tz), lambda: baseline_statement(db), args.runs
        ),
        "aging": paired(lambda: accounts.reports.aging(AS_OF, tz=tz), lambda: baseline_aging(db), args.runs),
    }
    close_database()
    load_core = os.getloadavg()

    # As fresh processes, from a precompiled copy of pos_tui and from one with no __pycache__
    # (PYTHONDONTWRITEBYTECODE=1), as bench_cli does; the baseline is the sqlite3 shell.
    processes: dict[str, Any] = {}
    shell = ["sqlite3", "-json", str(db)]
    with tempfile.TemporaryDirectory(prefix="pos-bench-accounts-") as tmp:
        for cache in (True, False):
            root = source_copy(Path(tmp), "cached" if cache else "source", compiled=cache)
            env = env_for(root, db, cache=cache)
            cli = [sys.executable, str(root / "pos-admin"), "accounts"]
            statement_cmd = [*cli, "statement", "BIG", "--from", str(first), "--to", str(last), "--format", "json"]
            aging_cmd = [*cli, "aging", "--as-of", str(AS_OF), "--json"]
            processes["cache_present" if cache else "cache_absent"] = {
                "statement_json": paired_processes(statement_cmd, shell, STATEMENT_SQL, env, args.runs),
                "aging_json": paired_processes(aging_cmd, shell, aging_sql(), env, args.runs),
            }
    load_after = os.getloadavg()
    summary = [
        verdict(
            f"statement of a party with {checks['statement_lines']:,} entries (core call)",
            "s",
            core["statement"]["ours"]["median_s"],
            baseline=core["statement"]["baseline"]["median_s"],
            baseline_name="the same rows with a window running balance, sqlite3 by hand",
        ),
        verdict(
            f"aging over {checks['aging_parties']:,} parties, {entries:,} entries (core call)",
            "s",
            core["aging"]["ours"]["median_s"],
            baseline=core["aging"]["baseline"]["median_s"],
            baseline_name="SUM … GROUP BY party, sqlite3 by hand",
        ),
    ]
    for key, label in (("cache_present", "bytecode cache present"), ("cache_absent", "no bytecode cache")):
        case = processes[key]
        summary.append(
            verdict(
                f"pos-admin accounts statement --format json, {checks['statement_lines']:,} entries ({label})",
                "s",
                case["statement_json"]["ours"]["median_s"],
                baseline=case["statement_json"]["baseline"]["median_s"],
                baseline_name="the same SQL in the sqlite3 shell (-json)",
            )
        )
        summary.append(
            verdict(
                f"pos-admin accounts aging --json, {checks['aging_parties']:,} parties ({label})",
                "s",
                case["aging_json"]["ours"]["median_s"],
                baseline=case["aging_json"]["baseline"]["median_s"],
                baseline_name="SUM … GROUP BY party in the sqlite3 shell (-json)",
            )
        )
    result = {
        "sizes": {
            "entries": args.entries,
            "parties": args.parties,
            "per_party": args.per_party,
            "runs": args.runs,
            "built_s": built,
        },
        "database": str(db),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after_core": [round(x, 2) for x in load_core],
        "load_average_after": [round(x, 2) for x in load_after],
        "checks": checks,
        "core": core,
        "process": processes,
        "summary": summary,
    }
    save("accounts", result, quiet=args.quiet)


if __name__ == "__main__":
    main()

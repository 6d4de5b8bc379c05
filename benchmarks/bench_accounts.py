"""Account reports at size (issue 13 §8): the statement of a party with 100,000 entries, and aging
over 10,000 parties.

The database is built once with bulk inserts through Python's ``sqlite3`` (the schema from
pos_tui's own migrations; no journal entries: they play no part in reading) and kept as
``results/accounts_P_E_S_vV.sqlite3``: one party ``BIG`` with ``--entries`` entries over two years
(sales on account due in 30 days, a collection every fifth entry, now and then a cancelled
collection), plus ``--parties`` other customers with ``--per-party`` entries each.

Measured, ``--runs`` times (median), each in this process after a warm-up (the time of the core
call, what the till and the CLI both pay) and as a fresh ``pos-admin`` process (spawn to exit):

- ``accounts.reports.statement`` of ``BIG`` over its whole history, and
  ``pos-admin accounts statement BIG --from … --to … --format json``;
- ``accounts.reports.aging`` over every party, and ``pos-admin accounts aging --json``.

Baselines, the same run: the statement's SQL by hand (the opening ``SUM`` and the rows with a
window running balance) through ``sqlite3``, and for aging the least any aging must do: every
entry read once in party order and summed per party (``SUM … GROUP BY party``), also by hand.
The load average is recorded with the machine.

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
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

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


def timed_in_process(fn: Callable[[], Any], runs: int) -> dict[str, Any]:
    fn()  # warm-up: imports, page cache
    samples = []
    for _run in range(runs):
        t = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t)
    return {"median_s": round(statistics.median(samples), 4), "runs": [round(s, 4) for s in samples]}


def timed_process(command: list[str], env: dict[str, str], runs: int) -> dict[str, Any]:
    samples = []
    size = 0
    for _run in range(runs):
        t = time.perf_counter()
        done = subprocess.run(command, env=env, capture_output=True, check=False)
        samples.append(time.perf_counter() - t)
        if done.returncode != 0:
            raise SystemExit(f"{command[3:8]} failed: {done.stderr.decode()[-2000:]}")
        size = len(done.stdout)
    return {"median_s": round(statistics.median(samples), 4), "runs": [round(s, 4) for s in samples], "bytes": size}


def baseline_statement(db: Path) -> None:
    con = sqlite3.connect(db)
    con.execute("SELECT COALESCE(SUM(amount), 0) FROM account_entry WHERE party_id = 1 AND at < '2025-01-01'")
    rows = con.execute(
        "SELECT number, at, due, kind, document, amount, SUM(amount) OVER (ORDER BY at, id) AS balance,"
        " cancels_id FROM account_entry WHERE party_id = 1 AND at >= '2025-01-01' ORDER BY at, id"
    ).fetchall()
    assert rows
    con.close()


def baseline_aging(db: Path) -> None:
    con = sqlite3.connect(db)
    rows = con.execute(
        "SELECT party_id, SUM(amount) FROM account_entry WHERE at < ? GROUP BY party_id ORDER BY party_id",
        (f"{AS_OF + timedelta(days=1)} 00:00:00",),
    ).fetchall()
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
    checks = {
        "statement_lines": len(statement.lines),
        "statement_adds_up": statement.opening + statement.total_debit - statement.total_credit == statement.closing,
        "aging_parties": len(report.parties),
        "aging_adds_up": all(r.not_due + sum(r.buckets) == r.total == r.balance for r in report.parties),
    }
    del statement, report  # a 100,000-line statement kept alive would slow every later collection
    gc.collect()
    core = {
        "statement": timed_in_process(lambda: accounts.reports.statement(big.id, first, last, tz=tz), args.runs),
        "aging": timed_in_process(lambda: accounts.reports.aging(AS_OF, tz=tz), args.runs),
    }
    close_database()
    base = {
        "statement": timed_in_process(lambda: baseline_statement(db), args.runs),
        "aging": timed_in_process(lambda: baseline_aging(db), args.runs),
    }
    env = {**os.environ, "POS_DB": str(db), "POS_HOME": str(db.parent), "POS_LANG": "tr"}
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(Path(__file__).resolve().parent.parent), env.get("PYTHONPATH")) if p
    )
    cli = [sys.executable, "-m", "pos_tui.cli.app", "accounts"]
    processes = {
        "statement_json": timed_process(
            [*cli, "statement", "BIG", "--from", str(first), "--to", str(last), "--format", "json"], env, args.runs
        ),
        "aging_json": timed_process([*cli, "aging", "--as-of", str(AS_OF), "--json"], env, args.runs),
    }
    result = {
        "sizes": {"entries": args.entries, "parties": args.parties, "per_party": args.per_party, "built_s": built},
        "checks": checks,
        "core": core,
        "baseline": base,
        "process": processes,
        "verdicts": [
            verdict(
                f"statement of a party with {args.entries} entries (core)",
                "s",
                core["statement"]["median_s"],
                baseline=base["statement"]["median_s"],
                baseline_name="sqlite3 by hand",
            ),
            verdict(
                f"aging over {args.parties + 1} parties (core)",
                "s",
                core["aging"]["median_s"],
                baseline=base["aging"]["median_s"],
                baseline_name="SUM GROUP BY party by hand",
            ),
        ],
    }
    save("accounts", result, quiet=args.quiet)


if __name__ == "__main__":
    main()

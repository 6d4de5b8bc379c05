"""GİB's registered-user list: importing a 200,000-alias list (CSV and GİB's XML in a ZIP).

Setup (untimed): a list of ``--rows`` aliases (valid VKNs and TCKNs, Turkish titles, PK and GB aliases,
a few e-İrsaliye, deleted and test-account rows that are skipped) written as a ``;`` CSV and as GİB's
XML inside a ZIP, and a fresh SQLite database (schema 10).

Timed, ``--runs`` times each, median reported:

* **ours (CSV)** / **ours (ZIP XML)**: ``einvoice.import_users`` — read, check every row (check digits,
  times, kinds), replace the stored list in one transaction;
* **baseline**: the plain ``sqlite3`` way of loading the same CSV: ``csv.reader`` and one
  ``executemany`` into a table of the same columns and unique index, in one transaction, no checks.

Target: 200,000 aliases in < 20 s (GİB's full list, ~1–2 million, then stays within minutes), and ≤ 6×
the unchecked baseline.

    python3 -m benchmarks.bench_einvoice_users [--rows 200000] [--runs 3] [--quiet]
"""

from __future__ import annotations

import argparse
import csv
import shutil
import sqlite3
import statistics
import tempfile
import time
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.common import save, timer, verdict

NOW = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
HEADER = ("VKN/TCKN", "Unvan", "Etiket", "Tür", "Kayıt Zamanı", "Etiket Oluşturma", "Belge Türü")


def list_rows(count: int) -> list[tuple[str, ...]]:
    """``count`` alias rows: two of every three a PK, the third a GB alias of the same user; one in fifty
    an e-İrsaliye alias and one in a thousand a GİB test account (both skipped by the import)."""
    from stdnum.tr import tckimlik, vkn

    rows = []
    for i in range(count):
        user = i // 3
        if user % 10 == 9:
            body = f"{1 + user % 8}{user % 10**8:08d}"
            identifier = body + tckimlik.calc_check_digits(body)
        else:
            body = f"{user % 10**9:09d}"
            identifier = body + vkn.calc_check_digit(body)
        if i % 1000 == 999:
            identifier = "1234567801"  # check digit fails: GİB's test account
        kind = "GB" if i % 3 == 2 else "PK"
        alias = f"urn:mail:{'default' if i % 3 == 0 else 'fatura'}{kind.lower()}{i}@firma{user}.com.tr"
        created = f"20{13 + user % 12:02d}-{1 + user % 12:02d}-{1 + user % 28:02d}T10:{i % 60:02d}:00"
        document = "DespatchAdvice" if i % 50 == 49 else "Invoice"
        rows.append((identifier, f"ÖRNEK TİCARET VE SANAYİ A.Ş. {user}", alias, kind, created, created, document))
    return rows


def write_csv(path: Path, rows: list[tuple[str, ...]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter=";")
        w.writerow(HEADER)
        w.writerows(rows)
    return path


def write_zip(path: Path, rows: list[tuple[str, ...]]) -> Path:
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n<UserList>\n']
    for identifier, title, alias, kind, registered, created, document in rows:
        parts.append(
            f"<User><Identifier>{identifier}</Identifier><Title>{title}</Title><Type>Ozel</Type>"
            f'<FirstCreationTime>{registered}</FirstCreationTime><Documents><Document type="{document}">'
            f"<Alias><Name>{alias}</Name><CreationTime>{created}</CreationTime><AliasType>{kind}</AliasType>"
            "</Alias></Document></Documents></User>\n"
        )
    parts.append("</UserList>\n")
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("newUserPkListxml.xml", "".join(parts))
    return path


def ours(path: Path) -> dict[str, Any]:
    from pos_tui.core import einvoice

    t = time.perf_counter()
    report = einvoice.import_users(path, now=NOW)
    return {"s": time.perf_counter() - t, "aliases": report.aliases, "users": report.users}


def baseline(csv_path: Path, db_path: Path) -> float:
    """Plain sqlite3: the same CSV into a table of the same shape, one executemany, no checks."""
    db_path.unlink(missing_ok=True)
    con = sqlite3.connect(db_path)
    con.execute("PRAGMA journal_mode=wal")
    con.execute("PRAGMA synchronous=full")
    con.execute(
        "CREATE TABLE u (id INTEGER PRIMARY KEY, identifier TEXT, alias TEXT, title TEXT, kind TEXT,"
        " registered_at TEXT, alias_created_at TEXT, imported_at TEXT)"
    )
    con.execute("CREATE INDEX u_identifier ON u (identifier)")
    con.execute("CREATE UNIQUE INDEX u_identifier_alias ON u (identifier, alias)")
    t = time.perf_counter()
    with csv_path.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f, delimiter=";")
        next(reader)
        stamp = NOW.replace(tzinfo=None).isoformat(" ")
        with con:
            con.execute("DELETE FROM u")
            con.executemany(
                "INSERT OR IGNORE INTO u (identifier, title, alias, kind, registered_at, alias_created_at,"
                " imported_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                ((r[0], r[1], r[2], r[3], r[4], r[5], stamp) for r in reader if r[6] == "Invoice"),
            )
    seconds = time.perf_counter() - t
    con.close()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="pos-bench-einvoice-users-"))
    try:
        from pos_tui.store import close_database, open_database

        with timer() as setup:
            rows = list_rows(args.rows)
            csv_path = write_csv(work / "liste.csv", rows)
            zip_path = write_zip(work / "newUserPkListxml.zip", rows)
            open_database(work / "pos.sqlite3")
        runs_csv: list[dict[str, Any]] = []
        runs_zip: list[dict[str, Any]] = []
        runs_base: list[float] = []
        for _ in range(args.runs):
            runs_csv.append(ours(csv_path))
            runs_zip.append(ours(zip_path))
            runs_base.append(baseline(csv_path, work / "baseline.sqlite3"))
        close_database()
        sizes = {"csv_mb": round(csv_path.stat().st_size / 1e6, 1), "zip_mb": round(zip_path.stat().st_size / 1e6, 1)}
    finally:
        shutil.rmtree(work, ignore_errors=True)

    csv_s = round(statistics.median(r["s"] for r in runs_csv), 3)
    zip_s = round(statistics.median(r["s"] for r in runs_zip), 3)
    base_s = round(statistics.median(runs_base), 3)
    result: dict[str, Any] = {
        "rows": args.rows,
        "setup_s": setup["seconds"],
        "runs": args.runs,
        "files": sizes,
        "ours_csv_s": csv_s,
        "ours_zip_xml_s": zip_s,
        "baseline_sqlite3_executemany_s": base_s,
        "aliases_stored": runs_csv[0]["aliases"],
        "users_stored": runs_csv[0]["users"],
        "rows_per_s_csv": round(args.rows / csv_s) if csv_s else None,
        "all_runs_csv_s": [round(r["s"], 3) for r in runs_csv],
        "all_runs_zip_s": [round(r["s"], 3) for r in runs_zip],
    }
    result["summary"] = [
        verdict(
            f"import GİB's user list, {args.rows:,} rows (CSV)",
            "s",
            csv_s,
            baseline=base_s,
            baseline_name="sqlite3 executemany of the same CSV, unchecked",
            max_value=20,
            max_ratio=6,
        ),
        verdict(
            f"import GİB's user list, {args.rows:,} rows (XML in a ZIP)",
            "s",
            zip_s,
            baseline=base_s,
            baseline_name="sqlite3 executemany of the same CSV, unchecked",
            max_value=20,
        ),
    ]
    save("einvoice_users", result, quiet=args.quiet)


if __name__ == "__main__":
    main()

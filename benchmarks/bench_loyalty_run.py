"""``loyalty run`` over 100,000 members with history: expiry, holds, tiers and messages.

The data is written with raw bulk inserts through Python's ``sqlite3`` (the schema comes from
``open_database``): 100,000 members (half with a birthday, phone and SMS or e-mail consent),
each with a few receipts over the last months (some returned), an earned points lot per
receipt with a hold and an expiry 60, 120 or 365 days later (so some lots expire on the
day and some soon), and some redeemed. The program has the brief's
monthly tiers (3 % / 10 % / 15 %, previous calendar month).

Timed: ``jobs.run`` for the 1st of the month in this process (the worst day: every member's
tier is decided at once, so almost every member gets a tier change, a journal entry and
messages), then the same run again (nothing new to write: the idempotent re-run), then the
next day's run. Before that, the expiries of the days before are written (the previous
nights' runs would have written them): a backlog of some 170,000 ``expire`` entries at
100,000 members, timed apart against a same-run baseline: the same select and the same rows
through raw ``sqlite3`` (``executemany``, one transaction, the same pragmas) on a copy of the
generated file.

Target (issue 3): the first run < 30 s.

    python3 -m benchmarks.bench_loyalty_run [--members 100000] [--receipts 6]
"""

from __future__ import annotations

import argparse
import random
import shutil
import sqlite3
import tempfile
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from benchmarks.common import save, timer, verdict

TZ = "Europe/Istanbul"
AS_OF = date(2026, 11, 1)
NOW = datetime(2026, 11, 1, 1, 0, tzinfo=UTC)  # 04:00 in Istanbul
TARGET_S = 30.0


def _ts(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(" ")


def generate(path: Path, members: int, receipts: int, seed: int = 3) -> dict[str, int]:
    """Fill the database at ``path`` (schema already created) with raw bulk inserts."""
    rnd = random.Random(seed)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode = wal")
    db.execute("PRAGMA synchronous = off")
    db.execute("BEGIN")
    created = _ts(datetime(2025, 1, 1, 9, tzinfo=UTC))
    db.execute(
        "INSERT INTO user (name, role, pin_tag, pin_hash, active, created_at) VALUES (?, ?, ?, ?, 1, ?)",
        ("kasiyer", "cashier", "bench-tag", "x", created),
    )
    cashier_id = db.execute("SELECT id FROM user WHERE name = 'kasiyer'").fetchone()[0]
    member_rows = []
    consent_rows = []
    for i in range(1, members + 1):
        born = date(1960 + rnd.randint(0, 45), rnd.randint(1, 12), rnd.randint(1, 28)) if rnd.random() < 0.5 else None
        phone = f"+90532{i:07d}" if rnd.random() < 0.6 else None
        email = f"uye{i}@example.com" if rnd.random() < 0.5 else None
        member_rows.append((i, f"29910{i:08d}", phone, f"Üye {i}", email, born, created))
        if phone and rnd.random() < 0.5:
            consent_rows.append((i, "sms", 1, created, "import"))
        if email and rnd.random() < 0.5:
            consent_rows.append((i, "email", 1, created, "import"))
    db.executemany(
        "INSERT INTO member (id, card, phone, name, email, birth_date, created_at, name_key, card_kind) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, '', 'barcode')",
        member_rows,
    )
    db.executemany("INSERT INTO consent (member_id, channel, granted, at, source) VALUES (?, ?, ?, ?, ?)", consent_rows)
    sale_rows = []
    return_rows = []
    lot_rows = []
    n = 0
    start = datetime(2026, 5, 1, 7, tzinfo=UTC)
    for i in range(1, members + 1):
        for _ in range(rnd.randint(1, 2 * receipts - 1)):
            n += 1
            when = start + timedelta(minutes=rnd.randint(0, 183 * 24 * 60 - 1))
            kurus = rnd.randint(2_000, 200_000)
            sale_rows.append((n, f"bench-{n}", "sale", "B1", n, _ts(when), cashier_id, kurus, kurus, i))
            if rnd.random() < 0.03:
                return_rows.append((f"bench-r{n}", "return", "B2", n, _ts(when + timedelta(days=2)), cashier_id, n))
            available = (when + timedelta(days=15)).date()
            expires = available + timedelta(days=rnd.choice((60, 120, 365)))  # some already gone, some soon
            lot_rows.append((i, _ts(when), "earn", kurus // 10_000 + 1, n, available, expires))
    db.executemany(
        "INSERT INTO sale (id, uid, kind, terminal, receipt_no, at, cashier_id, subtotal, discount, total, source, "
        "member_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, 'import', ?)",
        sale_rows,
    )
    db.executemany(
        "INSERT INTO sale (uid, kind, terminal, receipt_no, at, cashier_id, subtotal, discount, total, source, "
        "return_of_id) SELECT ?, ?, ?, ?, ?, ?, total / 2, 0, total / 2, 'import', id FROM sale WHERE id = ?",
        [(uid, kind, term, no, at, cashier, sale_id) for uid, kind, term, no, at, cashier, sale_id in return_rows],
    )
    db.executemany(
        "INSERT INTO points_entry (member_id, at, kind, points, sale_id, available_from, expires_on) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        lot_rows,
    )
    # Some members redeemed part of a lot that is available by now.
    redeem_rows = [
        (member_id, _ts(NOW - timedelta(days=3)), "redeem", -1, lot_id)
        for lot_id, member_id in db.execute(
            "SELECT id, member_id FROM points_entry WHERE available_from < ? AND id % 7 = 0", (AS_OF.isoformat(),)
        )
    ]
    db.executemany("INSERT INTO points_entry (member_id, at, kind, points, lot_id) VALUES (?, ?, ?, ?, ?)", redeem_rows)
    db.execute("COMMIT")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return {
        "members": members,
        "consents": len(consent_rows),
        "sales": len(sale_rows),
        "returns": len(return_rows),
        "points_lots": len(lot_rows),
        "redemptions": len(redeem_rows),
    }


def raw_expiry(path: Path, as_of: date) -> tuple[int, float]:
    """The baseline for the expiry backlog: ``expire_due``'s own select (its SQL text) and the
    same rows written with raw ``sqlite3`` in one transaction; ``(entries, seconds)``."""
    from pos_tui.core.loyalty.ledger import _day_start, _expiry_query
    from pos_tui.store import close_database, open_database
    from pos_tui.store import models as m
    from pos_tui.store.db import SQLITE_PRAGMAS

    open_database(path)  # only to render the query for SQLite
    sql, params = m.database.get_sql_context().sql(_expiry_query(as_of)).query()
    close_database()
    db = sqlite3.connect(path, isolation_level=None)
    for name, value in SQLITE_PRAGMAS.items():
        db.execute(f"PRAGMA {name} = {value}")
    with timer() as took:
        db.execute("BEGIN IMMEDIATE")
        dated: dict[str, str] = {}
        rows = []
        for lot_id, member_id, expires_on, left in db.execute(sql, params):
            at = dated.get(expires_on)
            if at is None:
                at = dated[expires_on] = _ts(_day_start(date.fromisoformat(expires_on) + timedelta(days=1), TZ))
            rows.append((member_id, "expire", -left, lot_id, at))
        db.executemany("INSERT INTO points_entry (member_id, kind, points, lot_id, at) VALUES (?, ?, ?, ?, ?)", rows)
        db.execute("COMMIT")
    db.close()
    return len(rows), took["seconds"]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--receipts", type=int, default=6, help="average receipts per member (1 to 2N-1)")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args()

    from pos_tui.core.loyalty import Program, Tier, TierQualification, jobs
    from pos_tui.store import close_database, open_database

    program = Program(
        tiers=(
            Tier("t3", "Kırmızı", Decimal(0), basket_discount_percent=Decimal(3)),
            Tier("t10", "Gümüş", Decimal(1000), basket_discount_percent=Decimal(10)),
            Tier("t15", "Altın", Decimal(1500), basket_discount_percent=Decimal(15)),
        ),
        tier_qualification=TierQualification("previous_month"),
    )
    work = Path(tempfile.mkdtemp(prefix="pos-bench-loyalty-"))
    try:
        path = work / "pos.sqlite3"
        open_database(path)
        close_database()
        with timer() as gen:
            data = generate(path, args.members, args.receipts)
        copy = work / "baseline.sqlite3"
        shutil.copyfile(path, copy)
        raw_entries, raw_seconds = raw_expiry(copy, AS_OF - timedelta(days=1))
        copy.unlink()
        open_database(path)
        from pos_tui.core.loyalty import expire_due

        # The job runs every night: the expiries of the days before were written by then.
        with timer() as backlog:
            expired_before = expire_due(as_of=AS_OF - timedelta(days=1), tz=TZ)
        if expired_before != raw_entries:
            raise SystemExit(f"expire_due wrote {expired_before} entries, the raw baseline {raw_entries}")
        with timer() as first:
            report = jobs.run(as_of=AS_OF, now=NOW, program=program, tz=TZ)
        with timer() as second:
            again = jobs.run(as_of=AS_OF, now=NOW + timedelta(hours=1), program=program, tz=TZ)
        next_day = AS_OF + timedelta(days=1)
        with timer() as daily:
            jobs.run(as_of=next_day, now=NOW + timedelta(days=1), program=program, tz=TZ)
        close_database()
        result: dict[str, Any] = {
            "data": {**data, "generate_s": gen["seconds"]},
            "previous_nights_expiry": {
                "entries": expired_before,
                "seconds": backlog["seconds"],
                "raw_sqlite3_seconds": raw_seconds,
            },
            "first_run": {"seconds": first["seconds"], "report": report.as_json()},
            "rerun_same_day": {"seconds": second["seconds"], "report": again.as_json()},
            "next_day_run_s": daily["seconds"],
            "summary": [
                verdict(
                    f"expiry backlog ({expired_before:,} entries, ledger.expire_due), {args.members:,} members",
                    "s",
                    backlog["seconds"],
                    baseline=raw_seconds,
                    baseline_name="same select and rows, raw sqlite3 executemany",
                ),
                verdict(
                    f"loyalty run, {args.members:,} members, 1st of the month",
                    "s",
                    first["seconds"],
                    max_value=TARGET_S,
                ),
                verdict(
                    f"loyalty run again, same day (nothing to write), {args.members:,} members",
                    "s",
                    second["seconds"],
                    max_value=TARGET_S,
                ),
                verdict(f"loyalty run, next day, {args.members:,} members", "s", daily["seconds"], max_value=TARGET_S),
            ],
        }
        save("loyalty_run", result, quiet=args.quiet)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

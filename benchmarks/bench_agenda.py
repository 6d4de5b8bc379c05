"""The agenda's refresh at login (issue 13 §7): how long a PIN login waits (in a worker) before
the reminder can show, with ``--parties`` customer accounts that carry a balance (``--entries``
each: sales on account with installments and due dates, part collected), ``--cheques`` cheques in
the portfolio and ``--typed`` typed entries.

Measured (median of ``--runs``):

- ``first``: the first :func:`agenda.refresh` (writes every automatic entry);
- ``steady``: a refresh when nothing changed (the usual login: reads only, no write transaction);
- ``due_for``: the admin's overdue and today's list after it;

against baselines measured in the same run: for both refreshes, the two reads any refresh needs at
least (the balances per party, one ``GROUP BY``, and every open agenda row), so the ratio shows what
the open items of each party and the comparisons cost on top; for ``due_for``, the same rows read
by hand (open, due before the end of the shop day, visible to the admin) as plain tuples. No
target: issue 13 names no number for these. The load average is recorded before and after.

    python3 -m benchmarks.bench_agenda [--parties 1000] [--entries 20] [--cheques 500] [--runs 3] [--quick]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks.common import save, verdict

NOW = datetime(2026, 11, 2, 7, 0, tzinfo=UTC)  # a Monday morning in Istanbul


def build(path: Path, parties: int, entries: int, cheques: int, typed: int) -> Any:
    from pos_tui.core import agenda, staff
    from pos_tui.settings import load_settings
    from pos_tui.store import models as m
    from pos_tui.store import open_database, write_tx

    open_database(path)
    settings = load_settings({"POS_DB": str(path), "POS_HOME": str(path.parent)})
    admin = m.User.create(name="admin", role="admin", pin_tag="b", pin_hash="x", created_at=NOW.replace(tzinfo=None))
    rng = random.Random(13)
    stamp = NOW.replace(tzinfo=None)
    with write_tx():
        m.Party.insert_many(
            [
                {
                    "code": f"C{i:05d}",
                    "name": f"Müşteri {i}",
                    "name_key": f"musteri {i}",
                    "kind": "customer",
                    "terms_days": 30,
                    "credit_limit": 0,
                    "active": True,
                    "created_at": stamp,
                    "updated_at": stamp,
                }
                for i in range(parties)
            ]
        ).execute()
        ids = [p.id for p in m.Party.select(m.Party.id)]
        number = 0
        rows: list[dict[str, Any]] = []
        for pid in ids:
            for k in range(entries):
                number += 1
                at = stamp - timedelta(days=rng.randint(1, 120))
                collection = k % 4 == 3
                rows.append(
                    {
                        "number": number,
                        "party": pid,
                        "kind": "collection" if collection else "sale",
                        "at": at,
                        "posted_at": at,
                        "due": (at + timedelta(days=0 if collection else rng.randint(10, 60))).date(),
                        "amount": -rng.randint(1000, 20000) if collection else rng.randint(5000, 30000),
                        "installment": None if collection else (k % 3) + 1,
                        "terminal": "T1",
                        "user": admin.id,
                    }
                )
            if len(rows) > 5000:
                m.AccountEntry.insert_many(rows).execute()
                rows = []
        if rows:
            m.AccountEntry.insert_many(rows).execute()
        m.Cheque.insert_many(
            [
                {
                    "number": n + 1,
                    "instrument": "cheque",
                    "direction": "received",
                    "party": rng.choice(ids),
                    "amount": rng.randint(10000, 500000),
                    "due": (NOW + timedelta(days=rng.randint(-5, 60))).date(),
                    "status": "portfolio",
                    "created_at": stamp,
                }
                for n in range(cheques)
            ]
        ).execute()
    actor = staff.actor_of(admin, settings)
    for n in range(typed):
        agenda.add_entry(
            agenda.AgendaInput(title=f"Not {n}", due=NOW + timedelta(hours=rng.randint(-100, 300))),
            actor=actor,
            now=NOW,
        )
    return actor


def baseline() -> None:
    from peewee import fn

    from pos_tui.store import models as m

    E = m.AccountEntry
    list(E.select(E.party, fn.SUM(E.amount)).group_by(E.party).having(fn.SUM(E.amount) != 0).tuples())
    list(m.AgendaEntry.select().where(m.AgendaEntry.status == "open").tuples())


def baseline_due_for(actor: Any) -> None:
    from pos_tui.core.kernel.clock import SHOP_TZ, day_bounds, shop_day, to_db
    from pos_tui.store import models as m

    A = m.AgendaEntry
    user = m.User.get(m.User.name == actor.name)
    end = to_db(day_bounds(shop_day(NOW, SHOP_TZ), SHOP_TZ)[1])
    visible = (A.assignee.is_null(True) & (A.role.is_null(True) | (A.role == actor.role))) | (A.assignee == user.id)
    list(A.select().where((A.status == "open") & (A.due_at < end) & visible).tuples())


def timed(fn: Any, runs: int) -> float:
    """The median of ``runs`` calls of ``fn``, in milliseconds."""
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return round(statistics.median(samples) * 1000, 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--parties", type=int, default=1000)
    parser.add_argument("--entries", type=int, default=20)
    parser.add_argument("--cheques", type=int, default=500)
    parser.add_argument("--typed", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="50 parties of 8 entries, one run: a smoke run")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args()
    load_before = os.getloadavg()
    if args.quick:
        args.parties, args.entries, args.cheques, args.typed, args.runs = 50, 8, 20, 10, 1
    from pos_tui.core import agenda
    from pos_tui.store import close_database

    with tempfile.TemporaryDirectory() as tmp:
        actor = build(Path(tmp) / "agenda.sqlite3", args.parties, args.entries, args.cheques, args.typed)
        first_start = time.perf_counter()
        result = agenda.refresh(now=NOW)
        first = round((time.perf_counter() - first_start) * 1000, 2)
        steady = timed(lambda: agenda.refresh(now=NOW), args.runs)
        due = timed(lambda: agenda.due_for(actor, now=NOW), args.runs)
        base = timed(baseline, args.runs)
        due_base = timed(lambda: baseline_due_for(actor), args.runs)
        shown = len(agenda.due_for(actor, now=NOW))
        close_database()
    parties_label = f"{args.parties:,} parties × {args.entries} entries, {args.cheques} cheques"
    save(
        "agenda",
        {
            "sizes": {
                "parties": args.parties,
                "entries_each": args.entries,
                "cheques": args.cheques,
                "typed": args.typed,
                "runs": args.runs,
            },
            "load_average_before": [round(x, 2) for x in load_before],
            "load_average_after": [round(x, 2) for x in os.getloadavg()],
            "automatic_entries_written": result.added,
            "entries_shown_at_login": shown,
            "summary": [
                verdict(
                    f"agenda refresh, first (writes), {parties_label}",
                    "ms",
                    first,
                    baseline=base,
                    baseline_name="two plain reads",
                ),
                verdict(
                    f"agenda refresh at login (nothing changed), {parties_label}",
                    "ms",
                    steady,
                    baseline=base,
                    baseline_name="two plain reads",
                ),
                verdict(
                    f"agenda due_for (the login list, {shown:,} entries)",
                    "ms",
                    due,
                    baseline=due_base,
                    baseline_name="the same rows read by hand",
                ),
            ],
        },
        quiet=args.quiet,
    )


if __name__ == "__main__":
    main()

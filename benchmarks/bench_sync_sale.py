"""What the sync costs the till's hot path: ``complete_sale`` with the outbox capture against the
same sale without it (issue 15: < 1 ms added to the p99).

Both sides start from copies of one database (a catalogue imported through the core, 100,000
products by default, a cashier and an open shift), as ``bench_sale`` prepares it:

- *ours*: schema 11 as it is: the capture triggers note every journal entry and stock movement the
  sale writes in ``sync_capture``, and ``store.write_tx`` seals the transaction (``outbox.seal``:
  the next outbox number, a ``sync_outbox`` row with a new uid and the journal head, the caught
  rows tied to it) before the commit;
- *baseline*: the same file with the ``sync_capture_*`` triggers dropped and ``outbox.seal``
  replaced by a no-op: the sale as it was before schema 11.

Each sample fills a 5-line cart with ``till.add_item`` (not timed) and times ``till.complete_sale``
paid in cash. The store is bound to one file at a time, so the two sides alternate in blocks
(``--block`` sales each, the file switched between blocks, outside the timing), after
``gc.collect(); gc.freeze()`` as the till does. p50/p99 are nearest-rank over the pooled samples.
The outbox of *ours* grows through the run as a till's does (one record per sale, nothing
deleted).

    python3 -m benchmarks.bench_sync_sale [--products 100000] [--sales 1000] [--block 50]
"""

from __future__ import annotations

import argparse
import gc
import random
import shutil
import sqlite3
import tempfile
import time
from datetime import timedelta
from decimal import ROUND_CEILING
from pathlib import Path

from benchmarks.bench_sale import LINES, START, TERMINAL, prepare
from benchmarks.common import percentiles, save, verdict
from pos_tui.core import staff, till
from pos_tui.store import outbox


def drop_capture(path: Path) -> int:
    """Drop the capture triggers of the file at ``path``; how many there were."""
    with sqlite3.connect(path) as conn:
        names = [n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")]
        dropped = [n for n in names if n.startswith("sync_capture_")]
        for name in dropped:
            conn.execute(f'DROP TRIGGER "{name}"')
    return len(dropped)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--sales", type=int, default=1000, help="timed sales on each side")
    parser.add_argument("--warmup", type=int, default=20, help="untimed sales on each side first")
    parser.add_argument("--block", type=int, default=50, help="sales in a row on one side")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args()

    from pos_tui.core.basket import PaymentInput
    from pos_tui.settings import load_settings
    from pos_tui.store import close_database, open_database

    work = Path(tempfile.mkdtemp(prefix="pos-bench-sync-sale-"))
    real_seal = outbox.seal
    try:
        ours_db, setup = prepare(work, args.products)
        base_db = work / "baseline.sqlite3"
        shutil.copyfile(ours_db, base_db)
        dropped = drop_capture(base_db)
        with sqlite3.connect(base_db) as conn:  # the setup's own records (the user, the shift, …)
            before = conn.execute("SELECT COUNT(*) FROM sync_outbox").fetchone()[0]

        with sqlite3.connect(ours_db) as conn:
            piece_barcodes = [
                code
                for (code,) in conn.execute(
                    "SELECT b.code FROM barcode b JOIN product p ON p.id = b.product_id WHERE p.unit = 'piece'"
                )
            ]
        rnd = random.Random(15)
        settings = {
            side: load_settings({"POS_DB": str(path), "POS_HOME": str(work), "POS_TERMINAL": TERMINAL})
            for side, path in (("ours", ours_db), ("baseline", base_db))
        }
        paths = {"ours": ours_db, "baseline": base_db}
        samples: dict[str, list[float]] = {"ours": [], "baseline": []}
        cpu: dict[str, list[float]] = {"ours": [], "baseline": []}
        sealing: list[float] = []  # per timed sale: the time spent in seal (all its transactions)
        in_seal = [0.0]

        def timed_seal() -> int | None:
            t = time.perf_counter()
            try:
                return real_seal()
            finally:
                in_seal[0] += time.perf_counter() - t

        done = {"ours": 0, "baseline": 0}
        total = args.warmup + args.sales
        clock = {"ours": START, "baseline": START}

        def run_block(side: str, count: int) -> None:
            outbox.seal = timed_seal if side == "ours" else (lambda: None)  # type: ignore[assignment]
            open_database(paths[side])
            actor = staff.actor_by_name("kasiyer", settings=settings[side])
            gc.collect()
            gc.freeze()
            try:
                for _ in range(count):
                    clock[side] += timedelta(seconds=30)
                    now = clock[side]
                    for code in rnd.sample(piece_barcodes, LINES):
                        cart = till.add_item(TERMINAL, actor, code, now=now, masks=settings[side].scale_labels)
                    tendered = (cart.total / 100).to_integral_value(rounding=ROUND_CEILING) * 100
                    in_seal[0] = 0.0
                    c = time.thread_time()
                    t = time.perf_counter()
                    till.complete_sale(
                        TERMINAL, actor, [PaymentInput("cash", tendered)], now=now, shift_id=setup["shift_id"]
                    )
                    elapsed = time.perf_counter() - t
                    used = time.thread_time() - c
                    if done[side] >= args.warmup:
                        samples[side].append(elapsed)
                        cpu[side].append(used)
                        if side == "ours":
                            sealing.append(in_seal[0])
                    done[side] += 1
            finally:
                gc.unfreeze()
                close_database()

        while done["ours"] < total or done["baseline"] < total:
            for side in ("ours", "baseline"):
                left = total - done[side]
                if left > 0:
                    run_block(side, min(args.block, left))
        outbox.seal = real_seal  # type: ignore[assignment]

        with sqlite3.connect(ours_db) as conn:
            records = conn.execute("SELECT COUNT(*) FROM sync_outbox").fetchone()[0]
            captured = conn.execute("SELECT COUNT(*) FROM sync_capture").fetchone()[0]
            unsealed = conn.execute("SELECT COUNT(*) FROM sync_capture WHERE outbox IS NULL").fetchone()[0]
        with sqlite3.connect(base_db) as conn:
            base_records = conn.execute("SELECT COUNT(*) FROM sync_outbox").fetchone()[0]
        if base_records != before or unsealed or records != before + total:
            raise SystemExit(f"the two sides did not do what they say: {records=} {unsealed=} {base_records=}")

        ours, baseline = percentiles(samples["ours"]), percentiles(samples["baseline"])
        ours_cpu, baseline_cpu = percentiles(cpu["ours"]), percentiles(cpu["baseline"])
        seal = percentiles(sealing)
        added_p99 = round(ours["p99_ms"] - baseline["p99_ms"], 4)
        added_p50 = round(ours["p50_ms"] - baseline["p50_ms"], 4)
        result = {
            "products": args.products,
            "lines_per_sale": LINES,
            "block": args.block,
            "setup": {"catalogue_import_s": setup["import_s"], "capture_triggers_dropped": dropped},
            "complete_sale_with_outbox": ours,
            "complete_sale_without_outbox": baseline,
            "added_p50_ms": added_p50,
            "added_p99_ms": added_p99,
            "complete_sale_cpu_with_outbox": ours_cpu,
            "complete_sale_cpu_without_outbox": baseline_cpu,
            "seal_alone": seal,
            "outbox_records": records - before,
            "captured_rows": captured,
            "summary": [
                verdict(
                    "complete_sale p99, 5 lines, with the sync outbox",
                    "ms",
                    ours["p99_ms"],
                    baseline=baseline["p99_ms"],
                    baseline_name="the same without capture triggers and seal",
                ),
                verdict(
                    "complete_sale p99: what the sync outbox adds",
                    "ms",
                    added_p99,
                    max_value=1.0,
                ),
                verdict("complete_sale p50: what the sync outbox adds", "ms", added_p50),
                verdict(
                    "complete_sale CPU time p99, with the sync outbox",
                    "ms",
                    ours_cpu["p99_ms"],
                    baseline=baseline_cpu["p99_ms"],
                    baseline_name="the same without capture triggers and seal",
                ),
                verdict(
                    "complete_sale CPU time p50, with the sync outbox",
                    "ms",
                    ours_cpu["p50_ms"],
                    baseline=baseline_cpu["p50_ms"],
                    baseline_name="the same without capture triggers and seal",
                ),
                verdict("outbox.seal alone p99 (inside complete_sale)", "ms", seal["p99_ms"]),
            ],
        }
        save("sync_sale", result, quiet=args.quiet)
    finally:
        outbox.seal = real_seal  # type: ignore[assignment]
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

"""Posting a sale: ``complete_sale`` of a 5-line cart, journal included, against raw sqlite3.

Both sides start from copies of one database: a catalogue imported through the core
(100,000 products by default), a cashier and an open shift. Each sample first fills a cart
outside the timed section (ours: ``till.add_item`` five times; the baseline: a
``cart_draft`` row and the five products read back), then times the posting alone.

Ours: ``till.complete_sale`` paid in cash. The baseline is one hand-written transaction
through Python's ``sqlite3`` module with the same pragmas (WAL, ``synchronous=FULL``) on the
same schema (triggers and indexes included) writing the same rows: the receipt counter, the
sale, 5 sale lines, the payment, the per-rate KDV rows, 5 stock movements valued at average
cost (the terminal's location and the products' cost state read first; the cost rule of
``kernel.costing``), the products' stock, value and cost and the per-location stock, the cart
draft deleted, a hash-chained journal entry and the journal head in ``meta_entry``. Samples
alternate between the two, so both see the same machine.

Targets (issue 2): p99 < 10 ms and ≤ 3× the raw transaction.

    python3 -m benchmarks.bench_sale [--products 100000] [--sales 1000]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import shutil
import sqlite3
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import ROUND_CEILING, Decimal
from pathlib import Path
from typing import Any

from benchmarks.common import percentiles, products_csv, save, timer, verdict
from pos_tui.core import cash, interchange, staff, till
from pos_tui.core.kernel import costing

LINES = 5
TERMINAL = "T1"
PIN = "4821"
START = datetime(2026, 11, 2, 7, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Item:
    product_id: int
    code: str
    barcode: str
    name: str
    unit: str
    price: int
    kdv_rate: int


def _kdv_of(total: int, rate: int) -> int:
    """KDV contained in a KDV-inclusive amount in kuruş, rounded half up (as money.split_kdv)."""
    base = (2 * total * 100 + (100 + rate)) // (2 * (100 + rate))
    return total - base


def _amount(kurus: int) -> str:
    return f"{kurus // 100}.{kurus % 100:02d}"


class RawSale:
    """The baseline: one sale written by hand through ``sqlite3`` in one transaction."""

    def __init__(self, path: Path, cashier_id: int, shift_id: int) -> None:
        self.db = sqlite3.connect(path, isolation_level=None)
        for pragma in (
            "journal_mode = wal",
            "synchronous = full",
            "foreign_keys = 1",
            "busy_timeout = 5000",
            "cache_size = -64000",
        ):
            self.db.execute(f"PRAGMA {pragma}")
        self.cashier_id = cashier_id
        self.shift_id = shift_id

    def items(self, barcodes: list[str]) -> list[Item]:
        sql = (
            "SELECT p.id, p.code, b.code, p.name, p.unit, p.price, p.kdv_rate FROM barcode b "
            "JOIN product p ON p.id = b.product_id WHERE b.code = ?"
        )
        return [Item(*self.db.execute(sql, (bc,)).fetchone()) for bc in barcodes]

    def open_cart(self, items: list[Item], at: str) -> None:
        """What the till leaves behind before payment: the open cart's draft row (not timed)."""
        data = json.dumps({"lines": [item.__dict__ for item in items]}, ensure_ascii=False)
        self.db.execute(
            "INSERT INTO cart_draft (terminal, status, cashier_id, data, created_at, updated_at) "
            "VALUES (?, 'open', ?, ?, ?, ?)",
            (TERMINAL, self.cashier_id, data, at, at),
        )

    def post(self, items: list[Item], at: str) -> None:
        db = self.db
        lines = [(i, item, item.price, _kdv_of(item.price, item.kdv_rate)) for i, item in enumerate(items, 1)]
        total = sum(price for _i, _item, price, _kdv in lines)
        by_rate: dict[int, int] = {}
        for _i, item, price, _kdv in lines:
            by_rate[item.kdv_rate] = by_rate.get(item.kdv_rate, 0) + price
        kdv_rows = []
        for rate, gross in sorted(by_rate.items()):
            kdv = _kdv_of(gross, rate)
            kdv_rows.append((rate, gross - kdv, kdv))
        tendered = -(-total // 10000) * 10000
        uid = uuid.uuid4().hex
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute(
                "INSERT INTO counter (scope, name, value) VALUES (?, 'receipt', 1) "
                "ON CONFLICT (scope, name) DO UPDATE SET value = value + 1",
                (TERMINAL,),
            )
            (receipt_no,) = db.execute(
                "SELECT value FROM counter WHERE scope = ? AND name = 'receipt'", (TERMINAL,)
            ).fetchone()
            sale_id = db.execute(
                "INSERT INTO sale (uid, kind, terminal, receipt_no, at, cashier_id, customer_id, shift_id, "
                "return_of_id, subtotal, discount, total, source, note) "
                "VALUES (?, 'sale', ?, ?, ?, ?, NULL, ?, NULL, ?, 0, ?, 'till', NULL)",
                (uid, TERMINAL, receipt_no, at, self.cashier_id, self.shift_id, total, total),
            ).lastrowid
            db.executemany(
                "INSERT INTO sale_line (sale_id, line_no, product_id, code, barcode, name, unit, qty, "
                "unit_price, list_price, discount, total, kdv_rate, kdv) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, 1000, ?, ?, 0, ?, ?, ?)",
                [
                    (
                        sale_id,
                        i,
                        it.product_id,
                        it.code,
                        it.barcode,
                        it.name,
                        it.unit,
                        p,
                        p,
                        p,
                        it.kdv_rate,
                        k,
                    )
                    for i, it, p, k in lines
                ],
            )
            db.execute(
                "INSERT INTO payment (sale_id, method, amount, tendered, change) VALUES (?, 'cash', ?, ?, ?)",
                (sale_id, total, tendered, tendered - total),
            )
            db.executemany(
                "INSERT INTO sale_kdv (sale_id, rate, base, kdv) VALUES (?, ?, ?, ?)",
                [(sale_id, rate, base, kdv) for rate, base, kdv in kdv_rows],
            )
            where = db.execute("SELECT location_id FROM terminal_location WHERE terminal = ?", (TERMINAL,)).fetchone()
            location = where[0] if where else db.execute("SELECT id FROM stock_location WHERE is_default").fetchone()[0]
            ids = [it.product_id for _i, it, _p, _k in lines]
            marks = ", ".join("?" * len(ids))
            states = {
                pid: costing.CostState(q, v, c)
                for pid, q, v, c in db.execute(
                    f"SELECT id, stock, stock_value, cost FROM product WHERE id IN ({marks}) ORDER BY id", ids
                )
            }
            moved = []
            for pid in ids:
                step = costing.outflow(states[pid], 1000)
                states[pid] = step.state
                moved.append((pid, at, sale_id, location, step.unit_cost, step.value, TERMINAL, self.cashier_id))
            db.executemany(
                "INSERT INTO stock_movement (product_id, at, qty, kind, sale_id, note, location_id, unit_cost, value, "
                "terminal, user_id) VALUES (?, ?, -1000, 'sale', ?, NULL, ?, ?, ?, ?, ?)",
                moved,
            )
            db.executemany(
                "UPDATE product SET stock = ?, stock_value = ?, cost = ? WHERE id = ?",
                [(st.qty, st.value, st.cost, pid) for pid, st in states.items()],
            )
            db.executemany(
                "INSERT INTO stock_level (product_id, location_id, qty) VALUES (?, ?, -1000) "
                "ON CONFLICT (product_id, location_id) DO UPDATE SET qty = qty - 1000",
                [(pid, location) for pid in ids],
            )
            db.execute(
                "DELETE FROM cart_draft WHERE terminal = ? AND status = 'open' AND cashier_id = ?",
                (TERMINAL, self.cashier_id),
            )
            document = {
                "id": uid, "receipt_no": receipt_no, "type": "sale", "terminal": TERMINAL, "at": at,
                "subtotal": _amount(total), "discount": "0.00", "total": _amount(total),
                "kdv": {str(r): {"base": _amount(b), "kdv": _amount(k)} for r, b, k in kdv_rows},
                "lines": [
                    {"line_no": i, "code": it.code, "barcode": it.barcode, "name": it.name, "qty": "1",
                     "unit_price": _amount(p), "total": _amount(p), "kdv_rate": it.kdv_rate}
                    for i, it, p, _k in lines
                ],
                "payments": [{"method": "cash", "amount": _amount(total), "tendered": _amount(tendered),
                              "change": _amount(tendered - total)}],
            }  # fmt: skip
            head = db.execute("SELECT value FROM meta_entry WHERE key = 'journal_head'").fetchone()
            prev = head[0].split(":", 1)[1] if head else "0" * 64
            payload = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
            digest = hashlib.sha256((prev + payload).encode()).hexdigest()
            entry_id = db.execute(
                "INSERT INTO journal_entry (at, terminal, kind, ref, payload, prev_hash, hash) "
                "VALUES (?, ?, 'sale', ?, ?, ?, ?)",
                (at, TERMINAL, uid, payload, prev, digest),
            ).lastrowid
            db.execute(
                "INSERT INTO meta_entry (key, value) VALUES ('journal_head', ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (f"{entry_id}:{digest}",),
            )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def close(self) -> None:
        self.db.close()


def prepare(work: Path, products: int) -> tuple[Path, dict[str, Any]]:
    """A database with ``products`` imported through the core, a cashier and an open shift."""
    from pos_tui.settings import load_settings
    from pos_tui.store import close_database, open_database

    db = work / "pos.sqlite3"
    settings = load_settings({"POS_DB": str(db), "POS_HOME": str(work), "POS_TERMINAL": TERMINAL})
    open_database(db)
    with timer() as t:
        report = interchange.import_products(products_csv(products), now=START, settings=settings)
    info = staff.add_user("kasiyer", "cashier", PIN, now=START, settings=settings)
    shift = cash.open_shift(TERMINAL, staff.actor_of(info, settings), Decimal("500.00"), now=START)
    close_database()  # the last connection checkpoints the WAL, so the file copies whole
    return db, {
        "import_s": t["seconds"],
        "created": report.created,
        "cashier_id": info.id,
        "shift_id": shift.id,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--sales", type=int, default=1000, help="timed sales on each side")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args()

    from pos_tui.core.basket import PaymentInput
    from pos_tui.settings import load_settings
    from pos_tui.store import close_database, open_database

    work = Path(tempfile.mkdtemp(prefix="pos-bench-sale-"))
    try:
        ours_db, setup = prepare(work, args.products)
        base_db = work / "baseline.sqlite3"
        shutil.copyfile(ours_db, base_db)

        settings = load_settings({"POS_DB": str(ours_db), "POS_HOME": str(work), "POS_TERMINAL": TERMINAL})
        open_database(ours_db)
        actor = staff.actor_by_name("kasiyer", settings=settings)
        raw = RawSale(base_db, setup["cashier_id"], setup["shift_id"])
        rnd = random.Random(11)
        piece_barcodes = [
            code
            for (code,) in raw.db.execute(
                "SELECT b.code FROM barcode b JOIN product p ON p.id = b.product_id WHERE p.unit = 'piece'"
            )
        ]
        total = args.warmup + args.sales
        baskets = [rnd.sample(piece_barcodes, LINES) for _ in range(total)]

        ours_s: list[float] = []
        raw_s: list[float] = []
        add_s: list[float] = []
        for i, basket in enumerate(baskets):
            now = START + timedelta(seconds=30 * (i + 1))
            at = now.replace(tzinfo=None).isoformat(" ")
            for code in basket:
                t = time.perf_counter()
                cart = till.add_item(TERMINAL, actor, code, now=now, masks=settings.scale_labels)
                add_s.append(time.perf_counter() - t)
            # The customer hands over the next multiple of 100 TL.
            tendered = (cart.total / 100).to_integral_value(rounding=ROUND_CEILING) * 100
            payments = [PaymentInput("cash", tendered)]
            t = time.perf_counter()
            till.complete_sale(TERMINAL, actor, payments, now=now, shift_id=setup["shift_id"])
            elapsed = time.perf_counter() - t

            items = raw.items(basket)
            raw.open_cart(items, at)
            t = time.perf_counter()
            raw.post(items, at)
            raw_elapsed = time.perf_counter() - t
            if i >= args.warmup:
                ours_s.append(elapsed)
                raw_s.append(raw_elapsed)
        raw.close()
        close_database()

        ours, baseline = percentiles(ours_s), percentiles(raw_s)
        result = {
            "products": args.products,
            "lines_per_sale": LINES,
            "setup": {"catalogue_import_s": setup["import_s"], "products_created": setup["created"]},
            "complete_sale": ours,
            "raw_sqlite3_transaction": baseline,
            "ratio_p50": round(ours["p50_ms"] / baseline["p50_ms"], 2),
            "ratio_p99": round(ours["p99_ms"] / baseline["p99_ms"], 2),
            "add_item": percentiles(add_s[args.warmup * LINES :]),
            "summary": [
                verdict(
                    "complete_sale p99, 5 lines",
                    "ms",
                    ours["p99_ms"],
                    baseline=baseline["p99_ms"],
                    baseline_name="raw sqlite3 transaction, same rows",
                    max_value=10.0,
                    max_ratio=3.0,
                ),
                verdict(
                    "complete_sale p50, 5 lines",
                    "ms",
                    ours["p50_ms"],
                    baseline=baseline["p50_ms"],
                    baseline_name="raw sqlite3 transaction, same rows",
                    max_ratio=3.0,
                ),
            ],
        }
        save("sale", result, quiet=args.quiet)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

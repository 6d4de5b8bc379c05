"""Price lists: a scan into a sale made to an account with a big price list, and re-pricing a cart.

Setup (untimed): a temporary SQLite file with ``--products`` products, a cashier, and a price list
``TOPTAN`` with an item for every second product (a fixed price or a percent off; a quarter of them
with a dated campaign item too) and a list-wide rule; the customer account BAKKAL carries it.

Timed, alternating, after a warm-up:

* **scan ours**: ``till.add_item`` into the open cart of a sale to BAKKAL (the account's price is
  resolved: one query on the list's items), the cart growing to ``--lines`` lines then voided away;
* **scan baseline**: the same scans into a sale without an account (measured in the same run);
* **reprice**: ``till.set_account`` on a cart of ``--lines`` lines (one query for the whole cart),
  against clearing it again.

No target: issue 13 names no number for these. The load average is recorded before and after.

    python3 -m benchmarks.bench_prices [--products 20000] [--lines 100] [--scans 300] [--quick] [--quiet]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from benchmarks.common import percentiles, save, verdict


def prepare(db: Path, products: int) -> Any:
    from pos_tui.core import accounts, catalog, staff
    from pos_tui.settings import load_settings
    from pos_tui.store import models as m
    from pos_tui.store import open_database, write_tx

    now = datetime.now(UTC)
    open_database(db)
    settings = load_settings({"POS_DB": str(db), "POS_HOME": str(db.parent)})
    staff.add_user("admin", "admin", "9999", now=now, settings=settings)
    actor = staff.actor_by_name("admin", settings=settings)
    catalog.upsert_products(
        [
            catalog.ProductInput(code=str(100000 + i), name=f"Ürün {i}", price=Decimal(10 + i % 500), kdv_rate=20)
            for i in range(products)
        ],
        now=now,
        kdv_rates=settings.kdv_rates,
    )
    accounts.prices.add_price_list("TOPTAN", "Toptan", actor=actor, now=now)
    list_id = m.PriceList.get().id
    ids: list[int] = [p.id for p in m.Product.select(m.Product.id).order_by(m.Product.id)]
    today = now.date()
    rows: list[tuple[Any, ...]] = []
    for n, pid in enumerate(ids[::2]):
        price, pct = (None, 500 + n % 2000) if n % 2 else ((9 + n % 400) * 100, None)
        rows.append((list_id, pid, price, pct, None, None, now))
        if n % 4 == 0:
            rows.append((list_id, pid, None, 1500, today - timedelta(days=3), today + timedelta(days=3), now))
    rows.append((list_id, None, None, 300, None, None, now))
    It = m.PriceListItem
    fields = [It.price_list, It.product, It.price, It.percent_off, It.valid_from, It.valid_to, It.created_at]
    with write_tx():
        for start in range(0, len(rows), 100):
            It.insert_many(rows[start : start + 100], fields=fields).execute()
    accounts.add_party(accounts.PartyInput(code="BAKKAL", name="Bakkal", kind="customer", price_list="TOPTAN"), now=now)
    return actor, settings, ids


def run(products: int, lines: int, scans: int) -> dict[str, Any]:
    from pos_tui.core import till
    from pos_tui.store import close_database

    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "prices.db"
        actor, settings, _ids = prepare(db, products)
        now = datetime.now(UTC)
        masks = settings.scale_labels
        codes = [str(100000 + i) for i in range(0, products, max(1, products // (lines * 4)))][: lines * 4]
        ours: list[float] = []
        base: list[float] = []

        def scan_batch(terminal: str, account: bool, out: list[float]) -> None:
            if account:
                till.set_account(terminal, actor, "BAKKAL", now=now)
            for i in range(lines):
                t = time.perf_counter()
                till.add_item(terminal, actor, codes[i % len(codes)], now=now, masks=masks)
                out.append(time.perf_counter() - t)
            till.cancel_cart(terminal, actor, "bench", now=now)

        rounds = max(1, scans // lines)
        scan_batch("W", True, [])  # warm-up
        scan_batch("W", False, [])
        for _ in range(rounds):
            scan_batch("A", True, ours)
            scan_batch("B", False, base)
        reprice: list[float] = []
        clear: list[float] = []
        for i in range(lines):
            till.add_item("R", actor, codes[i % len(codes)], now=now, masks=masks)
        for _ in range(20):
            t = time.perf_counter()
            till.set_account("R", actor, "BAKKAL", now=now)
            reprice.append(time.perf_counter() - t)
            t = time.perf_counter()
            till.set_account("R", actor, None, now=now)
            clear.append(time.perf_counter() - t)
        close_database()
    ours_p, base_p = percentiles(ours), percentiles(base)
    items = products // 2 + products // 8 + 1  # one per second product, a campaign for a quarter, the rule
    rep_p, clear_p = percentiles(reprice), percentiles(clear)
    return {
        "sizes": {"products": products, "lines": lines, "scans": len(ours), "items": items},
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "scan_account": ours_p,
        "scan_plain": base_p,
        "reprice": rep_p,
        "clear": clear_p,
        "summary": [
            verdict(
                f"scan into a sale to an account with a {items:,}-item price list, p50",
                "ms",
                ours_p["p50_ms"],
                baseline=base_p["p50_ms"],
                baseline_name="the same scan into a sale without an account",
            ),
            verdict(
                f"scan into a sale to an account with a {items:,}-item price list, p99",
                "ms",
                ours_p["p99_ms"],
                baseline=base_p["p99_ms"],
                baseline_name="the same scan into a sale without an account",
            ),
            verdict(
                f"set the account on a {lines}-line cart (re-price), p50",
                "ms",
                rep_p["p50_ms"],
                baseline=clear_p["p50_ms"],
                baseline_name="clearing the account again",
            ),
            verdict(
                f"set the account on a {lines}-line cart (re-price), p99",
                "ms",
                rep_p["p99_ms"],
                baseline=clear_p["p99_ms"],
                baseline_name="clearing the account again",
            ),
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--products", type=int, default=20_000)
    parser.add_argument("--lines", type=int, default=100)
    parser.add_argument("--scans", type=int, default=300)
    parser.add_argument("--quick", action="store_true", help="2,000 products, 20 lines, 40 scans: a smoke run")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.products, args.lines, args.scans = 2000, 20, 40
    save("prices", run(args.products, args.lines, args.scans), quiet=args.quiet)


if __name__ == "__main__":
    main()

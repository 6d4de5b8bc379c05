"""Shelf labels: 1,000 labels selected from the catalog and rendered to an A4 PDF.

Setup (untimed): ``--products`` generated products (``common.product_rows``: Turkish names,
EAN-13s, 3 % by the kg) written through ``catalog.upsert_products`` into a temporary SQLite file.

Timed, ``--runs`` times each, alternating, median reported:

* **ours**: ``shelf_labels.select_products`` of ``--labels`` product codes, then
  ``labels_pdf.write_pdf`` with the default 3 × 7 grid (EAN-13 or Code 128 per label) to a file;
* **baseline**: the same selection and the same sheets with ``barcodes=False`` — text, fonts and
  page handling only, so the difference is what the barcodes cost.

Target (issue 4): 1,000 labels render to PDF in < 10 s.

    python3 -m benchmarks.bench_labels [--labels 1000] [--products 5000] [--runs 3] [--quiet]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from benchmarks.common import product_rows, save, timer, verdict

NOW = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
AS_OF = date(2026, 11, 16)


def _decimal(text: str) -> Decimal:
    return Decimal(text.replace(",", "."))


def setup(work: Path, products: int) -> list[str]:
    """A catalog of ``products`` generated products; returns their codes."""
    from pos_tui.core.catalog import ProductInput, upsert_products
    from pos_tui.store import open_database

    open_database(work / "labels.sqlite3")
    rows = [
        ProductInput(
            code=code,
            barcodes=(barcode,),
            name=name,
            unit=unit,
            price=_decimal(price),
            cost=_decimal(cost),
            kdv_rate=int(kdv),
            category=category,
        )
        for code, barcode, name, unit, price, cost, kdv, category, _supplier, _min, _stock in product_rows(products)
    ]
    upsert_products(rows, now=NOW, kdv_rates=(0, 1, 10, 20))
    return [row.code for row in rows if row.code is not None]


def run_once(codes: list[str], out: Path, *, barcodes: bool) -> dict[str, float]:
    from pos_tui.core.catalog import select_products
    from pos_tui.devices.labels_pdf import write_pdf

    t0 = time.perf_counter()
    labels = select_products(codes=codes, as_of=AS_OF)
    t1 = time.perf_counter()
    pages = write_pdf(labels, out, barcodes=barcodes)
    t2 = time.perf_counter()
    return {"select_s": t1 - t0, "render_s": t2 - t1, "total_s": t2 - t0, "pages": pages, "bytes": out.stat().st_size}


def _median(runs: list[dict[str, float]], key: str) -> float:
    return round(statistics.median(r[key] for r in runs), 3)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--labels", type=int, default=1000)
    parser.add_argument("--products", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="pos-bench-labels-"))
    try:
        from pos_tui.store import close_database

        with timer() as t:
            codes = setup(work, max(args.products, args.labels))
        step = max(1, len(codes) // args.labels)
        chosen = codes[::step][: args.labels]
        run_once(chosen[:21], work / "warmup.pdf", barcodes=True)  # fonts registered, modules loaded
        ours: list[dict[str, float]] = []
        base: list[dict[str, float]] = []
        for _ in range(args.runs):
            ours.append(run_once(chosen, work / "ours.pdf", barcodes=True))
            base.append(run_once(chosen, work / "baseline.pdf", barcodes=False))
        close_database()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    total, baseline_total = _median(ours, "total_s"), _median(base, "total_s")
    result: dict[str, Any] = {
        "labels": len(chosen),
        "products": len(codes),
        "setup_s": t["seconds"],
        "runs": args.runs,
        "ours": {k: _median(ours, k) for k in ("select_s", "render_s", "total_s")}
        | {"pages": ours[0]["pages"], "bytes": ours[0]["bytes"]},
        "baseline_without_barcodes": {k: _median(base, k) for k in ("select_s", "render_s", "total_s")}
        | {"pages": base[0]["pages"], "bytes": base[0]["bytes"]},
        "all_runs_total_s": [round(r["total_s"], 3) for r in ours],
    }
    result["summary"] = [
        verdict(
            f"{len(chosen):,} shelf labels to PDF (select + render)",
            "s",
            total,
            baseline=baseline_total,
            baseline_name="the same sheets without barcodes",
            max_value=10,
        ),
        verdict(f"select {len(chosen):,} products for labels", "s", _median(ours, "select_s")),
    ]
    save("labels", result, quiet=args.quiet)


if __name__ == "__main__":
    main()

"""The yardstick for ``pos-admin``'s start-up (:mod:`benchmarks.bench_cli`): a bare Typer app
doing what ``pos-admin --help`` and ``pos-admin products show CODE --json`` do, with raw
:mod:`sqlite3` and nothing of pos_tui.

It is run as a script (``python benchmarks/cli_baseline.py products show 8690000000017 --json``),
the way a console script runs, and prints the same JSON as ``pos-admin``: the product found by
barcode (an EAN-13 or its UPC-A form) or else by code, amounts as ``"12.50"``, quantities as
decimal strings, its barcodes in order. It opens the file the way a careful tool does (the same
pragmas as pos_tui's store) but runs no integrity check and no schema check.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
from decimal import Decimal
from typing import Annotated, Any

import typer

app = typer.Typer(
    name="baseline",
    help="A bare Typer app: products show with raw sqlite3.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    add_completion=False,
)
products = typer.Typer(help="Look up products by code or barcode.", no_args_is_help=True, rich_markup_mode=None)
app.add_typer(products, name="products")

SELECT = (
    "SELECT p.id, p.code, p.name, p.unit, p.price, p.cost, p.kdv_rate, c.name, s.name, p.min_stock, p.stock,"
    " p.active FROM product p LEFT JOIN category c ON c.id = p.category_id"
    " LEFT JOIN supplier s ON s.id = p.supplier_id"
)


@app.callback()
def root(db: Annotated[str, typer.Option("--db", envvar="POS_DB", help="SQLite file.")] = "pos.sqlite3") -> None:
    """A bare Typer app."""
    os.environ["POS_DB"] = db


def _quantity(milli: int) -> str:
    return str((Decimal(milli) / 1000).normalize() if milli % 1000 else Decimal(milli // 1000))


def _variants(code: str) -> list[str]:
    if len(code) == 12 and code.isdigit():
        return [code, "0" + code]
    if len(code) == 13 and code.startswith("0") and code.isdigit():
        return [code, code[1:]]
    return [code]


@products.command("show")
def show(code: str, json_: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Show one product."""
    conn = sqlite3.connect(os.environ["POS_DB"], timeout=5)
    for pragma in ("journal_mode = wal", "synchronous = full", "foreign_keys = 1", "busy_timeout = 5000"):
        conn.execute(f"PRAGMA {pragma}")
    code = code.strip()
    variants = _variants(code)
    marks = ", ".join("?" * len(variants))
    row = conn.execute(f"{SELECT} JOIN barcode b ON b.product_id = p.id WHERE b.code IN ({marks})", variants).fetchone()
    if row is None:
        row = conn.execute(f"{SELECT} WHERE p.code = ?", (code,)).fetchone()
    if row is None:
        print(f"error: no product with barcode or code {code}", file=sys.stderr)
        raise typer.Exit(1)
    barcodes = [r[0] for r in conn.execute("SELECT code FROM barcode WHERE product_id = ? ORDER BY code", (row[0],))]
    conn.close()
    record: dict[str, Any] = {
        "id": row[0],
        "code": row[1],
        "name": row[2],
        "unit": row[3],
        "price": f"{Decimal(row[4]) / 100:.2f}",
        "cost": f"{Decimal(row[5]) / 100:.2f}",
        "kdv_rate": row[6],
        "category": row[7],
        "supplier": row[8],
        "min_stock": _quantity(row[9]),
        "stock": _quantity(row[10]),
        "active": bool(row[11]),
        "barcodes": barcodes,
    }
    sys.stdout.write(json.dumps(record, ensure_ascii=False, indent=2) + "\n")


if __name__ == "__main__":
    app()

"""`pos-admin import …`: products, customers, suppliers (sales: see :mod:`pos_tui.cli.sales`)."""

from __future__ import annotations

from pos_tui.cli.common import make_typer

app = make_typer("import", "Import products, customers, suppliers and sales from CSV, JSON or JSONL.")

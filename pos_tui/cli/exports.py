"""`pos-admin export …`: products (sales: see :mod:`pos_tui.cli.sales`)."""

from __future__ import annotations

from pos_tui.cli.common import make_typer

app = make_typer("export", "Export products and sales as CSV, JSON or JSONL.")

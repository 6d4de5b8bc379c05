"""``pos-admin stores``: the chain's stores (docs/sync.md)."""

from __future__ import annotations

from pos_tui.cli.common import make_typer

app = make_typer("stores", "The chain's stores: add, list, update (price list).")

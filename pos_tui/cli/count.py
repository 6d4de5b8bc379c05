"""``pos-admin count``: stock counts (sayım)."""

from __future__ import annotations

from pos_tui.cli.common import make_typer

app = make_typer("count", "Stock counts (sayım): open, list, show, import handheld files, post, cancel.")

"""`pos-admin audit` commands."""

from __future__ import annotations

from pos_tui.cli.common import make_typer

app = make_typer("audit", "audit commands.")

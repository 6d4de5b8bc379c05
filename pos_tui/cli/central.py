"""``pos-admin central``: reports across terminals and stores from the central database (docs/sync.md)."""

from __future__ import annotations

from pos_tui.cli.common import make_typer

app = make_typer("central", "Reports across terminals and stores from the central database: X, Z, sales, loyalty.")

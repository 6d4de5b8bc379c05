"""`pos-admin init`, `demo`, `backup` and `db upgrade`."""

from __future__ import annotations

import typer

from pos_tui.cli.common import make_typer

db_app = make_typer("db", "Database schema commands.")


def register(app: typer.Typer) -> None:
    """Attach the top-level database commands (init, demo, backup) to the root app."""

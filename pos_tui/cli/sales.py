"""`pos-admin import sales` and `pos-admin export sales`, attached to the import/export groups."""

from __future__ import annotations

import typer


def register(import_app: typer.Typer, export_app: typer.Typer) -> None:
    """Attach the sales commands to the import and export groups."""

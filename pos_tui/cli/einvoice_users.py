"""``pos-admin einvoice``: the users commands (stub: its owner fills it in)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Attach this part's commands to the ``einvoice`` group."""

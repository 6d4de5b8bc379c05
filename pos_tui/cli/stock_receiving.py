"""``pos-admin stock`` commands: receiving."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Attach this part's commands to the ``stock`` group."""

"""``pos-admin accounts`` commands (scaffold: filled in by issue 13's work)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Attach this part's commands to the ``accounts`` group."""
    return None

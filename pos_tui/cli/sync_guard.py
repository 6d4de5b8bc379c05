"""Part of ``pos-admin sync`` (see sync.py): written by its owner."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Attach this part's commands to ``app``."""

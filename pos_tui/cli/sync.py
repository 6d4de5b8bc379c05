"""``pos-admin sync``: this terminal and the central PostgreSQL (docs/sync.md). The commands live in
one module per part (``sync_ops``: init, status, push, pull, run, role; ``sync_guard``: reconcile,
holds), each attaching its commands with ``register(app)``.
"""

from __future__ import annotations

from pos_tui.cli import sync_adopt, sync_guard, sync_ops
from pos_tui.cli.common import make_typer

app = make_typer(
    "sync",
    "Offline sync with the central PostgreSQL: init, status, push, pull, run, reconcile.",
)
for part in (sync_ops, sync_guard, sync_adopt):
    part.register(app)

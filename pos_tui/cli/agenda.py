"""``pos-admin agenda`` (scaffold: filled in by issue 13's work)."""

from __future__ import annotations

from pos_tui.cli.common import make_typer

app = make_typer("agenda", "The agenda (ajanda): notes and tasks, due dates, export to a calendar.")

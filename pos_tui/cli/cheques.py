"""``pos-admin cheques`` (scaffold: filled in by issue 13's work)."""

from __future__ import annotations

from pos_tui.cli.common import make_typer

app = make_typer("cheques", "Cheques and promissory notes (çek, senet): receive, endorse, deposit, collect, bounce.")

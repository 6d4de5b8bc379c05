"""``pos-admin pricelists`` (scaffold: filled in by issue 13's work)."""

from __future__ import annotations

from pos_tui.cli.common import make_typer

app = make_typer("pricelists", "Price lists for account customers, such as TOPTAN: add, set, import, show.")

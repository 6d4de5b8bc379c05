"""``pos-admin --db postgresql://… sync adopt [--terminal MERKEZ] [--json]``: the centre's own ledger
rows (points, store credit, gift-card money, accounts, stamps, stock…) become documents of the
pseudo-terminal MERKEZ, so the terminals pull them and the centre's balances count them
(docs/sync-ops.md, "Setting up a centre")."""

from __future__ import annotations

from typing import Annotated

import typer

from pos_tui.cli.common import handle_errors, now, state
from pos_tui.cli.output import JsonOption, info, print_json
from pos_tui.i18n import _, ngettext


def register(app: typer.Typer) -> None:
    """Attach this part's commands to the ``sync`` group."""
    app.command("adopt")(adopt)


@handle_errors
def adopt(
    terminal: Annotated[
        str, typer.Option("--terminal", help="The code the centre's rows travel under (no terminal may use it).")
    ] = "MERKEZ",
    json_: JsonOption = False,
) -> None:
    """On the centre: make its own ledger rows documents the terminals pull (once; again adopts only new rows)."""
    from pos_tui.core import sync

    state().open_db()
    result = sync.adopt(now(), terminal=terminal)
    if json_:
        print_json(
            {
                "terminal": result.terminal,
                "adopted": result.adopted,
                "rows": result.rows,
                "documents": list(result.documents),
                "stores": list(result.stores),
                "balances": result.balances,
                "before": result.before,
            }
        )
        return
    if not result.adopted:
        info(
            _(
                "Nothing to adopt: the centre holds no ledger rows of its own that no terminal has "
                "({before} adopted before)."
            ).format(before=result.before)
        )
        return
    info(
        ngettext(
            "{count} row of the centre adopted as terminal {terminal}'s documents ({stores}); "
            "{balances} balances changed.",
            "{count} rows of the centre adopted as terminal {terminal}'s documents ({stores}); "
            "{balances} balances changed.",
            result.adopted,
        ).format(
            count=result.adopted,
            terminal=result.terminal,
            stores=", ".join(result.stores),
            balances=result.balances,
        )
    )
    for table, count in sorted(result.rows.items()):
        info(f"  {table}: {count}")
    info(_("The terminals take them with their next pull; from now on such rows are recorded at a terminal."))

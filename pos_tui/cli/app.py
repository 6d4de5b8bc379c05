"""The root ``pos-admin`` app: global options and the command groups.

Exit codes: 0 ok, 1 the operation failed (or a question was answered no), 2 usage (bad
option, bad config, or a question asked with no terminal to answer it: add ``--yes``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pos_tui.cli import audit, dbcmd, exports, imports, products, reports, sales, users
from pos_tui.cli import customers as customers_cli
from pos_tui.cli import fiscal as fiscal_cli
from pos_tui.cli import giftcards as giftcards_cli
from pos_tui.cli import labels as labels_cli
from pos_tui.cli import loyalty as loyalty_cli
from pos_tui.cli import messages as messages_cli
from pos_tui.cli import nps as nps_cli
from pos_tui.cli import receipt as receipt_cli
from pos_tui.cli import wallet as wallet_cli
from pos_tui.cli.common import make_typer, state

app = make_typer("pos-admin", "Administer a pos_tui shop: users, imports, exports, reports, audit.")


@app.callback()
def root(
    db: Annotated[
        str | None,
        typer.Option(
            "--db", envvar="POS_DB", help="SQLite file or postgresql:// URL (default: $POS_HOME/pos.sqlite3)."
        ),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option("--config", envvar="POS_CONFIG", help="pos.toml to read (default: $POS_HOME/pos.toml)."),
    ] = None,
) -> None:
    """Administer a pos_tui shop."""
    s = state()
    s.db_url = db
    s.config = config


dbcmd.register(app)
app.add_typer(dbcmd.db_app, name="db")
app.add_typer(users.app, name="users")
app.add_typer(imports.app, name="import")
app.add_typer(exports.app, name="export")
app.add_typer(products.app, name="products")
app.add_typer(reports.app, name="report")
app.add_typer(audit.app, name="audit")
app.add_typer(loyalty_cli.app, name="loyalty")
app.add_typer(giftcards_cli.app, name="giftcards")
app.add_typer(wallet_cli.app, name="wallet")
app.add_typer(customers_cli.app, name="customers")
app.add_typer(messages_cli.app, name="messages")
app.add_typer(nps_cli.app, name="nps")
app.add_typer(receipt_cli.app, name="receipt")
app.add_typer(labels_cli.app, name="labels")
app.add_typer(fiscal_cli.app, name="fiscal")
sales.register(imports.app, exports.app)


def main() -> None:
    app()


if __name__ == "__main__":
    main()

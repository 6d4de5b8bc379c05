"""The root ``pos-admin`` app: global options and the command groups.

Exit codes: 0 ok, 1 the operation failed (or a question was answered no), 2 usage (bad
option, bad config, or a question asked with no terminal to answer it: add ``--yes``).

Each command and group lives in a module of its own that is imported only when it runs
(:class:`LazyGroup`): ``pos-admin --help`` imports none of them, ``pos-admin products show``
only ``cli/products.py`` and what it uses.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup

from pos_tui.cli.common import make_typer, state

# Every command and group of the root, in the order ``--help`` lists them: the module of
# ``pos_tui.cli`` that defines it (``module:attribute`` for a group's Typer other than ``app``;
# ``module:register`` for commands that a ``register(app)`` function attaches to the root) and
# the first sentence of its help as that module says it, which is what ``--help`` shows
# (tests/foundation/test_startup_imports.py checks the two agree).
COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("dbcmd:register", "Create the database (or upgrade an existing one) and say where it is."),
    "demo": (
        "dbcmd:register",
        "Create the database and load the demo shop: products, customers, suppliers, the users ayse (cashier, PIN"
        " 1111), mehmet (supervisor, 2222), admin (admin, 9999), the loyalty program of config/loyalty.toml and six"
        " members with points.",
    ),
    "backup": (
        "dbcmd:register",
        "Copy the SQLite database with SQLite's online backup (safe while tills are selling), then check the copy"
        " with ``PRAGMA integrity_check``.",
    ),
    "restore": (
        "dbcmd:register",
        "Replace the database with BACKUP, after checking that BACKUP passes ``PRAGMA integrity_check`` and"
        " ``audit verify``.",
    ),
    "db": ("dbcmd:db_app", "Database schema commands."),
    "users": ("users", "Cashiers, supervisors and admins: add, list, disable, change PINs, unlock a terminal."),
    "import": ("imports", "Import products, customers, suppliers and sales from CSV, JSON or JSONL."),
    "export": ("exports", "Export products and sales as CSV, JSON or JSONL."),
    "products": ("products", "Look up products by code, barcode or name."),
    "report": ("reports", "X, Z, sales, margin, stock, accounts, KDV and loyalty reports; exports and e-mail."),
    "audit": ("audit", "Check that nothing was changed behind pos_tui's back."),
    "loyalty": ("loyalty", "The loyalty program: rules, tiers, coupons, offers and the nightly run."),
    "giftcards": ("giftcards", "Gift cards: issue, top up, show, list, deactivate."),
    "wallet": ("wallet", "Members' store credit and cashback: show, adjust, top up."),
    "points": ("points", "Members' points: show, transfer, donate to a charity, adjust."),
    "customers": ("customers", "Loyalty members: enrol, show, search, consent, export and anonymize."),
    "messages": ("messages", "Loyalty messages: list, export (SMS), send by e-mail."),
    "nps": ("nps", "Net Promoter Score answers: add one, import a survey."),
    "receipt": ("receipt", "Print or show a posted receipt (sale or return)."),
    "labels": ("labels", "Shelf labels: A4 sheets (PDF) or the receipt printer (ESC/POS)."),
    "fiscal": ("fiscal", "The fiscal device (ÖKC): status, X report, Z report."),
    "stock": ("stock", "Stock: locations, goods receipts, supplier returns, adjustments, transfers and reports."),
    "count": ("count", "Stock counts (sayım): open, list, show, import handheld files, post, cancel."),
    "accounts": (
        "accounts",
        "Customer and supplier accounts (cari): add, import, show, collect, pay, statements, aging.",
    ),
    "pricelists": ("pricelists", "Price lists for account customers, such as TOPTAN: add, set, import, show."),
    "cheques": ("cheques", "Cheques and promissory notes (çek, senet): receive, endorse, deposit, collect, bounce."),
    "agenda": ("agenda", "The agenda (ajanda): notes and tasks, due dates, export to a calendar."),
    "einvoice": (
        "einvoice",
        "e-Fatura and e-Arşiv: issue, list, export, render, validate, send, status, cancel, GİB's user list.",
    ),
    "sync": ("sync", "Offline sync with the central PostgreSQL: init, status, push, pull, run, reconcile."),
    "central": ("central", "Reports across terminals and stores from the central database: X, Z, sales, loyalty."),
    "stores": ("stores", "The chain's stores: add, list, update (price list)."),
}


def load(name: str) -> Any:
    """The click command or group ``name`` of :data:`COMMANDS`, its module imported now."""
    where = COMMANDS[name][0]
    module_name, _, attribute = where.partition(":")
    module = importlib.import_module(f"pos_tui.cli.{module_name}")
    if attribute == "register":
        from pos_tui.cli.common import make_typer

        holder = make_typer("pos-admin", "")
        module.register(holder)
        return typer.main.get_group(holder).commands[name]
    return typer.main.get_group(getattr(module, attribute or "app"))


class LazyGroup(TyperGroup):
    """The root group: lists every command of :data:`COMMANDS` from its help there, and imports
    a command's module only when that command is run (or asked for its own ``--help``)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.stand_ins = {name for name in COMMANDS if name not in self.commands}
        for name in self.stand_ins:
            self.commands[name] = TyperCommand(name=name, help=COMMANDS[name][1])  # for the list only
        ordered = {name: self.commands[name] for name in COMMANDS}  # in COMMANDS' order
        ordered.update(self.commands)
        self.commands = ordered

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name in self.stand_ins:
            self.stand_ins.discard(cmd_name)
            self.commands[cmd_name] = load(cmd_name)
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        """The list of commands, from the stand-ins: ``--help`` imports no command's module."""
        commands = [(name, cmd) for name, cmd in self.commands.items() if not cmd.hidden]
        if commands:
            limit = formatter.width - 6 - max(len(name) for name, _cmd in commands)
            with formatter.section("Commands"):
                formatter.write_dl([(name, cmd.get_short_help_str(limit)) for name, cmd in commands])


app = make_typer("pos-admin", "Administer a pos_tui shop: users, imports, exports, reports, audit.", LazyGroup)


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


def main() -> None:
    app()


if __name__ == "__main__":
    main()

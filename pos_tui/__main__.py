"""``pos`` and ``python -m pos_tui``: start the till.

``pos serve`` serves the same till to web browsers, one app per tab (:mod:`pos_tui.tui.serve`,
docs/browser.md); textual-serve is imported for it only.

``pos --demo`` runs on a separate database, ``$POS_HOME/demo.sqlite3``, created and filled
with the demo shop (products, the users ayse 1111, mehmet 2222, admin 9999, the shipped
loyalty program and six members with points, see :mod:`pos_tui.core.interchange.demo`) the first time, so
a newcomer can sell, and try loyalty with F2, right after ``pip install -e .``.

Start-up is kept short: only the settings and the database are touched before the first
paint, and Textual is imported after them (the demo load happens once, on first run).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pos_tui.settings import Settings
    from pos_tui.tui.app import PosApp

DEMO_DB = "demo.sqlite3"


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="pos", description="pos_tui: a keyboard-driven point of sale in the terminal.")
    _till_options(p)
    p.add_argument("--served", metavar="MODE", help=argparse.SUPPRESS)  # a browser tab's app (pos_tui.tui.served)
    commands = p.add_subparsers(dest="command", metavar="COMMAND")
    serve = commands.add_parser(
        "serve",
        help="serve the till to web browsers (docs/browser.md)",
        description="Serve the till to web browsers: every tab runs its own till behind the PIN login. "
        "No authentication or TLS of its own: see docs/browser.md before you serve beyond this machine.",
    )
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)"
    )
    serve.add_argument("--port", default="8000", metavar="PORT", help="port to listen on (default: 8000)")
    serve.add_argument(
        "--max-sessions", default="4", metavar="N", help="browser sessions open at once, at most (default: 4)"
    )
    serve.add_argument(
        "--public-url", metavar="URL", help="the address browsers use, behind a reverse proxy (https://pos.example)"
    )
    _till_options(serve, default=argparse.SUPPRESS)  # before or after `serve`: the value given wins
    return p


def _till_options(p: argparse.ArgumentParser, default: object = None) -> None:
    """--demo, --db, --config, --terminal: the till's, and each browser tab's under ``pos serve``."""
    p.add_argument(
        "--demo",
        action="store_true",
        default=False if default is None else default,
        help=f"use the demo shop in $POS_HOME/{DEMO_DB} (filled on first run)",
    )
    p.add_argument(
        "--db", metavar="URL", default=default, help="SQLite file or postgresql:// URL (default: $POS_DB or the config)"
    )
    p.add_argument(
        "--config",
        metavar="FILE",
        type=Path,
        default=default,
        help="pos.toml to read (default: $POS_CONFIG or $POS_HOME/pos.toml)",
    )
    p.add_argument("--terminal", metavar="ID", default=default, help="this terminal's id (default: from the config)")


def settings_for(args: argparse.Namespace, environ: dict[str, str] | None = None) -> Settings:
    """Settings from the config and environment, with the command line on top.

    ``--demo`` (without ``--db``) points the database at ``$POS_HOME/demo.sqlite3``, so the
    demo never touches the shop's real database (whose e-invoices go to the integrator simulator:
    :func:`pos_tui.core.einvoice.providers.load_provider`). Raises ConfigError on a bad config.
    """
    from pos_tui.settings import load_settings

    env = dict(os.environ if environ is None else environ)
    if args.terminal:
        env["POS_TERMINAL"] = args.terminal
    if args.db:
        env["POS_DB"] = args.db
    settings = load_settings(env, args.config)
    if args.demo and not args.db:
        settings = replace(settings, db_url=str(settings.home / DEMO_DB))
    return settings


def prepare_database(settings: Settings, *, demo: bool) -> None:
    """Open the database (creating or upgrading its schema). With ``demo``, a database
    without users gets the demo shop and its users (:func:`pos_tui.core.interchange.demo.load_demo`).

    The file's ``PRAGMA quick_check`` runs in the background, at a low priority (1.4-2.4 s on a
    1,000,000-product file, too long to wait for before the PIN screen): until it has passed,
    every durable write (opening a shift, posting a sale) waits for it, but not the PIN login's
    attempt rows (:func:`pos_tui.store.db.writes_before_check`), and on a damaged file every
    write is refused (:class:`pos_tui.store.db.IntegrityGate`); the till shows why as soon as it
    is known."""
    from pos_tui.store import models as m
    from pos_tui.store import open_database

    open_database(settings.db_url, backups=settings.home / "backups")
    from pos_tui.store.db import check_in_background, sqlite_file

    file = sqlite_file(settings.db_url)
    if file is not None:
        check_in_background(file)
    if demo and not m.User.select().exists():
        from pos_tui.core.interchange import load_demo
        from pos_tui.core.kernel import utcnow

        load_demo(settings, utcnow())


def main(argv: Sequence[str] | None = None) -> int:
    """Run the till, or ``pos serve``; returns the process exit code (2 for a bad config or option, 1 for a
    bad database or an address that cannot be listened on)."""
    args = parser().parse_args(argv)
    from pos_tui.i18n import _, set_language
    from pos_tui.settings import ConfigError

    try:
        settings = settings_for(args)
    except ConfigError as exc:
        print(f"pos: {exc}", file=sys.stderr)
        return 2
    set_language(settings.language)
    serving = None
    if getattr(args, "command", None) == "serve":  # its options are checked before the database is touched
        from pos_tui.core.kernel import ValidationError
        from pos_tui.tui.serve import serve_options

        try:
            serving = serve_options(args, settings)
        except ValidationError as exc:
            print(f"pos serve: {exc.message}", file=sys.stderr)
            return 2
    try:
        prepare_database(settings, demo=args.demo)
    except Exception as exc:  # a locked, corrupt or unreachable database: one line, no traceback
        from pos_tui.core.kernel import as_pos_error

        error = as_pos_error(exc)
        message = (
            error.message
            if error is not None
            else _("cannot open the database {url}: {error}").format(url=settings.db_url, error=exc)
        )
        print(f"pos: {message}", file=sys.stderr)
        return 1

    from pos_tui.store import close_database

    if serving is not None:
        close_database()  # the server reads nothing: each browser tab's app opens the database itself
        from pos_tui.tui.serve import serve

        return serve(serving, settings)
    if getattr(args, "served", None):
        from pos_tui.tui.served import SessionApp

        app: PosApp = SessionApp(settings, demo=args.demo, mode=args.served)
    else:
        from pos_tui.tui.app import PosApp

        app = PosApp(settings, demo=args.demo)
    try:
        app.run()
    finally:
        close_database()
    return app.return_code or 0


if __name__ == "__main__":
    sys.exit(main())

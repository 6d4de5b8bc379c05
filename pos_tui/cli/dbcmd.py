"""``pos-admin init``, ``demo``, ``backup``, ``restore``, ``db upgrade`` and ``db reindex``."""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from pos_tui.cli.common import backups_dir, handle_errors, make_typer, now, state
from pos_tui.cli.output import JsonOption, YesOption, confirm, fail, info, print_json, progress
from pos_tui.core import staff
from pos_tui.core.interchange import load_demo
from pos_tui.core.kernel import format_decimal, storage_error
from pos_tui.i18n import _
from pos_tui.settings import Settings
from pos_tui.store import close_database, database, open_database
from pos_tui.store.db import DAMAGED, StorageFault, quick_check, sqlite_file, verdict_fault
from pos_tui.store.files import PRIVATE_DIR, create_private, write_private
from pos_tui.store.migrations import SchemaTooNew
from pos_tui.store.migrations import upgrade as run_upgrade

db_app = make_typer("db", "Database schema commands.")


def sqlite_path(settings: Settings) -> Path | None:
    """The SQLite file behind ``settings.db_url``, or None for PostgreSQL."""
    return sqlite_file(settings.db_url)


def require_existing_db(settings: Settings) -> None:
    """Fail (exit 1) when the SQLite file does not exist, instead of silently creating an empty one."""
    path = sqlite_path(settings)
    if path is not None and not path.is_file():
        fail(_("No database at {path}; create one with: pos-admin init").format(path=path))


@db_app.command("upgrade")
@handle_errors
def upgrade(json_: JsonOption = False) -> None:
    """Upgrade the database schema in place to this version of pos_tui (keeps every row)."""
    settings = state().open_db(upgrade=False)
    try:
        before, after = run_upgrade(database.obj)
    except SchemaTooNew as exc:
        fail(str(exc))
    if json_:
        print_json({"database": settings.db_url, "from": before, "to": after})
    elif before == after:
        info(_("{db}: schema {version} is up to date.").format(db=settings.db_url, version=after))
    else:
        upgraded = _("{db}: schema upgraded from {before} to {after}.")
        info(upgraded.format(db=settings.db_url, before=before, after=after))


@db_app.command("reindex")
@handle_errors
def reindex(json_: JsonOption = False) -> None:
    """Put right the products' search keys and build the name search index again (when audit
    verify says they do not match the names, e.g. after names were changed outside pos_tui)."""
    from pos_tui.core import catalog

    settings = state().open_db()
    fixed = catalog.reindex_names()
    if json_:
        print_json({"database": settings.db_url, "search_keys_fixed": fixed})
    else:
        message = _("{db}: name search index rebuilt; {n} search key(s) put right.")
        info(message.format(db=settings.db_url, n=format_decimal(fixed)))


def register(app: typer.Typer) -> None:
    """Attach the top-level database commands (init, demo, backup) to the root app."""

    @app.command("init")
    @handle_errors
    def init(
        admin_pin: Annotated[
            str | None, typer.Option("--admin-pin", help="Also create an admin user with this PIN (4 to 8 digits).")
        ] = None,
        admin_name: Annotated[str, typer.Option("--admin-name", help="Name of that admin user.")] = "admin",
    ) -> None:
        """Create the database (or upgrade an existing one) and say where it is."""
        settings = state().open_db(create=True)
        info(_("Database ready: {db}").format(db=settings.db_url))
        staff.load_pin_key(settings, create=True)  # made here, or moved out of an older database
        info(
            _("PIN key: {path} (keep it; pos-admin backup --with-pin-key copies it)").format(
                path=staff.pin_key_file(settings)
            )
        )
        if admin_pin is None:
            return
        if any(u.name == admin_name for u in staff.list_users()):
            exists = _("User {name} already exists; its PIN is unchanged (pos-admin users set-pin).")
            info(exists.format(name=admin_name))
            return
        staff.add_user(admin_name, "admin", admin_pin, now=now(), settings=settings)
        info(_("Added admin user {name}.").format(name=admin_name))

    @app.command("demo")
    @handle_errors
    def demo() -> None:
        """Create the database and load the demo shop: products, customers, suppliers, the users
        ayse (cashier, PIN 1111), mehmet (supervisor, 2222), admin (admin, 9999), the loyalty program
        of config/loyalty.toml, six members with points, and eight weeks of past sales on terminal T2
        (only into a database without sales). Safe to run again."""
        settings = state().open_db(create=True)
        report = load_demo(settings, now())
        info(str(report))
        info(_("Demo shop ready: {db}").format(db=settings.db_url))

    @app.command("backup")
    @handle_errors
    def backup(
        dest: Annotated[
            Path | None,
            typer.Argument(
                help="File to write the copy to (default: a new dated file in $POS_HOME/backups/).", dir_okay=False
            ),
        ] = None,
        yes: YesOption = False,
        with_pin_key: Annotated[
            bool,
            typer.Option(
                "--with-pin-key",
                help="Also copy the PIN key file (beside DEST, as DEST.pin-key); keep that copy apart and safe.",
            ),
        ] = False,
    ) -> None:
        """Copy the SQLite database with SQLite's online backup (safe while tills are selling),
        then check the copy with ``PRAGMA integrity_check``. Without a file the copy goes to
        ``$POS_HOME/backups/`` (where ``pos-admin restore`` and the till look for the last good one).
        The PIN key file stays out of the copy unless ``--with-pin-key`` (docs/security.md)."""
        settings = state().settings
        source = sqlite_path(settings)
        if source is None:
            fail(
                _(
                    "pos-admin backup copies SQLite databases; back up PostgreSQL with pg_dump, e.g. "
                    "pg_dump --format=custom --file=pos.dump {db}"
                ).format(db=settings.db_url)
            )
        require_existing_db(settings)
        if dest is None:
            stamp = now().strftime("%Y%m%d-%H%M%S")
            dest = backups_dir(settings) / f"{source.stem}-{stamp}{source.suffix or '.sqlite3'}"
        dest = dest.expanduser()
        if dest.resolve() == source.resolve():
            fail(_("The backup cannot overwrite the database itself"))
        verdict = quick_check(source)
        if verdict != "ok":  # a copy of a damaged file is no backup; say so before writing anything
            refuse_damaged(source, verdict, settings)
        if dest.exists():
            confirm(_("{dest} exists. Overwrite it?").format(dest=dest), yes=yes)
        dest.parent.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
        partial = dest.with_name(f".{dest.name}.partial-{os.getpid()}")
        try:
            try:
                _copy(source, partial)
            except sqlite3.Error as exc:  # the source unreadable, or no room (or a failing disk) for the copy
                fault = verdict_fault(dest, str(exc))
                refuse_damaged(source if fault is None or fault.kind == DAMAGED else dest, str(exc), settings)
            verdict = integrity(partial)
            if verdict != "ok":
                fail(
                    _("The copy failed its integrity check ({verdict}); nothing was written to {dest}").format(
                        verdict=verdict, dest=dest
                    )
                )
            partial.replace(dest)
        finally:
            partial.unlink(missing_ok=True)
        info(
            _("Backed up {source} to {dest} ({size} bytes, integrity ok).").format(
                source=source, dest=dest, size=dest.stat().st_size
            )
        )
        if with_pin_key:
            _copy_pin_key(settings, dest)

    @app.command("restore")
    @handle_errors
    def restore(
        backup: Annotated[Path, typer.Argument(help="The backup file to put back.", exists=True, dir_okay=False)],
        yes: YesOption = False,
    ) -> None:
        """Replace the database with BACKUP, after checking that BACKUP passes ``PRAGMA
        integrity_check`` and ``audit verify``. The file it replaces is kept beside it, renamed
        with the date and time. Stop every till first (docs/recovery.md)."""
        settings = state().settings
        target = sqlite_path(settings)
        if target is None:
            fail(_("pos-admin restore puts back SQLite backups; restore PostgreSQL with pg_restore"))
        backup = backup.expanduser()
        if target.exists() and backup.resolve() == target.resolve():
            fail(_("The backup to restore is the database itself"))
        verdict = integrity(backup)
        if verdict != "ok":
            fail(
                _("{backup} failed its integrity check ({verdict}); nothing was changed").format(
                    backup=backup, verdict=verdict
                )
            )
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.restore-{os.getpid()}")
        try:
            _copy(backup, partial)
            problems = _audit(partial, settings)
            if problems:
                fail(
                    _("{backup} fails audit verify ({problem}); nothing was changed").format(
                        backup=backup, problem=problems[0]
                    )
                )
            aside = target.with_name(f"{target.name}.damaged-{now().strftime('%Y%m%d-%H%M%S')}")
            if target.exists():
                question = _("Replace {db} with {backup}? The current file is kept as {aside}.")
                confirm(question.format(db=target, backup=backup, aside=aside), yes=yes)
            else:
                confirm(_("Restore {backup} to {db}?").format(db=target, backup=backup), yes=yes)
            close_database()
            if target.exists():
                for suffix in ("-wal", "-shm"):  # the log goes with its file, so the kept copy stays whole
                    companion = target.with_name(target.name + suffix)
                    if companion.exists():
                        companion.replace(aside.with_name(aside.name + suffix))
                target.replace(aside)
                info(_("The replaced database is kept as {aside}.").format(aside=aside))
            partial.replace(target)
        finally:
            close_database()
            partial.unlink(missing_ok=True)
        info(_("Restored {backup} to {db} (integrity ok, audit ok).").format(backup=backup, db=target))


def _copy_pin_key(settings: Settings, dest: Path) -> None:
    """Copy the PIN key file of the backup ``dest`` to ``DEST.pin-key`` (mode 0600)."""
    with closing(sqlite3.connect(dest)) as conn:
        row = conn.execute("SELECT value FROM meta_entry WHERE key = ?", (staff.PIN_KEY_ID,)).fetchone()
    if row is None:
        info(_("This database keeps no PIN key file (no PIN set yet, or the key is still inside it)."))
        return
    key_file = staff.pin_key_path(settings.home, str(row[0]))
    if not key_file.is_file():
        fail(_("The PIN key file {path} is missing; the backup was written without it").format(path=key_file))
    target = dest.with_name(dest.name + ".pin-key")
    write_private(target, key_file.read_bytes())
    info(
        _("Copied the PIN key to {target}; to restore it, copy it to the data directory as {name}.").format(
            target=target, name=key_file.name
        )
    )


def refuse_damaged(path: Path, verdict: str, settings: Settings) -> NoReturn:
    """Fail with the message a damaged database gets everywhere (the file, the last good backup),
    or the one for a full or failing disk when that is why SQLite could not read or write."""
    fault = verdict_fault(path, verdict) or StorageFault(DAMAGED, path, verdict)
    fail(storage_error(fault, backups_dir(settings)).message)


def _audit(path: Path, settings: Settings) -> list[str]:
    """``audit verify`` of the SQLite file at ``path`` (its schema upgraded first): the problems."""
    from pos_tui.core import audit

    open_database(path, check=True)
    try:
        return audit.verify(settings=settings).problems
    finally:
        close_database()


def _copy(source: Path, target: Path) -> None:
    """SQLite online backup of ``source`` into ``target``, as one self-contained file
    (rollback journal, so the copy is complete without a ``-wal`` file beside it), readable by
    its owner only, like the database it copies."""
    target.unlink(missing_ok=True)  # a partial left by an earlier run
    create_private(target)
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        pages = src.execute("PRAGMA page_count").fetchone()[0]
        with progress(_("Backing up"), pages, json_mode=False) as advance:
            done = 0

            def step(status: int, remaining: int, total: int) -> None:
                nonlocal done
                advance(max(0, total - remaining - done))
                done = total - remaining

            src.backup(dst, pages=1024, progress=step)
        dst.execute("PRAGMA journal_mode=delete")


def integrity(path: Path) -> str:
    """``PRAGMA integrity_check`` of the file at ``path``: ``"ok"`` or the problems found."""
    try:
        with closing(sqlite3.connect(path)) as conn:
            rows = conn.execute("PRAGMA integrity_check").fetchall()
    except sqlite3.DatabaseError as exc:
        return str(exc)
    return "; ".join(str(r[0]) for r in rows)

"""What every command group shares: the app factory, global state, opening the database,
and turning :class:`~pos_tui.core.kernel.errors.PosError` into a message and an exit code.

Imported by every command, so it imports little itself: the settings, the core and the store
load when a command first needs them (``pos-admin --help`` needs none of them).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import typer

from pos_tui.cli.output import ExitCode, fail
from pos_tui.i18n import _, set_language

if TYPE_CHECKING:
    from pos_tui.core.kernel import Actor, PermissionDenied
    from pos_tui.settings import Settings

P = ParamSpec("P")
R = TypeVar("R")


def make_typer(name: str, help: str, cls: type[Any] | None = None) -> typer.Typer:
    """Every (sub-)app is built the same way: help on no args, ``-h`` too."""
    return typer.Typer(
        name=name,
        help=help,
        cls=cls,
        no_args_is_help=True,
        context_settings={"help_option_names": ["-h", "--help"]},
        rich_markup_mode=None,
        pretty_exceptions_enable=False,
        add_completion=False,
    )


@dataclass
class State:
    db_url: str | None = None
    config: Path | None = None
    _settings: Settings | None = None
    _opened: bool = False
    actor: Actor | None = None  # who the command acts as (cli_actor), named when a permission is missing

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            import os

            from pos_tui.settings import ConfigError, load_settings

            env = dict(os.environ)
            if self.db_url:
                env["POS_DB"] = self.db_url
            try:
                self._settings = load_settings(env, self.config)
            except ConfigError as exc:
                fail(str(exc), ExitCode.USAGE)
            set_language(self._settings.language)
        return self._settings

    def open_db(self, *, create: bool = False, upgrade: bool = True) -> Settings:
        """Open the configured database, upgrading its schema when ``upgrade``.

        A SQLite file that does not exist is an error (exit 1, naming the path) unless
        ``create``: only ``init`` and ``demo`` create a shop, so a mistyped ``--db`` never
        leaves an empty database (or directory) behind and never reports zeros. A damaged file
        is refused; a file unchanged since its last passed ``PRAGMA quick_check`` is read
        without a new one, and checked before its first write (docs/recovery.md).
        """
        settings = self.settings
        if not self._opened:
            from pos_tui.core.kernel import PosError, as_pos_error
            from pos_tui.store import open_database
            from pos_tui.store.db import DatabaseMissing
            from pos_tui.store.migrations import SchemaTooNew

            try:
                open_database(
                    settings.db_url,
                    create=create or upgrade,
                    must_exist=not create,
                    check="remembered",
                    backups=backups_dir(settings),
                )
            except DatabaseMissing as exc:
                fail(_("No database at {path}; create one with: pos-admin init").format(path=exc.path))
            except SchemaTooNew as exc:
                fail(str(exc))
            except PosError as exc:  # a damaged file (quick_check), a full disk while upgrading
                fail(exc.message)
            except Exception as exc:  # an unreachable server, a locked or corrupt file
                error = as_pos_error(exc)
                if error is not None:
                    fail(error.message)
                fail(_("cannot open the database {url}: {error}").format(url=settings.db_url, error=exc))
            self._opened = True
        return settings


def backups_dir(settings: Settings) -> Path:
    """Where this shop's backups go: ``$POS_HOME/backups`` (``pos-admin backup`` without a
    file writes there; ``pos-admin restore`` and the message about a damaged database look
    there for the last good one)."""
    return settings.home / "backups"


STATE = State()


def state() -> State:
    return STATE


def _early_language() -> None:
    """Switch to the shop's language before the command reads its arguments, so that an
    error found before the database is opened (a bad amount, a bad date, two options that
    exclude each other) is written in the shop's language too. A broken configuration is
    left for the command itself to report (through :attr:`State.settings`)."""
    s = state()
    if s._settings is not None:
        return
    import os

    from pos_tui.settings import ConfigError, load_settings

    env = dict(os.environ)
    if s.db_url:
        env["POS_DB"] = s.db_url
    try:
        settings = load_settings(env, s.config)
    except (ConfigError, ValueError, OSError):
        return
    s._settings = settings
    set_language(settings.language)


def handle_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Print a :class:`PosError` to stderr and exit with its code instead of a traceback; so
    too a storage fault that reached here as a raw database error (a full disk, a damaged
    file, a failed disk read: :func:`~pos_tui.core.kernel.errors.as_pos_error`)."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        from pos_tui.core.kernel import PermissionDenied, PosError, as_pos_error

        _early_language()
        try:
            return func(*args, **kwargs)
        except PermissionDenied as exc:
            fail(permission_message(exc), ExitCode(exc.exit_code))
        except PosError as exc:
            fail(exc.message, ExitCode(exc.exit_code))
        except (typer.Exit, typer.Abort):
            raise  # fail() already said why
        except Exception as exc:
            error = as_pos_error(exc)
            if error is None:
                raise
            fail(error.message, ExitCode(error.exit_code))

    return wrapper


def parse_date(value: str | None, option: str) -> date | None:
    """The one reader of a date option for every command: ``15.12.2026`` (as written in
    Türkiye, ``15/12/2026`` too) or ISO ``2026-12-15``; anything else is a usage error that
    names both forms."""
    if value is None:
        return None
    text = value.strip()
    try:
        if "." in text or "/" in text:
            day, month, year = (int(p) for p in text.replace("/", ".").split("."))
            if year < 1000:
                raise ValueError(text)
            return date(year, month, day)
        return date.fromisoformat(text)
    except ValueError:
        fail(
            _("{option}: {value!r} is not a date such as 15.12.2026 or 2026-12-15").format(
                option=option, value=value[:20]
            ),
            ExitCode.USAGE,
        )


def cli_actor(user: str | None, settings: Settings) -> Actor:
    """Who a command acts as: ``--user NAME``, or the first active admin (remembered, so that a
    missing permission names them: :func:`permission_message`)."""
    from pos_tui.core import staff

    actor = staff.actor_by_name(user, settings=settings) if user else staff.first_admin(settings=settings)
    state().actor = actor
    return actor


def _without_pin(message: str) -> str:
    """``message`` without its last clause when that clause asks for a supervisor's PIN (``…; a
    supervisor's PIN is needed``, ``… TL over. A supervisor's PIN is needed.``): the till's words,
    which the core writes and the command line cannot follow."""
    text = message.rstrip(" .")
    cut = max(text.rfind("; "), text.rfind(". "))
    if cut > 0 and "PIN" in text[cut:]:
        return text[:cut].rstrip(" .;")
    return text


def _users_allowed(exc: PermissionDenied, actor: Actor | None) -> list[str]:
    """The active users (not ``actor``) who may do what ``exc`` refused, the least privileged
    first (the fewest permissions; for a discount, the lowest limit above the actor's): whom
    to name after ``--user``. Empty when none can, or the users cannot be read."""
    from pos_tui.core import staff

    try:
        settings = state().settings
        roles = settings.roles
        users = [u for u in staff.list_users(include_disabled=False) if u.role in roles]
    except Exception:  # the message must still be printed
        return []
    own = actor.name if actor is not None else None
    if exc.permission == "discount":
        floor = actor.max_discount_pct if actor is not None else 0
        found = [(roles[u.role].max_discount_pct, u.name) for u in users if roles[u.role].max_discount_pct > floor]
    else:
        found = [(len(roles[u.role].permissions), u.name) for u in users if exc.permission in roles[u.role].permissions]
    return [name for _rank, name in sorted(found) if name != own]


def permission_message(exc: PermissionDenied) -> str:
    """A missing permission as the command line says it: the core's reason without the till's
    "a supervisor's PIN is needed" (no PIN can be typed here), and what to do instead: run the
    command again as ``--user NAME`` of a user who has the permission, named when there is one.
    ``ayse may not adjust loyalty points; try again as a user who has the permission
    'points_adjust': --user mehmet``."""
    actor = state().actor
    reason = exc.reason or _without_pin(exc.message)
    users = _users_allowed(exc, actor)
    if not users:
        return _(
            "{reason}; no active user has the permission {permission!r}: give it to a role ([roles] in pos.toml)"
        ).format(reason=reason, permission=exc.permission)
    hint = _("{reason}; try again as a user who has the permission {permission!r}: --user {name}").format(
        reason=reason, permission=exc.permission, name=users[0]
    )
    if len(users) > 1:
        hint += " " + _("(or {names})").format(names=", ".join(users[1:]))
    return hint


def now() -> datetime:
    from pos_tui.core.kernel import utcnow

    return utcnow()

"""``pos-admin sync init|status|push|pull|run|role``: this terminal and the central PostgreSQL
(docs/sync-ops.md).

- ``sync status [--json]``: where sync stands, from this database only (no network).
- ``sync push [--json]`` / ``sync pull [--json]``: one step now; exit 1 when the centre cannot be
  reached (the documents stay queued).
- ``sync run [--once] [--interval N]``: push then pull, again and again until stopped (SIGTERM or
  Ctrl-C end it cleanly after the pass under way), one line per pass: for a service.
- ``sync init --central URL --terminal T2 --store S1 [--rejoin] [--json]``: join the centre.
- ``sync role T2 [--store S1] [--name ROLE] [--password-env VAR] [--apply]``: the SQL of the terminal's role at the
  centre, printed, or run against ``--db postgresql://…`` (the centre, as its owner).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer

from pos_tui.cli.common import handle_errors, now, state
from pos_tui.cli.output import ExitCode, JsonOption, fail, info, print_json, stdout
from pos_tui.i18n import _, ngettext

if TYPE_CHECKING:
    from pos_tui.core import sync
    from pos_tui.settings import Settings


def register(app: typer.Typer) -> None:
    """Attach this part's commands to the ``sync`` group."""
    app.command("init")(init)
    app.command("status")(status)
    app.command("push")(push)
    app.command("pull")(pull)
    app.command("run")(run)
    app.command("role")(role)


# -- words ----------------------------------------------------------------------------------------


def _moment(at: datetime | None, tz: str) -> str:
    """When the last push or pull was, ``not yet`` when none ever was."""
    from pos_tui.core.kernel import format_moment

    return _("not yet") if at is None else format_moment(at, tz)


def _sentence(text: str) -> str:
    """``text`` with a capital first letter, the shop's way (Turkish ``i`` → ``İ``): a line that stands
    alone; inside ``sync run``'s line the same words follow a time and stay as they are."""
    from pos_tui.i18n import current_language
    from pos_tui.text import turkish_upper

    first = turkish_upper(text[:1]) if current_language() == "tr" else text[:1].upper()
    return first + text[1:]


def _count(n: int) -> str:
    """A count as the shop reads it (``1.234`` in Turkish)."""
    from pos_tui.core.kernel import format_decimal

    return format_decimal(n)


def _count_text(seconds: float) -> str:
    """Seconds as the shop reads them (``1,5`` in Turkish)."""
    from decimal import Decimal

    from pos_tui.core.kernel import format_decimal

    return format_decimal(Decimal(f"{seconds:g}"))


def _iso(at: datetime | None, tz: str) -> str | None:
    from pos_tui.core.kernel import iso

    return None if at is None else iso(at, tz)


def waiting_line(current: sync.SyncStatus, at: datetime) -> str:
    """``12 documents wait for the centre (the oldest for 8 min)`` or ``Nothing waits for the centre.``"""
    from pos_tui.core import sync

    if current.waiting <= 0:
        return _("Nothing waits for the centre.")
    age = sync.age_text(at - current.oldest_at) if current.oldest_at is not None else "?"
    return ngettext(
        "{n} document waits for the centre (for {age})",
        "{n} documents wait for the centre (the oldest for {age})",
        current.waiting,
    ).format(n=_count(current.waiting), age=age)


def _unreachable(exc: sync.CentralUnreachable, at: datetime) -> None:
    """exit 1: the centre's message, and that nothing is lost."""
    from pos_tui.core import sync

    current = sync.status.status(at)
    queued = ngettext(
        "{n} document stays queued and goes with the next push.",
        "{n} documents stay queued and go with the next push.",
        current.waiting,
    ).format(n=_count(current.waiting))
    fail(f"{exc.message}. {queued}" if current.waiting else exc.message)


# -- status ---------------------------------------------------------------------------------------


def status_json(current: sync.SyncStatus, tz: str) -> dict[str, Any]:
    """``sync status --json``: its times in the shop's zone ``tz`` with its offset."""
    return {
        "terminal": current.terminal,
        "store": current.store,
        "central": current.central,
        "online": current.online,
        "waiting": current.waiting,
        "oldest_at": _iso(current.oldest_at, tz),
        "high_water": current.high_water,
        "last_seq": current.last_seq,
        "last_push_at": _iso(current.last_push_at, tz),
        "last_pull_at": _iso(current.last_pull_at, tz),
        "last_error": current.last_error,
    }


@handle_errors
def status(json_: JsonOption = False) -> None:
    """Where sync stands: the centre, the documents waiting, the last push and pull (no network)."""
    from pos_tui.core import sync

    settings = state().open_db()
    at = now()
    current = sync.status.status(at)
    if json_:
        print_json(status_json(current, settings.shop.timezone))
        return
    tz = settings.shop.timezone
    if not current.joined:
        info(sync.identity.not_joined_text(settings.terminal_id))
        if current.waiting:
            info(
                ngettext(
                    "{n} document is recorded for the centre and goes with the first push.",
                    "{n} documents are recorded for the centre and go with the first push.",
                    current.waiting,
                ).format(n=_count(current.waiting))
            )
        return
    say = stdout.print
    say(
        _("Terminal {terminal} of store {store} · centre {central}").format(
            terminal=current.terminal, store=current.store, central=current.central
        ),
        markup=False,
    )
    if current.online is None:
        state_text = _("not tried yet")
    elif current.online:
        state_text = _("online")
    else:
        state_text = _("offline")
    say(_("Centre: {state}").format(state=state_text), markup=False)
    say(waiting_line(current, at), markup=False)
    say(
        _("Acknowledged by the centre: {high_water} of {last_seq}").format(
            high_water=_count(current.high_water), last_seq=_count(current.last_seq)
        ),
        markup=False,
    )
    say(
        _("Last push: {push} · last pull: {pull}").format(
            push=_moment(current.last_push_at, tz), pull=_moment(current.last_pull_at, tz)
        ),
        markup=False,
    )
    if current.last_error:
        say(_("Last error: {error}").format(error=current.last_error), markup=False)


# -- push, pull -----------------------------------------------------------------------------------


def push_json(result: sync.PushResult) -> dict[str, int]:
    return {
        "sent": result.sent,
        "inserted": result.inserted,
        "duplicates": result.duplicates,
        "high_water": result.high_water,
        "waiting": result.waiting,
    }


def pull_json(result: sync.PullResult) -> dict[str, Any]:
    return {
        "revision": result.revision,
        "rows": dict(result.rows),
        "tombstones": result.tombstones,
        "ledger_rows": result.ledger_rows,
        "balances": result.balances,
    }


def push_line(result: sync.PushResult) -> str:
    text = ngettext(
        "{sent} document sent ({inserted} new, {duplicates} already at the centre)",
        "{sent} documents sent ({inserted} new, {duplicates} already at the centre)",
        result.sent,
    ).format(sent=_count(result.sent), inserted=_count(result.inserted), duplicates=_count(result.duplicates))
    return text + "; " + _("{waiting} waiting").format(waiting=_count(result.waiting))


def pull_line(result: sync.PullResult) -> str:
    return _(
        "master data at revision {revision}: {rows} rows, {tombstones} deleted; "
        "{ledger_rows} rows of other terminals, {balances} balances"
    ).format(
        revision=result.revision,
        rows=_count(sum(result.rows.values())),
        tombstones=_count(result.tombstones),
        ledger_rows=_count(result.ledger_rows),
        balances=_count(result.balances),
    )


@handle_errors
def push(json_: JsonOption = False) -> None:
    """Send the documents waiting to the centre now (exit 1 when it cannot be reached)."""
    from pos_tui.core import sync

    settings = state().open_db()
    at = now()
    try:
        result = sync.push_now(at, settings)
    except sync.CentralUnreachable as exc:
        _unreachable(exc, at)
    if json_:
        print_json(push_json(result))
    else:
        info(_sentence(push_line(result)))


@handle_errors
def pull(json_: JsonOption = False) -> None:
    """Take what changed at the centre now: master data, other terminals' ledger rows, balances."""
    from pos_tui.core import sync

    settings = state().open_db()
    at = now()
    try:
        result = sync.pull_now(at, settings)
    except sync.CentralUnreachable as exc:
        _unreachable(exc, at)
    if json_:
        print_json(pull_json(result))
        return
    info(_sentence(pull_line(result)))
    for table, count in sorted(result.rows.items()):
        if count:
            info(f"  {table}: {_count(count)}")


# -- run ------------------------------------------------------------------------------------------


def pass_line(result: sync.RunResult, settings: Settings) -> str:
    """One line per pass of ``sync run``: when, what was pushed and pulled, or why not."""
    from pos_tui.core.kernel import local

    when = local(result.at, settings.shop.timezone).strftime("%d.%m.%Y %H:%M:%S")
    parts = []
    if result.push is not None:
        parts.append(push_line(result.push))
    if result.pull is not None:
        parts.append(pull_line(result.pull))
    if not result.online:
        parts.append(_("offline: {error}").format(error=result.error or ""))
    elif result.error:
        parts.append(_("error: {message}").format(message=result.error))
    return f"{when}  " + " · ".join(parts)


class _Stop:
    """SIGTERM (systemd stopping the service) or Ctrl-C: the pass under way ends, then the loop."""

    def __init__(self) -> None:
        self.event = threading.Event()

    def __call__(self, signum: int, frame: object) -> None:
        if signum == signal.SIGINT and self.event.is_set():
            raise KeyboardInterrupt  # Ctrl-C twice: stop now (a central transaction cut short rolls back)
        self.event.set()

    @contextmanager
    def installed(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():  # signals reach the main thread only
            yield
            return
        before = {sig: signal.signal(sig, self) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            yield
        finally:
            for sig, handler in before.items():
                signal.signal(sig, handler)


@handle_errors
def run(
    once: Annotated[
        bool, typer.Option("--once", help="One pass, then stop (exit 1 when the centre cannot be reached).")
    ] = False,
    interval: Annotated[
        float | None,
        typer.Option("--interval", min=1, help="Seconds between passes (default: [sync] interval_seconds)."),
    ] = None,
) -> None:
    """Push, then pull, until stopped (SIGTERM or Ctrl-C): the sync service of a terminal."""
    from pos_tui.core import sync

    settings = state().open_db()
    sync.identity.require(settings.terminal_id)  # not joined: say so at once, not once per pass
    pause = float(interval if interval is not None else settings.sync.interval_seconds)
    stop = _Stop()
    try:
        with stop.installed():
            if not once:
                info(_("Sync runs every {seconds} s; SIGTERM or Ctrl-C stops it.").format(seconds=_count_text(pause)))
            while True:
                result = _one_pass(settings)
                if result is not None:
                    info(pass_line(result, settings))
                if once:
                    if result is not None and not result.online:
                        _unreachable(sync.CentralUnreachable(result.error or ""), now())
                    if result is None or result.error:
                        fail(result.error if result is not None and result.error else _("The pass failed"))
                    return
                if stop.event.wait(pause):
                    info(_("Sync stopped."))
                    return
    except KeyboardInterrupt:  # Ctrl-C twice: the pass was cut short; a central transaction rolls back
        info(_("Sync stopped."))


def _one_pass(settings: Settings) -> sync.RunResult | None:
    """One pass; a fault of this machine (a locked or full disk) is logged and the loop goes on."""
    from pos_tui.core import sync
    from pos_tui.core.kernel import PosError, as_pos_error

    try:
        return sync.run_once(now(), settings)
    except sync.NotJoined:
        raise
    except PosError as exc:
        info(_("error: {message}").format(message=exc.message))
    except Exception as exc:
        error = as_pos_error(exc)
        if error is None:
            raise
        info(_("error: {message}").format(message=error.message))
    return None


# -- init -----------------------------------------------------------------------------------------


@handle_errors
def init(
    central: Annotated[
        str, typer.Option("--central", help="The centre: postgresql://ROLE@HOST/DB?sslmode=verify-full")
    ],
    terminal: Annotated[str, typer.Option("--terminal", help="This terminal's code at the centre (T2).")],
    store: Annotated[str, typer.Option("--store", help="The store this terminal sells in (S1).")],
    rejoin: Annotated[
        bool,
        typer.Option("--rejoin", help="Join again as a terminal the centre already knows (this one, reinstalled)."),
    ] = False,
    json_: JsonOption = False,
) -> None:
    """Join the centre: register the terminal, pull the master data and start its series."""
    from pos_tui.core import sync

    if not central.startswith(("postgresql://", "postgres://")):
        fail(_("--central must be a postgresql:// URL, not {url!r}").format(url=central[:40]), ExitCode.USAGE)
    sync.check_terminal(terminal)
    sync.check_store(store)
    settings = state().open_db(create=True)  # a new till's database is made here: joining is how it starts
    if terminal != settings.terminal_id:
        fail(
            _(
                "This till's terminal code is {configured} (POS_TERMINAL or [terminal] id in pos.toml), not {code}: "
                "its receipts and Z reports carry that code. Set it to {code} first."
            ).format(configured=settings.terminal_id, code=terminal),
            ExitCode.USAGE,
        )
    at = now()
    result = sync.join_now(central, terminal, store, at, settings, rejoin=rejoin)
    for note in result.notes:  # what still needs doing (the PIN key file, invoice series): stderr, even with --json
        info(_("Note: {note}").format(note=note))
    if json_:
        print_json(
            {"terminal": result.terminal, "store": result.store, "central": result.central, "revision": result.revision}
        )
        return
    joined = _("Terminal {terminal} joined the centre {central} for store {store}.")
    if result.rejoined:
        joined = _("Terminal {terminal} joined the centre {central} again for store {store}.")
    info(joined.format(terminal=result.terminal, central=result.central, store=result.store))
    info(
        _(
            "Master data taken up to revision {revision}: {rows} rows; {ledger_rows} rows of other terminals, "
            "{balances} balances."
        ).format(
            revision=result.revision,
            rows=_count(result.rows),
            ledger_rows=_count(result.ledger_rows),
            balances=_count(result.balances),
        )
    )
    if result.high_water:
        info(
            _("The centre already had this terminal's documents up to {high_water}.").format(
                high_water=_count(result.high_water)
            )
        )
    if result.series:
        names = {"efatura": "e-Fatura", "earsiv": "e-Arşiv"}  # GİB's own names, the same in every language
        series = ", ".join(
            f"{names.get(kind, kind)} {code}" for kind, code in sorted(result.series.items()) if kind in names
        )
        info(_("Invoice series: {series}").format(series=series))
    info(_("Run 'pos-admin sync run' as a service (docs/sync.md); the till syncs by itself."))


# -- role -----------------------------------------------------------------------------------------


@handle_errors
def role(
    terminal: Annotated[str, typer.Argument(metavar="TERMINAL", help="The terminal's code (T2).")],
    store: Annotated[str | None, typer.Option("--store", help="Allow documents of this store only (S1).")] = None,
    password_env: Annotated[
        str | None,
        typer.Option(
            "--password-env",
            metavar="VAR",
            help="Set the role's password from this environment variable (only its SCRAM hash is in the SQL).",
        ),
    ] = None,
    name: Annotated[
        str | None,
        typer.Option(
            "--name",
            metavar="ROLE",
            help="The role's name (default pos_ and the terminal's code). Role names are shared by every "
            "database of a server: two chains on one server need names of their own (shop1_t2, shop2_t2).",
        ),
    ] = None,
    apply: Annotated[
        bool, typer.Option("--apply", help="Run the SQL at the centre given by --db postgresql://… (as its owner).")
    ] = False,
) -> None:
    """The SQL of a terminal's PostgreSQL role with only the rights sync needs; printed, or run with --apply."""
    from pos_tui.core import sync

    password = None
    if password_env is not None:
        password = os.environ.get(password_env)
        if not password:
            fail(_("The environment variable {var} is not set or empty").format(var=password_env), ExitCode.USAGE)
    statements = sync.role_sql(terminal, store=store, password=password, name=name)
    name = name or sync.role_name(terminal)
    if not apply:
        sys.stdout.write(sync.role_script(statements))
        sys.stdout.flush()
        info(
            _('Run it as the centre\'s owner: psql "postgresql://OWNER@HOST/DB" -f FILE; the role is {role}.').format(
                role=name
            )
        )
        if password is None:
            info(
                _(
                    "The role has no password yet: give it one with --password-env VAR, or \\password {role} in psql."
                ).format(role=name)
            )
        return
    url = state().settings.db_url
    if not url.startswith(("postgresql://", "postgres://")):
        fail(_("--apply runs the SQL at the centre: give it as --db postgresql://OWNER@HOST/DB"), ExitCode.USAGE)
    sync.apply_role(url, statements)
    info(
        _("Role {role} is ready at {central}: terminal {terminal} may push and pull, and nothing else.").format(
            role=name, central=sync.masked(url), terminal=terminal
        )
    )

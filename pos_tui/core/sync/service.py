"""One sync pass of a terminal, for the till's worker and ``pos-admin sync run``: push what waits, then
pull what changed (docs/sync.md, "Operating it").

A centre that cannot be reached is a normal state of a terminal, not an exception to its loop: the
pass says so (:attr:`RunResult.online` False), records it for the status line and returns; the
documents stay queued and the next pass tries again. Whatever a pass met is recorded in
``meta_entry`` (``sync_online``, ``sync_last_error``, ``sync_last_contact``, ``sync_last_push``,
``sync_last_pull``), so :func:`pos_tui.core.sync.status.status` shows it without the network.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, TypeVar

from pos_tui.core.kernel.errors import PosError
from pos_tui.core.sync import connection, identity
from pos_tui.core.sync.model import CentralUnreachable, PullResult, PushResult
from pos_tui.settings import Settings

if TYPE_CHECKING:
    from pos_tui.core.sync.joining import JoinResult

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class RunResult:
    """What one pass did: ``online`` whether the centre answered (False: unreachable, the documents
    stay queued); ``push``/``pull`` what each step did (None: not reached); ``error`` why the pass
    stopped (the centre unreachable, a sequence conflict…), None when it went through."""

    at: datetime
    online: bool
    push: PushResult | None = None
    pull: PullResult | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.online and self.error is None


def record(now: datetime, *, online: bool, error: str | None, pushed: bool = False, pulled: bool = False) -> None:
    """Note how a contact with the centre went, for the status line (one local transaction)."""
    stamp = identity.stamp(now)
    values: dict[str, str | None] = {"online": "1" if online else "0", "last_error": error}
    if online:
        values["last_contact"] = stamp
    if pushed:
        values["last_push"] = stamp
    if pulled:
        values["last_pull"] = stamp
    identity.put(values)


def _recorded(now: datetime, step: Callable[[], T], *, pushed: bool = False, pulled: bool = False) -> T:
    """Run ``step`` and record its outcome: reached (and what it did), unreachable, or refused."""
    try:
        result = step()
    except CentralUnreachable as exc:
        record(now, online=False, error=exc.message)
        raise
    except PosError as exc:  # the centre answered and refused (a sequence conflict, a bad document)
        record(now, online=True, error=exc.message)
        raise
    record(now, online=True, error=None, pushed=pushed, pulled=pulled)
    return result


def push_now(now: datetime, settings: Settings) -> PushResult:
    """Push what waits (``[sync] batch`` records per central transaction) and record the outcome.
    Raises :class:`NotJoined`, :class:`CentralUnreachable` (the documents stay queued) or the
    centre's refusal (:class:`SequenceConflict`)."""
    from pos_tui.core.sync.pushing import push  # the network code loads when the till first syncs

    url = identity.require(settings.terminal_id).central
    return _recorded(now, lambda: push(now, batch=settings.sync.batch, url=url), pushed=True)


def pull_now(now: datetime, settings: Settings) -> PullResult:
    """Pull master data, the other terminals' ledger rows and the balances; record the outcome."""
    from pos_tui.core.sync.pulling import pull

    url = identity.require(settings.terminal_id).central
    return _recorded(now, lambda: pull(now, url=url), pulled=True)


def run_once(now: datetime, settings: Settings) -> RunResult:
    """One pass: push, then pull. Raises only :class:`NotJoined` (nothing to sync with); an unreachable
    centre gives ``online=False``, a refusal ``error`` (both recorded), and the caller goes on."""
    identity.require(settings.terminal_id)
    try:
        return _run_once(now, settings)
    finally:
        connection.finished()  # the till runs passes in worker threads: leave no connection behind


def _run_once(now: datetime, settings: Settings) -> RunResult:
    try:
        pushed = push_now(now, settings)
    except CentralUnreachable as exc:
        return RunResult(now, online=False, error=exc.message)
    except PosError as exc:
        return RunResult(now, online=True, error=exc.message)
    try:
        # holds whose sale never posted here (the till died between the hold and the posting, or a
        # release found the centre offline) go back before the pull reads the balances
        from pos_tui.core.sync.guard import release_orphans

        release_orphans(now)
        pulled = pull_now(now, settings)
    except CentralUnreachable as exc:
        return RunResult(now, online=False, push=pushed, error=exc.message)
    except PosError as exc:
        return RunResult(now, online=True, push=pushed, error=exc.message)
    return RunResult(now, online=True, push=pushed, pull=pulled)


def join_now(
    url: str, terminal: str, store: str, now: datetime, settings: Settings, *, rejoin: bool = False
) -> JoinResult:
    """Join this database to the centre at ``url`` as ``terminal`` of ``store``
    (:func:`pos_tui.core.sync.joining.join`: it registers the terminal, pulls the master data and
    starts its series) and record the contact for the status line."""
    from pos_tui.core.sync.joining import join

    return _recorded(now, lambda: join(url, terminal, store, now, settings, rejoin=rejoin), pulled=True)

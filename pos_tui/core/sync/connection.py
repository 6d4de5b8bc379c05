"""The link to the central PostgreSQL: a Peewee database object of its own (the store's proxy
stays bound to the terminal's SQLite file), opened with short timeouts so a dead line is noticed
in seconds, not minutes (docs/sync.md, "Faults").

Every failure to reach or keep the centre becomes :class:`CentralUnreachable` with a Turkish
message; what the driver said is kept as its cause. :func:`link` remembers the last failure:
for :data:`QUIET_SECONDS` after one, a caller that asks with ``fast=True`` (the till's
redemption check) is told "offline" at once instead of waiting for another timeout.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from peewee import Database, InterfaceError, OperationalError, PostgresqlDatabase

from pos_tui.core.sync.model import CentralUnreachable
from pos_tui.i18n import _
from pos_tui.store import driver

CONNECT_TIMEOUT = 5  # seconds to open a connection
USER_TIMEOUT_MS = 10_000  # an unacknowledged send fails after this (a blackholed line)
QUIET_SECONDS = 30.0  # after a failure, fast callers are told "offline" for this long
T = TypeVar("T")

_lock = threading.Lock()
_links: dict[str, PostgresqlDatabase] = {}
_failed_at: float | None = None


def open_central(url: str, *, application: str = "pos_tui-sync") -> PostgresqlDatabase:
    """A new, not yet connected database object for the central ``url`` (libpq parameters in the
    URL, such as ``sslmode=verify-full``, are kept)."""
    from playhouse.db_url import parse

    driver.load_for_peewee()
    params: dict[str, Any] = parse(url)
    name = params.pop("database")
    params.setdefault("connect_timeout", CONNECT_TIMEOUT)
    params.setdefault("keepalives", 1)
    params.setdefault("keepalives_idle", 5)
    params.setdefault("keepalives_interval", 2)
    params.setdefault("keepalives_count", 2)
    params.setdefault("tcp_user_timeout", USER_TIMEOUT_MS)
    params.setdefault("application_name", application)
    return PostgresqlDatabase(name, autoconnect=True, **params)


def unreachable(exc: BaseException) -> CentralUnreachable:
    """The error the caller shows for a driver failure ``exc`` (its first line as the detail)."""
    from pos_tui.core.sync.problems import describe  # the driver's words as the shop's language says them

    return CentralUnreachable(_("The centre cannot be reached: {detail}").format(detail=describe(exc)))


def failed_recently() -> bool:
    return _failed_at is not None and time.monotonic() - _failed_at < QUIET_SECONDS


def mark(ok: bool) -> None:
    global _failed_at
    _failed_at = None if ok else time.monotonic()


def link(url: str, *, fast: bool = False) -> PostgresqlDatabase:
    """This process's open connection to the centre at ``url`` (opened on first use, reopened
    after a failure). With ``fast`` a failure in the last :data:`QUIET_SECONDS` answers at once."""
    if fast and failed_recently():
        raise CentralUnreachable(_("The centre cannot be reached: working offline"))
    with _lock:
        db = _links.get(url)
        if db is None:
            db = _links[url] = open_central(url)
    try:
        if db.is_closed():
            db.connect(reuse_if_open=True)
        else:
            db.execute_sql("SELECT 1")
    except (OperationalError, InterfaceError) as exc:
        forget(url)
        mark(False)
        raise unreachable(exc) from exc
    mark(True)
    return db


def finished() -> None:
    """Close the calling thread's connections to the centre (every cached link keeps one per
    thread): the end of a unit of work in a worker thread — a sync pass, a sale's holds. The
    till runs those in short-lived or pooled threads; without this each would keep a connection
    open and a terminal's role (CONNECTION LIMIT in roles.py) would run out of them."""
    with _lock:
        links = list(_links.values())
    for db in links:
        if not db.is_closed():
            with contextlib.suppress(Exception):
                db.close()


def forget(url: str | None = None) -> None:
    """Close and drop the cached link(s) (after a failure, at shutdown, in tests)."""
    with _lock:
        urls = [url] if url is not None else list(_links)
        for key in urls:
            db = _links.pop(key, None)
            if db is not None:
                with contextlib.suppress(Exception):  # a broken connection cannot even close
                    db.close()


def _lost(db: Database, exc: BaseException) -> CentralUnreachable:
    """The connection of ``db`` failed with ``exc``: close it (a broken one may not even close),
    remember the failure, and return the error to raise."""
    with contextlib.suppress(Exception):
        db.close()
    mark(False)
    return unreachable(exc)


def call(db: Database, work: Callable[[], T]) -> T:
    """Run ``work`` (which uses ``db``) turning a lost connection into :class:`CentralUnreachable`."""
    try:
        result = work()
    except (OperationalError, InterfaceError) as exc:
        raise _lost(db, exc) from exc
    mark(True)
    return result


# SQLSTATEs after which the same transaction may simply run again: a deadlock PostgreSQL broke by
# aborting this side, a serialization failure. The connection is fine; the centre is reachable.
RETRIABLE = frozenset({"40P01", "40001"})


class CentreBusy(Exception):
    """The centre aborted the transaction to break a deadlock (or a serialization failure): it
    was rolled back and may be run again at once (:func:`retrying`)."""


def _pgcode(exc: BaseException) -> str | None:
    return getattr(getattr(exc, "orig", None), "pgcode", None) or getattr(exc, "pgcode", None)


def retrying(work: Callable[[], T], *, attempts: int = 5) -> T:
    """Run ``work`` (one central transaction) again when the centre broke a deadlock by aborting
    it, up to ``attempts`` times with a short growing pause; then it counts as unreachable."""
    for attempt in range(1, attempts + 1):
        try:
            return work()
        except CentreBusy as exc:
            if attempt == attempts:
                raise CentralUnreachable(_("The centre cannot be reached: {detail}").format(detail=exc)) from exc
            time.sleep(0.05 * attempt)
    raise AssertionError("unreachable")  # pragma: no cover


@contextmanager
def central_tx(db: Database) -> Iterator[None]:
    """One transaction on the centre; a lost connection inside it is :class:`CentralUnreachable`
    (the centre rolls the transaction back by itself), a deadlock the centre broke by aborting it
    :class:`CentreBusy` (run it again: :func:`retrying`)."""
    try:
        with db.atomic():
            yield
    except (OperationalError, InterfaceError) as exc:
        if _pgcode(exc) in RETRIABLE:
            raise CentreBusy(str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__) from exc
        raise _lost(db, exc) from exc

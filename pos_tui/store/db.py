"""Opening the database and the single write-transaction helper.

Connections: Peewee keeps one connection per thread and opens it on first use
(``autoconnect``). We deliberately keep that instead of ``connection_context()`` per unit of
work: a till does thousands of tiny units (one per scan), and reopening SQLite and replaying
the pragmas each time costs more than it protects. :func:`close_database` closes the calling
thread's connection at shutdown.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Literal

from peewee import Database, PeeweeException, PostgresqlDatabase, SqliteDatabase

from pos_tui.store import driver, outbox
from pos_tui.store.files import PRIVATE_DIR, create_private, write_private
from pos_tui.store.migrations import CURRENT_VERSION, schema_version, upgrade
from pos_tui.store.proxy import database

# CONVENTIONS.md: synchronous=full, because with NORMAL the last committed sales can vanish
# on power loss; WAL so readers (reports, the second window) never block the till.
SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "synchronous": "full",
    "foreign_keys": 1,
    "busy_timeout": 5000,
    "cache_size": -64000,
}


def is_postgres_url(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://"))


class DatabaseMissing(FileNotFoundError):
    """``open_database(..., must_exist=True)`` found no SQLite file at ``path``."""

    def __init__(self, path: Path) -> None:
        super().__init__(str(path))
        self.path = path


def sqlite_file(url: str | Path) -> Path | None:
    """The SQLite file behind ``url``; None for PostgreSQL and ``:memory:``."""
    url = str(url)
    if is_postgres_url(url):
        return None
    path = url.removeprefix("sqlite:///")
    return None if path == ":memory:" else Path(path).expanduser()


# -- storage faults ------------------------------------------------------------------------------
#
# SQLite says "the disk is full" (SQLITE_FULL), "this is not a database / it is malformed"
# (SQLITE_NOTADB, SQLITE_CORRUPT) or "the disk failed" (SQLITE_IOERR) through exceptions that
# tell a shop nothing, and after SQLITE_FULL the automatic rollback makes Peewee's own rollback
# fail with "cannot rollback - no transaction is active", which hides the cause. The store turns
# them into one :class:`StorageFault` with its kind and the file. ``store`` sits below ``core``,
# so it cannot raise core's errors itself: ``pos_tui.core.kernel.errors`` installs
# :data:`fault_error` when it is imported, and every fault leaves the store as the matching
# ``PosError`` (``DiskFull``, ``DatabaseDamaged``, ``StorageFailed``), which the CLI and the
# till already show as a message.

FULL, DAMAGED, IO = "full", "damaged", "io"
_SQLITE_KINDS = {13: FULL, 11: DAMAGED, 26: DAMAGED, 10: IO}  # SQLITE_FULL, _CORRUPT, _NOTADB, _IOERR
_MESSAGE_KINDS = (
    ("database or disk is full", FULL),
    ("database disk image is malformed", DAMAGED),
    ("file is not a database", DAMAGED),
    ("could not decode to utf-8", DAMAGED),
    ("disk i/o error", IO),
)


class StorageFault(Exception):
    """The database file cannot be used: ``kind`` is :data:`FULL`, :data:`DAMAGED` or :data:`IO`;
    ``path`` the SQLite file (None when unknown); ``detail`` what SQLite said."""

    def __init__(self, kind: str, path: Path | None, detail: str) -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind = kind
        self.path = path
        self.detail = detail


backup_dir: Path | None = None
"""Where this shop's backups go (``$POS_HOME/backups``), set by whoever opens the database;
the message about a damaged file names the newest good one found there."""

fault_error: Callable[[StorageFault], Exception] = lambda fault: fault  # noqa: E731 (replaced by core)
"""Turns a fault into the exception raised to the caller; core's errors module installs its own."""


def _kind_of(exc: BaseException) -> str | None:
    """The fault kind of a SQLite error (by its result code, else by SQLite's words), or None."""
    if not isinstance(exc, (sqlite3.Error, PeeweeException)):
        return None
    for err in (getattr(exc, "orig", None), exc):
        code = getattr(err, "sqlite_errorcode", None)
        if isinstance(code, int) and code & 0xFF in _SQLITE_KINDS:
            return _SQLITE_KINDS[code & 0xFF]
    return _kind_said(str(exc))


def _kind_said(text: str) -> str | None:
    """The fault kind SQLite's words name (``database or disk is full``…), or None."""
    low = text.lower()
    return next((kind for words, kind in _MESSAGE_KINDS if words in low), None)


def storage_fault(exc: BaseException) -> StorageFault | None:
    """The storage fault behind ``exc``: a :class:`StorageFault` itself or carried as
    ``.fault`` by the error core raised for it, a SQLite error of a fault kind, or any of those
    that ``exc`` was raised while handling (a failed rollback hides the SQLITE_FULL before it).
    None when ``exc`` is no storage fault."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        carried = current if isinstance(current, StorageFault) else getattr(current, "fault", None)
        if isinstance(carried, StorageFault):
            return carried
        kind = _kind_of(current)
        if kind is not None:
            return StorageFault(kind, current_file(), str(getattr(current, "orig", None) or current))
        current = current.__cause__ or current.__context__
    return None


def current_file() -> Path | None:
    """The SQLite file the store is bound to, or None (PostgreSQL, ``:memory:``, not open)."""
    obj = database.obj
    if isinstance(obj, SqliteDatabase) and obj.database != ":memory:":
        return Path(obj.database)
    return None


def raise_fault(fault: StorageFault, cause: BaseException | None = None) -> None:
    raise fault_error(fault) from (cause or fault)


# -- the integrity check at open ---------------------------------------------------------------


def quick_check(path: Path, *, full: bool = False) -> str:
    """``PRAGMA quick_check`` (``integrity_check`` with ``full``) of the SQLite file at ``path``
    on a connection of its own: ``"ok"`` or what is wrong. An unreadable file is not ok."""
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)) as conn:
            pragma = "integrity_check" if full else "quick_check"
            rows = conn.execute(f"PRAGMA {pragma}").fetchall()
    except sqlite3.Error as exc:
        return str(exc)
    lines = [line for r in rows[:10] for line in str(r[0]).splitlines() if not line.startswith("***")]
    return "; ".join(lines) or "ok"


def undecodable_text(path: Path) -> list[tuple[str, int, str]]:
    """Every stored text in the SQLite file at ``path`` that is not valid UTF-8, as
    ``(table, rowid, column)``: SQLite keeps such bytes (``quick_check`` does not look at them)
    but Python cannot read them, so a report names where they are instead of failing on them."""
    found: list[tuple[str, int, str]] = []
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)) as conn:
        conn.text_factory = bytes
        # ordinary tables only: the name index's virtual table and its shadow tables hold
        # what the database derived from product names, not text of their own
        tables = [
            r[1].decode()
            for r in conn.execute("PRAGMA main.table_list")
            if r[2] == b"table" and not r[1].startswith(b"sqlite_")
        ]
        for table in tables:
            columns = [r[1].decode() for r in conn.execute(f'PRAGMA table_info("{table}")')]
            for column in columns:
                query = f'SELECT rowid, "{column}" FROM "{table}" WHERE typeof("{column}") = \'text\''
                for rowid, value in conn.execute(query):
                    try:
                        value.decode("utf-8")
                    except UnicodeDecodeError:
                        found.append((table, rowid, column))
    return found


class IntegrityGate:
    """Whether the open file passed its check, for the write path to wait on.

    ``pending`` while a background check runs: durable writes (posting a sale, opening a shift)
    wait for it, the cart's quick saves do not (nor the PIN login's attempt rows:
    :func:`writes_before_check`). ``damaged``: every write is refused. ``deferred`` (a file
    opened on a remembered check, :func:`check_remembered`): the first write of any kind runs
    the check itself and waits for it, so nothing is ever written to a file that has not passed
    a check in this process.
    """

    def __init__(self) -> None:
        self._done = threading.Event()
        self._done.set()
        self._lock = threading.Lock()
        self._deferred: Path | None = None
        self._early = threading.local()
        self.fault: StorageFault | None = None

    def start(self) -> None:
        self.fault = None
        self._deferred = None
        self._done.clear()

    def finish(self, fault: StorageFault | None) -> None:
        self.fault = fault
        self._deferred = None
        self._done.set()

    def defer(self, path: Path) -> None:
        """The file at ``path`` passed a check before and has not changed since: reads go ahead,
        the first write checks it again first."""
        self.finish(None)
        self._deferred = path

    @property
    def pending(self) -> bool:
        return not self._done.is_set()

    @property
    def deferred(self) -> bool:
        return self._deferred is not None

    def require(self, *, wait: bool) -> None:
        """Raise the fault when the file is damaged; with ``wait``, first wait for a running check.
        A deferred check runs now, whatever ``wait`` says."""
        if self._deferred is not None:
            with self._lock:
                path = self._deferred
                if path is not None:
                    self.finish(verdict_fault(path, quick_check(path)))
        if wait and not getattr(self._early, "on", False):
            self._done.wait()
        if self.fault is not None:
            raise_fault(self.fault)


gate = IntegrityGate()


def verdict_fault(path: Path, verdict: str) -> StorageFault | None:
    """The fault behind a :func:`quick_check` verdict: none for ``"ok"``; a full disk or a
    failing disk when SQLite could not even run the check for that reason (the file may be
    sound: it must not be called damaged and sent to a restore); else a damaged file."""
    if verdict == "ok":
        return None
    kind = IO if "unable to open database file" in verdict.lower() else _kind_said(verdict)
    return StorageFault(kind if kind in (FULL, IO) else DAMAGED, path, verdict)


def check_file(path: Path) -> None:
    """Run :func:`quick_check` on ``path`` and record the verdict in :data:`gate`; raise the
    fault (as core's ``DatabaseDamaged``) when the file is damaged."""
    gate.start()
    fault = verdict_fault(path, quick_check(path))
    gate.finish(fault)
    if fault is not None:
        raise_fault(fault)


@contextmanager
def writes_before_check() -> Iterator[None]:
    """The writes of this thread inside the block do not wait for a running background check
    (a file already known to be damaged is still refused): the PIN login's attempt rows, which
    the cashier must not wait 1-2 s for at every start; like the cart's quick saves, and unlike
    opening a shift or posting a sale (docs/recovery.md)."""
    gate._early.on = True
    try:
        yield
    finally:
        gate._early.on = False


def _yield_the_cpu() -> None:
    """Lower the calling thread's priority (Linux: a thread's own nice value), so a background
    check never slows the screens the cashier is waiting for."""
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)


def check_in_background(path: Path, done: Callable[[StorageFault | None], None] | None = None) -> threading.Thread:
    """:func:`check_file` in a thread of low priority; durable writes wait for it
    (:class:`IntegrityGate`). ``done`` gets the fault (None: the file is sound) from that thread."""
    gate.start()

    def run() -> None:
        _yield_the_cpu()
        fault = verdict_fault(path, quick_check(path))
        gate.finish(fault)
        if done is not None:
            done(fault)

    thread = threading.Thread(target=run, name="quick_check", daemon=True)
    thread.start()
    return thread


# -- a passed check, remembered ------------------------------------------------------------------
#
# ``PRAGMA quick_check`` reads the whole file: 1.4-2.4 s on a 1,000,000-product database, which a
# ``pos-admin products show`` must not pay every time. A passed check is remembered in a small
# file beside the database (``<name>.checked``), keyed by the identity of the database file and
# of its ``-wal``: device, inode, size, modification and change times. Any write changes one of
# them (a write to the WAL changes the WAL's; a checkpoint the file's; a restore, the inode), so
# an unchanged identity means the bytes that passed the check. A file modified less than
# :data:`SETTLE_S` before the check is not remembered (a write in the same timestamp tick could
# go unseen). A verdict that is not ``ok`` is never remembered: a damaged file is checked, and
# refused, every time. See docs/recovery.md, "When the file is checked".

SETTLE_S = 2.0


def _identity(path: Path) -> list[list[int] | None] | None:
    """What must be unchanged for a remembered check to hold (None: no such file)."""

    def stat(p: Path) -> list[int] | None:
        try:
            st = p.stat()
        except FileNotFoundError:
            return None
        return [st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns] if st.st_size else None

    main = stat(path)
    return None if main is None else [main, stat(path.with_name(path.name + "-wal"))]  # an empty WAL is none


def memo_file(path: Path) -> Path:
    """Where a passed check of the database at ``path`` is remembered."""
    return path.with_name(path.name + ".checked")


def _settled(identity: list[list[int] | None], started_ns: int) -> bool:
    return all(part is None or part[3] < started_ns - SETTLE_S * 1e9 for part in identity)


def check_remembered(path: Path) -> None:
    """:func:`check_file`, unless the file has not changed since a check of it passed: then the
    check is deferred to the first write (:meth:`IntegrityGate.defer`). Raises the fault of a
    damaged file; remembers a pass."""
    started_ns = time.time_ns()
    identity = _identity(path)
    if identity is None:
        check_file(path)
        return
    memo = memo_file(path)
    with contextlib.suppress(OSError, ValueError):
        if json.loads(memo.read_text(encoding="ascii")) == {"quick_check": "ok", "identity": identity}:
            gate.defer(path)
            return
    check_file(path)
    if _settled(identity, started_ns):
        with contextlib.suppress(OSError):  # a folder the user may read but not write: no memo
            write_private(memo, json.dumps({"quick_check": "ok", "identity": identity}).encode("ascii"))


def last_good_backup(directory: Path, database: Path | None = None) -> Path | None:
    """The newest file in ``directory`` (by modification time) that passes ``quick_check``;
    with ``database``, only the backups of that file (``pos-admin backup`` names them
    ``<its name>-YYYYmmdd-HHMMSS.sqlite3``), never another shop's or another file's."""
    try:
        files = sorted((p for p in directory.iterdir() if p.is_file()), key=lambda p: p.stat().st_mtime, reverse=True)
    except OSError:
        return None
    prefix = f"{database.stem}-" if database is not None else ""
    return next(
        (p for p in files if not p.name.startswith(".") and p.name.startswith(prefix) and quick_check(p) == "ok"), None
    )


def open_database(
    url: str | Path,
    *,
    create: bool = True,
    must_exist: bool = False,
    check: bool | Literal["remembered"] = False,
    backups: Path | None = None,
) -> Database:
    """Open ``url`` (a SQLite file path, ``sqlite:///path`` or ``postgresql://…``) and bind the models.

    With ``create`` the schema is created or upgraded to the current version, so a fresh
    path gives a ready database. With ``must_exist`` a SQLite file that is not there raises
    :class:`DatabaseMissing` and nothing (no file, no directory) is created: reading a
    mistyped path must not leave an empty shop behind. PostgreSQL URLs ignore it (the server
    says whether the database exists). With ``check`` an existing SQLite file must pass
    ``PRAGMA quick_check`` first (else core's ``DatabaseDamaged`` is raised and nothing is
    written); with ``check="remembered"`` a file unchanged since a check of it passed is opened
    without one, and its first write (a schema upgrade included) checks it first
    (:func:`check_remembered`); the till checks in the background instead
    (:func:`check_in_background`).
    ``backups`` is the shop's backup folder (:data:`backup_dir`). Returns the Peewee database
    (also reachable as :data:`database`).
    """
    global backup_dir
    if backups is not None:
        backup_dir = backups
    url = str(url)
    db: Database
    if is_postgres_url(url):
        from playhouse.db_url import parse

        driver.load_for_peewee()
        params = parse(url)
        name = params.pop("database")
        db = PostgresqlDatabase(name, **params)
    else:
        path = url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else url
        file = sqlite_file(url)
        if must_exist and file is not None and not file.is_file():
            raise DatabaseMissing(file)
        if path != ":memory:":
            Path(path).expanduser().parent.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
        if file is not None and not file.exists():
            create_private(file)  # a new shop's file: PIN hashes, customers
        if check == "remembered" and file is not None and file.is_file():
            check_remembered(file)
        elif check and file is not None and file.is_file():
            check_file(file)
        else:
            gate.finish(None)
        db = SqliteDatabase(path, pragmas=SQLITE_PRAGMAS, timeout=5)
    database.initialize(db)
    if create:
        try:
            if gate.deferred and schema_version(db) != CURRENT_VERSION:
                gate.require(wait=False)  # the upgrade writes: the deferred check runs first
            upgrade(db)
        except Exception as exc:
            fault = storage_fault(exc)
            if fault is None:
                raise
            raise_fault(fault, exc)
    return db


def close_database() -> None:
    if database.obj is not None and not database.is_closed():
        database.close()


def is_sqlite() -> bool:
    return isinstance(database.obj, SqliteDatabase)


def in_transaction() -> bool:
    """Whether the calling thread's connection is inside a :func:`write_tx` (or any atomic block)."""
    return bool(database.transaction_depth() > 0)


@contextmanager
def write_tx(*, durable: bool = True) -> Iterator[None]:
    """One write transaction. On SQLite ``BEGIN IMMEDIATE`` takes the write lock up front, so
    two terminals never deadlock half-way through a sale; on PostgreSQL rows are locked as
    they are touched. Nested calls become savepoints of the outer transaction (and share its
    durability).

    ``durable=False`` is for the open cart's many small saves (one per scan): the commit
    survives the process being killed (``kill -9``, a crash) but skips the disk flush, so a
    power cut may lose the last cart changes — never a posted sale, which always commits
    durably. The log is sequential, so the next durable commit also makes every earlier
    change durable: nothing is ever lost out of order. SQLite: ``synchronous=NORMAL`` for
    that commit; PostgreSQL: ``synchronous_commit = off`` for that transaction.
    """
    if database.transaction_depth() > 0:
        with database.atomic():
            yield
        return
    gate.require(wait=durable)
    try:
        with _transaction(durable=durable):
            yield
    except Exception as exc:
        fault = storage_fault(exc)
        if fault is None:
            raise
        if fault.kind == DAMAGED:
            gate.finish(fault)
        raise_fault(fault, exc)


@contextmanager
def _transaction(*, durable: bool) -> Iterator[None]:
    if is_sqlite():
        if not durable:
            database.execute_sql("PRAGMA synchronous = NORMAL")
        try:
            with database.atomic("IMMEDIATE"):
                yield
                outbox.seal()  # the transaction's outbox record, if it posted anything
        finally:
            if not durable:
                database.execute_sql(f"PRAGMA synchronous = {SQLITE_PRAGMAS['synchronous']}")
    else:
        with database.atomic():
            if not durable:
                database.execute_sql("SET LOCAL synchronous_commit = off")
            yield

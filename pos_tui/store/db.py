"""Opening the database and the single write-transaction helper.

Connections: Peewee keeps one connection per thread and opens it on first use
(``autoconnect``). We deliberately keep that instead of ``connection_context()`` per unit of
work: a till does thousands of tiny units (one per scan), and reopening SQLite and replaying
the pragmas each time costs more than it protects. :func:`close_database` closes the calling
thread's connection at shutdown.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from peewee import Database, PostgresqlDatabase, SqliteDatabase

from pos_tui.store.migrations import upgrade
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


def open_database(url: str | Path, *, create: bool = True, must_exist: bool = False) -> Database:
    """Open ``url`` (a SQLite file path, ``sqlite:///path`` or ``postgresql://…``) and bind the models.

    With ``create`` the schema is created or upgraded to the current version, so a fresh
    path gives a ready database. With ``must_exist`` a SQLite file that is not there raises
    :class:`DatabaseMissing` and nothing (no file, no directory) is created: reading a
    mistyped path must not leave an empty shop behind. PostgreSQL URLs ignore it (the server
    says whether the database exists). Returns the Peewee database (also reachable as
    :data:`database`).
    """
    url = str(url)
    db: Database
    if is_postgres_url(url):
        from playhouse.db_url import parse

        params = parse(url)
        name = params.pop("database")
        db = PostgresqlDatabase(name, **params)
    else:
        path = url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else url
        file = sqlite_file(url)
        if must_exist and file is not None and not file.is_file():
            raise DatabaseMissing(file)
        if path != ":memory:":
            Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
        db = SqliteDatabase(path, pragmas=SQLITE_PRAGMAS, timeout=5)
    database.initialize(db)
    if create:
        upgrade(db)
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
    elif is_sqlite():
        if not durable:
            database.execute_sql("PRAGMA synchronous = NORMAL")
        try:
            with database.atomic("IMMEDIATE"):
                yield
        finally:
            if not durable:
                database.execute_sql(f"PRAGMA synchronous = {SQLITE_PRAGMAS['synchronous']}")
    else:
        with database.atomic():
            if not durable:
                database.execute_sql("SET LOCAL synchronous_commit = off")
            yield

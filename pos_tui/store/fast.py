"""Prepared statements for the hot paths (posting a sale, the journal, the open cart).

Peewee builds the SQL text of every query anew, which costs more than SQLite takes to run
the statement: posting a five-line sale spent most of its time composing some sixteen
statements whose shape never changes. The functions here compose each shape once per
database backend (its placeholder, its identifier quoting, whether ``INSERT … RETURNING``
is available) and then only bind parameters, so the driver also reuses its prepared
statement.

The SQL is portable (SQLite and PostgreSQL) and is addressed through the models: callers
name a model and its field names, never a table or column literal, so a renamed column
cannot drift from the schema. Values go to the driver as they are: ``int``, ``str``,
``None`` and naive ``datetime`` — the same values Peewee would pass for these fields.
Everything runs on the calling thread's connection, inside whatever transaction is open.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any

from peewee import Database, Model, SqliteDatabase

from pos_tui.store.proxy import database

# SQLite before 3.32 allows at most 999 parameters per statement; multi-row statements are
# split so that they stay under it on every backend.
MAX_PARAMS = 999

_cache: dict[tuple[type[Database], Hashable], str] = {}


def _db() -> Database:
    db = database.obj
    if db is None:
        raise RuntimeError("the database is not open")
    return db


def _statement(key: Hashable, build: Callable[[Database], str]) -> str:
    """The SQL of statement ``key`` for the open database, composed on first use."""
    db = _db()
    cache_key = (type(db), key)
    sql = _cache.get(cache_key)
    if sql is None:
        sql = _cache[cache_key] = build(db)
    return sql


def _quote(db: Database, name: str) -> str:
    q = db.quote
    return f"{q[0]}{name.replace(q[1], q[1] * 2)}{q[1]}"


def _table(db: Database, model: type[Model]) -> str:
    return _quote(db, model._meta.table_name)


def _column(db: Database, model: type[Model], field: str) -> str:
    return _quote(db, model._meta.fields[field].column_name)


def _where(db: Database, model: type[Model], fields: Sequence[str]) -> str:
    return " AND ".join(f"{_column(db, model, f)} = {db.param}" for f in fields)


def _returns_rows(db: Database) -> bool:
    """Whether inserts report their key with ``RETURNING`` (PostgreSQL) rather than the
    cursor's ``lastrowid`` (SQLite), as Peewee itself does."""
    return bool(db.returning_clause)


def _upsert_returns(db: Database) -> bool:
    """Whether ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` works: PostgreSQL, SQLite ≥ 3.35."""
    if isinstance(db, SqliteDatabase):
        return sqlite3.sqlite_version_info >= (3, 35, 0)
    return bool(db.returning_clause)


def select_rendered(name: Hashable, build: Callable[..., Any], *params: Any) -> list[tuple[Any, ...]]:
    """Run the Peewee query ``build(*params)``, rendering its SQL only the first time.

    For read queries whose shape depends only on the number of parameters (a scan at the
    till, a search's word probes): Peewee renders ``build(*params)`` once per ``name``,
    parameter count and backend, in the open database's context; later calls reuse the text
    with new parameters. A query whose values Peewee converts is run as rendered, uncached.
    """
    db = _db()
    key = ("rendered", name, len(params))
    sql = _cache.get((type(db), key))
    if sql is None:
        sql, rendered = db.get_sql_context().sql(build(*params)).query()
        if list(rendered) != list(params):
            return list(db.execute_sql(sql, rendered))
        _cache[(type(db), key)] = sql
    return list(db.execute_sql(sql, params))


def insert_one(model: type[Model], values: Mapping[str, Any]) -> int:
    """Insert one row of ``model`` and return its ``id`` (the model's auto-increment key)."""
    fields = tuple(values)
    returning = _returns_rows(_db())

    def build(db: Database) -> str:
        sql = (
            f"INSERT INTO {_table(db, model)} ({', '.join(_column(db, model, f) for f in fields)}) "
            f"VALUES ({', '.join([db.param] * len(fields))})"
        )
        if returning:
            sql += f" RETURNING {_column(db, model, 'id')}"
        return sql

    sql = _statement(("insert_one", model, fields, returning), build)
    cursor = _db().execute_sql(sql, tuple(values.values()))
    if returning:
        return int(cursor.fetchall()[0][0])
    return int(cursor.lastrowid)


def insert_many(model: type[Model], fields: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Insert ``rows`` (values in the order of ``fields``) with as few statements as the
    parameter limit allows."""
    fields = tuple(fields)
    per_statement = max(1, MAX_PARAMS // len(fields))
    for start in range(0, len(rows), per_statement):
        chunk = rows[start : start + per_statement]
        n = len(chunk)

        def build(db: Database, n: int = n) -> str:
            row = f"({', '.join([db.param] * len(fields))})"
            return (
                f"INSERT INTO {_table(db, model)} ({', '.join(_column(db, model, f) for f in fields)}) "
                f"VALUES {', '.join([row] * n)}"
            )

        sql = _statement(("insert_many", model, fields, n), build)
        _db().execute_sql(sql, [value for row in chunk for value in row])


def select_first(
    model: type[Model],
    fields: Sequence[str],
    where: Mapping[str, Any],
    *,
    newest: bool = False,
    for_update: bool = False,
) -> tuple[Any, ...] | None:
    """``fields`` of the first row of ``model`` whose fields equal ``where`` (never ``None``
    values), the one with the highest ``id`` when ``newest``; ``for_update`` locks it where
    the backend has row locks (SQLite's write transaction already excludes other writers)."""
    fields, keys = tuple(fields), tuple(where)
    lock = for_update and bool(_db().for_update)

    def build(db: Database) -> str:
        sql = (
            f"SELECT {', '.join(_column(db, model, f) for f in fields)} FROM {_table(db, model)} "
            f"WHERE {_where(db, model, keys)}"
        )
        if newest:
            sql += f" ORDER BY {_column(db, model, 'id')} DESC"
        sql += " LIMIT 1"
        if lock:
            sql += " FOR UPDATE"
        return sql

    sql = _statement(("select_first", model, fields, keys, newest, lock), build)
    row = _db().execute_sql(sql, tuple(where.values())).fetchone()
    return None if row is None else tuple(row)


def update_where(model: type[Model], values: Mapping[str, Any], where: Mapping[str, Any]) -> int:
    """Set ``values`` on the rows of ``model`` whose fields equal ``where``; the row count."""
    fields, keys = tuple(values), tuple(where)

    def build(db: Database) -> str:
        sets = ", ".join(f"{_column(db, model, f)} = {db.param}" for f in fields)
        return f"UPDATE {_table(db, model)} SET {sets} WHERE {_where(db, model, keys)}"

    sql = _statement(("update_where", model, fields, keys), build)
    return int(_db().execute_sql(sql, (*values.values(), *where.values())).rowcount)


def delete_where(model: type[Model], where: Mapping[str, Any]) -> int:
    """Delete the rows of ``model`` whose fields equal ``where``; the row count."""
    keys = tuple(where)

    def build(db: Database) -> str:
        return f"DELETE FROM {_table(db, model)} WHERE {_where(db, model, keys)}"

    sql = _statement(("delete_where", model, keys), build)
    return int(_db().execute_sql(sql, tuple(where.values())).rowcount)


def add_by_id(model: type[Model], field: str, deltas: Mapping[int, int]) -> None:
    """``field += deltas[id]`` for every id in ``deltas``, one statement per chunk of ids
    (the stock cache after a sale)."""
    items = list(deltas.items())
    per_statement = max(1, MAX_PARAMS // 3)
    for start in range(0, len(items), per_statement):
        chunk = items[start : start + per_statement]
        n = len(chunk)

        def build(db: Database, n: int = n) -> str:
            col, key = _column(db, model, field), _column(db, model, "id")
            cases = " ".join([f"WHEN {db.param} THEN {db.param}"] * n)
            ids = ", ".join([db.param] * n)
            return (
                f"UPDATE {_table(db, model)} SET {col} = {col} + CASE {key} {cases} ELSE 0 END WHERE {key} IN ({ids})"
            )

        sql = _statement(("add_by_id", model, field, n), build)
        params = [value for pair in chunk for value in pair] + [key for key, _delta in chunk]
        _db().execute_sql(sql, params)


def upsert_add(model: type[Model], key: Mapping[str, Any], field: str, start: int) -> int:
    """Insert the row ``key`` with ``field = start``, or add ``start`` to ``field`` when it
    exists; returns the new value. ``key``'s fields must be the model's primary key (or a
    unique index). One statement with ``RETURNING`` where the backend has it."""
    keys = tuple(key)
    returning = _upsert_returns(_db())

    def build(db: Database) -> str:
        cols = [_column(db, model, f) for f in keys]
        col = _column(db, model, field)
        sql = (
            f"INSERT INTO {_table(db, model)} ({', '.join(cols)}, {col}) "
            f"VALUES ({', '.join([db.param] * (len(keys) + 1))}) "
            f"ON CONFLICT ({', '.join(cols)}) DO UPDATE SET {col} = {_table(db, model)}.{col} + {db.param}"
        )
        if returning:
            sql += f" RETURNING {col}"
        return sql

    sql = _statement(("upsert_add", model, keys, field, returning), build)
    cursor = _db().execute_sql(sql, (*key.values(), start, start))
    if returning:
        return int(cursor.fetchall()[0][0])
    row = select_first(model, (field,), key)
    assert row is not None
    return int(row[0])


def upsert_add_many(model: type[Model], keys: Sequence[str], field: str, rows: Sequence[Sequence[Any]]) -> None:
    """:func:`upsert_add` for many rows at once, without reading the sums back: each row is the
    ``keys``' values then the amount to add (the per-location stock of a many-line document or
    an import). One prepared statement run with ``executemany``."""
    if not rows:
        return
    keys = tuple(keys)

    def build(db: Database) -> str:
        cols = [_column(db, model, f) for f in keys]
        col = _column(db, model, field)
        return (
            f"INSERT INTO {_table(db, model)} ({', '.join(cols)}, {col}) "
            f"VALUES ({', '.join([db.param] * (len(keys) + 1))}) "
            f"ON CONFLICT ({', '.join(cols)}) DO UPDATE SET {col} = {_table(db, model)}.{col} + excluded.{col}"
        )

    sql = _statement(("upsert_add_many", model, keys, field), build)
    _db().cursor().executemany(sql, [tuple(row) for row in rows])

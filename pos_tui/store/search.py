"""The product name index: a full-text index the database builds and keeps, one per backend.

``product.name_key`` holds the folded words of the name joined by single spaces
(:func:`pos_tui.text.search_key`: ``"Isparta Gülü 1,5 kg"`` → ``"isparta gulu 1 5 kg"``). The
index is built on that column, so both backends find the same products with the same words:

- **SQLite**: an FTS5 table ``product_search`` with external content (``product``), the ``ascii``
  tokenizer (the key is already folded and split), ``detail=none`` (no positions: only "which
  products have this word") and prefix indexes for one to three letters, so a short prefix
  typed at the till reads one list instead of merging every word that starts with it. Triggers
  keep it in step with every insert, rename and delete; a bulk load of an empty catalogue
  drops the insert trigger and fills the index in one pass (:func:`bulk_insert_begin`).
- **PostgreSQL**: a GIN index on ``to_tsvector('simple', name_key)``, which PostgreSQL keeps in
  step by itself; a query word ``w`` is the prefix query ``w:*``.

:func:`matching_ids` gives the SELECT of ids whose names have, for every query word, a word
starting with it (in any order).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from peewee import SQL, Database, DatabaseProxy, NodeList, PostgresqlDatabase

TABLE = "product_search"
PG_INDEX = "product_name_search"
_INSERT_TRIGGER = "product_search_insert"

_FTS5 = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS \"{TABLE}\" USING fts5(name_key, content='product', "
    "content_rowid='id', detail=none, columnsize=0, tokenize='ascii', prefix='1 2 3')"
)
_INSERT = (
    f'CREATE TRIGGER IF NOT EXISTS "{_INSERT_TRIGGER}" AFTER INSERT ON product BEGIN '
    f'INSERT INTO "{TABLE}"(rowid, name_key) VALUES (new.id, new.name_key); END'
)
_TRIGGERS = (
    _INSERT,
    f'CREATE TRIGGER IF NOT EXISTS "product_search_rename" AFTER UPDATE OF name_key ON product '
    f"WHEN old.name_key IS NOT new.name_key BEGIN "
    f'INSERT INTO "{TABLE}"("{TABLE}", rowid, name_key) VALUES (\'delete\', old.id, old.name_key); '
    f'INSERT INTO "{TABLE}"(rowid, name_key) VALUES (new.id, new.name_key); END',
    f'CREATE TRIGGER IF NOT EXISTS "product_search_delete" AFTER DELETE ON product BEGIN '
    f'INSERT INTO "{TABLE}"("{TABLE}", rowid, name_key) VALUES (\'delete\', old.id, old.name_key); END',
)
_PG = f"CREATE INDEX IF NOT EXISTS \"{PG_INDEX}\" ON product USING gin (to_tsvector('simple', name_key))"


def _postgres(db: Database | DatabaseProxy) -> bool:
    return isinstance(getattr(db, "obj", db), PostgresqlDatabase)


def create(db: Database | DatabaseProxy) -> None:
    """Create the index over the products already stored (inside the caller's transaction)."""
    if _postgres(db):
        db.execute_sql(_PG)
        return
    db.execute_sql(_FTS5)
    db.execute_sql(f'INSERT INTO "{TABLE}"("{TABLE}") VALUES (\'rebuild\')')
    for trigger in _TRIGGERS:
        db.execute_sql(trigger)


def bulk_insert_begin(db: Database | DatabaseProxy) -> None:
    """Before loading an empty catalogue in bulk: stop indexing row by row (SQLite).

    Call :func:`bulk_insert_end` in the same transaction; DDL is transactional, so a rollback
    brings the trigger back."""
    if not _postgres(db):
        db.execute_sql(f'DROP TRIGGER IF EXISTS "{_INSERT_TRIGGER}"')


def index_range(db: Database | DatabaseProxy, first_id: int, last_id: int) -> None:
    """Index the products with ids in ``[first_id, last_id]``, inserted since
    :func:`bulk_insert_begin` (one statement: the database tokenizes the names itself)."""
    if not _postgres(db):
        db.execute_sql(
            f'INSERT INTO "{TABLE}"(rowid, name_key) SELECT id, name_key FROM product WHERE id BETWEEN ? AND ?',
            (first_id, last_id),
        )


def bulk_insert_end(db: Database | DatabaseProxy) -> None:
    """Index rows one by one again (the rows loaded meanwhile are indexed by :func:`index_range`)."""
    if not _postgres(db):
        db.execute_sql(_INSERT)


def check(db: Database | DatabaseProxy) -> str | None:
    """None when the index agrees with the products, else what is wrong (for ``audit verify``)."""
    if _postgres(db):
        return None
    try:
        db.execute_sql(f'INSERT INTO "{TABLE}"("{TABLE}", rank) VALUES (\'integrity-check\', 1)')
    except Exception as exc:  # sqlite3.DatabaseError: "database disk image is malformed"
        return str(exc)
    return None


def rebuild(db: Database | DatabaseProxy) -> None:
    """Build the index again from the product names (repair)."""
    if _postgres(db):
        db.execute_sql(f'REINDEX INDEX "{PG_INDEX}"')
    else:
        db.execute_sql(f'INSERT INTO "{TABLE}"("{TABLE}") VALUES (\'rebuild\')')


def matching_ids(db: Database | DatabaseProxy, words: Sequence[str], limit: int) -> Any:
    """``SELECT id`` of at most ``limit`` products whose names have, for each of ``words``
    (folded, ``[0-9a-z]+``), a word starting with it."""
    if _postgres(db):
        query = " & ".join(f"{w}:*" for w in words)
        return NodeList(
            (
                SQL(
                    "SELECT id FROM product WHERE to_tsvector('simple', name_key) @@ to_tsquery('simple', %s)", (query,)
                ),
                SQL("LIMIT %s", (limit,)),
            )
        )
    match = " AND ".join(f'"{w}"*' for w in words)
    return SQL(f'SELECT rowid FROM "{TABLE}" WHERE "{TABLE}" MATCH ? LIMIT ?', (match, limit))

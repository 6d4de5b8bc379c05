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

:func:`match_expression` and :func:`matching_ids` give the SELECT of ids whose names have, for
every query word, a word starting with it (in any order). FTS5 reads a prefix it keeps a list
for (one to three letters) or a whole word lazily, a few rows at a time, but merges every word
of a longer prefix in full before the first row: so a longer query word is spelt out as the
words of the index that start with it (``isparta`` → ``"isparta" OR "ispartali"``), looked up
in the index's vocabulary table.
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
VOCABULARY = f"{TABLE}_words"
_VOCABULARY = f'CREATE VIRTUAL TABLE IF NOT EXISTS "{VOCABULARY}" USING fts5vocab("{TABLE}", \'row\')'
# The index has prefix lists for one to three letters; a longer query word is spelt out as
# the index's words that start with it (up to this many), which the index reads lazily, a few
# rows at a time: a prefix FTS5 has no list for would be read in full first (thousands of ids).
PREFIX_LIST = 3
SPELT_OUT = 24

_PG = f"CREATE INDEX IF NOT EXISTS \"{PG_INDEX}\" ON product USING gin (to_tsvector('simple', name_key))"


def _postgres(db: Database | DatabaseProxy) -> bool:
    return isinstance(getattr(db, "obj", db), PostgresqlDatabase)


def create(db: Database | DatabaseProxy) -> None:
    """Create the index over the products already stored (inside the caller's transaction)."""
    if _postgres(db):
        db.execute_sql(_PG)
        return
    db.execute_sql(_FTS5)
    db.execute_sql(_VOCABULARY)
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


def match_expression(db: Database | DatabaseProxy, words: Sequence[str]) -> str:
    """The query for products whose names have, for each of ``words`` (folded, ``[0-9a-z]+``,
    at least one), a word starting with it: an FTS5 ``MATCH`` expression on SQLite, a
    ``tsquery`` on PostgreSQL. The parameter of :func:`matching_ids`."""
    if _postgres(db):
        return " & ".join(f"{w}:*" for w in words)
    return " AND ".join(_term(db, w) for w in words)


def matching_ids(db: Database | DatabaseProxy, match: str, limit: int) -> Any:
    """``SELECT id`` of at most ``limit`` products matching ``match`` (:func:`match_expression`).
    The statement's text does not depend on the query, so it can be rendered once."""
    if _postgres(db):
        matches = "to_tsvector('simple', name_key) @@ to_tsquery('simple', %s)"
        return NodeList((SQL(f"SELECT id FROM product WHERE {matches}", (match,)), SQL("LIMIT %s", (limit,))))
    return SQL(f'SELECT rowid FROM "{TABLE}" WHERE "{TABLE}" MATCH ? LIMIT ?', (match, limit))


def _term(db: Database | DatabaseProxy, word: str) -> str:
    """The FTS5 query for "a word starting with ``word``" (``[0-9a-z]+``) that reads least."""
    if len(word) <= PREFIX_LIST:
        return f'"{word}"*'
    found = db.execute_sql(
        f'SELECT term FROM "{VOCABULARY}" WHERE term >= ? AND term < ? LIMIT ?', (word, word + "{", SPELT_OUT + 1)
    ).fetchall()  # "{" sorts after every letter and digit: the range is exactly the words starting with it
    if not found:
        return f'"{word}"'  # no such word: matches nothing, cheaply
    if len(found) > SPELT_OUT:
        return f'"{word}"*'
    return "(" + " OR ".join(f'"{term}"' for (term,) in found) + ")"

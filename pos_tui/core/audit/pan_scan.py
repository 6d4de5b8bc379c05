"""``pos-admin audit pan``: is a card number (PAN) stored anywhere in the database?

Every service refuses a card number in the text it stores (:mod:`pos_tui.core.kernel.pan`); this
scan finds what got in some other way: an older version, raw SQL, a restored foreign file. It
reads every text column of every table (``CHAR``/``VARCHAR``/``TEXT``/``CLOB`` as the database
declares them, tables pos_tui does not know included) and, in a value that is JSON (journal
payloads, cart drafts, Z data), every key, string and number on its own, so numbers of a list
are never run together into a false card.

Never scanned, because pos_tui writes them from hashes and random ids and a hex string can
hold a Luhn-valid digit run by chance: the hash chain (``prev_hash``, ``hash``), PIN tags and
hashes, the rules digest, and any value (or JSON string) that is a whole UUID or hex digest
(or ``entry:digest``, as the journal head in ``meta_entry``).

A finding names the table, the row (its primary key), the column and the number masked as a
terminal prints it (first 6, last 4); the number itself is never returned.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from peewee import Database, SqliteDatabase

from pos_tui import store
from pos_tui.core.kernel.pan import find_pans

TEXT_TYPES = ("CHAR", "TEXT", "CLOB", "STRING")
# (table, column) pos_tui fills with hashes: see the module docstring. "*" is any table.
MACHINE_COLUMNS = frozenset(
    {
        ("*", "hash"),
        ("*", "prev_hash"),
        ("user", "pin_tag"),
        ("user", "pin_hash"),
        ("loyalty_rules", "digest"),
    }
)
_MACHINE_VALUE = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|(?:[0-9]+:)?[0-9a-fA-F]{32,}"
)
_CHUNK = 2000


@dataclass(frozen=True, slots=True)
class PanFinding:
    """A stored card number: where it is, and the number masked (never the number itself)."""

    table: str
    row: str
    column: str
    masked: str
    scheme: str

    def as_json(self) -> dict[str, str]:
        return {
            "table": self.table,
            "row": self.row,
            "column": self.column,
            "masked": self.masked,
            "scheme": self.scheme,
        }


def _is_text(data_type: str) -> bool:
    upper = (data_type or "").upper()
    return any(word in upper for word in TEXT_TYPES)


def _leaves(value: Any) -> Iterator[str]:
    """The keys, strings and numbers of a parsed JSON value, each on its own (no recursion:
    a deeply nested payload is walked with a stack)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, inner in item.items():
                yield str(key)
                stack.append(inner)
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str):
            yield item
        elif isinstance(item, (int, float)) and not isinstance(item, bool):
            yield str(item)


def _texts(raw: Any) -> Iterator[str]:
    """The texts of one stored value to scan: JSON is taken apart, machine values skipped."""
    if raw is None:
        return
    binary = isinstance(raw, (bytes, bytearray, memoryview))
    text = bytes(raw).decode("utf-8", errors="replace") if binary else str(raw)
    parts: Iterator[str] = iter((text,))
    if text.lstrip()[:1] in ("{", "["):
        with contextlib.suppress(ValueError, RecursionError):
            parts = _leaves(json.loads(text))
    for part in parts:
        if not _MACHINE_VALUE.fullmatch(part.strip()):
            yield part


def _quote(name: str) -> str:
    """An identifier in standard SQL quotes (SQLite and PostgreSQL alike)."""
    return '"' + name.replace('"', '""') + '"'


def _text_columns(database: Database, table: str) -> list[str]:
    """The columns of ``table`` the scan reads: declared as text, not a machine column."""
    return [
        c.name
        for c in database.get_columns(table)
        if _is_text(c.data_type) and ("*", c.name) not in MACHINE_COLUMNS and (table, c.name) not in MACHINE_COLUMNS
    ]


def scan_pans(progress: Callable[[int], None] | None = None) -> list[PanFinding]:
    """Every card number stored in a text column of the open database, table by table.

    Read only; ``progress`` is called with the number of rows read after each chunk.
    """
    database = store.database.obj
    sqlite = isinstance(database, SqliteDatabase)
    findings: list[PanFinding] = []
    for table in sorted(database.get_tables()):
        columns = _text_columns(database, table)
        if not columns:
            continue
        keys = database.get_primary_keys(table) or (["rowid"] if sqlite else [])
        # SQLite: read text as bytes, so a byte that is not UTF-8 is scanned, not a traceback
        selected = [f"CAST({_quote(c)} AS BLOB)" if sqlite else _quote(c) for c in columns]
        key_sql = [_quote(k) if k != "rowid" else "rowid" for k in keys]
        sql = f"SELECT {', '.join(key_sql + selected)} FROM {_quote(table)}"
        cursor = database.execute_sql(sql)
        while True:
            rows = cursor.fetchmany(_CHUNK)
            if not rows:
                break
            for row in rows:
                row_id = "/".join(str(v) for v in row[: len(keys)]) or "?"
                for column, raw in zip(columns, row[len(keys) :], strict=True):
                    for text in _texts(raw):
                        for found in find_pans(text):
                            findings.append(PanFinding(table, row_id, column, found.masked, found.scheme))
            if progress is not None:
                progress(len(rows))
    return findings


def scan_size() -> int:
    """How many rows :func:`scan_pans` reads (for a progress bar)."""
    database = store.database.obj
    total = 0
    for table in database.get_tables():
        if not _text_columns(database, table):
            continue
        total += database.execute_sql(f"SELECT COUNT(*) FROM {_quote(table)}").fetchone()[0]
    return int(total)

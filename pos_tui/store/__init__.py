"""Persistence: Peewee models, database opening and migrations.

``core`` reaches the database only through this package. SQLite is the embedded default,
PostgreSQL the central store; nothing outside ``store`` uses backend-specific SQL.
"""

from pos_tui.store.db import close_database, in_transaction, is_sqlite, open_database, write_tx
from pos_tui.store.proxy import database
from pos_tui.store.reading import rows

__all__ = ["close_database", "database", "in_transaction", "is_sqlite", "open_database", "rows", "write_tx"]

"""Persistence: Peewee models, database opening and migrations.

``core`` reaches the database only through this package. SQLite is the embedded default,
PostgreSQL the central store; nothing outside ``store`` uses backend-specific SQL.
"""

from pos_tui.store.db import close_database, database, in_transaction, is_sqlite, open_database, write_tx

__all__ = ["close_database", "database", "in_transaction", "is_sqlite", "open_database", "write_tx"]

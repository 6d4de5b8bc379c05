"""Persistence: Peewee models, database opening and migrations.

``core`` reaches the database only through this package. SQLite is the embedded default,
PostgreSQL the central store; nothing outside ``store`` uses backend-specific SQL.

A lazy front door (PEP 562), like core's areas: ``pos_tui/__init__.py`` imports
:mod:`pos_tui.store.driver` before anything else, and that must not bring Peewee with it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# public name -> the module of this package that defines it (a module's own name: the module itself)
_EXPORTS = {
    "close_database": "db",
    "db": "db",
    "database": "proxy",
    "in_transaction": "db",
    "is_sqlite": "db",
    "open_database": "db",
    "rows": "reading",
    "write_tx": "db",
}

__all__ = ["close_database", "database", "db", "in_transaction", "is_sqlite", "open_database", "rows", "write_tx"]

if not TYPE_CHECKING:  # type checkers read the imports below instead

    def __getattr__(name: str) -> Any:
        module = _EXPORTS.get(name)
        if module is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        loaded = importlib.import_module(f"{__name__}.{module}")
        return loaded if module == name else getattr(loaded, name)

    def __dir__() -> list[str]:
        return sorted(_EXPORTS)


if TYPE_CHECKING:
    from pos_tui.store import db
    from pos_tui.store.db import close_database, in_transaction, is_sqlite, open_database, write_tx
    from pos_tui.store.proxy import database
    from pos_tui.store.reading import rows

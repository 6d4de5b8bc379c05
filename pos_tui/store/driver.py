"""PostgreSQL's driver is loaded for a ``postgresql://`` database only.

Peewee imports psycopg2 as it is imported itself, whenever psycopg2 is installed (it is, in
every environment with the ``postgres`` or ``test`` extra): some 15-20 ms of every start of the
till and of ``pos-admin`` on SQLite, for nothing. :func:`hide_from_peewee`, run by
``pos_tui/__init__.py`` before anything imports Peewee, makes Peewee's own import see no driver;
:func:`load_for_peewee`, called by :func:`pos_tui.store.db.open_database` for a PostgreSQL URL,
imports psycopg2 then and hands it to Peewee exactly as Peewee's import would have (peewee 4.x:
the module names ``psycopg2``, ``pg_extensions``, ``pg_register_uuid``, ``Json_pg2`` and the
adapter's transaction states; tests/foundation/test_store_imports.py runs a PostgreSQL database
opened this way).
"""

from __future__ import annotations

import sys
from importlib.machinery import ModuleSpec, PathFinder
from types import ModuleType
from typing import Any

DRIVERS = ("psycopg2", "psycopg2cffi")
"""What Peewee's import must not load: psycopg2, and psycopg2cffi (which registers itself as psycopg2)."""


class _PeeweeWithoutDriver:
    """A one-shot meta path finder: finds ``peewee`` as the path finder would, and runs its
    module code with :data:`DRIVERS` marked missing (``None`` in ``sys.modules``, which makes
    their import raise ImportError, which Peewee takes as "not installed")."""

    @classmethod
    def find_spec(cls, name: str, path: Any = None, target: ModuleType | None = None) -> ModuleSpec | None:
        if name != "peewee":
            return None
        if cls in sys.meta_path:
            sys.meta_path.remove(cls)
        spec = PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None:
            return spec
        exec_module = spec.loader.exec_module

        def exec_without_driver(module: ModuleType) -> None:
            hidden = [n for n in DRIVERS if n not in sys.modules]
            for n in hidden:
                sys.modules[n] = None  # type: ignore[assignment]
            try:
                exec_module(module)
            finally:
                for n in hidden:
                    if n in sys.modules and sys.modules[n] is None:
                        del sys.modules[n]

        spec.loader.exec_module = exec_without_driver  # type: ignore[method-assign]
        return spec


def hide_from_peewee() -> None:
    """Make Peewee's coming import leave psycopg2 out (nothing happens when Peewee, or psycopg2,
    is loaded already: then Peewee has the driver as usual)."""
    if "peewee" not in sys.modules and _PeeweeWithoutDriver not in sys.meta_path:
        sys.meta_path.insert(0, _PeeweeWithoutDriver)  # type: ignore[arg-type]


def load_for_peewee() -> None:
    """Give Peewee psycopg2 when its import went without it. Without psycopg2 installed, Peewee
    says so itself when the database connects ("psycopg2 postgres driver not found")."""
    import peewee

    pw: Any = peewee
    if pw.psycopg2 is not None:
        return
    try:
        import psycopg2
        from psycopg2 import extensions
        from psycopg2.extras import Json, register_uuid
    except ImportError:
        return
    register_uuid()
    pw.psycopg2, pw.pg_extensions, pw.pg_register_uuid, pw.Json_pg2 = psycopg2, extensions, register_uuid, Json
    adapter = pw.Psycopg2Adapter
    adapter.txn_idle = extensions.TRANSACTION_STATUS_IDLE
    adapter.txn_inerror = extensions.TRANSACTION_STATUS_INERROR
    adapter.txn_unknown = extensions.TRANSACTION_STATUS_UNKNOWN

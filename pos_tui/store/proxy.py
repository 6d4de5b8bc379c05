"""The database proxy every model is bound to, in a module of its own.

It sits at the bottom of ``store``: :mod:`~pos_tui.store.models` and :mod:`~pos_tui.store.fast`
import it, and :mod:`~pos_tui.store.db` initialises it when a database is opened. Keeping it
out of ``db`` is what keeps ``db → migrations → models`` from closing a cycle back to ``db``.
"""

from __future__ import annotations

from peewee import DatabaseProxy

database = DatabaseProxy()

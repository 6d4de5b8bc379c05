"""This database's identity and sync state, kept in ``meta_entry`` (local only, never sent).

Keys: ``sync_terminal``, ``sync_store``, ``sync_central`` (set by ``pos-admin sync init``);
``sync_high_water`` (the last sequence the centre acknowledged), ``sync_pulled`` (the master-data
revision applied), ``sync_ledger_seen`` (the last central ``sync_ledger.id`` taken in),
``sync_balance_seen`` (the last ``sync_balance.revision`` taken in), ``sync_last_push``,
``sync_last_pull``, ``sync_last_contact`` (ISO times, UTC), ``sync_online`` (``1``/``0``) and
``sync_last_error`` (the last failure, as shown).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from urllib.parse import urlsplit, urlunsplit

from pos_tui.core.kernel.clock import to_db
from pos_tui.core.sync.model import Identity, NotJoined
from pos_tui.i18n import _
from pos_tui.store import fast, rows, write_tx
from pos_tui.store import models as m

PREFIX = "sync_"


def read_all() -> dict[str, str]:
    """Every ``sync_*`` key of ``meta_entry`` (without the prefix)."""
    query = m.MetaEntry.select(m.MetaEntry.key, m.MetaEntry.value).where(m.MetaEntry.key.startswith(PREFIX))
    return {str(row[0]).removeprefix(PREFIX): str(row[1]) for row in rows(query)}


def get(name: str) -> str | None:
    row = fast.select_first(m.MetaEntry, ("value",), {"key": PREFIX + name})
    return None if row is None else str(row[0])


def put(values: Mapping[str, str | None]) -> None:
    """Set (or, with None, remove) ``sync_*`` keys; inside the caller's transaction if there is one."""
    with write_tx():
        for name, value in values.items():
            key = PREFIX + name
            m.MetaEntry.delete().where(m.MetaEntry.key == key).execute()
            if value is not None:
                m.MetaEntry.insert(key=key, value=value).execute()


def identity() -> Identity | None:
    values = read_all()
    if not values.get("terminal") or not values.get("central"):
        return None
    return Identity(values["terminal"], values.get("store") or "S1", values["central"])


def not_joined_text(terminal: str | None = None) -> str:
    """Why a sync command cannot run, with the command that joins: ``terminal`` (this terminal's
    code, when the caller knows it) filled in, else the placeholder every terminal reads as its own."""
    return _(
        "This terminal has not joined a centre: run "
        "'pos-admin sync init --central URL --terminal {terminal} --store STORE_CODE'"
    ).format(terminal=terminal or _("TERMINAL_CODE"))


def require(terminal: str | None = None) -> Identity:
    """This terminal's identity; :class:`NotJoined` (naming ``terminal`` in the command to run, when
    given) when ``sync init`` never ran."""
    found = identity()
    if found is None:
        raise NotJoined(not_joined_text(terminal))
    return found


def int_value(name: str, default: int = 0) -> int:
    value = get(name)
    return int(value) if value else default


def time_value(name: str) -> datetime | None:
    value = get(name)
    return datetime.fromisoformat(value) if value else None


def stamp(now: datetime) -> str:
    return to_db(now).isoformat()


def masked(url: str) -> str:
    """``url`` without its password (``postgresql://t2:***@centre/shop``)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))

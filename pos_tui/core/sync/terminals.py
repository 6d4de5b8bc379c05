"""The centre's register of terminals (``sync_terminal``): who joined, for which store, with which
invoice series, and how far its documents have come (docs/sync.md, "Numbers never collide").

Every function takes the central database explicitly (the store's proxy stays on the
terminal's SQLite file). :func:`register_terminal` is what ``pos-admin sync init`` asks the
centre: it refuses an unknown store, a terminal code that already joined (unless the terminal
rejoins: then its ``high_water`` is kept, so its documents are never taken twice) and an invoice
series another terminal already issues in, all in one central transaction that locks the
register, so two terminals joining at once cannot both take a code or a series. It also gives the
terminal its member card block (:mod:`pos_tui.core.sync.cards`), kept in the ``series`` column
under ``card_block`` and the same again on a rejoin.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from peewee import Database

from pos_tui.core.kernel.clock import to_db
from pos_tui.core.kernel.errors import StateError, ValidationError
from pos_tui.core.sync.connection import call, central_tx
from pos_tui.core.sync.model import NotJoined
from pos_tui.i18n import _, ngettext
from pos_tui.store.outbox import ADOPTED_AS

CARD_BLOCK = "card_block"  # in the series column: the terminal's member card block (1…CARD_BLOCKS)
CARD_BLOCKS = 999  # three digits of a member card number (pos_tui.core.sync.cards)
TERMINAL_CODE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")  # no ':' — it separates an origin's parts
_COLUMNS = "terminal, store, high_water, head_hash, joined_at, last_push_at, series"


@dataclass(frozen=True, slots=True)
class TerminalState:
    """A terminal as the centre knows it (a ``sync_terminal`` row)."""

    terminal: str
    store: str
    high_water: int  # every seq up to it received
    head_hash: str | None  # the journal hash of that document
    joined_at: datetime
    last_push_at: datetime | None
    series: dict[str, str] = field(default_factory=dict)  # kind -> invoice series
    card_block: int | None = None  # its member card numbers (pos_tui.core.sync.cards); None: none yet


def check_terminal_code(terminal: str) -> str:
    """``terminal`` stripped, or :class:`ValidationError` for a code that cannot name a terminal."""
    code = terminal.strip()
    if not TERMINAL_CODE.match(code):
        raise ValidationError(
            _("A terminal code is 1 to 32 letters, digits, '-' or '_' (such as T2), not {code!r}").format(code=terminal)
        )
    return code


def _state(row: tuple[Any, ...]) -> TerminalState:
    terminal, store, high_water, head_hash, joined_at, last_push_at, series = row
    try:
        parsed = json.loads(series or "{}")
    except ValueError:
        parsed = {}
    numbers = {str(k): str(v) for k, v in parsed.items()} if isinstance(parsed, dict) else {}
    block = numbers.pop(CARD_BLOCK, None)
    return TerminalState(
        str(terminal),
        str(store),
        int(high_water or 0),
        head_hash,
        joined_at,
        last_push_at,
        numbers,
        int(block) if block and block.isdigit() else None,
    )


def series_text(state_series: Mapping[str, str], card_block: int | None) -> str:
    """The ``series`` column: the invoice series and the card block (kept under :data:`CARD_BLOCK`)."""
    numbers = dict(state_series) | ({} if card_block is None else {CARD_BLOCK: str(card_block)})
    return json.dumps(numbers, sort_keys=True, ensure_ascii=False)


def free_card_block(states: Iterable[TerminalState]) -> int:
    """The lowest card block no terminal has (ValidationError: all are taken)."""
    used = {state.card_block for state in states}
    free = next((n for n in range(1, CARD_BLOCKS + 1) if n not in used), None)
    if free is None:
        raise ValidationError(
            _("The centre has given out all {count} member card blocks; no new terminal can number its cards").format(
                count=CARD_BLOCKS
            )
        )
    return free


def list_terminals(db: Database) -> list[TerminalState]:
    """Every terminal that joined the centre ``db``, by code."""

    def work() -> list[TerminalState]:
        cursor = db.execute_sql(f"SELECT {_COLUMNS} FROM sync_terminal ORDER BY terminal")
        return [_state(row) for row in cursor.fetchall()]

    return call(db, work)


def terminal_state(db: Database, terminal: str) -> TerminalState | None:
    """Terminal ``terminal`` as the centre ``db`` knows it (None: it never joined)."""

    def work() -> TerminalState | None:
        row = db.execute_sql(f"SELECT {_COLUMNS} FROM sync_terminal WHERE terminal = %s", (terminal,)).fetchone()
        return None if row is None else _state(row)

    return call(db, work)


def _check_adopted(db: Database, code: str) -> None:
    """Refuse joining while the centre holds ledger rows of its own that no adoption took (they
    would never reach the terminals nor count in the centre's balances), and a code the centre's
    rows were adopted under (:mod:`pos_tui.core.sync.adoption`)."""
    found = db.execute_sql("SELECT value FROM meta_entry WHERE key = %s", (ADOPTED_AS,)).fetchone()
    if found is not None and str(found[0]) == code:
        raise ValidationError(
            _("Terminal code {terminal} holds the centre's adopted rows; give this terminal another code").format(
                terminal=code
            )
        )
    left = int(db.execute_sql("SELECT pos_centre_unadopted()").fetchone()[0])
    if left:
        raise StateError(
            ngettext(
                "The centre holds {count} points, balance or stock movement of its own that no terminal has: "
                "adopt it first on the centre (pos-admin --db postgresql://… sync adopt), so the terminals "
                "get it and the centre's balances count it",
                "The centre holds {count} points, balance or stock movements of its own that no terminal has: "
                "adopt them first on the centre (pos-admin --db postgresql://… sync adopt), so the terminals "
                "get them and the centre's balances count them",
                left,
            ).format(count=left)
        )


def register_terminal(
    db: Database,
    terminal: str,
    store: str,
    series: Mapping[str, str],
    now: datetime,
    *,
    rejoin: bool = False,
) -> TerminalState:
    """Record ``terminal`` of ``store`` with its invoice ``series`` (kind -> series code, from
    ``settings.einvoice.series[terminal]``) at the centre ``db``; returns its row.

    Refused (:class:`ValidationError`, nothing written): an unknown store (the known ones are
    named), a terminal that already joined (unless ``rejoin``: its store and series are updated,
    its ``high_water`` and ``head_hash`` kept), a series another terminal already uses."""
    code = check_terminal_code(terminal)
    wanted = {str(kind): str(value).strip() for kind, value in series.items() if str(value).strip()}
    with central_tx(db):
        # One joiner at a time: the checks below and the insert see the same register.
        db.execute_sql("LOCK TABLE sync_terminal IN SHARE ROW EXCLUSIVE MODE")
        stores = [str(row[0]) for row in db.execute_sql('SELECT code FROM "store" ORDER BY code').fetchall()]
        if store not in stores:
            raise ValidationError(
                _("The centre has no store {store!r}; its stores are: {known}").format(
                    store=store, known=", ".join(stores) or _("none")
                )
            )
        _check_adopted(db, code)
        rows = db.execute_sql(f"SELECT {_COLUMNS} FROM sync_terminal").fetchall()
        known = {state.terminal: state for state in map(_state, rows)}
        if code in known and not rejoin:
            raise ValidationError(
                _(
                    "Terminal {terminal} has already joined the centre (store {store}); choose another "
                    "terminal code, or rejoin it with --rejoin"
                ).format(terminal=code, store=known[code].store)
            )
        for other in known.values():
            if other.terminal == code:
                continue
            taken = sorted(set(wanted.values()) & set(other.series.values()))
            if taken:
                raise ValidationError(
                    _(
                        "Invoice series {series} is already used by terminal {terminal}: give this terminal its own "
                        "series in [einvoice.series] of pos.toml"
                    ).format(series=", ".join(taken), terminal=other.terminal)
                )
        block = known[code].card_block if code in known else None
        text = series_text(wanted, block or free_card_block(known.values()))
        if code in known:
            db.execute_sql("UPDATE sync_terminal SET store = %s, series = %s WHERE terminal = %s", (store, text, code))
        else:
            db.execute_sql(
                "INSERT INTO sync_terminal (terminal, store, high_water, head_hash, joined_at, last_push_at, series) "
                "VALUES (%s, %s, 0, NULL, %s, NULL, %s)",
                (code, store, to_db(now), text),
            )
        row = db.execute_sql(f"SELECT {_COLUMNS} FROM sync_terminal WHERE terminal = %s", (code,)).fetchone()
    return _state(row)


def assign_block(db: Database, terminal: str) -> int:
    """The card block of ``terminal`` at the centre ``db``: the one it has, else the lowest free
    one, written to its register row (one central transaction, the register locked as a join
    locks it). ValidationError: all are taken; NotJoined: the centre does not know it."""

    def work() -> int:
        with central_tx(db):
            db.execute_sql("LOCK TABLE sync_terminal IN SHARE ROW EXCLUSIVE MODE")
            states = {s.terminal: s for s in map(_state, db.execute_sql(f"SELECT {_COLUMNS} FROM sync_terminal"))}
            own = states.get(terminal)
            if own is None:
                raise NotJoined(
                    _("Terminal '{terminal}' has not joined this centre: run 'pos-admin sync init' on it").format(
                        terminal=terminal
                    )
                )
            if own.card_block is not None:
                return own.card_block
            block = free_card_block(states.values())
            db.execute_sql(
                "UPDATE sync_terminal SET series = %s WHERE terminal = %s", (series_text(own.series, block), terminal)
            )
            return block

    return call(db, work)

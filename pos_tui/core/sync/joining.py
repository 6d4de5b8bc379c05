"""Joining a terminal to the centre: ``pos-admin sync init --central URL --terminal T2 --store S1``
(docs/sync-pull.md, "Joining").

:func:`join` asks the centre first (reachable, schema 11), registers the terminal there
(:func:`pos_tui.core.sync.terminals.register_terminal`: a known store, a terminal code and
invoice series nobody else has), then writes this database's identity, makes sure its store
row is here, and pulls everything once. The terminal's receipt, Z and outbox numbers are
counters per terminal code already, so they start by themselves; its invoice series are the
ones ``[einvoice.series]`` of pos.toml gives it, checked unique at the centre; its member card
numbers come from a card block the centre gives it (:mod:`pos_tui.core.sync.cards`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from peewee import Database

from pos_tui.core.kernel.clock import to_db
from pos_tui.core.kernel.errors import StateError, ValidationError
from pos_tui.core.sync import cards, connection, identity
from pos_tui.core.sync.model import CentralUnreachable
from pos_tui.core.sync.pulling import BATCH, pull_from
from pos_tui.core.sync.terminals import check_terminal_code, register_terminal
from pos_tui.i18n import _
from pos_tui.settings import Settings
from pos_tui.store import models as m
from pos_tui.store import write_tx
from pos_tui.store.migrations import CURRENT_VERSION, VERSION_KEY
from pos_tui.store.outbox import discard

PIN_KEY_ID = "pin_key_id"  # meta_entry: the id of the PIN key file (pos_tui.core.staff.users)
SERIES_KINDS = ("efatura", "earsiv")  # settings.einvoice.series[terminal]: (e-Fatura, e-Arşiv)


@dataclass(frozen=True, slots=True)
class JoinResult:
    """What joining did: ``central`` is the URL without its password."""

    terminal: str
    store: str
    central: str
    revision: int  # the central revision the first pull reached
    rows: int  # master rows pulled
    ledger_rows: int  # other terminals' ledger rows taken in
    balances: int
    high_water: int  # the terminal's documents the centre already had (a rejoin keeps them)
    series: dict[str, str]  # its invoice series (empty: none in pos.toml for it)
    rejoined: bool
    pin_key_file: str | None  # the PIN key file the centre's users need here (None: no key)
    pin_key_present: bool
    notes: tuple[str, ...] = ()


def _place(url: str) -> tuple[str, int | None, str]:
    """Where a URL points (host, port, database): the same centre whatever password or options."""
    parts = urlsplit(url)
    return (parts.hostname or "", parts.port, parts.path.lstrip("/"))


def _check_local(terminal: str, central: str, rejoin: bool) -> bool:
    """Whether this database already is terminal ``terminal`` of ``central`` (a repeated join).
    A terminal of another centre, or under another code, is refused unless ``rejoin``."""
    current = identity.identity()
    if current is None:
        return False
    same = current.terminal == terminal and _place(current.central) == _place(central)
    if current.terminal != terminal and _place(current.central) == _place(central) and identity.int_value("high_water"):
        # its outbox numbers and document ids are this file's, not the code's: under a new code the
        # centre would find them held by the old one and refuse every push (and the pull would take
        # this file's own ledger rows back as another terminal's)
        raise StateError(
            _(
                "This database already sent documents to this centre as terminal {terminal}; a new terminal "
                "code needs a new database (pos-admin init with another POS_DB, then sync init)"
            ).format(terminal=current.terminal)
        )
    if same or rejoin:
        return same
    raise StateError(
        _(
            "This database is already terminal {terminal} of the centre {central}; to make it another "
            "terminal or join another centre, use --rejoin"
        ).format(terminal=current.terminal, central=identity.masked(current.central))
    )


def _check_location(db: Database, terminal: str, store: str) -> None:
    """A terminal sells from its assigned location, else the default one: refuse a join whose
    location belongs to another store (its sales would take that store's stock)."""

    def where() -> tuple[str, str] | None:
        row = db.execute_sql(
            "SELECT l.code, l.store FROM stock_location l "
            "LEFT JOIN terminal_location t ON t.location_id = l.id AND t.terminal = %s "
            "WHERE t.terminal IS NOT NULL OR (l.is_default AND NOT EXISTS "
            "(SELECT 1 FROM terminal_location WHERE terminal = %s)) "
            "ORDER BY t.terminal IS NULL LIMIT 1",
            (terminal, terminal),
        ).fetchone()
        return None if row is None else (str(row[0]), str(row[1]))

    def known() -> bool:
        return db.execute_sql("SELECT 1 FROM store WHERE code = %s", (store,)).fetchone() is not None

    found = connection.call(db, where)
    if found is None or found[1] == store or not connection.call(db, known):
        return  # an unknown store is register_terminal's refusal
    raise StateError(
        _(
            "Terminal {terminal} of store {store} would sell from location {location}, which belongs to store "
            "{other}: give it a location of its own store first (at the centre: 'pos-admin --db URL stock "
            "locations assign {terminal} CODE')"
        ).format(terminal=terminal, store=store, location=found[0], other=found[1])
    )


def _series(settings: Settings, terminal: str) -> dict[str, str]:
    pair = settings.einvoice.series.get(terminal)
    return {} if pair is None else dict(zip(SERIES_KINDS, pair, strict=True))


def join(
    url: str,
    terminal: str,
    store: str,
    now: datetime,
    settings: Settings,
    *,
    rejoin: bool = False,
    batch: int = BATCH,
) -> JoinResult:
    """Make this database terminal ``terminal`` of ``store`` at the centre ``url`` and pull the
    master data. :class:`CentralUnreachable` when the centre cannot be reached (nothing written
    here); :class:`ValidationError` when the centre refuses (unknown store, terminal code or
    invoice series taken); :class:`StateError` for a centre that is not at this schema or a
    database that already is another terminal (unless ``rejoin``)."""
    code = check_terminal_code(terminal)
    store = store.strip()
    if not store:
        raise ValidationError(_("Name the store this terminal belongs to (such as S1)"))
    again = _check_local(code, url, rejoin)
    db = connection.link(url)

    def schema() -> int:
        row = db.execute_sql("SELECT value FROM meta_entry WHERE key = %s", (VERSION_KEY,)).fetchone()
        return int(row[0]) if row else 0

    try:
        found = connection.call(db, schema)
    except CentralUnreachable:
        raise
    except Exception:  # no meta_entry: not a pos_tui database at all
        found = 0
    if found == 0:
        raise StateError(
            _(
                "{central} is no pos_tui centre (it has no pos_tui tables): a centre is a database of its own, "
                "made with 'pos-admin --db URL init' on an empty PostgreSQL database"
            ).format(central=identity.masked(url))
        )
    if found != CURRENT_VERSION:
        raise StateError(
            _(
                "The centre's database is at schema {found}, this pos_tui needs {wanted}: run 'pos-admin --db URL "
                "db upgrade' on the centre first"
            ).format(found=found, wanted=CURRENT_VERSION)
        )
    _check_location(db, code, store)
    series = _series(settings, code)
    state = register_terminal(db, code, store, series, now, rejoin=rejoin or again)
    centre_key = connection.call(
        db,
        lambda: db.execute_sql("SELECT value FROM meta_entry WHERE key = %s", (PIN_KEY_ID,)).fetchone(),
    )
    notes: list[str] = []
    if not series:
        notes.append(
            _(
                "pos.toml has no invoice series for terminal {terminal} ([einvoice.series.{terminal}]): "
                "it cannot issue e-invoices until it has its own"
            ).format(terminal=code)
        )
    current = identity.identity()
    moved = current is not None and _place(current.central) != _place(url)
    with write_tx():
        values: dict[str, str | None] = {
            "terminal": code,
            "store": store,
            "central": url,
            cards.LOCAL_KEY: None if state.card_block is None else str(state.card_block),
        }
        if moved or (current is not None and current.terminal != code):
            # Another centre numbers its revisions and ledger rows afresh; another terminal code
            # has its own documents there: start from what the centre says.
            values["high_water"] = str(state.high_water)
        if moved:
            for name in identity.read_all():
                if name.startswith(("pulled", "ledger_seen", "balance_seen")):
                    values[name] = None
        elif current is None:
            values["high_water"] = str(state.high_water)
        identity.put(values)
        if m.Store.get_or_none(m.Store.code == store) is None:
            m.Store.insert(code=store, name=store, created_at=to_db(now)).execute()
        pin_key_id = None if centre_key is None else str(centre_key[0])
        if pin_key_id is not None:
            local = m.MetaEntry.get_or_none(m.MetaEntry.key == PIN_KEY_ID)
            if local is None:
                m.MetaEntry.insert(key=PIN_KEY_ID, value=pin_key_id).execute()
            elif local.value != pin_key_id:
                m.MetaEntry.update(value=pin_key_id).where(m.MetaEntry.key == PIN_KEY_ID).execute()
                if m.User.select().exists():
                    notes.append(
                        _("This terminal now checks PINs with the centre's PIN key; its own users need new PINs")
                    )
        discard()
    result = pull_from(db, code, now, batch=batch)
    key_file = None if pin_key_id is None else settings.home / f"pin-{pin_key_id}.key"
    if key_file is not None and not key_file.exists():
        notes.append(
            _(
                "Copy the centre's PIN key file {file} into this terminal's data directory: without it nobody "
                "can log in with a PIN here"
            ).format(file=key_file.name)
        )
    return JoinResult(
        terminal=code,
        store=store,
        central=identity.masked(url),
        revision=result.revision,
        rows=sum(result.rows.values()),
        ledger_rows=result.ledger_rows,
        balances=result.balances,
        high_water=state.high_water,
        series=dict(state.series),
        rejoined=rejoin or again,
        pin_key_file=None if key_file is None else str(key_file),
        pin_key_present=key_file is not None and key_file.exists(),
        notes=(*notes, *result.notes),
    )

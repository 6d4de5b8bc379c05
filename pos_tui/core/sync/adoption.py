"""The centre's own ledger rows become a terminal's documents: ``pos-admin --db postgresql://… sync
adopt [--terminal MERKEZ]`` (docs/sync-ops.md, "Setting up a centre").

Every ledger entry of a chain is a document of some terminal; the centre keeps master data and
the documents it received, and once a terminal joined it refuses new ledger rows of its own
(:func:`pos_tui.store.outbox.postgres_centre_sql`). The rows it holds from before — ``demo``
loaded there, a shop that ran on that PostgreSQL before it became a centre, opening balances
entered before the first join — are *adopted*: written as documents of the pseudo-terminal
``MERKEZ`` (one per store: a stock row's store is its location's, every other row's the store
``S1``, or the first store), their rows in the body format of docs/sync.md with origins
``MERKEZ:table:id``, taken into ``sync_ledger`` and summed into ``sync_balance`` exactly as a push
would. The terminals then pull them like any other terminal's rows. Each row is adopted once:
running it again adopts only rows no adoption took (there are none once a terminal joined).

It runs on the centre itself, with the store bound to it (``pos-admin --db postgresql://…``):
the rows are read with :func:`pos_tui.core.sync.documents.describe_rows`.
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from peewee import Database, PostgresqlDatabase

from pos_tui.core.kernel.clock import to_db
from pos_tui.core.kernel.errors import StateError, ValidationError
from pos_tui.core.sync import central, documents
from pos_tui.core.sync.connection import central_tx
from pos_tui.core.sync.model import STOCK, OutboxRecord
from pos_tui.core.sync.terminals import check_terminal_code
from pos_tui.i18n import _
from pos_tui.store.outbox import ADOPTED_AS, ADOPTED_TABLES, ADOPTER, REVISION_LOCK
from pos_tui.store.proxy import database

KIND = "adoption"  # the adopted documents' kind
HASH = "0" * 64  # they carry no journal entries: no journal head
DEFAULT_STORE = "S1"


@dataclass(frozen=True, slots=True)
class AdoptionResult:
    """What :func:`adopt` did: ``rows`` per table adopted now, ``documents`` written (one per
    store), ``balances`` changed; ``before``: rows earlier adoptions had taken."""

    terminal: str
    rows: dict[str, int] = field(default_factory=dict)
    documents: tuple[str, ...] = ()
    stores: tuple[str, ...] = ()
    balances: int = 0
    before: int = 0

    @property
    def adopted(self) -> int:
        return sum(self.rows.values())


def _sql(db: Database, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    return list(db.execute_sql(sql, params).fetchall())


def adopter(db: Database) -> str | None:
    """The code the centre's rows were adopted under (None: never adopted)."""
    found = _sql(db, "SELECT value FROM meta_entry WHERE key = %s", (ADOPTED_AS,))
    return str(found[0][0]) if found else None


def unadopted(db: Database) -> int:
    """How many of the centre's own ledger rows no adoption took yet (readable by a terminal's role)."""
    return int(_sql(db, "SELECT pos_centre_unadopted()")[0][0])


def _stores(db: Database) -> tuple[dict[str, str], str]:
    """Each location's store, and the store of rows without a location."""
    places = {str(code): str(store or "") for code, store in _sql(db, "SELECT code, store FROM stock_location")}
    stores = [str(row[0]) for row in _sql(db, 'SELECT code FROM "store" ORDER BY code')]
    if not stores:
        raise StateError(_("The centre has no store: add one first (pos-admin stores add)"))
    default = DEFAULT_STORE if DEFAULT_STORE in stores else stores[0]
    return {code: store if store in stores else default for code, store in places.items()}, default


def adopt(now: datetime, *, terminal: str = ADOPTER) -> AdoptionResult:
    """Adopt the centre's own ledger rows as documents of ``terminal`` (module docstring), in one
    transaction. Runs with the store bound to the centre; :class:`StateError` elsewhere."""
    db = database.obj
    if not isinstance(db, PostgresqlDatabase):
        raise StateError(
            _("Adoption runs on the centre: pos-admin --db postgresql://… sync adopt (this database is a SQLite file)")
        )
    code = check_terminal_code(terminal)
    with central_tx(db):
        # Before any ledger id and revision is taken (central.receive's lock order), and one
        # adoption at a time.
        db.execute_sql("SELECT pg_advisory_xact_lock(%s)", (REVISION_LOCK,))
        earlier = adopter(db)
        if earlier is not None and earlier != code:
            raise ValidationError(
                _("The centre's rows were adopted as terminal {earlier}; adopt again under that code").format(
                    earlier=earlier
                )
            )
        if _sql(db, "SELECT 1 FROM sync_terminal WHERE terminal = %s", (code,)):
            raise ValidationError(
                _(
                    "Terminal {terminal} has joined the centre: adopt its rows under another code (such as MERKEZ)"
                ).format(terminal=code)
            )
        wanted: dict[str, list[int]] = {}
        before = 0
        for table in ADOPTED_TABLES:
            prefix = f"{code}:{table}:"
            ids = [
                int(row[0])
                for row in _sql(
                    db,
                    f'SELECT r.id FROM "{table}" r WHERE NOT EXISTS '
                    "(SELECT 1 FROM sync_ledger l WHERE l.origin = %s || r.id) ORDER BY r.id",
                    (prefix,),
                )
            ]
            before += int(_sql(db, "SELECT count(*) FROM sync_ledger WHERE origin LIKE %s", (prefix + "%",))[0][0])
            if ids:
                wanted[table] = ids
        if earlier is None:
            db.execute_sql("INSERT INTO meta_entry (key, value) VALUES (%s, %s)", (ADOPTED_AS, code))
        if not wanted:
            return AdoptionResult(code, before=before)
        described = documents.describe_rows(wanted, code)
        places, default = _stores(db)
        by_store: dict[str, list[dict[str, Any]]] = defaultdict(list)
        counts: dict[str, int] = defaultdict(int)
        for table in ADOPTED_TABLES:  # the tables in order, each by id: a lot before what takes from it
            for row_id in wanted.get(table, ()):
                row = described[(table, row_id)]
                store = places.get(str(row["place"]), default) if row["ledger"] == STOCK else default
                by_store[store].append(row)
                counts[table] += 1
        top = _sql(db, "SELECT COALESCE(MAX(seq), 0) FROM sync_document WHERE terminal = %s", (code,))[0][0]
        docs = []
        at = to_db(now)
        for offset, store in enumerate(sorted(by_store), start=1):
            seq, uid = int(top) + offset, str(uuid.uuid4())
            body = {
                "v": documents.VERSION,
                "terminal": code,
                "store": store,
                "seq": seq,
                "uid": uid,
                "at": at.isoformat(),
                "kind": KIND,
                "hash": HASH,
                "journal": [],
                "rows": by_store[store],
            }
            text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
            doc = central._Doc(OutboxRecord(seq, uid, at, KIND, HASH, text), body, None)
            central._insert_documents(db, code, store, [doc], now)
            docs.append(doc)
        moved = central._insert_ledger(db, [d.record.uid for d in docs])
        effects = central._effects(db, docs, moved, now)
        after = central._apply_balances(db, effects)
    return AdoptionResult(
        code,
        rows=dict(counts),
        documents=tuple(d.record.uid for d in docs),
        stores=tuple(d.body["store"] for d in docs),
        balances=len(after),
        before=before,
    )

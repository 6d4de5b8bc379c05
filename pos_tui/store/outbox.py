"""The terminal's outbox: every write transaction that posted something leaves one record.

On SQLite (a terminal's own file) triggers note each row written to the tables that travel to the
centre (:data:`CAPTURED`, :data:`CAPTURED_UPDATES`) in ``sync_capture``; :func:`seal` runs in
:func:`pos_tui.store.db.write_tx` just before the commit and, when the transaction caught
anything, writes its ``sync_outbox`` record (the next number of the gapless counter
``sync/outbox``, a new global id, the journal head) and ties the caught rows to it. So a sale, a
Z, a points adjustment or a goods receipt gets its outbox record in its own transaction, without
its service knowing: nothing can post and forget to queue. A transaction that only saved a cart
or a login attempt leaves nothing.

On PostgreSQL (the centre) nothing is captured; instead every master table keeps a ``revision``
from one sequence, and deletions leave a ``sync_tombstone`` (:func:`postgres_revision_sql`).
docs/sync.md has the whole design.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from peewee import Database, PostgresqlDatabase

from pos_tui.store.proxy import database

# Tables whose new rows travel with their transaction's outbox record: the journal (every posted
# document and sensitive action) and the ledgers the centre sums or the other terminals need.
CAPTURED = (
    "journal_entry",
    "stock_movement",
    "points_entry",
    "wallet_entry",
    "gift_card_entry",
    "stamp_entry",
    "account_entry",
    "coupon_use",
    "tier_change",
    "cheque_event",
)
# Rows a terminal may create or change that are shared: a member enrolled at the till, a gift card
# sold, a coupon, a task in the agenda, a cheque's status.
CAPTURED_UPDATES = ("member", "gift_card", "coupon", "agenda_entry", "cheque")

# Master tables: the centre numbers every change (``revision``) and the terminals pull them. The
# key is the natural key a terminal matches rows by (docs/sync.md); the order is the pull's.
MASTER_KEYS: dict[str, str] = {
    "store": "code",
    "stock_location": "code",
    "terminal_location": "terminal",
    "category": "name",
    "supplier": "code",
    "customer": "code",
    "product": "code",
    "barcode": "code",
    "price_list": "code",
    "price_list_item": "id",
    "user": "name",
    "member": "card",
    "party": "code",
    "gift_card": "code",
    "coupon": "code",
    "loyalty_rules": "digest",
}

# Columns that are caches of the ledgers (kept by every posting): changing them is no new revision.
CACHE_COLUMNS: dict[str, tuple[str, ...]] = {
    "product": ("stock", "stock_value", "cost", "updated_at"),
}

# On a centre (a PostgreSQL database with a terminal in ``sync_terminal``) every ledger entry is a
# document of some terminal (docs/sync-ops.md, "Setting up a centre"): writing one of these tables
# there is refused by a trigger whose message starts with CENTRE_REFUSAL (the error the user sees:
# ``pos_tui.core.kernel.errors.as_pos_error``). The centre keeps master data and what it received;
# the centre's own rows from before its first terminal are adopted (``pos-admin sync adopt``).
CENTRE_LEDGERS = (*(t for t in CAPTURED if t != "journal_entry"), "sale")
CENTRE_REFUSAL = "pos_centre_ledger"
# The centre's ledger rows from before its first terminal become documents of a pseudo-terminal
# (``pos-admin sync adopt``, default code ADOPTER), remembered in meta_entry ADOPTED_AS; their
# origins are ``CODE:table:id``. ADOPTED_TABLES: the ledger tables adopted (a sale is no ledger).
ADOPTER = "MERKEZ"
ADOPTED_AS = "sync_adopted_as"
ADOPTED_TABLES = tuple(t for t in CENTRE_LEDGERS if t != "sale")

OUTBOX_COUNTER = ("sync", "outbox")
REVISION_LOCK = 0x706F735F73796E63  # "pos_sync": master writers take revisions in commit order


def sqlite_capture_sql() -> list[str]:
    stmts = []
    for table in CAPTURED + CAPTURED_UPDATES:
        stmts.append(
            f"CREATE TRIGGER IF NOT EXISTS sync_capture_{table} AFTER INSERT ON {table} "
            f"BEGIN INSERT INTO sync_capture (tbl, row_id, op) VALUES ('{table}', NEW.id, 'i'); END"
        )
    for table in CAPTURED_UPDATES:
        stmts.append(
            f"CREATE TRIGGER IF NOT EXISTS sync_capture_{table}_update AFTER UPDATE ON {table} "
            f"BEGIN INSERT INTO sync_capture (tbl, row_id, op) VALUES ('{table}', NEW.id, 'u'); END"
        )
    stmts.append("CREATE INDEX IF NOT EXISTS sync_capture_unsealed ON sync_capture (id) WHERE outbox IS NULL")
    return stmts


def postgres_revision_sql() -> list[str]:
    """Triggers that give every insert or update of a master row the next revision and record
    every deletion as a tombstone. The advisory lock, held to the commit, makes master writers
    take turns, so revisions become visible in order and a pull never skips one."""
    stmts = [
        "CREATE SEQUENCE IF NOT EXISTS sync_revision_seq",
        # An update that changes only a cache (TG_ARGV: product.stock…) keeps its revision and
        # takes no lock: the centre's own postings must not renumber the catalogue.
        f"""CREATE OR REPLACE FUNCTION pos_sync_revision() RETURNS trigger AS $$
        BEGIN
          IF TG_OP = 'UPDATE' AND (to_jsonb(NEW) - 'revision' - TG_ARGV) = (to_jsonb(OLD) - 'revision' - TG_ARGV) THEN
            NEW.revision := OLD.revision;
            RETURN NEW;
          END IF;
          PERFORM pg_advisory_xact_lock({REVISION_LOCK});
          NEW.revision := nextval('sync_revision_seq');
          RETURN NEW;
        END; $$ LANGUAGE plpgsql""",
        f"""CREATE OR REPLACE FUNCTION pos_sync_tombstone() RETURNS trigger AS $$
        BEGIN
          PERFORM pg_advisory_xact_lock({REVISION_LOCK});
          INSERT INTO sync_tombstone (revision, tbl, key, at)
          VALUES (nextval('sync_revision_seq'), TG_TABLE_NAME, to_jsonb(OLD) ->> TG_ARGV[0],
                  now() AT TIME ZONE 'UTC');
          RETURN OLD;
        END; $$ LANGUAGE plpgsql""",
    ]
    for table, key in MASTER_KEYS.items():
        caches = ", ".join(f"'{column}'" for column in CACHE_COLUMNS.get(table, ()))
        stmts += [
            f'CREATE INDEX IF NOT EXISTS "{table}_revision" ON "{table}" ("revision")',
            f'DROP TRIGGER IF EXISTS "{table}_sync_revision" ON "{table}"',
            f'CREATE TRIGGER "{table}_sync_revision" BEFORE INSERT OR UPDATE ON "{table}" '
            f"FOR EACH ROW EXECUTE FUNCTION pos_sync_revision({caches})",
            f'DROP TRIGGER IF EXISTS "{table}_sync_tombstone" ON "{table}"',
            f'CREATE TRIGGER "{table}_sync_tombstone" AFTER DELETE ON "{table}" '
            f"FOR EACH ROW EXECUTE FUNCTION pos_sync_tombstone('{key}')",
        ]
    return stmts + postgres_centre_sql()


def postgres_centre_sql() -> list[str]:
    """Triggers that refuse a new ledger row on a centre (a database with a joined terminal)."""
    # "%%" because psycopg2 formats parameters into every statement; PL/pgSQL then sees "%".
    stmts = [
        f"""CREATE OR REPLACE FUNCTION pos_centre_ledger() RETURNS trigger AS $$
        BEGIN
          IF EXISTS (SELECT 1 FROM sync_terminal) THEN
            RAISE EXCEPTION '{CENTRE_REFUSAL}: %% is written at a terminal, not at the centre of its chain',
              TG_TABLE_NAME;
          END IF;
          RETURN NEW;
        END; $$ LANGUAGE plpgsql""",
        # How many of the centre's own ledger rows no adoption took yet: a terminal's role may not
        # read the ledger tables, so joining asks this (it runs as the schema's owner).
        f"""CREATE OR REPLACE FUNCTION pos_centre_unadopted() RETURNS bigint AS $$
        DECLARE
          adopter text;
          total bigint := 0;
          n bigint;
          t text;
        BEGIN
          SELECT value INTO adopter FROM meta_entry WHERE key = '{ADOPTED_AS}';
          adopter := COALESCE(adopter, '{ADOPTER}');
          FOREACH t IN ARRAY ARRAY[{", ".join(f"'{t}'" for t in ADOPTED_TABLES)}] LOOP
            EXECUTE 'SELECT count(*) FROM ' || quote_ident(t) || ' r WHERE NOT EXISTS '
              || '(SELECT 1 FROM sync_ledger l WHERE l.origin = $1 || r.id)'
              INTO n USING adopter || ':' || t || ':';
            total := total + n;
          END LOOP;
          RETURN total;
        END; $$ LANGUAGE plpgsql SECURITY DEFINER SET search_path = public""",
    ]
    for table in CENTRE_LEDGERS:
        stmts += [
            f'DROP TRIGGER IF EXISTS "{table}_centre_ledger" ON "{table}"',
            f'CREATE TRIGGER "{table}_centre_ledger" BEFORE INSERT ON "{table}" '
            "FOR EACH ROW EXECUTE FUNCTION pos_centre_ledger()",
        ]
    return stmts


def refused_at_centre(exc: BaseException) -> bool:
    """Whether ``exc`` (or an error it was raised while handling) is a centre's refusal of a
    ledger row (:func:`postgres_centre_sql`)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if CENTRE_REFUSAL in str(current):
            return True
        current = current.__cause__ or current.__context__
    return False


def install(db: Database) -> None:
    """The capture triggers on SQLite, the revision triggers on PostgreSQL (idempotent)."""
    present = set(db.get_tables())
    if "sync_capture" not in present:
        return  # an old schema's upgrade step: schema 11 installs them
    stmts = postgres_revision_sql() if isinstance(db, PostgresqlDatabase) else sqlite_capture_sql()
    for sql in stmts:
        db.execute_sql(sql)


def seal() -> int | None:
    """Write the outbox record of the current transaction when it caught anything; return its
    ``seq`` (None: nothing to send). Called by ``write_tx`` on SQLite inside the transaction."""
    db = database
    if db.execute_sql("SELECT 1 FROM sync_capture WHERE outbox IS NULL LIMIT 1").fetchone() is None:
        return None
    seq = int(
        db.execute_sql(
            "INSERT INTO counter (scope, name, value) VALUES (?, ?, 1) "
            "ON CONFLICT (scope, name) DO UPDATE SET value = value + 1 RETURNING value",
            OUTBOX_COUNTER,
        ).fetchone()[0]
    )
    first = db.execute_sql(
        "SELECT c.tbl, j.kind, j.at FROM sync_capture c LEFT JOIN journal_entry j "
        "ON c.tbl = 'journal_entry' AND j.id = c.row_id WHERE c.outbox IS NULL "
        "ORDER BY c.tbl != 'journal_entry', c.id LIMIT 1"
    ).fetchone()
    head = db.execute_sql("SELECT value FROM meta_entry WHERE key = 'journal_head'").fetchone()
    digest = head[0].split(":", 1)[1] if head else "0" * 64
    at = first[2] or datetime.now(UTC).replace(tzinfo=None)
    db.execute_sql(
        "INSERT INTO sync_outbox (seq, uid, at, kind, hash) VALUES (?, ?, ?, ?, ?)",
        (seq, str(uuid.uuid4()), at, first[1] or first[0], digest),
    )
    db.execute_sql("UPDATE sync_capture SET outbox = ? WHERE outbox IS NULL", (seq,))
    return seq


def discard() -> None:
    """Forget what the current transaction caught: for the pull, whose rows came from the
    centre and must not travel back."""
    database.execute_sql("DELETE FROM sync_capture WHERE outbox IS NULL")

"""Schema versions and in-place upgrades.

A fresh database is created from the current models at :data:`CURRENT_VERSION`. An older
one is upgraded step by step, each step in its own transaction, with ``playhouse.migrate``
for column changes and plain inserts for backfills. ``pos-admin db upgrade`` calls
:func:`upgrade`; ``tests/staff/test_migrations.py`` proves the path from schema 1 (frozen in
``tests/data/schema_v1.sql``) keeps every row.

History
-------
1. The first schema: catalog, users, shifts, sales, journal, Z closures.
2. Adds the word index for Turkish-aware name search (``product_word``, back-filled from
   existing product names) and the crash-safe cart drafts (``cart_draft``).
3. Adds loyalty members (``member``) and the insert-only points ledger (``points_entry``).
4. The rest of loyalty: member search key, card kind, referral code, referrer and tier term;
   ``sale.member``; consent, rule versions, tier changes, stamps, wallet, gift cards, coupons,
   sale benefits and earnings, supplier-funded points, NPS and the message queue.
5. The fiscal device's confirmation of each sale (``sale_fiscal``).
6. Journal ids are never reused: on SQLite ``journal_entry`` is rebuilt with an
   ``AUTOINCREMENT`` id (every row copied, its index and insert-only triggers re-created), so
   an id freed by deleting the last entries is not handed out again. PostgreSQL's ``SERIAL``
   sequence never goes back already: nothing to do there.
7. Name search moves to an index the database builds (:mod:`pos_tui.store.search`: FTS5 on
   SQLite, a GIN ``tsvector`` index on PostgreSQL): ``product.name_key`` becomes the folded
   words joined by spaces (:func:`pos_tui.text.search_key`), the index is built over it, and
   ``product_word`` and the b-tree index on ``name_key`` are dropped (a search orders only its
   candidates by name).
8. Stock: locations (``stock_location``, with the default ``MAGAZA``; ``terminal_location``),
   stock documents and their lines, the per-location cache ``stock_level``, the last purchase
   price per supplier (``supplier_price``) and counts (``count_session``, ``count_line``,
   ``count_event``). ``stock_movement`` gains its location, unit cost, value, reason, document,
   terminal and user; ``product`` the value of its stock. Existing movements are put at the
   default location, the cache is filled from them, and the stock on hand is valued at each
   product's cost by one ``revalue`` movement (kernel.costing has the rule).
9. Accounts (cari): parties (``party``, linked to the ``customer`` and ``supplier`` rows of the same
   code), their insert-only entries (``account_entry``), price lists (``price_list``,
   ``price_list_item``), cheques and notes (``cheque``, insert-only ``cheque_event``) and the agenda
   (``agenda_entry``). Nothing is back-filled: a supplier gets its party on its first receipt after
   the upgrade, and what a shop owed before goes in as an opening balance (docs/accounts.md).
10. e-Fatura and e-Arşiv: invoices, their sales, events and queue, the registered-user list and
   the documents kept for customer returns.
11. Offline sync (docs/sync.md): stores (``store``, with the default ``S1``; ``stock_location.store``),
   the terminal's outbox (``sync_outbox``, ``sync_capture`` and its triggers, ``sync_origin``), the
   centre's tables (``sync_terminal``, ``sync_document``, ``sync_ledger``, ``sync_balance``,
   ``sync_hold``, ``sync_overdraft``, ``sync_tombstone``) and a ``revision`` column on every master
   table (numbered by triggers on PostgreSQL). Nothing already posted is queued: the outbox starts
   with the first transaction after the upgrade (``pos-admin sync init`` says so).
12. Loyalty mechanics (docs/loyalty-rules.md): ``coupon.max_discount`` (a percent coupon's cap),
   ``coupon.origin_sale`` (the uid of the sale that issued a next-order coupon) and ``coupon.rule``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, cast

from peewee import Database, Field, PostgresqlDatabase

from pos_tui.i18n import _
from pos_tui.store import models as m
from pos_tui.store import outbox, search
from pos_tui.store.guards import install_guards

CURRENT_VERSION = 12
VERSION_KEY = "schema_version"


class SchemaTooNew(RuntimeError):
    """The database was written by a newer pos_tui than this one."""


def schema_version(db: Database) -> int:
    """The database's schema version; 0 for an empty database."""
    if not db.table_exists("meta_entry"):
        return 0
    row = m.MetaEntry.get_or_none(m.MetaEntry.key == VERSION_KEY)
    return int(row.value) if row else 0


def _set_version(version: int) -> None:
    m.MetaEntry.insert(key=VERSION_KEY, value=str(version)).on_conflict(
        conflict_target=[m.MetaEntry.key], update={m.MetaEntry.value: str(version)}
    ).execute()


def _to_v2(db: Database) -> None:
    from pos_tui.text import words  # pure function, shared by every layer

    db.create_tables(m.V2_MODELS)
    batch: list[dict[str, object]] = []
    for pid, name in m.Product.select(m.Product.id, m.Product.name).tuples().iterator():
        batch.extend({"word": w[:64], "product": pid} for w in words(name))
        if len(batch) >= 5000:
            m.ProductWord.insert_many(batch).execute()
            batch.clear()
    if batch:
        m.ProductWord.insert_many(batch).execute()


def _to_v3(db: Database) -> None:
    db.create_tables(m.V3_MODELS)


def _to_v4(db: Database) -> None:
    from playhouse.migrate import PostgresqlMigrator, SqliteMigrator, migrate

    from pos_tui.text import fold

    migrator = PostgresqlMigrator(db) if isinstance(db, PostgresqlDatabase) else SqliteMigrator(db)
    # Step 3 creates ``member`` from today's model, so an upgrade from schema 1 already has the
    # new member columns: add only what is missing.
    wanted: list[tuple[type[m.BaseModel], str, Field]] = [
        (m.Member, "name_key", m.Member.name_key),
        (m.Member, "card_kind", m.Member.card_kind),
        (m.Member, "referral_code", m.Member.referral_code),
        (m.Member, "referred_by_id", m.Member.referred_by),
        (m.Member, "tier_until", m.Member.tier_until),
        (m.Sale, "member_id", m.Sale.member),
    ]
    ops = []
    for model, column, field in wanted:
        table = model._meta.table_name
        if column not in {c.name for c in db.get_columns(table)}:
            ops.append(migrator.add_column(table, column, field, allow_not_null=not field.null))
    migrate(*ops)
    # peewee's stubs type .tuples() rows as models; they are (id, name) tuples
    names = cast(Iterable[tuple[int, str]], m.Member.select(m.Member.id, m.Member.name).tuples())
    for member_id, name in names:
        m.Member.update(name_key=fold(name)).where(m.Member.id == member_id).execute()
    db.create_tables(m.V4_MODELS)


def _to_v5(db: Database) -> None:
    db.create_tables(m.V5_MODELS)


def _to_v6(db: Database) -> None:
    if isinstance(db, PostgresqlDatabase):
        return  # a sequence never hands out a number twice
    table, new = m.JournalEntry._meta.table_name, "journal_entry_v6"
    columns = ", ".join(f'"{c.name}"' for c in db.get_columns(table))
    before = db.execute_sql(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
    schema = cast(Any, m.JournalEntry)._schema  # peewee's SchemaManager (not in its stubs)
    create_sql, params = schema._create_table(safe=False).query()
    db.execute_sql(create_sql.replace(f'"{table}"', f'"{new}"', 1), params)
    db.execute_sql(f'INSERT INTO "{new}" ({columns}) SELECT {columns} FROM "{table}" ORDER BY "id"')
    # The head may name an entry above the last row (a cut-off tail): never hand its id out either.
    head = m.MetaEntry.get_or_none(m.MetaEntry.key == "journal_head")
    head_id = head.value.partition(":")[0] if head else ""
    if head_id.isdigit():
        db.execute_sql("UPDATE sqlite_sequence SET seq = MAX(seq, ?) WHERE name = ?", (int(head_id), new))
    db.execute_sql(f'DROP TABLE "{table}"')  # its index and triggers go with it
    db.execute_sql(f'ALTER TABLE "{new}" RENAME TO "{table}"')
    schema.create_indexes()
    install_guards(db)
    after = db.execute_sql(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
    if after != before:  # pragma: no cover - the copy is one statement in this transaction
        raise RuntimeError(f"journal_entry rebuild copied {after} of {before} rows")


def _to_v7(db: Database) -> None:
    from pos_tui.store import search
    from pos_tui.text import search_key

    table, key, name, pid = (f'"{x}"' for x in ("product", "name_key", "name", "id"))
    rows = db.execute_sql(f"SELECT {pid}, {name} FROM {table} ORDER BY {pid}").fetchall()
    update = f"UPDATE {table} SET {key} = {db.param} WHERE {pid} = {db.param}"
    cursor = db.cursor()
    for start in range(0, len(rows), 5000):
        cursor.executemany(update, [(search_key(n), i) for i, n in rows[start : start + 5000]])
    db.execute_sql('DROP TABLE IF EXISTS "product_word"')
    db.execute_sql('DROP INDEX IF EXISTS "product_name_key"')
    search.create(db)


def _default_location() -> int:
    """Every shop starts with one location, its shop floor, where every terminal sells from
    until ``pos-admin stock locations`` says otherwise."""
    from datetime import UTC, datetime

    now = datetime.now(UTC).replace(tzinfo=None)
    return int(m.StockLocation.create(code="MAGAZA", name="Mağaza", is_default=True, created_at=now).id)


def _to_v8(db: Database) -> None:
    from datetime import UTC, datetime

    from pos_tui.store.guards import drop_guards

    db.create_tables(m.V8_MODELS)
    SM = m.StockMovement
    # Plain ALTER TABLE … ADD COLUMN on both backends (playhouse's SQLite migrator would rebuild the
    # table for a NOT NULL column); a reference column defaults to NULL, as SQLite requires.
    wanted = [
        ("product", "stock_value", "INTEGER NOT NULL DEFAULT 0"),
        ("stock_movement", "location_id", 'INTEGER REFERENCES "stock_location" ("id") ON DELETE RESTRICT'),
        ("stock_movement", "unit_cost", "INTEGER NOT NULL DEFAULT 0"),
        ("stock_movement", "value", "INTEGER NOT NULL DEFAULT 0"),
        ("stock_movement", "reason", "VARCHAR(16)"),
        ("stock_movement", "document_id", 'INTEGER REFERENCES "stock_document" ("id") ON DELETE RESTRICT'),
        ("stock_movement", "terminal", "VARCHAR(32)"),
        ("stock_movement", "user_id", 'INTEGER REFERENCES "user" ("id") ON DELETE RESTRICT'),
    ]
    for table, column, ddl in wanted:
        if column not in {c.name for c in db.get_columns(table)}:
            db.execute_sql(f'ALTER TABLE "{table}" ADD COLUMN "{column}" {ddl}')
    cast(Any, SM)._schema.create_indexes(safe=True)  # (product, at): the stock card's order; document
    db.execute_sql('DROP INDEX IF EXISTS "stock_movement_product_id"')  # (product, at) serves its lookups
    now = datetime.now(UTC).replace(tzinfo=None)
    location = _default_location()
    drop_guards(db, "stock_movement")  # the one backfill of a posted table; upgrade() re-installs the guards
    SM.update(location=location).where(SM.location.is_null()).execute()
    db.execute_sql(
        'INSERT INTO "stock_level" ("product_id", "location_id", "qty") '
        f'SELECT "product_id", {db.param}, SUM("qty") FROM "stock_movement" GROUP BY "product_id"',
        (location,),
    )
    # The stock on hand valued at the product's cost: one revalue movement each (value rounded half up).
    value = '("stock" * "cost" + 500) / 1000'
    db.execute_sql(
        'INSERT INTO "stock_movement" ("product_id", "at", "qty", "kind", "location_id", "unit_cost", "value", "note") '
        f'SELECT "id", {db.param}, 0, {db.param}, {db.param}, "cost", {value}, {db.param} FROM "product" '
        'WHERE "stock" > 0 AND "cost" > 0',
        (now, "revalue", location, "schema 8"),
    )
    db.execute_sql(f'UPDATE "product" SET "stock_value" = {value} WHERE "stock" > 0 AND "cost" > 0')


def _to_v9(db: Database) -> None:
    db.create_tables(m.V9_MODELS)


def _to_v10(db: Database) -> None:
    db.create_tables(m.V10_MODELS)


def _default_store() -> None:
    from datetime import UTC, datetime

    now = datetime.now(UTC).replace(tzinfo=None)
    m.Store.insert(code="S1", name="Mağaza", created_at=now).on_conflict_ignore().execute()


# The master tables that gain ``revision`` in schema 11 (pos_tui.store.outbox.MASTER_KEYS, frozen here).
_V11_REVISIONED = (
    "store",
    "stock_location",
    "terminal_location",
    "category",
    "supplier",
    "customer",
    "product",
    "barcode",
    "price_list",
    "price_list_item",
    "user",
    "member",
    "party",
    "gift_card",
    "coupon",
    "loyalty_rules",
)


def _to_v11(db: Database) -> None:
    db.create_tables(m.V11_MODELS)
    big = "BIGINT" if isinstance(db, PostgresqlDatabase) else "INTEGER"  # what BigIntegerField creates
    wanted = [(table, "revision", big) for table in _V11_REVISIONED if table != "store"]
    wanted.append(("stock_location", "store", "VARCHAR(16) NOT NULL DEFAULT 'S1'"))
    for table, column, ddl in wanted:
        if column not in {c.name for c in db.get_columns(table)}:
            db.execute_sql(f'ALTER TABLE "{table}" ADD COLUMN "{column}" {ddl}')
    _default_store()


def _to_v12(db: Database) -> None:
    wanted = [
        ("coupon", "max_discount", "INTEGER"),
        ("coupon", "origin_sale", "VARCHAR(64)"),
        ("coupon", "rule", "VARCHAR(32)"),
    ]
    have = {c.name for c in db.get_columns("coupon")}
    for table, column, ddl in wanted:
        if column not in have:
            db.execute_sql(f'ALTER TABLE "{table}" ADD COLUMN "{column}" {ddl}')
    if not any(i.name == "coupon_origin_sale" for i in db.get_indexes("coupon")):
        db.execute_sql('CREATE INDEX "coupon_origin_sale" ON "coupon" ("origin_sale")')


MIGRATIONS: dict[int, Callable[[Database], None]] = {
    2: _to_v2,
    3: _to_v3,
    4: _to_v4,
    5: _to_v5,
    6: _to_v6,
    7: _to_v7,
    8: _to_v8,
    9: _to_v9,
    10: _to_v10,
    11: _to_v11,
    12: _to_v12,
}


# Key of the PostgreSQL advisory lock that serialises schema work between terminals.
_SCHEMA_LOCK = 0x706F735F747569  # "pos_tui"


def upgrade(db: Database) -> tuple[int, int]:
    """Create or upgrade the schema; returns ``(version_before, version_after)``.

    On PostgreSQL every terminal opening the central database does this at start; an advisory
    lock makes them take turns, because concurrent DDL (even ``CREATE OR REPLACE`` of the same
    guard function) fails there with "tuple concurrently updated"."""
    if not isinstance(db, PostgresqlDatabase):
        return _upgrade(db)
    db.execute_sql("SELECT pg_advisory_lock(%s)", (_SCHEMA_LOCK,))
    try:
        return _upgrade(db)
    finally:
        db.execute_sql("SELECT pg_advisory_unlock(%s)", (_SCHEMA_LOCK,))


def _upgrade(db: Database) -> tuple[int, int]:
    before = schema_version(db)
    if before > CURRENT_VERSION:
        raise SchemaTooNew(
            _("database schema {found} is newer than this pos_tui (schema {current}); upgrade pos_tui").format(
                found=before, current=CURRENT_VERSION
            )
        )
    if before == 0 and not db.table_exists("product"):
        with db.atomic():
            db.create_tables(m.ALL_MODELS)
            _default_location()
            _default_store()
            search.create(db)
            install_guards(db)
            outbox.install(db)
            _set_version(CURRENT_VERSION)
        return 0, CURRENT_VERSION
    for version in range(max(before, 1) + 1, CURRENT_VERSION + 1):
        with db.atomic():
            MIGRATIONS[version](db)
            _set_version(version)
    with db.atomic():
        install_guards(db)
        outbox.install(db)
    return before, CURRENT_VERSION

"""Database-level guards that make posted documents insert-only.

The services never update or delete posted rows; these triggers make sure nothing else
(a script, a stray ``UPDATE`` in the sqlite3 shell) does it silently either. Someone with
direct file access can drop them, which is why ``pos-admin audit verify`` also recomputes
the journal's hash chain.
"""

from __future__ import annotations

from peewee import Database, PostgresqlDatabase

INSERT_ONLY_TABLES = (
    "cash_movement",
    "sale",
    "sale_line",
    "payment",
    "sale_kdv",
    "stock_movement",
    "stock_document",
    "stock_document_line",
    "count_event",
    "z_closure",
    "journal_entry",
    "points_entry",
    "consent",
    "loyalty_rules",
    "tier_change",
    "stamp_entry",
    "wallet_entry",
    "gift_card_entry",
    "coupon_use",
    "sale_benefit",
    "sale_loyalty",
    "supplier_points",
    "nps_response",
    "account_entry",
    "cheque_event",
    "einvoice",
    "einvoice_sale",
    "einvoice_event",
    "return_document",
    "sync_outbox",
    "sync_document",
    "sync_ledger",
    "sync_overdraft",
    "sync_tombstone",
)


def sqlite_guard_sql(tables: tuple[str, ...] = INSERT_ONLY_TABLES) -> list[str]:
    stmts = []
    for table in tables:
        for op in ("UPDATE", "DELETE"):
            stmts.append(
                f"CREATE TRIGGER IF NOT EXISTS {table}_no_{op.lower()} BEFORE {op} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is insert-only: posted documents are never changed'); END"
            )
    stmts.append(
        "CREATE TRIGGER IF NOT EXISTS shift_closed_no_update BEFORE UPDATE ON shift WHEN OLD.closed_at IS NOT NULL "
        "BEGIN SELECT RAISE(ABORT, 'shift is closed and cannot change'); END"
    )
    stmts.append(
        "CREATE TRIGGER IF NOT EXISTS shift_no_delete BEFORE DELETE ON shift "
        "BEGIN SELECT RAISE(ABORT, 'shifts are never deleted'); END"
    )
    return stmts


def postgres_guard_sql(tables: tuple[str, ...] = INSERT_ONLY_TABLES) -> list[str]:
    # "%%" because psycopg2 formats parameters into every statement; PL/pgSQL then sees "%".
    stmts = [
        """CREATE OR REPLACE FUNCTION pos_insert_only() RETURNS trigger AS $$
        BEGIN RAISE EXCEPTION '%% is insert-only: posted documents are never changed', TG_TABLE_NAME; END;
        $$ LANGUAGE plpgsql""",
        """CREATE OR REPLACE FUNCTION pos_shift_guard() RETURNS trigger AS $$
        BEGIN
          IF TG_OP = 'DELETE' OR OLD.closed_at IS NOT NULL THEN
            RAISE EXCEPTION 'shift is closed and cannot change';
          END IF;
          RETURN NEW;
        END; $$ LANGUAGE plpgsql""",
    ]
    for table in tables:
        stmts.append(f"DROP TRIGGER IF EXISTS {table}_insert_only ON {table}")
        stmts.append(
            f"CREATE TRIGGER {table}_insert_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION pos_insert_only()"
        )
    stmts.append("DROP TRIGGER IF EXISTS shift_guard ON shift")
    stmts.append(
        "CREATE TRIGGER shift_guard BEFORE UPDATE OR DELETE ON shift FOR EACH ROW EXECUTE FUNCTION pos_shift_guard()"
    )
    return stmts


def drop_guards(db: Database, table: str) -> None:
    """Drop ``table``'s insert-only guard, for a migration's backfill inside its transaction;
    :func:`install_guards` puts it back (``migrations.upgrade`` always ends with it)."""
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql(f"DROP TRIGGER IF EXISTS {table}_insert_only ON {table}")
    else:
        for op in ("update", "delete"):
            db.execute_sql(f"DROP TRIGGER IF EXISTS {table}_no_{op}")


def install_guards(db: Database) -> None:
    """Guard every insert-only table the database has (an old schema's upgrade step runs before
    the later steps create theirs)."""
    present = set(db.get_tables())
    tables = tuple(t for t in INSERT_ONLY_TABLES if t in present)
    stmts = postgres_guard_sql(tables) if isinstance(db, PostgresqlDatabase) else sqlite_guard_sql(tables)
    for sql in stmts:
        db.execute_sql(sql)

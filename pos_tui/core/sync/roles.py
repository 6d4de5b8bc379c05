"""A terminal's PostgreSQL role at the centre: only the rights its push, pull and online checks use
(docs/sync-ops.md, "Exposing the centre").

``pos-admin sync role T2`` prints :func:`role_sql` (or, with ``--apply``, runs it through
:func:`apply_role`). What the role may do:

- read the master tables (the pull), the sync tables and the revision sequence;
- insert documents and ledger rows (the push), its own terminal row (the join), overdrafts and holds
  (the online checks), and update its terminal row, the chain's balances and holds;
- insert and update members, gift cards and coupons (the centre applies what a terminal enrolled,
  sold or used to its own tables).

Nothing else: no DELETE anywhere, no UPDATE of a document, a ledger row or any other master table,
no DDL. Row-level security narrows the sync tables that carry a terminal's name to that terminal:
it can write documents, ledger rows, holds and overdrafts only under its own code (and store, with
``--store``), and move only its own ``sync_terminal`` row. The balances and the shared master rows
cannot be narrowed that way (any terminal's sale moves any member's points): what a stolen terminal
could do to them is in the docs, with how the ledgers put them right.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
from collections.abc import Sequence

from peewee import DatabaseError

from pos_tui.core.kernel.errors import PosError, ValidationError
from pos_tui.core.sync.connection import call, open_central
from pos_tui.core.sync.terminals import check_terminal_code
from pos_tui.i18n import _
from pos_tui.store.outbox import MASTER_KEYS

STORE_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,15}")
SCRAM_ITERATIONS = 4096  # PostgreSQL's own default (scram_iterations)
CONNECTION_LIMIT = 8  # the till (its passes and a sale's holds close theirs), `sync run`, commands, spares

# What the role may do, table by table (docs/sync.md). Every master table is read (the pull).
SYNC_READ = (
    "sync_terminal",
    "sync_document",
    "sync_ledger",
    "sync_balance",
    "sync_hold",
    "sync_overdraft",  # the reconciliation report, asked from a terminal
    "sync_tombstone",
)
CENTRE_READ = ("meta_entry",)  # the join: the centre's schema version and the id of its PIN key
INSERTS = ("sync_document", "sync_ledger", "sync_terminal", "sync_overdraft", "sync_hold", "sync_balance")
UPDATES = ("sync_terminal", "sync_balance", "sync_hold")
SHARED_WRITES = ("member", "gift_card", "coupon")  # applied at the centre from what a terminal wrote
SEQUENCES = ("sync_ledger_id_seq", "sync_overdraft_id_seq", "member_id_seq", "gift_card_id_seq", "coupon_id_seq")
# Sync tables that carry a terminal's name: row-level security keeps a terminal to its own rows.
OWN_ROWS = ("sync_document", "sync_ledger", "sync_terminal", "sync_overdraft", "sync_hold")
STORE_ROWS = ("sync_document", "sync_ledger", "sync_terminal")  # with --store: and to its store


def role_name(terminal: str) -> str:
    """``pos_t2`` for terminal ``T2``: lower case, anything but letters and digits as ``_``."""
    return "pos_" + re.sub(r"[^a-z0-9]", "_", terminal.lower())


def check_terminal(terminal: str) -> str:
    """``terminal`` as a terminal code (:func:`pos_tui.core.sync.terminals.check_terminal_code`)."""
    return check_terminal_code(terminal)


def check_store(store: str) -> str:
    if not STORE_CODE.fullmatch(store):
        raise ValidationError(
            _("{code!r} is not a store code: letters, digits, '-', '_' or '.', at most 16").format(code=store[:40])
        )
    return store


def scram_verifier(password: str, *, salt: bytes | None = None, iterations: int = SCRAM_ITERATIONS) -> str:
    """The SCRAM-SHA-256 verifier PostgreSQL stores for ``password`` (RFC 5802/7677): the SQL carries
    this, never the password, so printing it or keeping it in a file gives the password away to no one."""
    salt = os.urandom(16) if salt is None else salt
    salted = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations)
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    stored_key = hashlib.sha256(client_key).digest()
    server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()

    def b64(data: bytes) -> str:
        return base64.b64encode(data).decode("ascii")

    return f"SCRAM-SHA-256${iterations}:{b64(salt)}${b64(stored_key)}:{b64(server_key)}"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def role_sql(
    terminal: str, *, store: str | None = None, password: str | None = None, name: str | None = None
) -> list[str]:
    """The statements that create (or bring up to date) terminal ``terminal``'s role at the centre; run
    them as the centre's owner. Idempotent: running them again changes nothing but the password
    (``password``: set from its SCRAM verifier; None: the role keeps its password, a new one has none
    and cannot log in until ``ALTER ROLE … PASSWORD`` or ``\\password`` in psql gives it one). ``name``:
    the role's name (default :func:`role_name`)."""
    terminal = check_terminal(terminal)
    if store is not None:
        check_store(store)
    name = name or role_name(terminal)
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", name):
        raise ValidationError(_("{name!r} is not a role name: lower-case letters, digits and '_'").format(name=name))
    role = _ident(name)
    stmts = [
        f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = {_literal(name)}) THEN "
        f"CREATE ROLE {role}; END IF; END $$",
        f"ALTER ROLE {role} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS "
        f"NOINHERIT CONNECTION LIMIT {CONNECTION_LIMIT}",
    ]
    if password is not None:
        stmts.append(f"ALTER ROLE {role} WITH PASSWORD {_literal(scram_verifier(password))}")
    stmts += [
        # the role reads what it needs and nothing runs as it longer than a stuck line deserves
        f"ALTER ROLE {role} SET statement_timeout = '60s'",
        f"ALTER ROLE {role} SET idle_in_transaction_session_timeout = '60s'",
        f"DO $$ BEGIN EXECUTE 'GRANT CONNECT ON DATABASE ' || quote_ident(current_database()) || ' TO {role}'; END $$",
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"GRANT SELECT ON {', '.join(_ident(t) for t in (*MASTER_KEYS, *SYNC_READ, *CENTRE_READ))} TO {role}",
        f"GRANT INSERT ON {', '.join(_ident(t) for t in INSERTS)} TO {role}",
        f"GRANT UPDATE ON {', '.join(_ident(t) for t in UPDATES)} TO {role}",
        f"GRANT INSERT, UPDATE ON {', '.join(_ident(t) for t in SHARED_WRITES)} TO {role}",
        f"GRANT USAGE, SELECT ON SEQUENCE sync_revision_seq TO {role}",
        f"GRANT USAGE ON SEQUENCE {', '.join(_ident(s) for s in SEQUENCES)} TO {role}",
    ]
    mine = f"terminal = {_literal(terminal)}"
    with_store = mine if store is None else f"{mine} AND store = {_literal(store)}"
    for table in OWN_ROWS:
        check = with_store if table in STORE_ROWS else mine
        policy = f"{name}_{table}"
        stmts += [
            f"ALTER TABLE {_ident(table)} ENABLE ROW LEVEL SECURITY",
            f"DROP POLICY IF EXISTS {_ident(policy + '_read')} ON {_ident(table)}",
            f"CREATE POLICY {_ident(policy + '_read')} ON {_ident(table)} FOR SELECT TO {role} USING (true)",
            f"DROP POLICY IF EXISTS {_ident(policy + '_insert')} ON {_ident(table)}",
            f"CREATE POLICY {_ident(policy + '_insert')} ON {_ident(table)} FOR INSERT TO {role} WITH CHECK ({check})",
        ]
        if table in UPDATES:
            stmts += [
                f"DROP POLICY IF EXISTS {_ident(policy + '_update')} ON {_ident(table)}",
                f"CREATE POLICY {_ident(policy + '_update')} ON {_ident(table)} FOR UPDATE TO {role} "
                f"USING ({mine}) WITH CHECK ({check})",
            ]
    return stmts


def role_script(statements: Sequence[str]) -> str:
    """The statements as one psql script, in one transaction."""
    return "BEGIN;\n" + "".join(f"{s};\n" for s in statements) + "COMMIT;\n"


def apply_role(url: str, statements: Sequence[str]) -> None:
    """Run ``statements`` at the centre ``url`` (as its owner) in one transaction."""
    db = open_central(url, application="pos_tui-role")

    def work() -> None:
        with db.atomic():
            for sql in statements:
                db.execute_sql(sql)

    try:
        call(db, work)
    except DatabaseError as exc:  # not the owner, a missing table (not a pos_tui centre)…
        detail = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise PosError(_("The centre refused the role: {detail}").format(detail=detail)) from exc
    finally:
        db.close()

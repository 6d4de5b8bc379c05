"""A terminal's own PostgreSQL role (``pos-admin sync role``): it joins, pushes (members enrolled at the
till applied at the centre too) and pulls, and it cannot change master data, change or delete a
document, write under another terminal's name or create anything."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from datetime import datetime, timedelta
from pathlib import Path

import peewee
import pytest
from ops_support import as_user, dropped_after, unique_role
from pull_support import seed_centre

from pos_tui.core import staff, sync
from pos_tui.core.kernel import ValidationError
from pos_tui.core.loyalty.members.enrolment import enroll
from pos_tui.core.sync import connection, guard
from pos_tui.core.till import complete_sale
from pos_tui.settings import Settings

pytestmark = pytest.mark.postgres


def _sell(settings: Settings, at: datetime) -> None:
    from money_support import cart_of

    from pos_tui.core.basket import PaymentInput

    ayse = staff.actor_by_name("ayse", settings=settings)
    cart = cart_of(("1001", 2), ("1003", 1))
    complete_sale("T1", ayse, [PaymentInput("cash", cart.total)], now=at, cart=cart, tz=settings.shop.timezone)


def joined_card(db: peewee.Database) -> str:
    """A member card with points at the centre (the sale's member earned some, or any member)."""
    row = db.execute_sql(
        "SELECT key FROM sync_balance WHERE ledger = 'points' AND amount > 0 ORDER BY key LIMIT 1"
    ).fetchone()
    if row is not None:
        return str(row[0])
    return str(db.execute_sql("SELECT card FROM member ORDER BY card LIMIT 1").fetchone()[0])


def test_the_role_sql_names_only_what_sync_needs() -> None:
    sql = sync.role_script(sync.role_sql("T2", store="S1", password="gizli"))
    assert sql.startswith("BEGIN;\n") and sql.endswith("COMMIT;\n")
    assert "gizli" not in sql  # only the SCRAM verifier travels
    assert re.search(r"PASSWORD 'SCRAM-SHA-256\$4096:[^']+'", sql)
    assert "NOSUPERUSER" in sql and "NOBYPASSRLS" in sql
    assert "DELETE" not in sql.replace("DROP POLICY", "")  # no right to delete anything
    grants = [line for line in sql.splitlines() if line.startswith("GRANT UPDATE")]
    assert grants == ['GRANT UPDATE ON "sync_terminal", "sync_balance", "sync_hold" TO "pos_t2";']
    assert "WITH CHECK (terminal = 'T2' AND store = 'S1')" in sql
    assert sync.role_name("Kasa-3") == "pos_kasa_3"
    with pytest.raises(ValidationError, match="A terminal code is"):
        sync.role_sql("T2'; DROP TABLE sale; --")


def test_the_scram_verifier_answers_rfc_7677s_exchange() -> None:
    # RFC 7677's example: password "pencil", its salt and 4096 iterations; the server's signature of
    # the example exchange, made with the verifier's server key, is the one the RFC gives
    salt = base64.b64decode("W22ZaJ0SNY7soEsUEjb6gQ==")
    verifier = sync.scram_verifier("pencil", salt=salt)
    head, keys = verifier.split("$", 1)[1].split("$")
    assert head == "4096:W22ZaJ0SNY7soEsUEjb6gQ=="
    stored_key, server_key = (base64.b64decode(k) for k in keys.split(":"))
    nonce = "rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"
    auth = f"n=user,r=rOprNGfwEbeRWgbNEkqO,r={nonce},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,c=biws,r={nonce}"
    signature = hmac.new(server_key, auth.encode(), hashlib.sha256).digest()
    assert base64.b64encode(signature).decode() == "6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="
    assert len(stored_key) == 32


def test_a_terminal_role_pushes_and_pulls_and_nothing_more(
    central_url: str, db: object, db_path: Path, settings: Settings, now: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_centre(central_url, settings, now)
    role = unique_role()
    monkeypatch.setenv("POS_TEST_ROLE_PASSWORD", "kasa1-gizli")
    with dropped_after(central_url, role):
        sync.apply_role(central_url, sync.role_sql("T1", store="S1", password="kasa1-gizli", name=role))
        sync.apply_role(central_url, sync.role_sql("T1", store="S1", name=role))  # again: nothing changes
        terminal_url = as_user(central_url, role)

        joined = sync.join(terminal_url, "T1", "S1", now, settings)
        assert joined.rows > 0
        at = now + timedelta(minutes=5)
        _sell(settings, at)
        enroll(name="Deniz Kaya", phone="05551112233", source="till", actor=None, now=at)
        result = sync.run_once(at + timedelta(minutes=1), settings)
        assert result.ok, result.error
        assert result.push is not None and result.push.sent >= 2 and result.push.waiting == 0
        assert result.pull is not None

        owner = connection.open_central(central_url)
        try:
            docs = owner.execute_sql("SELECT COUNT(*) FROM sync_document WHERE terminal = 'T1'").fetchone()[0]
            assert docs == result.push.sent
            # the member enrolled at the till was applied to the centre's table by the role
            assert owner.execute_sql("SELECT name FROM member WHERE phone LIKE %s", ("%5551112233",)).fetchone() == (
                "Deniz Kaya",
            )
            owner.execute_sql(
                "INSERT INTO sync_terminal (terminal, store, high_water, joined_at) VALUES ('T9', 'S1', 7, now())"
            )
        finally:
            owner.close()

        as_role = connection.open_central(terminal_url)
        try:

            def refused(sql: str, why: str) -> None:
                with pytest.raises(peewee.DatabaseError, match=why), as_role.atomic():
                    as_role.execute_sql(sql)

            refused("UPDATE product SET name = 'x'", "permission denied")
            refused("DELETE FROM product", "permission denied")
            refused("DELETE FROM sync_document", "permission denied")
            refused("UPDATE sync_document SET body = '{}'", "permission denied")
            refused("DELETE FROM sync_ledger", "permission denied")
            refused("UPDATE sync_ledger SET amount = 0", "permission denied")
            refused("UPDATE \"user\" SET role = 'admin'", "permission denied")
            refused("CREATE TABLE stolen (x int)", "permission denied")
            refused("TRUNCATE sync_balance", "permission denied")
            refused(
                "INSERT INTO sync_document (uid, terminal, store, seq, kind, at, hash, body, received_at) "
                "VALUES ('x', 'T9', 'S1', 1, 'sale', now(), 'h', '{}', now())",
                "row-level security",
            )
            refused(
                "INSERT INTO sync_document (uid, terminal, store, seq, kind, at, hash, body, received_at) "
                "VALUES ('x', 'T1', 'S2', 999, 'sale', now(), 'h', '{}', now())",
                "row-level security",
            )
            # another terminal's row cannot be moved: it is not even there to update
            with as_role.atomic():
                moved = as_role.execute_sql("UPDATE sync_terminal SET high_water = 0 WHERE terminal = 'T9'").rowcount
            assert moved == 0
            # the online checks (the guard): a hold of its own moves the balance, a release puts it back
            card = joined_card(as_role)
            before = guard.hold(as_role, "doc-1", "points", card, 0, terminal="T1", now=at)
            assert guard.hold(as_role, "doc-2", "points", card, -before, terminal="T1", now=at) == 0
            with pytest.raises(guard.CentreRefused):
                guard.hold(as_role, "doc-3", "points", card, -1, terminal="T1", now=at)
            assert guard.release(as_role, "doc-2", at) == 1
            assert [h.document for h in guard.holds_of(as_role, "doc-2")] == ["doc-2"]
            assert isinstance(guard.reconciliation(as_role, now=at), list)  # the report, asked from a terminal
            refused(
                "INSERT INTO sync_hold (document, ledger, key, place, amount, terminal, at) "
                "VALUES ('d2', 'points', 'C1', '', -10, 'T9', now())",
                "row-level security",
            )
            su = as_role.execute_sql("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
            assert su.fetchone() == (False, False)
        finally:
            as_role.close()

"""The driver's English never reaches a message: libpq and psycopg2 failures become short phrases
(:func:`pos_tui.core.sync.describe_problem`); only an unknown one keeps its first line, in quotes."""

from __future__ import annotations

import os
import socket

import psycopg2
import pytest
from hypothesis import given
from hypothesis import strategies as st
from ops_support import as_user, closed_port_url, unique_role
from peewee import InterfaceError, OperationalError

from pos_tui.core import sync
from pos_tui.core.sync import connection

REFUSED = (
    'connection to server at "127.0.0.1", port 5432 failed: Connection refused\n'
    "\tIs the server running on that host and accepting TCP/IP connections?\n"
)

KNOWN = [
    (REFUSED, "connection refused (the server is not running or the address is wrong)"),
    ("timeout expired\n", "timed out"),
    ('connection to server at "10.0.0.5", port 5432 failed: timeout expired\n', "timed out"),
    (
        "server closed the connection unexpectedly\n\tThis probably means the server terminated abnormally\n"
        "\tbefore or while processing the request.\n",
        "the server closed the connection",
    ),
    ("SSL SYSCALL error: EOF detected\n", "the server closed the connection"),
    ("SSL connection has been closed unexpectedly\n", "the server closed the connection"),
    ("terminating connection due to administrator command\n", "the server closed the connection"),
    ("connection already closed", "the connection had already closed"),
    (
        'connection to server at "127.0.0.1", port 5432 failed: FATAL:  too many connections for role "pos_t2"\n',
        "the connection limit of this terminal's role is reached",
    ),
    ("FATAL:  sorry, too many clients already\n", "the server's connection limit is reached"),
    (
        'connection to server at "127.0.0.1", port 5432 failed: FATAL:  password authentication failed for user "t1"\n',
        "wrong password",
    ),
    ("fe_sendauth: no password supplied\n", "no password was given"),
    (
        'FATAL:  database "centre" does not exist\n',
        "the database \u201ccentre\u201d does not exist",
    ),
    ('FATAL:  role "t9" does not exist\n', "the role \u201ct9\u201d does not exist"),
    (
        'FATAL:  no pg_hba.conf entry for host "10.0.0.7", user "t1", database "centre", no encryption\n',
        "the server does not let this terminal's address in",
    ),
    (
        'could not translate host name "merkez.local" to address: Name or service not known\n',
        "the server's name is unknown (check the address)",
    ),
    ("could not connect to server: No route to host\n", "the network does not reach the server"),
    ("FATAL:  the database system is starting up\n", "the server is starting up or shutting down"),
    ("SSL error: certificate verify failed\n", "TLS/SSL error"),
    ("received invalid response to SSL negotiation: H\n", "TLS/SSL error"),
    ("permission denied for table sync_document\n", "this terminal's role has no permission for that"),
]


@pytest.mark.parametrize(("driver", "phrase"), KNOWN, ids=[p for _d, p in KNOWN])
@pytest.mark.parametrize("wrap", ["psycopg2", "peewee-operational", "peewee-interface", "cause"])
def test_a_known_failure_is_a_phrase_without_the_driver_words(driver: str, phrase: str, wrap: str) -> None:
    raw = psycopg2.OperationalError(driver)
    exc: BaseException
    if wrap == "psycopg2":
        exc = raw
    elif wrap == "peewee-operational":
        exc = OperationalError(raw, *raw.args)  # as peewee's exception wrapper raises it
    elif wrap == "peewee-interface":
        exc = InterfaceError(raw, *raw.args)
    else:
        exc = RuntimeError("wrapped")
        exc.__cause__ = raw
    assert sync.describe_problem(exc) == phrase


def test_the_server_code_is_read_first() -> None:
    class Coded(psycopg2.OperationalError):
        pgcode = "53300"

    assert sync.describe_problem(Coded('too many connections for role "t2"')) == (
        "the connection limit of this terminal's role is reached"
    )

    class Cancelled(psycopg2.OperationalError):
        pgcode = "57014"

    assert sync.describe_problem(Cancelled("canceling statement due to statement timeout")) == "timed out"


def test_an_unknown_failure_keeps_its_first_line_in_quotes() -> None:
    text = sync.describe_problem(psycopg2.OperationalError("FATAL:  something odd happened\nsecond line\n"))
    assert text == "an unexpected answer (\u201csomething odd happened\u201d)"
    assert sync.describe_problem(psycopg2.OperationalError("")) == "an unexpected answer (\u201cOperationalError\u201d)"


@given(st.text(max_size=300))
def test_any_text_gives_one_line_and_never_fails(text: str) -> None:
    described = sync.describe_problem(psycopg2.OperationalError(text))
    assert described and "\n" not in described and len(described) < 200


def _real(url: str) -> BaseException:
    db = connection.open_central(url)
    try:
        db.connect()
    except Exception as exc:
        return exc
    finally:
        db.close()
    raise AssertionError(f"{url} connected")


def test_a_real_refused_connection() -> None:
    assert sync.describe_problem(_real(closed_port_url())) == (
        "connection refused (the server is not running or the address is wrong)"
    )


def test_a_real_unknown_host() -> None:
    assert sync.describe_problem(_real("postgresql://t1@no-such-host.invalid/centre")) == (
        "the server's name is unknown (check the address)"
    )


def test_a_real_server_that_closes_at_once() -> None:
    """A "server" that accepts and hangs up: libpq says it closed the connection."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        port = server.getsockname()[1]
        import threading

        def hang_up() -> None:
            peer, _addr = server.accept()
            peer.close()

        thread = threading.Thread(target=hang_up, daemon=True)
        thread.start()
        text = sync.describe_problem(_real(f"postgresql://t1@127.0.0.1:{port}/centre?sslmode=disable"))
        thread.join(5)
    assert text == "the server closed the connection"


@pytest.mark.postgres
def test_real_refusals_of_a_postgresql_server() -> None:
    url = os.environ.get("POS_TEST_PG_URL")
    if not url:
        pytest.skip("POS_TEST_PG_URL is not set")
    base = url.rsplit("/", 1)[0]
    assert sync.describe_problem(_real(base + "/pos_no_such_database")) == (
        "the database \u201cpos_no_such_database\u201d does not exist"
    )
    assert sync.describe_problem(_real(as_user(url, "pos_no_such_role"))) == (
        "the role \u201cpos_no_such_role\u201d does not exist"
    )
    role = unique_role()
    admin = psycopg2.connect(url)
    admin.autocommit = True
    try:
        with admin.cursor() as cur:
            cur.execute(f'CREATE ROLE "{role}" LOGIN CONNECTION LIMIT 0')
        assert sync.describe_problem(_real(as_user(url, role))) == (
            "the connection limit of this terminal's role is reached"
        )
    finally:
        with admin.cursor() as cur:
            cur.execute(f'DROP ROLE IF EXISTS "{role}"')
        admin.close()

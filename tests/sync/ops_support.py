"""Helpers of the operating tests (sync status, the service, the CLI, the role, the till): a closed
port to stand for a centre that cannot be reached, a terminal's postings, a role dropped after."""

from __future__ import annotations

import contextlib
import socket
import uuid
from collections.abc import Iterator
from datetime import datetime
from urllib.parse import urlsplit, urlunsplit

from pos_tui.core import staff
from pos_tui.core.sync import connection
from pos_tui.settings import Settings


def closed_port_url() -> str:
    """A PostgreSQL URL on 127.0.0.1 where nothing listens (the connection is refused at once)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"postgresql://t1:secret@127.0.0.1:{port}/centre"


def post_users(settings: Settings, now: datetime, n: int = 2) -> None:
    """``n`` postings (users added: each is a journal entry, so an outbox record)."""
    for i in range(n):
        staff.add_user(f"user{i}", "cashier", f"{5000 + i}", now=now, settings=settings)


def as_user(url: str, user: str) -> str:
    """``url`` with ``user`` logging in (no password: the test server trusts 127.0.0.1)."""
    parts = urlsplit(url)
    host = parts.hostname or "127.0.0.1"
    netloc = f"{user}@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def unique_role() -> str:
    return f"pos_test_{uuid.uuid4().hex[:10]}"


@contextlib.contextmanager
def dropped_after(owner_url: str, role: str) -> Iterator[None]:
    """Drop ``role`` (and what it was granted in the centre ``owner_url``) when the block ends."""
    try:
        yield
    finally:
        connection.forget()
        db = connection.open_central(owner_url)
        try:
            with db.atomic():
                db.execute_sql(f'DROP OWNED BY "{role}"')
            db.execute_sql(f'DROP ROLE IF EXISTS "{role}"')
        finally:
            db.close()

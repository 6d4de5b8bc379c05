"""Two processes working the same portfolio at once (the back office endorsing while another
terminal deposits, both taking cheques in): every cheque gets exactly one of the two steps, the
other is refused; portfolio numbers stay gapless and the audit finds nothing, on SQLite and on
PostgreSQL (the cheque's row is locked)."""

from __future__ import annotations

import multiprocessing
import os
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import peewee
import pytest
from accounts_support import make_books, quick_pins  # noqa: F401

from pos_tui.core import accounts
from pos_tui.core.accounts import cheques
from pos_tui.core.kernel import Actor
from pos_tui.core.kernel.errors import ValidationError
from pos_tui.settings import Settings
from pos_tui.store import close_database, open_database
from pos_tui.store import models as m

START = datetime(2026, 11, 1, 7, 0, tzinfo=UTC)
SHARED = 12  # cheques in the portfolio before the race
NEW = 6  # each process takes this many more in


def _worker(url: str, role: str, user: int, ready: object, results: object) -> None:
    open_database(url)
    actor = Actor(user, "admin", "admin", frozenset({"accounts"}), 0)
    done = 0
    try:
        ready.wait()  # type: ignore[attr-defined]
        for i in range(SHARED):
            now = START + timedelta(minutes=1, seconds=i)
            number = i + 1 if role == "endorse" else SHARED - i  # from both ends: they meet in the middle
            try:
                if role == "endorse":
                    cheques.endorse(number, "ACME", actor=actor, terminal=role, now=now)
                else:
                    cheques.deposit(number, actor=actor, terminal=role, now=now)
                done += 1
            except ValidationError:
                pass
            data = cheques.ChequeInput(
                party="BAKKAL", amount=Decimal("10.00"), due=date(2027, 1, 1), bank="B", serial=f"{role}-{i}"
            )
            if i < NEW:
                cheques.receive_cheque(data, actor=actor, terminal=role, now=now)
        results.put((role, done))  # type: ignore[attr-defined]
    finally:
        close_database()


def _run(url: str, settings: Settings) -> None:
    books = make_books(settings, START)
    for i in range(SHARED):
        cheques.receive_cheque(
            cheques.ChequeInput(
                party="BAKKAL", amount=Decimal(100 + i), due=date(2026, 12, 1), bank="Z", serial=f"S{i}"
            ),
            actor=books.admin,
            terminal="T1",
            now=START,
        )
    close_database()
    ctx = multiprocessing.get_context("spawn")
    ready, results = ctx.Barrier(2), ctx.Queue()
    workers = [
        ctx.Process(target=_worker, args=(url, role, books.admin.user_id, ready, results))
        for role in ("endorse", "deposit")
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join(120)
        assert w.exitcode == 0
    counts = dict(results.get(timeout=5) for _ in workers)
    open_database(url)
    assert counts["endorse"] + counts["deposit"] == SHARED
    statuses = [c.status for c in cheques.list_cheques() if c.due == date(2026, 12, 1)]
    assert set(statuses) <= {"deposited", "endorsed"}
    assert statuses.count("endorsed") == counts["endorse"]
    assert sorted(c.number for c in cheques.list_cheques()) == list(range(1, SHARED + 2 * NEW + 1))
    endorsed = sum(100 + c.number - 1 for c in cheques.list_cheques(status="endorsed"))
    assert accounts.balance(books.acme.id) == Decimal(endorsed)
    assert m.ChequeEvent.select().count() == SHARED + 2 * NEW + SHARED
    problems: list[str] = []
    cheques.check_cheques(lambda _jid, text: problems.append(text))
    assert problems == []


def test_two_processes_on_sqlite(db_path: Path, settings: Settings) -> None:
    open_database(db_path)
    try:
        _run(str(db_path), settings)
    finally:
        close_database()


@pytest.mark.postgres
def test_two_processes_on_postgresql(pg_db: peewee.Database, settings: Settings) -> None:
    url = os.environ["POS_TEST_PG_URL"].rsplit("/", 1)[0] + "/" + pg_db.database
    _run(url, settings)

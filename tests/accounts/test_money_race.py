"""Two processes selling on account to the same customer at the same moment, both near the limit:
exactly one passes (the party's row lock taken by the tender; SQLite and PostgreSQL).

Each process sells a different product on its own terminal, so nothing else in the sale (the
receipt counter, the product's stock row) serialises the two; the child waits a moment right after
reading the balance, so without :func:`lock_party` both would read the same balance and both pass
(the PostgreSQL control below shows that: with the lock switched off, both sales go through)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import peewee
import pytest
from accounts_support import Books, books_fixture, make_books, post, quick_pins  # noqa: F401

from pos_tui.core import accounts, audit
from pos_tui.settings import Settings
from pos_tui.store import close_database, open_database

REPO = Path(__file__).resolve().parents[2]

SELLER = """
import sys, time
from datetime import datetime
from decimal import Decimal
from pos_tui.core import catalog
from pos_tui.core.accounts import ledger
from pos_tui.core.basket import Cart, PaymentInput
from pos_tui.core.kernel.actors import Actor
from pos_tui.core.kernel.errors import PermissionDenied
from pos_tui.core.till import complete_sale
from pos_tui.store import open_database

url, user_id, now, terminal, code, lock = sys.argv[1:7]
open_database(url)
read = ledger.balance_kurus

def slow_balance(party_id, **kw):
    value = read(party_id, **kw)
    time.sleep(0.6)  # the other terminal reads now: only the lock keeps it out
    return value

ledger.balance_kurus = slow_balance
if lock == "off":
    ledger.lock_party = lambda party_id: None
actor = Actor(int(user_id), "ayse", "cashier", frozenset({"sell", "on_account"}), 5)
product = catalog.get_product(code)
cart = Cart().add_product(product, 1000)
print("ready", flush=True)
sys.stdin.readline()
try:
    complete_sale(terminal, actor, [PaymentInput("on_account", product.price, details={"account": "BAKKAL"})],
                  now=datetime.fromisoformat(now), cart=cart)
except PermissionDenied as exc:
    assert exc.permission == "credit_limit", exc
    print("refused", flush=True)
else:
    print("sold", flush=True)
"""


def _race(url: str, books: Books, lock: str = "on") -> list[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    now = (books.now + timedelta(minutes=5)).isoformat()
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", SELLER, url, str(books.ayse.user_id), now, terminal, code, lock],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
            cwd=REPO,
        )
        for terminal, code in (("T8", "1003"), ("T9", "1004"))  # 120,00 and 85,00
    ]
    for proc in procs:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    outcomes = []
    for proc in procs:
        out, _err = proc.communicate(timeout=180)
        assert proc.returncode == 0, _err
        outcomes.append(out.strip())
    return outcomes


def _near_the_limit(books: Books) -> None:
    post(books, books.bakkal, "opening", "800.00")  # 800 + 120 or 800 + 85 fit in 1.000; both do not


def _check(outcomes: list[str], books: Books) -> None:
    assert sorted(outcomes) == ["refused", "sold"], outcomes
    bal = accounts.balance(books.bakkal.id)
    assert bal in (Decimal("920.00"), Decimal("885.00")) and bal <= Decimal("1000.00")
    report = audit.verify(settings=books.settings)
    assert report.ok, report.problems


def test_two_processes_on_sqlite(books: Books, db_path: Path) -> None:
    _near_the_limit(books)
    close_database()
    outcomes = _race(str(db_path), books)
    open_database(db_path)
    _check(outcomes, books)


def _pg(pg_db: peewee.Database, settings: Settings, now: datetime) -> tuple[str, Books]:
    from tests.conftest import PG_URL

    assert PG_URL is not None
    books = make_books(settings, now)
    _near_the_limit(books)
    return PG_URL.rsplit("/", 1)[0] + "/" + str(pg_db.database), books


@pytest.mark.postgres
def test_two_processes_on_postgres(pg_db: peewee.Database, settings: Settings, now: datetime) -> None:
    url, books = _pg(pg_db, settings, now)
    _check(_race(url, books), books)


@pytest.mark.postgres
def test_without_the_lock_both_would_pass_on_postgres(
    pg_db: peewee.Database, settings: Settings, now: datetime
) -> None:
    """The control: the same race with lock_party switched off lets both sales through, past the
    limit — what the test above would see if the tender did not lock the party."""
    url, books = _pg(pg_db, settings, now)
    assert _race(url, books, lock="off") == ["sold", "sold"]
    assert accounts.balance(books.bakkal.id) == Decimal("1005.00")

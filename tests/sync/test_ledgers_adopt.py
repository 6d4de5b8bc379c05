"""A centre whose own tables already hold ledger rows (``demo`` loaded there, a shop that ran on
that PostgreSQL before): joining is refused until they are adopted; ``sync adopt`` makes them
documents of the pseudo-terminal MERKEZ, once; a till's pull then has them (points lots, the
account's balance), and the centre's holds count them. Once a terminal joined, the centre refuses
new ledger rows of its own, with a Turkish message, while master data stays editable there."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import peewee
import pytest
from accounts_support import make_books, post
from sync_support import bound

from pos_tui.core import accounts, catalog, loyalty, staff, sync
from pos_tui.core.basket import Cart, PaymentInput
from pos_tui.core.kernel import PermissionDenied, StateError, as_pos_error
from pos_tui.core.loyalty import members
from pos_tui.core.sync import connection
from pos_tui.core.till import SaleResult, complete_sale
from pos_tui.settings import Settings
from pos_tui.store import models as m

pytestmark = pytest.mark.postgres
REPO = Path(__file__).resolve().parent.parent.parent
D = Decimal
CARD = "2000000000017"


@pytest.fixture(autouse=True)
def _fresh_link() -> Iterator[None]:
    connection.forget()
    connection.mark(True)
    yield
    connection.forget()
    connection.mark(True)


def _centre_with_rows(url: str, settings: Settings, now: datetime) -> None:
    """What ``demo`` at the centre leaves: Ahmet with 120 points, BAKKAL owing 220,00, stock."""
    with bound(url):
        books = make_books(settings, now)
        member = members.enroll(
            name="Ahmet Yılmaz", phone="0532 111 22 33", card=CARD, source="cli", actor=None, now=now
        )
        loyalty.ledger.adjust(member.id, 120, "opening", actor=books.admin, now=now, terminal="T1")
        post(books, books.bakkal, "sale", "220.00", due_days=30)


def _central(url: str, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    db = connection.open_central(url, application="ledgers-test")
    try:
        with db.atomic():
            return [tuple(r) for r in db.execute_sql(sql, params).fetchall()]
    finally:
        db.close()


def _balance(url: str, ledger: str, key: str) -> int | None:
    found = _central(url, 'SELECT amount FROM sync_balance WHERE ledger = %s AND "key" = %s', (ledger, key))
    return None if not found else int(found[0][0])  # type: ignore[call-overload]


def _sale(settings: Settings, now: datetime, payments: list[PaymentInput], *, member: bool, cashier: str) -> SaleResult:
    cart = Cart().add_product(catalog.get_product("1003"), 10_000)
    if member:
        cart = cart.with_member(int(m.Member.get(m.Member.card == CARD).id))
    total = cart.totals().total
    paid = sum((p.amount for p in payments), D(0))
    rest = [PaymentInput("cash", total - paid)] if total > paid else []
    return complete_sale(
        "T1",
        staff.actor_by_name(cashier, settings=settings),
        [*payments, *rest],
        now=now,
        cart=cart,
        tz=settings.shop.timezone,
    )


def test_joining_waits_for_adoption_then_the_till_has_the_centres_rows(
    db: object, settings: Settings, now: datetime, central_url: str
) -> None:
    _centre_with_rows(central_url, settings, now)
    with pytest.raises(StateError) as refused:
        sync.join(central_url, "T1", "S1", now, settings)
    assert "sync adopt" in refused.value.message
    assert _central(central_url, "SELECT count(*) FROM sync_terminal") == [(0,)]

    with bound(central_url):
        result = sync.adopt(now)
        again = sync.adopt(now)
    assert result.terminal == "MERKEZ" and result.rows == {"points_entry": 1, "account_entry": 1}
    assert result.stores == ("S1",) and len(result.documents) == 1
    assert again.adopted == 0 and again.before == 2  # once
    assert _balance(central_url, "points", CARD) == 120
    assert _balance(central_url, "account", "BAKKAL") == 22_000
    origins = _central(central_url, "SELECT origin, terminal, store FROM sync_ledger ORDER BY origin")
    assert [(str(o).split(":")[:2], t, s) for o, t, s in origins] == [
        (["MERKEZ", "account_entry"], "MERKEZ", "S1"),
        (["MERKEZ", "points_entry"], "MERKEZ", "S1"),
    ]

    sync.join(central_url, "T1", "S1", now, settings)
    member_id = int(m.Member.get(m.Member.card == CARD).id)
    assert loyalty.ledger.available_points(member_id, as_of=now.date()) == 120  # the lot came down
    sale = _sale(settings, now, [PaymentInput("points", D(100))], member=True, cashier="ayse")
    assert _balance(central_url, "points", CARD) == 20  # held online against the adopted 120
    assert sale.uid

    # BAKKAL's limit is 1.000,00 and it owes 220,00 at the centre: 900,00 more is over it
    with pytest.raises(PermissionDenied) as denied:
        _sale(
            settings,
            now,
            [PaymentInput("on_account", D("900"), details={"account": "BAKKAL"})],
            member=False,
            cashier="ayse",
        )
    assert denied.value.permission == "credit_limit"
    assert _balance(central_url, "account", "BAKKAL") == 22_000


def test_the_centre_refuses_its_own_ledger_rows_once_a_terminal_joined(
    db: object, settings: Settings, now: datetime, central_url: str
) -> None:
    with bound(central_url):
        books = make_books(settings, now)
        member = members.enroll(
            name="Ahmet Yılmaz", phone="0532 111 22 33", card=CARD, source="cli", actor=None, now=now
        )
    sync.join(central_url, "T1", "S1", now, settings)
    with bound(central_url):
        with pytest.raises(peewee.InternalError) as refused:
            loyalty.ledger.adjust(member.id, 50, "opening", actor=books.admin, now=now, terminal="T1")
        error = as_pos_error(refused.value)
        assert isinstance(error, StateError)
        assert "--terminal OFIS" in error.message
        with pytest.raises(peewee.InternalError):
            post(books, books.bakkal, "sale", "10.00")
        assert m.PointsEntry.select().count() == 0 and m.AccountEntry.select().count() == 0
        # master data stays the centre's
        catalog.upsert_products(
            [catalog.ProductInput(code="2001", name="Simit", price=D("15.00"), kdv_rate=10, barcodes=())],
            now=now,
            kdv_rates=settings.kdv_rates,
        )
        members.update_member(member.id, name="Ahmet Yılmaz Kaya", actor=None, now=now)
        members.enroll(name="Ayşe Demir", phone="0532 111 22 44", source="cli", actor=None, now=now)
        accounts.add_party(
            accounts.PartyInput(code="ACME2", name="Acme İkinci", kind="customer", credit_limit=D("500")), now=now
        )
        assert sync.adopt(now).adopted == 0


def test_sync_adopt_command(settings: Settings, now: datetime, central_url: str, tmp_path: Path) -> None:
    _centre_with_rows(central_url, settings, now)
    env = {**os.environ, "PYTHONPATH": str(REPO), "POS_HOME": str(settings.home), "POS_LANG": "tr"}
    run = subprocess.run(
        [sys.executable, "-m", "pos_tui.cli.app", "--db", central_url, "sync", "adopt", "--json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    assert out["terminal"] == "MERKEZ" and out["adopted"] == 2 and out["balances"] == 2
    assert _balance(central_url, "points", CARD) == 120

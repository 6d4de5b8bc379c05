"""Terminals that joined a centre (PostgreSQL) redeeming online: the sale's redemptions are held at
the centre before it posts, under its uid; a posting that fails gives them back; a crash between
the hold and the posting is undone by release_orphans; two terminal processes redeeming against
one member at the same moment never overdraw it."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from guard_support import (
    CARD,
    RACE_TERMINAL,
    Shop,
    central_balance,
    central_sql,
    credit,
    gift,
    make_shop,
    on_account,
    pay,
    points,
    set_central_balance,
)
from sync_support import bound, set_identity

from pos_tui.core import accounts, sync
from pos_tui.core.kernel import Override, PermissionDenied, ValidationError
from pos_tui.core.sync import connection
from pos_tui.settings import Settings
from pos_tui.store import models as m

pytestmark = pytest.mark.postgres
REPO = Path(__file__).resolve().parent.parent.parent


@pytest.fixture(autouse=True)
def _fresh_link() -> Iterator[None]:
    connection.forget()
    connection.mark(True)
    yield
    connection.forget()
    connection.mark(True)


@pytest.fixture
def online(db: object, settings: Settings, now: datetime, central_url: str) -> Iterator[tuple[Shop, str]]:
    """Terminal T1 (its SQLite file) joined to a fresh centre that knows the account BAKKAL."""
    shop = make_shop(settings, now)
    with bound(central_url):
        accounts.add_party(
            accounts.PartyInput(code="BAKKAL", name="Köşe Bakkalı", kind="customer", credit_limit=Decimal("1000")),
            now=now,
        )
    set_identity("T1", "S1", central_url)
    yield shop, central_url


def _holds(url: str) -> list[tuple[object, ...]]:
    return central_sql(url, "SELECT document, ledger, key, amount, released_at FROM sync_hold ORDER BY ledger")


def test_an_online_sale_is_held_at_the_centre_under_its_uid(online: tuple[Shop, str], now: datetime) -> None:
    shop, url = online
    set_central_balance(url, "points", CARD, 800)
    set_central_balance(url, "wallet", CARD, 30_000)
    set_central_balance(url, "gift_card", shop.gift, 50_000)
    result = pay(shop, [points(200), credit("100"), gift("50")], now=now)
    assert central_balance(url, "points", CARD) == 600
    assert central_balance(url, "wallet", CARD) == 20_000
    assert central_balance(url, "gift_card", shop.gift) == 45_000
    assert _holds(url) == [
        (result.uid, "gift_card", shop.gift, -5_000, None),
        (result.uid, "points", CARD, -200, None),
        (result.uid, "wallet", CARD, -10_000, None),
    ]
    local = list(sync.local_holds())
    assert {(h.document, h.ledger) for h in local} == {
        (result.uid, "points"),
        (result.uid, "wallet"),
        (result.uid, "gift_card"),
    }
    assert all(h.settled_at is not None for h in local)  # confirmed: not an offline redemption
    a = sync.offline_allowance("points", CARD, now=now, settings=None, terminal="T1")
    assert a.today == 0


def test_the_centre_refuses_what_another_terminal_already_took(online: tuple[Shop, str], now: datetime) -> None:
    shop, url = online
    set_central_balance(url, "points", CARD, 150)  # the terminal's copy still says 1000
    with pytest.raises(sync.CentreRefused) as refused:
        pay(shop, [points(200)], now=now)
    assert "150 points there, 200 points asked for" in refused.value.message
    assert m.Sale.select().count() == 0
    assert _holds(url) == [] and list(sync.local_holds()) == []


def test_a_second_refusal_gives_the_first_hold_back(online: tuple[Shop, str], now: datetime) -> None:
    shop, url = online
    set_central_balance(url, "points", CARD, 800)
    set_central_balance(url, "wallet", CARD, 1_000)
    with pytest.raises(sync.CentreRefused):
        pay(shop, [points(200), credit("100")], now=now)
    assert central_balance(url, "points", CARD) == 800
    assert [r[4] is not None for r in _holds(url)] == [True]  # the points hold, released
    assert list(sync.local_holds()) == []


def test_a_posting_that_fails_gives_the_hold_back(online: tuple[Shop, str], now: datetime) -> None:
    shop, url = online
    set_central_balance(url, "wallet", CARD, 90_000)  # the centre has more than this terminal's copy (300,00)
    with pytest.raises(ValidationError):
        pay(shop, [credit("500")], now=now)  # the local tender refuses inside the write transaction
    assert central_balance(url, "wallet", CARD) == 90_000
    ((_document, _l, _k, amount, released),) = _holds(url)
    assert amount == -50_000 and released is not None
    assert list(sync.local_holds()) == []


def test_a_crash_between_the_hold_and_the_posting_is_undone(online: tuple[Shop, str], now: datetime) -> None:
    shop, url = online
    set_central_balance(url, "points", CARD, 800)
    redemption = sync.check_redemption("points", CARD, -300, document="crashed", now=now, settings=None)
    assert redemption is not None and redemption.online and redemption.balance == 500
    posted = pay(shop, [points(100)], now=now)  # another sale posts normally
    assert sync.release_orphans(now + timedelta(minutes=1)) == 0  # too recent: maybe still posting
    assert sync.release_orphans(now + timedelta(minutes=10)) == 1
    assert central_balance(url, "points", CARD) == 700  # the posted sale's hold stays until it arrives
    assert [h.document for h in sync.local_holds()] == [posted.uid]
    assert sync.release_orphans(now + timedelta(days=3)) == 0
    assert list(sync.local_holds()) == []  # a posted sale's record is kept two days


def test_on_account_past_the_centres_limit_asks_a_supervisor(online: tuple[Shop, str], now: datetime) -> None:
    shop, url = online
    set_central_balance(url, "account", "BAKKAL", 90_000)  # another terminal put 900,00 on it
    with pytest.raises(PermissionDenied) as denied:
        pay(shop, [on_account("200")], now=now, member=False)
    assert denied.value.permission == "credit_limit"
    assert "1,000.00" in denied.value.message
    assert central_balance(url, "account", "BAKKAL") == 90_000
    pay(shop, [on_account("200")], now=now, member=False, override=Override(shop.books.mehmet, "PIN"))
    assert central_balance(url, "account", "BAKKAL") == 110_000
    pay(shop, [on_account("50")], now=now, member=False, actor=shop.books.mehmet)  # a supervisor selling
    assert central_balance(url, "account", "BAKKAL") == 115_000


def test_a_cash_sale_asks_the_centre_nothing(online: tuple[Shop, str], now: datetime) -> None:
    shop, url = online
    pay(shop, [], now=now)
    assert _holds(url) == [] and central_sql(url, "SELECT count(*) FROM sync_balance") == [(0,)]


def _terminal_file(tmp_path: Path, name: str, settings: Settings, now: datetime, url: str) -> Path:
    path = tmp_path / f"{name}.sqlite3"
    with bound(path):
        make_shop(settings, now, points=0, wallet="300", gift="0")
        set_identity(name, "S1", url)
    return path


def test_two_terminals_redeeming_at_once_never_overdraw(
    db: object, tmp_path: Path, settings: Settings, now: datetime, central_url: str
) -> None:
    """Both terminals' copies show 300,00 of store credit; the centre has 300,00. Each pays 200,00
    at the same moment: exactly one is held, the other refused with the centre's figures."""
    paths = [_terminal_file(tmp_path, name, settings, now, central_url) for name in ("T1", "T2")]
    set_central_balance(central_url, "wallet", CARD, 30_000)
    env = {"PYTHONPATH": str(REPO), "POS_LANG": "en", "PATH": "/usr/bin:/bin"}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", RACE_TERMINAL, str(p), now.isoformat(), "200"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=REPO,
        )
        for p in paths
    ]
    for p in procs:
        assert p.stdout is not None and p.stdout.readline().strip() == "ready", p.stderr and p.stderr.read()
    for p in procs:
        assert p.stdin is not None
        p.stdin.write("go\n")
        p.stdin.flush()
    outcomes = []
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        outcomes.append(out.strip())
    assert sorted(o.split()[0] for o in outcomes) == ["ok", "refused"], outcomes
    (refusal,) = [o for o in outcomes if o.startswith("refused")]
    assert "100.00 TL there, 200.00 TL asked for" in refusal
    assert central_balance(central_url, "wallet", CARD) == 10_000
    (winner,) = [o.split()[1] for o in outcomes if o.startswith("ok")]
    assert [r[0] for r in _holds(central_url)] == [winner]

"""The centre's side of the guard on a real PostgreSQL: holds (one guarded UPDATE), their release,
their settlement when the sale arrives, racing holds that can never overdraw, the credit limit of
an account, and the reconciliation report."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from guard_support import central_balance, central_sql, set_central_balance
from sync_support import bound

from pos_tui.core import accounts, sync
from pos_tui.core.kernel import StateError
from pos_tui.core.sync import connection

pytestmark = pytest.mark.postgres

CARD = "2990000000017"


@pytest.fixture
def centre(db: object, central_url: str) -> Iterator[tuple[str, object]]:
    """The central database (url, its own connection); the store stays bound to a terminal's file
    (``sync_support.bound`` goes back to the database bound before it)."""
    db = connection.open_central(central_url, application="guard-test")
    yield central_url, db
    db.close()


def _holds(url: str) -> list[tuple[object, ...]]:
    return central_sql(
        url, "SELECT document, ledger, key, amount, settled_at, released_at FROM sync_hold ORDER BY document"
    )


def test_a_hold_takes_from_the_balance_once(centre: tuple[str, object], now: datetime) -> None:
    url, db = centre
    set_central_balance(url, "points", CARD, 500)
    assert sync.hold(db, "S-1", "points", CARD, -120, terminal="T1", now=now) == 380
    assert sync.hold(db, "S-1", "points", CARD, -120, terminal="T1", now=now) == 380  # the same hold again
    assert central_balance(url, "points", CARD) == 380
    assert [(d, amt) for d, _l, _k, amt, _s, _r in _holds(url)] == [("S-1", -120)]


def test_a_hold_beyond_the_balance_is_refused_with_the_centres_figures(
    centre: tuple[str, object], now: datetime
) -> None:
    url, db = centre
    set_central_balance(url, "points", CARD, 120)
    with pytest.raises(sync.CentreRefused) as refused:
        sync.hold(db, "S-1", "points", CARD, -500, terminal="T1", now=now)
    assert refused.value.message == "Not enough at the centre: 120 points there, 500 points asked for"
    assert (refused.value.balance, refused.value.delta) == (120, -500)
    assert central_balance(url, "points", CARD) == 120
    assert _holds(url) == []


def test_a_hold_on_a_key_the_centre_never_saw_is_refused(centre: tuple[str, object], now: datetime) -> None:
    url, db = centre
    with pytest.raises(sync.CentreRefused):
        sync.hold(db, "S-1", "gift_card", "GC1", -100, terminal="T1", now=now)
    assert central_balance(url, "gift_card", "GC1") is None  # the row made for the check is rolled back


def test_the_refusal_in_turkish(centre: tuple[str, object], now: datetime) -> None:
    from pos_tui.i18n import set_language

    url, db = centre
    set_central_balance(url, "points", CARD, 120)
    set_language("tr")
    with pytest.raises(sync.CentreRefused) as refused:
        sync.hold(db, "S-1", "points", CARD, -500, terminal="T1", now=now)
    assert "120 puan" in refused.value.message and "500 puan" in refused.value.message


def test_release_puts_back_only_what_is_still_held(centre: tuple[str, object], now: datetime) -> None:
    url, db = centre
    set_central_balance(url, "wallet", CARD, 10_000)
    sync.hold(db, "S-1", "wallet", CARD, -4_000, terminal="T1", now=now)
    sync.hold(db, "S-2", "wallet", CARD, -1_000, terminal="T1", now=now)
    assert sync.release(db, "S-1", now) == 1
    assert sync.release(db, "S-1", now) == 0
    assert central_balance(url, "wallet", CARD) == 9_000
    with pytest.raises(StateError, match="released"):  # a released hold is not taken again
        sync.hold(db, "S-1", "wallet", CARD, -4_000, terminal="T1", now=now)
    (held,) = sync.open_holds(db)
    assert (held.document, held.amount, held.terminal) == ("S-2", -1_000, "T1")


def test_settling_when_the_sale_arrives(centre: tuple[str, object], now: datetime) -> None:
    url, db = centre
    set_central_balance(url, "points", CARD, 500)
    sync.hold(db, "S-1", "points", CARD, -300, terminal="T1", now=now)
    with db.atomic():  # what the push's receive does with the document of sale S-1 (it redeemed 250)
        held = sync.settle_holds(db, ["S-1"], now)
        moved = -250
        db.execute_sql(
            "UPDATE sync_balance SET amount = amount + %s WHERE ledger = 'points' AND key = %s",
            (moved - held[("points", CARD, "")], CARD),
        )
    assert held == {("points", CARD, ""): -300}
    assert central_balance(url, "points", CARD) == 250
    assert sync.release(db, "S-1", now) == 0  # settled: a late release changes nothing
    assert sync.open_holds(db) == []
    (h,) = sync.holds_of(db, "S-1")
    assert h.settled_at is not None and h.released_at is None


def test_racing_holds_never_overdraw(centre: tuple[str, object], now: datetime) -> None:
    url, _db = centre
    set_central_balance(url, "gift_card", "GC1", 50_000)
    start = threading.Barrier(8)
    results: list[str] = []
    lock = threading.Lock()

    def terminal(n: int) -> None:
        db = connection.open_central(url, application=f"guard-race-{n}")
        try:
            start.wait()
            for i in range(5):
                try:
                    sync.hold(db, f"T{n}-{i}", "gift_card", "GC1", -3_000, terminal=f"T{n}", now=now)
                except sync.CentreRefused:
                    outcome = "refused"
                else:
                    outcome = "held"
                with lock:
                    results.append(outcome)
        finally:
            db.close()

    threads = [threading.Thread(target=terminal, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("held") == 16  # 16 × 30,00 = 480,00 of the 500,00; the rest refused
    assert central_balance(url, "gift_card", "GC1") == 2_000
    assert len(_holds(url)) == 16


def test_an_accounts_credit_limit_at_the_centre(centre: tuple[str, object], now: datetime) -> None:
    url, db = centre
    with bound(url):
        accounts.add_party(
            accounts.PartyInput(code="BAKKAL", name="Köşe Bakkalı", kind="customer", credit_limit=Decimal("1000")),
            now=now,
        )
    set_central_balance(url, "account", "BAKKAL", 80_000)
    assert sync.hold(db, "S-1", "account", "BAKKAL", 15_000, terminal="T1", now=now) == 95_000
    with pytest.raises(sync.CentreRefused) as refused:
        sync.hold(db, "S-2", "account", "BAKKAL", 10_000, terminal="T2", now=now)
    assert refused.value.limit == 100_000 and refused.value.balance == 95_000
    assert "credit limit 1,000.00" in refused.value.message
    assert sync.hold(db, "S-3", "account", "BAKKAL", 10_000, terminal="T2", now=now, unbounded=True) == 105_000
    assert sync.hold(db, "S-4", "account", "BAKKAL", 1_000, terminal="T2", now=now, limit=200_000) == 106_000
    with pytest.raises(sync.CentreRefused):
        sync.hold(db, "S-5", "account", "NOBODY", 1, terminal="T2", now=now, limit=0)
    with pytest.raises(Exception, match="not known at the centre"):
        sync.hold(db, "S-6", "account", "NOBODY", 1, terminal="T2", now=now)
    assert sync.beyond_bound(db, "account", "BAKKAL", 106_000)
    assert not sync.beyond_bound(db, "account", "BAKKAL", 100_000)


def test_a_hold_moves_the_balance_the_right_way_only(centre: tuple[str, object], now: datetime) -> None:
    _url, db = centre
    with pytest.raises(ValueError):
        sync.hold(db, "S-1", "points", CARD, 10, terminal="T1", now=now)
    with pytest.raises(ValueError):
        sync.hold(db, "S-1", "account", "BAKKAL", -10, terminal="T1", now=now)


def test_the_reconciliation_report(centre: tuple[str, object], now: datetime) -> None:
    url, db = centre
    with bound(url):
        accounts.add_party(
            accounts.PartyInput(code="BAKKAL", name="Köşe Bakkalı", kind="customer", credit_limit=Decimal("1000")),
            now=now,
        )
    earlier = now - timedelta(days=2)
    central_sql(
        url,
        "INSERT INTO sync_overdraft (kind, ledger, key, place, balance, document, terminal, at, note) VALUES "
        "('overdraft', 'points', %s, '', -40, 'D-1', 'T2', %s, NULL), "
        "('conflict', 'member', %s, '', 0, 'D-2', 'T3', %s, 'phone already used')",
        (CARD, earlier.replace(tzinfo=None), CARD, now.replace(tzinfo=None)),
    )
    set_central_balance(url, "points", CARD, -40)
    set_central_balance(url, "wallet", CARD, 500)
    set_central_balance(url, "account", "BAKKAL", 120_000)
    set_central_balance(url, "wallet", "OLD", 1_000)
    sync.hold(db, "S-OLD", "wallet", "OLD", -100, terminal="T1", now=now - timedelta(hours=2))
    sync.hold(db, "S-NEW", "wallet", "OLD", -100, terminal="T1", now=now - timedelta(minutes=10))
    report = sync.reconciliation(db, now=now)
    kinds = [(r.kind, r.ledger, r.key, r.balance, r.document, r.terminal) for r in report]
    assert kinds == [
        ("overdraft", "points", CARD, -40, "D-1", "T2"),
        ("conflict", "member", CARD, 0, "D-2", "T3"),
        ("hold", "wallet", "OLD", -100, "S-OLD", "T1"),
        ("balance", "points", CARD, -40, None, None),
        ("balance", "account", "BAKKAL", 120_000, None, None),
    ]
    assert report[1].note == "phone already used"
    assert "200.00" in (report[-1].note or "")  # over the limit by 200,00
    assert report[0].at is not None and report[0].at.tzinfo is not None
    recent = sync.reconciliation(db, since=now - timedelta(days=1), now=now)
    assert [r.kind for r in recent] == ["conflict", "hold", "balance", "balance"]
    assert {r.as_json("Europe/Istanbul")["kind"] for r in report} == {"overdraft", "conflict", "hold", "balance"}

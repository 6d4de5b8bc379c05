"""Adjustments and transfers on PostgreSQL, and two terminals receiving the same transfer at once:
it is received exactly once (the sending's row is locked, the receipt looked for after the lock).

Needs ``POS_TEST_PG_URL`` (``source .ci/postgres.sh`` starts a throwaway server and sets it).
"""

from __future__ import annotations

import threading
from datetime import datetime
from decimal import Decimal

import peewee
import pytest
from moves_support import level

from pos_tui.core import audit, catalog
from pos_tui.core.kernel import Actor, PosError, StateError, to_db
from pos_tui.core.stock import moves
from pos_tui.settings import Settings
from pos_tui.store import close_database
from pos_tui.store import models as m

pytestmark = pytest.mark.postgres


def _shop(settings: Settings, now: datetime) -> Actor:
    user = m.User.create(name="admin", role="admin", pin_tag="t", pin_hash="x", created_at=to_db(now))
    role = settings.roles["admin"]
    catalog.upsert_products(
        [
            catalog.ProductInput(
                code="1001", name="Çay", price=Decimal("120"), cost=Decimal("10"), kdv_rate=20, stock=100_000
            ),
            catalog.ProductInput(
                code="2001",
                name="Domates",
                unit="kg",
                price=Decimal("40"),
                cost=Decimal("20"),
                kdv_rate=1,
                stock=50_000,
            ),
        ],
        now=now,
        kdv_rates=settings.kdv_rates,
    )
    moves.add_location("DEPO", "Depo", terminal="T1", now=now)
    return Actor(int(user.id), "admin", "admin", role.permissions, role.max_discount_pct)


def test_moves_on_postgres(pg_db: peewee.Database, settings: Settings, now: datetime) -> None:
    admin = _shop(settings, now)
    done = moves.adjust("1001", -3000, "waste", actor=admin, terminal="T1", now=now)
    assert done.value == Decimal("-30.00") and done.on_hand == 97_000
    moves.send_transfer("MAGAZA", "DEPO", [("1001", 10_000), ("2001", 2_500)], actor=admin, terminal="T1", now=now)
    got = moves.receive_transfer(1, {"1001": 9_000, "2001": 3_000}, actor=admin, terminal="T1", now=now)
    assert [(ln.code, ln.difference) for ln in got.lines] == [("1001", -1000), ("2001", 500)]
    assert (level("1001", "DEPO"), level("1001", "YOLDA"), level("2001", "YOLDA")) == (9_000, 0, 0)
    assert m.Product.get(m.Product.code == "1001").stock == 96_000
    report = audit.verify(settings=settings)
    assert report.ok, report.problems


def test_two_terminals_receive_the_same_transfer_once(
    pg_db: peewee.Database, settings: Settings, now: datetime
) -> None:
    admin = _shop(settings, now)
    moves.send_transfer("MAGAZA", "DEPO", [("1001", 10_000)], actor=admin, terminal="T1", now=now)
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def receive(terminal: str) -> None:
        try:
            start.wait()
            moves.receive_transfer(1, actor=admin, terminal=terminal, now=now)
            outcomes.append("received")
        except StateError as exc:
            outcomes.append("refused" if "already received" in exc.message else exc.message)
        except PosError as exc:  # pragma: no cover - shown if it happens
            outcomes.append(exc.message)
        finally:
            close_database()

    threads = [threading.Thread(target=receive, args=(t,)) for t in ("T1", "T2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes) == ["received", "refused"]
    assert m.StockDocument.select().where(m.StockDocument.kind == "transfer_in").count() == 1
    assert (level("1001", "DEPO"), level("1001", "YOLDA"), level("1001", "MAGAZA")) == (10_000, 0, 90_000)
    report = audit.verify(settings=settings)
    assert report.ok, report.problems

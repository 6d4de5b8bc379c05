"""Two processes posting stock movements on the same products at once (a till selling while the
back office receives goods): every movement is written once, and the caches — on hand per
product and location, the stock value, the average cost — agree with the movements; on SQLite
and on PostgreSQL (rows locked in product order)."""

from __future__ import annotations

import multiprocessing
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import peewee
import pytest

from pos_tui.core import stock
from pos_tui.core.kernel import to_db
from pos_tui.store import close_database, open_database, write_tx
from pos_tui.store import models as m

START = datetime(2026, 11, 1, 7, 0, tzinfo=UTC)
ROUNDS = 60


def _worker(url: str, role: str, products: list[int], user: int, ready: object) -> None:
    open_database(url)
    try:
        loc = stock.location_id("MAGAZA")
        ready.wait()  # type: ignore[attr-defined]
        for i in range(ROUNDS):
            at = START + timedelta(seconds=i)
            order = products if i % 2 else list(reversed(products))  # both orders: no deadlock either way
            if role == "till":
                moves = [stock.Movement(p, loc, -1000, stock.SALE) for p in order]
            else:
                moves = [stock.Movement(p, loc, 2000, stock.RECEIPT, amount=1000 + i) for p in order]
            with write_tx():
                stock.post_movements(moves, at=at, terminal=role, user_id=user)
    finally:
        close_database()


def _run(url: str) -> None:
    now = to_db(START)
    user = m.User.create(name="admin", role="admin", pin_tag="t", pin_hash="x", created_at=now).id
    products = [
        m.Product.create(
            code=f"P{i}", name=f"Ürün {i}", name_key=f"urun {i}", price=1000, kdv_rate=20, updated_at=now
        ).id
        for i in range(4)
    ]
    close_database()
    ctx = multiprocessing.get_context("spawn")
    ready = ctx.Barrier(2)
    workers = [ctx.Process(target=_worker, args=(url, role, products, user, ready)) for role in ("till", "office")]
    for w in workers:
        w.start()
    for w in workers:
        w.join(120)
        assert w.exitcode == 0
    open_database(url)
    SM = m.StockMovement
    for pid in products:
        product = m.Product.get_by_id(pid)
        rows = list(SM.select(SM.qty, SM.value).where(SM.product == pid).tuples())
        assert len(rows) == 2 * ROUNDS
        assert product.stock == sum(q for q, _v in rows) == ROUNDS * 1000
        assert product.stock_value == sum(v for _q, v in rows) > 0
        assert stock.on_hand(pid, stock.location_id("MAGAZA")) == ROUNDS * 1000


def test_two_processes_on_sqlite(db_path: Path) -> None:
    open_database(db_path)
    try:
        _run(str(db_path))
    finally:
        close_database()


@pytest.mark.postgres
def test_two_processes_on_postgres(pg_db: peewee.Database) -> None:
    url = os.environ["POS_TEST_PG_URL"].rsplit("/", 1)[0] + "/" + pg_db.database
    _run(url)

"""Hypothesis: any sequence of sendings, receipts (short, over, exact) and adjustments keeps every
location's stock equal to the sum of its movements, ``YOLDA`` equal to what is on the road, the
product's total moved only by adjustments and receipt differences, and the audit clean."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pos_tui.core import audit, catalog
from pos_tui.core.kernel import Actor, PosError, to_db
from pos_tui.core.stock import moves
from pos_tui.settings import Settings
from pos_tui.store import close_database, open_database
from pos_tui.store import models as m

PRODUCTS = ("P1", "P2")
PLACES = ("MAGAZA", "DEPO", "ARKA")
_files = itertools.count()

send_op = st.tuples(
    st.just("send"), st.sampled_from(PLACES), st.sampled_from(PLACES), st.sampled_from(PRODUCTS), st.integers(1, 30)
)
receive_op = st.tuples(st.just("receive"), st.integers(0, 5), st.integers(-5, 5), st.sampled_from(("loss", "damage")))
adjust_op = st.tuples(
    st.just("adjust"),
    st.sampled_from(PLACES),
    st.sampled_from(PRODUCTS),
    st.integers(-20, 20).filter(bool),
    st.sampled_from(("waste", "damage", "loss", "internal", "correction")),
)


def _level(pid: int, loc_id: int | None) -> int:
    if loc_id is None:
        return 0
    SM = m.StockMovement
    return sum(q for (q,) in SM.select(SM.qty).where((SM.product == pid) & (SM.location == loc_id)).tuples())


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(st.one_of(send_op, receive_op, adjust_op), min_size=1, max_size=10))
def test_moves_keep_the_books(ops, tmp_path: Path, settings: Settings, now: datetime) -> None:
    close_database()
    open_database(tmp_path / f"prop-{next(_files)}.sqlite3")
    try:
        user = m.User.create(name="admin", role="admin", pin_tag="t", pin_hash="x", created_at=to_db(now))
        role = settings.roles["admin"]
        admin = Actor(int(user.id), "admin", "admin", role.permissions, role.max_discount_pct)
        catalog.upsert_products(
            [
                catalog.ProductInput(
                    code=c, name=c, price=Decimal("5"), cost=Decimal("2.35"), kdv_rate=20, stock=50_000
                )
                for c in PRODUCTS
            ],
            now=now,
            kdv_rates=settings.kdv_rates,
        )
        for code in ("DEPO", "ARKA"):
            moves.add_location(code, code.title(), terminal="T1", now=now)
        pids = {p.code: p.id for p in m.Product.select()}
        expected_total = {c: 50_000 for c in PRODUCTS}
        on_road = {c: 0 for c in PRODUCTS}
        open_transfers: list[tuple[int, str, int]] = []  # number, product, sent
        at = now
        for op in ops:
            at += timedelta(minutes=1)
            if op[0] == "send":
                _kind, src, dst, code, qty = op
                try:
                    sent = moves.send_transfer(src, dst, [(code, qty * 1000)], actor=admin, terminal="T1", now=at)
                except PosError:
                    assert src == dst
                    continue
                open_transfers.append((sent.number, code, qty * 1000))
                on_road[code] += qty * 1000
            elif op[0] == "receive":
                _kind, index, delta, reason = op
                if not open_transfers:
                    continue
                number, code, sent_qty = open_transfers.pop(index % len(open_transfers))
                got = max(0, sent_qty + delta * 1000)
                moves.receive_transfer(number, {code: got}, reason=reason, actor=admin, terminal="T1", now=at)
                on_road[code] -= sent_qty
                expected_total[code] += got - sent_qty
            else:
                _kind, place, code, qty, reason = op
                moves.adjust(code, qty * 1000, reason, actor=admin, terminal="T1", now=at, location=place)
                expected_total[code] += qty * 1000
            yolda = m.StockLocation.get_or_none(m.StockLocation.code == "YOLDA")
            for code, pid in pids.items():
                product = m.Product.get_by_id(pid)
                assert product.stock == expected_total[code]
                assert _level(pid, None if yolda is None else yolda.id) == on_road[code]
                for level in m.StockLevel.select().where(m.StockLevel.product == pid):
                    assert level.qty == _level(pid, level.location_id)
                values = sum(v for (v,) in m.StockMovement.select(m.StockMovement.value).where(
                    m.StockMovement.product == pid).tuples())  # fmt: skip
                assert product.stock_value == values
        assert [t.number for t in moves.list_transfers(open_only=True)] == sorted(n for n, _c, _q in open_transfers)
        report = audit.verify(settings=settings)
        assert report.ok, report.problems
    finally:
        close_database()

"""A state machine over the stock ledger: receipts, supplier returns, sales, returns,
adjustments, transfers and counts posted in random order with random (also backdated) times,
on a real SQLite file. After every step: on hand per location is the sum of the movements, the
caches agree, the stock value is the sum of the movements' values, never negative, and within the
documented rounding of on hand × average cost; at the end ``audit verify`` passes."""

from __future__ import annotations

import shutil
import tempfile
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from pos_tui.core import stock
from pos_tui.core.kernel import to_db
from pos_tui.settings import load_settings
from pos_tui.store import close_database, open_database, write_tx
from pos_tui.store import models as m

REPO = Path(__file__).resolve().parents[2]
START = datetime(2026, 11, 1, 7, 0, tzinfo=UTC)
qty = st.integers(min_value=1, max_value=20_000)
amount = st.integers(min_value=0, max_value=2_000_000)


class Ledger(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(prefix="ledger-"))
        self.settings = load_settings(
            {
                "POS_HOME": str(self.dir),
                "POS_DB": str(self.dir / "pos.sqlite3"),
                "POS_CONFIG": str(REPO / "config" / "pos.toml"),
            }
        )
        open_database(self.dir / "pos.sqlite3")
        now = to_db(START)
        self.user = m.User.create(name="admin", role="admin", pin_tag="t", pin_hash="x", created_at=now).id
        self.products = [
            m.Product.create(
                code=f"P{i}", name=f"Ürün {i}", name_key=f"urun {i}", price=1000, kdv_rate=20, updated_at=now
            ).id
            for i in range(3)
        ]
        self.shop = stock.location_id("MAGAZA")
        depot = stock.add_location("DEPO", "Depo", terminal="admin", now=START)
        self.locations = [self.shop, depot.id]
        self.clock = START
        self.expected: dict[tuple[int, int], int] = {}  # (product, location) -> qty, kept by the test
        self.since_set: dict[int, int] = {p: 0 for p in self.products}

    def teardown(self) -> None:
        close_database()
        shutil.rmtree(self.dir, ignore_errors=True)

    def _at(self, back: int) -> datetime:
        self.clock += timedelta(minutes=7)
        return self.clock - timedelta(days=back)  # a backdated document now and then

    def _post(self, kind: str, moves: list[stock.Movement], back: int = 0) -> None:
        with write_tx():
            stock.post_movements(moves, at=self._at(back), terminal="T1", user_id=self.user)
        for mv in moves:
            key = (mv.product_id, mv.location_id)
            self.expected[key] = self.expected.get(key, 0) + mv.qty
            if mv.kind not in stock.TRANSFER_KINDS:
                fresh = mv.amount is not None
                self.since_set[mv.product_id] = 0 if fresh else self.since_set[mv.product_id] + 1

    products = st.integers(min_value=0, max_value=2)
    places = st.integers(min_value=0, max_value=1)
    back = st.sampled_from([0, 0, 0, 3])

    @rule(p=products, loc=places, q=qty, a=amount, back=back)
    def receipt(self, p: int, loc: int, q: int, a: int, back: int) -> None:
        self._post("receipt", [stock.Movement(self.products[p], self.locations[loc], q, stock.RECEIPT, amount=a)], back)

    @rule(p=products, loc=places, q=qty, a=amount)
    def supplier_return(self, p: int, loc: int, q: int, a: int) -> None:
        mv = stock.Movement(self.products[p], self.locations[loc], -q, stock.SUPPLIER_RETURN, amount=a)
        self._post("supplier_return", [mv])

    @rule(p=products, q=qty, back=back)
    def sale(self, p: int, q: int, back: int) -> None:
        self._post("sale", [stock.Movement(self.products[p], self.shop, -q, stock.SALE)], back)

    @rule(p=products, q=qty)
    def customer_return(self, p: int, q: int) -> None:
        self._post("return", [stock.Movement(self.products[p], self.shop, q, stock.RETURN)])

    @rule(
        p=products,
        loc=places,
        q=st.integers(min_value=-20_000, max_value=20_000).filter(bool),
        r=st.sampled_from(stock.REASONS),
    )
    def adjustment(self, p: int, loc: int, q: int, r: str) -> None:
        self._post("adjust", [stock.Movement(self.products[p], self.locations[loc], q, stock.ADJUST, reason=r)])

    @rule(p=products, q=qty, there=st.booleans())
    def transfer(self, p: int, q: int, there: bool) -> None:
        src, dst = (self.locations[0], self.locations[1]) if there else (self.locations[1], self.locations[0])
        pid = self.products[p]
        self._post(
            "transfer",
            [stock.Movement(pid, src, -q, stock.TRANSFER_OUT), stock.Movement(pid, dst, q, stock.TRANSFER_IN)],
        )

    @rule(p=products, loc=places, counted=st.integers(min_value=0, max_value=30_000))
    def count(self, p: int, loc: int, counted: int) -> None:
        pid, where = self.products[p], self.locations[loc]
        variance = counted - stock.on_hand(pid, where)
        if variance:
            self._post("count", [stock.Movement(pid, where, variance, stock.COUNT, reason="count")])

    @invariant()
    def caches_agree_with_the_movements(self) -> None:
        SM = m.StockMovement
        for pid in self.products:
            product = m.Product.get_by_id(pid)
            moved = list(SM.select(SM.qty, SM.value, SM.location).where(SM.product == pid).tuples())
            assert product.stock == sum(q for q, _v, _l in moved)
            assert product.stock_value == sum(v for _q, v, _l in moved) >= 0
            if product.stock <= 0:
                assert product.stock_value == 0
            else:
                exact = Fraction(product.stock * product.cost, 1000)
                bound = Fraction(product.stock, 2000) + Fraction(self.since_set[pid] + 1, 2) + 1
                assert abs(product.stock_value - exact) <= bound
            for loc in self.locations:
                here = sum(q for q, _v, where in moved if where == loc)
                assert stock.on_hand(pid, loc) == here == self.expected.get((pid, loc), 0)
                for field in (product.stock, product.stock_value, product.cost):
                    assert type(field) is int

    @rule()
    def audit_passes(self) -> None:
        from pos_tui.core.audit import verify

        report = verify(settings=self.settings)
        assert report.ok, report.problems


TestLedger = Ledger.TestCase
TestLedger.settings = settings(
    max_examples=30, stateful_step_count=25, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

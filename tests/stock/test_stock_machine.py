"""The whole stock area as a state machine: goods receipts (some backdated, some with KDV-included
costs), supplier returns, sales and customer returns at the till, adjustments, transfers through
the depot and counts, in random order and at random times, through the services a user calls,
on a real SQLite file.

After every step: on hand per product and location equals the sum of the movements (and the
model the test keeps by itself), the caches agree, the stock value is the sum of the movements'
values, never negative, and within the documented rounding of on hand × average cost
(docs/stock.md); every stored quantity and amount is an integer. ``audit verify`` passes
whenever the machine asks it."""

from __future__ import annotations

import shutil
import tempfile
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from pos_tui.core import audit, catalog, staff, till
from pos_tui.core.basket import Cart, PaymentInput
from pos_tui.core.kernel import from_kurus
from pos_tui.core.stock import counting, moves, receiving
from pos_tui.settings import load_settings
from pos_tui.store import close_database, open_database
from pos_tui.store import models as m

REPO = Path(__file__).resolve().parents[2]
START = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)
CODES = ("1001", "1002", "2001")  # two piece products and one weighed (kg)
places = st.sampled_from(["MAGAZA", "DEPO"])
pieces = st.integers(min_value=1, max_value=12)


class Stock(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(prefix="stock-"))
        self.settings = load_settings(
            {
                "POS_HOME": str(self.dir),
                "POS_DB": str(self.dir / "pos.sqlite3"),
                "POS_CONFIG": str(REPO / "config" / "pos.toml"),
            }
        )
        open_database(self.dir / "pos.sqlite3")
        self.now = START
        admin = staff.add_user("admin", "admin", "9999", now=self.now)
        self.admin = staff.actor_of(admin, self.settings)
        m.Supplier.create(code="S1", name="Toptancı", created_at=START.replace(tzinfo=None))
        catalog.upsert_products(
            [
                catalog.ProductInput(
                    code="1001", name="Çay", price=Decimal("50.00"), cost=Decimal("20.00"), kdv_rate=20
                ),
                catalog.ProductInput(code="1002", name="Şeker", price=Decimal("30.00"), kdv_rate=1),
                catalog.ProductInput(code="2001", name="Peynir", unit="kg", price=Decimal("300.00"), kdv_rate=1),
            ],
            now=self.now,
            kdv_rates=self.settings.kdv_rates,
        )
        moves.add_location("DEPO", "Depo", terminal="T1", now=self.now, user="admin")
        self.ids = {code: m.Product.get(m.Product.code == code).id for code in CODES}
        self.model: dict[tuple[str, str], int] = {}  # (code, location) -> milli-units
        self.receipts: list[int] = []
        self.sales: list[tuple[str, str, int]] = []  # (document uid, code, qty) at the shop floor
        self.since_set: dict[str, int] = dict.fromkeys(CODES, 0)

    def teardown(self) -> None:
        close_database()
        shutil.rmtree(self.dir, ignore_errors=True)

    def _tick(self) -> datetime:
        self.now += timedelta(minutes=11)
        return self.now

    def _moved(self, code: str, where: str, qty: int, *, fresh: bool = False) -> None:
        self.model[(code, where)] = self.model.get((code, where), 0) + qty
        self.since_set[code] = 0 if fresh else self.since_set[code] + 1

    def _qty(self, code: str, n: int) -> int:
        return n * 250 if code == "2001" else n * 1000  # quarter kilos of cheese, whole pieces otherwise

    @rule(
        code=st.sampled_from(CODES),
        n=pieces,
        cost=st.integers(min_value=0, max_value=50_000),
        where=places,
        back=st.sampled_from([0, 0, 2]),
        included=st.booleans(),
    )
    def receipt(self, code: str, n: int, cost: int, where: str, back: int, included: bool) -> None:
        now = self._tick()
        qty = self._qty(code, n)
        info = receiving.post_receipt(
            receiving.ReceiptInput(
                supplier="S1",
                lines=[receiving.ReceiptLineInput(code, qty, from_kurus(cost))],
                document=f"IRS-{len(self.receipts) + 1}",
                date=(now - timedelta(days=back)).date(),
                location=where,
                kdv_included=included,
            ),
            actor=self.admin,
            now=now,
            terminal="T1",
            kdv_rates=self.settings.kdv_rates,
        )
        self.receipts.append(info.number)
        self._moved(code, where, qty, fresh=True)

    @precondition(lambda self: self.receipts)
    @rule(data=st.data())
    def supplier_return(self, data: st.DataObject) -> None:
        number = data.draw(st.sampled_from(self.receipts))
        receipt = receiving.get_receipt(number)
        line = receipt.lines[0]
        left = line.qty - line.returned
        if left <= 0:
            return
        qty = data.draw(st.integers(min_value=1, max_value=left // 250)) * 250 if line.unit == "kg" else 0
        if line.unit != "kg":
            qty = data.draw(st.integers(min_value=1, max_value=left // 1000)) * 1000
        receiving.post_supplier_return(
            number,
            [receiving.SupplierReturnLineInput(qty, line_no=line.line_no)],
            actor=self.admin,
            now=self._tick(),
            terminal="T1",
        )
        self._moved(line.code, receipt.location, -qty, fresh=True)

    @rule(code=st.sampled_from(CODES), n=pieces)
    def sale(self, code: str, n: int) -> None:
        product = m.Product.get_by_id(self.ids[code])
        qty = self._qty(code, n)
        cart = Cart().add(
            product_id=product.id,
            code=code,
            name=product.name,
            unit=product.unit,
            kdv_rate=product.kdv_rate,
            price=from_kurus(product.price),
            qty_milli=qty,
        )
        total = cart.totals().total
        result = till.complete_sale("T1", self.admin, [PaymentInput("cash", total)], now=self._tick(), cart=cart)
        self.sales.append((result.uid, code, qty))
        self._moved(code, "MAGAZA", -qty)

    @precondition(lambda self: self.sales)
    @rule(data=st.data())
    def customer_return(self, data: st.DataObject) -> None:
        ref, code, qty = data.draw(st.sampled_from(self.sales))
        self.sales.remove((ref, code, qty))
        till.create_return(
            "T1", self.admin, ref, [till.ReturnLineInput(1, qty)], now=self._tick(), reason="müşteri iadesi"
        )
        self._moved(code, "MAGAZA", qty)

    @rule(
        code=st.sampled_from(CODES),
        n=st.integers(min_value=-8, max_value=8).filter(bool),
        reason=st.sampled_from(["waste", "damage", "loss", "internal", "correction"]),
        where=places,
    )
    def adjustment(self, code: str, n: int, reason: str, where: str) -> None:
        qty = self._qty(code, n)
        moves.adjust(code, qty, reason, actor=self.admin, terminal="T1", now=self._tick(), location=where)
        self._moved(code, where, qty)

    @rule(code=st.sampled_from(CODES), n=pieces, short=st.integers(min_value=0, max_value=2), there=st.booleans())
    def transfer(self, code: str, n: int, short: int, there: bool) -> None:
        source, destination = ("DEPO", "MAGAZA") if there else ("MAGAZA", "DEPO")
        qty = self._qty(code, n)
        sent = moves.send_transfer(
            source, destination, [(code, qty)], actor=self.admin, terminal="T1", now=self._tick()
        )
        got = qty - self._qty(code, min(short, n))
        moves.receive_transfer(sent.number, {code: got}, actor=self.admin, terminal="T1", now=self._tick())
        self._moved(code, source, -qty)
        self._moved(code, destination, got)
        if got != qty:
            self.since_set[code] += 1  # the shortage written off at the depot's transit location

    @rule(
        where=places,
        counted=st.lists(st.tuples(st.sampled_from(CODES), st.integers(0, 20)), max_size=3),
        zero=st.booleans(),
    )
    def count(self, where: str, counted: list[tuple[str, int]], zero: bool) -> None:
        session = counting.open_count("sayım", actor=self.admin, now=self._tick(), terminal="T1", location=where)
        seen: dict[str, int] = {}
        for code, n in counted:
            qty = self._qty(code, n)
            pid = self.ids[code]
            counting.record_event(
                session.id, pid, qty, uid=counting.new_uid(), actor=self.admin, now=self._tick(), terminal="T1"
            )
            seen[code] = seen.get(code, 0) + qty
        counting.post_count(
            session.id, uncounted="zero" if zero else "leave", actor=self.admin, now=self._tick(), terminal="T1"
        )
        for code in CODES:
            here = self.model.get((code, where), 0)
            if code in seen:
                self._moved(code, where, seen[code] - here)
            elif zero and here:
                self._moved(code, where, -here)

    @invariant()
    def the_ledger_holds(self) -> None:
        SM = m.StockMovement
        for code, pid in self.ids.items():
            product = m.Product.get_by_id(pid)
            rows = list(SM.select(SM.qty, SM.value, SM.location).where(SM.product == pid).tuples())
            assert product.stock == sum(q for q, _v, _l in rows)
            assert product.stock_value == sum(v for _q, v, _l in rows) >= 0
            for number in (product.stock, product.stock_value, product.cost):
                assert type(number) is int
            if product.stock <= 0:
                assert product.stock_value == 0
            else:
                exact = Fraction(product.stock * product.cost, 1000)
                slack = Fraction(product.stock, 2000) + Fraction(self.since_set[code] + 1, 2) + 1
                assert abs(product.stock_value - exact) <= slack
            for where in ("MAGAZA", "DEPO"):
                loc = m.StockLocation.get(m.StockLocation.code == where).id
                here = sum(q for q, _v, at in rows if at == loc)
                level = m.StockLevel.get_or_none((m.StockLevel.product == pid) & (m.StockLevel.location == loc))
                assert (0 if level is None else level.qty) == here == self.model.get((code, where), 0)

    @rule()
    def audit_passes(self) -> None:
        report = audit.verify(settings=self.settings)
        assert report.ok, report.problems


TestStock = Stock.TestCase
TestStock.settings = settings(
    max_examples=20, stateful_step_count=20, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

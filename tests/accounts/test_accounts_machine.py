"""The whole accounts area as a state machine: sales on account (split with cash, in installments),
returns, collections (some for one document), goods receipts and returns to the supplier, payments
to the supplier, cheques received, endorsed, deposited, collected and bounced, opening balances,
corrections and cancellations, in random order at random times, through the services a user
calls, on a real SQLite file.

After every step, for every account: the balance is the sum of its entries and what the test's own
model says the documents put there; the open items add up to the balance, each no larger than its
entry and of its sign, and only one side is open; the aging's not-due part and buckets add up to
the balance on that day exactly; a statement of a random period runs from its opening to its
closing through its lines. ``audit verify`` passes whenever the machine asks it."""

from __future__ import annotations

import shutil
import tempfile
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from accounts_support import NOW_MACHINE, make_books
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from money_support import cart_of, on_account, sell

from pos_tui.core import accounts, audit
from pos_tui.core.basket import PaymentInput
from pos_tui.core.kernel import ValidationError, from_kurus, shop_day, to_kurus
from pos_tui.core.stock import receiving
from pos_tui.core.till import ReturnLineInput, create_return, returnable_lines
from pos_tui.settings import load_settings
from pos_tui.store import close_database, open_database

REPO = Path(__file__).resolve().parents[2]
D = Decimal
TZ = "Europe/Istanbul"
amounts = st.integers(min_value=1, max_value=90_000)  # kuruş


class Books(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(prefix="accounts-"))
        self.settings = load_settings(
            {
                "POS_HOME": str(self.dir),
                "POS_DB": str(self.dir / "pos.sqlite3"),
                "POS_CONFIG": str(REPO / "config" / "pos.toml"),
            }
        )
        open_database(self.dir / "pos.sqlite3")
        self.now = NOW_MACHINE
        self.books = make_books(self.settings, self.now)
        accounts.update_party(accounts.PartyInput(code="BAKKAL", credit_limit=D("1000000")), now=self.now)
        self.model = {"BAKKAL": 0, "ACME": 0}  # kuruş, what the documents put on each account
        self.sales: list[str] = []
        self.receipts: list[int] = []
        self.cheques: list[int] = []
        self.cancellable: list[int] = []  # entry numbers of openings and corrections

    def teardown(self) -> None:
        close_database()
        shutil.rmtree(self.dir, ignore_errors=True)

    def _tick(self, hours: int = 5) -> None:
        self.now += timedelta(hours=hours)

    def _party(self, code: str) -> accounts.PartyInfo:
        return self.books.bakkal if code == "BAKKAL" else self.books.acme

    # -- customers ------------------------------------------------------------------------------

    @rule(pieces=st.integers(1, 6), cash=st.integers(0, 50), installments=st.integers(1, 4))
    def sale_on_account(self, pieces: int, cash: int, installments: int) -> None:
        self._tick()
        total = D(10 * pieces)
        cash_part = min(D(cash), total - D("0.01"))
        payments = [PaymentInput("cash", cash_part)] if cash_part > 0 else []
        owed = total - cash_part
        payments.append(on_account(str(owed), installments=min(installments, int(owed * 100))))
        result = sell(self.books, cart_of(("1001", pieces)), payments, now=self.now)
        self.sales.append(result.uid)
        self.model["BAKKAL"] += to_kurus(owed)

    @precondition(lambda self: self.sales)
    @rule(data=st.data(), original=st.booleans())
    def customer_return(self, data: st.DataObject, original: bool) -> None:
        uid = data.draw(st.sampled_from(self.sales))
        (line,) = returnable_lines(uid)
        if line.remaining_milli < 1000:
            return
        take = data.draw(st.integers(1, line.remaining_milli // 1000))
        self._tick(1)
        ret = create_return(
            "T1",
            self.books.ayse,
            uid,
            [ReturnLineInput(1, take * 1000)],
            now=self.now,
            reason="test",
            refund_method="original" if original else "cash",
        )
        back = sum((D(p["amount"]) for p in ret.document["payments"] if p["method"] == "on_account"), D(0))
        self.model["BAKKAL"] -= to_kurus(back)

    @rule(kurus=amounts, method=st.sampled_from(["cash", "card", "transfer"]), explicit=st.booleans())
    def collection(self, kurus: int, method: str, explicit: bool) -> None:
        self._tick(2)
        target = None
        if explicit:
            items = [i for i in accounts.open_items(self.books.bakkal.id, tz=TZ) if i.open > 0]
            target = items[-1].number if items else None
        accounts.payments.collect(
            accounts.payments.CollectionInput("BAKKAL", from_kurus(kurus), method, applies_to=target),
            actor=self.books.ayse,
            terminal="T1",
            now=self.now,
            tz=TZ,
        )
        self.model["BAKKAL"] -= kurus

    # -- suppliers ------------------------------------------------------------------------------

    @rule(pieces=st.integers(1, 5), cost=st.integers(100, 9_000))
    def goods_receipt(self, pieces: int, cost: int) -> None:
        self._tick()
        before = accounts.balance_kurus(self.books.acme.id)
        info = receiving.post_receipt(
            receiving.ReceiptInput(
                supplier="ACME",
                lines=[receiving.ReceiptLineInput("1003", pieces * 1000, from_kurus(cost))],
                document=f"IRS-{len(self.receipts) + 1}",
            ),
            actor=self.books.admin,
            now=self.now,
            terminal="T1",
            kdv_rates=self.settings.kdv_rates,
            tz=TZ,
        )
        self.receipts.append(info.number)
        gross = to_kurus(info.total)
        assert accounts.balance_kurus(self.books.acme.id) - before == -gross
        self.model["ACME"] -= gross

    @precondition(lambda self: self.receipts)
    @rule(data=st.data())
    def supplier_return(self, data: st.DataObject) -> None:
        number = data.draw(st.sampled_from(self.receipts))
        line = receiving.get_receipt(number).lines[0]
        left = (line.qty - line.returned) // 1000
        if left <= 0:
            return
        self._tick(1)
        before = accounts.balance_kurus(self.books.acme.id)
        receiving.post_supplier_return(
            number,
            [receiving.SupplierReturnLineInput(data.draw(st.integers(1, left)) * 1000, line_no=line.line_no)],
            actor=self.books.admin,
            now=self.now,
            terminal="T1",
        )
        moved = accounts.balance_kurus(self.books.acme.id) - before
        assert moved > 0  # a return to the supplier reduces what the shop owes
        self.model["ACME"] += moved

    @rule(kurus=amounts, method=st.sampled_from(["cash", "transfer"]))
    def supplier_payment(self, kurus: int, method: str) -> None:
        self._tick(2)
        accounts.payments.pay(
            accounts.payments.PaymentOutInput("ACME", from_kurus(kurus), method),
            actor=self.books.admin,
            terminal="T1",
            now=self.now,
            tz=TZ,
        )
        self.model["ACME"] += kurus

    # -- cheques --------------------------------------------------------------------------------

    @rule(kurus=amounts, days=st.integers(0, 120))
    def cheque_received(self, kurus: int, days: int) -> None:
        self._tick(1)
        cheques = accounts.cheques
        done = cheques.receive_cheque(
            cheques.ChequeInput(
                party="BAKKAL",
                amount=from_kurus(kurus),
                due=self.now.date() + timedelta(days=days),
                bank="Ziraat",
                serial=f"S{len(self.cheques) + 1}",
            ),
            actor=self.books.admin,
            terminal="T1",
            now=self.now,
            tz=TZ,
        )
        self.cheques.append(done.number)
        self.model["BAKKAL"] -= kurus

    @precondition(lambda self: self.cheques)
    @rule(data=st.data(), step=st.sampled_from(["endorse", "deposit", "collect", "bounce"]))
    def cheque_step(self, data: st.DataObject, step: str) -> None:
        cheques = accounts.cheques
        number = data.draw(st.sampled_from(self.cheques))
        cheque = cheques.get_cheque(number)
        self._tick(1)
        kw = {"actor": self.books.admin, "terminal": "T1", "now": self.now, "tz": TZ}
        amount = to_kurus(cheque.amount)
        try:
            if step == "endorse":
                cheques.endorse(number, "ACME", **kw)
                self.model["ACME"] += amount
            elif step == "deposit":
                cheques.deposit(number, **kw)
            elif step == "collect":
                cheques.collect_cheque(number, **kw)
            else:
                cheques.bounce(number, **kw)
                self.model["BAKKAL"] += amount
                if cheque.status == "endorsed":
                    self.model["ACME"] -= amount
        except ValidationError:
            assert cheques.get_cheque(number).status == cheque.status  # a refused step writes nothing

    # -- openings, corrections, cancellations ---------------------------------------------------

    @rule(code=st.sampled_from(["BAKKAL", "ACME"]), kurus=amounts, negative=st.booleans(), opening=st.booleans())
    def correction(self, code: str, kurus: int, negative: bool, opening: bool) -> None:
        self._tick(1)
        amount = -kurus if negative else kurus
        kw = {"actor": self.books.admin, "terminal": "T1", "now": self.now, "tz": TZ}
        try:
            if opening:
                posted = accounts.post_opening(code, amount, **kw)
            else:
                posted = accounts.post_correction(code, amount, reason="sayım farkı", **kw)
        except ValidationError:  # one live opening balance per account
            assert opening
            return
        self.cancellable.append(posted.number)
        self.model[code] += amount

    @precondition(lambda self: self.cancellable)
    @rule(data=st.data())
    def cancellation(self, data: st.DataObject) -> None:
        number = data.draw(st.sampled_from(self.cancellable))
        self.cancellable.remove(number)
        entry = accounts.entry_by_number(number)
        self._tick(1)
        accounts.cancel_entry(number, reason="yanlış kayıt", actor=self.books.admin, terminal="T1", now=self.now, tz=TZ)
        code = "BAKKAL" if entry.party_id == self.books.bakkal.id else "ACME"
        self.model[code] -= entry.amount

    # -- the books stay whole -------------------------------------------------------------------

    @invariant()
    def balances_and_open_items(self) -> None:
        for code, expected in self.model.items():
            party = self._party(code)
            entries = accounts.entries(party.id)
            assert accounts.balance_kurus(party.id) == sum(e.amount for e in entries) == expected
            items = accounts.open_items(party.id, tz=TZ)
            assert sum(i.open for i in items) == expected
            assert all(i.open != 0 and (i.open > 0) == (i.amount > 0) and abs(i.open) <= abs(i.amount) for i in items)
            assert len({i.open > 0 for i in items}) <= 1

    @invariant()
    def aging_adds_up(self) -> None:
        for as_of in (shop_day(self.now, TZ), shop_day(self.now, TZ) + timedelta(days=45)):
            report = accounts.reports.aging(as_of, tz=TZ)
            for row in report.parties:
                assert row.not_due + sum(row.buckets) == row.total == row.balance
                assert row.total == accounts.balance_kurus(row.party_id, until=accounts.end_of_day(as_of, TZ))

    @invariant()
    def statement_runs_from_opening_to_closing(self) -> None:
        start, end = NOW_MACHINE.date() + timedelta(days=1), shop_day(self.now, TZ)
        if end < start:
            return
        for code in self.model:
            s = accounts.reports.statement(self._party(code).id, start, end, tz=TZ)
            running = s.opening
            for line in s.lines:
                running += line.debit - line.credit
                assert line.balance == running
            assert running == s.closing == from_kurus(accounts.balance_kurus(self._party(code).id))

    @rule()
    def audit_passes(self) -> None:
        report = audit.verify(settings=self.settings)
        assert report.ok, report.problems


def test_a_shift_s_cash_collection_is_not_cancelled(tmp_path: Path) -> None:
    """Cash through a drawer is counted by its shift's X and Z: cancelling the entry would leave
    the drawer's figures wrong, so it is refused (the money goes back by a payment)."""
    settings_ = load_settings(
        {"POS_HOME": str(tmp_path), "POS_DB": str(tmp_path / "p.sqlite3"), "POS_CONFIG": str(REPO / "config/pos.toml")}
    )
    open_database(tmp_path / "p.sqlite3")
    try:
        from pos_tui.core import cash

        books = make_books(settings_, NOW_MACHINE)
        shift = cash.open_shift("T1", books.ayse, D("0.00"), now=NOW_MACHINE)
        done = accounts.payments.collect(
            accounts.payments.CollectionInput("BAKKAL", D("40.00"), "cash"),
            actor=books.ayse,
            terminal="T1",
            now=NOW_MACHINE,
            shift_id=shift.id,
        )
        try:
            accounts.cancel_entry(done.entry_number, reason="x", actor=books.admin, terminal="T1", now=NOW_MACHINE)
        except ValidationError as exc:
            assert "drawer of shift" in exc.message
        else:
            raise AssertionError("a drawer's collection was cancelled")
    finally:
        close_database()


TestBooks = Books.TestCase
TestBooks.settings = settings(
    max_examples=25, stateful_step_count=16, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

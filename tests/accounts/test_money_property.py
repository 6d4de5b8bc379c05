"""Any sequence of sales on account (split or in installments), returns and collections keeps the
books whole: the balance is what the documents put on the account, the open items add up to it,
and the audit finds nothing."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from accounts_support import Books, books_fixture, quick_pins  # noqa: F401
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from money_support import cart_of, on_account, sell

from pos_tui.core import accounts, audit
from pos_tui.core.basket import PaymentInput
from pos_tui.core.till import ReturnLineInput, create_return
from pos_tui.store import models as m

D = Decimal

sale_op = st.tuples(
    st.just("sale"), st.integers(1, 6), st.integers(0, 60), st.integers(1, 4)
)  # pieces of 10,00; cash part; installments
return_op = st.tuples(st.just("return"), st.integers(0, 10), st.integers(1, 3), st.booleans())
collect_op = st.tuples(st.just("collect"), st.integers(1, 8000), st.sampled_from(["cash", "card", "transfer"]))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(st.one_of(sale_op, return_op, collect_op), min_size=1, max_size=10))
def test_any_sequence_keeps_the_books_whole(books: Books, ops: list[tuple[object, ...]]) -> None:
    accounts.update_party(accounts.PartyInput(code="BAKKAL", credit_limit=D("1000000")), now=books.now)
    start = accounts.balance(books.bakkal.id)
    expected = start
    sales: list[str] = []
    at = books.now + timedelta(hours=m.Sale.select().count() + 1)
    for op in ops:
        at += timedelta(minutes=1)
        if op[0] == "sale":
            _k, pieces, cash, n = op
            total = D(10 * int(pieces))  # type: ignore[call-overload]
            cash_part = min(D(int(cash)), total - D("0.01"))  # type: ignore[call-overload]
            payments = [PaymentInput("cash", cash_part)] if cash_part > 0 else []
            owed = total - cash_part
            installments = min(int(n), int(owed * 100))  # type: ignore[call-overload]
            payments.append(on_account(str(owed), installments=installments))
            result = sell(books, cart_of(("1001", int(pieces))), payments, now=at)  # type: ignore[call-overload]
            sales.append(result.uid)
            expected += total - cash_part
        elif op[0] == "return" and sales:
            _k, which, qty, cash_refund = op
            uid = sales[int(which) % len(sales)]  # type: ignore[call-overload]
            from pos_tui.core.till import returnable_lines

            (line,) = returnable_lines(uid)
            take = min(int(qty), line.remaining_milli // 1000)  # type: ignore[call-overload]
            if take == 0:
                continue
            ret = create_return(
                "T1",
                books.ayse,
                uid,
                [ReturnLineInput(1, take * 1000)],
                now=at,
                reason="test",
                refund_method="cash" if cash_refund else "original",
            )
            back = sum(D(p["amount"]) for p in ret.document["payments"] if p["method"] == "on_account")
            expected -= back
        elif op[0] == "collect":
            _k, kurus, method = op
            amount = D(int(kurus)) / 100  # type: ignore[call-overload]
            accounts.payments.collect(
                accounts.payments.CollectionInput("BAKKAL", amount, str(method)),
                actor=books.ayse,
                terminal="T1",
                now=at,
            )
            expected -= amount
    bal = accounts.balance(books.bakkal.id)
    assert bal == expected
    items = accounts.open_items(books.bakkal.id)
    assert sum(i.open for i in items) == accounts.balance_kurus(books.bakkal.id)
    report = audit.verify(settings=books.settings)
    assert report.ok, report.problems

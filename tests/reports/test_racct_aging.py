"""Receivables and payables aging: small exact numbers, the accounts area's balances, the as-of day,
and (Hypothesis) buckets that always add up to the balance."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from racct_support import Books, books_fixture, post, quick_pins, report, rows_of, summary_of, totals_of  # noqa: F401

from pos_tui.core import accounts

D = Decimal
TODAY = date(2026, 11, 1)
_codes = itertools.count(1)


def customer(books: Books, code: str) -> accounts.PartyInfo:
    return accounts.add_party(accounts.PartyInput(code=code, name=f"Müşteri {code}", kind="customer"), now=books.now)


def test_receivables_by_days_overdue(books: Books) -> None:
    post(books, books.bakkal, "sale", "1000.00", days=-70, due_days=30)  # due 22.09: 40 days overdue
    post(books, books.bakkal, "sale", "500.00", days=-20, due_days=30)  # due 11.11: not yet due
    cafe = customer(books, "CAFE")
    post(books, cafe, "sale", "300.00", days=-125, due_days=30)  # due 29.07: 95 days overdue
    post(books, cafe, "sale", "20.00", days=-12, due_days=0)  # due 20.10: 12 days overdue
    done = report("receivables-aging", books.settings, books.now, TODAY)
    assert rows_of(done) == [
        {
            "code": "BAKKAL",
            "name": "Köşe Bakkalı Ltd.",
            "balance": D("1500.00"),
            "not_due": D("500.00"),
            "d1_30": D(0),
            "d31_60": D("1000.00"),
            "d61_90": D(0),
            "d90_plus": D(0),
        },
        {
            "code": "CAFE",
            "name": "Müşteri CAFE",
            "balance": D("320.00"),
            "not_due": D(0),
            "d1_30": D("20.00"),
            "d31_60": D(0),
            "d61_90": D(0),
            "d90_plus": D("300.00"),
        },
    ]
    assert accounts.balance(books.bakkal.id) == D("1500.00") and accounts.balance(cafe.id) == D("320.00")
    assert totals_of(done)["balance"] == D("1820.00") and totals_of(done)["d90_plus"] == D("300.00")
    assert summary_of(done) == {
        "accounts": 2,
        "balance": D("1820.00"),
        "not_due": D("500.00"),
        "overdue": D("1320.00"),
        "over_90": D("300.00"),
    }
    assert done.chart is not None and done.chart.label == "code" and done.notes == ()
    # a collection settles the oldest item first
    post(books, books.bakkal, "collection", "-200.00")
    (bakkal, _cafe) = rows_of(report("receivables-aging", books.settings, books.now, TODAY))
    assert (bakkal["balance"], bakkal["d31_60"], bakkal["not_due"]) == (D("1300.00"), D("800.00"), D("500.00"))
    assert bakkal["balance"] == accounts.balance(books.bakkal.id)


def test_as_of_the_last_day_of_the_period(books: Books) -> None:
    post(books, books.bakkal, "sale", "1000.00", days=-70, due_days=30)  # 23.08, due 22.09
    post(books, books.bakkal, "sale", "500.00", days=-20, due_days=30)  # 12.10: after 01.10
    cafe = customer(books, "CAFE")
    post(books, cafe, "sale", "300.00", days=-125, due_days=30)  # due 29.07
    done = report("receivables-aging", books.settings, books.now, date(2026, 9, 1), date(2026, 10, 1))
    got = {r["code"]: r for r in rows_of(done)}
    assert (got["BAKKAL"]["balance"], got["BAKKAL"]["d1_30"]) == (D("1000.00"), D("1000.00"))  # 9 days
    assert (got["CAFE"]["balance"], got["CAFE"]["d61_90"]) == (D("300.00"), D("300.00"))  # 64 days
    end = accounts.end_of_day(date(2026, 10, 1), books.settings.shop.timezone)
    assert got["BAKKAL"]["balance"] == accounts.balance(books.bakkal.id, until=end)


def test_payables_are_what_the_shop_owes(books: Books) -> None:
    post(books, books.acme, "receipt", "-750.00", days=-10, due_days=45)  # due 06.11: not yet due
    post(books, books.acme, "receipt", "-400.00", days=-80, due_days=45)  # due 27.09: 35 days overdue
    post(books, books.acme, "payment", "100.00")  # pays the oldest first
    post(books, books.bakkal, "sale", "90.00", due_days=1)  # a customer: not on the payables
    done = report("payables-aging", books.settings, books.now, TODAY, terminal="T1")
    assert rows_of(done) == [
        {
            "code": "ACME",
            "name": "Acme Gıda A.Ş.",
            "balance": D("1050.00"),
            "not_due": D("750.00"),
            "d1_30": D(0),
            "d31_60": D("300.00"),
            "d61_90": D(0),
            "d90_plus": D(0),
        },
    ]
    assert accounts.balance(books.acme.id) == D("-1050.00")
    assert [c.label for c in done.columns][2] == "We owe"
    assert len(done.notes) == 1 and "whole chain" in done.notes[0]  # the terminal filter does not apply
    receivables = rows_of(report("receivables-aging", books.settings, books.now, TODAY))
    assert [r["code"] for r in receivables] == ["BAKKAL"]


def test_a_settled_account_is_left_out(books: Books) -> None:
    post(books, books.bakkal, "sale", "100.00", days=-5, due_days=0)
    post(books, books.bakkal, "collection", "-100.00")
    done = report("receivables-aging", books.settings, books.now, TODAY)
    assert done.rows == () and totals_of(done)["balance"] == D(0)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    moves=st.lists(
        st.tuples(
            st.sampled_from(["sale", "collection", "return"]),
            st.integers(1, 500_000),
            st.integers(0, 200),
            st.integers(0, 120),
        ),
        min_size=1,
        max_size=12,
    ),
    back=st.integers(0, 60),
)
def test_buckets_always_add_up_to_the_balance(books: Books, moves: list[tuple[str, int, int, int]], back: int) -> None:
    party = customer(books, f"H{next(_codes)}")
    for kind, kurus, days_ago, due_days in moves:
        amount = D(kurus) / 100 * (1 if kind == "sale" else -1)
        post(books, party, kind, str(amount), days=-days_ago, due_days=due_days)
    as_of = TODAY - timedelta(days=back)
    done = report("receivables-aging", books.settings, books.now, as_of)
    end = accounts.end_of_day(as_of, books.settings.shop.timezone)
    balance = accounts.balance(party.id, until=end)
    found = [r for r in rows_of(done) if r["code"] == party.code]
    if not found:
        assert balance == 0
        return
    (row,) = found
    parts = [row[k] for k in ("not_due", "d1_30", "d31_60", "d61_90", "d90_plus")]
    assert sum(parts, D(0)) == row["balance"] == balance

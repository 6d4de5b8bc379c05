"""The collections forecast: open items and live cheques by week, from what is known at the end of the
first day; the same receivables and payables as the accounts area's own forecast."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from racct_support import Books, books_fixture, post, quick_pins, report, rows_of, summary_of, totals_of  # noqa: F401

from pos_tui.core import accounts
from pos_tui.core.accounts import cheques

D = Decimal
MONDAY = date(2026, 11, 2)  # the day after the books' "now"


def cheque(books: Books, make: object, party: str, amount: str, due: date, serial: str) -> cheques.ChequeInfo:
    data = cheques.ChequeInput(party=party, amount=D(amount), due=due, bank="Ziraat", serial=serial)
    return make(data, actor=books.admin, terminal="T1", now=books.now)  # type: ignore[operator, no-any-return]


def step(books: Books, func: object, number: int, *args: object, days: int = 0) -> None:
    func(number, *args, actor=books.admin, terminal="T1", now=books.now + timedelta(days=days))  # type: ignore[operator]


def seed(books: Books) -> cheques.ChequeInfo:
    post(books, books.bakkal, "sale", "300.00", days=-20, due_days=8)  # due 20.10
    post(books, books.bakkal, "sale", "400.00", due_days=4)  # due 05.11
    post(books, books.bakkal, "sale", "600.00", due_days=92)  # due 01.02.2027: after the eight weeks
    got = cheque(books, cheques.receive_cheque, "BAKKAL", "250.00", date(2026, 11, 15), "A1")  # settles 250 of 300
    post(books, books.acme, "receipt", "-1000.00", due_days=29)  # due 30.11
    cheque(books, cheques.issue_cheque, "ACME", "200.00", date(2026, 12, 10), "B1")  # pays 200 of it
    cafe = accounts.add_party(accounts.PartyInput(code="CAFE", name="Kafe", kind="customer"), now=books.now)
    assert cafe.code == "CAFE"
    endorsed = cheque(books, cheques.receive_cheque, "CAFE", "100.00", date(2026, 11, 20), "C1")
    step(books, cheques.endorse, endorsed.number, "ACME")  # the supplier's now; pays 100 more
    collected = cheque(books, cheques.receive_cheque, "CAFE", "80.00", date(2026, 11, 3), "C2")
    step(books, cheques.collect_cheque, collected.number)
    return got


def test_weeks_of_receivables_cheques_and_payables(books: Books) -> None:
    seed(books)
    done = report("collections-forecast", books.settings, books.now, MONDAY, date(2026, 11, 30))
    rows = rows_of(done)
    assert [r["week"] for r in rows] == [
        "Overdue",
        "02.11–08.11",
        "09.11–15.11",
        "16.11–22.11",
        "23.11–29.11",
        "30.11–06.12",
        "07.12–13.12",
        "14.12–20.12",
        "21.12–27.12",
    ]
    assert (rows[0]["from"], rows[0]["to"], rows[1]["from"], rows[8]["to"]) == (
        None,
        date(2026, 11, 1),
        MONDAY,
        date(2026, 12, 27),
    )
    keys = ("receivables", "cheques_in", "incoming", "payables", "cheques_out", "outgoing", "net")
    got = {r["week"]: tuple(r[k] for k in keys) for r in rows if any(r[k] for k in keys)}
    assert got == {
        "Overdue": (D("50.00"), D(0), D("50.00"), D(0), D(0), D(0), D("50.00")),  # 300 − the 250 cheque
        "02.11–08.11": (D("400.00"), D(0), D("400.00"), D(0), D(0), D(0), D("400.00")),
        "09.11–15.11": (D(0), D("250.00"), D("250.00"), D(0), D(0), D(0), D("250.00")),  # the cheque's due day
        "30.11–06.12": (D(0), D(0), D(0), D("700.00"), D(0), D("700.00"), D("-700.00")),  # 1,000 − 200 − 100
        "07.12–13.12": (D(0), D(0), D(0), D(0), D("200.00"), D("200.00"), D("-200.00")),  # our cheque
    }  # the endorsed and the collected cheques are no longer ours to collect; CAFE's advance is no collection
    total = totals_of(done)
    assert (total["incoming"], total["outgoing"], total["net"]) == (D("700.00"), D("900.00"), D("-200.00"))
    figures = summary_of(done)
    assert (figures["later_incoming"], figures["later_outgoing"]) == (D("600.00"), D(0))
    assert (figures["overdue_incoming"], figures["net"]) == (D("50.00"), D("-200.00"))
    # the receivables and payables are the accounts area's own forecast's
    end = date(2026, 12, 27)
    tz = books.settings.shop.timezone
    for kind, key in ((accounts.CUSTOMER, "receivables"), (accounts.SUPPLIER, "payables")):
        theirs = accounts.reports.forecast(MONDAY, end, kind=kind, by="week", tz=tz)
        assert theirs.total / 100 == total[key]
    assert done.chart is not None and done.chart.values == ("incoming", "outgoing")


def test_a_short_first_week_and_what_was_known_on_the_first_day(books: Books) -> None:
    got = seed(books)
    step(books, cheques.collect_cheque, got.number, days=4)  # collected on 05.11
    thursday = report("collections-forecast", books.settings, books.now, date(2026, 11, 4))
    rows = rows_of(thursday)
    assert rows[1]["week"] == "04.11–08.11" and rows[1]["from"] == date(2026, 11, 4) and len(rows) == 9
    assert rows[-1]["to"] == date(2026, 12, 27)
    assert sum(r["cheques_in"] for r in rows) == D("250.00")  # still in the portfolio at the end of 04.11
    later = report("collections-forecast", books.settings, books.now, date(2026, 11, 9), terminal="T2")
    assert sum(r["cheques_in"] for r in rows_of(later)) == D(0)  # collected by then
    assert any("whole chain" in n for n in later.notes)

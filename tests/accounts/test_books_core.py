"""Statements, aging, the summary, forecast and the hand-written entries (opening, correction, cancel)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from accounts_support import Books, books_fixture, post, quick_pins  # noqa: F401
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from pos_tui.core import accounts
from pos_tui.core.accounts.items import match
from pos_tui.core.accounts.ledger import Entry
from pos_tui.core.accounts.reports.dues import age_items, bucket_labels, bucket_of
from pos_tui.core.kernel import Override, PermissionDenied, ValidationError
from pos_tui.settings import Settings

reports = accounts.reports
TZ = "Europe/Istanbul"


def test_statement_opening_entries_closing(books: Books) -> None:
    b = books.bakkal
    post(books, b, accounts.SALE, "100.00", days=-10, due_days=30)
    post(books, b, accounts.SALE, "250.50", days=-2, due_days=30)
    post(books, b, accounts.COLLECTION, "-80.00", days=-1)
    post(books, b, accounts.SALE, "40.00", days=3)
    today = books.now.date()
    s = reports.statement(b.id, today - timedelta(days=5), today, tz=TZ)
    assert s.opening == Decimal("100.00")
    assert [(line.debit, line.credit) for line in s.lines] == [
        (Decimal("250.50"), Decimal("0")),
        (Decimal("0"), Decimal("80.00")),
    ]
    assert [line.balance for line in s.lines] == [Decimal("350.50"), Decimal("270.50")]
    assert s.closing == Decimal("270.50") == s.opening + s.total_debit - s.total_credit
    with pytest.raises(ValidationError):
        reports.statement(b.id, today, today - timedelta(days=1), tz=TZ)


def test_cancel_shows_both_marked_and_leaves_open_items(books: Books) -> None:
    b = books.bakkal
    post(books, b, accounts.SALE, "100.00", days=-3, due_days=30)
    wrong = post(books, b, accounts.COLLECTION, "-60.00", days=-2)
    fix = accounts.cancel_entry(wrong.number, reason="wrong amount", actor=books.admin, terminal="T1", now=books.now)
    assert fix.amount == 6000
    s = reports.statement(b.id, books.now.date() - timedelta(days=10), books.now.date(), tz=TZ)
    marked = [line for line in s.lines if line.cancelled]
    assert [line.number for line in marked] == [wrong.number, fix.number]
    assert sum(line.debit - line.credit for line in marked) == 0
    summary = reports.account_summary(b.id, books.now.date(), TZ)
    assert [i.number for i in summary.open_items] == [summary.open_items[0].number]
    assert summary.open_items[0].open == 10000 and summary.balance == Decimal("100.00")
    # twice, a cancellation, an entry of a document: refused
    with pytest.raises(ValidationError, match="already cancelled"):
        accounts.cancel_entry(wrong.number, reason="again", actor=books.admin, terminal="T1", now=books.now)
    with pytest.raises(ValidationError, match="itself a cancellation"):
        accounts.cancel_entry(fix.number, reason="undo", actor=books.admin, terminal="T1", now=books.now)


def test_cancel_refuses_a_document_entry(books: Books) -> None:
    from pos_tui.store import fast
    from pos_tui.store import models as m

    cheque_id = fast.insert_one(
        m.Cheque,
        {
            "number": 1,
            "instrument": "cheque",
            "direction": "received",
            "party": books.bakkal.id,
            "amount": 5000,
            "due": date(2026, 12, 1),
            "status": "portfolio",
            "created_at": books.now.replace(tzinfo=None),
        },
    )
    e = post(books, books.bakkal, accounts.CHEQUE_IN, "-50.00", cheque_id=cheque_id)
    with pytest.raises(ValidationError, match="belongs to a document"):
        accounts.cancel_entry(e.number, reason="x", actor=books.admin, terminal="T1", now=books.now)


def test_opening_and_correction_need_the_accounts_permission(books: Books) -> None:
    with pytest.raises(PermissionDenied):
        accounts.post_opening("BAKKAL", 50000, actor=books.ayse, terminal="T1", now=books.now)
    with pytest.raises(PermissionDenied):
        accounts.post_correction("BAKKAL", 100, reason="x", actor=books.mehmet, terminal="T1", now=books.now)
    opening = accounts.post_opening(
        "BAKKAL", 50000, day=date(2026, 1, 1), actor=books.admin, terminal="T1", now=books.now, tz=TZ
    )
    assert opening.due == date(2026, 1, 1)
    with pytest.raises(ValidationError, match="already has an opening balance"):
        accounts.post_opening("BAKKAL", 100, actor=books.admin, terminal="T1", now=books.now)
    with pytest.raises(ValidationError, match="reason"):
        accounts.post_correction("BAKKAL", 100, reason=" ", actor=books.admin, terminal="T1", now=books.now)
    with pytest.raises(ValidationError, match="32"):
        accounts.post_correction("BAKKAL", 100, reason="x" * 33, actor=books.admin, terminal="T1", now=books.now)
    corr = accounts.post_correction(
        "BAKKAL", -2500, reason="rounding", actor=books.admin, terminal="T1", now=books.now, tz=TZ
    )
    assert corr.kind == accounts.CORRECTION
    assert accounts.balance(books.bakkal.id) == Decimal("475.00")
    # the audit agrees with what was written
    problems: list[str] = []
    accounts.check_accounts(lambda *a, **k: problems.append(str(a)))
    assert problems == []


def test_override_is_journalled(books: Books) -> None:
    from pos_tui.store import models as m

    admin_override = Override(supervisor=books.admin, reason="PIN")
    accounts.post_correction(
        "BAKKAL", 100, reason="typo", actor=books.ayse, terminal="T1", now=books.now, override=admin_override
    )
    J = m.JournalEntry
    assert J.select().where(J.kind == "override").count() == 1


def test_summary_available_credit_and_overdue(books: Books) -> None:
    b = books.bakkal
    post(books, b, accounts.SALE, "700.00", days=-40, due_days=30)  # 10 days overdue
    post(books, b, accounts.SALE, "500.00", days=-1, due_days=30)
    s = reports.account_summary(b.id, books.now.date(), TZ)
    assert (s.balance, s.credit_limit, s.available_credit, s.overdue) == (
        Decimal("1200.00"),
        Decimal("1000.00"),
        Decimal("0"),
        Decimal("700.00"),
    )
    supplier = reports.account_summary(books.acme.id, books.now.date(), TZ)
    assert supplier.credit_limit is None and supplier.available_credit is None
    data = reports.summary_json(s)
    assert data["balance"] == "1200.00" and data["open_items"][0]["open"] == "700.00"


def test_bucket_rule() -> None:
    assert bucket_labels((30, 60, 90)) == ["0-30", "31-60", "61-90", "90+"]
    assert [bucket_of(d, (30, 60, 90)) for d in (-5, 0, 1, 30, 31, 60, 61, 90, 91)] == [
        None, None, 0, 0, 1, 1, 2, 2, 3,
    ]  # fmt: skip
    with pytest.raises(ValidationError):
        reports.parse_buckets("60,30")
    with pytest.raises(ValidationError):
        reports.parse_buckets("a,b")


def test_aging_report_over_parties(books: Books) -> None:
    post(books, books.bakkal, accounts.SALE, "300.00", days=-100, due_days=30)  # 70 days overdue
    post(books, books.bakkal, accounts.SALE, "200.00", days=-5, due_days=30)  # not due
    post(books, books.bakkal, accounts.COLLECTION, "-50.00", days=-1)  # settles the oldest
    post(books, books.acme, accounts.RECEIPT, "-400.00", days=-50, due_days=45)  # 5 days overdue, payable
    report = reports.aging(books.now.date(), tz=TZ)
    data = report.as_json()
    by_code = {p["code"]: p for p in data["parties"]}
    assert by_code["BAKKAL"]["buckets"] == {"0-30": "0.00", "31-60": "0.00", "61-90": "250.00", "90+": "0.00"}
    assert by_code["BAKKAL"]["not_due"] == "200.00" and by_code["BAKKAL"]["total"] == "450.00"
    assert by_code["ACME"]["buckets"]["0-30"] == "-400.00"
    assert data["totals"]["total"] == "50.00"
    only = reports.aging(books.now.date(), kind="customer", tz=TZ)
    assert [r.code for r in only.parties] == ["BAKKAL"]


def test_forecast_overdue_first(books: Books) -> None:
    post(books, books.bakkal, accounts.SALE, "300.00", days=-40, due_days=30)  # overdue
    post(books, books.bakkal, accounts.SALE, "200.00", days=0, due_days=3)
    post(books, books.bakkal, accounts.SALE, "100.00", days=0, due_days=5)
    today = books.now.date()
    f = reports.forecast(today, today + timedelta(days=30), tz=TZ)
    assert [(g.overdue, g.amount) for g in f.groups] == [(True, 30000), (False, 20000), (False, 10000)]
    weekly = reports.forecast(today, today + timedelta(days=30), by="week", tz=TZ)
    assert sum(g.amount for g in weekly.groups) == f.total == 60000


def test_statement_slip(books: Books) -> None:
    post(books, books.bakkal, accounts.SALE, "100.00", days=-1, due_days=30)
    s = reports.statement(books.bakkal.id, books.now.date() - timedelta(days=3), books.now.date(), tz=TZ)
    job = reports.statement_slip(s, books.settings, width=42)
    assert all(len(line.text) <= 42 for line in job.lines)
    texts = "\n".join(line.text for line in job.lines)
    assert "100.00" in texts and "BAKKAL" in texts


# -- the aging property: not_due + Σ buckets == total == balance, exactly ------------------------

DAY0 = date(2026, 1, 1)


@st.composite
def ledgers(draw: st.DrawFn) -> list[Entry]:
    from datetime import UTC, datetime

    n = draw(st.integers(min_value=0, max_value=25))
    out: list[Entry] = []
    for i in range(n):
        kind = draw(st.sampled_from(["sale", "collection", "return", "correction"]))
        amount = draw(st.integers(min_value=1, max_value=500_000))
        if kind in ("collection", "return") or (kind == "correction" and draw(st.booleans())):
            amount = -amount
        day = draw(st.integers(min_value=0, max_value=200))
        due = day + draw(st.integers(min_value=0, max_value=90))
        applies = None
        if out and draw(st.integers(0, 4)) == 0:
            applies = draw(st.sampled_from(out)).id
        at = datetime(2026, 1, 1, 9, tzinfo=UTC) + timedelta(days=day, minutes=i)
        out.append(
            Entry(
                i + 1,
                i + 1,
                1,
                kind,
                at,
                DAY0 + timedelta(days=due),
                amount,
                None,
                None,
                applies,
                None,
                None,
                None,
                None,
            )
        )
    live = [e for e in out if e.cancels is None]
    for target in draw(st.lists(st.sampled_from(live), unique_by=lambda e: e.id, max_size=3)) if live else []:
        n = len(out)
        out.append(
            Entry(
                n + 1,
                n + 1,
                1,
                "cancel",
                target.at + timedelta(days=1),
                target.due,
                -target.amount,
                None,
                None,
                None,
                target.id,
                None,
                None,
                None,
            )
        )
    return out


@hsettings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    ledger=ledgers(),
    as_of=st.integers(min_value=0, max_value=320),
    bounds=st.lists(st.integers(1, 200), min_size=1, max_size=5, unique=True).map(sorted),
)
def test_aging_buckets_add_up_to_the_balance(ledger: list[Entry], as_of: int, bounds: list[int]) -> None:
    from pos_tui.core.accounts.items import end_of_day

    day = DAY0 + timedelta(days=as_of)
    until = end_of_day(day, TZ)
    seen = sorted((e for e in ledger if e.at < until), key=lambda e: (e.at, e.number))
    items = match(seen, TZ)
    not_due, per = age_items(items, day, bounds)
    balance = sum(e.amount for e in seen)
    assert not_due + sum(per) == sum(i.open for i in items) == balance
    assert all(abs(i.open) <= abs(i.amount) and (i.open > 0) == (i.amount > 0) for i in items)


def test_aging_matches_balance_on_the_database(books: Books, settings: Settings) -> None:
    """The streamed one-query path agrees with each party's balance."""
    b, a = books.bakkal, books.acme
    for i in range(12):
        post(books, b, accounts.SALE, f"{10 + i}.25", days=-i * 9, due_days=30)
        post(books, a, accounts.RECEIPT, f"-{30 + i}.10", days=-i * 7, due_days=45)
        if i % 3 == 0:
            post(books, b, accounts.COLLECTION, "-25.00", days=-i * 5)
    for day in (books.now.date() - timedelta(days=40), books.now.date(), books.now.date() + timedelta(days=100)):
        report = reports.aging(day, buckets=(15, 45), tz=TZ)
        for row in report.parties:
            from pos_tui.core.accounts.items import end_of_day

            assert (
                row.not_due + sum(row.buckets)
                == row.total
                == accounts.balance_kurus(row.party_id, until=end_of_day(day, TZ))
            )


_codes = iter(range(1, 10**6))


@hsettings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    amounts=st.lists(
        st.tuples(st.integers(-60, 0), st.integers(-90_000, 90_000).filter(bool), st.booleans()), max_size=12
    ),
    start=st.integers(-70, 5),
    length=st.integers(0, 80),
)
def test_statement_opening_plus_entries_is_closing(
    books: Books, amounts: list[tuple[int, int, bool]], start: int, length: int
) -> None:
    from pos_tui.core.accounts.items import end_of_day
    from pos_tui.core.kernel import from_kurus

    party = accounts.add_party(accounts.PartyInput(code=f"P{next(_codes)}", name="Deneme"), now=books.now)
    for days, amount, cancel in amounts:
        entry = post(books, party, accounts.CORRECTION, str(from_kurus(amount)), days=days, reason="test")
        if cancel:
            accounts.cancel_entry(entry.number, reason="x", actor=books.admin, terminal="T1", now=books.now)
    first = books.now.date() + timedelta(days=start)
    last = first + timedelta(days=length)
    s = reports.statement(party.id, first, last, tz=TZ)
    assert s.opening + s.total_debit - s.total_credit == s.closing
    assert s.closing == accounts.balance(party.id, until=end_of_day(last, TZ))
    running = s.opening
    for line in s.lines:
        running += line.debit - line.credit
        assert line.balance == running


@pytest.mark.postgres
def test_reports_on_postgresql(pg_db: object, settings: Settings, now: object) -> None:
    """The raw cursor reader gets datetimes and dates from psycopg2, text from SQLite: both work."""
    from accounts_support import make_books

    pg_books = make_books(settings, now)  # type: ignore[arg-type]
    b = pg_books.bakkal
    post(pg_books, b, accounts.SALE, "700.00", days=-40, due_days=30)
    wrong = post(pg_books, b, accounts.COLLECTION, "-80.00", days=-3)
    accounts.cancel_entry(wrong.number, reason="x", actor=pg_books.admin, terminal="T1", now=pg_books.now)
    post(pg_books, b, accounts.COLLECTION, "-100.00", days=-1)
    today = pg_books.now.date()
    s = reports.statement(b.id, today - timedelta(days=10), today, tz=TZ)
    assert (s.opening, s.closing, [line.cancelled for line in s.lines]) == (
        Decimal("700.00"),
        Decimal("600.00"),
        [True, False, True],
    )
    report = reports.aging(today, tz=TZ)
    (row,) = report.parties
    assert (row.code, row.buckets, row.total) == ("BAKKAL", (60000, 0, 0, 0), 60000)


def test_statement_csv_keeps_a_formula_as_text(books: Books) -> None:
    import csv
    import io

    post(books, books.bakkal, accounts.SALE, "10.00", document="=cmd|'/C calc'!A0")
    s = reports.statement(books.bakkal.id, books.now.date(), books.now.date(), tz=TZ)
    rows = list(csv.reader(io.StringIO(reports.statement_csv(s)), delimiter=";"))
    assert rows[2][4] == "'=cmd|'/C calc'!A0" and rows[2][5] == "10.00"

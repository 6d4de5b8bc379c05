"""Automatic entries: cheques, installments, supplier payments, overdue customers, coupons and open
counts appear within the window, follow their document (amount, due date) and close themselves
when it is settled; refresh is idempotent; they cannot be edited by hand."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from agenda_support import TZ, Books, books_fixture, cheque, post, quick_pins  # noqa: F401
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from pos_tui.core import accounts, agenda
from pos_tui.core.kernel import ValidationError, to_db
from pos_tui.store import models as m


def by_source(now: datetime) -> dict[str, agenda.AgendaInfo]:
    return {e.source: e for e in agenda.list_entries(now=now, tz=TZ, include_done=True) if e.source}


def refresh(now: datetime) -> agenda.RefreshResult:
    return agenda.refresh(now=now, tz=TZ, days=7, language="tr")


def test_cheques_falling_due_appear_update_and_close(books: Books) -> None:
    now = books.now  # Sunday 01.11.2026
    soon = cheque(books, 1, 150_000, date(2026, 11, 5))
    cheque(books, 2, 90_000, date(2026, 12, 20))  # outside the 7 days: not yet
    issued = cheque(books, 3, 40_000, date(2026, 11, 2), status="issued", direction="issued")
    cheque(books, 4, 10_000, date(2026, 11, 3), status="collected")
    assert refresh(now).added == 2
    found = by_source(now)
    assert set(found) == {f"cheque:{soon.id}", f"cheque:{issued.id}"}
    e = found[f"cheque:{soon.id}"]
    assert e.title == "Cheque No. 1 from BAKKAL falls due: 1.500,00"
    assert (e.link, e.role, e.all_day, e.status) == ("cheque:1", "admin", True, "open")
    assert e.due_at == agenda.parse_moment("05.11.2026", TZ)[0]
    assert refresh(now) == agenda.RefreshResult(0, 0, 0, 0)  # idempotent, nothing written
    # the amount and due date change: the entry follows
    m.Cheque.update(amount=160_000, due=date(2026, 11, 6)).where(m.Cheque.id == soon.id).execute()
    assert refresh(now).updated == 1
    e = by_source(now)[f"cheque:{soon.id}"]
    assert "1.600,00" in e.title and e.due_at == agenda.parse_moment("06.11.2026", TZ)[0]
    # collected: done by nobody
    m.Cheque.update(status="collected").where(m.Cheque.id == soon.id).execute()
    assert refresh(now).closed == 1
    e = by_source(now)[f"cheque:{soon.id}"]
    assert (e.status, e.done_by) == ("done", None)
    with pytest.raises(ValidationError, match="cannot be edited"):
        agenda.edit_entry(e.id, now=now, tz=TZ, title="El ile")


def test_installments_and_overdue_customers_close_when_paid(books: Books) -> None:
    now = books.now
    first = post(books, books.bakkal, accounts.SALE, "100", days=-40, due_days=35, installment=1)  # due 27.10
    second = post(books, books.bakkal, accounts.SALE, "100", days=-40, due_days=43, installment=2)  # due 04.11
    post(books, books.bakkal, accounts.SALE, "100", days=-40, due_days=80, installment=3)  # due 11.12: later
    refresh(now)
    found = by_source(now)
    assert set(found) == {f"installment:{first.id}", f"installment:{second.id}", "overdue:BAKKAL"}
    assert found["overdue:BAKKAL"].title == "BAKKAL is overdue: 100,00"
    assert found[f"installment:{second.id}"].title == "Installment 2 of BAKKAL falls due: 100,00"
    assert found["overdue:BAKKAL"].is_overdue(now, TZ)
    # a collection of 150 settles the first installment and half the second (oldest first)
    post(books, books.bakkal, accounts.COLLECTION, "-150", method="cash")
    result = refresh(now)
    assert (result.closed, result.updated) == (2, 1)
    found = by_source(now)
    assert found[f"installment:{first.id}"].status == "done"
    assert found["overdue:BAKKAL"].status == "done"
    assert found[f"installment:{second.id}"].title == "Installment 2 of BAKKAL falls due: 50,00"
    # the second becomes overdue a week later: the overdue entry comes back
    later = now + timedelta(days=7)
    refresh(later)
    assert by_source(later)["overdue:BAKKAL"].status == "open"


def test_supplier_payments_due(books: Books) -> None:
    now = books.now
    receipt = post(books, books.acme, accounts.RECEIPT, "-500", days=-40, due_days=45, document="stock:receipt-1")
    post(books, books.acme, accounts.RECEIPT, "-300", days=0, due_days=45)  # due mid December: later
    refresh(now)
    found = by_source(now)
    assert set(found) == {f"payable:{receipt.id}"}
    assert found[f"payable:{receipt.id}"].title == "Pay ACME: 500,00 (stock:receipt-1)"
    post(books, books.acme, accounts.PAYMENT, "500", method="transfer")
    assert refresh(now).closed == 1
    assert by_source(now)[f"payable:{receipt.id}"].status == "done"


def test_coupons_and_counts(books: Books) -> None:
    now = books.now
    created = to_db(now)
    ending = m.Coupon.create(
        code="YIL10", kind="percent", percent_bp=1000, valid_to=date(2026, 11, 4), created_at=created
    )
    m.Coupon.create(code="SONRA", kind="percent", percent_bp=1000, valid_to=date(2027, 1, 1), created_at=created)
    m.Coupon.create(code="BITTI", kind="percent", percent_bp=1000, valid_to=date(2026, 10, 1), created_at=created)
    loc = m.StockLocation.get_or_none(m.StockLocation.is_default == True)  # noqa: E712
    if loc is None:
        loc = m.StockLocation.create(code="MAGAZA", name="Mağaza", is_default=True, created_at=created)
    session = m.CountSession.create(name="Raf 3", location=loc.id, opened_at=created, opened_by=books.admin.user_id)
    refresh(now)
    found = by_source(now)
    assert set(found) == {f"coupon:{ending.id}", f"count:{session.id}"}
    assert found[f"coupon:{ending.id}"].title == "Coupon YIL10 ends on 04.11.2026"
    count = found[f"count:{session.id}"]
    assert (count.role, count.all_day, count.title) == ("admin", False, "Stock count 'Raf 3' is open")
    assert agenda.due_for(books.ayse, now=now, tz=TZ) == []  # the books are the admins'
    assert [e.id for e in agenda.due_for(books.admin, now=now, tz=TZ)] == [count.id]
    ending.active = False
    ending.save()
    m.CountSession.update(status="posted").where(m.CountSession.id == session.id).execute()
    assert refresh(now).closed == 2


def test_done_by_hand_stays_done_until_the_facts_change(books: Books) -> None:
    now = books.now
    row = cheque(books, 1, 150_000, date(2026, 11, 5))
    refresh(now)
    e = by_source(now)[f"cheque:{row.id}"]
    agenda.mark_done(e.id, actor=books.admin, now=now, tz=TZ)
    refresh(now)
    assert by_source(now)[f"cheque:{row.id}"].status == "done"
    m.Cheque.update(due=date(2026, 11, 6)).where(m.Cheque.id == row.id).execute()
    assert refresh(now).reopened == 1
    assert by_source(now)[f"cheque:{row.id}"].status == "open"


def test_a_title_in_another_language_does_not_bring_a_done_entry_back(books: Books) -> None:
    now = books.now
    row = cheque(books, 1, 150_000, date(2026, 11, 5))
    agenda.refresh(now=now, tz=TZ, days=7, language="en")
    e = by_source(now)[f"cheque:{row.id}"]
    agenda.mark_done(e.id, actor=books.admin, now=now, tz=TZ)
    from pos_tui.i18n import set_language

    set_language("tr")
    try:
        result = agenda.refresh(now=now, tz=TZ, days=7, language="tr")
    finally:
        set_language("en")
    assert (result.updated, result.reopened) == (1, 0)
    after = agenda.get_entry(e.id)
    assert after.status == "done" and after.title != e.title  # retitled, still done


def test_campaigns_ending_soon(books: Books) -> None:
    from pos_tui.core.loyalty.rules import versions

    now = books.now
    rules = """
[[promotions]]
code = "kasim"
name = "Kasım fırsatı"
kind = "buy_x_get_y"
buy = 1
get = 1
products = ["1001"]
valid_from = 2026-10-01
valid_to = 2026-11-05

[[promotions]]
code = "yilbasi"
name = "Yılbaşı"
kind = "buy_x_get_y"
buy = 2
get = 1
products = ["1002"]
valid_to = 2026-12-31

[[promotions]]
code = "surekli"
name = "Sürekli"
kind = "buy_x_get_y"
buy = 2
get = 1
products = ["1003"]
"""
    versions._reset_cache()
    try:
        versions.apply_rules(rules, now=now)
        refresh(now)
        found = by_source(now)
        assert set(found) == {"campaign:kasim"}
        assert found["campaign:kasim"].title == "Campaign Kasım fırsatı ends on 05.11.2026"
        later = now + timedelta(days=5)  # 06.11: the window ended
        assert refresh(later).closed == 1
        assert by_source(later)["campaign:kasim"].status == "done"
    finally:
        versions._reset_cache()


def test_entries_read_in_bulk_are_the_ledgers(books: Books) -> None:
    """The refresh reads every party's entries in one go; they must be exactly what
    ``accounts.entries`` gives (same fields, same order), cancellations and matches included."""
    sale = post(books, books.bakkal, accounts.SALE, "100", days=-10, due_days=5, installment=1)
    post(books, books.bakkal, accounts.SALE, "50", days=-20, due_days=30)
    wrong = post(books, books.bakkal, accounts.COLLECTION, "-30", days=-3, method="cash")
    post(books, books.bakkal, accounts.CANCEL, "30", days=-2, cancels=wrong.id)
    post(books, books.bakkal, accounts.COLLECTION, "-40", days=-1, method="card", applies_to=sale.id)
    post(books, books.acme, accounts.RECEIPT, "-500", days=-40, due_days=45, document="stock:receipt-1")
    bulk = accounts.entries_of([books.bakkal.id, books.acme.id])
    for party in (books.bakkal, books.acme):
        assert bulk[party.id] == accounts.entries(party.id)
        assert accounts.match(bulk[party.id], TZ) == accounts.open_items(party.id, tz=TZ)


def test_a_snoozed_automatic_entry_stays_snoozed_when_it_changes(books: Books) -> None:
    now = books.now
    row = cheque(books, 1, 150_000, date(2026, 11, 5))
    refresh(now)
    e = by_source(now)[f"cheque:{row.id}"]
    until = agenda.tomorrow_morning(now, TZ)
    agenda.snooze(e.id, until, now=now)
    m.Cheque.update(amount=170_000).where(m.Cheque.id == row.id).execute()
    assert refresh(now).updated == 1
    after = agenda.get_entry(e.id)
    assert after.snoozed_until == until and "1.700,00" in after.title


@hsettings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.tuples(st.integers(-10, 30), st.sampled_from(["portfolio", "issued", "collected", "endorsed"])),
        max_size=8,
    ),
    st.lists(st.tuples(st.integers(0, 8), st.integers(-10, 30), st.sampled_from(["portfolio", "collected"]))),
)
def test_refresh_follows_any_cheque_history(books: Books, first: list, changes: list) -> None:
    """Whatever cheques exist and however they change, after a refresh the open automatic entries
    are exactly the cheques still to be paid or collected within the window (or already shown),
    and a second refresh changes nothing."""
    m.AgendaEntry.delete().execute()
    m.Cheque.delete().execute()
    now = books.now
    today = date(2026, 11, 1)
    rows = [cheque(books, n + 1, 1000 * (n + 1), today + timedelta(days=d), status=s) for n, (d, s) in enumerate(first)]
    refresh(now)
    for index, days, status in changes:
        if rows:
            target = rows[index % len(rows)]
            m.Cheque.update(due=today + timedelta(days=days), status=status).where(m.Cheque.id == target.id).execute()
        refresh(now)
    assert refresh(now) == agenda.RefreshResult(0, 0, 0, 0)
    shown = {e.source for e in agenda.list_entries(now=now, tz=TZ) if e.source}
    live = {f"cheque:{c.id}": c for c in m.Cheque.select() if c.status in ("portfolio", "issued")}
    assert shown <= set(live)
    assert {s for s, c in live.items() if c.due <= today + timedelta(days=7)} <= shown

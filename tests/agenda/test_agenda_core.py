"""Agenda entries: add with validation, recurrence (next occurrence, done moves forward, COUNT and
UNTIL), snooze, reopen, visibility by user and role, holiday and weekend flags."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from agenda_support import TZ, Books, books_fixture, quick_pins  # noqa: F401
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from pos_tui.core import agenda
from pos_tui.core.kernel import NotFound, ValidationError
from pos_tui.store import models as m


def at(text: str) -> datetime:
    return agenda.parse_moment(text, TZ)[0]


def add(books: Books, title: str = "Kasayı say", **kw: object) -> agenda.AgendaInfo:
    return agenda.add_entry(agenda.AgendaInput(title=title, **kw), actor=books.admin, now=books.now, tz=TZ)  # type: ignore[arg-type]


def test_parse_moment_accepts_turkish_and_iso() -> None:
    assert agenda.parse_moment("29.10.2026 14:30", TZ) == (datetime(2026, 10, 29, 11, 30, tzinfo=UTC), True)
    assert agenda.parse_moment("2026-10-29T14:30", TZ) == (datetime(2026, 10, 29, 11, 30, tzinfo=UTC), True)
    assert agenda.parse_moment("2026-10-29", TZ) == (datetime(2026, 10, 28, 21, 0, tzinfo=UTC), False)
    with pytest.raises(ValidationError, match="not a date"):
        agenda.parse_moment("31.02.2026", TZ)
    with pytest.raises(ValidationError, match="not a time"):
        agenda.parse_moment("29.10.2026 25:99", TZ)


def test_add_validates_title_link_assignee_and_rule(books: Books) -> None:
    e = add(books, "Bakkal'ı ara", text="Çek için", due=at("03.11.2026 10:00"), link="party:BAKKAL", user="ayse")
    assert (e.link, e.user, e.role, e.status, e.kind) == ("party:BAKKAL", "ayse", None, "open", "task")
    assert e.due_at == datetime(2026, 11, 3, 7, 0, tzinfo=UTC)
    assert add(books, link="product:1001").link == "product:1001"
    with pytest.raises(NotFound, match="no account 'YOK'"):
        add(books, link="party:YOK")
    with pytest.raises(NotFound, match="cheque"):
        add(books, link="cheque:5")
    with pytest.raises(NotFound, match="no document 'receipt-9'"):
        add(books, link="document:receipt-9")
    with pytest.raises(ValidationError, match="party:CODE"):
        add(books, link="musteri:BAKKAL")
    with pytest.raises(ValidationError, match="needs a title"):
        add(books, "   ")
    with pytest.raises(ValidationError, match="not both"):
        add(books, user="ayse", role="cashier")
    with pytest.raises(NotFound, match="no user"):
        add(books, user="kimse")
    with pytest.raises(ValidationError, match="not a recurrence rule"):
        add(books, due=at("03.11.2026 10:00"), rrule="FREQ=SOMETIMES")
    with pytest.raises(ValidationError, match="needs a due date"):
        add(books, rrule="FREQ=DAILY")
    with pytest.raises(ValidationError, match="no date on or after"):
        add(books, due=at("03.11.2026 10:00"), rrule="FREQ=DAILY;UNTIL=20250101")
    with pytest.raises(ValidationError, match="card number"):
        add(books, "Kart 4111 1111 1111 1111")
    assert m.AgendaEntry.select().count() == 2  # nothing half-written


def test_recurring_done_moves_to_the_next_occurrence(books: Books) -> None:
    # every Monday 09:00 from Monday 2 November 2026, three times
    e = add(books, "Haftalık sipariş", due=at("02.11.2026 09:00"), rrule="rrule:freq=weekly;byday=mo;count=3")
    assert e.rrule == "FREQ=WEEKLY;BYDAY=MO;COUNT=3"
    moved = agenda.mark_done(e.id, actor=books.ayse, now=at("02.11.2026 09:30"), tz=TZ)
    assert (moved.status, moved.due_at, moved.rrule) == ("open", at("09.11.2026 09:00"), "FREQ=WEEKLY;BYDAY=MO;COUNT=2")
    # missed two weeks: done on 25.11 skips the passed ones and the rule is over
    closed = agenda.mark_done(e.id, actor=books.ayse, now=at("25.11.2026 12:00"), tz=TZ)
    assert (closed.status, closed.done_by) == ("done", "ayse")


def test_first_occurrence_follows_the_rule_and_open_ended_rules_are_lazy(books: Books) -> None:
    # due on Sunday 1 November, rule on the 15th of each month: the first one is 15 November
    e = add(books, "Kira", due=at("01.11.2026 10:00"), rrule="FREQ=MONTHLY;BYMONTHDAY=15")
    assert e.due_at == at("15.11.2026 10:00")
    nxt = agenda.next_occurrence(e.rrule or "", e.due_at, at("20.11.2026 08:00"), TZ)
    assert nxt == (at("15.12.2026 10:00"), "FREQ=MONTHLY;BYMONTHDAY=15")
    assert (
        agenda.next_occurrence("FREQ=DAILY;UNTIL=20261110T000000Z", at("08.11.2026 09:00"), at("09.11.2026 10:00"), TZ)
        is None
    )


@hsettings(max_examples=40, deadline=None)
@given(st.integers(1, 400), st.integers(1, 30), st.sampled_from(["DAILY", "WEEKLY", "MONTHLY"]))
def test_next_occurrence_is_after_due_and_now(offset: int, interval: int, freq: str) -> None:
    due = datetime(2026, 1, 5, 6, 0, tzinfo=UTC)
    now = due + timedelta(days=offset)
    found = agenda.next_occurrence(f"FREQ={freq};INTERVAL={interval}", due, now, TZ)
    assert found is not None
    assert found[0] > now and found[0] > due
    assert agenda.parse_moment(found[0].astimezone(UTC).isoformat()[:10], "UTC")  # a real day


def test_snooze_hides_until_then_and_reopen(books: Books) -> None:
    e = add(books, "Vitrin", due=at("01.11.2026 09:00"))
    now = books.now  # 01.11.2026 10:15
    assert [x.id for x in agenda.list_entries(now=now, tz=TZ)] == [e.id]
    later = agenda.tomorrow_morning(now, TZ)
    assert later == at("02.11.2026 09:00")
    agenda.snooze(e.id, later, now=now)
    assert agenda.list_entries(now=now, tz=TZ) == []
    assert [x.id for x in agenda.list_entries(now=later + timedelta(minutes=1), tz=TZ)] == [e.id]
    with pytest.raises(ValidationError, match="future"):
        agenda.snooze(e.id, now - timedelta(hours=1), now=now)
    agenda.mark_done(e.id, actor=books.admin, now=now, tz=TZ)
    with pytest.raises(ValidationError, match="done; reopen"):
        agenda.snooze(e.id, later, now=now)
    back = agenda.reopen(e.id, now=now)
    assert (back.status, back.done_at, back.snoozed_until) == ("open", None, None)
    with pytest.raises(ValidationError, match="already open"):
        agenda.reopen(e.id, now=now)


def test_login_list_shows_own_role_and_everyones_overdue_and_today(books: Books) -> None:
    now = books.now
    mine = add(books, "Ayşe'nin", due=at("31.10.2026 09:00"), user="ayse")
    role = add(books, "Kasiyerler", due=at("01.11.2026 18:00"), role="cashier")
    everyone = add(books, "Herkes", due=at("01.11.2026"), all_day=True)
    add(books, "Mehmet'in", due=at("01.11.2026 09:00"), user="mehmet")
    add(books, "Yöneticiler", due=at("01.11.2026 09:00"), role="admin")
    add(books, "Yarın", due=at("02.11.2026 09:00"), user="ayse")
    add(books, "Tarihsiz", user="ayse")
    assert [e.id for e in agenda.due_for(books.ayse, now=now, tz=TZ)] == [mine.id, everyone.id, role.id]
    assert [e.title for e in agenda.list_entries(now=now, tz=TZ, overdue_only=True)] == [
        "Ayşe'nin",
        "Mehmet'in",
        "Yöneticiler",
    ]


def test_holiday_and_weekend_flags() -> None:
    assert agenda.day_flags(date(2026, 10, 29)) == agenda.DayFlags("Cumhuriyet Bayramı", False)
    assert agenda.day_flags(date(2026, 3, 20)).holiday == "Ramazan Bayramı"
    assert agenda.day_flags(date(2026, 5, 27)).holiday == "Kurban Bayramı"
    assert agenda.day_flags(date(2026, 11, 1)) == agenda.DayFlags(None, True)  # a Sunday
    assert not agenda.day_flags(date(2026, 11, 2)).flagged  # a Monday


def test_edit_typed_entry(books: Books) -> None:
    e = add(books, "Eski", due=at("03.11.2026 10:00"))
    changed = agenda.edit_entry(e.id, now=books.now, tz=TZ, title="Yeni", due=at("04.11.2026 11:00"))
    assert (changed.title, changed.due_at) == ("Yeni", at("04.11.2026 11:00"))

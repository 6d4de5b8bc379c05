"""The agenda on PostgreSQL (entries, recurrence, automatic entries, the iCalendar export), and two
terminals refreshing the automatic entries at once, on SQLite and PostgreSQL: each source's entry
is written exactly once.

Needs ``POS_TEST_PG_URL`` for the PostgreSQL cases (``source .ci/postgres.sh``)."""

from __future__ import annotations

import threading
from datetime import date, datetime

import peewee
import pytest
from agenda_support import TZ, cheque, make_books, post, quick_pins  # noqa: F401
from icalendar import Calendar

from pos_tui.core import accounts, agenda
from pos_tui.settings import Settings
from pos_tui.store import models as m


def _exercise(settings: Settings, now: datetime) -> None:
    books = make_books(settings, now)
    first = agenda.add_entry(
        agenda.AgendaInput(
            title="Haftalık sipariş",
            due=agenda.parse_moment("02.11.2026 09:00", TZ)[0],
            rrule="FREQ=WEEKLY;BYDAY=MO;COUNT=2",
            link="party:ACME",
            role="admin",
        ),
        actor=books.admin,
        now=now,
        tz=TZ,
    )
    moved = agenda.mark_done(first.id, actor=books.admin, now=agenda.parse_moment("02.11.2026 10:00", TZ)[0], tz=TZ)
    assert (moved.status, moved.rrule) == ("open", "FREQ=WEEKLY;BYDAY=MO;COUNT=1")
    cheque(books, 1, 150_000, date(2026, 11, 5))
    post(books, books.bakkal, accounts.SALE, "100", days=-40, due_days=35, installment=1)
    result = agenda.refresh(now=now, tz=TZ)
    assert result.added == 3  # the cheque, the installment, the overdue customer
    assert agenda.refresh(now=now, tz=TZ) == agenda.RefreshResult(0, 0, 0, 0)
    assert [e.title for e in agenda.due_for(books.admin, now=now, tz=TZ)] == [
        "Installment 1 of BAKKAL falls due: 100.00",  # both due on 27.10: in the order written
        "BAKKAL is overdue: 100.00",
    ]
    m.Cheque.update(status="collected").execute()
    assert agenda.refresh(now=now, tz=TZ).closed == 1
    cal = Calendar.from_ical(agenda.export_ics(agenda.list_entries(now=now, tz=TZ, include_done=True), now=now, tz=TZ))
    assert len(cal.walk("VTODO")) == 4


@pytest.mark.postgres
def test_agenda_on_postgres(pg_db: peewee.Database, settings: Settings, now: datetime) -> None:
    _exercise(settings, now)


def _race(settings: Settings, now: datetime) -> None:
    books = make_books(settings, now)
    for n in range(1, 6):
        cheque(books, n, 10_000 * n, date(2026, 11, 2 + n % 3))
    post(books, books.bakkal, accounts.SALE, "100", days=-40, due_days=35)
    barrier = threading.Barrier(2)
    results: list[agenda.RefreshResult] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            results.append(agenda.refresh(now=now, tz=TZ))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    sources = [r.source for r in m.AgendaEntry.select(m.AgendaEntry.source)]
    assert sorted(sources) == sorted([f"cheque:{i}" for i in range(1, 6)] + ["overdue:BAKKAL"])
    assert sum(r.added for r in results) == 6


def test_two_refreshes_at_once_on_sqlite(db: object, settings: Settings, now: datetime) -> None:
    _race(settings, now)


@pytest.mark.postgres
def test_two_refreshes_at_once_on_postgres(pg_db: peewee.Database, settings: Settings, now: datetime) -> None:
    _race(settings, now)

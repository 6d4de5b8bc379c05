"""Staff, shifts, Z, sales reports and the audit on PostgreSQL: the SQL in these services is
portable (``.ci/run`` starts a throwaway server and sets ``POS_TEST_PG_URL``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal

import peewee
import pytest

from pos_tui.core import audit, cash, kernel, staff
from pos_tui.core.cash import sales_report, shifts
from pos_tui.core.kernel import AuthenticationFailed, LockedOut
from pos_tui.core.till import SaleResult
from pos_tui.settings import Settings
from pos_tui.store import models as m

pytestmark = pytest.mark.postgres
D = Decimal


@pytest.fixture
def db(pg_db: peewee.Database) -> peewee.Database:
    """Run the ``people``/``products``/``sell`` fixtures on PostgreSQL instead of SQLite."""
    return pg_db


def test_a_day_on_postgres(
    db: peewee.Database,
    people: dict[str, kernel.Actor],
    settings: Settings,
    now: datetime,
    sell: Callable[..., SaleResult],
    refund: Callable[..., SaleResult],
) -> None:
    for _i in range(4):
        with pytest.raises(AuthenticationFailed):
            staff.login("0000", terminal="T1", now=now, settings=settings)
    with pytest.raises(LockedOut):
        staff.login("0000", terminal="T1", now=now, settings=settings)
    ayse = staff.login("1111", terminal="T1", now=now + timedelta(minutes=5), settings=settings)

    shift = cash.open_shift("T1", ayse, D("100.00"), now=now)
    first = sell(ayse, [("1001", 2000), ("2001", 1000)], [("cash", "100.00")], now=now, shift_id=shift.id)
    sell(ayse, [("3001", 1500)], [("card", "300.00")], now=now, shift_id=shift.id)
    refund(ayse, first.uid, [(2, 1000)], now=now, shift_id=shift.id)
    cash.paid_in("T1", ayse, D("10.00"), "change", now=now)
    x = shifts.x_report("T1", now=now)
    assert (x.expected_cash, x.totals.net, x.totals.returns_count) == (D("130.00"), D("320.00"), 1)
    assert cash.close_shift("T1", ayse, D("130.00"), now=now).variance == D("0.00")

    z = cash.z_report("T1", people["mehmet"], now=now, settings=settings)
    assert (z.z_no, z.totals.net, z.grand_total) == (1, D("320.00"), D("320.00"))
    assert z.totals.by_payment == {"card": D("300.00"), "cash": D("20.00")}
    assert cash.x_preview("T1", now=now).empty

    day = now.date()
    for by in ("product", "category", "cashier", "hour"):
        rows = sales_report(by, day, day, settings=settings)
        assert sum((r.net for r in rows), D("0")) == D("320.00"), by

    assert audit.verify(settings=settings).ok
    db.execute_sql("DROP TRIGGER sale_insert_only ON sale")
    m.Sale.update(total=1).where(m.Sale.id == first.sale_id).execute()
    report = audit.verify(settings=settings)
    assert report.first_broken == m.JournalEntry.get(m.JournalEntry.ref == first.uid).id

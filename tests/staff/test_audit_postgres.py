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


def test_a_deleted_last_sale_on_postgres_is_named_and_its_journal_id_not_reused(
    db: peewee.Database,
    people: dict[str, kernel.Actor],
    settings: Settings,
    now: datetime,
    sell: Callable[..., SaleResult],
) -> None:
    """Issue 10: the receipt counter and series are checked with portable SQL, and the journal's
    SERIAL sequence never hands a deleted entry's id out again (no AUTOINCREMENT needed)."""
    ayse = people["ayse"]
    sales = [sell(ayse, [("1001", 1000)], [("cash", "10.00")], now=now) for _i in range(3)]
    z = cash.z_report("T1", people["mehmet"], now=now, settings=settings)
    assert z.journal_head is not None
    anchor = audit.parse_anchor(f"{z.journal_head.entry}:{z.journal_head.short}")
    assert audit.verify(settings=settings, anchors=[anchor]).ok
    last = sales[2]
    entry = m.JournalEntry.get(m.JournalEntry.ref == last.uid)
    for table in ("sale", "sale_line", "payment", "sale_kdv", "stock_movement", "journal_entry", "z_closure"):
        db.execute_sql(f"DROP TRIGGER {table}_insert_only ON {table}")
    z_entry = m.JournalEntry.get(m.JournalEntry.kind == "z")
    m.ZClosure.delete().execute()
    m.JournalEntry.delete().where(m.JournalEntry.id >= entry.id).execute()
    for model in (m.StockMovement, m.SaleKdv, m.Payment, m.SaleLine, m.SaleFiscal):
        model.delete().where(model.sale == last.sale_id).execute()
    m.Sale.delete().where(m.Sale.id == last.sale_id).execute()
    m.Product.update(stock=m.Product.stock + 1000).where(m.Product.code == "1001").execute()
    prev = m.JournalEntry.get_by_id(entry.id - 1)
    m.MetaEntry.update(value=f"{prev.id}:{prev.hash}").where(m.MetaEntry.key == "journal_head").execute()
    report = audit.verify(settings=settings, anchors=[anchor])
    assert (
        "terminal T1: the receipt counter is at 3 but the highest receipt number is 2: the last documents were deleted"
    ) in report.problems
    assert (
        "terminal T1: the Z counter is at 1 but the highest Z number is 0: the last documents were deleted"
    ) in report.problems
    assert f"anchor {anchor}: entry {z_entry.id} is no longer in the journal" in report.problems[0]
    fourth = sell(ayse, [("1001", 1000)], [("cash", "10.00")], now=now)
    assert m.JournalEntry.get(m.JournalEntry.ref == fourth.uid).id > z_entry.id
    problems = audit.verify(settings=settings).problems
    assert "terminal T1: receipts 3 to 3 are missing before receipt 4: documents were deleted" in problems

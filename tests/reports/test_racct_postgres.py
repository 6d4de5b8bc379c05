"""The KDV report, the aging and the loyalty days on PostgreSQL: the same SQL (shop days grouped by a CASE over the
period's day starts) gives the same figures as on SQLite."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import peewee
import pytest
from racct_support import NOV1, NOV30, TZ, consumer, loyalty_shop, make_books, post, quick_pins, report, rows_of  # noqa: F401

from pos_tui.core import cash, einvoice, loyalty
from pos_tui.core.basket import PaymentInput
from pos_tui.core.till import complete_sale
from pos_tui.settings import Settings

D = Decimal
TODAY = date(2026, 11, 1)


@pytest.mark.postgres
def test_kdv_and_aging_on_postgres(pg_db: peewee.Database, settings: Settings, now: datetime) -> None:
    books = make_books(settings, now)
    tz = settings.shop.timezone
    from money_support import cart_of

    late = now.replace(hour=20, minute=30)  # 23:30 in Istanbul: still 1 November
    sales = []
    for items, when in (
        ([("1001", 2), ("1003", 1)], now),
        ([("1004", 1)], late),
        ([("1003", 1)], late + timedelta(hours=1)),
    ):
        cart = cart_of(*items)
        sales.append(complete_sale("T1", books.ayse, [PaymentInput("cash", cart.total)], now=when, cart=cart, tz=tz))
    einvoice.invoice_sales(
        [sales[0].sale_id], actor=books.ayse, terminal="T1", now=now, settings=settings, customer=consumer()
    )
    einvoice.issue_wholesale(
        "BAKKAL", [einvoice.WholesaleLine("1003", 2_000)], actor=books.mehmet, terminal="T1", now=now, settings=settings
    )
    done = report("kdv", settings, now, TODAY, date(2026, 11, 2), terminal="T1")
    got = {(r["day"], r["rate"]): r for r in rows_of(done)}
    assert sorted(got) == [(TODAY, D(1)), (TODAY, D(20)), (date(2026, 11, 2), D(20))]
    twenty = got[(TODAY, D(20))]
    assert (twenty["receipts_base"], twenty["receipts_kdv"]) == (D("170.83"), D("34.17"))  # 120,00 + 85,00
    assert (twenty["trade_base"], twenty["trade_kdv"], twenty["total_kdv"]) == (D("200.00"), D("40.00"), D("74.17"))
    assert (twenty["earsiv_base"], twenty["earsiv_kdv"]) == (D("300.00"), D("60.00"))  # the receipt's 100 + trade
    z = cash.z_report("T1", books.mehmet, now=late + timedelta(hours=2), settings=settings)
    for rate, kdv in z.totals.by_kdv.items():
        base = sum((r["receipts_base"] for (day, r_rate), r in got.items() if r_rate == D(rate)), D(0))
        vat = sum((r["receipts_kdv"] for (day, r_rate), r in got.items() if r_rate == D(rate)), D(0))
        assert (base, vat) == (kdv.base, kdv.kdv)

    post(books, books.acme, "receipt", "-400.00", days=-80, due_days=45)  # 35 days overdue
    post(books, books.acme, "receipt", "-750.00", days=-10, due_days=45)
    (acme,) = rows_of(report("payables-aging", settings, now, TODAY))
    assert (acme["balance"], acme["not_due"], acme["d31_60"]) == (D("1150.00"), D("750.00"), D("400.00"))
    receivables = {r["code"]: r for r in rows_of(report("receivables-aging", settings, now, TODAY))}
    assert receivables["BAKKAL"]["balance"] == D("240.00") == receivables["BAKKAL"]["not_due"]  # the trade invoice


@pytest.mark.postgres
def test_loyalty_days_on_postgres(pg_db: peewee.Database, settings: Settings, now: datetime) -> None:
    loyalty_shop(settings, now)
    first, last = date(2026, 10, 25), date(2026, 12, 10)
    liability = report("points-liability", settings, now, first, last)
    for row in rows_of(liability):
        available, pending, _debt = loyalty.outstanding_points(row["day"], tz=TZ)  # type: ignore[arg-type]
        assert row["outstanding"] == available + pending, row["day"]
    members = report("loyalty-members", settings, now, NOV1, NOV30)
    assert members.totals is not None and members.totals[1:3] == (3, D("1600.00"))

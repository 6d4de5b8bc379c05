"""Helpers the accounts, KDV and loyalty report tests share (a uniquely named module; no tests in it):
the accounts tests' books (users, products 1001–1004, BAKKAL and ACME), a query for a period, and a
report's rows as dicts keyed by column."""

from __future__ import annotations

import sys
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "accounts"))  # the accounts tests' helpers
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "loyalty"))  # the loyalty tests' helpers

from accounts_support import TCKN, VKN, Books, books_fixture, make_books, post, quick_pins
from jobs_support import TZ, at, cashier, member, refund, sale
from loyalty_support import new_user
from money_support import cart_of, on_account, sell

from pos_tui.core import einvoice
from pos_tui.core.kernel import Actor, to_db
from pos_tui.core.loyalty import (
    Charity,
    ExpiryPolicy,
    PointsPolicy,
    Program,
    adjust,
    clawback,
    donate,
    earn,
    redeem,
    restore,
    rules,
)
from pos_tui.core.reports import Cell, Period, Report, ReportQuery, run_report
from pos_tui.settings import Settings
from pos_tui.store import models as m

__all__ = [
    "TCKN",
    "VKN",
    "Books",
    "books_fixture",
    "cart_of",
    "make_books",
    "on_account",
    "post",
    "query",
    "quick_pins",
    "report",
    "rows_of",
    "sell",
]


def query(settings: Settings, now: datetime, first: date, last: date | None = None, **kw: Any) -> ReportQuery:
    return ReportQuery(Period(first, last or first), settings.shop.timezone, now, **kw)


def report(name: str, settings: Settings, now: datetime, first: date, last: date | None = None, **kw: Any) -> Report:
    return run_report(name, query(settings, now, first, last, **kw))


def rows_of(done: Report) -> list[dict[str, Cell]]:
    keys = [c.key for c in done.columns]
    return [dict(zip(keys, row, strict=True)) for row in done.rows]


def consumer() -> einvoice.InvoiceParty:
    """A final consumer with a TCKN: an invoice to her is an e-Arşiv one."""
    return einvoice.InvoiceParty(TCKN, "Ayşe Yılmaz", district="Kadıköy", city="İstanbul")


def totals_of(done: Report) -> dict[str, Cell]:
    assert done.totals is not None
    return dict(zip([c.key for c in done.columns], done.totals, strict=True))


def summary_of(done: Report) -> dict[str, Cell]:
    return {f.key: f.value for f in done.summary}


# -- the loyalty report's own worked example (tests/loyalty/test_loyalty_reports_figures.py) --------------

NOV1, NOV30 = date(2026, 11, 1), date(2026, 11, 30)
LOYALTY_PROGRAM = Program(points=PointsPolicy(value=Decimal("0.50")), charities=(Charity("losev", "LÖSEV"),))


def nov(d: int, month: int = 11, hour: int = 12) -> datetime:
    return at(date(2026, month, d), hour)


def loyalty_shop(settings: Settings, now: datetime) -> dict[str, int]:
    """The loyalty report test's month (its every figure worked out by hand there), its program (a point
    is worth 0,50) applied as the rules in force. Receipts on terminal T9."""
    rules.apply_rules(rules.program_to_toml(LOYALTY_PROGRAM), now=now)
    role = settings.roles["supervisor"]
    supervisor = Actor(new_user(now, "mehmet", "supervisor"), "mehmet", "supervisor", role.permissions,
                       role.max_discount_pct)  # fmt: skip
    till = cashier(now)
    a = member(nov(1, 10), "Ayşe Kaya")
    b = member(nov(10), "Burak Can")
    c = member(nov(5, 12), "Cem Er")
    a_nov2 = sale(till, nov(2), "1000.00", a)
    a_nov20 = sale(till, nov(20), "500.00", a)
    sale(till, nov(12), "300.00", b)
    other = sale(till, nov(3), "200.00")
    sale(till, nov(4), "100.00")
    a_return = refund(till, nov(25), "200.00", a_nov2)
    refund(till, nov(5), "50.00", other)
    sale(till, nov(15, 10), "400.00", a)
    sale(till, nov(2, 12), "999.00")
    sale(till, nov(6, 12), "700.00", c)
    earn(a, 100, now=nov(15, 10), hold_days=0, expiry=ExpiryPolicy.end_of_month(), tz=TZ)  # expires 31 Oct
    earn(a, 1000, now=nov(2), sale_id=a_nov2, hold_days=0, tz=TZ)
    earn(b, 300, now=nov(12), hold_days=15, expiry=ExpiryPolicy.days_after_available(10), tz=TZ)  # to 7 Dec
    earn(b, 40, now=nov(28), hold_days=15, tz=TZ)
    adjust(b, 20, "goodwill", actor=supervisor, now=nov(10), terminal="T1", tz=TZ)
    redeem(a, 300, now=nov(20), sale_id=a_nov20, tz=TZ)
    donate(a, 100, "losev", now=nov(21), tz=TZ)
    clawback(a, a_nov2, points=100, now=nov(25), tz=TZ)
    restore(a, a_nov20, 50, now=nov(25), tz=TZ)
    product = m.Product.create(
        code="P1", name="Zeytinyağı", name_key="zeytinyagi", price=10000, kdv_rate=1, updated_at=to_db(now)
    )
    anadolu = m.Supplier.create(code="ANA", name="Anadolu Gıda", created_at=to_db(now))
    m.SupplierPoints.create(sale=a_nov2, supplier=anadolu, product=product, points=10, supplier_points=5)
    m.SupplierPoints.create(sale=a_return, supplier=anadolu, product=product, points=-2, supplier_points=-1)
    return {"a": a, "b": b, "c": c, "till": till}

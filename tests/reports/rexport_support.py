"""A small shop with a few real sales for the export tests (a uniquely named module: the test modules
import it by name; it holds no tests itself).

Three sales posted through the till's own service, shop time (Istanbul, UTC+3):

* Friday 30.10.2026 10:00, T1, ayse: 2 × Ekmek 10,00 + 1 × Çay 500 g 120,00 = 140,00
* Saturday 31.10.2026 15:00, T1, ayse: 1 × Süt 1 L 32,50
* Sunday 01.11.2026 09:00, T1, ayse: 1 × Deterjan 85,00

Together 3 receipts, net 257,50 (KDV 0,32 + 20,00 + 0,64... see :data:`NET`).
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from pos_tui.core.basket import PaymentInput
from pos_tui.core.reports import Period, ReportQuery
from pos_tui.settings import Settings
from pos_tui.store import models as m

HERE = Path(__file__).resolve().parent
for folder in (HERE.parent / "loyalty", HERE.parent / "accounts"):
    if str(folder) not in sys.path:
        sys.path.append(str(folder))

from accounts_support import make_books  # noqa: E402
from checkout_support import basket, sell  # noqa: E402

TZ = "Europe/Istanbul"
FIRST, LAST = "2026-10-30", "2026-11-01"
PERIOD = Period(datetime(2026, 10, 30).date(), datetime(2026, 11, 1).date())
SALES = (  # (UTC moment, ((code, qty), ...))
    (datetime(2026, 10, 30, 7, 0, tzinfo=UTC), (("1001", 2), ("1003", 1))),
    (datetime(2026, 10, 31, 12, 0, tzinfo=UTC), (("1002", 1),)),
    (datetime(2026, 11, 1, 6, 0, tzinfo=UTC), (("1004", 1),)),
)
DAY_NETS = {"2026-10-30": Decimal("140.00"), "2026-10-31": Decimal("32.50"), "2026-11-01": Decimal("85.00")}
NET = Decimal("257.50")
RECEIPTS = 3


def seed_shop(settings: Settings, now: datetime) -> list[int]:
    """The users and products of ``make_books`` and the three sales above; their ids."""
    books = make_books(settings, now - timedelta(days=5))
    ids = []
    for at, items in SALES:
        cart = basket(None, *((m.Product.get(m.Product.code == code), qty) for code, qty in items))
        ids.append(sell(books.ayse, cart, at))
    return ids


def query(now: datetime, **options: str) -> ReportQuery:
    """The query of the seeded period (30.10.2026 to 01.11.2026)."""
    return ReportQuery(PERIOD, TZ, now, options=options)


__all__ = ["DAY_NETS", "FIRST", "LAST", "NET", "PERIOD", "RECEIPTS", "TZ", "PaymentInput", "query", "seed_shop"]

"""Two tills (two processes on one SQLite file) using the same limited coupon at the same
time: together they record exactly ``max_uses`` uses, never one more."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from pos_tui.core.kernel import Actor
from pos_tui.core.loyalty import create_coupon, get_coupon
from pos_tui.store import close_database, open_database
from pos_tui.store import models as m

TILL = """
import sys
from datetime import datetime
from decimal import Decimal
from pos_tui.core.kernel.errors import StateError
from pos_tui.core.loyalty.coupons import record_use
from pos_tui.store import open_database

path, code, now = sys.argv[1], sys.argv[2], datetime.fromisoformat(sys.argv[3])
sales = [int(s) for s in sys.argv[4].split(",")]
open_database(path)
print("ready", flush=True)
sys.stdin.readline()
got = refused = 0
for sale in sales:
    try:
        record_use(code, sale, None, Decimal("1.00"), now)
    except StateError:
        refused += 1
    else:
        got += 1
print(got, refused, flush=True)
"""


def test_two_tills_never_use_a_coupon_more_than_allowed(
    db: object, db_path: Path, now: datetime, make_sale: object, cashier: Actor
) -> None:
    create_coupon("SON10", kind="amount", amount=Decimal(10), max_uses=10, now=now)
    sales = [make_sale() for _ in range(40)]  # type: ignore[operator]
    close_database()
    halves = [sales[:20], sales[20:]]
    tills = [
        subprocess.Popen(
            [sys.executable, "-c", TILL, str(db_path), "SON10", now.isoformat(), ",".join(map(str, half))],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for half in halves
    ]
    for till in tills:
        assert till.stdout is not None and till.stdout.readline().strip() == "ready"
    for till in tills:
        assert till.stdin is not None
        till.stdin.write("go\n")
        till.stdin.flush()
    results = []
    for till in tills:
        out, _err = till.communicate(timeout=120)
        assert till.returncode == 0
        results.append(tuple(map(int, out.split())))
    open_database(db_path)
    assert sum(got for got, _ in results) == 10
    assert sum(refused for _, refused in results) == 30
    assert m.CouponUse.select().count() == 10
    assert get_coupon("SON10").uses == 10

"""The open cart survives ``kill -9``: a till process rings up lines and is killed; a new
process finds the same lines and can sell them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from pos_tui.core.basket import PaymentInput
from pos_tui.core.kernel import Actor
from pos_tui.core.till import complete_sale, load_open_cart
from pos_tui.store import models as m

TILL = textwrap.dedent(
    """
    import sys, time
    from datetime import UTC, datetime
    from decimal import Decimal
    from pos_tui.core.kernel.actors import Actor
    from pos_tui.core.till.carts import add_item, discount_line
    from pos_tui.settings import DEFAULT_SCALE_LABELS
    from pos_tui.store import open_database

    open_database(sys.argv[1])
    actor = Actor(int(sys.argv[2]), "ayse", "cashier", frozenset({"sell", "void"}), 10)
    now = datetime(2026, 11, 1, 7, 15, tzinfo=UTC)
    add_item("T1", actor, "8690000000012", now=now, masks=DEFAULT_SCALE_LABELS)
    add_item("T1", actor, "1002", 3000, now=now, masks=DEFAULT_SCALE_LABELS)
    discount_line("T1", actor, 2, "percent", Decimal(10), now=now)
    print("ready", flush=True)
    time.sleep(120)
    """
)


@pytest.mark.slow
def test_the_open_cart_survives_kill_9(
    db_path: Path, cashier: Actor, make_product: Callable[..., m.Product], now: datetime
) -> None:
    make_product("1001", "Ekmek", "10.00", 1, barcodes=["8690000000012"], stock=10_000)
    make_product("1002", "Kolonya", "110.00", 20, stock=10_000)
    till = subprocess.Popen(
        [sys.executable, "-c", TILL, str(db_path), str(cashier.user_id)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert till.stdout is not None
        ready = till.stdout.readline()
        assert ready.strip() == "ready", till.stderr.read() if till.stderr else ""
        os.kill(till.pid, signal.SIGKILL)
        assert till.wait(timeout=30) == -signal.SIGKILL
    finally:
        if till.poll() is None:
            till.kill()
            till.wait()

    cart = load_open_cart("T1", cashier.user_id)
    assert [(ln.code, ln.qty_milli) for ln in cart.lines] == [("1001", 1000), ("1002", 3000)]
    assert cart.line(2).discount is not None
    assert cart.total == Decimal("307.00")
    result = complete_sale("T1", cashier, [PaymentInput("cash", Decimal("307.00"))], now=now)
    assert result.receipt_no == 1
    assert load_open_cart("T1", cashier.user_id).is_empty

"""Two terminals (two processes on one SQLite file) paying with the same member's store credit
at the same time can never overdraw the wallet: together they spend exactly what it holds."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from loyalty_support import new_member
from wallet_support import WALLET_TERMINAL

from pos_tui.core.loyalty import wallet
from pos_tui.store import close_database, open_database
from pos_tui.store import models as m


def test_two_processes_never_overdraw_a_wallet(db: object, db_path: Path, now: datetime) -> None:
    member = new_member(now)
    wallet.credit(member, Decimal("100.00"), kind="import", now=now)
    close_database()
    terminals = [
        subprocess.Popen(
            [sys.executable, "-c", WALLET_TERMINAL, str(db_path), str(member), "80", now.isoformat()],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for t in terminals:
        assert t.stdout is not None and t.stdout.readline().strip() == "ready"
    for t in terminals:
        assert t.stdin is not None
        t.stdin.write("go\n")
        t.stdin.flush()
    results = []
    for t in terminals:
        out, _err = t.communicate(timeout=120)
        assert t.returncode == 0
        got, refused = map(int, out.split())
        results.append((got, refused))
    assert sum(got for got, _ in results) == 100
    assert sum(refused for _, refused in results) == 60
    open_database(db_path)
    assert wallet.wallet_balance(member) == Decimal("0.00")
    assert m.WalletEntry.select().where(m.WalletEntry.kind == "spend").count() == 100

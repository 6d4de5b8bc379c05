"""Two terminals (two processes on one SQLite file) paying with the same member's store credit
at the same time can never overdraw the wallet: together they spend exactly what it holds."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path

from loyalty_support import new_member, race
from wallet_support import WALLET_TERMINAL

from pos_tui.core.loyalty import wallet
from pos_tui.store import close_database, open_database
from pos_tui.store import models as m


def test_two_processes_never_overdraw_a_wallet(db: object, db_path: Path, now: datetime) -> None:
    member = new_member(now)
    wallet.credit(member, Decimal("100.00"), kind="import", now=now)
    close_database()
    results = race(WALLET_TERMINAL, str(db_path), member, 80, now)
    assert sum(got for got, _ in results) == 100
    assert sum(refused for _, refused in results) == 60
    open_database(db_path)
    assert wallet.wallet_balance(member) == Decimal("0.00")
    assert m.WalletEntry.select().where(m.WalletEntry.kind == "spend").count() == 100

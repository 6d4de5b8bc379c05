"""Issue 16: store credit sold to a member (a top-up paid in cash or by card) and whether what
store credit pays earns points (``[store_credit] earns_points``)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
from loyalty_support import new_member
from rich.console import Console
from wallet_support import product, sell

from pos_tui.core import audit, cash
from pos_tui.core import till as till_core
from pos_tui.core.cash import shifts
from pos_tui.core.kernel import Actor, PermissionDenied, StateError, ValidationError, shop_day, to_db
from pos_tui.core.loyalty import ledger, register_loyalty_tenders, rules, wallet
from pos_tui.settings import Settings
from pos_tui.store import models as m
from pos_tui.tui.render import render_x

D = Decimal
Cli = Callable[..., Any]


@pytest.fixture(autouse=True)
def _tenders() -> None:
    register_loyalty_tenders()


def test_a_cash_top_up_goes_into_the_drawer_and_the_wallet(
    db: object, settings: Settings, cashier: Actor, member: int, now: datetime
) -> None:
    shift = cash.open_shift("T1", cashier, D("100.00"), now=now)
    before = shifts.x_report("T1", now=now).expected_cash
    done = wallet.top_up(member, D("250.00"), method="cash", actor=cashier, terminal="T1", now=now, shift_id=shift.id)
    assert (done.entry.kind, done.entry.amount, done.total) == ("topup", D("250.00"), D("250.00"))
    status = wallet.wallet_status(member, as_of=shop_day(now))
    assert status.available == D("250.00")  # bought, so available at once
    x = shifts.x_report("T1", now=now)
    assert x.expected_cash - before == D("250.00")
    assert (x.store_credit, x.gift_cards, x.paid_in) == (D("250.00"), D("0.00"), D("0.00"))
    assert x.totals.sales_count == 0  # not a sale of goods: no receipt, no turnover
    kinds = [e.kind for e in m.JournalEntry.select().order_by(m.JournalEntry.id)]
    assert kinds[-2:] == ["store_credit", "wallet_topup"]
    topup = json.loads(m.JournalEntry.get(m.JournalEntry.kind == "wallet_topup").payload)
    assert topup["method"] == "cash" and topup["movement_id"] == done.movement_id and topup["amount"] == "250.00"
    assert audit.verify(settings=settings).problems == []
    printed = till_core.as_text(till_core.x_report_for(x, settings, width=42))  # the printed X names the line
    assert "Store credit" in printed and "250.00" in printed and "350.00" in printed
    console = Console(width=60, record=True, file=io.StringIO())
    console.print(render_x(x, settings))  # the X on the till's screen
    assert "Store credit sold (cash)" in console.export_text()
    closed = cash.close_shift("T1", cashier, D("350.00"), now=now)
    assert (closed.expected_cash, closed.variance) == (D("350.00"), D("0.00"))


def test_a_card_top_up_leaves_the_drawer_alone(db: object, cashier: Actor, member: int, now: datetime) -> None:
    cash.open_shift("T1", cashier, D("100.00"), now=now)
    wallet.top_up(member, D("40.00"), method="card", actor=cashier, terminal="T1", now=now)
    assert shifts.x_report("T1", now=now).expected_cash == D("100.00")
    assert m.CashMovement.select().count() == 0
    assert wallet.wallet_balance(member) == D("40.00")


def test_top_up_refusals_write_nothing(db: object, cashier: Actor, member: int, now: datetime) -> None:
    with pytest.raises(StateError, match="Cash for store credit goes into a drawer: open a shift on terminal T1"):
        wallet.top_up(member, D("10.00"), method="cash", actor=cashier, terminal="T1", now=now)
    with pytest.raises(ValidationError, match="in cash or by card, not 'points'"):
        wallet.top_up(member, D("10.00"), method="points", actor=cashier, terminal="T1", now=now)
    with pytest.raises(ValidationError, match="more than zero"):
        wallet.top_up(member, D("0"), method="card", actor=cashier, terminal="T1", now=now)
    nobody = Actor(cashier.user_id, "stock", "stock", frozenset({"count"}), D(0))
    with pytest.raises(PermissionDenied):
        wallet.top_up(member, D("10.00"), method="card", actor=nobody, terminal="T1", now=now)
    assert m.WalletEntry.select().count() == 0 and m.JournalEntry.select().count() == 0


@pytest.mark.parametrize(("earns", "points"), [(False, 0), (True, 1)])
def test_store_credit_earns_points_only_when_the_program_says_so(
    db: object, cashier: Actor, member: int, now: datetime, earns: bool, points: int
) -> None:
    """1 % earning: 50 TL store credit + 50 TL cash earns 1 point when store credit counts, and
    0,5 → 0 points when only the cash does (rounded down once per receipt)."""
    rules.apply_rules(f"[store_credit]\nearns_points = {'true' if earns else 'false'}\n", now=now)
    wallet.credit(member, D("50.00"), kind="import", now=now)
    bowl = product(now, "Kase", "100.00")
    sell(cashier, [(bowl, 1)], [("store_credit", "50"), ("cash", "50")], now=now, member_id=member)
    assert ledger.balance(member, as_of=shop_day(now)).total == points


# --------------------------------------------------------------------------- pos-admin wallet topup


@pytest.fixture
def admin(db: object, now: datetime) -> int:
    user = m.User.create(name="admin", role="admin", pin_tag="t-admin", pin_hash="x", created_at=to_db(now))
    return int(user.id)


def test_cli_topup_by_card_and_in_cash(cli: Cli, admin: int, now: datetime) -> None:
    member = new_member(now)
    card = m.Member.get_by_id(member).card
    got = cli("wallet", "topup", card, "--amount", "100,00", "--method", "card", "--json")
    assert got.exit_code == 0, got.stderr
    data = json.loads(got.stdout)
    assert (data["member_id"], data["method"], data["total"], data["movement_id"]) == (member, "card", "100.00", None)
    assert (data["entry"]["kind"], data["entry"]["amount"]) == ("topup", "100.00")
    assert data["entry"]["at"].endswith("+03:00")  # the shop's offset
    no_shift = cli("wallet", "topup", card, "--amount", "10", "--method", "cash")
    assert no_shift.exit_code == 1 and "open a shift on terminal T1" in no_shift.stderr
    bad = cli("wallet", "topup", card, "--amount", "10", "--method", "points")
    assert bad.exit_code == 1 and "--method is cash or card, not 'points'" in bad.stderr
    human = cli("wallet", "topup", str(member), "--amount", "5", "--method", "card")
    assert human.exit_code == 0 and human.stdout == ""
    assert "by 5.00 (paid by card); it is now 105.00" in human.stderr
    assert wallet.wallet_balance(member) == D("105.00")


def test_cli_topup_in_a_real_process(db: object, settings: Settings, cashier: Actor, now: datetime) -> None:
    m.User.create(name="admin", role="admin", pin_tag="t-admin", pin_hash="x", created_at=to_db(now))
    member = new_member(now)
    cash.open_shift("T1", cashier, D("0.00"), now=now)
    env = {**os.environ, "POS_DB": settings.db_url, "POS_HOME": str(settings.home), "POS_LANG": "tr"}
    env["POS_CONFIG"] = str(settings.source)
    env["POS_TERMINAL"] = "T1"
    args = ["wallet", "topup", str(member), "--amount", "250", "--method", "cash", "--json"]
    got = subprocess.run([sys.executable, "-m", "pos_tui.cli.app", *args], env=env, capture_output=True, text=True)
    assert got.returncode == 0, got.stderr
    data = json.loads(got.stdout)
    assert data["total"] == "250.00" and isinstance(data["movement_id"], int)
    assert shifts.x_report("T1", now=now).expected_cash == D("250.00")

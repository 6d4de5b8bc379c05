"""Shifts: opening float, paid in/out, no-sale, the X report and closing with counted cash."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from pos_tui.core import cash
from pos_tui.core.cash import KdvTotal, shifts
from pos_tui.core.kernel import Actor, PermissionDenied, StateError, ValidationError
from pos_tui.core.till import SaleResult
from pos_tui.settings import Settings
from pos_tui.store import models as m

D = Decimal
Sell = Callable[..., SaleResult]
Refund = Callable[..., SaleResult]


def test_one_open_shift_per_terminal(people: dict[str, Actor], now: datetime) -> None:
    ayse = people["ayse"]
    assert cash.current_shift("T1") is None
    opened = cash.open_shift("T1", ayse, D("150.00"), now=now)
    assert (opened.terminal, opened.opened_by, opened.opening_float) == ("T1", "ayse", D("150.00"))
    assert opened.is_open
    assert opened.opened_at == now
    assert cash.current_shift("T1") == opened
    with pytest.raises(StateError, match="already open on terminal T1"):
        cash.open_shift("T1", people["mehmet"], D("0"), now=now)
    assert cash.open_shift("T2", people["mehmet"], D("0"), now=now).terminal == "T2"
    with pytest.raises(ValidationError, match="cannot be negative"):
        cash.open_shift("T3", ayse, D("-1"), now=now)
    payload = json.loads(m.JournalEntry.select().where(m.JournalEntry.kind == "shift_open").first().payload)
    assert payload == {"shift_id": opened.id, "terminal": "T1", "user": "ayse", "opening_float": "150.00"}


def test_paid_in_and_out_need_a_reason_an_open_shift_and_cash_in_the_drawer(
    people: dict[str, Actor], now: datetime
) -> None:
    ayse = people["ayse"]
    with pytest.raises(StateError, match="No shift is open on terminal T1"):
        cash.paid_in("T1", ayse, D("10"), "change", now=now)
    shift = cash.open_shift("T1", ayse, D("100.00"), now=now)
    with pytest.raises(ValidationError, match="A reason is needed"):
        cash.paid_in("T1", ayse, D("10"), "   ", now=now)
    with pytest.raises(ValidationError, match="more than zero"):
        cash.paid_out("T1", ayse, D("0"), "nothing", now=now)
    with pytest.raises(ValidationError, match="more than two decimals"):
        cash.paid_in("T1", ayse, D("1.005"), "change", now=now)
    moved = cash.paid_in("T1", ayse, D("50.00"), "change from the bank", now=now)
    assert (moved.kind, moved.amount, moved.shift_id, moved.user) == ("paid_in", D("50.00"), shift.id, "ayse")
    with pytest.raises(ValidationError, match=r"The drawer should hold only 150\.00; cannot pay out 150\.01"):
        cash.paid_out("T1", ayse, D("150.01"), "supplier", now=now)
    cash.paid_out("T1", ayse, D("30.00"), "window cleaner", now=now)
    rows = [(c.kind, c.amount, c.reason) for c in m.CashMovement.select().order_by(m.CashMovement.id)]
    assert rows == [("paid_in", 5000, "change from the bank"), ("paid_out", 3000, "window cleaner")]
    kinds = [e.kind for e in m.JournalEntry.select().order_by(m.JournalEntry.id)]
    assert kinds[-2:] == ["paid_in", "paid_out"]


def test_cash_movements_need_their_permission(people: dict[str, Actor], settings: Settings, now: datetime) -> None:
    cash.open_shift("T1", people["ayse"], D("0"), now=now)
    no_cash = replace(people["ayse"], permissions=frozenset({"sell"}))
    with pytest.raises(PermissionDenied, match="pay in or pay out cash"):
        cash.paid_in("T1", no_cash, D("5"), "tip jar", now=now)
    with pytest.raises(PermissionDenied, match="open the drawer without a sale"):
        cash.no_sale("T1", people["ayse"], "check the float", now=now)
    assert cash.no_sale("T1", people["mehmet"], "check the float", now=now).amount == D("0.00")


def test_x_report_and_close_with_a_variance(
    people: dict[str, Actor], now: datetime, sell: Sell, refund: Refund, db_path: Path
) -> None:
    ayse = people["ayse"]
    shift = cash.open_shift("T1", ayse, D("100.00"), now=now)
    t = now + timedelta(minutes=1)
    first = sell(ayse, [("1001", 2000), ("2001", 1000)], [("cash", "100.00")], now=t, shift_id=shift.id)
    assert first.change == D("30.00")
    sell(ayse, [("3001", 1500)], [("card", "300.00")], now=t, shift_id=shift.id)
    sell(ayse, [("2001", 1000)], [("card", "20.00"), ("cash", "30.00")], now=t, shift_id=shift.id)
    refund(ayse, first.uid, [(2, 1000)], now=t, shift_id=shift.id)
    sell(ayse, [("1001", 1000)], [("cash", "10.00")], now=t)  # no shift: not in this drawer
    cash.paid_in("T1", ayse, D("200.00"), "change from the bank", now=t)
    cash.paid_out("T1", ayse, D("40.00"), "window cleaner", now=t)

    x = shifts.x_report("T1", now=t)
    assert (x.opening_float, x.cash_sales, x.cash_refunds) == (D("100.00"), D("100.00"), D("50.00"))
    assert (x.paid_in, x.paid_out, x.no_sales) == (D("200.00"), D("40.00"), 0)
    assert x.expected_cash == D("310.00")
    totals = x.totals
    assert (totals.sales_count, totals.returns_count) == (3, 1)
    assert (totals.gross, totals.returns, totals.net) == (D("420.00"), D("50.00"), D("370.00"))
    assert totals.by_payment == {"card": D("320.00"), "cash": D("50.00")}
    assert totals.by_kdv == {
        1: KdvTotal(D("19.80"), D("0.20")),
        10: KdvTotal(D("272.73"), D("27.27")),
        20: KdvTotal(D("41.67"), D("8.33")),
    }
    assert sum(k.base + k.kdv for k in totals.by_kdv.values()) == totals.net
    assert m.Shift.get_by_id(shift.id).closed_at is None  # an X writes nothing

    closed = cash.close_shift("T1", ayse, D("305.00"), now=t + timedelta(hours=8))
    assert (closed.expected_cash, closed.counted_cash, closed.variance) == (D("310.00"), D("305.00"), D("-5.00"))
    assert (closed.closed_by, closed.is_open) == ("ayse", False)
    assert cash.current_shift("T1") is None
    last = m.JournalEntry.select().order_by(m.JournalEntry.id.desc()).first()
    assert last.kind == "shift_close"
    assert json.loads(last.payload)["variance"] == "-5.00"
    with pytest.raises(StateError, match="No shift is open"):
        shifts.x_report("T1", now=t)
    with pytest.raises(StateError, match="No shift is open"):
        cash.close_shift("T1", ayse, D("0"), now=t)

    raw = sqlite3.connect(db_path)
    try:
        with pytest.raises(sqlite3.IntegrityError, match="shift is closed"):
            raw.execute("UPDATE shift SET counted_cash = 31000 WHERE id = ?", (shift.id,))
    finally:
        raw.close()


def test_a_new_shift_starts_from_its_own_float(people: dict[str, Actor], now: datetime, sell: Sell) -> None:
    ayse = people["ayse"]
    first = cash.open_shift("T1", ayse, D("100.00"), now=now)
    sell(ayse, [("2001", 1000)], [("cash", "50.00")], now=now, shift_id=first.id)
    cash.close_shift("T1", ayse, D("150.00"), now=now)
    cash.open_shift("T1", ayse, D("80.00"), now=now + timedelta(hours=1))
    x = shifts.x_report("T1", now=now + timedelta(hours=1))
    assert (x.expected_cash, x.totals.sales_count) == (D("80.00"), 0)

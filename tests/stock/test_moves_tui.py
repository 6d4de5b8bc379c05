"""The till's stock adjustment and transfer dialogs (F12 → Stock), driven by the keyboard with
Pilot: scan, type, pick a reason, confirm, the supervisor's PIN for a cashier; errors on screen at
80×24; and a snapshot of each dialog at 80×24."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal

import pytest
from moves_support import level
from textual.widgets import Static

from pos_tui.core.stock import moves
from pos_tui.store import models as m
from pos_tui.tui.dialogs.base import Dialog
from pos_tui.tui.dialogs.stock_moves_adjust import StockAdjustDialog
from pos_tui.tui.dialogs.stock_moves_transfer import TransferReceiveDialog, TransferSendDialog
from tests.tui import conftest as tui

# The TUI tests' shop, till helpers and fixtures (tests/tui/conftest.py), used here as they are.
Shop, Till = tui.Shop, tui.Till
_quick_pins, make_app, open_shift, shop, till = tui._quick_pins, tui.make_app, tui.open_shift, tui.shop, tui.till

SIZE = (80, 24)


@pytest.fixture
def depot(shop: Shop, now: datetime) -> None:
    """A depot, and stock of Süt and Çay on the shop floor (opening stock with a cost)."""
    moves.add_location("DEPO", "Depo", terminal="T1", now=now)
    for code, qty in ((Shop.SUT, 20_000), (Shop.CAY, 10_000)):
        moves.adjust(code, qty, "opening", actor=shop.admin, terminal="T1", now=now, unit_cost=Decimal("10"))


def error_line(pilot) -> str:
    return str(pilot.app.screen.query_one(".error-line", Static).render())


def assert_error_visible(pilot, till: Till, expected: str) -> None:
    """The dialog's error line says ``expected`` and the terminal shows it inside the 80×24 screen."""
    screen = pilot.app.screen
    assert isinstance(screen, Dialog)
    line = screen.query_one(".error-line", Static)
    assert expected in str(line.render())
    region = line.region
    assert region.height > 0 and region.bottom <= SIZE[1] and region.right <= SIZE[0]
    assert expected[:30] in till.screen_text(pilot)


async def open_stock_entry(pilot, till: Till, key: str) -> None:
    await pilot.press("f12")
    await till.settle(pilot)
    await pilot.press("s")
    await till.settle(pilot)
    await pilot.press(key)
    await till.settle(pilot)


async def test_a_cashier_writes_off_with_a_supervisors_pin(make_app, open_shift, shop, depot, till) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await till.login(pilot)  # ayse, a cashier: no stock_adjust
        await open_stock_entry(pilot, till, "3")
        assert isinstance(app.screen, StockAdjustDialog)
        await till.scan(pilot, Shop.SUT)
        assert "Süt 1 L (1002): 20 on hand at MAGAZA" in str(app.screen.query_one("#adj-found", Static).render())
        await till.type(pilot, "-2", "enter")
        await pilot.press("2")  # damage
        await till.type(pilot, "kırık şişe", "enter")
        assert "Adjust Süt 1 L by -2 at MAGAZA (damage)?" in till.screen_text(pilot)
        await pilot.press("enter")
        await till.settle(pilot)
        assert "may not adjust and transfer stock" in till.screen_text(pilot)  # the supervisor's PIN is asked
        await till.type(pilot, "2222", "enter")
        await till.type(pilot, "kırık", "enter")
        assert not isinstance(app.screen, Dialog)
        assert till.message(pilot) == "Adjustment 3 written: -2 Süt 1 L, damage. On hand at MAGAZA: 18"
    assert level("1002", "MAGAZA") == 18_000
    mv = m.StockMovement.get(m.StockMovement.kind == "adjust", m.StockMovement.reason == "damage")
    assert (mv.qty, mv.note) == (-2000, "kırık şişe")
    assert [e.kind for e in m.JournalEntry.select().order_by(m.JournalEntry.id)][-2:] == [
        "stock_adjustment",
        "override",
    ]


async def test_adjust_errors_show_at_80x24(make_app, open_shift, shop, depot, till) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await till.login(pilot, "9999")
        await open_stock_entry(pilot, till, "3")
        await till.scan(pilot, "4242")
        assert_error_visible(pilot, till, "No product with barcode or code 4242")
        await till.scan(pilot, Shop.CAY)
        await till.type(pilot, "-1,5", "enter")
        assert_error_visible(pilot, till, "Çay 500 g is counted in pieces: type a whole number")
        await till.type(pilot, "0", "enter")
        assert_error_visible(pilot, till, "Type a quantity other than 0")
        await till.type(pilot, "abc", "enter")
        assert_error_visible(pilot, till, "'abc' is not a number")
        await pilot.press("escape")
        await till.settle(pilot)
        assert not isinstance(app.screen, Dialog)
    assert m.StockDocument.select().where(m.StockDocument.kind == "adjustment").count() == 2  # the fixture's


async def test_a_weighed_product_found_in_kg(make_app, open_shift, shop, depot, till) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await till.login(pilot, "9999")
        await open_stock_entry(pilot, till, "3")
        await till.type(pilot, "00123", "enter")
        await till.type(pilot, "1,250", "enter")
        await pilot.press("5")  # correction
        await till.type(pilot, "", "enter")
        await pilot.press("enter")
        await till.settle(pilot)
        assert till.message(pilot) == "Adjustment 3 written: 1.25 kg Domates, correction. On hand at MAGAZA: 1.25 kg"
    assert level("00123", "MAGAZA") == 1250


async def test_send_and_receive_a_transfer(make_app, open_shift, shop, depot, till, now) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await till.login(pilot, "9999")
        await open_stock_entry(pilot, till, "4")
        await pilot.press("1")  # send
        await till.settle(pilot)
        assert "1  MAGAZA  Mağaza" in till.screen_text(pilot)  # the terminal's own location first
        await pilot.press("1")  # from MAGAZA
        await till.settle(pilot)
        await pilot.press("1")  # to DEPO
        await till.settle(pilot)
        assert isinstance(app.screen, TransferSendDialog)
        await till.scan(pilot, Shop.SUT)
        await till.type(pilot, "3", "enter")
        await till.scan(pilot, Shop.CAY)
        await till.type(pilot, "2", "enter")
        await till.scan(pilot, Shop.SUT)
        await till.type(pilot, "1", "enter")  # adds to Süt's line
        lines = str(app.screen.query_one("#tr-lines", Static).render())
        assert "1002  Süt 1 L  4" in lines and "1003  Çay 500 g  2" in lines
        await till.scan(pilot, "")  # empty: send
        assert "Send 2 line(s) from MAGAZA to DEPO?" in till.screen_text(pilot)
        await pilot.press("enter")
        await till.settle(pilot)
        assert till.message(pilot) == "Transfer 1 sent from MAGAZA to DEPO: 2 line(s) on the way"
        assert (level("1002", "YOLDA"), level("1002", "MAGAZA")) == (4000, 16_000)

        await open_stock_entry(pilot, till, "4")
        await pilot.press("2")  # receive
        await till.settle(pilot)
        listed = till.screen_text(pilot)
        assert "No. 1  MAGAZA → DEPO  2 line(s)" in listed
        assert re.search(r"2 line\(s\)  \d\d\.\d\d\.\d{4} \d\d:\d\d", listed)  # sent, the Turkish way
        assert not re.search(r"\d{4}-\d\d-\d\d", listed)
        await pilot.press("1")
        await till.settle(pilot)
        assert isinstance(app.screen, TransferReceiveDialog)
        await till.type(pilot, "3", "enter")  # Süt: one short
        await till.type(pilot, "", "enter")  # Çay as sent
        await pilot.press("2")  # damage
        await till.settle(pilot)
        assert "1 line(s) short, 0 line(s) over" in till.screen_text(pilot)
        await pilot.press("enter")
        await till.settle(pilot)
        assert till.message(pilot) == "Transfer 1 received at DEPO: 1 line(s) short, 0 over"
    assert (level("1002", "DEPO"), level("1002", "YOLDA"), level("1003", "DEPO")) == (3000, 0, 2000)
    short = m.StockMovement.get(m.StockMovement.kind == "adjust", m.StockMovement.reason == "damage")
    assert (short.qty, short.location.code) == (-1000, "YOLDA")
    assert moves.get_transfer(1).short_reason == "damage"


async def test_sending_shows_the_source_stock_and_warns_below_zero(make_app, open_shift, shop, depot, till) -> None:
    """Each scanned line shows the stock at the source; a line that takes it below zero gets a
    visible warning (and the question says so), and is still sent: negative stock is allowed."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await till.login(pilot, "9999")
        await open_stock_entry(pilot, till, "4")
        await pilot.press("1", "1", "1")  # send, from MAGAZA, to DEPO
        await till.settle(pilot)
        await till.scan(pilot, Shop.SUT)
        assert "at MAGAZA now: 20" in till.screen_text(pilot)
        await till.type(pilot, "3", "enter")
        lines = str(app.screen.query_one("#tr-lines", Static).render())
        assert "Süt 1 L  3   MAGAZA: 20" in lines and "below zero" not in lines
        await till.scan(pilot, Shop.CAY)
        await till.type(pilot, "12", "enter")  # 10 at MAGAZA
        lines = str(app.screen.query_one("#tr-lines", Static).render())
        assert "Çay 500 g  12   MAGAZA: 10  ! below zero: -2" in lines
        assert_error_visible(pilot, till, "Çay 500 g: MAGAZA has 10; sending 12 leaves -2 there")
        await till.scan(pilot, "")
        assert "1 line takes the stock at MAGAZA below zero" in app.screen.question
        await pilot.press("enter")
        await till.settle(pilot)
        assert "Transfer 1 sent" in till.message(pilot)
    assert level("1003", "MAGAZA") == -2000


async def test_transfer_errors_show_at_80x24(make_app, open_shift, shop, depot, till) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await till.login(pilot, "9999")
        await open_stock_entry(pilot, till, "4")
        await pilot.press("2")
        await till.settle(pilot)
        assert till.message(pilot) == "No transfer is on the way"
        await open_stock_entry(pilot, till, "4")
        await pilot.press("1", "1", "1")
        await till.settle(pilot)
        await till.scan(pilot, "")
        assert_error_visible(pilot, till, "Scan the goods to send first")
        await till.scan(pilot, "nope")
        assert_error_visible(pilot, till, "No product with barcode or code nope")
        await till.scan(pilot, Shop.SUT)
        await till.type(pilot, "0,5", "enter")
        assert_error_visible(pilot, till, "Süt 1 L is counted in pieces")


# -- snapshots at 80×24 -------------------------------------------------------------------------------


def test_adjust_dialog_snapshot(snap_compare, make_app, open_shift, shop, depot, till) -> None:
    async def fill(pilot) -> None:
        await till.login(pilot, "9999")
        await open_stock_entry(pilot, till, "3")
        await till.scan(pilot, Shop.SUT)
        await till.type(pilot, "-1,5", "enter")  # a piece product: the error shows
        await till.steady(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=fill)


def test_send_dialog_snapshot(snap_compare, make_app, open_shift, shop, depot, till) -> None:
    async def fill(pilot) -> None:
        await till.login(pilot, "9999")
        await open_stock_entry(pilot, till, "4")
        await pilot.press("1", "1", "1")
        await till.settle(pilot)
        await till.scan(pilot, Shop.SUT)
        await till.type(pilot, "3", "enter")
        await till.scan(pilot, Shop.CAY)
        await till.type(pilot, "2", "enter")
        await till.scan(pilot, "nope")
        await till.steady(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=fill)


def test_receive_dialog_snapshot(snap_compare, make_app, open_shift, shop, depot, till, now) -> None:
    moves.send_transfer(
        "MAGAZA", "DEPO", [(Shop.SUT, 3000), (Shop.CAY, 2000)], actor=shop.admin, terminal="T1", now=now
    )

    async def fill(pilot) -> None:
        await till.login(pilot, "9999")
        await open_stock_entry(pilot, till, "4")
        await pilot.press("2", "1")
        await till.settle(pilot)
        await till.type(pilot, "2,5", "enter")
        await till.steady(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=fill)

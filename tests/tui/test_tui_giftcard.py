"""Gift cards from the F12 menu: sell one for cash or card, top it up, check its balance; the
cash shows in the X report's drawer."""

from __future__ import annotations

import io
from datetime import datetime
from decimal import Decimal

from rich.console import Console
from textual.widgets import Input, Static

from pos_tui.core.cash import CashMovementInfo, DocumentTotals, ZReport
from pos_tui.store import models as m
from pos_tui.tui.dialogs.giftcard import GiftCardDialog
from pos_tui.tui.dialogs.prompts import ChoiceDialog
from pos_tui.tui.dialogs.views import ReportDialog
from pos_tui.tui.messages import CashMoved
from pos_tui.tui.render import render_z
from pos_tui.tui.screens.sale import SaleScreen


async def gift_card_dialog(pilot, till, choice: str) -> GiftCardDialog:
    """F12, the gift cards entry (the 10th for a cashier: key 0), then ``choice`` (1 sell, 2
    top up, 3 balance)."""
    await pilot.press("f12")
    await till.settle(pilot)
    await pilot.press("0")
    await till.settle(pilot)
    assert isinstance(pilot.app.screen, ChoiceDialog)
    await pilot.press(choice)
    await till.settle(pilot)
    dialog = pilot.app.screen
    assert isinstance(dialog, GiftCardDialog)
    return dialog


def result_text(app) -> str:
    return str(app.screen.query_one("#gc-result", Static).render())


def error_text(app) -> str:
    return str(app.screen.query_one(".error-line").render())


async def test_sell_top_up_and_check_a_gift_card(make_app, open_shift, shop, till) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await till.login(pilot)
        dialog = await gift_card_dialog(pilot, till, "1")
        assert dialog.mode == "issue"
        await till.type(pilot, "0", "f8")
        assert "Type an amount above zero" in error_text(app)
        app.screen.query_one("#gc-amount", Input).value = ""
        await till.type(pilot, "150", "enter")
        assert "F8: cash" in result_text(app)
        await pilot.press("f8")
        await till.settle(pilot)
        card = m.GiftCard.get()
        assert f"New gift card {card.code} holds 150.00 (paid in cash, into the drawer)" in result_text(app)
        moves = list(m.CashMovement.select().where(m.CashMovement.kind == "gift_card"))
        assert [(mv.amount, mv.shift_id) for mv in moves] == [(15000, open_shift.id)]
        await pilot.press("escape")
        await till.settle(pilot)
        assert isinstance(app.screen, SaleScreen)
        assert "Gift card GC********" in till.message(pilot) and "150.00" in till.message(pilot)

        # Top up by card: no cash moves into the drawer.
        await gift_card_dialog(pilot, till, "2")
        await till.type(pilot, card.code.lower(), "enter")
        await till.type(pilot, "", "f9")  # no amount yet
        assert "amount" in error_text(app).lower()
        await till.type(pilot, "50", "f9")
        assert f"Gift card {card.code} now holds 200.00 (paid by card)" in result_text(app)
        assert m.CashMovement.select().where(m.CashMovement.kind == "gift_card").count() == 1
        await pilot.press("escape")
        await till.settle(pilot)

        # The balance: no payment keys, Enter looks the card up.
        dialog = await gift_card_dialog(pilot, till, "3")
        assert "F8" not in till.screen_text(pilot).split("Gift card balance")[-1]
        await till.type(pilot, "GC000", "enter")
        assert "No gift card GC000" in error_text(app)
        await till.type(pilot, card.code, "enter")
        assert f"Gift card {card.code}: 200.00 (active; usable through: never)" in result_text(app)
        await pilot.press("escape")
        await till.settle(pilot)

        # The X report's drawer has the cash taken for the card.
        await pilot.press("f12")
        await till.settle(pilot)
        await pilot.press("1")
        await till.settle(pilot)
        await till.type(pilot, "2222", "enter")  # a cashier's X needs a supervisor (no x_report)
        await till.type(pilot, "drawer check", "enter")
        assert isinstance(app.screen, ReportDialog)
        text = till.screen_text(pilot)
        assert "Gift cards sold (cash)" in text and "150.00" in text
        assert "250.00" in text  # expected in the drawer: 100,00 float + 150,00


async def test_top_up_needs_a_code_and_a_pre_printed_card_keeps_its_code(make_app, open_shift, shop, till) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await till.login(pilot)
        await gift_card_dialog(pilot, till, "2")
        app.screen.query_one("#gc-amount", Input).value = "20"
        await till.type(pilot, "", "f8")
        assert "Scan or type the gift card's code" in error_text(app)
        await till.type(pilot, "KART0001", "enter")
        await till.type(pilot, "", "f8")
        assert "No gift card KART0001" in error_text(app)  # from the core, through the worker
        await pilot.press("escape")
        await till.settle(pilot)

        await gift_card_dialog(pilot, till, "1")
        app.screen.query_one("#gc-code", Input).focus()
        await pilot.pause()
        await till.type(pilot, "kart-0001", "enter")
        await till.type(pilot, "75", "f9")
        assert "New gift card KART0001 holds 75.00 (paid by card)" in result_text(app)
    assert m.CashMovement.select().count() == 0


async def test_the_gift_card_movement_has_a_label(make_app, open_shift, shop, till, now: datetime) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await till.login(pilot)
        move = CashMovementInfo(1, open_shift.id, "T1", "ayse", now, "gift_card", Decimal("150.00"), "x")
        app.screen.post_message(CashMoved(move))
        await till.settle(pilot)
        assert till.message(pilot) == "Gift card paid in cash: 150.00"


def test_the_z_report_shows_gift_cards_apart(settings, now: datetime) -> None:
    report = ZReport(1, "T1", now, "mehmet", False, DocumentTotals(), Decimal("0.00"), 0)
    console = Console(width=60, record=True, file=io.StringIO())
    console.print(render_z(report, settings))
    assert "Gift cards" not in console.export_text()
    console.print(render_z(report, settings, gift_cards=Decimal("250.00")))
    text = console.export_text()
    assert "Gift cards sold (not turnover)" in text and "250.00" in text

"""The F12 menu: X and Z reports, cash in/out, no-sale, receipts, users, closing the shift."""

from __future__ import annotations

from decimal import Decimal

from pos_tui.core.cash import shifts
from pos_tui.store import models as m
from pos_tui.tui.dialogs.manager import ManagerPinDialog
from pos_tui.tui.dialogs.prompts import ChoiceDialog
from pos_tui.tui.dialogs.views import ConfirmDialog, ReportDialog
from pos_tui.tui.screens.login import LoginScreen
from pos_tui.tui.screens.receipts import ReceiptsScreen, UsersScreen
from pos_tui.tui.screens.sale import SaleScreen


async def sell_for_cash(pilot, till, code: str, cash: str) -> None:
    await till.scan(pilot, code)
    await pilot.press("f8")
    await till.type(pilot, cash, "enter")
    await till.type(pilot, "", "enter")  # close the receipt preview


async def menu(pilot, till, entry: str) -> None:
    await pilot.press("f12")
    await till.settle(pilot)
    assert isinstance(pilot.app.screen, ChoiceDialog)
    await pilot.press(entry)
    await till.settle(pilot)


async def test_x_report_shows_the_drawer(make_app, open_shift, shop, till) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await till.login(pilot)
        await sell_for_cash(pilot, till, shop.CAY, "200")
        await menu(pilot, till, "1")
        # a cashier may not take an X by default (no "x_report" permission): a supervisor's PIN
        assert isinstance(app.screen, ManagerPinDialog)
        await till.type(pilot, "2222", "enter")
        await till.type(pilot, "drawer check", "enter")
        assert isinstance(app.screen, ReportDialog)
        text = till.screen_text(pilot)
        assert "X report" in text
        assert "Cash sales" in text and "120.00" in text
        assert "Expected in drawer" in text and "220.00" in text  # 100,00 float + 120,00
        await pilot.press("escape")
        await till.settle(pilot)
        assert isinstance(app.screen, SaleScreen)


async def test_z_report_by_a_cashier_needs_a_supervisor(make_app, open_shift, shop, till) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await till.login(pilot)
        await sell_for_cash(pilot, till, shop.EKMEK, "10")
        await menu(pilot, till, "2")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("enter")
        await till.settle(pilot)
        assert isinstance(app.screen, ManagerPinDialog)
        await till.type(pilot, "2222", "enter")
        await till.type(pilot, "end of day", "enter")
        assert isinstance(app.screen, ReportDialog)
        text = till.screen_text(pilot)
        assert "Z number" in text and "Grand total" in text and "10.00" in text
    z = m.ZClosure.get()
    assert (z.z_no, z.sales_count, z.net, z.user_id) == (1, 1, 1000, shop.mehmet.user_id)
    assert m.JournalEntry.select().where(m.JournalEntry.kind == "override").count() == 1


async def test_z_report_by_a_supervisor_runs_at_once(make_app, shop, settings, now, till) -> None:
    shifts.open_shift(settings.terminal_id, shop.mehmet, Decimal("0"), now=now)
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await till.login(pilot, "2222")
        await menu(pilot, till, "2")
        await pilot.press("enter")
        await till.settle(pilot)
        assert isinstance(app.screen, ReportDialog)
    assert m.ZClosure.select().count() == 1


async def test_paid_in_and_paid_out(make_app, open_shift, shop, till) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await till.login(pilot)
        await menu(pilot, till, "3")
        await till.type(pilot, "50", "enter")
        await till.type(pilot, "change from the bank", "enter")
        assert isinstance(app.screen, SaleScreen)
        assert "Paid in: 50.00" in till.message(pilot)
        await menu(pilot, till, "4")
        await till.type(pilot, "500", "enter")
        await till.type(pilot, "supplier", "enter")
        assert "cannot pay out 500.00" in till.message(pilot)
    moves = [(c.kind, c.amount, c.reason) for c in m.CashMovement.select()]
    assert moves == [("paid_in", 5000, "change from the bank")]


async def test_no_sale_needs_a_supervisor_for_a_cashier(make_app, open_shift, shop, till) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await till.login(pilot)
        await menu(pilot, till, "5")
        await till.type(pilot, "1", "enter")
        assert isinstance(app.screen, ManagerPinDialog)
        await till.type(pilot, "9999", "enter")
        await till.type(pilot, "ok", "enter")
        assert "Drawer opened" in till.message(pilot)
    assert m.CashMovement.get().kind == "no_sale"


async def test_receipt_list_and_reprint_view(make_app, open_shift, shop, till) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await till.login(pilot)
        await sell_for_cash(pilot, till, shop.EKMEK, "20")
        await sell_for_cash(pilot, till, shop.SUT, "50")
        await menu(pilot, till, "6")
        assert isinstance(app.screen, ReceiptsScreen)
        text = till.screen_text(pilot)
        assert text.index("32.50") < text.index("10.00")  # newest first
        await pilot.press("down", "enter")
        await till.settle(pilot)
        assert isinstance(app.screen, ReportDialog)
        text = till.screen_text(pilot)
        assert "SALE T1/1" in text and "Ekmek" in text and "Change" in text and "Demo Market" in text
        await pilot.press("escape", "escape")
        await till.settle(pilot)
        assert isinstance(app.screen, SaleScreen)


async def test_users_list_only_for_admins(make_app, shop, open_shift, till) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await till.login(pilot)
        await pilot.press("f12")
        await till.settle(pilot)
        assert "Users" not in till.screen_text(pilot)
        await pilot.press("escape", "ctrl+q")
        await till.settle(pilot)
        await till.login(pilot, "9999")
        await menu(pilot, till, "a")  # the users entry's own key (it was "0", the tenth entry shown)
        assert isinstance(app.screen, UsersScreen)
        text = till.screen_text(pilot)
        assert "ayse" in text and "mehmet" in text and "supervisor" in text


async def test_cancel_the_sale_needs_a_supervisor(make_app, shop, open_shift, till) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await till.login(pilot)
        await till.scan(pilot, shop.EKMEK)
        await menu(pilot, till, "8")
        await till.type(pilot, "1", "enter")
        assert isinstance(app.screen, ManagerPinDialog)
        await till.type(pilot, "2222", "enter")
        await till.type(pilot, "customer left", "enter")
        assert app.screen.cart.is_blank and "Sale cancelled" in till.message(pilot)
    assert m.JournalEntry.select().where(m.JournalEntry.kind == "cart_cancel").count() == 1


async def test_close_shift_shows_the_variance_and_logs_out(make_app, open_shift, shop, settings, till) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await till.login(pilot)
        await sell_for_cash(pilot, till, shop.EKMEK, "10")
        await menu(pilot, till, "9")
        await till.type(pilot, "105", "enter")
        assert isinstance(app.screen, ReportDialog)
        text = till.screen_text(pilot)
        assert "Expected cash" in text and "110.00" in text and "-5.00" in text
        await pilot.press("enter")
        await till.settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        await till.login(pilot)
        assert type(app.screen).__name__ == "OpenShiftDialog"
    assert shifts.current_shift(settings.terminal_id) is None


async def test_price_change_needs_a_reason_and_a_supervisor(make_app, shop, open_shift, till) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await till.login(pilot)
        await till.scan(pilot, shop.CAY)
        await menu(pilot, till, "7")
        await till.type(pilot, "99,90", "enter")
        await till.type(pilot, "1", "enter")
        assert isinstance(app.screen, ManagerPinDialog)
        await till.type(pilot, "2222", "enter")
        await till.type(pilot, "label said so", "enter")
        line = app.screen.cart.lines[0]
        assert (line.unit_price, line.list_price, line.price_override_reason) == (
            Decimal("99.90"),
            Decimal("120.00"),
            "Shelf label price",
        )
    assert m.JournalEntry.select().where(m.JournalEntry.kind == "price_override").count() == 1

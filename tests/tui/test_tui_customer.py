"""The customer (loyalty member) dialog and panel on the sale screen, and paying with points."""

from __future__ import annotations

import io
from datetime import timedelta

from rich.console import Console
from textual.widgets import Input

from pos_tui.core.loyalty import ledger, members
from pos_tui.store import models as m
from pos_tui.tui.dialogs.customer import CustomerDialog, EnrollDialog
from pos_tui.tui.dialogs.manager import ManagerPinDialog
from pos_tui.tui.screens.payment import PaymentScreen
from pos_tui.tui.screens.sale import SaleScreen
from pos_tui.tui.widgets.member_panel import MemberPanel, render_profile


def _enroll(now, name: str = "Zeynep Işık", phone: str = "0532 111 22 33") -> members.MemberInfo:
    return members.enroll(name=name, phone=phone, source="cli", actor=None, now=now)


def _panel_text(app) -> str:
    """The panel's lines as plain text."""
    console = Console(width=40, record=True, file=io.StringIO())
    console.print(render_profile(app.screen.query_one(MemberPanel).profile))
    return console.export_text()


async def test_find_by_phone_attaches_and_shows_points(make_app, open_shift, shop, till, now) -> None:
    member = _enroll(now)
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await till.login(pilot)
        assert not app.screen.query_one(MemberPanel).display
        await pilot.press("f2")
        await till.settle(pilot)
        assert isinstance(app.screen, CustomerDialog)
        await till.type(pilot, "5321112233", "enter")
        assert isinstance(app.screen, SaleScreen)
        assert app.screen.cart.member_id == member.id
        assert app.screen.query_one(MemberPanel).display
        text = till.screen_text(pilot)
        assert "Zeynep Işık" in text and "0 points" in text


async def test_name_search_lists_and_enter_picks(make_app, open_shift, shop, till, now) -> None:
    _enroll(now, "Ali Yılmaz", "0532 000 00 01")
    veli = _enroll(now, "Veli Yılmaz", "0532 000 00 02")
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await till.login(pilot)
        await pilot.press("f2")
        await till.type(pilot, "YILMAZ", "enter")
        assert isinstance(app.screen, CustomerDialog)
        assert [f.name for f in app.screen.found] == ["Ali Yılmaz", "Veli Yılmaz"]
        await pilot.press("down", "enter")
        await till.settle(pilot)
        assert isinstance(app.screen, SaleScreen)
        assert app.screen.cart.member_id == veli.id
        # F2 then F4 takes the member off again.
        await pilot.press("f2", "f4")
        await till.settle(pilot)
        assert app.screen.cart.member_id is None
        assert not app.screen.query_one(MemberPanel).display


async def test_enroll_from_the_dialog_attaches_the_new_member(make_app, open_shift, shop, till) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await till.login(pilot)
        await pilot.press("f2")
        await till.type(pilot, "0533 444 55 66", "enter")
        assert "No member found" in str(app.screen.query_one(".error-line").render())
        await pilot.press("f2")
        await till.settle(pilot)
        assert isinstance(app.screen, EnrollDialog)
        assert app.screen.query_one("#enroll-phone", Input).value == "0533 444 55 66"
        await till.type(pilot, "Ayşe Demir", "enter")
        assert isinstance(app.screen, SaleScreen)
        row = m.Member.get(m.Member.phone == "+905334445566")
        assert row.name == "Ayşe Demir"
        assert app.screen.cart.member_id == row.id
        assert "Ayşe Demir" in _panel_text(app)
    assert not members.has_consent(row.id, "sms") and members.has_consent(row.id, "membership")


async def test_enroll_errors_show_inline(make_app, open_shift, shop, till, now) -> None:
    _enroll(now)
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await till.login(pilot)
        await pilot.press("f2")
        await till.settle(pilot)
        await pilot.press("f2")
        await till.settle(pilot)
        assert isinstance(app.screen, EnrollDialog)
        app.screen.query_one("#enroll-name", Input).value = "Can Kaya"
        app.screen.query_one("#enroll-phone", Input).value = "12345"
        await till.type(pilot, "", "enter")
        assert isinstance(app.screen, EnrollDialog)
        assert "not a Turkish mobile number" in str(app.screen.query_one(".error-line").render())
        app.screen.query_one("#enroll-phone", Input).value = "0532 111 22 33"
        await till.type(pilot, "", "enter")
        assert isinstance(app.screen, EnrollDialog)  # the phone belongs to Zeynep
        assert (
            "0532" in str(app.screen.query_one(".error-line").render())
            or "phone" in str(app.screen.query_one(".error-line").render()).lower()
        )
    assert m.Member.select().count() == 1


async def test_own_card_needs_the_supervisor_pin(make_app, open_shift, shop, till, now) -> None:
    member = _enroll(now)
    members.link_staff(member.id, "ayse", now=now)
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await till.login(pilot)
        await pilot.press("f2")
        await till.type(pilot, member.card, "enter")
        assert isinstance(app.screen, ManagerPinDialog)
        await till.type(pilot, "2222", "enter")
        await till.type(pilot, "own shopping", "enter")
        assert isinstance(app.screen, SaleScreen)
        assert app.screen.cart.member_id == member.id


async def test_pay_part_with_points(make_app, open_shift, shop, till, now, settings) -> None:
    member = _enroll(now)
    ledger.adjust(
        member.id, 100, "welcome", actor=shop.admin, now=now - timedelta(days=30), terminal=settings.terminal_id
    )
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await till.login(pilot)
        await till.scan(pilot, shop.CAY)  # 120,00
        await pilot.press("f2")
        await till.type(pilot, member.card, "enter")
        assert "100 points" in _panel_text(app)
        await pilot.press("f10")
        await till.settle(pilot)
        assert isinstance(app.screen, PaymentScreen)
        app.screen.query_one("#tender", Input).value = ""
        await till.type(pilot, "50", "f5")
        await till.type(pilot, "", "f8", "enter")
        await till.type(pilot, "", "enter")  # close the receipt preview
        assert isinstance(app.screen, SaleScreen), till.message(pilot)
    methods = {p.method: p.amount for p in m.Payment.select()}
    assert methods == {"points": 5000, "cash": 7000}
    assert ledger.balance(member.id, as_of=now.date()).available == 50

"""Loyalty cards select the customer, never a product: a serial reader (socket://) and a keyboard reader."""

from __future__ import annotations

from datetime import datetime

from textual.widgets import Input
from tui_devices_support import FakeClock, burst, device_app, status_text, wait_for

from pos_tui.core.loyalty import members
from pos_tui.devices.fakes import SocketDevice
from pos_tui.tui.dialogs.customer import CustomerDialog
from pos_tui.tui.screens.sale import SaleScreen

TRACK2 = ";6012345678=2512?"


def enrol(now: datetime, card: str, kind: str, name: str = "Zeynep Yılmaz") -> members.MemberInfo:
    return members.enroll(name=name, card=card, card_kind=kind, source="till", actor=None, now=now)


async def test_a_swipe_on_a_serial_reader_selects_the_member(settings, now, open_shift, shop, till) -> None:
    member = enrol(now, TRACK2, "magstripe")
    async with SocketDevice() as reader:
        toml = f'[card_reader]\ndriver = "serial"\nport = "{reader.url}"\n'
        app = device_app(settings, now, toml)
        async with app.run_test(size=(100, 30)) as pilot:
            await till.login(pilot)
            await till.scan(pilot, shop.EKMEK)
            await reader.wait_connected()
            await reader.push(f"{TRACK2}\r\n".encode())
            await wait_for(pilot, lambda: app.screen.cart.member_id == member.id, "the member")
            assert app.screen.has_class("-member")
            assert "Zeynep" in till.screen_text(pilot)
            assert [ln.name for ln in app.screen.cart.lines] == ["Ekmek"]  # no product was looked up
            assert "Card reader: magstripe …5678" in status_text(app)

            await reader.push(b";6099999999=2512?\r\n")
            await wait_for(pilot, lambda: "No member has card 6099999999" in till.message(pilot), "unknown card")
            await reader.push(b";4111111111111111=2512?\r\n")
            await wait_for(pilot, lambda: "bank card" in till.message(pilot), "a bank card refused")
            assert app.screen.cart.member_id == member.id


async def test_a_keyboard_rfid_reader_burst_selects_the_member_anywhere(settings, now, open_shift, shop, till) -> None:
    member = enrol(now, "0012345678", "rfid", name="Ali Kaya")
    clock = FakeClock()
    toml = '[card_reader]\ndriver = "keyboard"\nrfid_digits = [10]\n[scanner]\ndriver = "keyboard"\n'
    app = device_app(settings, now, toml, clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await till.login(pilot)
        await till.settle(pilot)
        await burst(pilot, clock, "0012345678")
        await wait_for(pilot, lambda: app.screen.cart.member_id == member.id, "the member")
        assert app.screen.cart.lines == ()

        await pilot.press("f2")  # in the customer dialog the card goes into its field, as typed
        await till.settle(pilot)
        assert isinstance(app.screen, CustomerDialog)
        await pilot.press("f4")  # detach
        await till.settle(pilot)
        assert app.screen.cart.member_id is None
        await pilot.press("f2")
        await till.settle(pilot)
        await burst(pilot, clock, "0012345678")
        await wait_for(pilot, lambda: isinstance(app.screen, SaleScreen), "the dialog to attach and close")
        await wait_for(pilot, lambda: app.screen.cart.member_id == member.id, "the member again")
        assert app.screen.query_one("#scan", Input).value == ""

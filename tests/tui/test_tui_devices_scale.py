"""Selling by weight: the weighing dialog with a FakeScale (and once with a CAS scale on a socket)."""

from __future__ import annotations

import re
from decimal import Decimal

from textual.widgets import Input, Static
from tui_devices_support import FakeClock, device_app, fake_scale_config, status_classes, status_text, wait_for

from pos_tui.devices.fakes import SocketDevice
from pos_tui.tui.dialogs.manager import ManagerPinDialog
from pos_tui.tui.dialogs.weigh import WeighDialog
from pos_tui.tui.screens.sale import SaleScreen

DOMATES = "00123"  # 40,00 a kg


def dialog_error(app) -> str:
    return str(app.screen.query_one(".error-line", Static).render())


def reading(app) -> str:
    return str(app.screen.query_one("#weigh-reading", Static).render())


async def test_without_a_scale_a_weighed_product_asks_for_a_typed_weight(make_app, open_shift, shop, till) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await till.login(pilot)
        await till.scan(pilot, DOMATES)
        assert isinstance(app.screen, SaleScreen)
        assert "sold by weight" in till.message(pilot)


async def test_a_stable_weight_is_taken_and_the_line_shows_weight_price_total(
    settings, now, open_shift, shop, till
) -> None:
    app = device_app(settings, now, scale=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await till.login(pilot)
        await till.settle(pilot)
        app.devices.scale.set_weight(1500)
        await till.scan(pilot, DOMATES)
        await wait_for(pilot, lambda: isinstance(app.screen, SaleScreen) and app.screen.cart.lines, "the weighed line")
        line = app.screen.cart.lines[0]
        assert (line.name, line.qty_milli, line.weighed, line.gross) == ("Domates", 1500, True, Decimal("60.00"))
        text = till.screen_text(pilot)
        assert re.search(r"1\s+Domates\s+1\.500 kg\s+60\.00", text)  # weight and total in the cart
        assert "1.500 kg × 40.00" in text  # and the unit price beside it
        assert "Scale: 1.500 kg stable" in status_text(app)


async def test_the_dialog_shows_the_live_weight_and_every_refusal_in_words(
    settings, now, open_shift, shop, till
) -> None:
    clock = FakeClock()
    app = device_app(settings, now, scale=fake_scale_config(max_age_ms=1000, minimum_g=40), clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await till.login(pilot)
        await till.settle(pilot)
        scale = app.devices.scale
        await till.scan(pilot, DOMATES)
        assert isinstance(app.screen, WeighDialog)
        dialog = app.screen
        await wait_for(pilot, lambda: "No weight from the scale yet" in dialog_error(app), "no reading")
        scale.set_weight(1480, stable=False)
        await wait_for(pilot, lambda: reading(app) == "1.480 kg moving", "the live reading")
        refusals = [
            (lambda: scale.set_weight(1480, stable=False), "not steady"),
            (lambda: scale.set_weight(0), "Nothing on the scale"),
            (lambda: scale.set_weight(-20, status="under_zero"), "less than zero"),
            (lambda: scale.set_weight(16000), "Too heavy"),
            (lambda: scale.set_weight(0, status="overload"), "Too heavy"),
            (lambda: scale.set_weight(20), "Too light to weigh"),
            (lambda: scale.set_weight(0, status="zero_error"), "needs zeroing"),
            (lambda: scale.set_weight(0, status="wrong_unit"), "not weighing in kilograms"),
            (lambda: scale.set_weight(0, status="garbled"), "could not be read"),
            (lambda: (scale.set_weight(1500), clock.advance(2.0)), "out of date"),
            (lambda: scale.set_connected(False), "not connected"),
        ]
        for make, words in refusals:
            make()
            await pilot.press("enter")  # weigh again
            await wait_for(pilot, lambda words=words: words in dialog_error(app), words)
            assert app.screen is dialog
        assert "-offline" in status_classes(app, "scale")
        scale.set_connected(True)
        scale.set_weight(750)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SaleScreen) and app.screen.cart.lines, "accepted")
        assert app.screen.cart.lines[0].qty_milli == 750 and app.screen.cart.lines[0].weighed


async def test_zero_tare_escape_and_a_typed_weight_needs_a_supervisor(settings, now, open_shift, shop, till) -> None:
    app = device_app(settings, now, scale=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await till.login(pilot)
        await till.settle(pilot)
        scale = app.devices.scale
        await till.scan(pilot, DOMATES)
        assert isinstance(app.screen, WeighDialog)
        await pilot.press("f5", "f6")
        await till.settle(pilot)
        assert scale.commands == ["zero", "tare"]
        scale.set_connected(False)
        await pilot.press("f5")
        await till.settle(pilot)
        assert any("not connected" in n.message for n in app._notifications)
        await pilot.press("escape")
        await till.settle(pilot)
        assert isinstance(app.screen, SaleScreen) and app.screen.cart.lines == ()
        assert "Weighing cancelled" in till.message(pilot)

        await till.scan(pilot, DOMATES)
        assert isinstance(app.screen, WeighDialog)
        await till.type(pilot, "0,75", "enter")
        assert isinstance(app.screen, ManagerPinDialog)  # ayse may not type a weight
        await till.type(pilot, "2222", "enter")
        await till.settle(pilot)
        if isinstance(app.screen, ManagerPinDialog):  # the dialog may ask a reason after the PIN
            await till.type(pilot, "scale broken", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SaleScreen) and app.screen.cart.lines, "manual line")
        line = app.screen.cart.lines[0]
        assert (line.qty_milli, line.weighed, line.gross) == (750, False, Decimal("30.00"))


async def test_a_cas_scale_streaming_on_a_socket_weighs_the_item(settings, now, open_shift, shop, till) -> None:
    async with SocketDevice() as cas:
        toml = f'[scale]\ndriver = "cas"\nport = "{cas.url}"\ntimeout = 2\n'
        app = device_app(settings, now, toml)
        async with app.run_test(size=(100, 30)) as pilot:
            await till.login(pilot)
            await cas.wait_connected()
            app.screen.query_one("#scan", Input).value = DOMATES
            await pilot.press("enter")  # not till.scan: it would wait for the weighing worker to give up
            assert isinstance(app.screen, WeighDialog)
            await cas.push(b"US,GS,+  1.210kg\r\n")
            await wait_for(pilot, lambda: isinstance(app.screen, WeighDialog) and "moving" in reading(app), "moving")
            assert app.screen.query_one(Input).value == ""
            await cas.push(b"ST,GS,+  1.250kg\r\n")
            await wait_for(pilot, lambda: isinstance(app.screen, SaleScreen) and app.screen.cart.lines, "weighed")
            line = app.screen.cart.lines[0]
            assert (line.qty_milli, line.weighed, line.gross) == (1250, True, Decimal("50.00"))

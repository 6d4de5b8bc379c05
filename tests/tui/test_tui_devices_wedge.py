"""Keyboard-wedge scanners: a fast burst ending in Enter is a scan wherever the focus is; typing is untouched.

The burst detector runs on a clock the test moves (FakeClock), so nothing here depends on how fast the
machine replays Pilot's keys.
"""

from __future__ import annotations

from decimal import Decimal

from textual.widgets import Input
from tui_devices_support import FakeClock, burst, device_app, status_text, typed, wait_for

from pos_tui.core import catalog
from pos_tui.devices.wedge import type_on_turkish_q
from pos_tui.tui.dialogs.prompts import AmountDialog
from pos_tui.tui.screens.sale import SaleScreen

KEYBOARD = '[scanner]\ndriver = "keyboard"\nburst_ms = 50\nmin_length = 4\n'


async def test_a_burst_is_a_scan_and_slow_typing_stays_typing(settings, now, open_shift, shop, till) -> None:
    clock = FakeClock()
    app = device_app(settings, now, KEYBOARD, clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await till.login(pilot)
        await till.settle(pilot)
        scan = app.screen.query_one("#scan", Input)
        await burst(pilot, clock, shop.EKMEK)
        await wait_for(pilot, lambda: len(app.screen.cart.lines) == 1, "the burst's item")
        assert scan.value == "" and app.screen.cart.lines[0].name == "Ekmek"
        assert f"Scanner: {shop.EKMEK}" in status_text(app)

        await typed(pilot, clock, "3*")  # a person types the multiplier: it reaches the field, in order
        assert scan.value == "3*"
        await pilot.press("enter")
        await till.settle(pilot)
        await burst(pilot, clock, shop.SUT)
        await wait_for(pilot, lambda: len(app.screen.cart.lines) == 2, "the multiplied item")
        assert app.screen.cart.lines[1].qty_milli == 3000

        await typed(pilot, clock, "1001")  # a code typed by hand, then Enter a person's moment later
        clock.advance(0.3)
        await pilot.press("enter")
        await till.settle(pilot)
        assert [ln.name for ln in app.screen.cart.lines] == ["Ekmek", "Süt 1 L", "Ekmek"]


async def test_a_burst_in_a_dialog_waits_for_the_sale_and_does_not_type_there(
    settings, now, open_shift, shop, till
) -> None:
    clock = FakeClock()
    app = device_app(settings, now, KEYBOARD, clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await till.login(pilot)
        await till.scan(pilot, shop.EKMEK)
        await pilot.press("f8")
        await till.settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, AmountDialog)
        field = dialog.query_one(Input)
        before = field.value
        await burst(pilot, clock, shop.CAY)
        await wait_for(pilot, lambda: len(app.devices.queued) == 1, "the queued scan")
        assert app.screen is dialog and field.value == before
        await typed(pilot, clock, "5")  # the cashier's own typing still reaches the dialog
        assert field.value.endswith("5")
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, SaleScreen) and len(app.screen.cart.lines) == 2, "drain")
        assert app.screen.cart.lines[1].name == "Çay 500 g"


async def test_turkish_q_keymap_confusions_are_undone(settings, now, open_shift, shop, till) -> None:
    catalog.upsert_products(
        [catalog.ProductInput(code="kiwi-1", name="Kivi", price=Decimal("5.00"), kdv_rate=1)],
        now=now,
        kdv_rates=settings.kdv_rates,
    )
    clock = FakeClock()
    app = device_app(settings, now, KEYBOARD + "turkish_q = true\n", clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await till.login(pilot)
        await till.settle(pilot)
        keys = type_on_turkish_q("kiwi-1")
        assert keys == "kıwı*1"
        await burst(pilot, clock, keys)
        await wait_for(pilot, lambda: len(app.screen.cart.lines) == 1, "the normalised code")
        assert app.screen.cart.lines[0].name == "Kivi"


async def test_at_the_login_screen_a_burst_is_dropped_and_a_typed_pin_still_works(
    settings, now, open_shift, shop, till
) -> None:
    clock = FakeClock()
    app = device_app(settings, now, KEYBOARD, clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await till.settle(pilot)
        await burst(pilot, clock, shop.EKMEK)
        await till.settle(pilot)
        assert app.screen.query_one("#pin", Input).value == ""  # never typed into the PIN field
        assert any("Log in to sell" in n.message for n in app._notifications)
        await typed(pilot, clock, "1111")
        await pilot.press("enter")
        await till.settle(pilot)
        assert isinstance(app.screen, SaleScreen) and app.screen.cart.lines == ()

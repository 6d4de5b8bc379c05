"""A serial scanner on a real SerialLink (socket:// fake) drives the sale screen; the device status line."""

from __future__ import annotations

from textual.widgets import Input
from tui_devices_support import device_app, status_classes, status_text, wait_for

from pos_tui.devices.fakes import SocketDevice
from pos_tui.tui.dialogs.prompts import AmountDialog
from pos_tui.tui.screens.sale import SaleScreen


def scanner_toml(url: str) -> str:
    return f'[scanner]\ndriver = "serial"\nport = "{url}"\nreconnect_min = 0.05\nreconnect_max = 0.1\n'


async def test_a_serial_scan_adds_the_item_like_a_typed_one_with_the_multiplier(
    settings, now, open_shift, shop, till
) -> None:
    async with SocketDevice() as scanner:
        app = device_app(settings, now, scanner_toml(scanner.url))
        async with app.run_test(size=(100, 30)) as pilot:
            await till.login(pilot)
            await scanner.wait_connected()
            await scanner.push(f"{shop.EKMEK}\r\n".encode())
            await wait_for(pilot, lambda: len(app.screen.cart.lines) == 1, "the first scan")
            await till.type(pilot, "3*", "enter")
            await scanner.push(f"{shop.SUT}\n".encode())
            await wait_for(pilot, lambda: len(app.screen.cart.lines) == 2, "the second scan")
            lines = app.screen.cart.lines
            assert [(ln.name, ln.qty_milli) for ln in lines] == [("Ekmek", 1000), ("Süt 1 L", 3000)]
            assert str(app.screen.query_one("#multiplier").render()) == ""
            assert app.focused is app.screen.query_one("#scan")
            assert f"Scanner: {shop.SUT}" in status_text(app)
            assert "-connected" in status_classes(app, "scanner")


async def test_a_scan_during_a_dialog_waits_and_never_lands_in_it(settings, now, open_shift, shop, till) -> None:
    async with SocketDevice() as scanner:
        app = device_app(settings, now, scanner_toml(scanner.url))
        async with app.run_test(size=(100, 30)) as pilot:
            await till.login(pilot)
            await till.scan(pilot, shop.EKMEK)
            await scanner.wait_connected()
            await pilot.press("f8")
            await till.settle(pilot)
            dialog = app.screen
            assert isinstance(dialog, AmountDialog)
            before = dialog.query_one(Input).value
            await scanner.push(f"{shop.CAY}\r\n".encode())
            await wait_for(pilot, lambda: len(app.devices.queued) == 1, "the scan to be queued")
            assert app.screen is dialog and dialog.query_one(Input).value == before
            assert len(app.screen_stack[-2].cart.lines) == 1  # the total under the cash dialog did not move
            await pilot.press("escape")
            await wait_for(
                pilot, lambda: isinstance(app.screen, SaleScreen) and len(app.screen.cart.lines) == 2, "drain"
            )
            assert [ln.name for ln in app.screen.cart.lines] == ["Ekmek", "Çay 500 g"]
            assert app.devices.queued == ()


async def test_status_line_follows_the_cable_and_is_hidden_without_devices(
    settings, now, open_shift, shop, till, make_app
) -> None:
    async with SocketDevice() as scanner:
        app = device_app(settings, now, scanner_toml(scanner.url))
        async with app.run_test(size=(100, 30)) as pilot:
            await till.login(pilot)
            await scanner.wait_connected()
            await wait_for(pilot, lambda: "-connected" in status_classes(app, "scanner"), "connected")
            assert "Scanner: ready" in status_text(app)
            await scanner.drop()
            await wait_for(pilot, lambda: "-offline" in status_classes(app, "scanner"), "offline")
            assert "retrying in" in status_text(app)
            await scanner.restore()
            await wait_for(pilot, lambda: "-connected" in status_classes(app, "scanner"), "connected again")
            await scanner.push(f"{shop.EKMEK}\r\n".encode())
            await wait_for(pilot, lambda: len(app.screen.cart.lines) == 1, "a scan after the reconnect")
    plain = make_app()
    async with plain.run_test(size=(100, 30)) as pilot:
        await till.login(pilot)
        assert status_text(plain) == ""
        assert not plain.screen.query_one("#device-status").display


async def test_a_bad_section_is_shown_once_and_the_till_sells_without_it(settings, now, open_shift, shop, till) -> None:
    toml = '[scale]\ndriver = "cas"\nport = "/dev/ttyUSB9"\ncapacity = -1\n[scanner]\ndriver = "laser"\n'
    app = device_app(settings, now, toml)
    async with app.run_test(size=(100, 30)) as pilot:
        await till.login(pilot)
        await till.settle(pilot)
        messages = [n.message for n in app._notifications]
        assert len([m for m in messages if "[scale].capacity" in m]) == 1
        assert len([m for m in messages if "[scanner].driver" in m]) == 1
        assert app.devices.scale is None and app.devices.readers == []
        assert "-error" in status_classes(app, "scale") and "-error" in status_classes(app, "scanner")
        assert "Scale: not used" in status_text(app)
        await till.scan(pilot, shop.EKMEK)
        assert [ln.name for ln in app.screen.cart.lines] == ["Ekmek"]

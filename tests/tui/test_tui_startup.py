"""Start-up order (issue 11): the cashier waits for the PIN check and the sale screen, not for
the file's integrity check or the devices."""

from __future__ import annotations

import time

from textual.widgets import Input

from pos_tui.store import db as store_db
from pos_tui.tui.screens.sale import SaleScreen


async def test_the_pin_logs_in_while_the_start_up_check_still_runs(make_app, open_shift, shop) -> None:
    """The PIN login writes its attempt rows without waiting for the background ``quick_check``
    (1-2 s on a large shop); posting a sale still waits for it (test_storage_faults)."""
    app = make_app()
    store_db.gate.start()  # the check started with the database is still running
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            app.screen.query_one("#pin", Input).value = "1111"
            await pilot.press("enter")
            deadline = time.monotonic() + 20
            while not isinstance(app.screen, SaleScreen) and time.monotonic() < deadline:
                await pilot.pause(0.02)
            assert store_db.gate.pending
            assert isinstance(app.screen, SaleScreen), app.screen
            store_db.gate.finish(None)  # lets the till's wait for the check end, so the app can close
    finally:
        store_db.gate.finish(None)


async def test_a_pin_typed_at_once_gets_its_screen_before_the_devices_start(
    make_app, open_shift, shop, till, monkeypatch
) -> None:
    """The warm-up holds the device start back while a PIN is checked, then starts them."""
    order: list[str] = []
    app = make_app()
    start_devices = app._start_devices

    async def started() -> None:
        order.append("devices" if not isinstance(app.screen, SaleScreen) else "devices after the sale screen")
        await start_devices()

    monkeypatch.setattr(app, "_start_devices", started)
    async with app.run_test(size=(100, 30)) as pilot:
        app.checking_pin(True)  # as the login screen does on Enter, before the warm-up gets there
        await till.login(pilot)
        await till.settle(pilot)
        assert isinstance(app.screen, SaleScreen)
        assert order == ["devices after the sale screen"]
        assert app.devices is not None

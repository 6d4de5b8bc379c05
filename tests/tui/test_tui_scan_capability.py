"""Scans reach a screen by the capability it declares (``ScanTarget``, ``ScanReceiver``), never by its class name."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.screen import ModalScreen
from textual.widgets import Input
from tui_devices_support import device_app

from pos_tui.devices.scanner import Scanned
from pos_tui.tui.capabilities import ScanReceiver, ScanTarget
from pos_tui.tui.dialogs.customer import CustomerDialog
from pos_tui.tui.dialogs.giftcard import GiftCardDialog
from pos_tui.tui.dialogs.lists import ProductSearchDialog
from pos_tui.tui.dialogs.loyalty_entry import CouponDialog
from pos_tui.tui.screens.receipts import ReceiptsScreen
from pos_tui.tui.screens.returns import ReturnScreen
from pos_tui.tui.screens.sale import SaleScreen


class _CodeField(ModalScreen[None]):
    """A dialog with one field; remembers what was submitted in it."""

    def __init__(self) -> None:
        super().__init__()
        self.submitted: list[str] = []

    def compose(self) -> ComposeResult:
        yield Input(id="code")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        self.submitted.append(event.value)


class SerialNumberDialog(_CodeField, ScanTarget):
    """A new screen that wants codes: it says so, and nothing else has to know its name."""


class CustomerDialog_(_CodeField):  # renamed below: the name of a screen the hub once knew by name
    """A screen that does not declare ScanTarget: a scan must not be typed into it."""


CustomerDialog_.__name__ = "CustomerDialog"


def test_the_screens_that_want_codes_declare_it() -> None:
    for screen in (CustomerDialog, CouponDialog, GiftCardDialog, ProductSearchDialog, ReturnScreen, ReceiptsScreen):
        assert issubclass(screen, ScanTarget), screen
    assert issubclass(SaleScreen, ScanReceiver)
    assert not issubclass(SaleScreen, ScanTarget)


async def test_a_scan_is_typed_into_a_screen_that_declares_scan_target(settings, now, open_shift, shop, till) -> None:
    app = device_app(settings, now)
    async with app.run_test(size=(100, 30)) as pilot:
        await till.login(pilot)
        dialog = SerialNumberDialog()
        await app.push_screen(dialog)
        await till.settle(pilot)
        app.devices.route(Scanned(shop.CAY, "serial"))
        await till.settle(pilot)
        assert dialog.submitted == [shop.CAY]
        assert app.devices.queued == ()


async def test_a_screen_is_not_a_scan_target_by_its_class_name(settings, now, open_shift, shop, till) -> None:
    app = device_app(settings, now)
    async with app.run_test(size=(100, 30)) as pilot:
        await till.login(pilot)
        dialog = CustomerDialog_()
        await app.push_screen(dialog)
        await till.settle(pilot)
        app.devices.route(Scanned(shop.CAY, "serial"))
        await till.settle(pilot)
        assert dialog.submitted == [] and dialog.query_one(Input).value == ""
        assert app.devices.queued == (Scanned(shop.CAY, "serial"),)  # it waits for the sale screen
        app.pop_screen()
        await till.settle(pilot)
        await pilot.pause(0.3)
        await till.settle(pilot)
        assert isinstance(app.screen, SaleScreen) and [ln.name for ln in app.screen.cart.lines] == ["Çay 500 g"]

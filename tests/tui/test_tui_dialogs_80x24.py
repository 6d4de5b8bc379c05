"""Every dialog fits the smallest till screen (80×24) and shows its error where the cashier looks.

Each case opens one dialog over a logged-in sale screen at 80×24, provokes the dialog's own
validation error the way a cashier would (Enter on an empty field, a number out of range...) and
checks that the error line is inside the screen and inside the dialog's frame, that it says the
expected thing, and that the terminal really shows it. Dialogs without a validation of their own
(a list, a question, a report) are given an error through ``show_error`` to check the same.
The enrolment form was taller than the screen: its error line was drawn below the last row.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from rich.text import Text
from textual.pilot import Pilot
from textual.widgets import Input, Static
from tui_devices_support import fake_scale_config

from pos_tui.core import catalog
from pos_tui.core.basket import Cart
from pos_tui.core.kernel import PermissionDenied, Printable, PrintLine
from pos_tui.core.till import carts
from pos_tui.devices.scales import FakeScale
from pos_tui.tui.app import PosApp
from pos_tui.tui.dialogs.base import Dialog
from pos_tui.tui.dialogs.customer import CustomerDialog, EnrollDialog
from pos_tui.tui.dialogs.discount import DiscountDialog
from pos_tui.tui.dialogs.giftcard import GiftCardDialog
from pos_tui.tui.dialogs.lists import ParkedCartsDialog, ProductSearchDialog
from pos_tui.tui.dialogs.loyalty_entry import CouponDialog, RewardsDialog
from pos_tui.tui.dialogs.manager import ManagerPinDialog
from pos_tui.tui.dialogs.prompts import AmountDialog, CashMovementDialog, ChoiceDialog, QuantityDialog, ReasonDialog
from pos_tui.tui.dialogs.receipt_preview import ReceiptPreview
from pos_tui.tui.dialogs.shift import CloseShiftDialog, OpenShiftDialog
from pos_tui.tui.dialogs.views import CardDialog, ConfirmDialog, ReportDialog
from pos_tui.tui.dialogs.weigh import WeighDialog
from pos_tui.tui.screens.payment import PaymentScreen

SIZE = (80, 24)
VOID_REASONS = ["Scanned by mistake", "Customer changed their mind", "Damaged", "Wrong price"]
LONG = "\n".join(f"line {n:02} of a long report" for n in range(60))


def error_text(app: PosApp) -> str:
    return str(app.screen.query_one(".error-line", Static).render())


def assert_error_on_screen(pilot: Pilot[None], till: Any, expected: str) -> None:
    """The dialog's error line says ``expected`` and is on screen, inside the dialog's frame."""
    screen = pilot.app.screen
    assert isinstance(screen, Dialog), f"{screen!r} is not a dialog"
    line = screen.query_one(".error-line", Static)
    assert expected in str(line.render())
    region = line.region
    assert region.width > 0 and region.height > 0, f"the error line has no room: {region}"
    assert screen.region.contains_region(region), f"error line {region} is off the {screen.region} screen"
    frame = screen.query_one(".dialog")
    assert screen.region.contains_region(frame.region), f"the dialog {frame.region} does not fit the screen"
    inside = frame.region.shrink(frame.styles.gutter)
    assert inside.contains_region(region), f"error line {region} is outside the dialog's frame {inside}"
    assert expected[:30] in till.screen_text(pilot), "the terminal does not show the error"


async def enter(pilot: Pilot[None], till: Any, text: str = "", *keys: str) -> None:
    """Type ``text`` into the focused field, then press ``keys`` (Enter by default)."""
    await till.type(pilot, text, *(keys or ("enter",)))


async def show_error(pilot: Pilot[None], till: Any) -> None:
    screen = pilot.app.screen
    assert isinstance(screen, Dialog)
    screen.show_error("A test error the cashier must see")
    await till.settle(pilot)


def domates(app: PosApp) -> Any:
    return catalog.scan("00123", app.settings.scale_labels).product


async def weigh_dialog(app: PosApp) -> WeighDialog:
    scale = FakeScale(fake_scale_config(timeout=30.0))  # waits for a weight while the test types
    await scale.start()
    return WeighDialog(domates(app), scale, "en")


def receipt(lines: int) -> Printable:
    return Printable("Receipt T1/1", tuple(PrintLine(f"Item {n:02}  10.00") for n in range(lines)))


@dataclass(frozen=True)
class Case:
    """Open ``make(app)``, run ``provoke``, expect ``expected`` on the error line."""

    name: str
    make: Callable[[PosApp], Any]
    provoke: Callable[[Pilot[None], Any], Awaitable[None]]
    expected: str


async def _enroll_without_a_name(pilot: Pilot[None], till: Any) -> None:
    await enter(pilot, till)


async def _rewards(pilot: Pilot[None], till: Any) -> None:
    await till.settle(pilot)  # no rewards catalog: said on opening


async def _manager_without_pin(pilot: Pilot[None], till: Any) -> None:
    pilot.app.screen.query_one("#reason", Input).focus()
    await enter(pilot, till, "checked")


async def _cash_movement_without_reason(pilot: Pilot[None], till: Any) -> None:
    await enter(pilot, till, "5")
    await enter(pilot, till)


async def _giftcard_zero(pilot: Pilot[None], till: Any) -> None:
    await enter(pilot, till, "0", "f8")


async def _weigh_zero(pilot: Pilot[None], till: Any) -> None:
    await enter(pilot, till, "0")


async def _preview_reprint(pilot: Pilot[None], till: Any) -> None:
    await enter(pilot, till, "", "f5")


CASES = [
    Case("customer", lambda app: CustomerDialog(), enter, "Scan the card, or type a phone number or a name"),
    Case("enrol", lambda app: EnrollDialog(), _enroll_without_a_name, "Type the customer's name"),
    Case("enrol-phone", lambda app: EnrollDialog(name="Ayşe Demir", phone="12"), enter, "12"),
    Case(
        "discount",
        lambda app: DiscountDialog(None, "Whole cart"),
        lambda p, t: enter(p, t, "150%"),
        "A percentage is between 0 and 100",
    ),
    Case(
        "void reason",
        lambda app: ReasonDialog("Void line 1", "Why is Ekmek taken off?", VOID_REASONS),
        lambda p, t: enter(p, t, "9"),
        "There is no reason 9: pick 1 to 4",
    ),
    Case("reason", lambda app: ReasonDialog("Paid out", "Why?"), enter, "A reason is needed"),
    Case(
        "amount",
        lambda app: AmountDialog("Cash", "Cash received", Decimal("10")),
        lambda p, t: enter(p, t, "0"),
        "above zero",
    ),
    Case(
        "quantity",
        lambda app: QuantityDialog("Quantity of line 1", "Ekmek"),
        lambda p, t: enter(p, t, "0"),
        "above zero",
    ),
    Case(
        "paid in/out", lambda app: CashMovementDialog("Paid out"), _cash_movement_without_reason, "A reason is needed"
    ),
    Case("choice", lambda app: ChoiceDialog("Menu", [(str(n), f"Entry {n}") for n in range(12)]), show_error, "A test"),
    Case(
        "manager PIN",
        lambda app: ManagerPinDialog(PermissionDenied("Ayşe may not void a line: a supervisor must approve", "void")),
        _manager_without_pin,
        "Type the supervisor's PIN",
    ),
    Case("open shift", lambda app: OpenShiftDialog(), lambda p, t: enter(p, t, "abc"), "amount"),
    Case("close shift", lambda app: CloseShiftDialog(), lambda p, t: enter(p, t, "12345678"), "looks like a barcode"),
    Case("weigh", None, _weigh_zero, "Type a weight above zero"),  # made in the test (async)
    Case("gift card sell", lambda app: GiftCardDialog("issue"), _giftcard_zero, "Type an amount above zero"),
    Case("gift card balance", lambda app: GiftCardDialog("balance"), enter, "Scan or type the gift card's code"),
    Case("product search", lambda app: ProductSearchDialog(), enter, "Type a name or code and pick a product"),
    Case("parked carts", lambda app: ParkedCartsDialog([], timezone="Europe/Istanbul"), show_error, "A test"),
    Case("coupons", lambda app: CouponDialog(Cart()), lambda p, t: enter(p, t, "NOPE"), "NOPE"),
    Case("rewards", lambda app: RewardsDialog(Cart()), _rewards, "The loyalty program has no rewards catalog"),
    Case("report", lambda app: ReportDialog("X report", Text(LONG)), show_error, "A test"),
    Case("confirm", lambda app: ConfirmDialog("Z report", "Close the day?"), show_error, "A test"),
    Case("card", lambda app: CardDialog(Decimal("42.50")), show_error, "A test"),
    Case(
        "receipt preview",
        lambda app: ReceiptPreview(receipt(60), {"id": "x"}, "No receipt printer: the receipt is on the screen only"),
        _preview_reprint,
        "No receipt printer is configured",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
async def test_the_dialog_shows_its_error_at_80x24(make_app, open_shift, shop, till, case: Case) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await till.login(pilot)
        dialog = await weigh_dialog(app) if case.make is None else case.make(app)
        app.push_screen(dialog)
        await till.settle(pilot)
        assert app.screen is dialog
        await case.provoke(pilot, till)
        assert app.screen is dialog, "the dialog closed instead of showing the error"
        assert_error_on_screen(pilot, till, case.expected)


async def test_the_enrolment_form_fits_80x24_without_scrolling(make_app, open_shift, shop, till) -> None:
    """Every field, both consents and the consent notice are on screen at once."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await till.login(pilot)
        app.push_screen(EnrollDialog())
        await till.settle(pilot)
        screen = app.screen
        for selector in (
            "#enroll-name",
            "#enroll-phone",
            "#enroll-email",
            "#enroll-birth_date",
            "#enroll-consent-sms",
            "#enroll-consent-email",
            ".dialog-presets",
            ".error-line",
            ".dialog-hint",
        ):
            region = screen.query_one(selector).region
            assert region.height > 0 and screen.region.contains_region(region), f"{selector} is off screen: {region}"


async def test_the_payment_screen_shows_its_error_at_80x24(make_app, open_shift, shop, till) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await till.login(pilot)
        await till.scan(pilot, shop.EKMEK)
        await pilot.press("f10")
        await till.settle(pilot)
        assert isinstance(app.screen, PaymentScreen)
        await till.type(pilot, "abc", "f8")
        message = app.screen.query_one("#message", Static)
        assert "amount" in str(message.render())
        assert message.region.height > 0 and app.screen.region.contains_region(message.region)


async def test_a_void_reason_out_of_range_is_refused_and_nothing_is_voided(make_app, open_shift, shop, till) -> None:
    """Del on a line, ``9`` of four listed reasons: refused in the dialog; ``2`` then voids with that reason."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await till.login(pilot)
        await till.scan(pilot, shop.EKMEK)
        await pilot.press("delete")
        await till.settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ReasonDialog)
        await till.type(pilot, "9", "enter")
        assert app.screen is dialog
        assert_error_on_screen(pilot, till, "There is no reason 9: pick 1 to 4, or type the reason")
        assert not carts.load_open_cart("T1", shop.ayse.user_id).lines[0].voided
        await till.type(pilot, "2", "enter")
        line = carts.load_open_cart("T1", shop.ayse.user_id).lines[0]
        assert line.voided and line.void_reason == "Customer changed their mind"


async def _open_return(pilot: Pilot[None], till: Any) -> None:
    await pilot.press("f4")
    await till.settle(pilot)
    await till.type(pilot, "abc", "enter")


async def _open_receipts(pilot: Pilot[None], till: Any) -> None:
    from tui_printing_support import menu_entry

    await menu_entry(pilot, till, "receipts")
    await pilot.press("f5")
    await till.settle(pilot)


@pytest.mark.parametrize(
    ("provoke", "expected"),
    [
        (_open_return, "A receipt number is digits"),
        (_open_receipts, "Select a receipt with"),
    ],
    ids=["returns", "receipts"],
)
async def test_full_screens_show_their_error_at_80x24(make_app, open_shift, shop, till, provoke, expected) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await till.login(pilot)
        await provoke(pilot, till)
        message = app.screen.query_one("#message", Static)
        assert expected in str(message.render())
        assert message.region.height > 0 and app.screen.region.contains_region(message.region)
        assert expected in till.screen_text(pilot)


async def test_enter_on_a_consent_box_enrols_as_the_hint_says(make_app, open_shift, shop, till) -> None:
    """Space ticks a consent; Enter enrols from any part of the form (it used to tick the box)."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await till.login(pilot)
        enrolled: list[Any] = []
        app.push_screen(EnrollDialog(name="Ayşe Demir", phone="0533 444 55 66"), enrolled.append)
        await till.settle(pilot)
        app.screen.query_one("#enroll-consent-sms").focus()
        await pilot.press("space", "enter")
        await till.settle(pilot)
        assert not isinstance(app.screen, EnrollDialog)
        (member,) = enrolled
        assert member.name == "Ayşe Demir"

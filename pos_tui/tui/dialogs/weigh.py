"""Weighing a product sold by the kilogram on the counter scale.

The sale screen opens :class:`WeighDialog` when a product whose unit is in ``cart.WEIGHED_UNITS`` is scanned
without a quantity and the till has a scale (:func:`open_weighing`). The dialog shows the scale's live
reading (``WeightChanged`` messages, handed over by the device hub) and waits, in an exclusive worker, for
:meth:`~pos_tui.devices.scales.Scale.read_stable`: the first fresh, stable, positive weight within the
scale's range is taken at once. A refusal (moving, nothing on the platter, too heavy, stale, offline...) is
shown in words the cashier can act on; Enter weighs again, Esc cancels, the zero/tare keys send the scale's
commands. Typing a weight and pressing Enter takes the typed weight instead: the sale screen then adds it
as a manual weight, which needs ``manual_weight`` (a supervisor's PIN otherwise, like every guarded change).

Without a scale nothing changes: the product asks for its weight to be typed first (``1,5*CODE``), with the
same permission.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.widgets import Input, Label, Static

from pos_tui.core import till
from pos_tui.core.basket import WEIGHED_UNITS
from pos_tui.core.kernel import PosError, ValidationError, format_money, line_amount, parse_quantity
from pos_tui.devices.errors import DeviceError
from pos_tui.devices.scales import Scale, WeightReading, describe_reading, format_weight
from pos_tui.i18n import _
from pos_tui.tui.base import pos_app
from pos_tui.tui.dialogs.base import Dialog
from pos_tui.tui.keymap import N_, bind

if TYPE_CHECKING:
    from pos_tui.core.catalog import ProductInfo
    from pos_tui.tui.screens.sale import SaleScreen


@dataclass(frozen=True, slots=True)
class Weighed:
    """The weight to sell in grams (= milli-kg); ``manual`` when it was typed, not read from the scale."""

    grams: int
    manual: bool = False


class WeighDialog(Dialog[Weighed]):
    """The live weight, the price it makes, and why a reading is not taken yet."""

    BINDINGS: ClassVar[list[BindingType]] = [
        bind("weigh.zero", "zero", N_("Zero"), N_("Zero the empty scale")),
        bind("weigh.tare", "tare", N_("Tare"), N_("Tare the container on the scale")),
    ]

    def __init__(self, product: ProductInfo, scale: Scale, language: str) -> None:
        super().__init__(_("Weigh {name}").format(name=product.name))
        self.product = product
        self.scale = scale
        self.language = language
        self.attempts = 0  # weighings started (the first on mount, then one per Enter/zero/tare)

    def compose_body(self) -> ComposeResult:
        price = format_money(self.product.price, self.language)
        yield Label(_("{price} per kg").format(price=price), classes="dialog-prompt")
        yield Static(self._reading_text(self.scale.latest), id="weigh-reading")
        yield Static("", id="weigh-amount")
        yield Label(_("Or type the weight in kg (needs permission):"), classes="dialog-label")
        yield Input(id="weigh-manual", placeholder="0,000")

    def hint(self) -> str:
        app = pos_app(self)
        return _("Enter: weigh again (or take the typed weight) · {zero}: zero · {tare}: tare · Esc: cancel").format(
            zero=app.key_label("weigh.zero"), tare=app.key_label("weigh.tare")
        )

    def on_mount(self) -> None:
        self.query_one("#weigh-manual", Input).focus()
        self.show_reading(self.scale.latest)
        self.weigh()

    # -- the live reading ---------------------------------------------------------------------------------------

    def _reading_text(self, reading: WeightReading | None) -> str:
        if reading is None:
            return _("Waiting for the scale…")
        return describe_reading(reading)

    def show_reading(self, reading: WeightReading | None) -> None:
        """Show the scale's latest reading (called for every ``WeightChanged``; a flood collapses first)."""
        self.query_one("#weigh-reading", Static).update(self._reading_text(reading))
        amount = ""
        if reading is not None and reading.stable and reading.grams > 0:
            total = line_amount(self.product.price, reading.grams)
            amount = _("{weight} × {price} = {total}").format(
                weight=format_weight(reading.grams),
                price=format_money(self.product.price, self.language),
                total=format_money(total, self.language),
            )
        self.query_one("#weigh-amount", Static).update(amount)

    # -- weighing -----------------------------------------------------------------------------------------------

    @work(exclusive=True, group="weigh", exit_on_error=False, description="weigh")
    async def weigh(self) -> None:
        """Wait for an acceptable weight; take it unless the cashier is typing one."""
        self.attempts += 1
        try:
            grams = await self.scale.read_stable()
        except (ValidationError, DeviceError) as exc:
            self.show_error(exc.message)
            return
        if not self.query_one("#weigh-manual", Input).value.strip():
            self.dismiss(Weighed(grams))

    @on(Input.Submitted, "#weigh-manual")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        if not text:
            self.clear_error()
            self.weigh()
            return
        try:
            grams = parse_quantity(text, _("weight"))
        except PosError as exc:
            self.show_error(exc.message)
            return
        if grams <= 0:
            self.show_error(_("Type a weight above zero"))
            return
        self.workers.cancel_group(self, "weigh")
        self.dismiss(Weighed(grams, manual=True))

    async def action_zero(self) -> None:
        await self._command(self.scale.zero, _("Scale zeroed"))

    async def action_tare(self) -> None:
        await self._command(self.scale.tare, _("Scale tared"))

    async def _command(self, command: Callable[[], Awaitable[None]], done: str) -> None:
        try:
            await command()
        except DeviceError as exc:
            self.app.notify(exc.message, severity="error")
            return
        self.app.notify(done)
        self.clear_error()
        self.weigh()


def needs_weighing(code: str, sale: SaleScreen) -> ProductInfo | None:
    """The product ``code`` names when it must be weighed (sold by weight, no weight in the code), else None.

    Errors (unknown code, bad check digit) are left to the normal scan path, which shows them.
    """
    from pos_tui.core.catalog import scan

    try:
        result = scan(code, sale.session.settings.scale_labels)
    except PosError:
        return None
    if result.product.unit not in WEIGHED_UNITS or result.qty_milli is not None or result.line_price is not None:
        return None
    from pos_tui.core import till

    session = sale.session
    return till.store_priced(result.product, session.now(), session.tz)  # the price the till will charge


def open_weighing(sale: SaleScreen, code: str, scale: Scale | None) -> bool:
    """Open the weighing dialog for ``code`` when it is a product sold by weight and there is a scale.

    Returns False (nothing done) otherwise, so the sale screen goes on as without a scale. The weight is
    added with ``till.add_item(..., scale_weight=True)``, or as a manual weight (``manual_weight``) when typed.
    """
    if scale is None:
        return False
    product = needs_weighing(code, sale)
    if product is None:
        return False
    from pos_tui.core.basket import Cart
    from pos_tui.core.kernel import Override

    session = sale.session
    actor = session.require_actor()

    def weighed(result: Weighed | None) -> None:
        if result is None:
            sale.show_note(_("Weighing cancelled"))
            return

        def add(override: Override | None) -> Cart:
            return till.add_item(
                session.terminal,
                actor,
                code,
                result.grams,
                now=session.now(),
                tz=session.tz,
                masks=session.settings.scale_labels,
                override=override,
                scale_weight=not result.manual,
            )

        sale.run_cart_change(add)

    sale.app.push_screen(WeighDialog(product, scale, sale.language), weighed)
    return True

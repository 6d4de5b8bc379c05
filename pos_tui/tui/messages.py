"""Messages the app's parts send each other, named for what happened (past tense).

Core calls run in thread workers and post one of these with their result to the widget or
screen that asked ("attributes down, messages up"). ``post_message`` is thread-safe.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.message import Message

from pos_tui.core.kernel import Actor, Override, PosError

if TYPE_CHECKING:
    from pos_tui.core.cash import CashMovementInfo, ShiftInfo
    from pos_tui.core.catalog import ProductInfo
    from pos_tui.core.till import SaleResult


@dataclass
class CoreFailed(Message, bubble=False):
    """A core call ended with an error the cashier can read; show it where they look."""

    error: PosError


@dataclass
class LoggedIn(Message, bubble=False):
    """A PIN was accepted; ``shift`` is the terminal's open shift, or None."""

    actor: Actor
    shift: ShiftInfo | None


@dataclass
class ShiftOpened(Message, bubble=False):
    """A shift was opened on this terminal."""

    shift: ShiftInfo


@dataclass
class ItemScanned(Message):
    """The cashier entered something in the scan field.

    ``code`` is a barcode, scale label or PLU; empty when only a multiplier was typed
    (``3*``), which then waits for the next code. ``qty_milli`` is the multiplier, or None.
    ``error`` is set when the entry could not be read (a bad multiplier).
    """

    code: str
    qty_milli: int | None
    error: str | None = None


@dataclass
class ProductsFound(Message, bubble=False):
    """Search results for ``query`` (type-ahead; older queries are dropped)."""

    query: str
    products: list[ProductInfo]


@dataclass
class SaleCompleted(Message, bubble=False):
    """A sale was posted."""

    result: SaleResult


@dataclass
class SaleFound(Message, bubble=False):
    """A past receipt was found, with what is left to return of it (a ``FoundSale``)."""

    sale: Any


@dataclass
class ReturnCompleted(Message, bubble=False):
    """A return was posted."""

    result: SaleResult


@dataclass
class ReportReady(Message, bubble=False):
    """A report or receipt is ready to be shown (``body`` is a Rich renderable)."""

    title: str
    body: Any


@dataclass
class ReceiptReady(Message, bubble=False):
    """A posted sale's receipt is laid out (and queued when there is a printer): show it on screen.

    ``job`` is the :class:`~pos_tui.core.kernel.printable.Printable`, ``document`` the sale's document (for a
    copy), ``printer_note`` one line about the printer now."""

    job: Any
    document: dict[str, Any]
    printer_note: str


@dataclass
class ShiftClosed(Message, bubble=False):
    """The shift was closed; it carries expected and counted cash and the variance."""

    result: ShiftInfo


@dataclass
class CashMoved(Message, bubble=False):
    """A paid-in, paid-out or no-sale was recorded."""

    result: CashMovementInfo


@dataclass
class RowsLoaded(Message, bubble=False):
    """The rows of a list screen (receipts, users) were read."""

    rows: list[Any]


@dataclass
class OverrideGranted(Message, bubble=False):
    """A supervisor's PIN allowed one action."""

    override: Override


# -- devices (issue 4): posted by pos_tui.tui.devices.DeviceHub to the app, from the event loop -------------


@dataclass
class WeightChanged(Message, bubble=False):
    """The scale sent a reading (any status). A 10 Hz stream collapses to the latest one."""

    reading: Any  # pos_tui.devices.scales.WeightReading

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, WeightChanged)


@dataclass
class DeviceStatusChanged(Message, bubble=False):
    """A device's state changed (or its last value did); only the latest per device matters."""

    status: Any  # pos_tui.devices.status.DeviceStatus

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, DeviceStatusChanged) and message.status.name == self.status.name


@dataclass
class DeviceScanned(Message, bubble=False):
    """A scanner read a product code (``source``: serial or keyboard); never collapsed."""

    code: str
    source: str


@dataclass
class CardSwiped(Message, bubble=False):
    """A loyalty card was read: ``card`` is what ``member.card`` holds (kind magstripe or rfid).

    ``error`` (with an empty ``card``) says why a swipe could not be used: partial, a bank card."""

    card: str
    kind: str
    raw: str = ""
    error: str = ""

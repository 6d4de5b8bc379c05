"""What a screen declares it does with the till's input devices and the product palette.

The device hub (:mod:`pos_tui.tui.devices`) and the palette (:mod:`pos_tui.tui.commands`) sit below
the screens and import none of them: they find where a scan, a card, a weight or a product goes by
these capabilities, never by a screen's class or its name. A screen or dialog declares one by
inheriting it (:class:`ScanTarget`, :class:`ScanReceiver`) or by having its method
(:class:`ShowsWeight`, :class:`AddsProducts`).
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable


class ScanTarget:
    """Declares: this screen's focused field is where a scanned code belongs (a member card, a
    coupon, a gift card, a product search, a receipt number).

    The hub types a scan into the focused field and submits it, as a keyboard-wedge scanner without
    the hub would; a scan that arrives while any other dialog or screen covers the sale waits for
    the sale instead."""


class ScanReceiver:
    """Declares: scans and cards are for this screen's sale (the sale screen).

    The hub finds it under any dialogs, queues what arrives while it is covered or ``posting``, and
    hands each scan and card over in order through :meth:`take_scan` and :meth:`take_card`."""

    posting: bool
    """True while a sale is being posted: the cart must not change under it."""

    def take_scan(self, code: str) -> None:
        """Add the product with ``code``, as if it had been typed and Enter pressed."""
        raise NotImplementedError

    def take_card(self, card: str) -> None:
        """A loyalty card was read: select its member for the sale."""
        raise NotImplementedError

    def show_error(self, message: str) -> None:
        """Say on the screen why a scan or a card could not be used."""
        raise NotImplementedError


@runtime_checkable
class ShowsWeight(Protocol):
    """A screen that shows the scale's readings as they stream in (the weighing dialog)."""

    def show_reading(self, reading: Any) -> None: ...


@runtime_checkable
class AddsProducts(Protocol):
    """A screen the product palette (Ctrl+P) adds its chosen product to (the sale screen)."""

    @property
    def language(self) -> str: ...

    def add_product(self, code: str) -> None: ...

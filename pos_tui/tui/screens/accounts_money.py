"""Collections (tahsilat) and payments to suppliers at the till (scaffold)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pos_tui.i18n import _

if TYPE_CHECKING:
    from pos_tui.tui.screens.base import PosScreen


def open_collection(screen: PosScreen) -> None:
    """Take a collection on a customer's account."""
    screen.notify(_("Not available yet"), severity="warning")


def open_supplier_payment(screen: PosScreen) -> None:
    """Pay a supplier from the drawer."""
    screen.notify(_("Not available yet"), severity="warning")

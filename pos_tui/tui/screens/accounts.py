"""The accounts entry of the F12 menu: balance and open items, statement, supplier payment (scaffold)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pos_tui.i18n import _

if TYPE_CHECKING:
    from pos_tui.tui.screens.base import PosScreen


def open_accounts_menu(screen: PosScreen) -> None:
    """The accounts sub-menu."""
    screen.notify(_("Not available yet"), severity="warning")

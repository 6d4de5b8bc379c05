"""The agenda (ajanda) at the till: day and week lists, add, done, snooze (scaffold)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pos_tui.i18n import _

if TYPE_CHECKING:
    from pos_tui.tui.screens.base import PosScreen


def open_agenda(screen: PosScreen) -> None:
    """The agenda screen."""
    screen.notify(_("Not available yet"), severity="warning")

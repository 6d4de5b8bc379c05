"""The F12 menu's stock entries: goods receipt, adjustment, transfer, count, stock look-up.

Each entry lives in a module of its own, imported when it is chosen: the receiving screen
(:mod:`~pos_tui.tui.screens.receiving`), adjustments and transfers
(:mod:`~pos_tui.tui.screens.stock_moves`), the counting screen
(:mod:`~pos_tui.tui.screens.counting`) and the stock reports (:mod:`~pos_tui.tui.screens.stock_reports`).
Every entry is listed; one the user may not use asks for a supervisor's PIN, like the sale
screen's entries (the permission is the core's business).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING

from pos_tui.i18n import _
from pos_tui.tui.dialogs.prompts import ChoiceDialog

if TYPE_CHECKING:
    from pos_tui.tui.screens.base import PosScreen

# key -> (module of pos_tui.tui.screens, its function taking the screen)
STOCK_ACTIONS: dict[str, tuple[str, str]] = {
    "receive": ("receiving", "open_receiving"),
    "supplier_return": ("receiving", "open_supplier_return"),
    "adjust": ("stock_moves", "adjust"),
    "transfer": ("stock_moves", "transfer"),
    "count": ("counting", "open_counting"),
    "lookup": ("stock_reports", "open_stock_lookup"),
}


def stock_entries() -> list[tuple[str, str]]:
    return [
        ("receive", _("Goods receipt")),
        ("supplier_return", _("Return goods to a supplier")),
        ("adjust", _("Stock adjustment (waste, damage, loss…)")),
        ("transfer", _("Transfer between locations")),
        ("count", _("Stock count")),
        ("lookup", _("Stock of a product, stock card, reports")),
    ]


def action(key: str) -> Callable[[PosScreen], None]:
    module, name = STOCK_ACTIONS[key]
    found: Callable[[PosScreen], None] = getattr(importlib.import_module(f"pos_tui.tui.screens.{module}"), name)
    return found


def open_stock_menu(screen: PosScreen) -> None:
    def chosen(key: str | None) -> None:
        if key is not None:
            action(key)(screen)

    screen.app.push_screen(ChoiceDialog(_("Stock"), stock_entries()), chosen)

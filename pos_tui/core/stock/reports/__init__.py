"""Stock reports: a product's stock, the stock card, on hand and value at a date, low and idle stock, shrinkage.

Everything here only reads; dates and ``now`` are parameters. Quantities are milli-units and
money kuruş in the results, decimal strings in their ``as_json``. The rules (value at a date,
the reorder suggestion) are in the modules' docstrings and docs/stock-reports.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pos_tui.core.kernel.lazy import front_door

# public name -> the module of this package that defines it (a module's own name: the module itself)
_EXPORTS = {
    "CARD_COLUMNS": "card",
    "CardRow": "card",
    "IdleLine": "low",
    "LEVELS_BY": "levels",
    "LastPurchase": "show",
    "LevelGroup": "levels",
    "LevelLine": "levels",
    "LevelsReport": "levels",
    "LowLine": "low",
    "SHRINKAGE_BY": "shrinkage",
    "ShrinkageRow": "shrinkage",
    "StockCard": "card",
    "StockInfo": "show",
    "end_of_day": "common",
    "idle_stock": "low",
    "low_stock": "low",
    "negative_stock": "levels",
    "reorder_suggestion": "low",
    "shrinkage_report": "shrinkage",
    "stock_card": "card",
    "stock_info": "show",
    "stock_info_of": "show",
    "stock_levels": "levels",
    "write_card_csv": "card",
    "write_card_json": "card",
}

__all__ = [
    "CARD_COLUMNS",
    "LEVELS_BY",
    "SHRINKAGE_BY",
    "CardRow",
    "IdleLine",
    "LastPurchase",
    "LevelGroup",
    "LevelLine",
    "LevelsReport",
    "LowLine",
    "ShrinkageRow",
    "StockCard",
    "StockInfo",
    "end_of_day",
    "idle_stock",
    "low_stock",
    "negative_stock",
    "reorder_suggestion",
    "shrinkage_report",
    "stock_card",
    "stock_info",
    "stock_info_of",
    "stock_levels",
    "write_card_csv",
    "write_card_json",
]
if not TYPE_CHECKING:  # type checkers read the imports below instead, and flag a misspelt name
    __getattr__, __dir__ = front_door(__name__, _EXPORTS)

if TYPE_CHECKING:
    from pos_tui.core.stock.reports.card import (
        CARD_COLUMNS,
        CardRow,
        StockCard,
        stock_card,
        write_card_csv,
        write_card_json,
    )
    from pos_tui.core.stock.reports.common import end_of_day
    from pos_tui.core.stock.reports.levels import (
        LEVELS_BY,
        LevelGroup,
        LevelLine,
        LevelsReport,
        negative_stock,
        stock_levels,
    )
    from pos_tui.core.stock.reports.low import IdleLine, LowLine, idle_stock, low_stock, reorder_suggestion
    from pos_tui.core.stock.reports.show import LastPurchase, StockInfo, stock_info, stock_info_of
    from pos_tui.core.stock.reports.shrinkage import SHRINKAGE_BY, ShrinkageRow, shrinkage_report

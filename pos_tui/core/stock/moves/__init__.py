"""Adjustments (fire, zayi, kayıp, iç kullanım, düzeltme, açılış) and transfers between locations (sent, received,
with the difference booked).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pos_tui.core.kernel.lazy import front_door

# public name -> the module of this package that defines it (a module's own name: the module itself)
_EXPORTS = {
    "ADJUST_REASONS": "adjustments",
    "Adjustment": "adjustments",
    "ProductRef": "common",
    "ProductStock": "common",
    "REASON_WORDS": "common",
    "SHORT_REASONS": "transfers",
    "TRANSIT_CODE": "places",
    "TRANSIT_NAME": "places",
    "Transfer": "transfers",
    "TransferLine": "transfers",
    "add_location": "places",
    "adjust": "adjustments",
    "assign_terminal": "places",
    "find_product": "common",
    "get_transfer": "transfers",
    "is_transit": "places",
    "list_locations": "places",
    "list_transfers": "transfers",
    "parse_reason": "common",
    "product_stock": "common",
    "read_lines_file": "transfers",
    "receive_transfer": "transfers",
    "send_transfer": "transfers",
}

__all__ = [
    "ADJUST_REASONS",
    "REASON_WORDS",
    "SHORT_REASONS",
    "TRANSIT_CODE",
    "TRANSIT_NAME",
    "Adjustment",
    "ProductRef",
    "ProductStock",
    "Transfer",
    "TransferLine",
    "add_location",
    "adjust",
    "assign_terminal",
    "find_product",
    "get_transfer",
    "is_transit",
    "list_locations",
    "list_transfers",
    "parse_reason",
    "product_stock",
    "read_lines_file",
    "receive_transfer",
    "send_transfer",
]
if not TYPE_CHECKING:  # type checkers read the imports below instead, and flag a misspelt name
    __getattr__, __dir__ = front_door(__name__, _EXPORTS)

if TYPE_CHECKING:
    from pos_tui.core.stock.moves.adjustments import ADJUST_REASONS, Adjustment, adjust
    from pos_tui.core.stock.moves.common import (
        REASON_WORDS,
        ProductRef,
        ProductStock,
        find_product,
        parse_reason,
        product_stock,
    )
    from pos_tui.core.stock.moves.places import (
        TRANSIT_CODE,
        TRANSIT_NAME,
        add_location,
        assign_terminal,
        is_transit,
        list_locations,
    )
    from pos_tui.core.stock.moves.transfers import (
        SHORT_REASONS,
        Transfer,
        TransferLine,
        get_transfer,
        list_transfers,
        read_lines_file,
        receive_transfer,
        send_transfer,
    )

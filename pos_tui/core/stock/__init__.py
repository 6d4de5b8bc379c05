"""Stock: the ledger of movements per product and location, valued at moving average cost; locations;
goods receipts and supplier returns (``receiving``), adjustments and transfers (``moves``), counts (``counting``)
and reports (``reports``). Sales and returns post their movements through :func:`post_movements`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pos_tui.core.kernel.lazy import front_door

# public name -> the module of this package that defines it (a module's own name: the module itself)
_EXPORTS = {
    "ADJUST": "ledger",
    "COUNT": "ledger",
    "DOCUMENT_KINDS": "ledger",
    "DraftLine": "ledger",
    "IMPORT": "ledger",
    "LocationInfo": "locations",
    "MOVEMENT_KINDS": "ledger",
    "Movement": "ledger",
    "Posted": "ledger",
    "PostedDocument": "ledger",
    "REASONS": "ledger",
    "RECEIPT": "ledger",
    "RETURN": "ledger",
    "REVALUE": "ledger",
    "SALE": "ledger",
    "SUPPLIER_RETURN": "ledger",
    "StockDraft": "ledger",
    "TRANSFER_IN": "ledger",
    "TRANSFER_KINDS": "ledger",
    "TRANSFER_OUT": "ledger",
    "add_location": "locations",
    "assign_terminal": "locations",
    "counting": "counting",
    "document_payload": "ledger",
    "get_location": "locations",
    "list_locations": "locations",
    "location_id": "locations",
    "moves": "moves",
    "on_hand": "ledger",
    "post_movements": "ledger",
    "receiving": "receiving",
    "reports": "reports",
    "terminal_location": "locations",
    "write_stock_document": "ledger",
}

__all__ = [
    "ADJUST",
    "COUNT",
    "DOCUMENT_KINDS",
    "IMPORT",
    "MOVEMENT_KINDS",
    "REASONS",
    "RECEIPT",
    "RETURN",
    "REVALUE",
    "SALE",
    "SUPPLIER_RETURN",
    "TRANSFER_IN",
    "TRANSFER_KINDS",
    "TRANSFER_OUT",
    "DraftLine",
    "LocationInfo",
    "Movement",
    "Posted",
    "PostedDocument",
    "StockDraft",
    "add_location",
    "assign_terminal",
    "counting",
    "document_payload",
    "get_location",
    "list_locations",
    "location_id",
    "moves",
    "on_hand",
    "post_movements",
    "receiving",
    "reports",
    "terminal_location",
    "write_stock_document",
]
if not TYPE_CHECKING:  # type checkers read the imports below instead, and flag a misspelt name
    __getattr__, __dir__ = front_door(__name__, _EXPORTS)

if TYPE_CHECKING:
    from pos_tui.core.stock import counting, moves, receiving, reports
    from pos_tui.core.stock.ledger import (
        ADJUST,
        COUNT,
        DOCUMENT_KINDS,
        IMPORT,
        MOVEMENT_KINDS,
        REASONS,
        RECEIPT,
        RETURN,
        REVALUE,
        SALE,
        SUPPLIER_RETURN,
        TRANSFER_IN,
        TRANSFER_KINDS,
        TRANSFER_OUT,
        DraftLine,
        Movement,
        Posted,
        PostedDocument,
        StockDraft,
        document_payload,
        on_hand,
        post_movements,
        write_stock_document,
    )
    from pos_tui.core.stock.locations import (
        LocationInfo,
        add_location,
        assign_terminal,
        get_location,
        list_locations,
        location_id,
        terminal_location,
    )

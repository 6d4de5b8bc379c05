"""Goods receipts (mal kabul) from suppliers and returns to them: costs excluding KDV, totals per KDV rate,
the last purchase price per supplier, new sale prices after a receipt, and the payable each one leaves.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pos_tui.core.kernel.lazy import front_door

# public name -> the module of this package that defines it (a module's own name: the module itself)
_EXPORTS = {
    "CostChange": "receipts",
    "CostInput": "pricing",
    "DocumentLineInfo": "receipts",
    "KdvTotal": "receipts",
    "Payable": "receipts",
    "PriceChange": "prices",
    "PriceSet": "prices",
    "Priced": "pricing",
    "ReceiptFile": "files",
    "ReceiptInfo": "receipts",
    "ReceiptInput": "receipts",
    "ReceiptLineInput": "receipts",
    "ReceiptSummary": "receipts",
    "ScannedGoods": "receipts",
    "SupplierInfo": "receipts",
    "SupplierReturnLineInput": "supplier_returns",
    "find_suppliers": "receipts",
    "get_receipt": "receipts",
    "get_supplier": "receipts",
    "get_supplier_return": "receipts",
    "last_purchase_price": "receipts",
    "list_receipts": "receipts",
    "margin_price": "prices",
    "parse_line_option": "files",
    "payables": "receipts",
    "post_receipt": "receipts",
    "post_supplier_return": "supplier_returns",
    "return_total": "supplier_returns",
    "price_for_margin": "pricing",
    "price_lines": "pricing",
    "read_receipt_file": "files",
    "read_return_file": "files",
    "receipt_record": "receipts",
    "scan_goods": "receipts",
    "set_sale_prices": "prices",
}

__all__ = [
    "CostChange",
    "CostInput",
    "DocumentLineInfo",
    "KdvTotal",
    "Payable",
    "PriceChange",
    "PriceSet",
    "Priced",
    "ReceiptFile",
    "ReceiptInfo",
    "ReceiptInput",
    "ReceiptLineInput",
    "ReceiptSummary",
    "ScannedGoods",
    "SupplierInfo",
    "SupplierReturnLineInput",
    "find_suppliers",
    "get_receipt",
    "get_supplier",
    "get_supplier_return",
    "last_purchase_price",
    "list_receipts",
    "margin_price",
    "parse_line_option",
    "payables",
    "post_receipt",
    "post_supplier_return",
    "price_for_margin",
    "price_lines",
    "read_receipt_file",
    "read_return_file",
    "receipt_record",
    "return_total",
    "scan_goods",
    "set_sale_prices",
]
if not TYPE_CHECKING:  # type checkers read the imports below instead, and flag a misspelt name
    __getattr__, __dir__ = front_door(__name__, _EXPORTS)

if TYPE_CHECKING:
    from pos_tui.core.stock.receiving.files import ReceiptFile, parse_line_option, read_receipt_file, read_return_file
    from pos_tui.core.stock.receiving.prices import PriceChange, PriceSet, margin_price, set_sale_prices
    from pos_tui.core.stock.receiving.pricing import CostInput, Priced, price_for_margin, price_lines
    from pos_tui.core.stock.receiving.receipts import (
        CostChange,
        DocumentLineInfo,
        KdvTotal,
        Payable,
        ReceiptInfo,
        ReceiptInput,
        ReceiptLineInput,
        ReceiptSummary,
        ScannedGoods,
        SupplierInfo,
        find_suppliers,
        get_receipt,
        get_supplier,
        get_supplier_return,
        last_purchase_price,
        list_receipts,
        payables,
        post_receipt,
        receipt_record,
        scan_goods,
    )
    from pos_tui.core.stock.receiving.supplier_returns import (
        SupplierReturnLineInput,
        post_supplier_return,
        return_total,
    )

"""Exports of master data: the catalogue as CSV, JSON or JSONL, in the import's own columns."""

from __future__ import annotations

from typing import Any, TextIO

from pos_tui.core.catalog.products import ProductInfo, iter_products
from pos_tui.core.kernel.formats import PRODUCT_COLUMNS, write_records
from pos_tui.core.kernel.money import qty_to_decimal


def product_export_record(info: ProductInfo, supplier_code: str | None) -> dict[str, Any]:
    """A product as one export row, in the columns ``import products`` reads back.

    Amounts ``"12.50"``, quantities ``"1.5"`` (strings, so JSON keeps them exact), barcodes
    joined with ``|``, and the supplier's code (names need not be unique).
    """
    return {
        "code": info.code,
        "barcode": "|".join(info.barcodes),
        "name": info.name,
        "unit": info.unit,
        "price": f"{info.price:.2f}",
        "cost": f"{info.cost:.2f}",
        "kdv_rate": info.kdv_rate,
        "category": info.category or "",
        "supplier": supplier_code or "",
        "min_stock": str(qty_to_decimal(info.min_stock)),
        "stock": str(qty_to_decimal(info.stock)),
        "active": info.active,
    }


def export_products(fmt: str, out: TextIO, *, include_inactive: bool = True) -> int:
    """Write every product (code order) to ``out``; returns how many. Re-importable as is."""
    records = (
        product_export_record(info, supplier) for info, supplier in iter_products(include_inactive=include_inactive)
    )
    return write_records(records, fmt, out, columns=PRODUCT_COLUMNS)

"""Interchange: imports of master data and sales (CSV, JSON, JSONL; all or nothing), exports, and the demo shop."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pos_tui.core.kernel.lazy import front_door

# public name -> the module of this package that defines it (a module's own name: the module itself)
_EXPORTS = {
    "DEMO_POINTS": "demo",
    "EXPORT_FORMATS": "sales_io",
    "FIXTURES": "demo",
    "IMPORTERS": "imports",
    "ImportReport": "imports",
    "check_tax_id": "imports",
    "export_products": "exports",
    "export_sales": "sales_io",
    "import_customers": "imports",
    "import_products": "imports",
    "import_sales": "sales_io",
    "import_suppliers": "imports",
    "load_demo": "demo",
    "money_value": "imports",
    "normalize_phone": "imports",
    "quantity_value": "imports",
    "read_lines": "sales_io",
}

__all__ = [
    "DEMO_POINTS",
    "EXPORT_FORMATS",
    "FIXTURES",
    "IMPORTERS",
    "ImportReport",
    "check_tax_id",
    "export_products",
    "export_sales",
    "import_customers",
    "import_products",
    "import_sales",
    "import_suppliers",
    "load_demo",
    "money_value",
    "normalize_phone",
    "quantity_value",
    "read_lines",
]
if not TYPE_CHECKING:  # type checkers read the imports below instead, and flag a misspelt name
    __getattr__, __dir__ = front_door(__name__, _EXPORTS)

if TYPE_CHECKING:
    from pos_tui.core.interchange.demo import DEMO_POINTS, FIXTURES, load_demo
    from pos_tui.core.interchange.exports import export_products
    from pos_tui.core.interchange.imports import (
        IMPORTERS,
        ImportReport,
        check_tax_id,
        import_customers,
        import_products,
        import_suppliers,
        money_value,
        normalize_phone,
        quantity_value,
    )
    from pos_tui.core.interchange.sales_io import EXPORT_FORMATS, export_sales, import_sales, read_lines

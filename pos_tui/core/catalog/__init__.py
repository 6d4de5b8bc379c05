"""The catalogue: products and their barcodes, scanning (GTINs, scale labels), Turkish-aware search, bulk upsert,
shelf labels, and the chain's stores (master data: a store's price list prices what its terminals sell).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pos_tui.core.kernel.lazy import front_door

# public name -> the module of this package that defines it (a module's own name: the module itself)
_EXPORTS = {
    "LabelText": "shelf_labels",
    "NetQuantity": "shelf_labels",
    "ProductInfo": "products",
    "ProductInput": "products",
    "SEARCH_CANDIDATES": "products",
    "ShelfLabel": "shelf_labels",
    "UpsertResult": "products",
    "barcode_kind": "barcodes",
    "check_digit": "barcodes",
    "get_product": "products",
    "has_valid_check_digit": "barcodes",
    "internal_ean13": "barcodes",
    "label_barcode": "shelf_labels",
    "label_record": "shelf_labels",
    "label_text": "shelf_labels",
    "make_ean13": "barcodes",
    "make_scale_label": "barcodes",
    "net_quantity": "shelf_labels",
    "normalize_barcode": "barcodes",
    "parse_scale_label": "barcodes",
    "product_record": "products",
    "scan": "products",
    "search_products": "products",
    "search_query": "products",
    "select_products": "shelf_labels",
    "unit_price_of": "shelf_labels",
    "reindex_names": "upsert",
    "stale_search_keys": "upsert",
    "upsert_numbered": "upsert",
    "upsert_products": "upsert",
    "KEEP": "stores",
    "StoreInfo": "stores",
    "add_store": "stores",
    "check_store_code": "stores",
    "get_store": "stores",
    "list_stores": "stores",
    "update_store": "stores",
    "DEFAULT_STORE": "stores",
}

__all__ = [
    "DEFAULT_STORE",
    "KEEP",
    "SEARCH_CANDIDATES",
    "LabelText",
    "NetQuantity",
    "ProductInfo",
    "ProductInput",
    "ShelfLabel",
    "StoreInfo",
    "UpsertResult",
    "add_store",
    "barcode_kind",
    "check_digit",
    "check_store_code",
    "get_product",
    "get_store",
    "has_valid_check_digit",
    "internal_ean13",
    "label_barcode",
    "label_record",
    "label_text",
    "list_stores",
    "make_ean13",
    "make_scale_label",
    "net_quantity",
    "normalize_barcode",
    "parse_scale_label",
    "product_record",
    "reindex_names",
    "scan",
    "search_products",
    "search_query",
    "select_products",
    "stale_search_keys",
    "unit_price_of",
    "update_store",
    "upsert_numbered",
    "upsert_products",
]
if not TYPE_CHECKING:  # type checkers read the imports below instead, and flag a misspelt name
    __getattr__, __dir__ = front_door(__name__, _EXPORTS)

if TYPE_CHECKING:
    from pos_tui.core.catalog.barcodes import (
        barcode_kind,
        check_digit,
        has_valid_check_digit,
        internal_ean13,
        make_ean13,
        make_scale_label,
        normalize_barcode,
        parse_scale_label,
    )
    from pos_tui.core.catalog.products import (
        SEARCH_CANDIDATES,
        ProductInfo,
        ProductInput,
        UpsertResult,
        get_product,
        product_record,
        scan,
        search_products,
        search_query,
    )
    from pos_tui.core.catalog.shelf_labels import (
        LabelText,
        NetQuantity,
        ShelfLabel,
        label_barcode,
        label_record,
        label_text,
        net_quantity,
        select_products,
        unit_price_of,
    )
    from pos_tui.core.catalog.stores import (
        DEFAULT_STORE,
        KEEP,
        StoreInfo,
        add_store,
        check_store_code,
        get_store,
        list_stores,
        update_store,
    )
    from pos_tui.core.catalog.upsert import reindex_names, stale_search_keys, upsert_numbered, upsert_products

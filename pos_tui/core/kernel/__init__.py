"""The kernel: what every area stands on.

Errors written for the person at the till, exact money and quantities, the clock at the edges (``now`` is a
parameter; ``shop_day``), the acting user, the tamper-evident journal, the shop's words for stored codes,
printable values and file formats. The kernel imports no other area.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pos_tui.core.kernel.lazy import front_door

# public name -> the module of this package that defines it (a module's own name: the module itself)
_EXPORTS = {
    "Actor": "actors",
    "AuthenticationFailed": "errors",
    "GENESIS": "journal",
    "HEAD_KEY": "journal",
    "ImportRejected": "errors",
    "InsufficientPoints": "errors",
    "LockedOut": "errors",
    "MILLI": "money",
    "NotFound": "errors",
    "Override": "actors",
    "PRODUCT_COLUMNS": "formats",
    "detect_format": "formats",
    "header_key": "formats",
    "PermissionDenied": "errors",
    "PosError": "errors",
    "PrintLine": "printable",
    "Printable": "printable",
    "RowError": "errors",
    "StateError": "errors",
    "ValidationError": "errors",
    "ZERO": "money",
    "allocate": "money",
    "append": "journal",
    "canonical": "journal",
    "card_kind_label": "vocabulary",
    "chain_hash": "journal",
    "channel_label": "vocabulary",
    "columns": "printable",
    "field_label": "vocabulary",
    "format_decimal": "formatting",
    "format_money": "formatting",
    "format_percent": "formatting",
    "format_quantity": "formatting",
    "from_db": "clock",
    "from_kurus": "money",
    "iso": "clock",
    "line_amount": "money",
    "local": "clock",
    "shop_day": "clock",
    "method_label": "vocabulary",
    "parse_decimal": "money",
    "parse_money": "money",
    "parse_quantity": "money",
    "percent_of": "money",
    "protect_cell": "formats",
    "require": "actors",
    "role_label": "vocabulary",
    "split_kdv": "money",
    "to_db": "clock",
    "to_kurus": "money",
    "unit_label": "vocabulary",
    "unprotect_cell": "formats",
    "utcnow": "clock",
    "write_records": "formats",
    "zone": "clock",
}

__all__ = [
    "GENESIS",
    "HEAD_KEY",
    "MILLI",
    "PRODUCT_COLUMNS",
    "ZERO",
    "Actor",
    "AuthenticationFailed",
    "ImportRejected",
    "InsufficientPoints",
    "LockedOut",
    "NotFound",
    "Override",
    "PermissionDenied",
    "PosError",
    "PrintLine",
    "Printable",
    "RowError",
    "StateError",
    "ValidationError",
    "allocate",
    "append",
    "canonical",
    "card_kind_label",
    "chain_hash",
    "channel_label",
    "columns",
    "detect_format",
    "field_label",
    "format_decimal",
    "format_money",
    "format_percent",
    "format_quantity",
    "from_db",
    "from_kurus",
    "header_key",
    "iso",
    "line_amount",
    "local",
    "method_label",
    "parse_decimal",
    "parse_money",
    "parse_quantity",
    "percent_of",
    "protect_cell",
    "require",
    "role_label",
    "shop_day",
    "split_kdv",
    "to_db",
    "to_kurus",
    "unit_label",
    "unprotect_cell",
    "utcnow",
    "write_records",
    "zone",
]
if not TYPE_CHECKING:  # type checkers read the imports below instead, and flag a misspelt name
    __getattr__, __dir__ = front_door(__name__, _EXPORTS)

if TYPE_CHECKING:
    from pos_tui.core.kernel.actors import Actor, Override, require
    from pos_tui.core.kernel.clock import from_db, iso, local, shop_day, to_db, utcnow, zone
    from pos_tui.core.kernel.errors import (
        AuthenticationFailed,
        ImportRejected,
        InsufficientPoints,
        LockedOut,
        NotFound,
        PermissionDenied,
        PosError,
        RowError,
        StateError,
        ValidationError,
    )
    from pos_tui.core.kernel.formats import (
        PRODUCT_COLUMNS,
        detect_format,
        header_key,
        protect_cell,
        unprotect_cell,
        write_records,
    )
    from pos_tui.core.kernel.formatting import format_decimal, format_money, format_percent, format_quantity
    from pos_tui.core.kernel.journal import GENESIS, HEAD_KEY, append, canonical, chain_hash
    from pos_tui.core.kernel.money import (
        MILLI,
        ZERO,
        allocate,
        from_kurus,
        line_amount,
        parse_decimal,
        parse_money,
        parse_quantity,
        percent_of,
        split_kdv,
        to_kurus,
    )
    from pos_tui.core.kernel.printable import Printable, PrintLine, columns
    from pos_tui.core.kernel.vocabulary import (
        card_kind_label,
        channel_label,
        field_label,
        method_label,
        role_label,
        unit_label,
    )

"""File formats for exports: CSV (safe to open in a spreadsheet), JSON (one array) and JSONL."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

from pos_tui.core.kernel.errors import ValidationError
from pos_tui.i18n import _
from pos_tui.text import fold

FORMATS = ("csv", "json", "jsonl")
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")
PRODUCT_COLUMNS = (
    "code",
    "barcode",
    "name",
    "unit",
    "price",
    "cost",
    "kdv_rate",
    "category",
    "supplier",
    "min_stock",
    "stock",
    "active",
)


def _needs_quote(text: str) -> bool:
    if not text:
        return False
    if text[0] in DANGEROUS:
        return _PLAIN_NUMBER.fullmatch(text) is None
    return text[0] == "'" and _needs_quote(text[1:])


def protect_cell(text: str) -> str:
    """``=SUM(A1)`` → ``'=SUM(A1)``; ``-12.50`` and ordinary text unchanged."""
    return "'" + text if _needs_quote(text) else text


def unprotect_cell(text: str) -> str:
    """The inverse of :func:`protect_cell` (for CSV imports)."""
    return text[1:] if text.startswith("'") and _needs_quote(text[1:]) else text


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, Decimal)):
        return str(value)
    if isinstance(value, (list, tuple)):
        value = "|".join("" if v is None else str(v) for v in value)
    return protect_cell(str(value))


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def write_records(
    records: Iterable[Mapping[str, Any]],
    fmt: str,
    out: TextIO,
    *,
    columns: Sequence[str] | None = None,
) -> int:
    """Write ``records`` to ``out`` as ``csv``, ``json`` (one array) or ``jsonl``; streams.

    CSV columns are ``columns`` (default: the first record's keys). Every cell goes through
    :func:`protect_cell`, whatever its column: numbers, typed or already formatted as plain
    numeric strings, pass unchanged and anything else that could start a formula is
    protected, so no caller has to say which columns are text. Lists are joined with ``|``.
    JSON keeps the values' types (``Decimal`` as a string). Returns the records written.
    """
    if fmt not in FORMATS:
        raise ValidationError(
            _("Unknown export format {fmt}; choose one of {formats}").format(fmt=fmt, formats=", ".join(FORMATS))
        )
    count = 0
    if fmt == "jsonl":
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False, default=_json_default) + "\n")
            count += 1
        return count
    if fmt == "json":
        out.write("[")
        for record in records:
            out.write(",\n" if count else "\n")
            out.write(json.dumps(record, ensure_ascii=False, default=_json_default))
            count += 1
        out.write("\n]\n" if count else "]\n")
        return count
    writer = csv.writer(out, lineterminator="\n")
    iterator: Iterator[Mapping[str, Any]] = iter(records)
    names: Sequence[str] | None = columns
    if names is None:
        first = next(iterator, None)
        if first is None:
            return 0
        names = list(first)
        writer.writerow(names)
        writer.writerow([_csv_cell(first.get(n)) for n in names])
        count = 1
    else:
        writer.writerow(names)
    for record in iterator:
        writer.writerow([_csv_cell(record.get(n)) for n in names])
        count += 1
    return count


def header_key(header: str) -> str:
    """``"Tedarikçi"`` → ``tedarikci``; ``"Min Stok"`` → ``min_stok``; ``"E-posta"`` → ``e_posta``."""
    return re.sub(r"[^0-9a-z]+", "_", fold(header.strip().lstrip("\ufeff"))).strip("_")


def detect_format(path: Path, fmt: str | None = None) -> str:
    """``fmt`` when given, else from the extension (``.csv``, ``.json``, ``.jsonl``/``.ndjson``)."""
    if fmt is not None:
        if fmt not in FORMATS:
            raise ValidationError(
                _("Unknown file format {fmt}; choose one of {formats}").format(fmt=fmt, formats=", ".join(FORMATS))
            )
        return fmt
    suffix = path.suffix.lower()
    found = {".csv": "csv", ".txt": "csv", ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl"}.get(suffix)
    if found is None:
        raise ValidationError(
            _("{file}: cannot tell the format from the extension; use .csv, .json or .jsonl (or --format)").format(
                file=path.name
            )
        )
    return found

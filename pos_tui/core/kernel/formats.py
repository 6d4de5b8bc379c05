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


# Characters no name, code or one-line text may hold: C0 and C1 controls (NUL, BEL, ESC, line
# breaks...), DEL, Unicode line/paragraph separators, bidi embeddings/overrides/isolates (they
# make a name display as something else), and lone surrogates (not text at all: a JSON
# ``"\ud800"`` escape; the database cannot store them).
_BAD_ONE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
# Multi-line text (an address, a note) may also hold tabs and line breaks.
_BAD_MULTI_LINE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def text_problem(text: str, *, multiline: bool = False) -> str | None:
    """Why ``text`` may not be stored as a name, code or other text field, or None when it may.

    Refused: control characters (NUL, ESC, BEL, line breaks in one-line fields...), bidi
    overrides and lone surrogates. The reason names the character as ``U+001B`` so that the
    person can find it; it never contains the character itself.
    """
    found = (_BAD_MULTI_LINE if multiline else _BAD_ONE_LINE).search(text)
    if found is None:
        return None
    char = found.group()
    code = f"U+{ord(char):04X}"
    if "\ud800" <= char <= "\udfff":
        return _("has a broken character ({code}): the file is damaged or was not written as UTF-8").format(code=code)
    if "\u202a" <= char <= "\u202e" or "\u2066" <= char <= "\u2069":
        return _("has a hidden text-direction character ({code}) that can disguise what is shown; remove it").format(
            code=code
        )
    return _("has a control character ({code}) such as a line break or NUL; remove it").format(code=code)


def foreign_digits(text: str) -> bool:
    """Digits other than 0–9 (Arabic-Indic ``١٠``, full-width ``１０``...). A cashier cannot
    tell them from 0–9 and no scanner sends them, so codes and numbers refuse them."""
    return not text.isascii() and any(c.isdigit() and not c.isascii() for c in text)


def printable(text: str, limit: int = 60) -> str:
    """``text`` as an error message may show it where it is not quoted (a column name): as is
    when it is plain, else escaped (``'a\\x1bb'``); cut to about ``limit`` characters."""
    cut = text if len(text) <= limit else text[:limit] + "…"
    return cut if text_problem(cut) is None else ascii(cut)


# JSON numbers longer than this are refused while parsing (no one writes a 65-digit price).
JSON_NUMBER_LENGTH = 64


class JsonRefused(ValueError):
    """A JSON text :func:`load_json` refuses; ``reason`` is a message for the person, ``line``
    the line of the text where the problem is (1 when it is not known)."""

    def __init__(self, reason: str, line: int = 1) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line


def _json_int(text: str) -> int:
    if len(text) > JSON_NUMBER_LENGTH:
        raise JsonRefused(_("not valid JSON: a number has more than {n} digits").format(n=JSON_NUMBER_LENGTH))
    return int(text)


def _json_decimal(text: str) -> Decimal:
    if len(text) > JSON_NUMBER_LENGTH:
        raise JsonRefused(_("not valid JSON: a number has more than {n} digits").format(n=JSON_NUMBER_LENGTH))
    return Decimal(text)


def _json_constant(text: str) -> Any:
    raise JsonRefused(_("not valid JSON: {word} is not a number").format(word=text))


def load_json(text: str) -> Any:
    """Parse an imported JSON text: numbers as ``int``/``Decimal`` (never float), and every
    way it can fail as :class:`JsonRefused` (never another exception): bad syntax, ``NaN``
    and ``Infinity``, numbers longer than :data:`JSON_NUMBER_LENGTH` characters (whatever
    ``sys.set_int_max_str_digits`` says), nesting too deep for the parser."""
    try:
        return json.loads(text, parse_float=_json_decimal, parse_int=_json_int, parse_constant=_json_constant)
    except JsonRefused:
        raise
    except json.JSONDecodeError as exc:
        raise JsonRefused(_("not valid JSON: {why}").format(why=exc.msg), exc.lineno) from None
    except RecursionError:
        raise JsonRefused(_("not valid JSON: nested too deeply")) from None
    except (ValueError, ArithmeticError) as exc:  # Decimal or int refused a number
        raise JsonRefused(_("not valid JSON: {why}").format(why=printable(str(exc)))) from None


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

"""Rows of a CSV or JSON file keyed by column names people write in many ways.

The goods receipts' and supplier returns' files, the accounts import and the price lists' import
read their files through :func:`read_rows`: a CSV (``,`` ``;`` or tab, the one that names most
known columns; cells protected against formulas are unprotected) or a JSON array of objects
(never floats: :func:`~pos_tui.core.kernel.formats.load_json`). ``headers`` maps each field to the
spellings accepted for it (compared after :func:`~pos_tui.core.kernel.formats.header_key`: any
case, accents, spaces). A file that cannot be read at all raises
:class:`~pos_tui.core.kernel.errors.ImportRejected`; a bad row goes to ``errors`` (``row_error``
makes them, so a caller can name its fields in its own words) and the reading goes on, so every
bad row is named at once. (The master-data imports of ``interchange`` have their own streamed
readers for files of a million rows; these files are a document's or a shop's lists.)
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from pos_tui.core.kernel.errors import ImportRejected, RowError, ValidationError
from pos_tui.core.kernel.formats import JsonRefused, header_key, load_json, printable, unprotect_cell
from pos_tui.i18n import _

Record = tuple[int, dict[str, Any]]
Headers = Mapping[str, tuple[str, ...]]
MakeError = Callable[[int, str, str], RowError]


def aliases(headers: Headers) -> dict[str, str]:
    """Each accepted spelling (folded) -> its field."""
    return {alias: canon for canon, names in headers.items() for alias in names}


def unknown_column(
    name: str, line: int, headers: Headers, row_error: MakeError = RowError, shown: str | None = None
) -> RowError:
    """An unknown column's error, listing ``shown`` (the columns in the shop's words) or the fields."""
    known = shown or ", ".join(headers)
    return row_error(line, printable(name), _("unknown column; the columns are {known}").format(known=known))


def _read_csv(
    path: Path, source: str, headers: Headers, errors: list[RowError], row_error: MakeError, shown: str | None
) -> list[Record]:
    known = aliases(headers)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRejected(
            source, [row_error(1, "-", _("the file is not UTF-8 text; save it as UTF-8 (CSV UTF-8)"))]
        ) from None
    lines = text.splitlines(keepends=True)
    if not lines or not lines[0].strip():
        raise ImportRejected.empty(source)
    best, best_score = ",", (-1, -1)
    for delimiter in (",", ";", "\t"):
        cells = next(csv.reader([lines[0]], delimiter=delimiter), [])
        score = (sum(1 for c in cells if header_key(c) in known), len(cells))
        if score > best_score:
            best, best_score = delimiter, score
    reader = csv.reader(lines, delimiter=best)
    records: list[Record] = []
    try:
        header = next(reader)
        fields: list[str | None] = []
        for name in header:
            canon = known.get(header_key(name)) if name.strip() else None
            if canon is None and name.strip():
                errors.append(unknown_column(name.strip(), 1, headers, row_error, shown))
            elif canon is not None and canon in fields:
                errors.append(row_error(1, printable(name.strip()), _("column appears twice")))
                canon = None
            fields.append(canon)
        if errors:
            raise ImportRejected(source, errors)
        line = reader.line_num + 1
        for cells in reader:
            start, line = line, reader.line_num + 1
            if not cells or all(not c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                errors.append(
                    row_error(
                        start,
                        "-",
                        _("has {n} cells, the header has {width} (a {d} inside a value needs quotes)").format(
                            n=len(cells), width=len(header), d=best
                        ),
                    )
                )
                continue
            record = {
                f: unprotect_cell(c.strip()) if c.strip().startswith("'") else c.strip()
                for f, c in zip(fields, cells, strict=True)
                if f is not None and c.strip()
            }
            records.append((start, record))
    except csv.Error:
        quote = _("a quote mark is out of place: a quoted value starts and ends with one, a quote inside it is doubled")
        errors.append(row_error(reader.line_num, "-", quote))
    return records


def _read_json(
    path: Path, source: str, headers: Headers, errors: list[RowError], row_error: MakeError, shown: str | None
) -> list[Record]:
    known = aliases(headers)
    try:
        data = load_json(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise ImportRejected(source, [row_error(1, "-", _("the file is not UTF-8 text"))]) from None
    except JsonRefused as exc:
        raise ImportRejected(source, [row_error(exc.line, "-", exc.reason)]) from None
    if not isinstance(data, list):
        raise ImportRejected(source, [row_error(1, "-", _("a JSON file is an array of objects"))])
    if not data:
        raise ImportRejected.empty(source)
    records: list[Record] = []
    for index, obj in enumerate(data, start=1):
        if not isinstance(obj, dict):
            errors.append(row_error(index, "-", _("expected an object with the fields")))
            continue
        record: dict[str, Any] = {}
        for key, value in obj.items():
            canon = known.get(header_key(str(key)))
            if canon is None:
                errors.append(unknown_column(str(key), index, headers, row_error, shown))
                continue
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            if isinstance(value, (dict, list, bool)):
                errors.append(row_error(index, canon, _("expected a single value, not a list or an object")))
                continue
            record[canon] = value.strip() if isinstance(value, str) else value
        records.append((index, record))
    return records


def read_rows(
    path: Path,
    headers: Headers,
    errors: list[RowError],
    *,
    row_error: MakeError = RowError,
    shown: str | None = None,
) -> list[Record]:
    """The file's rows as ``(line, {field: value})`` (a JSON file by its ``.json`` suffix, else CSV);
    values are stripped strings, or a JSON number as :func:`load_json` read it. ``shown``: the
    columns as an unknown column's error lists them (default: the fields)."""
    source = path.name
    if not path.exists():
        raise ValidationError(_("{file}: no such file").format(file=path))
    if path.suffix.lower() == ".json":
        return _read_json(path, source, headers, errors, row_error, shown)
    return _read_csv(path, source, headers, errors, row_error, shown)

"""Price list files: ``pos-admin pricelists import LIST FILE`` (CSV or JSON, all or nothing).

Columns (English or Turkish, any case; CSV separated by comma, semicolon or tab, UTF-8):
``code``/``kod`` or ``barcode``/``barkod`` (``*``: the list-wide rule), ``price``/``fiyat``
or ``percent_off``/``iskonto``/``indirim`` (percent, e.g. ``12,5``), ``valid_from``/``baslangic``
and ``valid_to``/``bitis`` (``31.12.2026`` or ``2026-12-31``). Every bad row is named (line, field, reason) in one
:class:`~pos_tui.core.kernel.errors.ImportRejected` and nothing is written. The reader follows
the stock files' (``core/stock/receiving/files.py``; that area is above this one): the kernel's
header folding, JSON reader (numbers never floats) and number parsers.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from pos_tui.core.accounts.prices.lists import ALL_PRODUCTS, ImportSummary, PriceInput, write_items
from pos_tui.core.kernel.actors import Actor, Override
from pos_tui.core.kernel.errors import ImportRejected, RowError, ValidationError
from pos_tui.core.kernel.formats import JsonRefused, header_key, load_json, printable, unprotect_cell
from pos_tui.core.kernel.money import NumberRefused, parse_decimal, parse_money, shown_text
from pos_tui.i18n import _

HEADERS: Mapping[str, tuple[str, ...]] = {
    "code": ("code", "kod", "urun_kodu", "stok_kodu", "plu"),
    "barcode": ("barcode", "barkod"),
    "price": ("price", "fiyat", "birim_fiyat", "satis_fiyati"),
    "percent_off": ("percent_off", "percent", "iskonto", "iskonto_yuzde", "indirim", "yuzde"),
    "valid_from": ("valid_from", "from", "baslangic", "baslangic_tarihi", "gecerlilik_baslangic"),
    "valid_to": ("valid_to", "to", "until", "bitis", "bitis_tarihi", "gecerlilik_bitis"),
}
# What an unknown column's error lists: the Turkish names (the English ones work too).
_KNOWN = "kod, barkod, fiyat, iskonto, başlangıç, bitiş"

Record = tuple[int, dict[str, Any]]


def _aliases() -> dict[str, str]:
    return {alias: canon for canon, names in HEADERS.items() for alias in names}


def _unknown(name: str, line: int) -> RowError:
    return RowError(line, printable(name), _("unknown column; the columns are {known}").format(known=_KNOWN))


def _read_csv(path: Path, source: str, errors: list[RowError]) -> list[Record]:
    aliases = _aliases()
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRejected(
            source, [RowError(1, "-", _("the file is not UTF-8 text; save it as UTF-8 (CSV UTF-8)"))]
        ) from None
    lines = text.splitlines(keepends=True)
    if not lines or not lines[0].strip():
        raise ImportRejected.empty(source)
    best, best_score = ",", (-1, -1)
    for delimiter in (",", ";", "\t"):
        cells = next(csv.reader([lines[0]], delimiter=delimiter), [])
        score = (sum(1 for c in cells if header_key(c) in aliases), len(cells))
        if score > best_score:
            best, best_score = delimiter, score
    reader = csv.reader(lines, delimiter=best)
    records: list[Record] = []
    try:
        header = next(reader)
        fields: list[str | None] = []
        for name in header:
            canon = aliases.get(header_key(name)) if name.strip() else None
            if canon is None and name.strip():
                errors.append(_unknown(name.strip(), 1))
            elif canon is not None and canon in fields:
                errors.append(RowError(1, printable(name.strip()), _("column appears twice")))
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
                    RowError(
                        start,
                        "-",
                        _("has {n} cells, the header has {width} (a {d} inside a value needs quotes)").format(
                            n=len(cells), width=len(header), d=best
                        ),
                    )
                )
                continue
            records.append(
                (
                    start,
                    {
                        f: unprotect_cell(c.strip()) if c.strip().startswith("'") else c.strip()
                        for f, c in zip(fields, cells, strict=True)
                        if f is not None and c.strip()
                    },
                )
            )
    except csv.Error:
        quote = _("a quote mark is out of place: a quoted value starts and ends with one, a quote inside it is doubled")
        errors.append(RowError(reader.line_num, "-", quote))
    return records


def _read_json(path: Path, source: str, errors: list[RowError]) -> list[Record]:
    aliases = _aliases()
    try:
        data = load_json(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise ImportRejected(source, [RowError(1, "-", _("the file is not UTF-8 text"))]) from None
    except JsonRefused as exc:
        raise ImportRejected(source, [RowError(exc.line, "-", exc.reason)]) from None
    if not isinstance(data, list):
        raise ImportRejected(source, [RowError(1, "-", _("a JSON file is an array of objects"))])
    if not data:
        raise ImportRejected.empty(source)
    records: list[Record] = []
    for index, obj in enumerate(data, start=1):
        if not isinstance(obj, dict):
            errors.append(RowError(index, "-", _("expected an object with the fields")))
            continue
        record: dict[str, Any] = {}
        for key, value in obj.items():
            canon = aliases.get(header_key(str(key)))
            if canon is None:
                errors.append(_unknown(str(key), index))
                continue
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            if isinstance(value, (dict, list, bool)):
                errors.append(RowError(index, canon, _("expected a single value, not a list or an object")))
                continue
            record[canon] = value.strip() if isinstance(value, str) else value
        records.append((index, record))
    return records


def parse_day(text: str) -> date:
    """``31.12.2026`` (as written in Türkiye) or ``2026-12-31``; ValueError otherwise."""
    text = text.strip()
    if "." in text:
        return datetime.strptime(text, "%d.%m.%Y").date()
    return date.fromisoformat(text)


def _day(value: Any, field: str, errors: list[RowError], line: int) -> date | None:
    if value is None:
        return None
    try:
        return parse_day(str(value))
    except ValueError:
        errors.append(
            RowError(line, field, _("{text!r} is not a date such as 31.12.2026").format(text=shown_text(str(value))))
        )
        return None


def _amount(value: Any, field: str, errors: list[RowError], line: int) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
        errors.append(RowError(line, field, _("expected a number such as 12,50")))
        return None
    text = str(value)
    try:
        if field == "price":
            return parse_money(text, field)
        return parse_decimal(text, 2, field)
    except NumberRefused as exc:
        errors.append(RowError(line, field, exc.reason))
    except ValidationError:
        errors.append(
            RowError(
                line,
                field,
                _("{text!r} is not a number such as 12,50 (at most two decimals)").format(text=shown_text(text)),
            )
        )
    return None


def _row(line: int, record: dict[str, Any], errors: list[RowError]) -> PriceInput | None:
    from pos_tui.core.accounts.prices.lists import percent_hundredths

    before = len(errors)
    product = record.get("barcode") or record.get("code")
    product = None if product is None else str(product).strip()
    if product is None:
        errors.append(RowError(line, "code", _("no product: give a code or barcode, or * for every product")))
    elif product in ALL_PRODUCTS:
        product = None
    price = _amount(record.get("price"), "price", errors, line)
    percent = _amount(record.get("percent_off"), "percent_off", errors, line)
    if "price" in record and "percent_off" in record:
        errors.append(RowError(line, "price", _("give either a price or a percentage off, not both")))
    elif "price" not in record and "percent_off" not in record:
        errors.append(RowError(line, "price", _("no price: give a price or a percentage off")))
    if price is not None and price <= 0:
        errors.append(RowError(line, "price", _("the price must be more than zero")))
    if percent is not None:
        try:
            percent_hundredths(percent)
        except ValidationError as exc:
            errors.append(RowError(line, "percent_off", exc.message))
    start = _day(record.get("valid_from"), "valid_from", errors, line)
    end = _day(record.get("valid_to"), "valid_to", errors, line)
    if start is not None and end is not None and end < start:
        errors.append(RowError(line, "valid_to", _("the end date is before the start date")))
    if len(errors) > before:
        return None
    return PriceInput(product, price, percent, start, end)


def read_price_file(path: Path) -> list[tuple[int, PriceInput]]:
    """The file's rows as ``(line, item)``; every bad row named in one :class:`ImportRejected`."""
    source = path.name
    if not path.exists():
        raise ValidationError(_("{file}: no such file").format(file=path))
    errors: list[RowError] = []
    records = _read_json(path, source, errors) if path.suffix.lower() == ".json" else _read_csv(path, source, errors)
    if not records and not errors:
        raise ImportRejected.empty(source)
    items = []
    for line, record in records:
        item = _row(line, record, errors)
        if item is not None:
            items.append((line, item))
    if errors:
        raise ImportRejected(source, errors)
    return items


def import_prices(
    list_code: str | int, path: Path, *, actor: Actor, now: datetime, override: Override | None = None
) -> ImportSummary:
    """Set every row of ``path`` on the list, all or nothing (same product and window: replaced)."""
    from pos_tui.core.kernel.actors import require

    require(actor, "accounts", override)  # before reading: refused people learn nothing of the file
    items = read_price_file(path)
    return write_items(list_code, items, actor=actor, now=now, source=path.name, override=override)

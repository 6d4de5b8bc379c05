"""Price list files: ``pos-admin pricelists import LIST FILE`` (CSV or JSON, all or nothing).

Columns (English or Turkish, any case; CSV separated by comma, semicolon or tab, UTF-8):
``code``/``kod`` or ``barcode``/``barkod`` (``*``: the list-wide rule), ``price``/``fiyat``
or ``percent_off``/``iskonto``/``indirim`` (percent, e.g. ``12,5``), ``valid_from``/``baslangic``
and ``valid_to``/``bitis`` (``31.12.2026`` or ``2026-12-31``). Every bad row is named (line, field, reason) in one
:class:`~pos_tui.core.kernel.errors.ImportRejected` and nothing is written. The rows are read
by :func:`pos_tui.core.kernel.records.read_rows`, like the goods receipts' files: the kernel's
header folding, JSON reader (numbers never floats) and number parsers.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from pos_tui.core.accounts.prices.lists import ALL_PRODUCTS, ImportSummary, PriceInput, write_items
from pos_tui.core.kernel.actors import Actor, Override
from pos_tui.core.kernel.errors import ImportRejected, RowError, ValidationError
from pos_tui.core.kernel.money import NumberRefused, parse_decimal, parse_money, shown_text
from pos_tui.core.kernel.records import read_rows
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


def read_price_rows(path: Path) -> tuple[list[tuple[int, PriceInput]], list[RowError]]:
    """The file's good rows as ``(line, item)`` and the errors of the bad ones (not raised, so
    that the caller can add what it finds in the good rows and name every bad row at once)."""
    source = path.name
    if not path.exists():
        raise ValidationError(_("{file}: no such file").format(file=path))
    errors: list[RowError] = []
    records = read_rows(path, HEADERS, errors, shown=_KNOWN)
    if not records and not errors:
        raise ImportRejected.empty(source)
    items = []
    for line, record in records:
        item = _row(line, record, errors)
        if item is not None:
            items.append((line, item))
    return items, errors


def read_price_file(path: Path) -> list[tuple[int, PriceInput]]:
    """The file's rows as ``(line, item)``; every bad row named in one :class:`ImportRejected`."""
    items, errors = read_price_rows(path)
    if errors:
        raise ImportRejected(path.name, errors)
    return items


def import_prices(
    list_code: str | int, path: Path, *, actor: Actor, now: datetime, override: Override | None = None
) -> ImportSummary:
    """Set every row of ``path`` on the list, all or nothing (same product and window: replaced).
    Every bad row is named in one :class:`ImportRejected`: a bad value, an unknown product, two
    rows of a product starting the same day, a clash with an item already on the list."""
    from pos_tui.core.kernel.actors import require

    require(actor, "accounts", override)  # before reading: refused people learn nothing of the file
    items, errors = read_price_rows(path)
    return write_items(list_code, items, actor=actor, now=now, source=path.name, override=override, errors=errors)

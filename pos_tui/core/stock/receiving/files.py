"""Receipt and supplier-return files: CSV (``,`` or ``;``) or JSON (an array of objects).

Columns (English or Turkish, any case and accents): ``barcode``/``barkod`` or ``code``/``kod``,
``qty``/``miktar``, ``unit_cost``/``birim_maliyet`` (receipts), optional ``kdv_rate``/``kdv`` and
``discount``/``iskonto``; a return file has ``line``/``satir`` or a product column, and ``qty``.
Numbers take a decimal comma or point (``12,50``, ``1.234,50``). All or nothing: every bad row is
named (line, field, reason) in one :class:`ImportRejected`.

The rows are read by :func:`pos_tui.core.kernel.records.read_rows` (the accounts and price-list
imports read theirs with it too): the master-data imports' header folding, JSON reader (numbers
never floats), number parsers and error types.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from pos_tui.core.kernel.errors import ImportRejected, RowError, ValidationError
from pos_tui.core.kernel.formats import text_problem
from pos_tui.core.kernel.money import NumberRefused, parse_money, parse_quantity, shown_text
from pos_tui.core.kernel.records import read_rows
from pos_tui.core.stock.receiving.receipts import ReceiptLineInput, products_by_key
from pos_tui.core.stock.receiving.supplier_returns import SupplierReturnLineInput
from pos_tui.i18n import _

RECEIPT_HEADERS: Mapping[str, tuple[str, ...]] = {
    "barcode": ("barcode", "barkod"),
    "code": ("code", "kod", "urun_kodu", "stok_kodu", "plu"),
    "qty": ("qty", "quantity", "miktar", "adet"),
    "unit_cost": ("unit_cost", "cost", "birim_maliyet", "maliyet", "birim_fiyat", "alis_fiyati"),
    "kdv_rate": ("kdv_rate", "kdv", "kdv_orani", "vat", "vat_rate"),
    "discount": ("discount", "iskonto", "indirim"),
}
RETURN_HEADERS: Mapping[str, tuple[str, ...]] = {
    "line": ("line", "satir", "satir_no"),
    "barcode": ("barcode", "barkod"),
    "code": ("code", "kod", "urun_kodu", "stok_kodu", "plu"),
    "qty": ("qty", "quantity", "miktar", "adet"),
}


class _Row:
    """One row's problems, every bad field reported (not just the first)."""

    def __init__(self, line: int, errors: list[RowError]) -> None:
        self.line, self.errors, self.bad = line, errors, False

    def add(self, field: str, reason: str) -> None:
        self.errors.append(RowError(self.line, field, reason))
        self.bad = True


def _number(value: Any, field: str, row: _Row, *, quantity: bool) -> Any:
    if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
        row.add(field, _("expected a number such as 12,50"))
        return None
    text = str(value)
    try:
        return parse_quantity(text, field) if quantity else parse_money(text, field)
    except NumberRefused as exc:
        row.add(field, exc.reason)
    except ValidationError:
        if quantity:
            row.add(
                field,
                _("{text!r} is not a quantity such as 1,5 (at most three decimals)").format(text=shown_text(text)),
            )
        else:
            row.add(
                field, _("{text!r} is not an amount such as 12,50 (at most two decimals)").format(text=shown_text(text))
            )
    return None


def _product(record: dict[str, Any], row: _Row) -> tuple[str, str] | None:
    for field in ("barcode", "code"):
        value = record.get(field)
        if value is None:
            continue
        text = str(value).strip()
        problem = text_problem(text)
        if problem is not None or len(text) > 64:
            row.add(field, problem or _("is longer than {n} characters").format(n=64))
            return None
        return field, text
    return None


def _kdv(value: Any, row: _Row) -> int | None:
    text = str(value).strip().strip("%").strip()
    for suffix in (",00", ".00", ",0", ".0"):
        text = text.removesuffix(suffix)
    if isinstance(value, bool) or not (text.isascii() and text.isdigit() and len(text) <= 3):
        row.add("kdv_rate", _("{text!r} is not a KDV rate such as 20").format(text=shown_text(str(value))))
        return None
    return int(text)


@dataclass(frozen=True, slots=True)
class ReceiptFile:
    """A receipt file read: its good lines and every problem of its bad rows. The catalogue
    checks of the good lines come when the receipt is posted (``post_receipt(...,
    read_errors=file.errors)``), so one rejection names every bad row of the file."""

    lines: list[ReceiptLineInput]
    errors: list[RowError]


def read_receipt_file(path: Path) -> ReceiptFile:
    """The lines of a receipt file. A file that cannot be read at all (not UTF-8, an unknown
    column, empty) raises :class:`ImportRejected`; bad rows are collected in ``errors``."""
    errors: list[RowError] = []
    records = read_rows(path, RECEIPT_HEADERS, errors)
    if not records and not errors:
        raise ImportRejected.empty(path.name)
    lines: list[ReceiptLineInput] = []
    unchecked: list[tuple[int, str, str]] = []  # bad rows' products, checked against the catalogue here
    for line, record in records:
        row = _Row(line, errors)
        product = _product(record, row)
        if product is None and not row.bad:
            row.add("code", _("a barcode or a code is needed"))
        qty = None
        if "qty" not in record:
            row.add("qty", _("a quantity is needed"))
        else:
            qty = _number(record["qty"], "qty", row, quantity=True)
        cost = None
        if "unit_cost" not in record:
            row.add("unit_cost", _("a unit cost is needed"))
        else:
            cost = _number(record["unit_cost"], "unit_cost", row, quantity=False)
        discount = Decimal("0.00")
        if "discount" in record:
            discount = _number(record["discount"], "discount", row, quantity=False)
        rate = None if "kdv_rate" not in record else _kdv(record["kdv_rate"], row)
        if row.bad or product is None or qty is None or cost is None or discount is None:
            if product is not None:
                unchecked.append((line, product[0], product[1]))
            continue
        lines.append(ReceiptLineInput(product[1], qty, cost, discount, rate, where=line, field=product[0]))
    known = products_by_key(key for _line, _field, key in unchecked)
    for line, field, key in unchecked:
        if key not in known:
            errors.append(RowError(line, field, _("no product with barcode or code {code}").format(code=key)))
    return ReceiptFile(lines, errors)


def read_return_file(path: Path) -> tuple[list[SupplierReturnLineInput], list[RowError]]:
    """The lines of a supplier-return file (a receipt ``line`` number or a product, and ``qty``)
    and the problems of its bad rows (``post_supplier_return(..., read_errors=...)``)."""
    errors: list[RowError] = []
    records = read_rows(path, RETURN_HEADERS, errors)
    lines: list[SupplierReturnLineInput] = []
    for line, record in records:
        row = _Row(line, errors)
        number = None
        if "line" in record:
            text = str(record["line"]).strip()
            if not (text.isascii() and text.isdigit() and 0 < len(text) < 7):
                row.add("line", _("{text!r} is not a line number").format(text=shown_text(text)))
            else:
                number = int(text)
        product = None if number is not None else _product(record, row)
        if number is None and product is None and not row.bad:
            row.add("line", _("a receipt line number, a barcode or a code is needed"))
        qty = None
        if "qty" not in record:
            row.add("qty", _("a quantity is needed"))
        else:
            qty = _number(record["qty"], "qty", row, quantity=True)
        if row.bad or qty is None:
            continue
        if number is not None:
            lines.append(SupplierReturnLineInput(qty, line_no=number, where=line, field="line"))
        elif product is not None:
            lines.append(SupplierReturnLineInput(qty, product=product[1], where=line, field=product[0]))
    if not records and not errors:
        raise ImportRejected.empty(path.name)
    return lines, errors


def parse_line_option(text: str) -> SupplierReturnLineInput:
    """``CODE=QTY`` (a product code or barcode) or ``#N=QTY`` (receipt line N), for ``--line``."""
    key, sep, qty_text = text.partition("=")
    if not sep or not key.strip() or not qty_text.strip():
        raise ValidationError(_("--line {text!r}: write CODE=QTY or #LINE=QTY").format(text=shown_text(text)))
    qty = parse_quantity(qty_text.strip(), _("quantity"))
    key = key.strip()
    if key.startswith("#"):
        if not key[1:].isdigit():
            raise ValidationError(_("--line {text!r}: write CODE=QTY or #LINE=QTY").format(text=shown_text(text)))
        return SupplierReturnLineInput(qty, line_no=int(key[1:]), field="--line")
    return SupplierReturnLineInput(qty, product=key, field="--line")

"""Shelf labels as values: which products get a label, and what each label says.

A shelf label in Turkey is a price label in the sense of the *Fiyat Etiketi Yönetmeliği*
(see docs/devices-labels.md): it must show what the product is, its price with every tax
included, its **unit price** (per kg, lt, m or piece) and the date from which that price
applies. This module decides those values once; the PDF sheet (``devices/labels_pdf.py``)
and the receipt-printer labels (``devices/labels_escpos.py``) only lay them out, so the
figures are tested without a printer and both media always agree.

The barcode on a label must scan back to the product at the till (:func:`pos_tui.core.catalog.products.scan`):
the product's own EAN-13 when it has one (a UPC-A is printed as the EAN-13 with a leading
``0``, which the catalog also resolves), otherwise a Code 128 of the product code, which
``scan`` resolves as a PLU. An in-store ``2x`` EAN-13 made up from the PLU was rejected: no
table maps it back, so it would not scan without writing it into the catalog first.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from peewee import JOIN
from stdnum import ean

from pos_tui import store
from pos_tui.core.kernel.clock import day_bounds, from_db, local, to_db
from pos_tui.core.kernel.errors import NotFound, ValidationError
from pos_tui.core.kernel.formatting import format_money
from pos_tui.core.kernel.money import CENT, MILLI, from_kurus
from pos_tui.core.kernel.vocabulary import unit_label
from pos_tui.i18n import _
from pos_tui.store import models as m
from pos_tui.text import fold

Symbology = Literal["EAN13", "CODE128"]
BASE_UNITS = ("kg", "lt", "m")  # sold by weight, volume or length: the price is already a unit price
CURRENCY = "TL"  # the ₺ sign is missing from receipt code pages and from reportlab's fonts

# A net quantity at the end of (or inside) a product name: "500 g", "1,5 lt", "200ml", "6 x 200 ml".
_NET = re.compile(
    r"(?<![\w.,])(?:(?P<count>\d{1,3})\s*[xX×]\s*)?(?P<amount>\d{1,5}(?:[.,]\d{1,3})?)\s*"
    r"(?P<unit>kg|gr|g|lt|l|ml|cl)(?!\w)",
    re.IGNORECASE,
)
# unit in a name → (base unit, milli-units of the base unit per 1 of it)
_NET_UNITS: dict[str, tuple[str, int]] = {
    "kg": ("kg", 1000),
    "g": ("kg", 1),
    "gr": ("kg", 1),
    "lt": ("lt", 1000),
    "l": ("lt", 1000),
    "ml": ("lt", 1),
    "cl": ("lt", 10),
}
_IN_CHUNK = 500


@dataclass(frozen=True, slots=True)
class NetQuantity:
    """The net contents of a packaged product, in milli-units of ``unit`` (``kg`` or ``lt``):
    "500 g" is ``NetQuantity(500, "kg", "500 g")``."""

    milli: int
    unit: str
    text: str


@dataclass(frozen=True, slots=True)
class ShelfLabel:
    """What one shelf label says. Money in lira (KDV included).

    ``price`` is what the shelf price is: per piece for ``unit == "piece"``, per kg/lt/m for
    products sold by weight, volume or length. ``unit_price`` is the price per ``unit_price_unit``
    (kg, lt, m) — for loose goods the price itself, for a packaged product with a known net
    quantity the price of one kg or lt — and None when no unit price can be known.
    ``price_date`` is the shop day the product last changed in the catalog (the date its
    price applies from, as the regulation asks); ``printed_on`` the day the label was made.
    ``barcode`` is None only for a product without a GTIN whose code Code 128 cannot carry.
    """

    code: str
    name: str
    price: Decimal
    unit: str
    unit_label: str
    unit_price: Decimal | None
    unit_price_unit: str | None
    net_quantity: NetQuantity | None
    category: str | None
    price_date: date
    printed_on: date
    barcode: str | None
    symbology: Symbology


@dataclass(frozen=True, slots=True)
class LabelText:
    """A label's words as printed, shared by every medium.

    ``price`` ``"12,50 TL"`` with ``per`` ``"/ kg"`` for loose goods (``""`` for pieces).
    For a packaged product with a known net quantity (``net`` ``"500 g"``): ``unit_price``
    ``"Unit price: 25,00 TL / kg"`` (one line, for receipt printers), split as
    ``unit_price_amount`` ``"25,00 TL"``, ``unit_price_per`` ``"/ kg"`` and
    ``unit_price_caption`` ``"Unit price per kg"``; all ``""`` otherwise. ``date`` ``"01.11.2026"``.
    """

    name: str
    price: str
    per: str
    unit_price: str
    unit_price_amount: str
    unit_price_per: str
    unit_price_caption: str
    net: str
    date: str
    code: str


def net_quantity(name: str) -> NetQuantity | None:
    """The net quantity written in a product name ("Süt 1 lt", "Çay 500 g", "Ayran 6x200 ml"), or None.

    The catalog has no net-quantity column, and Turkish product names carry it by custom.
    Only weights and volumes are read (g, gr, kg, ml, cl, l, lt); the last match in the name
    wins (a brand like "3 Kuru" is not a quantity, but "… 1 kg" at the end is). A name with
    no such token, or a zero quantity, gives None and the label shows no unit price.
    """
    found = None
    for match in _NET.finditer(name):
        found = match
    if found is None:
        return None
    base, factor = _NET_UNITS[found["unit"].lower()]
    amount = Decimal(found["amount"].replace(",", "."))
    count = int(found["count"]) if found["count"] else 1
    milli = int(amount * factor * count)
    if milli <= 0:
        return None
    return NetQuantity(milli, base, found.group(0).strip())


def unit_price_of(price: Decimal, net: NetQuantity) -> Decimal:
    """The price of one kg/lt of a package of ``net``, to the kuruş (half up)."""
    return (price * MILLI / net.milli).quantize(CENT, rounding=ROUND_HALF_UP)


def label_barcode(code: str, barcodes: Sequence[str]) -> tuple[str | None, Symbology]:
    """The barcode a label prints for a product with ``code`` and ``barcodes``.

    The first valid EAN-13 (python-stdnum's check), else the first valid UPC-A as EAN-13
    (``0`` + UPC), else a Code 128 of ``code`` when it is printable ASCII (Code 128 set B),
    else ``(None, "CODE128")``.
    """
    ordered = sorted(barcodes)
    for barcode in ordered:
        if len(barcode) == 13 and barcode.isascii() and ean.is_valid(barcode):
            return barcode, "EAN13"
    for barcode in ordered:
        if len(barcode) == 12 and barcode.isascii() and ean.is_valid(barcode):
            return "0" + barcode, "EAN13"
    if code.isascii() and code.isprintable() and code:
        return code, "CODE128"
    return None, "CODE128"


def _query() -> Any:
    return m.Product.select(
        m.Product.id,
        m.Product.code,
        m.Product.name,
        m.Product.unit,
        m.Product.price,
        m.Category.name,
        m.Product.updated_at,
        m.Product.active,
        m.Product.name_key,
    ).join(m.Category, on=(m.Product.category == m.Category.id), join_type=JOIN.LEFT_OUTER)


def _category_id(category: str) -> int:
    """The category named ``category`` (Turkish-aware, any casing: "GIDA" finds "Gıda")."""
    wanted = fold(category.strip())
    for cid, name in store.rows(m.Category.select(m.Category.id, m.Category.name)):
        if fold(name) == wanted:
            return int(cid)
    raise NotFound(_("No category named {name}").format(name=category))


def _ids_for_codes(codes: Sequence[str]) -> list[int]:
    """Product ids for codes or barcodes, in the order given (duplicates once); every unknown
    code is named in one error."""
    wanted = list(dict.fromkeys(c.strip() for c in codes if c.strip()))
    by_code: dict[str, int] = {}
    for start in range(0, len(wanted), _IN_CHUNK):
        chunk = wanted[start : start + _IN_CHUNK]
        for pid, code in store.rows(m.Product.select(m.Product.id, m.Product.code).where(m.Product.code.in_(chunk))):
            by_code[code] = pid
        missing = [c for c in chunk if c not in by_code]
        if missing:
            variants = {v: c for c in missing for v in (c, "0" + c if len(c) == 12 else c.removeprefix("0"))}
            query = m.Barcode.select(m.Barcode.code, m.Barcode.product).where(m.Barcode.code.in_(list(variants)))
            for barcode, pid in store.rows(query):
                by_code.setdefault(variants[barcode], pid)
    unknown = [c for c in wanted if c not in by_code]
    if unknown:
        raise NotFound(
            _("No product with barcode or code {codes}").format(codes=", ".join(unknown))
            if len(unknown) > 1
            else _("No product with barcode or code {code}").format(code=unknown[0])
        )
    return list(dict.fromkeys(by_code[c] for c in wanted))


def select_products(
    *,
    codes: Sequence[str] = (),
    category: str | None = None,
    changed_since: date | None = None,
    as_of: date,
    tz: str = "Europe/Istanbul",
) -> list[ShelfLabel]:
    """The labels to print, one per product.

    The three selectors combine (a product must match every one given) and at least one is
    required: ``codes`` (product codes or barcodes, kept in the order given), ``category``
    (by name, any casing), ``changed_since`` (products changed in the catalog on or after
    that shop day in ``tz``: new prices, new products). Without codes, products come in
    category then name order (how a shelf is walked) and inactive ones are left out; an
    inactive product asked for by code is an error. ``as_of`` is the day printed on the label.

    Raises :class:`NotFound` naming unknown codes or the category, :class:`ValidationError`
    for nothing selected, an empty selection, or a ``changed_since`` after ``as_of``.
    """
    if not codes and category is None and changed_since is None:
        raise ValidationError(_("Choose the products to label: by code, by category or changed since a date"))
    if changed_since is not None and changed_since > as_of:
        raise ValidationError(
            _("changed since {since} is after the label date {as_of}").format(
                since=changed_since.isoformat(), as_of=as_of.isoformat()
            )
        )
    query = _query()
    ids: list[int] | None = None
    if codes:
        ids = _ids_for_codes(codes)
    if category is not None:
        query = query.where(m.Product.category == _category_id(category))
    if changed_since is not None:
        query = query.where(m.Product.updated_at >= to_db(day_bounds(changed_since, tz)[0]))
    if ids is None:
        rows = list(query.where(m.Product.active == True).tuples())  # noqa: E712 (a SQL expression)
        # Turkish-aware shelf order (SQL would sort "İçecek" after "Kozmetik" byte by byte).
        rows.sort(key=lambda r: (fold(r[5] or ""), r[8], r[1]))
    else:
        found: dict[int, tuple[Any, ...]] = {}
        for start in range(0, len(ids), _IN_CHUNK):
            chunk = ids[start : start + _IN_CHUNK]
            found.update((r[0], r) for r in query.where(m.Product.id.in_(chunk)).tuples())
        rows = [found[i] for i in ids if i in found]
        inactive = [r[1] for r in rows if not r[7]]
        if inactive:
            raise ValidationError(
                _("Product {code} is not for sale; it gets no shelf label").format(code=", ".join(inactive))
            )
    if not rows:
        raise ValidationError(_("No product matches this selection; no labels to print"))
    return _labels(rows, as_of=as_of, tz=tz)


def _labels(rows: Sequence[tuple[Any, ...]], *, as_of: date, tz: str) -> list[ShelfLabel]:
    barcodes: dict[int, list[str]] = {}
    ids = [r[0] for r in rows]
    for start in range(0, len(ids), _IN_CHUNK):
        chunk = ids[start : start + _IN_CHUNK]
        for pid, code in store.rows(
            m.Barcode.select(m.Barcode.product, m.Barcode.code).where(m.Barcode.product.in_(chunk))
        ):
            barcodes.setdefault(pid, []).append(code)
    labels = []
    for pid, code, name, unit, price_kurus, category, updated_at, _active, _key in rows:
        price = from_kurus(price_kurus)
        net = None if unit in BASE_UNITS else net_quantity(name)
        if unit in BASE_UNITS:
            unit_price, per = price, unit
        elif net is not None:
            unit_price, per = unit_price_of(price, net), net.unit
        else:
            unit_price, per = None, None
        changed = updated_at if isinstance(updated_at, datetime) else datetime.fromisoformat(str(updated_at))
        barcode, symbology = label_barcode(code, barcodes.get(pid, ()))
        labels.append(
            ShelfLabel(
                code=code,
                name=name,
                price=price,
                unit=unit,
                unit_label=unit_label(unit),
                unit_price=unit_price,
                unit_price_unit=per,
                net_quantity=net,
                category=category,
                price_date=min(local(from_db(changed), tz).date(), as_of),
                printed_on=as_of,
                barcode=barcode,
                symbology=symbology,
            )
        )
    return labels


def price_text(amount: Decimal, language: str = "tr") -> str:
    """``12,50 TL`` (tr) or ``12.50 TL`` (en)."""
    return f"{format_money(amount, language)} {CURRENCY}"


def label_text(label: ShelfLabel, language: str = "tr") -> LabelText:
    """The words a label prints, in ``language``'s number format (dates as ``01.11.2026``)."""
    per = "" if label.unit == "piece" else f"/ {label.unit_label}"
    unit_price = amount = unit_per = caption = ""
    # Loose goods: the price is the unit price already (shown with its "/ kg").
    if label.net_quantity is not None and label.unit_price is not None and label.unit_price_unit is not None:
        unit = unit_label(label.unit_price_unit)
        amount = price_text(label.unit_price, language)
        unit_per = f"/ {unit}"
        unit_price = _("Unit price: {price} / {unit}").format(price=amount, unit=unit)
        caption = _("Unit price per {unit}").format(unit=unit)
    return LabelText(
        name=label.name,
        price=price_text(label.price, language),
        per=per,
        unit_price=unit_price,
        unit_price_amount=amount,
        unit_price_per=unit_per,
        unit_price_caption=caption,
        net=label.net_quantity.text if label.net_quantity is not None else "",
        date=label.price_date.strftime("%d.%m.%Y"),
        code=label.code,
    )


def label_record(label: ShelfLabel) -> dict[str, Any]:
    """A label as JSON (``pos-admin labels print --json``): amounts as ``"12.50"``."""
    return {
        "code": label.code,
        "name": label.name,
        "price": f"{label.price:.2f}",
        "unit": label.unit,
        "unit_price": None if label.unit_price is None else f"{label.unit_price:.2f}",
        "unit_price_unit": label.unit_price_unit,
        "net_quantity": None if label.net_quantity is None else label.net_quantity.text,
        "category": label.category,
        "price_date": label.price_date.isoformat(),
        "printed_on": label.printed_on.isoformat(),
        "barcode": label.barcode,
        "symbology": label.symbology,
    }


__all__ = [
    "LabelText",
    "NetQuantity",
    "ShelfLabel",
    "label_barcode",
    "label_record",
    "label_text",
    "net_quantity",
    "price_text",
    "select_products",
    "unit_price_of",
]

"""Price lists (e.g. ``TOPTAN``): what an account customer pays, and how it is decided.

A list holds *items*. An item is either for one product or, with no product, the list-wide
rule; it gives either a fixed ``price`` or ``percent_off`` the product's catalog price (in
hundredths of a percent: 1250 = 12,5 %), and is valid on the shop days from ``valid_from`` to
``valid_to``, both inclusive (``None``: open at that end).

Resolution for a product on a day (:func:`resolve_prices`, one query for a whole cart):

1. the product's own items valid that day — when several are, the one whose ``valid_from``
   is latest wins (an open start counts as the earliest), so a dated campaign price beats the
   standing price of the same product while it lasts;
2. else the list-wide rules valid that day, the same way;
3. else the product's catalog price (the list says nothing about it).

Two items of the same product (or two list-wide rules) may not start on the same day unless
they are the same window: :func:`set_price` with the same product and the same window
replaces the item, with the same start and another end it is refused (which would win would
be a guess).

Percent rounding: the discount is rounded half-up to the kuruş, then taken off:
``price = list − round_half_up(list × N / 10 000)`` with N in hundredths of a percent
(:func:`pos_tui.core.kernel.money.percent_of`). So 12,5 % off 10,01 is 10,01 − 1,25 = 8,76
(the discount 1,25125 rounds to 1,25). Never a float.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from peewee import JOIN, fn

from pos_tui.core.catalog.products import get_product
from pos_tui.core.kernel.actors import Actor, Override, require
from pos_tui.core.kernel.clock import to_db
from pos_tui.core.kernel.errors import NotFound, RowError, ValidationError
from pos_tui.core.kernel.formats import text_problem
from pos_tui.core.kernel.formatting import format_money, format_percent
from pos_tui.core.kernel.money import ZERO, from_kurus, money, percent_of, to_kurus
from pos_tui.core.kernel.pan import refuse_pan
from pos_tui.core.staff.users import record_override
from pos_tui.i18n import _
from pos_tui.store import fast, write_tx
from pos_tui.store import models as m

PERMISSION = "accounts"
ITEM, RULE, CATALOG = "item", "rule", "catalog"  # where a resolved price comes from
_CODE = re.compile(r"^[A-Za-z0-9ÇĞİÖŞÜçğıöşü][A-Za-z0-9ÇĞİÖŞÜçğıöşü._/-]{0,31}$")
MAX_NAME = 128
_HUNDRED = Decimal(100)
ALL_PRODUCTS = ("*", "--all")  # what names the list-wide rule where a product is expected


@dataclass(frozen=True, slots=True)
class PriceListInfo:
    """A price list and how many items it has."""

    id: int
    code: str
    name: str
    items: int = 0

    def as_json(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name, "items": self.items}


@dataclass(frozen=True, slots=True)
class PriceItem:
    """One item of a list as :func:`show_price_list` gives it. ``product_code`` None: the
    list-wide rule. ``percent_off`` in percent (two decimals). ``catalog_price``: the
    product's catalog price now; ``result``: what the product costs from this item (for
    the list-wide rule, None); ``in_force``: the item decides the price on the shown day."""

    id: int
    product_id: int | None
    product_code: str | None
    product_name: str | None
    price: Decimal | None
    percent_off: Decimal | None
    valid_from: date | None
    valid_to: date | None
    catalog_price: Decimal | None
    result: Decimal | None
    in_force: bool

    def as_json(self) -> dict[str, Any]:
        return {
            "product": self.product_code,
            "name": self.product_name,
            "price": None if self.price is None else f"{self.price:.2f}",
            "percent_off": None if self.percent_off is None else f"{self.percent_off:.2f}",
            "valid_from": None if self.valid_from is None else self.valid_from.isoformat(),
            "valid_to": None if self.valid_to is None else self.valid_to.isoformat(),
            "catalog_price": None if self.catalog_price is None else f"{self.catalog_price:.2f}",
            "result": None if self.result is None else f"{self.result:.2f}",
            "in_force": self.in_force,
        }

    def describe(self, language: str | None = None) -> str:
        """``12,50 TL`` or ``%12,5 indirim`` with its validity, for people."""
        what = (
            format_money(self.price, language)
            if self.price is not None
            else _("{percent} off").format(percent=format_percent(self.percent_off or ZERO, language))
        )
        return what + validity_text(self.valid_from, self.valid_to)


@dataclass(frozen=True, slots=True)
class PriceListView:
    """A list with its items (list-wide rules first, then by product code and start) on ``day``."""

    info: PriceListInfo
    day: date
    items: tuple[PriceItem, ...]

    def as_json(self) -> dict[str, Any]:
        return {**self.info.as_json(), "date": self.day.isoformat(), "items": [i.as_json() for i in self.items]}


@dataclass(frozen=True, slots=True)
class Resolved:
    """The price of one product from a list on one day and where it comes from (:data:`ITEM`,
    :data:`RULE` or :data:`CATALOG`: the list says nothing, the catalog price stands)."""

    price: Decimal
    source: str

    @property
    def from_list(self) -> bool:
        return self.source != CATALOG


def format_day(day: date | None) -> str:
    """A shop day as people in Türkiye write it: ``06.12.2026``."""
    return "" if day is None else day.strftime("%d.%m.%Y")


def validity_text(valid_from: date | None, valid_to: date | None) -> str:
    if valid_from is None and valid_to is None:
        return ""
    if valid_to is None:
        return " " + _("(from {start})").format(start=format_day(valid_from))
    if valid_from is None:
        return " " + _("(until {end})").format(end=format_day(valid_to))
    return " " + _("({start} – {end})").format(start=format_day(valid_from), end=format_day(valid_to))


# -- values ------------------------------------------------------------------------------------


def check_code(code: str) -> str:
    text = (code or "").strip()
    if not _CODE.match(text):
        raise ValidationError(
            _("{code!r} is not a price list code: letters, digits and . _ / - (at most 32)").format(code=text[:40])
        )
    return text


def percent_hundredths(percent: Decimal) -> int:
    """A percent off (0 < N ≤ 100, at most two decimals) as hundredths of a percent."""
    try:
        value = Decimal(percent)
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError(_("{value} is not a percentage").format(value=percent)) from None
    if not value.is_finite() or (value * 100) != (value * 100).to_integral_value():
        raise ValidationError(_("A percentage has at most two decimals"))
    if value <= 0 or value > _HUNDRED:
        raise ValidationError(_("A percentage off must be more than 0 and at most 100"))
    return int(value * 100)


def price_after(catalog_price: Decimal, hundredths: int) -> Decimal:
    """The catalog price less ``hundredths``/100 %, the discount rounded half-up to the kuruş."""
    return catalog_price - percent_of(catalog_price, Decimal(hundredths) / _HUNDRED)


def _item_price(catalog_kurus: int, price: int | None, percent: int | None) -> Decimal:
    if price is not None:
        return from_kurus(price)
    return price_after(from_kurus(catalog_kurus), int(percent or 0))


def _check_window(valid_from: date | None, valid_to: date | None) -> None:
    if valid_from is not None and valid_to is not None and valid_to < valid_from:
        raise ValidationError(
            _("The end date {end} is before the start date {start}").format(
                end=format_day(valid_to), start=format_day(valid_from)
            )
        )


def _check_price(price: Decimal | None, percent_off: Decimal | None) -> tuple[int | None, int | None]:
    if (price is None) == (percent_off is None):
        raise ValidationError(_("Give either a price or a percentage off, not both and not neither"))
    if price is not None:
        value = money(price)
        if value != price:
            raise ValidationError(_("A price has at most two decimals"))
        if value <= 0:
            raise ValidationError(_("The price must be more than zero"))
        return to_kurus(value), None
    assert percent_off is not None
    return None, percent_hundredths(percent_off)


# -- reading -----------------------------------------------------------------------------------


def _list_row(list_code_or_id: str | int) -> tuple[int, str, str]:
    L = m.PriceList
    where = (L.id == list_code_or_id) if isinstance(list_code_or_id, int) else (L.code == str(list_code_or_id).strip())
    row = L.select(L.id, L.code, L.name).where(where).tuples().first()
    if row is None:
        raise NotFound(_("No price list with the code {code}").format(code=str(list_code_or_id)[:32]))
    return int(row[0]), str(row[1]), str(row[2])


def get_price_list(list_code_or_id: str | int) -> PriceListInfo:
    list_id, code, name = _list_row(list_code_or_id)
    count = m.PriceListItem.select().where(m.PriceListItem.price_list == list_id).count()
    return PriceListInfo(list_id, code, name, count)


def list_price_lists() -> list[PriceListInfo]:
    """Every price list in code order, with its number of items."""
    L, It = m.PriceList, m.PriceListItem
    query: Any = (
        L.select(L.id, L.code, L.name, fn.COUNT(It.id))
        .join(It, JOIN.LEFT_OUTER, on=(It.price_list == L.id))
        .group_by(L.id, L.code, L.name)
        .order_by(L.code)
        .tuples()
    )
    return [PriceListInfo(int(i), str(c), str(n), int(k)) for i, c, n, k in query]


def _valid_on(day: date) -> Any:
    It = m.PriceListItem
    return (It.valid_from.is_null() | (It.valid_from <= day)) & (It.valid_to.is_null() | (It.valid_to >= day))


_ITEMS = "prices.items_valid_on"


def _items_query(list_id: int, *rest: Any) -> Any:
    """The list's items for the products ``rest[:-3]`` and (list ``rest[-3]`` again) its
    list-wide rules valid on the day ``rest[-1]``; the arguments in the order the SQL binds them
    (:func:`fast.select_rendered`). Two index searches on (list, product), one per side of the
    OR, rather than every item of the list: a big list costs a scan no more than a small one."""
    It = m.PriceListItem
    ids, again, since, until = rest[:-3], rest[-3], rest[-2], rest[-1]
    return It.select(It.id, It.product, It.price, It.percent_off, It.valid_from).where(
        (((It.price_list == list_id) & It.product.in_(list(ids))) | ((It.price_list == again) & It.product.is_null()))
        & (It.valid_from.is_null() | (It.valid_from <= since))
        & (It.valid_to.is_null() | (It.valid_to >= until))
    )


def _start_key(valid_from: date | None, item_id: int) -> tuple[date, int]:
    return (valid_from or date.min, item_id)


def resolve_prices(
    list_code_or_id: str | int,
    product_ids: Iterable[int],
    day: date,
    catalog_prices: Mapping[int, Decimal] | None = None,
) -> dict[int, Resolved]:
    """The price of each product from the list on ``day`` (see the module docstring), in one
    query on the list's items; ``catalog_prices`` (product id → catalog price, as the cart
    lines carry them) spares a second query for the catalog prices. Unknown products are left out."""
    ids = sorted(set(product_ids))
    if not ids:
        return {}
    list_id = list_code_or_id if isinstance(list_code_or_id, int) else _list_row(list_code_or_id)[0]
    # Run on every scan into an account's sale: the SQL is rendered once per number of products
    # (fast.select_rendered, the values bound as Peewee binds them); the raw start date is read
    # back through the field.
    rows = fast.select_rendered(_ITEMS, _items_query, int(list_id), *ids, int(list_id), day, day)
    parse_start = m.PriceListItem.valid_from.python_value
    best: dict[int | None, tuple[tuple[date, int], int | None, int | None]] = {}
    for item_id, product_id, price, percent, valid_from in rows:
        key = _start_key(parse_start(valid_from), int(item_id))
        pid = None if product_id is None else int(product_id)
        if pid not in best or key > best[pid][0]:
            best[pid] = (key, price, percent)
    if catalog_prices is None:
        P = m.Product
        query: Any = P.select(P.id, P.price).where(P.id.in_(ids)).tuples()
        kurus = {int(i): int(p) for i, p in query}
    else:
        kurus = {pid: to_kurus(catalog_prices[pid]) for pid in ids if pid in catalog_prices}
    rule = best.get(None)
    out: dict[int, Resolved] = {}
    for pid, catalog in kurus.items():
        own = best.get(pid)
        if own is not None:
            out[pid] = Resolved(_item_price(catalog, own[1], own[2]), ITEM)
        elif rule is not None:
            out[pid] = Resolved(_item_price(catalog, rule[1], rule[2]), RULE)
        else:
            out[pid] = Resolved(from_kurus(catalog), CATALOG)
    return out


def prices_for(list_code_or_id: str | int, product_ids: Iterable[int], day: date) -> dict[int, Decimal]:
    """Product id → what it costs from the list on ``day`` (its catalog price when the list
    says nothing about it); unknown products are left out."""
    return {pid: r.price for pid, r in resolve_prices(list_code_or_id, product_ids, day).items()}


def price_for(list_code_or_id: str | int, product_id: int, day: date) -> Decimal | None:
    """What ``product_id`` costs from the list on ``day``; None for an unknown product."""
    found = resolve_prices(list_code_or_id, [product_id], day).get(product_id)
    return None if found is None else found.price


def show_price_list(list_code_or_id: str | int, *, day: date) -> PriceListView:
    """The list with every item, the price each gives on ``day`` and whether it decides it.
    Order: the list-wide rules, then by product code; each product's items open start first,
    then by start (NULLs placed explicitly: SQLite and PostgreSQL sort them differently)."""
    info = get_price_list(list_code_or_id)
    It, P = m.PriceListItem, m.Product
    rows: list[Any] = list(
        It.select(It.id, It.product, P.code, P.name, P.price, It.price, It.percent_off, It.valid_from, It.valid_to)
        .join(P, JOIN.LEFT_OUTER, on=(It.product == P.id))
        .where(It.price_list == info.id)
        .order_by(P.code.is_null(False), P.code, It.valid_from.is_null(False), It.valid_from, It.id)
        .tuples()
    )
    winners: dict[int | None, tuple[tuple[date, int], int]] = {}
    for item_id, pid, _c, _n, _p, _pr, _pc, valid_from, valid_to in rows:
        if (valid_from is None or valid_from <= day) and (valid_to is None or valid_to >= day):
            key = _start_key(valid_from, int(item_id))
            if pid not in winners or key > winners[pid][0]:
                winners[pid] = (key, int(item_id))
    chosen = {item_id for _key, item_id in winners.values()}
    items = []
    for item_id, pid, code, name, catalog, price, percent, valid_from, valid_to in rows:
        items.append(
            PriceItem(
                id=int(item_id),
                product_id=None if pid is None else int(pid),
                product_code=code,
                product_name=name,
                price=None if price is None else from_kurus(int(price)),
                percent_off=None if percent is None else Decimal(int(percent)) / _HUNDRED,
                valid_from=valid_from,
                valid_to=valid_to,
                catalog_price=None if catalog is None else from_kurus(int(catalog)),
                result=None if catalog is None else _item_price(int(catalog), price, percent),
                in_force=int(item_id) in chosen,
            )
        )
    return PriceListView(info, day, tuple(items))


# -- changes -----------------------------------------------------------------------------------


def _journal_override(actor: Actor, used: Override | None, action: str, now: datetime, details: dict[str, Any]) -> None:
    if used is not None:
        record_override(actor, used, action, terminal="admin", now=now, details=details)


def add_price_list(
    code: str, name: str, *, actor: Actor, now: datetime, override: Override | None = None
) -> PriceListInfo:
    """A new, empty price list; needs ``accounts``."""
    used = require(actor, PERMISSION, override)
    code = check_code(code)
    title = (name or "").strip()
    if not title:
        raise ValidationError(_("A price list needs a name"))
    if len(title) > MAX_NAME:
        raise ValidationError(_("The name is longer than {n} characters").format(n=MAX_NAME))
    problem = text_problem(title)
    if problem:
        raise ValidationError(_("The name: {problem}").format(problem=problem))
    refuse_pan(title)
    with write_tx():
        if m.PriceList.select().where(m.PriceList.code == code).exists():
            raise ValidationError(_("There is already a price list {code}").format(code=code))
        list_id = m.PriceList.insert(code=code, name=title, created_at=to_db(now)).execute()
        _journal_override(actor, used, "price_list", now, {"code": code})
    return PriceListInfo(int(list_id), code, title, 0)


@dataclass(frozen=True, slots=True)
class PriceInput:
    """One item to set: ``product`` a product code or barcode (None or ``*``: the list-wide
    rule), and either ``price`` (TRY) or ``percent_off`` (percent, two decimals)."""

    product: str | None
    price: Decimal | None = None
    percent_off: Decimal | None = None
    valid_from: date | None = None
    valid_to: date | None = None


@dataclass(frozen=True, slots=True)
class _Checked:
    product_id: int | None
    price: int | None
    percent: int | None
    valid_from: date | None
    valid_to: date | None


def product_id_of(product: str | None) -> int | None:
    """The product an item is for (code or barcode); None for the list-wide rule (``None``, ``*``)."""
    text = (product or "").strip()
    if not text or text in ALL_PRODUCTS:
        return None
    return get_product(text).id


def _checked(data: PriceInput) -> _Checked:
    price, percent = _check_price(data.price, data.percent_off)
    _check_window(data.valid_from, data.valid_to)
    return _Checked(product_id_of(data.product), price, percent, data.valid_from, data.valid_to)


def _same_start(list_id: int, item: _Checked) -> list[Any]:
    """The ``(id, valid_to)`` of the list's items of the same product starting the same day."""
    It = m.PriceListItem
    same_product = It.product.is_null() if item.product_id is None else (It.product == item.product_id)
    same_start = It.valid_from.is_null() if item.valid_from is None else (It.valid_from == item.valid_from)
    return list(It.select(It.id, It.valid_to).where((It.price_list == list_id) & same_product & same_start).tuples())


def _clash(item: _Checked, rows: list[Any]) -> str | None:
    """Why ``item`` cannot be written next to ``rows`` (:func:`_same_start`), or None: the same
    window replaces its item, another window starting the same day is refused."""
    if not rows or any(valid_to == item.valid_to for _id, valid_to in rows):
        return None
    return _(
        "Another price of this product starts on the same day{window}; change that one or start on another day"
    ).format(window=validity_text(item.valid_from, rows[0][1]))


def _write(list_id: int, item: _Checked, now: datetime) -> tuple[int, bool]:
    """Insert ``item``, or replace the item of the same product and window. Returns its id and
    whether it replaced one. Refuses another item of the product starting the same day."""
    It = m.PriceListItem
    rows = _same_start(list_id, item)
    for item_id, valid_to in rows:
        if valid_to == item.valid_to:
            It.update(price=item.price, percent_off=item.percent, created_at=to_db(now)).where(
                It.id == item_id
            ).execute()
            return int(item_id), True
    clash = _clash(item, rows)
    if clash is not None:
        raise ValidationError(clash)
    new_id = It.insert(
        price_list=list_id,
        product=item.product_id,
        price=item.price,
        percent_off=item.percent,
        valid_from=item.valid_from,
        valid_to=item.valid_to,
        created_at=to_db(now),
    ).execute()
    return int(new_id), False


def set_price(
    list_code: str | int,
    data: PriceInput,
    *,
    actor: Actor,
    now: datetime,
    day: date,
    override: Override | None = None,
) -> PriceItem:
    """Set one item of the list (the same product and window replaces it); needs ``accounts``.
    Returns the item as :func:`show_price_list` shows it on ``day``."""
    used = require(actor, PERMISSION, override)
    list_id = _list_row(list_code)[0]
    item = _checked(data)
    with write_tx():
        item_id, _replaced = _write(list_id, item, now)
        _journal_override(actor, used, "price_list", now, {"list": list_id, "item": item_id})
    return next(i for i in show_price_list(list_id, day=day).items if i.id == item_id)


@dataclass(frozen=True, slots=True)
class ImportSummary:
    """What :func:`import_prices` wrote."""

    price_list: str
    added: int
    replaced: int

    def as_json(self) -> dict[str, Any]:
        return {"price_list": self.price_list, "added": self.added, "replaced": self.replaced}


def write_items(
    list_code: str | int,
    items: Sequence[tuple[int, PriceInput]],
    *,
    actor: Actor,
    now: datetime,
    source: str,
    override: Override | None = None,
    errors: Sequence[RowError] = (),
) -> ImportSummary:
    """Write checked file rows (``(line, item)``) all or nothing; a row that cannot be written
    (unknown product, a clash with another row or item) is named in one :class:`ImportRejected`,
    together with ``errors`` (the file's bad rows, found while reading it)."""
    from pos_tui.core.kernel.errors import ImportRejected, PosError

    used = require(actor, PERMISSION, override)
    list_id, code, _name = _list_row(list_code)
    errors = list(errors)
    checked: list[tuple[int, _Checked]] = []
    for line, data in items:
        try:
            product_id = product_id_of(data.product)
        except PosError as exc:
            errors.append(RowError(line, "code", exc.message))
            continue
        price, percent = _check_price(data.price, data.percent_off)
        checked.append((line, _Checked(product_id, price, percent, data.valid_from, data.valid_to)))
    seen: dict[tuple[int | None, date | None], int] = {}
    for line, item in checked:
        key = (item.product_id, item.valid_from)
        if key in seen:
            errors.append(
                RowError(
                    line,
                    "valid_from",
                    _("line {other} already gives this product a price starting that day").format(other=seen[key]),
                )
            )
        elif (clash := _clash(item, _same_start(list_id, item))) is not None:
            errors.append(RowError(line, "valid_from", clash))
        seen.setdefault(key, line)
    if errors:
        raise ImportRejected(source, sorted(errors, key=lambda e: e.line))
    added = replaced = 0
    with write_tx():
        for line, item in checked:
            try:
                _id, was = _write(list_id, item, now)
            except PosError as exc:
                errors.append(RowError(line, "valid_from", exc.message))
                continue
            replaced += was
            added += not was
        if errors:
            raise ImportRejected(source, errors)  # rolls the transaction back: nothing written
        _journal_override(actor, used, "price_list", now, {"list": list_id, "import": source})
    return ImportSummary(code, added, replaced)

"""Goods receipts (mal kabul): the supplier's delivery entered line by line and posted at once.

A receipt names the supplier (by code), the supplier's document number (irsaliye or invoice),
the document's date, the due date of the payment (default: the date) and the stock location
(default: the terminal's). Each line is a product (code or barcode), a quantity in milli-units
(whole for a piece product), a unit cost **excluding KDV** as a Turkish purchase invoice prints
it (or including KDV with ``kdv_included``: converted by :mod:`.pricing`'s rule), a line
discount (an amount) and a KDV rate (default: the product's).

Posting (permission ``receive``) writes one ``receipt`` stock document through
:func:`~pos_tui.core.stock.ledger.write_stock_document` in one transaction, all or nothing: one
``receipt`` movement per line whose ``amount`` is the line's net, so the moving average cost
(:mod:`pos_tui.core.kernel.costing`) takes the price paid, re-costing goods sold before they
were received; the totals per KDV rate; and a **payable** (supplier, document, date, due date,
amount including KDV) that the accounts area reads with :func:`payables`. The last purchase price
per supplier and product (``supplier_price``) is kept, after the line discount.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time
from decimal import Decimal
from typing import Any

from peewee import JOIN, fn

from pos_tui import store
from pos_tui.core import accounts
from pos_tui.core.catalog import ProductInfo, scan
from pos_tui.core.kernel.actors import Actor, Override, require
from pos_tui.core.kernel.clock import SHOP_TZ, day_bounds, from_db, shop_day, to_db, zone
from pos_tui.core.kernel.errors import ImportRejected, NotFound, RowError, ValidationError
from pos_tui.core.kernel.formats import text_problem
from pos_tui.core.kernel.formatting import format_money, format_quantity
from pos_tui.core.kernel.money import MILLI, ZERO, from_kurus, qty_to_decimal, to_kurus
from pos_tui.core.kernel.pan import refuse_pan
from pos_tui.core.stock import ledger
from pos_tui.core.stock.locations import location_id
from pos_tui.core.stock.receiving.pricing import CostInput, Priced, line_amount, price_lines
from pos_tui.i18n import _
from pos_tui.settings import ScaleLabelMask
from pos_tui.store import database, fast, write_tx
from pos_tui.store import models as m
from pos_tui.text import fold

RECEIPT = "receipt"
SUPPLIER_RETURN = "supplier_return"
# A line's money above this (a hundred billion lira) is a slip, not a delivery; it also keeps
# every sum far inside a 64-bit column.
MAX_LINE_KURUS = 10**13
DOCUMENT_LENGTH = 64


# -- what comes in --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReceiptLineInput:
    """One line to receive. ``product`` is a product code or barcode; ``qty`` milli-units;
    ``unit_cost`` and ``discount`` in lira (excluding KDV unless the receipt's costs include it);
    ``kdv_rate`` None: the product's. ``where`` is the line errors name (a file's line; 0: the
    line's position) and ``field`` the column the product came from."""

    product: str
    qty: int
    unit_cost: Decimal
    discount: Decimal = ZERO
    kdv_rate: int | None = None
    where: int = 0
    field: str = "code"


@dataclass(frozen=True, slots=True, kw_only=True)
class ReceiptInput:
    """A receipt to post. ``date`` None: today (the shop's day); ``due`` None: the date;
    ``location`` None: the terminal's."""

    supplier: str
    lines: Sequence[ReceiptLineInput]
    document: str | None = None
    date: dt.date | None = None
    due: dt.date | None = None
    location: str | None = None
    kdv_included: bool = False
    note: str | None = None


# -- what is read back ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SupplierInfo:
    id: int
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class DocumentLineInfo:
    """A line of a receipt or a supplier return: money in lira excluding KDV, quantities in
    milli-units. ``returned`` is what supplier returns took back of a receipt line so far;
    ``refers_to`` the receipt line number a return line gives back."""

    line_no: int
    line_id: int
    product_id: int
    code: str
    name: str
    unit: str
    qty: int
    unit_cost: Decimal
    discount: Decimal
    net: Decimal
    kdv_rate: int
    kdv: Decimal
    returned: int = 0
    refers_to: int | None = None

    @property
    def returnable(self) -> int:
        return self.qty - self.returned

    @property
    def net_unit_cost(self) -> Decimal:
        """Lira per unit after the discount (rounded to the kuruş)."""
        if self.qty <= 0:
            return ZERO
        return from_kurus((2 * to_kurus(self.net) * MILLI + self.qty) // (2 * self.qty))


@dataclass(frozen=True, slots=True)
class KdvTotal:
    kdv_rate: int
    net: Decimal
    kdv: Decimal
    gross: Decimal


@dataclass(frozen=True, slots=True)
class CostChange:
    """A product whose average cost a receipt changed: what a new sale price is weighed against.
    Money in lira; costs exclude KDV, the price includes it."""

    code: str
    name: str
    unit: str
    kdv_rate: int
    price: Decimal
    cost_before: Decimal
    cost_after: Decimal
    purchase_cost: Decimal  # this receipt's unit cost after the discount


@dataclass(frozen=True, slots=True)
class ReceiptInfo:
    """A posted receipt or supplier return (``kind``). ``date`` is the document's own date,
    ``at`` when its movements count, ``posted_at`` when it was written. ``refers_to`` is the
    receipt number a supplier return gives goods back against. ``cost_changes`` is filled only
    by :func:`post_receipt` (for the new-prices step)."""

    id: int
    kind: str
    number: int
    supplier: str
    supplier_name: str
    document: str | None
    date: dt.date
    due: dt.date | None
    location: str
    kdv_included: bool
    at: datetime
    posted_at: datetime
    user: str
    lines: tuple[DocumentLineInfo, ...]
    totals: tuple[KdvTotal, ...]
    net: Decimal
    kdv: Decimal
    total: Decimal
    refers_to: int | None = None
    note: str | None = None
    cost_changes: tuple[CostChange, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class ReceiptSummary:
    id: int
    kind: str
    number: int
    date: dt.date
    due: dt.date | None
    supplier: str
    supplier_name: str
    document: str | None
    location: str
    lines: int
    total: Decimal
    refers_to: int | None = None


@dataclass(frozen=True, slots=True)
class Payable:
    """What the shop owes a supplier for one document (negative: a supplier return's credit),
    as the accounts area will read it. ``amount`` includes KDV."""

    kind: str
    id: int
    number: int
    supplier: str
    document: str | None
    date: dt.date
    due: dt.date
    amount: Decimal
    refers_to: int | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "id": self.id,
            "number": self.number,
            "supplier": self.supplier,
            "document": self.document,
            "date": self.date.isoformat(),
            "due": self.due.isoformat(),
            "amount": f"{self.amount:.2f}",
            "refers_to": self.refers_to,
        }


# -- suppliers --------------------------------------------------------------------------------------


def get_supplier(code: str) -> SupplierInfo:
    text = code.strip()
    row = fast.select_first(m.Supplier, ("id", "code", "name"), {"code": text})
    if row is None:
        raise NotFound(_("No supplier with code {code}").format(code=text))
    return SupplierInfo(int(row[0]), row[1], row[2])


def find_suppliers(text: str, limit: int = 50) -> list[SupplierInfo]:
    """Suppliers whose code starts with ``text`` or whose name has every word of it (Turkish-aware
    folding: ``sut`` finds "Süt A.Ş."), by name. A shop has tens of suppliers, not millions."""
    wanted = fold(text.strip()).split()
    S = m.Supplier
    found: list[SupplierInfo] = []
    for sid, code, name in store.rows(S.select(S.id, S.code, S.name).order_by(S.name, S.code)):
        folded = fold(name)
        if not wanted or fold(code).startswith(" ".join(wanted)) or all(w in folded for w in wanted):
            found.append(SupplierInfo(sid, code, name))
            if len(found) >= limit:
                break
    return found


def last_purchase_price(supplier: str, product: str) -> Decimal | None:
    """The unit cost (excluding KDV, after the discount) ``product`` (code or barcode) was last
    received at from ``supplier`` (code), or None."""
    supplier_id = get_supplier(supplier).id
    found = products_by_key([product]).get(product.strip())
    if found is None:
        raise NotFound(_("No product with barcode or code {code}").format(code=product.strip()))
    row = fast.select_first(m.SupplierPrice, ("unit_cost",), {"supplier": supplier_id, "product": found[0]})
    return None if row is None else from_kurus(int(row[0]))


# -- scanning ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ScannedGoods:
    """What one scan on the receiving screen adds: the product and the quantity (milli-units)."""

    product: ProductInfo
    qty: int


def scan_goods(code: str, masks: Sequence[ScaleLabelMask], multiplier: int | None = None) -> ScannedGoods:
    """A scanned or typed code as goods to receive (:func:`pos_tui.core.catalog.scan`: barcode,
    scale label, PLU). A weighed scale label gives its weight; ``multiplier`` (``5*``) multiplies
    one unit, or the label's weight (three packs of 1,5 kg: 4,5 kg). Without either: one unit.
    A fractional quantity of a piece product is refused."""
    found = scan(code, masks)
    qty = found.qty_milli or MILLI
    if multiplier is not None:
        qty = multiplier if found.qty_milli is None else (multiplier * found.qty_milli + MILLI // 2) // MILLI
    product = found.product
    if product.unit == "piece" and qty % MILLI:
        raise ValidationError(
            _("{name} is counted in pieces: {qty} is not a whole quantity").format(
                name=product.name, qty=format_quantity(qty)
            )
        )
    return ScannedGoods(product, qty)


# -- checking ---------------------------------------------------------------------------------------

_Product = tuple[int, str, str, str, int]  # id, code, name, unit, kdv_rate


def _variants(key: str) -> list[str]:
    if len(key) == 12 and key.isdigit():
        return [key, "0" + key]
    if len(key) == 13 and key.startswith("0") and key.isdigit():
        return [key, key[1:]]
    return [key]


def products_by_key(keys: Iterable[str]) -> dict[str, _Product]:
    """The products of ``keys`` (barcodes first, then codes, as :func:`catalog.get_product`),
    found with a few queries however many lines there are."""
    wanted = sorted({k.strip() for k in keys if k.strip()})
    P, B = m.Product, m.Barcode
    by_barcode: dict[str, int] = {}
    variants = sorted({v for k in wanted for v in _variants(k)})
    for start in range(0, len(variants), 500):
        part = variants[start : start + 500]
        by_barcode.update(store.rows(B.select(B.code, B.product).where(B.code.in_(part))))
    ids: dict[str, int] = {}
    rest: list[str] = []
    for key in wanted:
        hit = next((by_barcode[v] for v in _variants(key) if v in by_barcode), None)
        if hit is None:
            rest.append(key)
        else:
            ids[key] = hit
    info: dict[int, _Product] = {}
    for start in range(0, len(rest), 500):
        part = rest[start : start + 500]
        for row in store.rows(P.select(P.id, P.code, P.name, P.unit, P.kdv_rate).where(P.code.in_(part))):
            info[row[0]] = row
            ids[row[1]] = row[0]
    missing = sorted({pid for pid in ids.values() if pid not in info})
    for start in range(0, len(missing), 500):
        id_part = missing[start : start + 500]
        for row in store.rows(P.select(P.id, P.code, P.name, P.unit, P.kdv_rate).where(P.id.in_(id_part))):
            info[row[0]] = row
    return {key: info[pid] for key, pid in ids.items()}


def clean_document(text: str | None) -> str | None:
    """The supplier's document number as stored: trimmed, at most 64 characters, one line."""
    if text is None or not text.strip():
        return None
    value = text.strip()
    if len(value) > DOCUMENT_LENGTH:
        raise ValidationError(_("A document number has at most {n} characters").format(n=DOCUMENT_LENGTH))
    problem = text_problem(value)
    if problem is not None:
        raise ValidationError(_("Document number {text!r}: {reason}").format(text=value[:40], reason=problem))
    refuse_pan(value)
    return value


@dataclass(frozen=True, slots=True)
class CheckedLine:
    product_id: int
    code: str
    name: str
    unit: str
    cost: CostInput


def check_lines(
    lines: Sequence[ReceiptLineInput],
    *,
    kdv_rates: Sequence[int],
    source: str,
    read_errors: Sequence[RowError] = (),
) -> list[CheckedLine]:
    """Every line checked; :class:`ImportRejected` naming every bad line (line, field, reason),
    with ``read_errors`` (the rows a file reader could not read), in line order."""
    if not lines and not read_errors:
        raise ValidationError(_("A goods receipt needs at least one line"))
    products = products_by_key(ln.product for ln in lines)
    errors: list[RowError] = list(read_errors)
    checked: list[CheckedLine] = []
    for index, ln in enumerate(lines, start=1):
        where = ln.where or index
        bad = len(errors)
        product = products.get(ln.product.strip())
        if product is None:
            errors.append(
                RowError(where, ln.field, _("no product with barcode or code {code}").format(code=ln.product.strip()))
            )
        if ln.qty <= 0:
            errors.append(RowError(where, "qty", _("the quantity must be above zero")))
        elif product is not None and product[3] == "piece" and ln.qty % MILLI:
            errors.append(
                RowError(
                    where,
                    "qty",
                    _("{name} is counted in pieces: {qty} is not a whole quantity").format(
                        name=product[2], qty=format_quantity(ln.qty)
                    ),
                )
            )
        if ln.unit_cost < 0:
            errors.append(RowError(where, "unit_cost", _("a cost cannot be negative")))
        if ln.discount < 0:
            errors.append(RowError(where, "discount", _("a discount cannot be negative")))
        rate = ln.kdv_rate if ln.kdv_rate is not None else (product[4] if product is not None else None)
        if rate is not None and rate not in kdv_rates:
            errors.append(
                RowError(
                    where,
                    "kdv_rate",
                    _("KDV rate {rate} is not one of {rates}").format(
                        rate=rate, rates=", ".join(str(r) for r in kdv_rates)
                    ),
                )
            )
        if len(errors) > bad or product is None or rate is None:
            continue
        unit_cost, discount = to_kurus(ln.unit_cost), to_kurus(ln.discount)
        amount = line_amount(ln.qty, unit_cost)
        if amount > MAX_LINE_KURUS:
            errors.append(RowError(where, "unit_cost", _("the line's amount is too large")))
            continue
        if discount > amount:
            errors.append(
                RowError(
                    where,
                    "discount",
                    _("the discount {discount} is more than the line's amount {amount}").format(
                        discount=format_money(from_kurus(discount)), amount=format_money(from_kurus(amount))
                    ),
                )
            )
            continue
        checked.append(
            CheckedLine(product[0], product[1], product[2], product[3], CostInput(ln.qty, unit_cost, discount, rate))
        )
    if errors:
        raise ImportRejected(source, sorted(errors, key=lambda e: e.line))
    return checked


def document_moment(day: dt.date, now: datetime, tz: str) -> datetime:
    """When a document dated ``day`` counts: now for today's, noon of that day for an earlier one."""
    if day == shop_day(now, tz):
        return now
    return datetime.combine(day, time(12), tzinfo=zone(tz))


def _money(kurus: int) -> str:
    return f"{from_kurus(kurus):.2f}"


def totals_data(priced: Priced) -> dict[str, Any]:
    """The totals as the document's data (and its journal entry) carries them."""
    return {
        "totals": [
            {"kdv_rate": r.kdv_rate, "net": _money(r.net), "kdv": _money(r.kdv), "gross": _money(r.gross)}
            for r in priced.rates
        ],
        "net": _money(priced.net),
        "kdv": _money(priced.kdv),
        "total": _money(priced.gross),
    }


def override_data(used: Override | None) -> dict[str, Any]:
    if used is None:
        return {}
    return {"override": {"supervisor": used.supervisor.name, "reason": used.reason}}


# -- posting ----------------------------------------------------------------------------------------


def post_receipt(
    receipt: ReceiptInput,
    *,
    actor: Actor,
    now: datetime,
    terminal: str,
    kdv_rates: Sequence[int],
    tz: str = SHOP_TZ,
    override: Override | None = None,
    source: str | None = None,
    read_errors: Sequence[RowError] = (),
) -> ReceiptInfo:
    """Post ``receipt`` (module docstring). Raises :class:`ImportRejected` naming every bad line
    (``source``: the file's name, else "receipt"), and a plain error for a bad header (an unknown
    supplier or location, a date in the future, a due date before it, the supplier's document
    already received)."""
    used = require(actor, "receive", override)
    supplier = get_supplier(receipt.supplier)
    today = shop_day(now, tz)
    day = receipt.date or today
    if day > today:
        raise ValidationError(_("A goods receipt cannot be dated after today ({date})").format(date=day.isoformat()))
    due = receipt.due or day
    if due < day:
        raise ValidationError(
            _("The due date {due} is before the document's date {date}").format(
                due=due.isoformat(), date=day.isoformat()
            )
        )
    document = clean_document(receipt.document)
    checked = check_lines(receipt.lines, kdv_rates=kdv_rates, source=source or _("receipt"), read_errors=read_errors)
    priced = price_lines([c.cost for c in checked], kdv_included=receipt.kdv_included)
    at = document_moment(day, now, tz)
    note = (receipt.note or "").strip() or None
    refuse_pan(note)
    with write_tx():
        loc = location_id(receipt.location, terminal)
        if document is not None:
            D = m.StockDocument
            earlier = (
                D.select(D.number)
                .where((D.kind == RECEIPT) & (D.supplier == supplier.id) & (D.supplier_doc == document))
                .scalar()
            )
            if earlier is not None:
                raise ValidationError(
                    _("{supplier}'s document {document} was already received as goods receipt {number}").format(
                        supplier=supplier.code, document=document, number=earlier
                    )
                )
        pids = sorted({c.product_id for c in checked})
        before = _costs(pids)
        data = {
            "kdv_included": receipt.kdv_included,
            **totals_data(priced),
            "payable": {
                "supplier": supplier.code,
                "document": document,
                "date": day.isoformat(),
                "due": due.isoformat(),
                "amount": _money(priced.gross),
            },
            **override_data(used),
        }
        posted = ledger.write_stock_document(
            ledger.StockDraft(
                kind=RECEIPT,
                at=at,
                now=now,
                terminal=terminal,
                user_id=actor.user_id,
                location_id=loc,
                lines=[
                    ledger.DraftLine(c.product_id, p.qty, p.unit_cost, p.discount, p.net, p.kdv_rate, p.kdv)
                    for c, p in zip(checked, priced.lines, strict=True)
                ],
                movements=[
                    ledger.Movement(c.product_id, loc, p.qty, ledger.RECEIPT, amount=p.net)
                    for c, p in zip(checked, priced.lines, strict=True)
                ],
                supplier_id=supplier.id,
                supplier_doc=document,
                due_date=due,
                note=note,
                data=data,
            )
        )
        _remember_prices(supplier.id, checked, priced, to_db(at), posted.id)
        post_payable(
            supplier.id,
            accounts.RECEIPT,
            -priced.gross,
            at=at,
            due=receipt.due,
            day=day,
            stock_document_id=posted.id,
            document=document or f"stock:{posted.id}",
            user_id=actor.user_id,
            terminal=terminal,
            now=now,
            tz=tz,
        )
        after = _costs(pids)
    info = document_info(posted.id)
    changes = []
    last: dict[int, int] = {}
    for c, p in zip(checked, priced.lines, strict=True):
        last[c.product_id] = p.net_unit_cost
    seen: set[int] = set()
    for c in checked:
        pid = c.product_id
        if pid in seen or before[pid][0] == after[pid][0]:
            continue
        seen.add(pid)
        changes.append(
            CostChange(
                c.code,
                c.name,
                c.unit,
                after[pid][2],
                from_kurus(after[pid][1]),
                from_kurus(before[pid][0]),
                from_kurus(after[pid][0]),
                from_kurus(last[pid]),
            )
        )
    return _replace_changes(info, tuple(changes))


def post_payable(
    supplier_id: int,
    kind: str,
    amount: int,
    *,
    at: datetime,
    due: dt.date | None,
    day: dt.date,
    stock_document_id: int,
    document: str,
    user_id: int,
    terminal: str,
    now: datetime,
    tz: str,
    applies_to: int | None = None,
) -> None:
    """Put a stock document's money on the supplier's account (inside the document's transaction):
    ``amount`` signed kuruş (a receipt −gross incl. KDV: the shop owes it; a return +gross), due
    ``due``, else ``day`` + the account's terms. A document of 0,00 (free goods) posts nothing."""
    if amount == 0:
        return
    party_id = accounts.party_for_supplier(supplier_id, now=now)
    if due is None:
        terms = fast.select_first(m.Party, ("terms_days",), {"id": party_id})
        due = day + dt.timedelta(days=int(terms[0] or 0) if terms else 0)
    accounts.post_entries(
        [
            accounts.EntryDraft(
                party_id=party_id,
                kind=kind,
                amount=amount,
                at=at,
                due=due,
                terminal=terminal,
                user_id=user_id,
                document=document,
                stock_document_id=stock_document_id,
                applies_to=applies_to,
            )
        ],
        now=now,
        tz=tz,
    )


def _replace_changes(info: ReceiptInfo, changes: tuple[CostChange, ...]) -> ReceiptInfo:
    from dataclasses import replace

    return replace(info, cost_changes=changes)


def _costs(pids: Sequence[int]) -> dict[int, tuple[int, int, int]]:
    """product id -> (average cost, price, KDV rate), kuruş."""
    P = m.Product
    found: dict[int, tuple[int, int, int]] = {}
    for start in range(0, len(pids), 500):
        part = list(pids[start : start + 500])
        for pid, cost, price, rate in store.rows(P.select(P.id, P.cost, P.price, P.kdv_rate).where(P.id.in_(part))):
            found[pid] = (cost, price, rate)
    return found


def _remember_prices(
    supplier_id: int, checked: Sequence[CheckedLine], priced: Priced, at: datetime, doc_id: int
) -> None:
    """The last purchase price per product (the receipt's last line of it wins); a receipt dated
    before the one already remembered does not replace it, and free goods (a line at 0,00) are
    not a price: the next receipt from that supplier would start its lines at nothing."""
    latest: dict[int, int] = {}
    for c, p in zip(checked, priced.lines, strict=True):
        if p.net_unit_cost > 0:
            latest[c.product_id] = p.net_unit_cost
    SP = m.SupplierPrice
    db = database.obj
    q = db.quote

    def name(text: str) -> str:
        return f"{q[0]}{text}{q[1]}"

    table = name(SP._meta.table_name)
    cols = [name(SP._meta.fields[f].column_name) for f in ("supplier", "product", "unit_cost", "at", "document")]
    updates = ", ".join(f"{c} = excluded.{c}" for c in cols[2:])
    # portable (SQLite and PostgreSQL); one prepared statement for every product of the receipt
    sql = (
        f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join([database.param] * 5)}) "
        f"ON CONFLICT ({cols[0]}, {cols[1]}) DO UPDATE SET {updates} WHERE {table}.{cols[3]} <= excluded.{cols[3]}"
    )
    if latest:
        database.cursor().executemany(
            sql, [(supplier_id, pid, cost, at, doc_id) for pid, cost in sorted(latest.items())]
        )


# -- reading ----------------------------------------------------------------------------------------


def document_id(kind: str, number: int) -> int:
    D = m.StockDocument
    found = D.select(D.id).where((D.kind == kind) & (D.number == number)).scalar()
    if found is None:
        if kind == RECEIPT:
            raise NotFound(_("No goods receipt {number}").format(number=number))
        raise NotFound(_("No supplier return {number}").format(number=number))
    return int(found)


def get_receipt(number: int) -> ReceiptInfo:
    """Goods receipt ``number`` with its lines (and what has been returned of each) and totals."""
    return document_info(document_id(RECEIPT, number))


def get_supplier_return(number: int) -> ReceiptInfo:
    return document_info(document_id(SUPPLIER_RETURN, number))


def returned_by_line(line_ids: Sequence[int]) -> dict[int, int]:
    """Receipt line id -> milli-units supplier returns have taken back of it."""
    L, D = m.StockDocumentLine, m.StockDocument
    found: dict[int, int] = {}
    for start in range(0, len(line_ids), 500):
        part = list(line_ids[start : start + 500])
        query = (
            L.select(L.refers_to, fn.SUM(L.qty))
            .join(D, on=(L.document == D.id))
            .where((D.kind == SUPPLIER_RETURN) & L.refers_to.in_(part))
            .group_by(L.refers_to)
        )
        found.update({ref: int(qty) for ref, qty in store.rows(query)})
    return found


def _date(text: Any) -> dt.date | None:
    return None if text is None else dt.date.fromisoformat(str(text))


def document_info(doc_id: int) -> ReceiptInfo:
    D, L, P, S, Loc, U = m.StockDocument, m.StockDocumentLine, m.Product, m.Supplier, m.StockLocation, m.User
    R = D.alias("ref")
    head = next(
        store.rows(
            D.select(
                D.id, D.kind, D.number, S.code, S.name, D.supplier_doc, D.due_date, Loc.code, D.at, D.posted_at,
                U.name, D.data, R.number, D.note,
            )
            .join(S, JOIN.LEFT_OUTER, on=(D.supplier == S.id))
            .switch(D)
            .join(Loc, on=(D.location == Loc.id))
            .switch(D)
            .join(U, on=(D.user == U.id))
            .switch(D)
            .join(R, JOIN.LEFT_OUTER, on=(D.refers_to == R.id))
            .where(D.id == doc_id)
        )
    )  # fmt: skip
    did, kind, number, supplier, supplier_name, document, due, location, at, posted_at, user, raw, ref, note = head
    data = json.loads(raw)
    Ref = L.alias("refline")
    rows = list(
        store.rows(
            L.select(
                L.line_no, L.id, L.product, P.code, P.name, P.unit, L.qty, L.unit_cost, L.discount, L.net,
                L.kdv_rate, L.kdv, Ref.line_no,
            )
            .join(P, on=(L.product == P.id))
            .switch(L)
            .join(Ref, JOIN.LEFT_OUTER, on=(L.refers_to == Ref.id))
            .where(L.document == did)
            .order_by(L.line_no)
        )
    )  # fmt: skip
    returned = returned_by_line([r[1] for r in rows]) if kind == RECEIPT else {}
    lines = tuple(
        DocumentLineInfo(
            line_no=r[0], line_id=r[1], product_id=r[2], code=r[3], name=r[4], unit=r[5], qty=r[6],
            unit_cost=from_kurus(r[7]), discount=from_kurus(r[8]), net=from_kurus(r[9]), kdv_rate=r[10],
            kdv=from_kurus(r[11]), returned=returned.get(r[1], 0), refers_to=r[12],
        )
        for r in rows
    )  # fmt: skip
    payable = data.get("payable") or {}
    return ReceiptInfo(
        id=did,
        kind=kind,
        number=number,
        supplier=supplier or "",
        supplier_name=supplier_name or "",
        document=document,
        date=_date(payable.get("date")) or from_db(at).date(),
        due=due if isinstance(due, dt.date) or due is None else dt.date.fromisoformat(str(due)),
        location=location,
        kdv_included=bool(data.get("kdv_included", False)),
        at=from_db(at),
        posted_at=from_db(posted_at),
        user=user,
        lines=lines,
        totals=tuple(
            KdvTotal(int(t["kdv_rate"]), Decimal(t["net"]), Decimal(t["kdv"]), Decimal(t["gross"]))
            for t in data.get("totals", [])
        ),
        net=Decimal(data.get("net", "0.00")),
        kdv=Decimal(data.get("kdv", "0.00")),
        total=Decimal(data.get("total", "0.00")),
        refers_to=ref,
        note=note,
    )


def _between(query: Any, since: dt.date | None, until: dt.date | None, tz: str) -> Any:
    D = m.StockDocument
    if since is not None:
        query = query.where(D.at >= to_db(day_bounds(since, tz)[0]))
    if until is not None:
        query = query.where(D.at < to_db(day_bounds(until, tz)[1]))
    return query


def list_receipts(
    *,
    supplier: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    kinds: Sequence[str] = (RECEIPT,),
    tz: str = SHOP_TZ,
) -> list[ReceiptSummary]:
    """Receipts (and, with ``kinds``, supplier returns) by date, oldest first; ``since`` and
    ``until`` are shop days, both included."""
    D, S, Loc, L, R = m.StockDocument, m.Supplier, m.StockLocation, m.StockDocumentLine, m.StockDocument.alias("ref")
    counts = L.select(L.document.alias("doc"), fn.COUNT(L.id).alias("n")).group_by(L.document).alias("counts")
    query = (
        D.select(
            D.id, D.kind, D.number, D.due_date, S.code, S.name, D.supplier_doc, Loc.code, counts.c.n, D.data, R.number
        )
        .join(S, on=(D.supplier == S.id))
        .switch(D)
        .join(Loc, on=(D.location == Loc.id))
        .switch(D)
        .join(counts, on=(counts.c.doc == D.id))
        .switch(D)
        .join(R, JOIN.LEFT_OUTER, on=(D.refers_to == R.id))
        .where(D.kind.in_(list(kinds)))
        .order_by(D.at, D.id)
    )
    if supplier is not None:
        query = query.where(S.code == get_supplier(supplier).code)
    query = _between(query, since, until, tz)
    found = []
    for did, kind, number, due, code, name, document, location, n, raw, ref in store.rows(query):
        data = json.loads(raw)
        found.append(
            ReceiptSummary(
                did,
                kind,
                number,
                dt.date.fromisoformat(data["payable"]["date"]),
                due if isinstance(due, dt.date) or due is None else dt.date.fromisoformat(str(due)),
                code,
                name,
                document,
                location,
                int(n),
                Decimal(data["total"]),
                ref,
            )
        )
    return found


def payables(since: dt.date | None = None, *, until: dt.date | None = None, tz: str = SHOP_TZ) -> list[Payable]:
    """What receipts and supplier returns left owing to suppliers (a return's amount is negative),
    in posting order, for the accounts area (issue 13). ``since``/``until``: shop days, included."""
    D = m.StockDocument
    query = D.select(D.id, D.kind, D.number, D.data, D.refers_to).where(D.kind.in_([RECEIPT, SUPPLIER_RETURN]))
    query = _between(query, since, until, tz).order_by(D.id)
    refs: dict[int, int] = {}
    found = []
    for did, kind, number, raw, refers in store.rows(query):
        pay = json.loads(raw)["payable"]
        if refers is not None and refers not in refs:
            refs[refers] = int(D.select(D.number).where(D.id == refers).scalar())
        found.append(
            Payable(
                kind,
                did,
                number,
                pay["supplier"],
                pay.get("document"),
                dt.date.fromisoformat(pay["date"]),
                dt.date.fromisoformat(pay["due"]),
                Decimal(pay["amount"]),
                None if refers is None else refs[refers],
            )
        )
    return found


def receipt_record(info: ReceiptInfo) -> dict[str, Any]:
    """A receipt or supplier return as JSON (``pos-admin stock receive/receipt --json``): money as
    ``"12.50"``, quantities as decimal strings (``"1.5"``)."""
    record: dict[str, Any] = {
        "id": info.id,
        "kind": info.kind,
        "number": info.number,
        "supplier": info.supplier,
        "supplier_name": info.supplier_name,
        "document": info.document,
        "date": info.date.isoformat(),
        "due": None if info.due is None else info.due.isoformat(),
        "location": info.location,
        "kdv_included": info.kdv_included,
        "user": info.user,
        "lines": [
            {
                "line": ln.line_no,
                "code": ln.code,
                "name": ln.name,
                "unit": ln.unit,
                "qty": str(qty_to_decimal(ln.qty)),
                "unit_cost": f"{ln.unit_cost:.2f}",
                "discount": f"{ln.discount:.2f}",
                "net": f"{ln.net:.2f}",
                "kdv_rate": ln.kdv_rate,
                "kdv": f"{ln.kdv:.2f}",
                **(
                    {"returned": str(qty_to_decimal(ln.returned))}
                    if info.kind == RECEIPT
                    else {"receipt_line": ln.refers_to}
                ),
            }
            for ln in info.lines
        ],
        "totals": [
            {"kdv_rate": t.kdv_rate, "net": f"{t.net:.2f}", "kdv": f"{t.kdv:.2f}", "gross": f"{t.gross:.2f}"}
            for t in info.totals
        ],
        "net": f"{info.net:.2f}",
        "kdv": f"{info.kdv:.2f}",
        "total": f"{info.total:.2f}",
    }
    if info.kind == SUPPLIER_RETURN:
        record["receipt"] = info.refers_to
    return record

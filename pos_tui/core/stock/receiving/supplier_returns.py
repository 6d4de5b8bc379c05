"""Returns to a supplier (tedarikçiye iade), always against a goods receipt.

Each line gives back part of a receipt line, never more than was received minus what earlier
returns took back: checked inside the write transaction with the receipt's row locked (on
PostgreSQL ``FOR UPDATE``; SQLite's write transaction excludes other writers), so two returns
posted at once cannot together exceed the receipt. A line may name the receipt line by its
number or the product (code or barcode): the quantity is then taken from the product's lines in
line order.

The money is the receipt's: ``c`` of a line's ``n`` units given back so far are worth
``round(net × c / n)`` (half up), so a line returned in parts gives back exactly its net. The
``supplier_return`` movement's ``amount`` is that value (the cost rule caps it to the stock's
value); KDV per rate is computed on the return's rate sums, as on a receipt, and the payable is
the negative gross.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from pos_tui import store
from pos_tui.core import accounts
from pos_tui.core.kernel.actors import Actor, Override, require
from pos_tui.core.kernel.clock import SHOP_TZ, shop_day
from pos_tui.core.kernel.errors import ImportRejected, RowError, ValidationError
from pos_tui.core.kernel.formatting import format_quantity
from pos_tui.core.kernel.money import MILLI, from_kurus
from pos_tui.core.kernel.pan import refuse_pan
from pos_tui.core.stock import ledger
from pos_tui.core.stock.receiving.pricing import Priced, PricedLine, RateTotal, div_half_up, share
from pos_tui.core.stock.receiving.receipts import (
    RECEIPT,
    SUPPLIER_RETURN,
    ReceiptInfo,
    document_id,
    document_info,
    override_data,
    post_payable,
    products_by_key,
    returned_by_line,
    totals_data,
)
from pos_tui.i18n import _
from pos_tui.store import fast, write_tx
from pos_tui.store import models as m


@dataclass(frozen=True, slots=True)
class SupplierReturnLineInput:
    """Give back ``qty`` milli-units of receipt line ``line_no``, or of ``product`` (code or
    barcode) spread over its lines. ``where``/``field``: what an error names."""

    qty: int
    line_no: int | None = None
    product: str | None = None
    where: int = 0
    field: str = "line"


@dataclass(frozen=True, slots=True)
class _Line:
    id: int
    line_no: int
    product_id: int
    code: str
    unit: str
    qty: int
    unit_cost: int
    discount: int
    net: int
    kdv_rate: int
    returned: int


def _receipt_lines(receipt_id: int) -> list[_Line]:
    L, P = m.StockDocumentLine, m.Product
    rows = list(
        store.rows(
            L.select(L.id, L.line_no, L.product, P.code, P.unit, L.qty, L.unit_cost, L.discount, L.net, L.kdv_rate)
            .join(P, on=(L.product == P.id))
            .where(L.document == receipt_id)
            .order_by(L.line_no)
        )
    )
    returned = returned_by_line([r[0] for r in rows])
    return [_Line(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], returned.get(r[0], 0)) for r in rows]


def _cumulative(total: int, done: int, whole: int) -> int:
    """Kuruş of ``total`` for ``done`` of ``whole`` units, rounded half up."""
    return div_half_up(total * done, whole)


def _price(chosen: Sequence[tuple[_Line, int]]) -> Priced:
    """A return of ``chosen`` (receipt line, milli-units) priced: each line's share of its net and
    discount (cumulative, so a line returned in parts gives back exactly its net), KDV per rate on
    the rate's net, shared over its lines."""
    nets: list[int] = []
    discounts: list[int] = []
    for line, qty in chosen:
        nets.append(
            _cumulative(line.net, line.returned + qty, line.qty) - _cumulative(line.net, line.returned, line.qty)
        )
        discounts.append(
            _cumulative(line.discount, line.returned + qty, line.qty)
            - _cumulative(line.discount, line.returned, line.qty)
        )
    rates: list[RateTotal] = []
    kdvs = [0] * len(chosen)
    for rate in sorted({line.kdv_rate for line, _q in chosen}):
        members = [i for i, (line, _q) in enumerate(chosen) if line.kdv_rate == rate]
        net = sum(nets[i] for i in members)
        kdv = div_half_up(net * rate, 100)
        for i, part in zip(members, share(kdv, [nets[i] for i in members]), strict=True):
            kdvs[i] = part
        rates.append(RateTotal(rate, net, kdv))
    return Priced(
        tuple(
            PricedLine(qty, line.unit_cost, discounts[i], nets[i], line.kdv_rate, kdvs[i])
            for i, (line, qty) in enumerate(chosen)
        ),
        tuple(rates),
    )


def return_total(receipt_number: int, chosen: Mapping[int, int]) -> Decimal:
    """What returning ``chosen`` (receipt line no -> milli-units) of goods receipt
    ``receipt_number`` comes to including KDV, priced as :func:`post_supplier_return` will price
    it (for the question before posting). Lines not on the receipt and quantities of 0 are left out."""
    by_no = {ln.line_no: ln for ln in _receipt_lines(document_id(RECEIPT, receipt_number))}
    picked = [(by_no[no], qty) for no, qty in sorted(chosen.items()) if qty > 0 and no in by_no]
    return from_kurus(_price(picked).gross)


def post_supplier_return(
    receipt_number: int,
    lines: Sequence[SupplierReturnLineInput],
    *,
    actor: Actor,
    now: datetime,
    terminal: str,
    tz: str = SHOP_TZ,
    override: Override | None = None,
    note: str | None = None,
    source: str | None = None,
    read_errors: Sequence[RowError] = (),
) -> ReceiptInfo:
    """Post a supplier return against goods receipt ``receipt_number`` (module docstring);
    :class:`ImportRejected` names every bad line and nothing is written."""
    used = require(actor, "receive", override)
    refuse_pan(note)
    if not lines and not read_errors:
        raise ValidationError(_("Choose at least one line to return"))
    where_from = source or _("return")
    wanted_products = products_by_key(ln.product for ln in lines if ln.product)
    with write_tx():
        receipt_id = document_id(RECEIPT, receipt_number)
        D = m.StockDocument
        # the receipt's row is the lock two returns against it queue on (PostgreSQL)
        fast.select_first(D, ("id",), {"id": receipt_id}, for_update=True)
        head = fast.select_first(D, ("location", "supplier", "supplier_doc"), {"id": receipt_id})
        assert head is not None
        location, supplier_id, supplier_doc = head
        receipt_lines = _receipt_lines(receipt_id)
        by_no = {ln.line_no: ln for ln in receipt_lines}
        taking: dict[int, int] = {}  # receipt line no -> milli-units given back now
        errors: list[RowError] = list(read_errors)
        for index, wanted in enumerate(lines, start=1):
            where = wanted.where or index
            if wanted.qty <= 0:
                errors.append(RowError(where, "qty", _("the quantity must be above zero")))
                continue
            if wanted.line_no is not None:
                line = by_no.get(wanted.line_no)
                if line is None:
                    errors.append(
                        RowError(
                            where,
                            wanted.field,
                            _("goods receipt {number} has no line {line}").format(
                                number=receipt_number, line=wanted.line_no
                            ),
                        )
                    )
                    continue
                candidates = [line]
            else:
                product = wanted_products.get((wanted.product or "").strip())
                candidates = [] if product is None else [ln for ln in receipt_lines if ln.product_id == product[0]]
                if not candidates:
                    errors.append(
                        RowError(
                            where,
                            wanted.field,
                            _("{code} is not on goods receipt {number}").format(
                                code=(wanted.product or "").strip(), number=receipt_number
                            ),
                        )
                    )
                    continue
            if candidates[0].unit == "piece" and wanted.qty % MILLI:
                errors.append(
                    RowError(
                        where,
                        "qty",
                        _("{code} is counted in pieces: {qty} is not a whole quantity").format(
                            code=candidates[0].code, qty=format_quantity(wanted.qty)
                        ),
                    )
                )
                continue
            left = wanted.qty
            for line in candidates:
                room = line.qty - line.returned - taking.get(line.line_no, 0)
                step = min(room, left)
                if step > 0:
                    taking[line.line_no] = taking.get(line.line_no, 0) + step
                    left -= step
            if left > 0:
                room = sum(ln.qty - ln.returned for ln in candidates)
                errors.append(
                    RowError(
                        where,
                        "qty",
                        _("at most {qty} of {code} can still be returned (received minus returned before)").format(
                            qty=format_quantity(max(room, 0)), code=candidates[0].code
                        ),
                    )
                )
        if errors:
            raise ImportRejected(where_from, sorted(errors, key=lambda e: e.line))
        chosen = [(by_no[no], qty) for no, qty in sorted(taking.items())]
        priced = _price(chosen)
        supplier = fast.select_first(m.Supplier, ("code",), {"id": supplier_id})
        assert supplier is not None
        today = shop_day(now, tz).isoformat()
        totals = totals_data(priced)
        data = {
            **totals,
            "payable": {
                "supplier": supplier[0],
                "document": supplier_doc,
                "receipt": receipt_number,
                "date": today,
                "due": today,
                "amount": f"-{totals['total']}" if priced.gross else totals["total"],
            },
            **override_data(used),
        }
        posted = ledger.write_stock_document(
            ledger.StockDraft(
                kind=SUPPLIER_RETURN,
                at=now,
                now=now,
                terminal=terminal,
                user_id=actor.user_id,
                location_id=location,
                lines=[
                    ledger.DraftLine(
                        line.product_id, qty, line.unit_cost, p.discount, p.net, p.kdv_rate, p.kdv, line.id
                    )
                    for (line, qty), p in zip(chosen, priced.lines, strict=True)
                ],
                movements=[
                    ledger.Movement(line.product_id, location, -qty, ledger.SUPPLIER_RETURN, amount=p.net)
                    for (line, qty), p in zip(chosen, priced.lines, strict=True)
                ],
                supplier_id=supplier_id,
                supplier_doc=supplier_doc,
                due_date=shop_day(now, tz),
                refers_to=receipt_id,
                note=(note or "").strip() or None,
                data=data,
            )
        )
        receipt_entry = fast.select_first(
            m.AccountEntry, ("id",), {"stock_document": receipt_id, "kind": accounts.RECEIPT}
        )
        post_payable(
            supplier_id,
            accounts.SUPPLIER_RETURN,
            priced.gross,
            at=now,
            due=shop_day(now, tz),
            day=shop_day(now, tz),
            stock_document_id=posted.id,
            document=f"stock:{posted.id}",
            user_id=actor.user_id,
            terminal=terminal,
            now=now,
            tz=tz,
            applies_to=None if receipt_entry is None else int(receipt_entry[0]),
        )
    return document_info(posted.id)

"""Invoices that do not come from a till sale: standalone wholesale invoices from the accounts area and IADE
invoices for goods returned to a supplier from the stock area (docs/einvoice-trade.md).

**Wholesale** (:func:`issue_wholesale`): products, quantities and KDV-inclusive unit prices (default: the
account's price list, else the catalog price) invoiced to a customer account as SATIS, ISTISNA (every line
0 % with one of GİB's exemption codes) or TEVKIFAT (lines with a withholding code and percent). In one
transaction: the invoice (:func:`.issuing.issue_invoice`, a savepoint of this one), the ``sale`` entry on the
account for the invoice's **payable** amount (what the buyer pays: the KDV-inclusive total minus any
withheld KDV), due on the invoice day + the account's terms, document ``einvoice:<number>``, and the goods
leaving stock (``sale`` movements at the terminal's location, valued at average cost, noted with the
invoice number). An invoice GİB would refuse leaves nothing behind.

**Supplier return** (:func:`issue_supplier_return`): the shop, as the seller of the returned goods, issues an
IADE invoice to the supplier referring to the supplier's invoice (BillingReference). Its lines are the
supplier-return stock document's lines: each line's net and KDV as the stock area posted them, the KDV rows
the document's sums per rate, so the invoice's payable equals the ``supplier_return`` entry the stock area
put on the supplier's account, to the kuruş. e-Fatura (always TEMELFATURA: GİB refuses IADE on
TICARIFATURA) when the supplier is in GİB's user list, else e-Arşiv.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from pos_tui import store
from pos_tui.core import accounts, catalog, stock
from pos_tui.core.einvoice.issuing import IssuedInvoice, issue_invoice, stock_document_invoice
from pos_tui.core.einvoice.model import (
    FROM_SUPPLIER_RETURN,
    FROM_WHOLESALE,
    IADE,
    ISTISNA,
    SATIS,
    TEVKIFAT,
    BillingReference,
    Discount,
    InvoiceDraft,
    InvoiceLineDraft,
    KdvGroup,
)
from pos_tui.core.einvoice.routing import route_party
from pos_tui.core.einvoice.sources import (
    DEFAULT_ZERO_RATE_CODE,
    DEFAULT_ZERO_RATE_REASON,
    party_customer,
    shop_party,
)
from pos_tui.core.einvoice.trade_codes import (
    ISTISNA_VALID,
    check_istisna,
    check_withholding,
    exemption_name,
)
from pos_tui.core.kernel.actors import Actor, require
from pos_tui.core.kernel.clock import local, shop_day
from pos_tui.core.kernel.errors import NotFound, ValidationError
from pos_tui.core.kernel.formatting import format_quantity
from pos_tui.core.kernel.money import CENT, ZERO, from_kurus, line_amount, split_kdv, to_kurus
from pos_tui.core.kernel.pan import refuse_pan
from pos_tui.i18n import _
from pos_tui.settings import Settings
from pos_tui.store import fast
from pos_tui.store import models as m

WHOLESALE_TYPES = (SATIS, ISTISNA, TEVKIFAT)
INVOICE_NUMBER = re.compile(r"^[A-Z0-9]{3}20[0-9]{2}[0-9]{9}$")
DOCUMENT_PREFIX = "einvoice:"
MAX_NOTE = 500


@dataclass(frozen=True, slots=True)
class WholesaleLine:
    """One line of a wholesale invoice: ``product`` a code or barcode, ``qty`` milli-units (whole for a piece
    product); ``unit_price`` KDV-inclusive lira per unit (None: the account's price list, else the catalog
    price; on an ISTISNA invoice that price without its KDV); ``discount`` KDV-inclusive lira off the line;
    ``exemption_code`` / ``withholding_code`` + ``withholding_percent`` this line's own (else the invoice's)."""

    product: str
    qty: int
    unit_price: Decimal | None = None
    discount: Decimal = ZERO
    exemption_code: str = ""
    withholding_code: str = ""
    withholding_percent: int = 0


@dataclass(frozen=True, slots=True)
class WholesaleResult:
    """An issued wholesale invoice, the account entry it posted and when that entry falls due."""

    invoice: IssuedInvoice
    account: str
    entry_number: int
    due: date

    def as_json(self) -> dict[str, Any]:
        return self.invoice.as_json()


def _wholesale_line(
    index: int,
    wanted: WholesaleLine,
    *,
    type_: str,
    price_list: str | None,
    day: date,
    exemption: str,
    withholding: tuple[str, int] | None,
) -> InvoiceLineDraft:
    where = _("Line {line}").format(line=index)
    try:
        product = catalog.get_product(wanted.product)
    except NotFound:
        raise ValidationError(
            _("{where}: no product {code}").format(where=where, code=wanted.product.strip()[:40])
        ) from None
    if wanted.qty <= 0:
        raise ValidationError(_("{where}: the quantity must be above zero").format(where=where))
    if product.unit == "piece" and wanted.qty % 1000:
        raise ValidationError(
            _("{where}: {code} is counted in pieces: {qty} is not a whole quantity").format(
                where=where, code=product.code, qty=format_quantity(wanted.qty)
            )
        )
    rate = 0 if type_ == ISTISNA else product.kdv_rate
    if wanted.unit_price is not None:
        if wanted.unit_price < 0:
            raise ValidationError(_("{where}: the price cannot be negative").format(where=where))
        price = wanted.unit_price
    else:
        listed = accounts.prices.price_for(price_list, product.id, day) if price_list else None
        price = listed if listed is not None else product.price
        if type_ == ISTISNA:  # list prices include the product's KDV; an exempt sale charges none
            price = split_kdv(price, product.kdv_rate)[0]
    gross = to_kurus(line_amount(price, wanted.qty))
    discount = to_kurus(wanted.discount.quantize(CENT, rounding=ROUND_HALF_UP))
    if discount < 0 or discount > gross:
        raise ValidationError(_("{where}: the discount must be between zero and the line's amount").format(where=where))
    code = (wanted.exemption_code or exemption).strip()
    if type_ == ISTISNA:
        if not code:
            raise ValidationError(
                _("{where}: an exemption invoice (İSTİSNA) needs GİB's exemption code, e.g. 301").format(where=where)
            )
        code = check_istisna(code)
        reason = exemption_name(code)
    elif rate == 0:
        if code and code in ISTISNA_VALID:
            raise ValidationError(
                _("{where}: code {code} is an exemption: issue an exemption invoice (İSTİSNA) instead").format(
                    where=where, code=code
                )
            )
        code, reason = DEFAULT_ZERO_RATE_CODE, DEFAULT_ZERO_RATE_REASON
    else:
        code, reason = "", ""
    wh_code, wh_percent = "", 0
    if wanted.withholding_code:
        wh_code, wh_percent = check_withholding(wanted.withholding_code, wanted.withholding_percent)
    elif withholding is not None and rate > 0:  # the invoice's withholding: on every line with KDV
        wh_code, wh_percent = withholding
    if wh_code and type_ != TEVKIFAT:
        raise ValidationError(_("{where}: only a withholding invoice (TEVKİFAT) may withhold KDV").format(where=where))
    if wh_code and rate == 0:
        raise ValidationError(
            _("{where}: {code} has no KDV, so there is nothing to withhold").format(where=where, code=product.code)
        )
    return InvoiceLineDraft(
        line_no=index,
        code=product.code,
        name=product.name,
        unit=product.unit,
        qty=wanted.qty,
        gross=gross,
        total=gross - discount,
        kdv_rate=rate,
        discounts=(Discount("İskonto", discount),) if discount else (),
        exemption_code=code,
        exemption_reason=reason,
        withholding_code=wh_code,
        withholding_percent=wh_percent,
        # no barcode: GİB's XSD has no Item/StandardItemIdentification, where ubl.py would write it
    )


def _clean_note(note: str | None) -> str | None:
    if note is None or not note.strip():
        return None
    text = " ".join(note.split())
    if len(text) > MAX_NOTE:
        raise ValidationError(_("A note may have at most {n} characters").format(n=MAX_NOTE))
    refuse_pan(text)
    return text


def issue_wholesale(
    account_code: str,
    lines: Sequence[WholesaleLine],
    *,
    type: str = SATIS,
    actor: Actor,
    terminal: str,
    now: datetime,
    settings: Settings,
    note: str | None = None,
    exemption_code: str = "",
    withholding: tuple[str, int] | None = None,
    live: Callable[[str], Any] | None = None,
) -> WholesaleResult:
    """Invoice goods to customer account ``account_code`` without a till sale (see the module docstring).
    ``exemption_code`` is the ISTISNA invoice's exemption code (a line may name its own) and ``withholding``
    the TEVKIFAT invoice's (code, percent) for every line with KDV that names none. Needs ``einvoice``."""
    require(actor, "einvoice")
    type_ = type.strip().upper()
    if type_ not in WHOLESALE_TYPES:
        raise ValidationError(
            _("A wholesale invoice is SATIS, ISTISNA or TEVKIFAT, not {type!r}").format(type=type.strip()[:20])
        )
    if not lines:
        raise ValidationError(_("An invoice needs at least one line"))
    if exemption_code and type_ != ISTISNA:
        raise ValidationError(_("An exemption code is for an exemption invoice (İSTİSNA)"))
    if withholding is not None:
        if type_ != TEVKIFAT:
            raise ValidationError(_("Only a withholding invoice (TEVKİFAT) may withhold KDV"))
        withholding = check_withholding(*withholding)
    text = _clean_note(note)
    tz = settings.shop.timezone
    party = accounts.get_party(account_code)
    if not party.active:
        raise ValidationError(_("The account {code} is closed").format(code=party.code))
    if not party.is_customer:
        raise ValidationError(
            _("{code} is a supplier account: a wholesale invoice goes to a customer account").format(code=party.code)
        )
    buyer = party_customer(party)
    buyer, where = route_party(buyer, now=now, settings=settings, live=live)
    day = shop_day(now, tz)
    drafted = [
        _wholesale_line(
            i,
            ln,
            type_=type_,
            price_list=party.price_list,
            day=day,
            exemption=exemption_code,
            withholding=withholding if type_ == TEVKIFAT else None,
        )
        for i, ln in enumerate(lines, start=1)
    ]
    if type_ == TEVKIFAT and not any(ln.withholding_code for ln in drafted):
        raise ValidationError(_("A withholding invoice (TEVKİFAT) needs a withholding code, e.g. --withholding 624:20"))
    if type_ == ISTISNA and len({ln.exemption_code for ln in drafted}) > 1:
        raise ValidationError(
            _("An exemption invoice (İSTİSNA) carries one exemption code; issue one invoice per code")
        )
    if sum(ln.total for ln in drafted) <= 0:
        raise ValidationError(_("The invoice comes to 0,00: there is nothing to invoice"))
    draft = InvoiceDraft(
        source=FROM_WHOLESALE,
        type=type_,
        supplier=shop_party(settings.shop),
        customer=buyer,
        lines=tuple(drafted),
        party_id=party.id,
        notes=(f"Cari: {party.code}", *((text,) if text else ())),
        order_reference=party.code,
    )
    due = day + timedelta(days=party.terms_days)
    with store.write_tx():
        accounts.lock_party(party.id)
        invoice = issue_invoice(
            draft,
            actor=actor,
            terminal=terminal,
            now=now,
            settings=settings.einvoice,
            profile=where.profile,
            alias=where.alias,
            tz=tz,
        )
        (entry,) = accounts.post_entries(
            [
                accounts.EntryDraft(
                    party_id=party.id,
                    kind=accounts.SALE,
                    amount=to_kurus(invoice.payable),
                    at=now,
                    due=due,
                    terminal=terminal,
                    user_id=actor.user_id,
                    document=f"{DOCUMENT_PREFIX}{invoice.number}",
                    note=text,
                )
            ],
            now=now,
            tz=tz,
        )
        location = stock.terminal_location(terminal)
        stock.post_movements(
            [
                stock.Movement(
                    catalog.get_product(ln.code).id,
                    location,
                    -ln.qty,
                    stock.SALE,
                    note=f"{DOCUMENT_PREFIX}{invoice.number}",
                )
                for ln in drafted
            ],
            at=now,
            terminal=terminal,
            user_id=actor.user_id,
        )
    return WholesaleResult(invoice=invoice, account=party.code, entry_number=entry.number, due=due)


# -- supplier returns ----------------------------------------------------------------------------------------


def check_invoice_number(text: str, what: str) -> str:
    """An e-invoice number as GİB writes it (``ABC2026000000123``); ``what`` names it in the error."""
    number = text.strip().upper()
    if not INVOICE_NUMBER.match(number):
        raise ValidationError(
            _(
                "{what}: {number!r} is not an e-invoice number (3 letters or digits, the year, 9 digits:"
                " ABC2026000000123)"
            ).format(what=what, number=text.strip()[:32])
        )
    return number


def supplier_return_id(ref: str | int) -> int:
    """A supplier return by its number (``12``, as the stock commands show it) or ``id:<stock document id>``."""
    text = str(ref).strip()
    D = m.StockDocument
    if text.lower().startswith("id:") and text[3:].strip().isdigit():
        row = fast.select_first(D, ("id", "kind"), {"id": int(text[3:].strip())})
        if row is None or row[1] != stock.SUPPLIER_RETURN:
            raise NotFound(_("No supplier return with document id {id}").format(id=text[3:].strip()))
        return int(row[0])
    if not text.isdigit():
        raise ValidationError(_("{ref!r} is not a supplier return number").format(ref=text[:20]))
    row = fast.select_first(D, ("id",), {"kind": stock.SUPPLIER_RETURN, "number": int(text)})
    if row is None:
        raise NotFound(_("No supplier return {number}").format(number=int(text)))
    return int(row[0])


def _return_lines(doc_id: int) -> tuple[tuple[InvoiceLineDraft, ...], tuple[KdvGroup, ...]]:
    """The invoice lines of a supplier return: each line's KDV-inclusive total is its net + its KDV as posted,
    its discount (net on the stock document) shown KDV-inclusive; the KDV rows are the document's sums per
    rate, so the invoice's total is exactly the document's gross."""
    L, P = m.StockDocumentLine, m.Product
    rows = list(
        store.rows(
            L.select(L.line_no, P.code, P.name, P.unit, L.qty, L.discount, L.net, L.kdv_rate, L.kdv)
            .join(P, on=(L.product == P.id))
            .where(L.document == doc_id)
            .order_by(L.line_no)
        )
    )
    lines: list[InvoiceLineDraft] = []
    sums: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for line_no, code, name, unit, qty, discount, net, rate, kdv in rows:
        total = int(net) + int(kdv)
        shown = (int(discount) * (100 + int(rate)) * 2 + 100) // 200  # the net discount with its KDV, half up
        lines.append(
            InvoiceLineDraft(
                line_no=int(line_no),
                code=str(code),
                name=str(name),
                unit=str(unit),
                qty=int(qty),
                gross=total + shown,
                total=total,
                kdv_rate=int(rate),
                discounts=(Discount("İskonto", shown),) if shown else (),
                exemption_code=DEFAULT_ZERO_RATE_CODE if int(rate) == 0 else "",
                exemption_reason=DEFAULT_ZERO_RATE_REASON if int(rate) == 0 else "",
            )
        )
        sums[int(rate)][0] += int(net)
        sums[int(rate)][1] += int(kdv)
    return tuple(lines), tuple(KdvGroup(rate, b, k) for rate, (b, k) in sorted(sums.items()))


def issue_supplier_return(
    stock_document: str | int,
    supplier_invoice_number: str,
    supplier_invoice_date: date,
    *,
    actor: Actor,
    terminal: str,
    now: datetime,
    settings: Settings,
    live: Callable[[str], Any] | None = None,
) -> IssuedInvoice:
    """Issue the IADE invoice of supplier return ``stock_document`` (its number, or ``id:<id>``) to the
    supplier, referring to the supplier's invoice ``supplier_invoice_number`` of ``supplier_invoice_date``
    (see the module docstring). Needs ``einvoice``."""
    require(actor, "einvoice")
    tz = settings.shop.timezone
    number = check_invoice_number(supplier_invoice_number, _("The supplier's invoice"))
    issue_day = local(now, tz).date()
    if supplier_invoice_date > issue_day:
        raise ValidationError(_("The supplier's invoice cannot be dated after today"))
    doc_id = supplier_return_id(stock_document)
    D = m.StockDocument
    head = fast.select_first(D, ("number", "supplier", "refers_to"), {"id": doc_id})
    assert head is not None
    doc_number, supplier_id, receipt_id = head
    taken = stock_document_invoice(doc_id)  # checked again, under a lock, when it is issued
    if taken:
        raise ValidationError(
            _("Supplier return {number} is already on invoice {invoice}; cancel that one first").format(
                number=doc_number, invoice=taken
            )
        )
    party_row = fast.select_first(m.Party, ("id",), {"supplier": supplier_id})
    if party_row is None:
        raise NotFound(_("The supplier of return {number} has no account").format(number=doc_number))
    party = accounts.get_party(int(party_row[0]))
    supplier = party_customer(party)
    lines, kdv = _return_lines(doc_id)
    if not lines or sum(ln.total for ln in lines) <= 0:
        raise ValidationError(
            _("Supplier return {number} comes to 0,00: there is nothing to invoice").format(number=doc_number)
        )
    supplier, where = route_party(supplier, now=now, settings=settings, live=live, iade=True)
    receipt_no = None
    if receipt_id is not None:
        row = fast.select_first(D, ("number",), {"id": receipt_id})
        receipt_no = None if row is None else int(row[0])
    notes = [f"Tedarikçiye iade {doc_number}"]
    if receipt_no is not None:
        notes.append(f"Mal kabul {receipt_no}")
    draft = InvoiceDraft(
        source=FROM_SUPPLIER_RETURN,
        type=IADE,
        supplier=shop_party(settings.shop),
        customer=supplier,
        lines=lines,
        kdv=kdv,
        stock_document_id=doc_id,
        party_id=party.id,
        billing_reference=BillingReference(number, supplier_invoice_date),
        notes=tuple(notes),
        order_reference=f"stock:{doc_id}",
    )
    with store.write_tx():
        entry = fast.select_first(
            m.AccountEntry, ("amount",), {"stock_document": doc_id, "kind": accounts.SUPPLIER_RETURN}
        )
        gross = sum(g.base + g.kdv for g in kdv)
        if entry is not None and int(entry[0]) != gross:  # pragma: no cover - the stock area posts the gross
            raise ValidationError(
                _("Supplier return {number}: its account entry ({entry}) differs from its lines ({lines})").format(
                    number=doc_number, entry=from_kurus(int(entry[0])), lines=from_kurus(gross)
                )
            )
        return issue_invoice(
            draft,
            actor=actor,
            terminal=terminal,
            now=now,
            settings=settings.einvoice,
            profile=where.profile,
            alias=where.alias,
            tz=tz,
        )

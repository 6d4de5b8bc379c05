"""The document a customer return of an invoiced sale needs (docs/einvoice-trade.md, "Customer returns";
the rules: docs/einvoice-rules.md §1).

Who documents a return depends on who the buyer is, because only a taxpayer can issue an invoice:

- the invoice went to a **VKN** (a business): the buyer issues an IADE invoice to the shop; the shop records
  it (``received_iade``: its number, ``^[A-Z0-9]{3}20\\d{2}\\d{9}$``, and date) — nothing else is accepted;
- it went to a **TCKN** (a person) or GİB's anonymous 11111111111 (a final consumer): the shop issues a
  **gider pusulası** (``gider_pusulasi``) or a return slip (``return_slip``) itself, numbered gaplessly per
  year (``GP2026000000001`` / ``IF2026000000001``), printed for the consumer's signature
  (:mod:`.trade_pdf`); a person who is a taxpayer (a sole trader's TCKN) may instead give an IADE invoice.

A return of a sale that was never invoiced needs none of this (its receipt is its document) and is refused.
The row (``return_document``) is insert-only, one per posted return, linked to the original sale's invoice;
its amount and KDV are the posted return's; a journal entry (``einvoice_return``) carries it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from peewee import fn

from pos_tui import store
from pos_tui.core.accounts import check_tckn, check_vkn
from pos_tui.core.einvoice.issuing import NUMBER_LENGTH, RELEASED, get_invoice
from pos_tui.core.einvoice.model import ANONYMOUS_TCKN
from pos_tui.core.einvoice.sources import sale_id_of
from pos_tui.core.einvoice.trade import check_invoice_number
from pos_tui.core.kernel import journal
from pos_tui.core.kernel.actors import Actor, require
from pos_tui.core.kernel.clock import SHOP_TZ, from_db, iso, local, to_db
from pos_tui.core.kernel.errors import NotFound, ValidationError
from pos_tui.core.kernel.money import from_kurus
from pos_tui.core.kernel.pan import refuse_pan
from pos_tui.i18n import N_, _
from pos_tui.store import fast
from pos_tui.store import models as m
from pos_tui.store.counters import next_value

RECEIVED_IADE = "received_iade"
GIDER_PUSULASI = "gider_pusulasi"
RETURN_SLIP = "return_slip"
RETURN_DOCUMENT_KINDS = (RECEIVED_IADE, GIDER_PUSULASI, RETURN_SLIP)
RETURN_DOCUMENT_LABELS = {
    RECEIVED_IADE: N_("IADE invoice received from the buyer"),
    GIDER_PUSULASI: N_("gider pusulası"),
    RETURN_SLIP: N_("return slip"),
}
# The shop's own numbers: a prefix + the year + 9 digits, gapless per year (counter scope "einvoice:<kind>")
SHOP_NUMBERED = {GIDER_PUSULASI: "GP", RETURN_SLIP: "IF"}
JOURNAL_KIND = "einvoice_return"
MAX_NAME = 255
MAX_ADDRESS = 500
MAX_NOTE = 500


@dataclass(frozen=True, slots=True)
class ReturnDocumentInfo:
    """A recorded return document; money in lira (``amount`` KDV-inclusive, as refunded)."""

    id: int
    kind: str
    number: str
    issue_date: date
    sale_id: int  # the posted return
    receipt: str  # the return's receipt, T1/13
    original_receipt: str
    invoice_id: int
    invoice_number: str
    invoice_uuid: str
    invoice_date: date
    person_name: str | None
    person_id: str | None
    amount: Decimal
    kdv: Decimal
    note: str | None
    at: datetime  # shop-local
    terminal: str
    person_address: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "number": self.number,
            "issue_date": self.issue_date.isoformat(),
            "return": self.receipt,
            "original": self.original_receipt,
            "invoice": self.invoice_number,
            "invoice_uuid": self.invoice_uuid,
            "invoice_date": self.invoice_date.isoformat(),
            "person_name": self.person_name,
            "person_id": self.person_id,
            "person_address": self.person_address,
            "amount": f"{self.amount:.2f}",
            "kdv": f"{self.kdv:.2f}",
            "note": self.note,
        }


def return_document_label(kind: str) -> str:
    label = RETURN_DOCUMENT_LABELS.get(kind)
    return _(label) if label else kind


def is_business(identifier: str) -> bool:
    """A VKN (10 digits): the buyer is a business and issues its own IADE invoice."""
    return len(identifier) == 10


def _original_invoice(original_id: int) -> int | None:
    """The standing invoice of sale ``original_id`` (not cancelled or rejected), or None."""
    S, Q = m.EInvoiceSale, m.EInvoiceQueue
    query = (
        S.select(S.invoice)
        .join(Q, on=(Q.invoice == S.invoice))
        .where((S.sale == original_id) & Q.status.not_in(list(RELEASED)))
        .order_by(S.invoice.desc())
        .limit(1)
    )
    row = next(store.rows(query), None)
    return None if row is None else int(row[0])


def _clean(text: str | None, limit: int, what: str) -> str | None:
    if text is None or not text.strip():
        return None
    value = " ".join(text.split())
    if len(value) > limit:
        raise ValidationError(_("{what} may have at most {n} characters").format(what=what, n=limit))
    refuse_pan(value)
    return value


def record_return_document(
    return_ref: str | int,
    *,
    kind: str,
    actor: Actor,
    terminal: str,
    now: datetime,
    number: str | None = None,
    issue_date: date | None = None,
    person_name: str | None = None,
    person_id: str | None = None,
    person_address: str | None = None,
    note: str | None = None,
    tz: str = SHOP_TZ,
) -> ReturnDocumentInfo:
    """Record the document of posted return ``return_ref`` (receipt ``T1/13``, sale id or uid) of an
    invoiced sale (see the module docstring). ``number``/``issue_date``: the buyer's IADE invoice's (a
    gider pusulası or return slip gets the shop's next number and today's date). Needs ``return``."""
    require(actor, "return")
    kind = kind.strip().lower()
    if kind not in RETURN_DOCUMENT_KINDS:
        raise ValidationError(
            _("Unknown return document {kind!r}; use received_iade, gider_pusulasi or return_slip").format(
                kind=kind[:20]
            )
        )
    today = local(now, tz).date()
    name = _clean(person_name, MAX_NAME, _("The name"))
    address = _clean(person_address, MAX_ADDRESS, _("The address"))
    text = _clean(note, MAX_NOTE, _("A note"))
    sale_id = sale_id_of(return_ref, terminal=terminal)
    S = m.Sale
    head = fast.select_first(S, ("kind", "terminal", "receipt_no", "return_of", "total"), {"id": sale_id})
    assert head is not None
    sale_kind, sale_terminal, receipt_no, original_id, total = head
    receipt = f"{sale_terminal}/{receipt_no}"
    if sale_kind != "return" or original_id is None:
        raise ValidationError(
            _("Receipt {receipt} is not a return of a sale: only returns get a return document").format(receipt=receipt)
        )
    invoice_id = _original_invoice(int(original_id))
    original = fast.select_first(S, ("terminal", "receipt_no"), {"id": original_id})
    assert original is not None
    original_receipt = f"{original[0]}/{original[1]}"
    if invoice_id is None:
        raise ValidationError(
            _(
                "Receipt {original} was not invoiced: its return {receipt} needs no return document (the receipts"
                " are its documents)"
            ).format(original=original_receipt, receipt=receipt)
        )
    invoice = get_invoice(invoice_id, tz=tz)
    buyer = invoice.customer_id
    if is_business(buyer) and kind != RECEIVED_IADE:
        raise ValidationError(
            _(
                "Invoice {invoice} went to a business (VKN {vkn}): the buyer issues an IADE invoice for the return;"
                " record it with its number (received_iade)"
            ).format(invoice=invoice.number, vkn=buyer)
        )
    if buyer == ANONYMOUS_TCKN and kind == RECEIVED_IADE:
        raise ValidationError(
            _(
                "Invoice {invoice} went to a final consumer: a consumer issues no invoice; the shop writes a"
                " gider pusulası (gider_pusulasi) instead"
            ).format(invoice=invoice.number)
        )
    if kind == RECEIVED_IADE:
        if not number:
            raise ValidationError(_("Give the number of the buyer's IADE invoice"))
        doc_number = check_invoice_number(number, _("The buyer's IADE invoice"))
        doc_date = issue_date or today
        who = person_id.strip() if person_id and person_id.strip() else buyer
        if who != buyer:
            raise ValidationError(
                _("The IADE invoice must come from the buyer of invoice {invoice} ({id}), not from {other}").format(
                    invoice=invoice.number, id=buyer, other=who[:11]
                )
            )
        name = name or invoice.customer_name
    else:
        if number:
            raise ValidationError(_("A gider pusulası or return slip is numbered by the shop: leave out the number"))
        if issue_date is not None and issue_date != today:
            raise ValidationError(_("The shop writes its gider pusulası or return slip today: leave out the date"))
        doc_date = today
        who = (person_id or "").strip() or (buyer if buyer != ANONYMOUS_TCKN else "")
        if who:
            who = check_tckn(who) if len(who) == 11 else check_vkn(who)
        if not name:
            if buyer == ANONYMOUS_TCKN:
                raise ValidationError(_("Whose return is it? A gider pusulası names the consumer: give the name"))
            name = invoice.customer_name
    if doc_date > today:
        raise ValidationError(_("A return document cannot be dated after today"))
    if doc_date < invoice.issued_at.date():
        raise ValidationError(
            _("A return document cannot be dated before invoice {invoice} ({day})").format(
                invoice=invoice.number, day=invoice.issued_at.strftime("%d.%m.%Y")
            )
        )
    K = m.SaleKdv
    kdv = int(K.select(fn.COALESCE(fn.SUM(K.kdv), 0)).where(K.sale == sale_id).scalar() or 0)
    with store.write_tx():
        existing = fast.select_first(m.ReturnDocument, ("kind", "number"), {"sale": sale_id})
        if existing is not None:
            raise ValidationError(
                _("Return {receipt} already has its document: {kind} {number}").format(
                    receipt=receipt, kind=return_document_label(str(existing[0])), number=existing[1]
                )
            )
        if kind in SHOP_NUMBERED:
            seq = next_value(f"einvoice:{kind}", str(today.year))
            doc_number = f"{SHOP_NUMBERED[kind]}{today.year:04d}{seq:09d}"
        doc_id = fast.insert_one(
            m.ReturnDocument,
            {
                "kind": kind,
                "number": doc_number,
                "issue_date": doc_date,
                "sale": sale_id,
                "invoice": invoice_id,
                "person_name": name,
                "person_id": who or None,
                "person_address": address,
                "amount": abs(int(total)),
                "kdv": abs(kdv),
                "note": text,
                "at": to_db(now),
                "terminal": terminal,
                "user": actor.user_id,
            },
        )
        journal.append(JOURNAL_KIND, return_document_payload(doc_id), terminal=terminal, now=now, ref=doc_number)
    return get_return_document(doc_id, tz=tz)


def return_document_payload(doc_id: int) -> dict[str, Any]:
    """The journal payload of a return document, rebuilt from its row."""
    R, E = m.ReturnDocument, m.EInvoice
    row = next(
        store.rows(
            R.select(
                R.id, R.kind, R.number, R.issue_date, R.sale, E.number, R.person_name, R.person_id, R.amount, R.kdv,
                R.note, R.at, R.terminal, R.user, R.person_address,
            )
            .join(E, on=(R.invoice == E.id))
            .where(R.id == doc_id)
        ),
        None,
    )  # fmt: skip
    if row is None:
        raise NotFound(_("No return document {id}").format(id=doc_id))
    (rid, kind, number, day, sale, invoice, name, who, amount, kdv, note, at, terminal, user, address) = row
    return {
        "id": rid,
        "kind": kind,
        "number": number,
        "issue_date": str(day),
        "sale": sale,
        "invoice": invoice,
        "person_name": name,
        "person_id": who,
        "person_address": address,
        "amount": f"{from_kurus(amount):.2f}",
        "kdv": f"{from_kurus(kdv):.2f}",
        "note": note,
        "at": iso(from_db(at), "UTC"),
        "terminal": terminal,
        "user": int(user),
    }


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _documents(where: Any, tz: str) -> list[ReturnDocumentInfo]:
    R, E, S = m.ReturnDocument, m.EInvoice, m.Sale
    O = S.alias("original")  # noqa: E741 - the original sale
    query = (
        R.select(
            R.id, R.kind, R.number, R.issue_date, R.sale, S.terminal, S.receipt_no, O.terminal, O.receipt_no,
            E.id, E.number, E.uuid, E.issued_at, R.person_name, R.person_id, R.amount, R.kdv, R.note, R.at,
            R.terminal, R.person_address,
        )
        .join(E, on=(R.invoice == E.id))
        .switch(R)
        .join(S, on=(R.sale == S.id))
        .join(O, on=(S.return_of == O.id))
        .where(where)
        .order_by(R.id)
    )  # fmt: skip
    out = []
    for (rid, kind, number, day, sale, term, no, oterm, ono, eid, enumber, euuid, eat, name, who, amount, kdv, note,
         at, terminal, address) in store.rows(query):  # fmt: skip
        out.append(
            ReturnDocumentInfo(
                id=int(rid),
                kind=kind,
                number=number,
                issue_date=_day(day),
                sale_id=int(sale),
                receipt=f"{term}/{no}",
                original_receipt=f"{oterm}/{ono}",
                invoice_id=int(eid),
                invoice_number=enumber,
                invoice_uuid=euuid,
                invoice_date=local(from_db(eat), tz).date(),
                person_name=name,
                person_id=who,
                amount=from_kurus(int(amount)),
                kdv=from_kurus(int(kdv)),
                note=note,
                at=local(from_db(at), tz),
                terminal=terminal,
                person_address=address,
            )
        )
    return out


def get_return_document(ref: int | str, *, tz: str = SHOP_TZ) -> ReturnDocumentInfo:
    """A return document by id or number (``GP2026000000001``, or the buyer's IADE invoice number)."""
    R = m.ReturnDocument
    text = str(ref).strip()
    by_id = isinstance(ref, int) or (text.isdigit() and len(text) < NUMBER_LENGTH)  # a series may be digits
    where = R.id == int(text) if by_id else R.number == text.upper()
    found = _documents(where, tz)
    if not found:
        raise NotFound(_("No return document {ref}").format(ref=text[:32]))
    return found[0]


def return_document_of(return_ref: str | int, *, terminal: str, tz: str = SHOP_TZ) -> ReturnDocumentInfo:
    """The document recorded for posted return ``return_ref`` (receipt, sale id or uid)."""
    sale_id = sale_id_of(return_ref, terminal=terminal)
    found = _documents(m.ReturnDocument.sale == sale_id, tz)
    if not found:
        raise NotFound(_("Return {ref} has no return document yet").format(ref=str(return_ref)[:40]))
    return found[0]


def return_documents(invoice_ref: int | str, *, tz: str = SHOP_TZ) -> list[ReturnDocumentInfo]:
    """The return documents linked to an invoice (id, number or ETTN), oldest first."""
    invoice = get_invoice(invoice_ref, tz=tz)
    return _documents(m.ReturnDocument.invoice == invoice.id, tz)


def return_documents_of_sales(sale_ids: list[int] | tuple[int, ...]) -> dict[int, str]:
    """``{return sale id: document number}`` for the posted returns among ``sale_ids`` that have their return
    document (one query per 500 sales: the till's receipt list asks for a page at once)."""
    R = m.ReturnDocument
    found: dict[int, str] = {}
    ids = list(dict.fromkeys(int(s) for s in sale_ids))
    for start in range(0, len(ids), 500):
        query = R.select(R.sale, R.number).where(R.sale.in_(ids[start : start + 500]))
        for sale, number in store.rows(query):
            found[int(sale)] = str(number)
    return found

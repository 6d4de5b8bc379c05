"""Issuing an invoice: the one writer of ``einvoice`` rows (docs/einvoice.md, "Issuing").

In one transaction: check the draft (identifiers, types, sales not invoiced already), take the next number
of the terminal's series for the year (gapless: a rollback gives it back), give it an ETTN, compute the
figures, write the UBL-TR XML and validate it with GİB's XSD and schematron — an invoice GİB would refuse
is never issued: the error lists the findings and nothing is written — then store the XML as issued, link
the sales, journal it (``einvoice``) and put it in the sender's queue (``queued``, or ``draft`` when
``auto_send`` is off). An issued invoice is never changed; a correction is a cancellation or an IADE.
"""

from __future__ import annotations

import hashlib
import uuid as uuidlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from peewee import fn

from pos_tui import store
from pos_tui.core.accounts import check_tckn, check_vkn
from pos_tui.core.einvoice import figures as figures_mod
from pos_tui.core.einvoice import ubl
from pos_tui.core.einvoice.model import (
    ANONYMOUS_TCKN,
    CANCELLED,
    DRAFT,
    EARSIVFATURA,
    EFATURA_PROFILES,
    IADE,
    ISTISNA,
    PROFILES,
    QUEUED,
    REJECTED,
    TEMELFATURA,
    TEVKIFAT,
    TICARIFATURA,
    TYPES,
    InvoiceDraft,
    InvoiceParty,
)
from pos_tui.core.einvoice.trade_codes import withholding_name
from pos_tui.core.einvoice.validation import shop_today, validate
from pos_tui.core.kernel import journal
from pos_tui.core.kernel.actors import Actor
from pos_tui.core.kernel.clock import SHOP_TZ, day_bounds, from_db, iso, local, to_db
from pos_tui.core.kernel.errors import NotFound, ValidationError
from pos_tui.core.kernel.money import from_kurus, to_kurus
from pos_tui.i18n import _
from pos_tui.settings import EInvoiceSettings
from pos_tui.store import fast
from pos_tui.store import models as m
from pos_tui.store.counters import next_value

JOURNAL_KIND = "einvoice"
NUMBER_LENGTH = 16  # SERIES (3) + year (4) + sequence (9)
# Statuses after which the sales of an invoice may be invoiced again (by a new invoice)
RELEASED = (CANCELLED, REJECTED)


@dataclass(frozen=True, slots=True)
class IssuedInvoice:
    """An issued invoice as services return it; :meth:`as_json` is what ``einvoice issue --json`` prints."""

    id: int
    uuid: str
    number: str
    profile: str
    type: str
    status: str
    source: str
    issued_at: datetime  # shop-local
    customer_id: str
    customer_name: str
    customer_alias: str | None
    tax_inclusive: Decimal
    kdv: Decimal
    withholding: Decimal
    payable: Decimal
    sale_ids: tuple[int, ...]
    terminal: str
    billing_ref: str | None = None

    @property
    def scenario(self) -> str:
        return "earsiv" if self.profile == EARSIVFATURA else "efatura"

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "uuid": self.uuid,
            "number": self.number,
            "profile": self.profile,
            "type": self.type,
            "status": self.status,
        }


def series_for(settings: EInvoiceSettings, terminal: str, profile: str) -> str:
    """The terminal's series for e-Fatura or e-Arşiv (pos.toml ``[einvoice.series.<terminal>]``)."""
    pair = settings.series.get(terminal)
    if pair is None:
        raise ValidationError(
            _("No invoice series is set for terminal {terminal}: add [einvoice.series.{terminal}] to pos.toml").format(
                terminal=terminal
            )
        )
    return pair[1] if profile == EARSIVFATURA else pair[0]


def format_number(series: str, year: int, seq: int) -> str:
    """``ABC2026000000123``: what GİB checks with ``^[A-Z0-9]{3}20[0-9]{2}[0-9]{9}$``."""
    if not 1 <= seq <= 999_999_999:
        raise ValidationError(
            _("The series {series} has used up its numbers for {year}").format(series=series, year=year)
        )
    return f"{series}{year:04d}{seq:09d}"


def check_identifier(text: str, *, profile: str = EARSIVFATURA) -> str:
    """A buyer's VKN (10 digits) or TCKN (11 digits), check digits verified; GİB's anonymous-consumer TCKN
    ``11111111111`` only on e-Arşiv."""
    digits = text.strip().replace(" ", "")
    if digits == ANONYMOUS_TCKN:
        if profile != EARSIVFATURA:
            raise ValidationError(_("The anonymous consumer number 11111111111 is for e-Arşiv invoices only"))
        return digits
    if len(digits) == 10:
        return check_vkn(digits)
    if len(digits) == 11:
        return check_tckn(digits)
    raise ValidationError(_("A VKN has 10 digits and a TCKN 11; {text!r} is neither").format(text=text.strip()[:20]))


def _check_draft(draft: InvoiceDraft, profile: str) -> None:
    if profile not in PROFILES:
        raise ValidationError(_("Unknown invoice profile {profile!r}").format(profile=profile))
    if draft.type not in TYPES:
        raise ValidationError(_("Unknown invoice type {type!r}").format(type=draft.type))
    if not draft.lines:
        raise ValidationError(_("An invoice needs at least one line"))
    check_identifier(draft.customer.identifier, profile=profile)
    if not draft.customer.name.strip():
        raise ValidationError(_("The buyer's name or title is missing"))
    if (
        draft.customer.is_person
        and len(draft.customer.name.split()) < 2
        and draft.customer.identifier != ANONYMOUS_TCKN
    ):
        raise ValidationError(_("A person on an invoice needs a first name and a family name"))
    if profile in EFATURA_PROFILES and draft.customer.is_person is False and not draft.customer.tax_office.strip():
        raise ValidationError(_("A company on an e-Fatura needs its tax office"))
    if draft.type == IADE and draft.billing_reference is None:
        raise ValidationError(_("A return invoice (İADE) must name the invoice it returns goods of"))
    if draft.type == ISTISNA and any(ln.kdv_rate != 0 or not ln.exemption_code for ln in draft.lines):
        raise ValidationError(
            _("An exemption invoice (İSTİSNA) has only lines at 0 % KDV, each with its exemption code")
        )
    if draft.type == TEVKIFAT and not any(ln.withholding_code for ln in draft.lines):
        raise ValidationError(_("A withholding invoice (TEVKİFAT) needs a withholding code on at least one line"))
    if draft.type != TEVKIFAT and any(ln.withholding_code for ln in draft.lines):
        raise ValidationError(_("Only a withholding invoice (TEVKİFAT) may withhold KDV"))
    for ln in draft.lines:
        if ln.qty <= 0 or ln.total < 0 or ln.gross < ln.total:
            raise ValidationError(
                _("Line {line}: the quantity must be more than zero and the discount not more than the price").format(
                    line=ln.line_no
                )
            )
        if ln.kdv_rate == 0 and not ln.exemption_code:
            raise ValidationError(
                _("Line {line} ({name}) has 0 % KDV: give its exemption code").format(line=ln.line_no, name=ln.name)
            )


def _invoiced_already(sale_ids: tuple[int, ...]) -> list[tuple[int, str]]:
    """(sale id, invoice number) of the sales already on an invoice that still stands."""
    if not sale_ids:
        return []
    S, E, Q = m.EInvoiceSale, m.EInvoice, m.EInvoiceQueue
    query = (
        S.select(S.sale, E.number)
        .join(E, on=(S.invoice == E.id))
        .join(Q, on=(Q.invoice == E.id))
        .where(S.sale.in_(list(sale_ids)) & Q.status.not_in(list(RELEASED)))
    )
    return [(int(r[0]), str(r[1])) for r in store.rows(query)]


def _lock_sources(draft: InvoiceDraft) -> None:
    """Lock the rows an invoice is made from (its sales, its stock document), so that two terminals invoicing
    the same document at once take turns: the second then finds the first's invoice. SQLite's ``BEGIN
    IMMEDIATE`` already serialises writers; PostgreSQL needs ``FOR UPDATE`` (two terminals use two series,
    so nothing else they write is shared)."""
    if store.is_sqlite():
        return
    if draft.sale_ids:
        S = m.Sale
        list(store.rows(S.select(S.id).where(S.id.in_(sorted(draft.sale_ids))).order_by(S.id).for_update()))
    if draft.stock_document_id is not None:
        D = m.StockDocument
        list(store.rows(D.select(D.id).where(D.id == draft.stock_document_id).for_update()))


def stock_document_invoice(stock_document_id: int) -> str | None:
    """The number of the standing invoice of a stock document (a supplier return's IADE), or None."""
    E, Q = m.EInvoice, m.EInvoiceQueue
    query = (
        E.select(E.number)
        .join(Q, on=(Q.invoice == E.id))
        .where((E.stock_document == stock_document_id) & Q.status.not_in(list(RELEASED)))
        .limit(1)
    )
    row = next(store.rows(query), None)
    return None if row is None else str(row[0])


def issue_invoice(
    draft: InvoiceDraft,
    *,
    actor: Actor,
    terminal: str,
    now: datetime,
    settings: EInvoiceSettings,
    profile: str,
    alias: str | None = None,
    tz: str = SHOP_TZ,
) -> IssuedInvoice:
    """Issue ``draft`` as an invoice of ``profile`` (routing decided it: :func:`.routing.route`). An IADE
    e-Fatura is always TEMELFATURA: GİB does not allow IADE on TICARIFATURA."""
    if draft.type == IADE and profile == TICARIFATURA:
        profile = TEMELFATURA
    _check_draft(draft, profile)
    issued_at = local(now, tz).replace(microsecond=0)
    series = series_for(settings, terminal, profile)
    calc = figures_mod.compute(draft)
    with store.write_tx():
        _lock_sources(draft)
        taken = _invoiced_already(draft.sale_ids)
        if draft.stock_document_id is not None:
            document_invoice = stock_document_invoice(draft.stock_document_id)
            if document_invoice is not None:
                raise ValidationError(
                    _("This stock document is already on invoice {number}; cancel that one first").format(
                        number=document_invoice
                    )
                )
        if taken:
            number = taken[0][1]
            raise ValidationError(
                _("This sale is already on invoice {number}; cancel that one first to invoice it again").format(
                    number=number
                )
            )
        seq = next_value(f"einvoice:{series}", str(issued_at.year))
        number = format_number(series, issued_at.year, seq)
        ettn = str(uuidlib.uuid4())
        names = {
            ln.withholding_code: withholding_name(ln.withholding_code) for ln in draft.lines if ln.withholding_code
        }
        xml = ubl.build(
            draft, calc, number=number, uuid=ettn, profile=profile, issued_at=issued_at, withholding_names=names
        )
        findings = validate(xml, today=shop_today(tz))
        if findings:
            shown = "\n".join(f.text() for f in findings[:8])
            more = len(findings) - 8
            raise ValidationError(
                _("GİB's rules refuse this invoice; nothing was issued:\n{findings}").format(findings=shown)
                + (_("\n… and {count} more").format(count=more) if more > 0 else "")
            )
        digest = hashlib.sha256(xml).hexdigest()
        row = {
            "uuid": ettn,
            "number": number,
            "series": series,
            "year": issued_at.year,
            "seq": seq,
            "profile": profile,
            "type": draft.type,
            "source": draft.source,
            "issued_at": to_db(now),
            "customer_id": draft.customer.identifier,
            "customer_name": draft.customer.name,
            "customer_alias": alias,
            "party": draft.party_id,
            "sale": draft.sale_ids[0] if draft.sale_ids else None,
            "stock_document": draft.stock_document_id,
            "billing_ref": draft.billing_reference.number if draft.billing_reference else None,
            "billing_ref_date": draft.billing_reference.issue_date if draft.billing_reference else None,
            "line_extension": to_kurus(calc.line_extension),
            "allowance_total": to_kurus(calc.allowance_total),
            "tax_exclusive": to_kurus(calc.tax_exclusive),
            "kdv": to_kurus(calc.kdv_total),
            "withholding": to_kurus(calc.withholding_total),
            "tax_inclusive": to_kurus(calc.tax_inclusive),
            "payable": to_kurus(calc.payable),
            "currency": draft.currency,
            "xml": xml.decode("utf-8"),
            "digest": digest,
            "terminal": terminal,
            "user": actor.user_id,
        }
        invoice_id = fast.insert_one(m.EInvoice, row)
        if draft.sale_ids:
            fast.insert_many(m.EInvoiceSale, ("invoice", "sale"), [(invoice_id, s) for s in draft.sale_ids])
        status = QUEUED if settings.auto_send else DRAFT
        at = to_db(now)
        fast.insert_one(
            m.EInvoiceEvent,
            {
                "invoice": invoice_id,
                "kind": status,
                "at": at,
                "attempt": 0,
                "terminal": terminal,
                "user": actor.user_id,
            },
        )
        fast.insert_many(  # keyed by the invoice: no id of its own to return
            m.EInvoiceQueue,
            ("invoice", "status", "attempts", "next_at", "updated_at"),
            [(invoice_id, status, 0, at if status == QUEUED else None, at)],
        )
        journal.append(JOURNAL_KIND, invoice_payload(invoice_id), terminal=terminal, now=now, ref=ettn)
    return get_invoice(invoice_id, tz=tz)


def invoice_payload(invoice_id: int) -> dict[str, Any]:
    """The journal payload of an invoice, rebuilt from its rows (the audit compares the two)."""
    E = m.EInvoice
    fields = (
        E.number,
        E.uuid,
        E.profile,
        E.type,
        E.source,
        E.issued_at,
        E.customer_id,
        E.tax_inclusive,
        E.kdv,
        E.withholding,
        E.payable,
        E.digest,
        E.terminal,
        E.user,
        E.billing_ref,
    )
    row = list(store.rows(E.select(*fields).where(E.id == invoice_id)))
    if not row:
        raise NotFound(_("No invoice {id}").format(id=invoice_id))
    (number, ettn, profile, type_, source, issued, customer, incl, kdv, wh, payable, digest, term, user, ref) = row[0]
    sales = sorted(
        int(r[0])
        for r in store.rows(m.EInvoiceSale.select(m.EInvoiceSale.sale).where(m.EInvoiceSale.invoice == invoice_id))
    )
    return {
        "id": invoice_id,
        "number": number,
        "uuid": ettn,
        "profile": profile,
        "type": type_,
        "source": source,
        "issued_at": iso(from_db(issued), "UTC"),
        "customer": customer,
        "tax_inclusive": str(from_kurus(incl)),
        "kdv": str(from_kurus(kdv)),
        "withholding": str(from_kurus(wh)),
        "payable": str(from_kurus(payable)),
        "digest": digest,
        "terminal": term,
        "user": int(user),
        "billing_ref": ref,
        "sales": sales,
    }


_SELECT = (
    "id",
    "uuid",
    "number",
    "profile",
    "type",
    "source",
    "issued_at",
    "customer_id",
    "customer_name",
    "customer_alias",
    "tax_inclusive",
    "kdv",
    "withholding",
    "payable",
    "terminal",
    "billing_ref",
)


def _from_row(row: tuple[Any, ...], status: str, sales: tuple[int, ...], tz: str) -> IssuedInvoice:
    d = dict(zip(_SELECT, row, strict=True))
    return IssuedInvoice(
        id=int(d["id"]),
        uuid=d["uuid"],
        number=d["number"],
        profile=d["profile"],
        type=d["type"],
        status=status,
        source=d["source"],
        issued_at=local(from_db(d["issued_at"]), tz),
        customer_id=d["customer_id"],
        customer_name=d["customer_name"],
        customer_alias=d["customer_alias"],
        tax_inclusive=from_kurus(d["tax_inclusive"]),
        kdv=from_kurus(d["kdv"]),
        withholding=from_kurus(d["withholding"]),
        payable=from_kurus(d["payable"]),
        sale_ids=sales,
        terminal=d["terminal"],
        billing_ref=d["billing_ref"],
    )


def list_invoices(
    *,
    status: str | None = None,
    sale_id: int | None = None,
    since: date | None = None,
    limit: int | None = None,
    tz: str = SHOP_TZ,
) -> list[IssuedInvoice]:
    """Issued invoices, newest first; ``status`` filters by the current status, ``sale_id`` to one sale's."""
    E, Q, S = m.EInvoice, m.EInvoiceQueue, m.EInvoiceSale
    query = E.select(*(getattr(E, f) for f in _SELECT), Q.status).join(Q, on=(Q.invoice == E.id))
    if status:
        query = query.where(Q.status == status)
    if sale_id is not None:
        query = query.where(E.id.in_(S.select(S.invoice).where(S.sale == sale_id)))
    if since is not None:
        query = query.where(E.issued_at >= to_db(day_bounds(since, tz)[0]))
    query = query.order_by(E.id.desc())
    if limit:
        query = query.limit(limit)
    rows = list(store.rows(query))
    ids = [int(r[0]) for r in rows]
    sales: dict[int, list[int]] = {}
    for chunk in range(0, len(ids), 500):
        part = ids[chunk : chunk + 500]
        for inv, sale in store.rows(S.select(S.invoice, S.sale).where(S.invoice.in_(part))):
            sales.setdefault(int(inv), []).append(int(sale))
    return [_from_row(r[:-1], str(r[-1]), tuple(sorted(sales.get(int(r[0]), ()))), tz) for r in rows]


def get_invoice(ref: int | str, *, tz: str = SHOP_TZ) -> IssuedInvoice:
    """An invoice by id, number (``AT12026000000012``) or ETTN."""
    E, Q, S = m.EInvoice, m.EInvoiceQueue, m.EInvoiceSale
    query = E.select(*(getattr(E, f) for f in _SELECT), Q.status).join(Q, on=(Q.invoice == E.id))
    text = str(ref).strip()
    if isinstance(ref, int) or (text.isdigit() and len(text) < NUMBER_LENGTH):  # a series may be all digits
        query = query.where(E.id == int(text))
    elif len(text) == 36:
        query = query.where(E.uuid == text.lower())
    else:
        query = query.where(E.number == text.upper())
    rows = list(store.rows(query))
    if not rows:
        raise NotFound(_("No invoice {ref}").format(ref=text[:40]))
    row = rows[0]
    sales = tuple(sorted(int(r[0]) for r in store.rows(S.select(S.sale).where(S.invoice == int(row[0])))))
    return _from_row(row[:-1], str(row[-1]), sales, tz)


def invoice_xml(ref: int | str) -> bytes:
    """The XML exactly as issued."""
    inv = get_invoice(ref)
    (text,) = next(store.rows(m.EInvoice.select(m.EInvoice.xml).where(m.EInvoice.id == inv.id)))
    return str(text).encode("utf-8")


def inline_party(party: InvoiceParty) -> dict[str, str]:
    """A party as plain JSON (manifests, reports)."""
    return {"identifier": party.identifier, "name": party.name, "alias": party.alias}


def invoices_of_sales(sale_ids: list[int] | tuple[int, ...]) -> dict[int, tuple[str, str]]:
    """``{sale id: (invoice number, status)}`` for the sales among ``sale_ids`` that are on an invoice
    (one query per 500 sales: the till's receipt list asks for a page at once). A sale on several
    invoices (a cancelled or rejected one, then a new one) shows the newest."""
    S, E, Q = m.EInvoiceSale, m.EInvoice, m.EInvoiceQueue
    found: dict[int, tuple[str, str]] = {}
    ids = list(dict.fromkeys(int(s) for s in sale_ids))
    for start in range(0, len(ids), 500):
        query = (
            S.select(S.sale, E.number, Q.status)
            .join(E, on=(S.invoice == E.id))
            .join(Q, on=(Q.invoice == E.id))
            .where(S.sale.in_(ids[start : start + 500]))
            .order_by(E.id)
        )
        for sale, number, status in store.rows(query):
            found[int(sale)] = (str(number), str(status))  # the newest invoice last: it wins
    return found


# What the status line counts as waiting: issued, not yet taken by the integrator
WAITING = (DRAFT, QUEUED)


@dataclass(frozen=True, slots=True)
class QueueSummary:
    """What the sender's queue holds now: invoices per status, and how long the oldest waiting one
    (``draft`` or ``queued``) has waited since it was issued (None when none waits)."""

    counts: dict[str, int]
    oldest_waiting: timedelta | None
    stuck: int = 0  # queued invoices the sender gave up on (max_attempts reached): `einvoice send` again

    @property
    def waiting(self) -> int:
        return sum(self.counts.get(s, 0) for s in WAITING)

    @property
    def rejected(self) -> int:
        return self.counts.get(REJECTED, 0)

    def as_json(self) -> dict[str, Any]:
        return {
            "counts": self.counts,
            "waiting": self.waiting,
            "oldest_waiting_seconds": int(self.oldest_waiting.total_seconds()) if self.oldest_waiting else None,
            "stuck": self.stuck,
            "rejected": self.rejected,
        }


def queue_summary(now: datetime) -> QueueSummary:
    """Counts per status and the age of the oldest waiting invoice (two small queries on the queue)."""
    E, Q = m.EInvoice, m.EInvoiceQueue
    counts = {
        str(status): int(n) for status, n in store.rows(Q.select(Q.status, fn.COUNT(Q.invoice)).group_by(Q.status))
    }
    oldest = None
    if any(counts.get(s) for s in WAITING):
        query = E.select(E.issued_at).join(Q, on=(Q.invoice == E.id)).where(Q.status.in_(list(WAITING)))
        row = next(store.rows(query.order_by(E.issued_at).limit(1)), None)
        if row is not None and row[0] is not None:
            oldest = max(now - from_db(row[0]), timedelta(0))
    stuck = Q.select().where((Q.status == QUEUED) & Q.next_at.is_null()).count() if counts.get(QUEUED) else 0
    return QueueSummary(counts, oldest, stuck)

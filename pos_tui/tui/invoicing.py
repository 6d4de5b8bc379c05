"""The till's side of e-invoices (docs/einvoice-till.md): what the cashier asked for, the core calls that
issue, reprint and resend, and the words the screens show. Plain module: no screen, no dialog.

An invoice is asked for at payment (:class:`InvoiceRequest`, kept on the session with the open cart)
and issued once the sale is posted, in a worker: the sale is posted whatever happens to the invoice,
and a failed invoice is issued again from the receipt list. Nothing here reaches the network.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from textual.message import Message
from textual.message_pump import MessagePump

from pos_tui.core import einvoice
from pos_tui.core.kernel import Override, PosError, Printable
from pos_tui.i18n import _
from pos_tui.tui.calls import CoreCall
from pos_tui.tui.session import Session

if TYPE_CHECKING:
    from pos_tui.core.accounts import PartyInfo
    from pos_tui.settings import Settings


@dataclass(frozen=True, slots=True)
class InvoiceRequest:
    """Whom the cashier asked the invoice for: a buyer typed at the till (``customer``), or an account
    (``account``, its code: the core takes the party's VKN/TCKN, name and address and links the invoice
    to it). Exactly one of the two is set."""

    customer: einvoice.InvoiceParty | None = None
    account: str | None = None
    account_name: str = ""  # the account's name, for the payment screen's line

    @property
    def identifier(self) -> str:
        return self.customer.identifier if self.customer is not None else ""

    def label(self) -> str:
        """``Account BAKKAL · Bakkal Ali`` or ``12345678901 · Ayşe Yılmaz``: how the payment screen names it."""
        if self.account:
            label = _("Account {code}").format(code=self.account)
            return f"{label} · {self.account_name}" if self.account_name else label
        assert self.customer is not None
        return f"{self.customer.identifier} · {self.customer.name}"


def party_fields(party: PartyInfo) -> dict[str, str]:
    """The dialog's fields filled from an account (cari): identifier, name, tax office, address, e-mail."""
    street, district, city = einvoice.split_address(party.address)
    return {
        "identifier": party.tax_id or "",
        "name": party.name,
        "tax_office": party.tax_office or "",
        "street": street,
        "district": district,
        "city": city,
        "email": party.email or "",
    }


@dataclass(frozen=True, slots=True)
class InvoiceOutcome:
    """What issuing an invoice after a sale gave: the invoice, or why there is none (the sale stands)."""

    sale_ids: tuple[int, ...]
    invoice: einvoice.IssuedInvoice | None = None
    error: str | None = None
    receipt: str = ""  # the receipt as the cashier knows it (``12`` or ``T1/12``), for the messages


@dataclass
class InvoiceDone(Message, bubble=False):
    """An invoice was issued for a sale, or could not be (``outcome.error``)."""

    outcome: InvoiceOutcome


@dataclass
class InvoiceSlipPrinted(Message, bubble=False):
    """The e-Arşiv information slip of an invoice went to the printer (or the preview)."""

    job: Printable
    note: str


@dataclass
class QueueCounted(Message, bubble=False):
    """The sender's queue was counted (:func:`pos_tui.core.einvoice.queue_summary`)."""

    summary: einvoice.QueueSummary


def kind_label(profile: str) -> str:
    """``e-Arşiv`` or ``e-Fatura`` (GİB's names; the same in every language)."""
    return "e-Arşiv" if profile == einvoice.EARSIVFATURA else "e-Fatura"


def issued_note(invoice: einvoice.IssuedInvoice) -> str:
    """``e-Arşiv AT12026000000001 issued (queued)`` (GİB's name of the kind is the noun: no "invoice" after it)."""
    return _("{kind} {number} issued ({status})").format(
        kind=kind_label(invoice.profile), number=invoice.number, status=einvoice.status_label(invoice.status)
    )


def invoice_limit(session: Session) -> Decimal | None:
    """The invoice threshold in force today (``[[einvoice.invoice_limits]]``), None when none is set."""
    from pos_tui.core.kernel import local

    day = local(session.now(), session.tz).date()
    return session.settings.einvoice.limit_on(day)


def threshold_hint(total: Decimal, session: Session, language: str, key: str) -> str:
    """``The total is above the invoice threshold (12.000,00 TL): F4 asks for an invoice`` when ``total``
    passes today's threshold (``key``: the keys that ask for one), else "". A suggestion, never a block."""
    from pos_tui.core.kernel import format_money

    limit = invoice_limit(session)
    if limit is None or total <= limit:
        return ""
    return _("The total is above the invoice threshold ({limit} TL): {key} asks for an invoice").format(
        limit=format_money(limit, language), key=key
    )


@dataclass(frozen=True, slots=True)
class InvoicedSale:
    """The standing invoice (not cancelled or rejected) of a sale: what a return of it needs to know."""

    number: str
    identifier: str  # the buyer's VKN / TCKN (11111111111: a consumer who gave none)
    name: str = ""  # the buyer's name on the invoice


def invoice_of_sale(sale_ref: str, terminal: str) -> InvoicedSale | None:
    """(worker) The standing invoice of the sale ``sale_ref`` (uid, id or ``T1/12``), or None."""
    sale_id = einvoice.sale_id_of(sale_ref, terminal=terminal)
    found = einvoice.invoices_of_sales([sale_id]).get(sale_id)
    if found is None or found[1] in (einvoice.CANCELLED, einvoice.REJECTED):
        return None
    invoice = einvoice.get_invoice(found[0])
    return InvoicedSale(invoice.number, invoice.customer_id, invoice.customer_name or "")


def return_document_note(invoiced: InvoicedSale, return_receipt: str) -> str:
    """What a return of an invoiced sale needs: the business buyer's IADE invoice (recorded with its
    number), or the shop's gider pusulası for a person or a consumer; with the command that records it."""
    if einvoice.is_business(invoiced.identifier):
        return _(
            "The sale is on invoice {invoice} to VKN {vkn}: the buyer issues an IADE invoice for this return;"
            " record it with: pos-admin einvoice return-document {receipt} --kind received_iade --number …"
        ).format(invoice=invoiced.number, vkn=invoiced.identifier, receipt=return_receipt)
    return _(
        "The sale is on invoice {invoice} to a consumer: this return needs a gider pusulası signed by the"
        " customer: pos-admin einvoice return-document {receipt} --kind gider_pusulasi --output gp.pdf"
    ).format(invoice=invoiced.number, receipt=return_receipt)


@dataclass(frozen=True, slots=True)
class ReturnDocumentState:
    """What the return-document key of the receipt list found for a return: its document, if recorded,
    else the original sale's standing invoice (None: the sale was not invoiced)."""

    receipt: str  # the return, T1/13
    document: einvoice.ReturnDocumentInfo | None
    invoiced: InvoicedSale | None


@dataclass
class ReturnDocumentChecked(Message, bubble=False):
    state: ReturnDocumentState


@dataclass
class ReturnDocumentSaved(Message, bubble=False):
    """A gider pusulası was recorded (or found) and its PDF saved: ``note`` for the message line."""

    note: str


@dataclass(frozen=True, slots=True)
class GiderPusulasiRequest:
    """The consumer of a gider pusulası, as typed in its dialog."""

    name: str
    tckn: str
    address: str = ""


def return_document_state(return_id: int, original_id: int, terminal: str) -> ReturnDocumentState:
    """(worker) The document of posted return ``return_id`` of sale ``original_id``, or its invoice."""
    from pos_tui.core.kernel import NotFound

    try:
        doc = einvoice.return_document_of(return_id, terminal=terminal)
        return ReturnDocumentState(doc.receipt, doc, None)
    except NotFound:
        pass
    invoiced = invoice_of_sale(str(original_id), terminal)
    return ReturnDocumentState("", None, invoiced)


def save_return_document(doc: einvoice.ReturnDocumentInfo, settings: Settings) -> str:
    """(worker) Write the PDF of gider pusulası ``doc`` (with the address recorded with it) to
    ``$POS_HOME/documents/<number>.pdf``: the note that says where (a PDF cannot go to the receipt printer)."""
    path = settings.home / "documents" / f"{doc.number}.pdf"
    path.parent.mkdir(parents=True, exist_ok=True)
    einvoice.return_document_pdf(doc, path, settings)
    return _("{kind} {number} of return {receipt} saved to {path}: print it for the customer to sign").format(
        kind=einvoice.return_document_label(doc.kind), number=doc.number, receipt=doc.receipt, path=path
    )


def record_gider_pusulasi(
    return_id: int, request: GiderPusulasiRequest, *, session: Session, override: Override | None = None
) -> str:
    """(worker) Record the gider pusulası of posted return ``return_id`` (the ``return`` permission, or a
    supervisor's PIN: ``override``) and save its PDF; the note for the cashier."""
    from pos_tui.core.kernel import require

    actor = session.require_actor()
    granted = require(actor, "return", override)
    if granted is not None:
        actor = granted.supervisor
    doc = einvoice.record_return_document(
        return_id,
        kind=einvoice.GIDER_PUSULASI,
        actor=actor,
        terminal=session.terminal,
        now=session.now(),
        person_name=request.name,
        person_id=request.tckn or None,
        person_address=request.address or None,
        tz=session.tz,
    )
    return save_return_document(doc, session.settings)


def failed_note(receipt: str, error: str) -> str:
    return _("Receipt {receipt} is posted, but its invoice was not issued: {error}").format(
        receipt=receipt, error=error
    )


def invoice_call(
    session: Session, sale_ids: Sequence[int], request: InvoiceRequest, target: MessagePump, *, receipt: str = ""
) -> CoreCall[InvoiceOutcome]:
    """Issue the invoice of posted ``sale_ids`` for ``request`` in a worker; :class:`InvoiceDone` goes to
    ``target`` either way (a refused invoice is an outcome, not a failure of the sale)."""
    actor = session.require_actor()
    settings, terminal = session.settings, session.terminal
    ids = tuple(sale_ids)

    def run(_override: Any) -> InvoiceOutcome:
        try:
            invoice = einvoice.invoice_sales(
                list(ids),
                actor=actor,
                terminal=terminal,
                now=session.now(),
                settings=settings,
                customer=request.customer,
                account=request.account,
            )
        except PosError as exc:
            return InvoiceOutcome(ids, error=exc.message, receipt=receipt)
        return InvoiceOutcome(ids, invoice=invoice, receipt=receipt)

    return CoreCall(
        run=run,
        reply=InvoiceDone,
        target=target,
        description=_("Issuing the invoice"),
        group="einvoice",
        overridable=False,
        exclusive=False,
    )


def info_slip(invoice: einvoice.IssuedInvoice, width: int) -> Printable:
    """The e-Arşiv information slip of ``invoice`` for the receipt printer: read from the XML as issued,
    with GİB's karekod (:func:`pos_tui.core.einvoice.render.info_slip`). A worker: it reads the database."""
    return einvoice.render.info_slip(einvoice.invoice_xml(invoice.id), width)


def provider_for(settings: Settings) -> einvoice.providers.EInvoiceProvider:
    """The shop's integrator (``[einvoice] driver``), loaded once per process and settings."""
    key = (settings.einvoice.driver, settings.einvoice.outbox, str(settings.home), settings.shop.timezone)
    cached = _PROVIDERS.get(key)
    if cached is None:
        providers = einvoice.providers
        cached = _PROVIDERS[key] = providers.load_provider(settings.einvoice, settings.home, settings.shop.timezone)
    return cached


_PROVIDERS: dict[tuple[str, str, str, str], Any] = {}


def send_due(settings: Settings, now: datetime) -> einvoice.SendReport:
    """(worker thread) One pass of the background sender: what is due goes to the integrator."""
    return einvoice.send_due(provider_for(settings), now=now, terminal=settings.terminal_id, settings=settings.einvoice)


def resend_invoice(ref: int | str, *, session: Session, override: Override | None = None) -> str:
    """Send the invoice ``ref`` (id or number) to the integrator now, whatever its backoff says (same ETTN:
    never a second invoice); the note for the cashier. Needs the ``einvoice`` permission (a supervisor's
    PIN lifts it: ``override``). A worker: it reads the database and talks to the integrator."""
    from pos_tui.core.kernel import require

    actor = session.require_actor()
    granted = require(actor, "einvoice", override)
    if granted is not None:
        actor = granted.supervisor
    invoice = einvoice.get_invoice(ref, tz=session.tz)
    settings = session.settings
    step = einvoice.send_now(
        invoice.id,
        provider=provider_for(settings),
        actor=actor,
        now=session.now(),
        terminal=session.terminal,
        settings=settings.einvoice,
    )
    invoice = einvoice.get_invoice(invoice.id, tz=session.tz)
    note = _("Invoice {number} was sent again: {status}").format(
        number=invoice.number, status=einvoice.status_label(invoice.status)
    )
    return f"{note} ({step.message})" if step.message else note


def summary_text(summary: einvoice.QueueSummary | None, *, short: bool = False) -> str:
    """``Invoices: 3 queued, 12 min`` for the status line (e-Fatura and e-Arşiv alike: the kind is not
    named), ``· 1 rejected`` when the integrator refused some; "" when nothing waits or is refused.
    ``short``: without the age (a narrow status line)."""
    if summary is None:
        return ""
    parts = []
    if summary.waiting:
        age = summary.oldest_waiting or timedelta(0)
        minutes = int(age.total_seconds() // 60)
        if short:
            parts.append(_("{n} queued").format(n=summary.waiting))
        else:
            if minutes >= 120:
                oldest = _("{hours} h").format(hours=minutes // 60)
            else:
                oldest = _("{minutes} min").format(minutes=minutes)
            parts.append(_("{n} queued, {age}").format(n=summary.waiting, age=oldest))
    if summary.rejected:
        parts.append(_("{n} rejected").format(n=summary.rejected))
    if not parts:
        return ""
    return _("Invoices: {what}").format(what=" · ".join(parts))


def count_queue(now: datetime) -> einvoice.QueueSummary:
    """The queue's summary (a worker: two small queries)."""
    return einvoice.queue_summary(now)

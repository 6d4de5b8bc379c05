"""Lists behind the menu: the terminal's receipts (with a reprint view) and, for admins, users."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.message import Message
from textual.widgets import DataTable, Label, Static

from pos_tui.core import staff, till
from pos_tui.core.kernel import Override, format_money, local, role_label
from pos_tui.i18n import _
from pos_tui.tui.base import pos_app
from pos_tui.tui.calls import CoreCall
from pos_tui.tui.capabilities import ScanTarget
from pos_tui.tui.dialogs.views import ReportDialog
from pos_tui.tui.invoicing import InvoiceDone, InvoiceSlipPrinted, ReturnDocumentChecked, ReturnDocumentSaved
from pos_tui.tui.keymap import N_, bind
from pos_tui.tui.messages import ReportReady, RowsLoaded
from pos_tui.tui.screens.base import PosScreen
from pos_tui.tui.widgets.keybar import KeyBar
from pos_tui.tui.widgets.status import StatusLine

RECEIPT_LIMIT = 200
STATUS_STYLES = {"rejected": "bold red", "queued": "yellow", "draft": "yellow", "accepted": "green"}


@dataclass
class InvoiceResent(Message, bubble=False):
    """An invoice was queued again (or the reason it was not): ``note`` for the message line."""

    note: str


class ListScreen(PosScreen):
    """A titled table that loads its rows in a worker; Esc goes back."""

    AUTO_FOCUS = "#rows"
    TITLE_TEXT = ""

    BINDINGS: ClassVar[list[BindingType]] = [
        bind("app.back", "back", N_("Back"), N_("Back to the sale")),
    ]

    def compose(self) -> ComposeResult:
        yield StatusLine(id="status")
        yield Label(_(self.TITLE_TEXT) if self.TITLE_TEXT else "", classes="section-title")
        yield DataTable(id="rows", cursor_type="row", zebra_stripes=True)
        yield Static("", id="message")
        yield KeyBar()

    def on_mount(self) -> None:
        self.show_note(_("Loading…"))
        self.load()

    def load(self) -> None:
        raise NotImplementedError

    @on(RowsLoaded)
    def _loaded(self, event: RowsLoaded) -> None:
        self.clear_message()
        self.fill(self.query_one("#rows", DataTable), event.rows)

    def fill(self, table: DataTable[Any], rows: list[Any]) -> None:
        raise NotImplementedError

    def action_back(self) -> None:
        self.dismiss(None)


@dataclass(frozen=True, slots=True)
class ReceiptRow:
    """A receipt of the list with its invoice (number, status), if it has one."""

    sale: Any  # till.SaleSummary
    invoice: tuple[str, str] | None = None
    document: str | None = None  # a return's document (GP…, IF… or the buyer's IADE invoice number)

    @property
    def sale_id(self) -> int:
        return int(self.sale.sale_id)

    @property
    def uid(self) -> str:
        return str(self.sale.uid)


class ReceiptsScreen(ListScreen, ScanTarget):
    """The terminal's latest receipts, newest first, with their invoices; Enter shows one as printed
    (reprint view), the reprint key prints a copy of the selected one
    (:func:`pos_tui.tui.printing.reprint_in_worker`). The invoice keys issue an invoice of the selected
    sale (the payment screen's dialog), print its e-Arşiv information slip, and queue it to be sent again."""

    TITLE_TEXT = N_("Receipts")
    BINDINGS: ClassVar[list[BindingType]] = [
        bind("receipt.reprint", "reprint", N_("Reprint"), N_("Print a copy of the selected receipt")),
        bind("receipt.invoice", "invoice", N_("Invoice"), N_("Issue an invoice of the selected receipt")),
        bind("receipt.invoice_slip", "invoice_slip", N_("Invoice slip"), N_("Print the invoice's information slip")),
        bind("receipt.resend", "resend", N_("Resend"), N_("Queue the selected receipt's invoice to be sent again")),
        bind(
            "receipt.return_document",
            "return_document",
            N_("Gider p."),
            N_("Record and save the gider pusulası of the selected return of an invoiced sale"),
        ),
    ]

    def selected(self) -> ReceiptRow | None:
        rows = getattr(self, "rows", [])
        row = self.query_one("#rows", DataTable).cursor_row
        if not 0 <= row < len(rows):
            self.show_error(_("Select a receipt with ↑↓ first"))
            return None
        selected: ReceiptRow = rows[row]
        return selected

    def action_reprint(self) -> None:
        from pos_tui.tui.printing import reprint_in_worker

        row = self.selected()
        if row is not None:
            reprint_in_worker(self, row.uid)

    def load(self) -> None:
        from pos_tui.core import einvoice

        terminal = self.session.terminal

        def run(_override: Override | None) -> list[ReceiptRow]:
            sales = till.list_sales(terminal, limit=RECEIPT_LIMIT)
            invoices = einvoice.invoices_of_sales([s.sale_id for s in sales])  # one query for the page
            returns = [s.sale_id for s in sales if s.kind == "return"]
            documents = einvoice.return_documents_of_sales(returns) if returns else {}  # one more
            return [ReceiptRow(s, invoices.get(s.sale_id), documents.get(s.sale_id)) for s in sales]

        pos_app(self).call_core(
            CoreCall(
                run=run,
                reply=RowsLoaded,
                target=self,
                description=_("Loading receipts"),
                group="list",
                overridable=False,
            )
        )

    def fill(self, table: DataTable[Any], rows: list[Any]) -> None:
        from pos_tui.core.einvoice import status_label

        keep = table.cursor_row if getattr(self, "rows", None) else 0
        self.rows = rows
        lang, tz = self.language, self.session.settings.shop.timezone
        table.clear(columns=True)
        table.add_column(Text(_("No"), justify="right"), key="no")
        table.add_column(_("Time"), key="at")
        table.add_column(_("Type"), key="kind")
        table.add_column(_("Cashier"), key="cashier")
        table.add_column(Text(_("Total"), justify="right"), key="total")
        table.add_column(_("Invoice"), key="invoice")
        table.add_column(_("Status"), key="status")
        for r in rows:
            s = r.sale
            kind = _("return") if s.kind == "return" else _("sale")
            number, status = r.invoice or (r.document or "", "")
            table.add_row(
                Text(str(s.receipt_no), justify="right"),
                local(s.at, tz).strftime("%d.%m %H:%M"),
                Text(kind, style="yellow" if s.kind == "return" else ""),
                Text(s.cashier, no_wrap=True, overflow="ellipsis"),
                Text(format_money(s.total, lang), justify="right"),
                number,
                Text(status_label(status) if status else "", style=STATUS_STYLES.get(status, "")),
                key=str(s.sale_id),
            )
        if rows and keep:
            table.move_cursor(row=min(keep, len(rows) - 1))
        if not rows:
            self.show_note(_("No receipts on this terminal yet"))
        note, self.pending_note = getattr(self, "pending_note", ""), ""
        if note:  # what the invoice key did, kept over the reload
            self.show_note(note)

    def reload(self, note: str) -> None:
        """Read the list again (an invoice was issued or queued) and say ``note`` once it is there."""
        self.pending_note = note
        self.show_note(note)
        self.load()

    # -- invoices ------------------------------------------------------------------------------------

    def action_invoice(self) -> None:
        """Issue an invoice of the selected sale: the payment screen's dialog, then a worker."""
        from pos_tui.core import accounts, einvoice
        from pos_tui.core.kernel import PosError
        from pos_tui.tui.dialogs.invoice import InvoiceDialog
        from pos_tui.tui.invoicing import InvoiceRequest, invoice_call

        row = self.selected()
        if row is None:
            return
        if row.sale.kind == "return":
            self.show_error(
                _("Receipt {no} is a return: a return gets a return document, not an invoice").format(
                    no=row.sale.receipt_no
                )
            )
            return
        if row.invoice is not None and row.invoice[1] not in (einvoice.CANCELLED, einvoice.REJECTED):
            self.show_error(
                _("Receipt {no} is already on invoice {number}").format(no=row.sale.receipt_no, number=row.invoice[0])
            )
            return
        party = None
        try:  # the sale's account, to fill the form from (a quick indexed read)
            party_id = None if row.sale.customer_id is None else accounts.party_of_customer(row.sale.customer_id)
            party = None if party_id is None else accounts.get_party(party_id)
        except PosError:
            party = None
        sale_id, receipt = row.sale_id, str(row.sale.receipt_no)

        def asked(request: InvoiceRequest | None) -> None:
            if request is None or (request.customer is None and not request.account):
                return
            self.show_note(_("Issuing the invoice…"))
            pos_app(self).call_core(invoice_call(self.session, [sale_id], request, self, receipt=receipt))

        self.app.push_screen(InvoiceDialog(party=party, total=format_money(row.sale.total, self.language)), asked)

    @on(InvoiceDone)
    def _invoice_done(self, event: InvoiceDone) -> None:
        from pos_tui.tui.invoicing import issued_note

        outcome = event.outcome
        if outcome.invoice is not None:
            self.reload(issued_note(outcome.invoice))
        else:
            self.show_error(
                _("Receipt {receipt}: the invoice was not issued: {error}").format(
                    receipt=outcome.receipt, error=outcome.error
                )
            )
        pos_app(self).refresh_einvoice()

    def _invoice_of_selected(self) -> tuple[ReceiptRow, str] | None:
        row = self.selected()
        if row is None:
            return None
        if row.sale.kind == "return":
            self.show_error(
                _(
                    "Receipt {no} is a return: a return gets no invoice; a return of an invoiced sale needs a"
                    " return document ({key})"
                ).format(no=row.sale.receipt_no, key=pos_app(self).key_label("receipt.return_document"))
            )
            return None
        if row.invoice is None:
            key = pos_app(self).key_label("receipt.invoice")
            self.show_error(_("Receipt {no} has no invoice; {key} issues one").format(no=row.sale.receipt_no, key=key))
            return None
        return row, row.invoice[0]

    def action_invoice_slip(self) -> None:
        """Print the e-Arşiv information slip of the selected receipt's invoice (on screen without a printer)."""
        from pos_tui.core import einvoice
        from pos_tui.tui.invoicing import InvoiceSlipPrinted, info_slip
        from pos_tui.tui.printing import station_of

        found = self._invoice_of_selected()
        if found is None:
            return
        number = found[1]
        station = station_of(self.app)
        tz = self.session.tz

        def run(_override: Override | None) -> tuple[Any, str]:
            job = info_slip(einvoice.get_invoice(number, tz=tz), station.width)
            if station.queue is None:
                return job, ""
            station.submit(job)
            return job, _("{title}: information slip sent to the printer").format(title=job.title)

        pos_app(self).call_core(
            CoreCall(
                run=run,
                reply=lambda done: InvoiceSlipPrinted(done[0], done[1]),
                target=self,
                description=_("Printing the invoice slip"),
                group="receipt",
                overridable=False,
                exclusive=False,
            )
        )

    @on(InvoiceSlipPrinted)
    def _slip_printed(self, event: InvoiceSlipPrinted) -> None:
        if event.note:
            self.show_note(event.note)
            return
        body = Text("\n".join(line.text for line in event.job.lines if line.barcode is None))
        self.show_note(_("No receipt printer is configured: the slip is on the screen only"))
        self.app.push_screen(ReportDialog(event.job.title, body))

    def action_resend(self) -> None:
        """Queue the selected receipt's invoice to be sent again (``einvoice`` permission, or a supervisor's PIN)."""
        from pos_tui.core import einvoice
        from pos_tui.tui.invoicing import resend_invoice

        found = self._invoice_of_selected()
        if found is None:
            return
        row, number = found
        status = row.invoice[1] if row.invoice else ""
        if status not in (einvoice.DRAFT, einvoice.QUEUED, einvoice.SENT):  # said before any PIN is asked
            self.show_error(einvoice.resend_refusal(number, status))
            return
        session = self.session

        def run(override: Override | None) -> str:
            return resend_invoice(number, session=session, override=override)

        pos_app(self).call_core(
            CoreCall(
                run=run,
                reply=InvoiceResent,
                target=self,
                description=_("Resending the invoice"),
                group="einvoice",
                overridable=True,
            )
        )

    @on(InvoiceResent)
    def _resent(self, event: InvoiceResent) -> None:
        self.reload(event.note)
        pos_app(self).refresh_einvoice()

    # -- return documents ------------------------------------------------------------------------------

    def action_return_document(self) -> None:
        """The selected return's document: a consumer's gider pusulası is recorded (a dialog) and saved as a
        PDF, or saved again once recorded; a business's IADE invoice is named with the command recording it."""
        from pos_tui.tui.invoicing import return_document_state

        row = self.selected()
        if row is None:
            return
        if row.sale.kind != "return" or row.sale.return_of_id is None:
            self.show_error(
                _("Receipt {no} is not a return of a sale: only a return gets a return document").format(
                    no=row.sale.receipt_no
                )
            )
            return
        return_id, original_id, terminal = row.sale_id, int(row.sale.return_of_id), self.session.terminal
        self.return_target = (return_id, f"{row.sale.terminal}/{row.sale.receipt_no}")

        pos_app(self).call_core(
            CoreCall(
                run=lambda _override: return_document_state(return_id, original_id, terminal),
                reply=ReturnDocumentChecked,
                target=self,
                description=_("Looking up the return document"),
                group="einvoice",
                overridable=False,
            )
        )

    @on(ReturnDocumentChecked)
    def _return_document_checked(self, event: ReturnDocumentChecked) -> None:
        from pos_tui.core import einvoice
        from pos_tui.tui.dialogs.gider_pusulasi import GiderPusulasiDialog
        from pos_tui.tui.invoicing import (
            GiderPusulasiRequest,
            record_gider_pusulasi,
            return_document_note,
            save_return_document,
        )

        state, session = event.state, self.session
        return_id, receipt = self.return_target
        doc = state.document
        if doc is not None:
            if doc.kind == einvoice.RECEIVED_IADE:
                self.show_note(
                    _("Return {receipt} is documented by the buyer's IADE invoice {number}").format(
                        receipt=doc.receipt, number=doc.number
                    )
                )
                return
            settings = session.settings
            self._return_call(lambda _override: save_return_document(doc, settings), overridable=False)
            return
        invoiced = state.invoiced
        if invoiced is None:
            self.show_error(
                _("Return {receipt} is of a sale that was not invoiced: its receipts are its documents").format(
                    receipt=receipt
                )
            )
            return
        if einvoice.is_business(invoiced.identifier):  # the buyer's IADE invoice: recorded with the CLI
            self.show_note(return_document_note(invoiced, receipt))
            return
        anonymous = invoiced.identifier == einvoice.ANONYMOUS_TCKN

        def asked(request: GiderPusulasiRequest | None) -> None:
            if request is None:
                return
            self.show_note(_("Recording the gider pusulası…"))
            self._return_call(
                lambda override: record_gider_pusulasi(return_id, request, session=session, override=override),
                overridable=True,
            )

        self.app.push_screen(
            GiderPusulasiDialog(
                receipt=receipt,
                invoice=invoiced.number,
                name="" if anonymous else invoiced.name,
                tckn="" if anonymous else invoiced.identifier,
            ),
            asked,
        )

    def _return_call(self, run: Callable[[Override | None], str], *, overridable: bool) -> None:
        pos_app(self).call_core(
            CoreCall(
                run=run,
                reply=ReturnDocumentSaved,
                target=self,
                description=_("Saving the gider pusulası"),
                group="einvoice",
                overridable=overridable,
            )
        )

    @on(ReturnDocumentSaved)
    def _return_document_saved(self, event: ReturnDocumentSaved) -> None:
        self.reload(event.note)

    @on(DataTable.RowSelected, "#rows")
    def _selected(self, event: DataTable.RowSelected) -> None:
        from pos_tui.tui.render import render_receipt

        sale_id = int(event.row_key.value or 0)
        self.viewing = next((s.uid for s in getattr(self, "rows", []) if s.sale_id == sale_id), None)
        settings = self.session.settings

        def run(_override: Override | None) -> Any:
            return render_receipt(till.sale_document(sale_id, settings.shop.timezone), settings)

        pos_app(self).call_core(
            CoreCall(
                run=run,
                reply=lambda body: ReportReady(_("Receipt"), body),
                target=self,
                description=_("Loading the receipt"),
                group="list",
                overridable=False,
            )
        )

    @on(ReportReady)
    def _show(self, event: ReportReady) -> None:
        from pos_tui.tui.printing import reprint_in_worker

        uid = getattr(self, "viewing", None)
        self.app.push_screen(
            ReceiptView(event.title, event.body, None if uid is None else lambda: reprint_in_worker(self, uid))
        )


class ReceiptView(ReportDialog):
    """One receipt of the list as printed; the reprint key closes it and prints a copy (the
    list's message line says where it went), or says at once that there is no printer."""

    BINDINGS: ClassVar[list[BindingType]] = [
        bind("receipt.reprint", "reprint", N_("Reprint"), N_("Print a copy of this receipt")),
    ]

    def __init__(self, title: str, body: Any, reprint: Callable[[], None] | None) -> None:
        super().__init__(title, body)
        self.reprint = reprint

    def hint(self) -> str:
        key = pos_app(self).key_label("receipt.reprint")
        return _("↑↓ scroll · Enter or Esc: close · {key}: print a copy").format(key=key)

    def action_reprint(self) -> None:
        from pos_tui.tui.printing import station_of

        if station_of(self.app).queue is None or self.reprint is None:
            self.show_error(_("No receipt printer is configured: nothing to reprint on"))
            return
        self.dismiss(None)
        self.reprint()


class UsersScreen(ListScreen):
    """Every user with role and state (admins only; users are managed with ``pos-admin users``)."""

    TITLE_TEXT = N_("Users")

    def load(self) -> None:

        def run(_override: Override | None) -> list[Any]:
            return staff.list_users()

        pos_app(self).call_core(
            CoreCall(
                run=run, reply=RowsLoaded, target=self, description=_("Loading users"), group="list", overridable=False
            )
        )

    def fill(self, table: DataTable[Any], rows: list[Any]) -> None:
        tz = self.session.settings.shop.timezone
        table.add_column(_("Name"), key="name")
        table.add_column(_("Role"), key="role")
        table.add_column(_("Active"), key="active")
        table.add_column(_("Since"), key="created")
        for u in rows:
            table.add_row(
                u.name,
                role_label(u.role),
                _("yes") if u.active else Text(_("no"), style="red"),
                local(u.created_at, tz).strftime("%d.%m.%Y"),
            )
        self.show_note(_("Add, disable or change PINs with pos-admin users"))

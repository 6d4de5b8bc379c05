"""Whom the invoice is for (the payment screen's and the receipt list's invoice key).

The cashier types the buyer's VKN (a company: 10 digits) or TCKN (a person: 11 digits; 11111111111 for a
consumer who gives none, e-Arşiv only), checked as it is typed; the name or title, the tax office (for a
VKN), the address and an optional e-mail. Or an account code, account card, phone or VKN/TCKN in the
first field: F2 (or Enter there) finds the account and fills the form from it; the invoice then goes to
that account. The dialog only checks and chooses; it dismisses with an
:class:`~pos_tui.tui.invoicing.InvoiceRequest` (or :data:`NO_INVOICE` when the request is dropped).
Lookups are single indexed queries: they run on the UI thread and their errors land on the error line.
"""

from __future__ import annotations

from contextlib import suppress
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.css.query import NoMatches
from textual.widgets import Input, Label, Static

from pos_tui.core import accounts, einvoice
from pos_tui.core.kernel import PosError
from pos_tui.i18n import _
from pos_tui.tui.base import pos_app
from pos_tui.tui.dialogs.base import Dialog
from pos_tui.tui.invoicing import InvoiceRequest, party_fields
from pos_tui.tui.keymap import N_, bind

NO_INVOICE = InvoiceRequest()
"""What the dialog gives back when the cashier drops the invoice asked for earlier."""

ANONYMOUS_NAME = "Nihai Tüketici"
"""The name on an invoice to 11111111111 when none is typed (GİB's term; the CLI's default too)."""

FIELDS = ("identifier", "name", "tax_office", "street", "district", "city", "email")


class InvoiceDialog(Dialog[InvoiceRequest]):
    """The buyer of the invoice: typed, or filled from an account; Enter checks and asks for it."""

    TITLE_TEXT = N_("Invoice")
    BINDINGS: ClassVar[list[BindingType]] = [
        bind("invoice.lookup", "lookup", N_("Account"), N_("Fill the form from the account typed in the first field")),
        bind("invoice.drop", "drop", N_("No invoice"), N_("Drop the invoice asked for this sale")),
        bind("dialog.ok", "ok", N_("Ask"), N_("Ask for the invoice"), show=False, priority=True),
    ]

    DEFAULT_CSS = """
    InvoiceDialog .inv-row { height: 1; }
    InvoiceDialog .inv-row .dialog-label { width: 27; padding-right: 1; }
    InvoiceDialog .inv-row Input { width: 1fr; }
    InvoiceDialog .inv-row Input:focus { background: $accent 45%; color: $text; text-style: bold; }
    InvoiceDialog .inv-row:focus-within .dialog-label { color: $accent; text-style: bold; }
    InvoiceDialog #inv-district { width: 1fr; margin-right: 1; }
    InvoiceDialog #inv-city-label { width: auto; padding-right: 1; }
    InvoiceDialog #inv-note { color: $text-muted; width: 100%; height: 1; margin-top: 1; }
    """

    def __init__(
        self,
        *,
        request: InvoiceRequest | None = None,
        party: accounts.PartyInfo | None = None,
        total: str = "",
        droppable: bool = False,
    ) -> None:
        """``request``: asked for earlier (shown again); else ``party``: the sale's account, filled in.
        ``total``: the sale's total as the prompt shows it; ``droppable``: F4 drops a request."""
        super().__init__()
        self.add_class("wide")
        self.total = total
        self.droppable = droppable
        self.account: str | None = None  # the account the form was filled from
        self.filled: dict[str, str] = {}  # … and what it was filled with (an edit makes it a typed buyer)
        self.initial: dict[str, str] = {}
        if request is not None and request.account:
            self._from_account_code(request.account)
        elif request is not None and request.customer is not None:
            c = request.customer
            self.initial = {
                "identifier": c.identifier,
                "name": c.name,
                "tax_office": c.tax_office,
                "street": c.street,
                "district": c.district,
                "city": c.city,
                "email": c.email,
            }
        elif party is not None and party.tax_id:
            self._fill_from(party)

    def _from_account_code(self, code: str) -> None:
        try:
            self._fill_from(accounts.get_party(code))
        except PosError:
            self.initial = {}

    def _fill_from(self, party: accounts.PartyInfo) -> None:
        self.account = party.code
        self.filled = party_fields(party)
        self.initial = dict(self.filled)
        self.initial["lookup"] = party.code

    def compose_body(self) -> ComposeResult:
        if self.total:
            yield Label(_("Sale total {total}").format(total=self.total), classes="dialog-prompt")
        labels = {
            "lookup": _("Account (optional)"),
            "identifier": _("VKN or TCKN"),
            "name": _("Name or title"),
            "tax_office": _("Tax office"),
            "street": _("Address"),
            "email": _("E-mail (optional)"),
        }
        for field in ("lookup", "identifier", "name", "tax_office", "street"):
            with Horizontal(classes="inv-row"):
                yield Label(labels[field], classes="dialog-label")
                yield Input(self.initial.get(field, ""), id=f"inv-{field}", compact=True)
        with Horizontal(classes="inv-row"):
            yield Label(_("District"), classes="dialog-label")
            yield Input(self.initial.get("district", ""), id="inv-district", compact=True)
            yield Label(_("City"), id="inv-city-label")
            yield Input(self.initial.get("city", ""), id="inv-city", compact=True)
        with Horizontal(classes="inv-row"):
            yield Label(labels["email"], classes="dialog-label")
            yield Input(self.initial.get("email", ""), id="inv-email", compact=True)
        yield Static(self._note(self.initial.get("identifier", "")), id="inv-note")

    def on_mount(self) -> None:
        self.query_one("#inv-identifier" if self.initial else "#inv-lookup", Input).focus()
        # GİB's schematron compiles once per process (about half a second, more on a small terminal):
        # start it while the cashier types the buyer, so the sale's invoice does not wait for it.
        self.run_worker(_warm_up_validation, thread=True, group="einvoice-warm-up", exit_on_error=False)

    def hint(self) -> str:
        app = pos_app(self)
        hint = _("Tab: next field · Enter: ask for the invoice · {lookup}: find the account · Esc: cancel").format(
            lookup=app.key_label("invoice.lookup")
        )
        if self.droppable:
            hint += " · " + _("{key}: no invoice").format(key=app.key_label("invoice.drop"))
        return hint

    def _value(self, field: str) -> str:
        return self.query_one(f"#inv-{field}", Input).value.strip()

    def _fail(self, message: str, field: str | None = None) -> None:
        if field is not None:
            self.query_one(f"#inv-{field}", Input).focus()
        self.show_error(message)

    @staticmethod
    def _note(identifier: str) -> str:
        """What the typed number is, once it has all its digits (the error line says what is wrong)."""
        digits = identifier.replace(" ", "")
        if digits == einvoice.ANONYMOUS_TCKN:
            return _("Consumer without a TCKN: e-Arşiv only")
        if len(digits) == 10:
            return _("VKN: a company (a tax office for an e-Fatura)")
        if len(digits) == 11:
            return _("TCKN: a person; first and family name")
        return ""

    # -- live checks ---------------------------------------------------------------------------------

    @on(Input.Changed, "#inv-identifier")
    def _identifier_changed(self, event: Input.Changed) -> None:
        """While typing: an 11-digit number is complete and checked at once; 10 digits may be a VKN or a
        TCKN half typed, so a wrong VKN is said only when the field is left (or on Enter)."""
        self._check_identifier(event.value, final=False)

    @on(Input.Blurred, "#inv-identifier")
    def _identifier_left(self, event: Input.Blurred) -> None:
        with suppress(NoMatches):  # the dialog is going away
            self._check_identifier(event.value, final=True)

    def _check_identifier(self, value: str, *, final: bool) -> None:
        digits = value.strip().replace(" ", "")
        note = self.query_one("#inv-note", Static)
        if len(digits) < 10 or (len(digits) == 10 and not final and not self._valid(digits)):
            note.update("")
            self.clear_error()
            return
        try:
            einvoice.check_identifier(digits)
        except PosError as exc:
            note.update("")
            self.show_error(exc.message)
            return
        note.update(self._note(digits))
        self.clear_error()

    @staticmethod
    def _valid(digits: str) -> bool:
        try:
            einvoice.check_identifier(digits)
        except PosError:
            return False
        return True

    @on(Input.Blurred, "#inv-district")
    def _district_left(self, event: Input.Blurred) -> None:
        """``Kadıköy / İstanbul`` typed in the district box (the way an address is written): split it."""
        district, city = self._split_place(event.value)
        try:
            if city and not self._value("city"):
                event.input.value = district
                self.query_one("#inv-city", Input).value = city
        except NoMatches:  # the dialog is going away
            pass

    @staticmethod
    def _split_place(text: str) -> tuple[str, str]:
        """``Kadıköy / İstanbul`` → (``Kadıköy``, ``İstanbul``); no slash: (text, "")."""
        district, slash, city = text.partition("/")
        if not slash:
            return text.strip(), ""
        return district.strip(), city.strip()

    # -- keys ----------------------------------------------------------------------------------------

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()  # Enter is the dialog's own key (``dialog.ok``)

    def action_lookup(self) -> None:
        text = self._value("lookup")
        if not text:
            self._fail(_("Type the account's code, card, phone or VKN/TCKN first"), "lookup")
            return
        try:
            party = accounts.find_party(text)
            if party is None:
                self._fail(_("No account found for {text}").format(text=text[:30]), "lookup")
                return
            einvoice.party_customer(party)  # it has a VKN or TCKN, or the reason why not
        except PosError as exc:
            self._fail(exc.message, "lookup")
            return
        self._fill_from(party)
        for field in FIELDS:
            self.query_one(f"#inv-{field}", Input).value = self.filled[field]
        self.query_one("#inv-lookup", Input).value = party.code
        self.clear_error()
        self.query_one("#inv-name", Input).focus()

    def action_drop(self) -> None:
        if self.droppable:
            self.dismiss(NO_INVOICE)
        else:
            self.show_error(_("No invoice is asked for this sale"))

    def action_ok(self) -> None:
        """Enter: in the account field with a new text, find the account; anywhere else, ask."""
        lookup = self.query_one("#inv-lookup", Input)
        if self.focused is lookup and lookup.value.strip() and lookup.value.strip() != self.account:
            self.action_lookup()
            return
        request = self.request()
        if request is not None:
            self.dismiss(request)

    def _is_efatura(self, vkn: str) -> bool:
        """Whether an invoice to ``vkn`` goes as an e-Fatura today (the buyer is on GİB's list): only then
        does the core require the tax office. A lookup that fails says yes: the cashier types it."""
        session = pos_app(self).session
        try:
            where = einvoice.route(vkn, now=session.now(), settings=session.settings.einvoice, tz=session.tz)
        except PosError:
            return True
        return where.is_efatura

    def request(self) -> InvoiceRequest | None:
        """The request the form says, or None with the first problem shown."""
        values = {field: self._value(field) for field in FIELDS}
        if self.account is not None and values == self.filled and self._value("lookup") == self.account:
            return InvoiceRequest(account=self.account, account_name=self.filled.get("name", ""))
        identifier = values["identifier"].replace(" ", "")
        if not identifier:
            self._fail(_("Type the buyer's VKN or TCKN (11111111111 for a consumer who gives none)"), "identifier")
            return None
        try:
            identifier = einvoice.check_identifier(identifier)
        except PosError as exc:
            self._fail(exc.message, "identifier")
            return None
        name = " ".join(values["name"].split())
        if not name and identifier == einvoice.ANONYMOUS_TCKN:
            name = ANONYMOUS_NAME  # the consumer who gives no TCKN gives no name either (as the CLI)
        if not name:
            self._fail(_("Type the buyer's name or title"), "name")
            return None
        if len(identifier) == 11 and identifier != einvoice.ANONYMOUS_TCKN and len(name.split()) < 2:
            self._fail(_("A person on an invoice needs a first name and a family name"), "name")
            return None
        if len(identifier) == 10 and not values["tax_office"] and self._is_efatura(identifier):
            self._fail(_("A company on an e-Fatura needs its tax office"), "tax_office")
            return None
        district, city = values["district"], values["city"]
        if not city:
            district, city = self._split_place(district)
        email = values["email"]
        if email and ("@" not in email or "." not in email.rpartition("@")[2]):
            self._fail(_("The e-mail {email} does not look right").format(email=email[:40]), "email")
            return None
        party = einvoice.InvoiceParty(
            identifier=identifier,
            name=name,
            tax_office=values["tax_office"],
            street=values["street"],
            district=district,
            city=city,
            email=email,
        )
        return InvoiceRequest(customer=party)


def _warm_up_validation() -> None:
    """(worker thread) :func:`pos_tui.core.einvoice.warm_up`."""
    from pos_tui.core import einvoice

    einvoice.warm_up()

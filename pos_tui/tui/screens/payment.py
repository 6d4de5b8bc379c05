"""Split tender: add cash, card, loyalty and on-account parts until the total is covered, then post the sale.

On account (açık hesap / veresiye): the on-account key picks the customer's account (code, name,
phone or a scan of the account card; the sale's own account when it has one), shows its balance,
limit and available credit, and adds the typed amount (what is still to pay) in one or more
installments. A sale is on one account. The core checks the limit when the sale posts, at that
moment; past it, the supervisor's PIN is asked (the till's override flow) and the sale is posted
again with the override, which the core journals."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Digits, Input, Label, Static

from pos_tui.core.basket import Cart
from pos_tui.core.kernel import ZERO, PosError, ValidationError, format_money, method_label, parse_typed_money
from pos_tui.i18n import _, ngettext
from pos_tui.tui.base import pos_app
from pos_tui.tui.keymap import N_, bind
from pos_tui.tui.messages import SaleCompleted
from pos_tui.tui.screens.base import PosScreen
from pos_tui.tui.widgets.keybar import KeyBar
from pos_tui.tui.widgets.scan_input import TillInput
from pos_tui.tui.widgets.status import StatusLine

METHOD_WIDTH = 11  # "Hediye çeki", "Açık hesap"
MONEY_WIDTH = 9  # "99.999,99"
REFERENCE_WIDTH = 10  # the rest of the parts box at 80 columns (cells are padded by one each side)


@dataclass(frozen=True, slots=True)
class Part:
    """One tender of the split: what it applies to the total and, for cash, the change."""

    method: str
    amount: Decimal
    applied: Decimal
    change: Decimal
    reference: str | None = None
    points: int = 0  # points a points part spends
    installments: int = 1  # an on-account part: in how many installments the customer pays


class PaymentScreen(PosScreen):
    """Type an amount (pre-filled with what remains), F8 adds it as cash, F9 as card; Del
    removes the last part; Enter or F10 posts once the parts cover the total. Esc goes back to
    the sale with nothing posted. Dismisses with the core's SaleResult."""

    AUTO_FOCUS = "#tender"

    DEFAULT_CSS = """
    PaymentScreen #pay-invoice { display: none; height: auto; padding: 0 1; color: $text-warning; }
    PaymentScreen.-invoice #pay-invoice { display: block; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        bind("payment.cash", "cash", N_("Cash"), N_("Add the typed amount as cash")),
        bind("payment.card", "card", N_("Card"), N_("Add the typed amount as a card payment")),
        bind("payment.points", "points", N_("Points"), N_("Add the typed amount paid with the member's points")),
        bind("payment.store_credit", "store_credit", N_("Credit"), N_("Add the typed amount from store credit")),
        bind(
            "payment.gift_card", "gift_card", N_("Gift card"), N_("Add the typed amount from a gift card"), show=False
        ),
        bind(
            "payment.on_account", "on_account", N_("On account"), N_("Put the typed amount on the customer's account")
        ),
        bind("payment.invoice", "invoice", N_("Invoice"), N_("Ask for an invoice of this sale (VKN/TCKN or account)")),
        bind("payment.remove", "remove", N_("Remove"), N_("Remove the last payment"), priority=True),
        bind("payment.complete", "complete", N_("Post"), N_("Post the sale when the payments cover it")),
        bind("app.back", "back", N_("Back"), N_("Back to the sale; nothing is posted")),
    ]

    def __init__(self, cart: Cart) -> None:
        super().__init__()
        self.cart = cart
        self.total = cart.total
        self.parts: list[Part] = []
        self.posting = False
        self.account: Any = None  # the PickedAccount the sale is on (or will default to)

    @property
    def paid(self) -> Decimal:
        return sum((p.applied for p in self.parts), ZERO)

    @property
    def remaining(self) -> Decimal:
        return self.total - self.paid

    def compose(self) -> ComposeResult:
        yield StatusLine(id="status")
        with Horizontal(id="payment-main"):
            with Vertical(id="parts-box"):
                yield Label(_("Payments"), classes="section-title")
                table: DataTable[Text] = DataTable(id="parts", cursor_type="none")
                table.can_focus = False
                yield table
            with Vertical(id="payment-side"):
                yield Label(_("TOTAL"), classes="figure-label")
                yield Digits(format_money(self.total, self.language), id="pay-total")
                yield Label(_("STILL TO PAY"), classes="figure-label", id="remaining-label")
                yield Digits("", id="pay-remaining")
                yield Static("", id="pay-summary")
                yield Static("", id="pay-account")
        with Horizontal(id="scan-row"):
            yield Label(_("Amount"), id="tender-label")
            yield TillInput(id="tender", select_on_focus=True)
        yield Static("", id="pay-invoice")
        yield Static("", id="message")
        yield KeyBar()

    def on_mount(self) -> None:
        # Fixed widths that fit the parts box at 80 columns (about 50) with four-digit amounts
        # (1.599,60) and the Turkish headers; the reference takes what is left, cut with "…".
        # What was handed over for cash is the amount plus the change (the summary adds it up).
        table = self.query_one("#parts", DataTable)
        table.styles.overflow_x = "hidden"
        table.add_column(_("Method"), key="method", width=METHOD_WIDTH)
        table.add_column(Text(_("Amount"), justify="right"), key="amount", width=MONEY_WIDTH)
        table.add_column(Text(_("Change"), justify="right"), key="change", width=MONEY_WIDTH)
        table.add_column(_("Reference"), key="reference", width=REFERENCE_WIDTH)
        self.account = self.default_account()
        self.refresh_parts()
        self.show_invoice()

    def refresh_parts(self) -> None:
        lang = self.language
        table = self.query_one("#parts", DataTable)
        table.clear()
        for part in self.parts:
            table.add_row(
                Text(method_label(part.method), no_wrap=True, overflow="ellipsis"),
                Text(format_money(part.applied, lang), justify="right"),
                Text(format_money(part.change, lang) if part.change else "", justify="right"),
                Text(part.reference or "", no_wrap=True, overflow="ellipsis"),
            )
        remaining = self.remaining
        change = sum((p.change for p in self.parts), ZERO)
        covered = remaining <= 0
        self.query_one("#remaining-label", Label).update(_("CHANGE") if covered else _("STILL TO PAY"))
        self.query_one("#pay-remaining", Digits).update(format_money(change if covered else remaining, lang))
        self.set_class(covered, "-covered")
        self.query_one("#pay-summary", Static).update(
            _("Paid {paid} in {n} part(s)").format(paid=format_money(self.paid, lang), n=len(self.parts))
        )
        self.show_account()
        tender = self.query_one("#tender", Input)
        tender.value = "" if covered else format_money(remaining, lang)  # 1.599,60: parse_money reads it back
        tender.select_all()  # typing replaces the suggested amount
        if covered:
            post = pos_app(self).key_label("payment.complete")
            self.show_note(_("Covered. Enter or {key} posts the sale.").format(key=post))

    def _typed_amount(self) -> Decimal | None:
        text = self.query_one("#tender", Input).value
        try:
            amount = parse_typed_money(text, _("amount"))
        except ValidationError as exc:
            self.show_error(exc.message)
            return None
        if amount <= 0:
            self.show_error(_("Type an amount above zero"))
            return None
        if self.remaining <= 0:
            self.show_error(_("The total is covered; Enter posts the sale, Del removes a payment"))
            return None
        return amount

    def action_cash(self) -> None:
        amount = self._typed_amount()
        if amount is None:
            return
        applied = min(amount, self.remaining)
        self.parts.append(Part("cash", amount, applied, amount - applied))
        self.clear_message()
        self.refresh_parts()

    def action_card(self) -> None:
        from pos_tui.tui.dialogs.views import CardDialog

        amount = self._typed_amount()
        if amount is None:
            return
        if amount > self.remaining:
            self.show_error(_("A card payment cannot be more than what is still to pay; only cash may be more"))
            return

        def approved(reference: str | None) -> None:
            if reference is not None:
                self.parts.append(Part("card", amount, amount, ZERO, reference or None))
                self.clear_message()
                self.refresh_parts()

        self.app.push_screen(CardDialog(amount, self.language), approved)

    @property
    def reward_points(self) -> int:
        """Points the rewards on the cart take when the sale posts (points cannot pay them twice)."""
        return sum(b.points for b in self.cart.benefits if b.kind == "reward")

    @property
    def reward_discount(self) -> Decimal:
        """What the discount rewards on the cart took off: they share the points cap."""
        from pos_tui.core.loyalty import discount_rewards_in

        return discount_rewards_in(self.cart.benefits)

    def _points_for(self, amount: Decimal) -> int | None:
        """The points paying ``amount``, after the rewards' points and the points parts already
        added; None (with the tender's reason shown) when the member may not pay it. When a
        smaller amount fits (whole multiples of ``redeem_multiple``, the cap, the free points),
        it is put in the amount field: pressing the points key again takes it."""
        from pos_tui.core.loyalty import check_points_payment, points_payable

        member_id = self.cart.member_id
        if member_id is None:
            return None
        earlier = sum(p.points for p in self.parts)
        now = self.session.now()
        try:
            return check_points_payment(
                member_id,
                amount,
                total=self.total,
                now=now,
                reserved=self.reward_points + earlier,
                already=earlier,
                tz=self.session.tz,
                reward_discount=self.reward_discount,
            )
        except PosError as exc:
            message = exc.message
        try:
            offer = points_payable(
                member_id,
                total=self.total,
                most=min(amount, self.remaining),
                now=now,
                reserved=self.reward_points + earlier,
                already=earlier,
                tz=self.session.tz,
                reward_discount=self.reward_discount,
            )
        except PosError:
            offer = ZERO
        if ZERO < offer < amount:
            tender = self.query_one("#tender", Input)
            tender.value = format_money(offer, self.language)
            tender.select_all()
            key = pos_app(self).key_label("payment.points")
            message += "\n" + _("Points can pay {amount}: press {key} to take it.").format(
                amount=format_money(offer, self.language), key=key
            )
        self.show_error(message)
        return None

    def _add_loyalty(self, method: str, reference: str | None = None) -> None:
        """A points, store credit or gift card part: never more than what is still to pay.
        Points are checked here (cap, balance after the rewards on the cart); the store credit
        and the card are checked by the tender when the sale posts; a refusal shows here with
        the reason and nothing is posted."""
        amount = self._typed_amount()
        if amount is None:
            return
        if amount > self.remaining:
            self.show_error(_("Only cash may be more than what is still to pay"))
            return
        points = 0
        if method == "points":
            found = self._points_for(amount)
            if found is None:
                return
            points = found
        self.parts.append(Part(method, amount, amount, ZERO, reference, points))
        self.clear_message()
        self.refresh_parts()

    # -- on account ----------------------------------------------------------------------------------

    def default_account(self) -> Any:
        """The account the sale already names, for the on-account key to default to (None: ask).

        The hook for a sale that carries an account before payment (the price-list account chosen
        on the sale screen): the cart's ``account`` (its ``party_id``) when the cart has one, else
        the party of the sale's customer row (``cart.customer_id``, which such a sale also sets).
        A quick read on the UI thread; an error leaves it to the picker."""
        from pos_tui.core import accounts
        from pos_tui.tui.dialogs.accounts_pick import account_status

        party_id = getattr(getattr(self.cart, "account", None), "party_id", None)
        try:
            if party_id is None and self.cart.customer_id is not None:
                party_id = accounts.party_of_customer(self.cart.customer_id)
            if party_id is None:
                return None
            party = accounts.get_party(int(party_id))
            if not (party.active and party.is_customer):
                return None
            return account_status(party)
        except PosError:
            return None

    def on_account_part(self) -> Part | None:
        return next((p for p in self.parts if p.method == "on_account"), None)

    def show_account(self) -> None:
        """The account's code, name and figures beside the total (once one is picked or the sale
        names one), a line each: the side column is narrow at 80 columns."""
        from rich.table import Table

        line = self.query_one("#pay-account", Static)
        account = self.account
        if account is None:
            line.update("")
            return
        lang = self.language
        grid = Table.grid(expand=True)
        grid.add_column(no_wrap=True, overflow="ellipsis", ratio=1)
        grid.add_column(justify="right", no_wrap=True)
        grid.add_row(Text(_("Account {code}").format(code=account.party.code), style="bold"), "")
        grid.add_row(Text(account.party.name), "")
        grid.add_row(_("Balance"), format_money(account.balance, lang))
        grid.add_row(_("Limit"), format_money(account.limit, lang))
        available = account.available if account.available is not None else ZERO
        grid.add_row(_("Available"), format_money(available, lang))
        part = self.on_account_part()
        if part is not None and part.installments > 1:
            grid.add_row(
                ngettext("{n} installment", "{n} installments", part.installments).format(n=part.installments), ""
            )
        line.update(grid)

    def action_on_account(self) -> None:
        """Pick the account (or take the sale's), then the amount and installments; adds the part.

        A sale made to an account (Ctrl+A) goes on that account only: the picker is skipped and the
        dialog's other-account key refuses with the reason (the core refuses it too). Picking an
        account with a price list for a sale made to nobody makes the sale to that account first:
        the lines are re-priced from its list, the note says so with the new total, and the amount
        asked is the new remainder, for the cashier to confirm."""
        from pos_tui.core import accounts
        from pos_tui.tui.dialogs.accounts_pick import AccountPickDialog, PickedAccount, account_status

        if self.on_account_part() is not None:
            key = pos_app(self).key_label("payment.remove")
            self.show_error(_("The sale is already on an account; {key} removes that payment").format(key=key))
            return
        amount = self._typed_amount()
        if amount is None:
            return
        if amount > self.remaining:
            self.show_error(_("Only cash may be more than what is still to pay"))
            return

        def ask(account: PickedAccount | None) -> None:
            if account is not None:
                self._reprice_then(account, lambda fresh, note: self._ask_amount(fresh, amount, note))

        if self.account is not None:
            try:  # the figures of this moment, not of when the screen opened
                ask(account_status(accounts.get_party(self.account.party.id)))
            except PosError as exc:
                self.show_error(exc.message)
            return
        self.app.push_screen(AccountPickDialog(accounts.CUSTOMER, language=self.language), ask)

    def _locked(self) -> str | None:
        """Why the on-account part cannot go on another account: the sale is made to its account."""
        from pos_tui.core import accounts

        account = self.cart.account
        if account is None:
            return None
        key = pos_app(self).key_label("sale.account")
        return str(accounts.payments.other_account_message(account.code, key))

    def _ask_amount(self, account: Any, amount: Decimal, note: str | None = None) -> None:
        """The on-account dialog for ``account``: the amount (at most what is still to pay) and installments."""
        from pos_tui.tui.dialogs.accounts_money_dialogs import OnAccountDialog, OnAccountRequest

        remaining = self.remaining
        if remaining <= 0:
            return
        if note is not None:  # re-priced: the new remainder, for the cashier to confirm
            amount = remaining
        amount = min(amount, remaining)

        def added(request: OnAccountRequest | None) -> None:
            if request is None:
                return
            if self.cart.account is None and request.account.party.price_list:
                # another account with a price list was picked in the dialog: re-price, then ask again
                self._reprice_then(request.account, lambda fresh, note: self._ask_amount(fresh, self.remaining, note))
                return
            self.account = request.account
            code = request.account.party.code
            self.parts.append(
                Part("on_account", request.amount, request.amount, ZERO, code, installments=request.installments)
            )
            self.clear_message()
            self.refresh_parts()

        dialog = OnAccountDialog(account, amount, remaining, self.language, locked=self._locked(), note=note)
        self.app.push_screen(dialog, added)

    def _reprice_then(self, account: Any, then: Any) -> None:
        """Make the sale to ``account`` first when it has a price list and the sale has no account
        (the till's :func:`~pos_tui.core.till.carts.set_account`: the lines are re-priced from the
        list), say so with the new total, then ``then(account, note)``; otherwise ``then(account, None)``."""
        from pos_tui.core import till
        from pos_tui.core.basket import Cart as _Cart
        from pos_tui.core.kernel import Override

        if self.cart.account is not None or not account.party.price_list:
            then(account, None)
            return
        session, actor = self.session, self.session.require_actor()
        party_id = account.party.id

        def apply(override: Override | None) -> _Cart:
            return till.set_account(
                session.terminal, actor, party_id, now=session.now(), tz=session.tz, override=override
            )

        def done(cart: _Cart) -> None:
            self.cart, self.total, self.account = cart, cart.total, account
            self.query_one("#pay-total", Digits).update(format_money(self.total, self.language))
            self.refresh_parts()
            self.show_invoice()
            note = _("Prices recalculated from the {list} list: new total {total}").format(
                list=account.party.price_list, total=format_money(self.total, self.language)
            )
            self.show_note(note)
            if self.remaining > 0:
                then(account, note)
            elif self.remaining < 0:  # the payments already added are more than the new total
                key = pos_app(self).key_label("payment.remove")
                self.show_error(
                    _("{note}; the payments are more than that: {key} removes a payment").format(note=note, key=key)
                )

        pos_app(self).with_override(apply, done, self.failed)

    # -- invoice -------------------------------------------------------------------------------------

    def show_invoice(self) -> None:
        """The line above the messages: the invoice asked for, or the hint that the total passes the
        invoice threshold (a suggestion: the sale may be posted without one)."""
        from pos_tui.tui.invoicing import InvoiceRequest, threshold_hint

        request = self.session.invoice_request
        line = self.query_one("#pay-invoice", Static)
        text = ""
        if isinstance(request, InvoiceRequest):
            text = _("Invoice for {buyer}: issued when the sale is posted").format(buyer=request.label())
        else:
            text = threshold_hint(self.total, self.session, self.language, pos_app(self).key_label("payment.invoice"))
        line.update(text)
        self.set_class(bool(text), "-invoice")

    def action_invoice(self) -> None:
        """Ask for an invoice of this sale: the buyer typed, or an account (the sale's own, filled in).
        The request stays with the cart; the invoice is issued once the sale is posted."""
        from pos_tui.tui.dialogs.invoice import NO_INVOICE, InvoiceDialog
        from pos_tui.tui.invoicing import InvoiceRequest

        if self.posting:
            return
        current = self.session.invoice_request
        party = None if self.account is None else self.account.party

        def asked(request: InvoiceRequest | None) -> None:
            if request is None:
                return
            self.session.invoice_request = None if request == NO_INVOICE else request
            self.show_invoice()
            if request == NO_INVOICE:
                self.show_note(_("No invoice for this sale"))
            else:
                self.show_note(_("Invoice asked for {buyer}").format(buyer=request.label()))

        dialog = InvoiceDialog(
            request=current if isinstance(current, InvoiceRequest) else None,
            party=party,
            total=format_money(self.total, self.language),
            droppable=current is not None,
        )
        self.app.push_screen(dialog, asked)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Points and store credit only when the sale has a member (hidden otherwise)."""
        if action in ("points", "store_credit"):
            return self.cart.member_id is not None
        return True

    def action_points(self) -> None:
        self._add_loyalty("points")

    def action_store_credit(self) -> None:
        self._add_loyalty("store_credit")

    def action_gift_card(self) -> None:
        from pos_tui.tui.dialogs.prompts import ReasonDialog

        if self._typed_amount() is None:
            return

        def with_code(code: str | None) -> None:
            if code:
                self._add_loyalty("gift_card", code.strip())

        self.app.push_screen(ReasonDialog(_("Gift card"), _("Scan or type the gift card's code")), with_code)

    def action_remove(self) -> None:
        if self.parts:
            self.parts.pop()
            self.clear_message()
            self.refresh_parts()

    @on(Input.Submitted, "#tender")
    def _submitted(self) -> None:
        if self.remaining <= 0:
            self.action_complete()
        else:
            app = pos_app(self)
            self.show_note(
                _("{cash} adds the amount as cash, {card} as card").format(
                    cash=app.key_label("payment.cash"), card=app.key_label("payment.card")
                )
            )

    def action_complete(self) -> None:
        from pos_tui.tui.payments import card, cash, complete_sale_call
        from pos_tui.tui.printing import station_of

        if self.posting:
            return
        if self.remaining > 0:
            self.show_error(_("{amount} is still to pay").format(amount=format_money(self.remaining, self.language)))
            return
        payments = [self._payment(p, cash, card) for p in self.parts]
        self.posting = True
        self.show_note(_("Posting the sale…"))
        app = pos_app(self)
        # Fiscal mode: the device registers the sale inside the posting (a worker thread: it blocks); its
        # FiscalError comes back to failed() and this screen stays open with the payments entered.
        fiscal = station_of(app).fiscal_hook(self.session.now)
        # On account, the core may refuse past the credit limit (or a cashier without "on_account"): the
        # supervisor's PIN is asked and the sale posted again with their override (journalled by the core).
        overridable = self.on_account_part() is not None
        app.call_core(complete_sale_call(self.session, payments, target=self, fiscal=fiscal, overridable=overridable))

    def _payment(self, part: Part, cash: Any, card: Any) -> Any:
        from pos_tui.core.basket import PaymentInput

        if part.method == "cash":
            return cash(part.amount)
        if part.method == "card":
            return card(part.amount, part.reference)
        if part.method == "gift_card":
            return PaymentInput("gift_card", part.amount, details={"code": part.reference})
        if part.method == "points":
            details = {"reserved_points": self.reward_points, "reward_discount": str(self.reward_discount)}
            return PaymentInput("points", part.amount, details=details)
        if part.method == "on_account":
            details = {"account": part.reference, "installments": part.installments}
            return PaymentInput("on_account", part.amount, details=details)
        return PaymentInput(part.method, part.amount)

    @on(SaleCompleted)
    def _completed(self, event: SaleCompleted) -> None:
        self.dismiss(event.result)

    def failed(self, error: PosError) -> None:
        self.posting = False
        super().failed(error)

    def action_back(self) -> None:
        if not self.posting:
            self.dismiss(None)

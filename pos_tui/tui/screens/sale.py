"""The sale screen: scan, see the cart and the total, take the money, next customer.

The scan field never loses focus; every other part is driven by function keys (see
:data:`~pos_tui.tui.keymap.DEFAULT_KEYS`). Cart changes are quick single-row writes and
run on the UI thread (a scan must be on screen within a frame); posting a sale, reports and
returns run in thread workers. The cart is saved by the core on every change, so no error,
logout or crash loses it.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Digits, Label, Static

from pos_tui.core import till
from pos_tui.core.basket import Cart, Discount
from pos_tui.core.kernel import Override, PosError, format_money, format_quantity
from pos_tui.i18n import _
from pos_tui.tui.base import pos_app
from pos_tui.tui.capabilities import ScanReceiver
from pos_tui.tui.commands import ProductCommands
from pos_tui.tui.invoicing import InvoiceDone
from pos_tui.tui.keymap import N_, bind
from pos_tui.tui.messages import CashMoved, ItemScanned, ReceiptReady, ReportReady, SaleCompleted
from pos_tui.tui.screens.base import PosScreen
from pos_tui.tui.widgets.cart_table import CartTable
from pos_tui.tui.widgets.device_status import DeviceStatusBar
from pos_tui.tui.widgets.keybar import KeyBar
from pos_tui.tui.widgets.last_item import LastItemPanel
from pos_tui.tui.widgets.member_panel import MemberPanel
from pos_tui.tui.widgets.paint import paint_now
from pos_tui.tui.widgets.scan_input import ScanInput, split_multiplier
from pos_tui.tui.widgets.status import StatusLine
from pos_tui.tui.widgets.totals import TotalsPanel

VOID_REASONS = (N_("Scanned by mistake"), N_("Customer changed their mind"), N_("Damaged"), N_("Wrong price"))


class SaleScreen(PosScreen, ScanReceiver):
    """Scan field, cart table, last item, totals with KDV, and the keys in the footer.

    Scanners and card readers reach it as the till's :class:`ScanReceiver` (:mod:`pos_tui.tui.devices`)."""

    AUTO_FOCUS = "#scan"
    COMMANDS: ClassVar[set[Any]] = {ProductCommands}

    BINDINGS: ClassVar[list[BindingType]] = [
        bind("sale.customer", "customer", N_("Customer"), N_("Attach a customer to this sale")),
        bind("sale.search", "search", N_("Search"), N_("Find a product by name or code")),
        bind("sale.return", "return", N_("Return"), N_("Return items from a receipt")),
        bind("sale.park", "park", N_("Park"), N_("Park this cart, or resume a parked one when empty")),
        bind("sale.discount", "discount", N_("Discount"), N_("Discount the selected line or the cart")),
        bind("sale.quantity", "quantity", N_("Qty"), N_("Change the quantity of the selected line")),
        bind("sale.void_line", "void", N_("Void"), N_("Void the selected line (asks a reason)"), priority=True),
        bind("sale.cash", "cash", N_("Cash"), N_("Take cash for the total")),
        bind("sale.card", "card", N_("Card"), N_("Take the total by card")),
        bind("sale.payment", "payment", N_("Pay"), N_("Split the payment over cash and card")),
        bind("sale.menu", "menu", N_("Menu"), N_("Reports, cash in/out, receipts, close the shift")),
        bind("sale.coupon", "coupon", N_("Coupon"), N_("Enter or remove a coupon code")),
        bind("sale.rewards", "rewards", N_("Rewards"), N_("Give the member a reward for points")),
        # priority: the scan field (an Input) would take Ctrl+A as "go to the start". Not in the
        # footer (full at 80×24; a priority binding would come first and move every key): the
        # README's key table and the cart's header, which names the account, say it.
        bind(
            "sale.account",
            "account",
            N_("Account"),
            N_("Sell to a customer account at its prices"),
            show=False,
            priority=True,
        ),
        bind("sale.line_up", "line(-1)", N_("Line up"), N_("Select the line above"), show=False),
        bind("sale.line_down", "line(1)", N_("Line down"), N_("Select the line below"), show=False),
        bind("app.back", "clear", N_("Clear"), N_("Clear the scan field and the message"), show=False),
        bind(
            "sale.print_retry",
            "print_retry",
            N_("Retry print"),
            N_("Print the receipts waiting for the printer now"),
            show=False,  # the device line names the key while jobs wait
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.cart = Cart()
        self.posting = False
        self.shown_member: int | None = None  # the member whose profile the panel shows

    def compose(self) -> ComposeResult:
        lang = self.language
        yield StatusLine(id="status")
        yield DeviceStatusBar(id="device-status")
        with Horizontal(id="sale-main"):
            yield CartTable(lang, id="cart")
            with Vertical(id="side"):
                yield MemberPanel(lang, id="member")
                parties = Static("", id="sale-parties")  # a member and an account: who is who
                parties.display = False
                yield parties
                yield LastItemPanel(lang, id="last-item")
                yield TotalsPanel(lang, id="totals")
                with Vertical(id="change-box"):
                    yield Label(_("CHANGE"), id="change-label")
                    yield Digits("", id="change")
                    yield Static("", id="change-detail")
        with Horizontal(id="scan-row"):
            yield Label("", id="multiplier")
            yield ScanInput(id="scan", on_scan=self.scanned)
        yield Static("", id="message")
        yield KeyBar()

    def on_mount(self) -> None:
        actor = self.session.require_actor()
        self.show_cart(till.load_open_cart(self.session.terminal, actor.user_id), follow=True)

    # -- showing the cart -----------------------------------------------------------------------

    def show_cart(self, cart: Cart, *, follow: bool = True, select: int | None = None) -> None:
        """Put ``cart`` on screen: table rows, last item, totals and KDV."""
        self.cart = cart
        totals = cart.totals()
        self.query_one(CartTable).show(cart, totals, follow=follow, select=select)
        self.query_one(LastItemPanel).show(cart.last_line)
        self.query_one(TotalsPanel).show(cart, totals)
        self.set_class(False, "-change")
        if cart.is_empty and self.session.invoice_request is not None:
            self.session.invoice_request = None  # the invoice asked for goes with the cart it was asked for
        if cart.member_id != self.shown_member:
            self.show_member(cart.member_id)
        self.show_parties(cart)
        self.check_threshold(cart)

    threshold_hinted = False  # the cart's total passed the invoice threshold and the cashier was told

    def threshold_text(self, cart: Cart) -> str:
        """The invoice-threshold hint for ``cart`` ("" below it, or when an invoice is already asked for)."""
        from pos_tui.tui.invoicing import threshold_hint

        if cart.is_empty or self.session.invoice_request is not None:
            return ""
        app = pos_app(self)
        keys = f"{app.key_label('sale.payment')} → {app.key_label('payment.invoice')}"
        return threshold_hint(cart.total, self.session, self.language, keys)

    def check_threshold(self, cart: Cart) -> None:
        """Once, when the cart's total first passes the invoice threshold: a notification that an invoice
        may be asked for (F10 → F4). A suggestion: nothing waits for it."""
        hint = self.threshold_text(cart)
        if not hint:
            self.threshold_hinted = False  # below it again (a line voided): told again when it passes
            return
        if not self.threshold_hinted:
            self.threshold_hinted = True
            self.app.notify(hint, timeout=8)

    def show_parties(self, cart: Cart) -> None:
        """With both a loyalty member and a customer account on the sale, say who is who: the
        account is the sale's customer (its prices, its receipt and debt), the member earns the
        points. Hidden otherwise (the cart's header names an account alone)."""
        line = self.query_one("#sale-parties", Static)
        both = cart.account is not None and cart.member_id is not None
        line.display = both
        if both:
            assert cart.account is not None
            line.update(_("Customer: account {code}\nMember: earns the points").format(code=cart.account.code))

    def show_member(self, member_id: int | None) -> None:
        """Show ``member_id``'s profile beside the cart (or hide the panel). Read only when the
        member changes: the figures do not move while items are scanned."""
        from pos_tui.core.kernel import shop_day
        from pos_tui.core.loyalty import members, rules

        panel = self.query_one(MemberPanel)
        profile = None
        if member_id is not None:
            session = self.session
            tz = session.settings.shop.timezone
            try:
                profile = members.member_profile(
                    member_id, as_of=shop_day(session.now(), tz), program=rules.active_program(), tz=tz
                )
            except PosError as exc:
                self.show_error(exc.message)
        self.shown_member = member_id
        self.refresh_bindings()  # the rewards key shows only with a member
        panel.show(profile)
        self.set_class(profile is not None, "-member")

    def selected_line_no(self) -> int | None:
        line = self.query_one(CartTable).selected_line
        return None if line is None else line.line_no

    def run_cart_change(
        self,
        action: Callable[[Override | None], Cart],
        *,
        select: int | None = None,
        discount_pct: Decimal | None = None,
    ) -> None:
        """Apply one cart change on the UI thread, asking a supervisor when it needs one."""

        def done(cart: Cart) -> None:
            self.clear_message()
            self.show_cart(cart, follow=True, select=select)

        pos_app(self).with_override(action, done, self.failed, discount_pct=discount_pct)

    # -- scanning --------------------------------------------------------------------------------

    @on(ItemScanned)
    def _scanned(self, event: ItemScanned) -> None:
        event.stop()
        self.scanned(event)

    def scanned(self, event: ItemScanned) -> None:
        """An entry from the scan field: add the item, or keep the multiplier, or say why not.

        The scan field calls this from its Enter handler rather than posting a message, so
        the cart's write and every widget's update happen in one go, and they are painted
        there and then (:func:`paint_now`): the emptied field, the new line and the totals
        reach the terminal together, without waiting for Textual's idle hops and frame timer."""
        self._scanned_entry(event)
        paint_now(self)

    def _scanned_entry(self, event: ItemScanned) -> None:
        if not self.scan_entry(event):
            return
        if self.posting:
            self.show_error(_("Wait: the sale is being posted"))
            return
        self.add_code(event.code, event.qty_milli)

    def add_code(self, code: str, qty_milli: int | None) -> None:
        session = self.session
        actor = session.require_actor()
        masks = session.settings.scale_labels
        scale = pos_app(self).devices.scale
        if qty_milli is None and scale is not None:
            from pos_tui.tui.dialogs.weigh import open_weighing

            if open_weighing(self, code, scale):  # sold by weight: the weighing dialog adds it
                return

        def add(override: Override | None) -> Cart:
            return till.add_item(
                session.terminal,
                actor,
                code,
                qty_milli,
                now=session.now(),
                tz=session.tz,
                masks=masks,
                override=override,
            )

        self.run_cart_change(add)

    # -- keys ------------------------------------------------------------------------------------

    def action_line(self, delta: int) -> None:
        self.query_one(CartTable).move_selection(delta)

    def action_clear(self) -> None:
        scan = self.query_one(ScanInput)
        scan.value = ""
        scan.pending_qty = None
        self.query_one("#multiplier", Label).update("")
        self.clear_message()

    def action_customer(self) -> None:
        """F2: find, enrol or detach the sale's loyalty member."""
        from pos_tui.tui.dialogs.customer import CustomerChoice, CustomerDialog

        if self.posting:
            self.show_error(_("Wait: the sale is being posted"))
            return
        panel = self.query_one(MemberPanel)
        current = None if panel.profile is None else str(panel.profile.get("name") or "")
        session, actor = self.session, self.session.require_actor()

        def chosen(choice: CustomerChoice | None) -> None:
            if choice is None:
                if dialog.points_changed:  # a transfer, donation or adjustment: re-read the member's figures
                    self.show_member(self.cart.member_id)
                return
            member_id = choice.member_id

            def attach(override: Override | None) -> Cart:
                return till.set_member(
                    session.terminal, actor, member_id, now=session.now(), tz=session.tz, override=override
                )

            self.run_cart_change(attach, select=self.selected_line_no())

        member = self.cart.member_id
        dialog = CustomerDialog(current if member is not None else None, member_id=member)
        self.app.push_screen(dialog, chosen)

    def action_account(self) -> None:
        """Ctrl+A: make the sale to a customer account (its price list prices the lines) or clear it."""
        from pos_tui.tui.dialogs.pricelist_account import AccountChoice, AccountDialog

        if self.posting:
            self.show_error(_("Wait: the sale is being posted"))
            return
        account = self.cart.account
        current = None if account is None else f"{account.code} {account.name}"
        session, actor = self.session, self.session.require_actor()

        def chosen(choice: AccountChoice | None) -> None:
            if choice is None:
                return
            party_id = choice.party_id

            def apply(override: Override | None) -> Cart:
                return till.set_account(
                    session.terminal, actor, party_id, now=session.now(), tz=session.tz, override=override
                )

            def done(cart: Cart) -> None:
                self.show_cart(cart, follow=False, select=self.selected_line_no())
                chosen_account = cart.account
                if chosen_account is not None and cart.member_id is not None:
                    self.show_note(
                        _("Sale to {code} (the customer of record); the member stays for the points").format(
                            code=chosen_account.code
                        )
                    )
                elif chosen_account is None:
                    self.show_note(_("Account cleared: catalog prices"))
                elif chosen_account.price_list:
                    self.show_note(
                        _("Sale to {code}: {list} prices").format(
                            code=chosen_account.code, list=chosen_account.price_list
                        )
                    )
                else:
                    self.show_note(_("Sale to {code}").format(code=chosen_account.code))

            pos_app(self).with_override(apply, done, self.failed)

        self.app.push_screen(AccountDialog(current), chosen)

    def take_multiplier(self) -> int | None:
        """The quantity waiting for the next item: ``3*`` entered earlier, or still typed in
        the scan field (``3*`` then F3). Consumed by the call."""
        scan = self.query_one(ScanInput)
        qty, scan.pending_qty = scan.pending_qty, None
        try:
            code, typed = split_multiplier(scan.value)
        except PosError:
            code, typed = scan.value, None
        if not code and typed is not None:
            qty = typed
            scan.value = ""
        self.query_one("#multiplier", Label).update("")
        return qty

    def add_product(self, code: str) -> None:
        """Add a product picked from a list (search, palette) with the waiting multiplier."""
        self.add_code(code, self.take_multiplier())

    def take_scan(self, code: str) -> None:
        """A scanner read ``code`` (the device hub): as if typed and Enter pressed, with the waiting multiplier."""
        self.scanned(ItemScanned(code, self.take_multiplier()))

    def take_card(self, card: str) -> None:
        """A member card selects the customer exactly as the F2 dialog's choice does."""
        from pos_tui.core.loyalty import members

        try:
            # A card reader reads cards: never a phone (an RFID number can look like one).
            member = members.find_member_by_card(card)
        except PosError as exc:
            self.show_error(exc.message)
            return
        if member is None:
            key = pos_app(self).key_label("sale.customer")
            self.show_error(_("No member has card {card}; {key} enrols a new one").format(card=card, key=key))
            return
        session, actor = self.session, self.session.require_actor()
        member_id = member.id

        def attach(override: Override | None) -> Cart:
            return till.set_member(
                session.terminal, actor, member_id, now=session.now(), tz=session.tz, override=override
            )

        self.run_cart_change(attach, select=self.selected_line_no())

    def action_search(self) -> None:
        from pos_tui.tui.dialogs.lists import ProductSearchDialog

        def chosen(product: Any) -> None:
            if product is not None:
                self.add_product(product.code)

        self.app.push_screen(ProductSearchDialog(self.language), chosen)

    def action_void(self) -> None:
        from pos_tui.tui.dialogs.prompts import ReasonDialog

        line_no = self.selected_line_no()
        if line_no is None or self.cart.line(line_no).voided:
            self.show_error(_("Select a line to void with ↑↓"))
            return
        line = self.cart.line(line_no)
        session, actor = self.session, self.session.require_actor()

        def with_reason(reason: str | None) -> None:
            if reason is None:
                return

            def void(override: Override | None) -> Cart:
                return till.void_line(
                    session.terminal, actor, line_no, reason, now=session.now(), tz=session.tz, override=override
                )

            self.run_cart_change(void, select=line_no)

        self.app.push_screen(
            ReasonDialog(
                _("Void line {n}").format(n=line_no),
                _("Why is {name} taken off?").format(name=line.name),
                [_(r) for r in VOID_REASONS],
            ),
            with_reason,
        )

    def action_quantity(self) -> None:
        from pos_tui.tui.dialogs.prompts import QuantityDialog, ReasonDialog

        line_no = self.selected_line_no()
        if line_no is None or self.cart.line(line_no).voided:
            self.show_error(_("Select a line with ↑↓ first"))
            return
        line = self.cart.line(line_no)
        session, actor = self.session, self.session.require_actor()

        def apply(qty: int, reason: str | None) -> None:
            def change(override: Override | None) -> Cart:
                return till.set_quantity(
                    session.terminal,
                    actor,
                    line_no,
                    qty,
                    now=session.now(),
                    tz=session.tz,
                    override=override,
                    reason=reason,
                )

            self.run_cart_change(change, select=line_no)

        def with_qty(qty: int | None) -> None:
            if qty is None or qty == line.qty_milli:
                return
            if qty > line.qty_milli:
                apply(qty, None)
                return
            self.app.push_screen(
                ReasonDialog(_("Lower the quantity"), _("Why are items taken off?"), [_(r) for r in VOID_REASONS]),
                lambda reason: None if reason is None else apply(qty, reason),
            )

        self.app.push_screen(
            QuantityDialog(
                _("Quantity of line {n}").format(n=line_no),
                line.name,
                format_quantity(line.qty_milli, "piece", language=self.language) if line.unit == "piece" else "",
            ),
            with_qty,
        )

    def action_discount(self) -> None:
        from pos_tui.tui.dialogs.discount import DiscountDialog, DiscountRequest

        if self.cart.is_empty:
            self.show_error(_("The cart is empty"))
            return
        lang = self.language
        line_no = self.selected_line_no()
        line = None if line_no is None else self.cart.line(line_no)
        if line is not None and line.voided:
            line = None
        line_label = (
            None
            if line is None
            else _("Line {n}: {name} ({amount})").format(
                n=line.line_no, name=line.name, amount=format_money(line.gross, lang)
            )
        )
        cart_label = _("Whole cart ({amount})").format(amount=format_money(self.cart.discount_base, lang))
        session, actor = self.session, self.session.require_actor()

        def chosen(req: DiscountRequest | None) -> None:
            if req is None:
                return
            pct: Decimal | None = None
            if req.value:
                base = line.gross if req.scope == "line" and line is not None else self.cart.discount_base
                try:
                    pct = Discount(req.kind, req.value).percent_on(base)
                except PosError as exc:
                    self.failed(exc)
                    return
            if req.scope == "line" and line is not None:
                target = line.line_no

                def give(override: Override | None) -> Cart:
                    return till.discount_line(
                        session.terminal,
                        actor,
                        target,
                        req.kind,
                        req.value,
                        now=session.now(),
                        tz=session.tz,
                        override=override,
                    )

                self.run_cart_change(give, select=target, discount_pct=pct)
            else:

                def give_cart(override: Override | None) -> Cart:
                    return till.discount_cart(
                        session.terminal,
                        actor,
                        req.kind,
                        req.value,
                        now=session.now(),
                        tz=session.tz,
                        override=override,
                    )

                self.run_cart_change(give_cart, select=line_no, discount_pct=pct)

        self.app.push_screen(DiscountDialog(line_label, cart_label), chosen)

    def action_park(self) -> None:
        session, actor = self.session, self.session.require_actor()
        if not self.cart.is_empty:
            try:
                till.park_cart(session.terminal, actor, session.now())
            except PosError as exc:
                self.failed(exc)
                return
            self.show_cart(Cart())
            key = pos_app(self).key_label("sale.park")
            self.show_note(_("Cart parked; {key} on an empty cart resumes it").format(key=key))
            return
        try:
            parked = till.list_parked(session.terminal)
        except PosError as exc:
            self.failed(exc)
            return
        if not parked:
            self.show_note(_("No parked carts"))
            return
        from pos_tui.tui.dialogs.lists import ParkedCartsDialog

        def chosen(draft_id: int | None) -> None:
            if draft_id is None:
                return
            try:
                cart = till.resume_cart(session.terminal, draft_id, actor, session.now())
            except PosError as exc:
                self.failed(exc)
                return
            self.show_cart(cart)
            self.show_note(_("Parked cart resumed"))

        self.app.push_screen(
            ParkedCartsDialog(parked, timezone=session.settings.shop.timezone, language=self.language), chosen
        )

    # -- payment ---------------------------------------------------------------------------------

    def _can_pay(self) -> bool:
        if self.cart.is_empty:
            self.show_error(_("The cart is empty"))
            return False
        return True

    def action_cash(self) -> None:
        from pos_tui.tui.dialogs.prompts import AmountDialog

        if not self._can_pay():
            return
        total = self.cart.total
        self._threshold_note()

        def tendered(amount: Decimal | None) -> None:
            if amount is not None:
                from pos_tui.tui.payments import cash

                self.post_sale([cash(amount)])

        self.app.push_screen(
            AmountDialog(
                _("Cash"),
                _("Total {total}. Cash received:").format(total=format_money(total, self.language)),
                total,
                minimum=total,
                language=self.language,
            ),
            tendered,
        )

    def action_card(self) -> None:
        from pos_tui.tui.dialogs.views import CardDialog

        if not self._can_pay():
            return
        total = self.cart.total
        self._threshold_note()

        def approved(reference: str | None) -> None:
            if reference is not None:
                from pos_tui.tui.payments import card

                self.post_sale([card(total, reference)])

        self.app.push_screen(CardDialog(total, self.language), approved)

    def _threshold_note(self) -> None:
        """Paying straight from the sale (cash or card key): the threshold hint on the message line."""
        hint = self.threshold_text(self.cart)
        if hint:
            self.show_note(hint)

    def action_payment(self) -> None:
        from pos_tui.tui.screens.payment import PaymentScreen

        if self._can_pay():
            self.app.push_screen(PaymentScreen(self.cart), self._paid_on_screen)

    def _paid_on_screen(self, result: Any) -> None:
        if result is not None:
            self.sale_done(result)

    def post_sale(self, payments: list[Any]) -> None:
        """Post the open cart with ``payments`` in a worker; :class:`SaleCompleted` comes back.
        Scans wait until it is posted, so no item lands between the total and the receipt."""
        from pos_tui.tui.payments import complete_sale_call
        from pos_tui.tui.printing import station_of

        self.posting = True
        self.show_note(_("Posting the sale…"))
        app = pos_app(self)
        fiscal = station_of(app).fiscal_hook(self.session.now)  # None unless the till has a fiscal device
        app.call_core(complete_sale_call(self.session, payments, target=self, fiscal=fiscal))

    @on(SaleCompleted)
    def _sale_completed(self, event: SaleCompleted) -> None:
        self.posting = False
        self.sale_done(event.result)

    def failed(self, error: PosError) -> None:
        self.posting = False
        super().failed(error)

    def sale_done(self, result: Any) -> None:
        """The sale is posted: show the change big and start the next sale with an empty cart; the
        invoice asked for at payment is issued in a worker (the sale stands whatever it says)."""
        lang = self.language
        change = result.change
        request, self.session.invoice_request = self.session.invoice_request, None
        self.show_cart(Cart())
        self.query_one("#change", Digits).update(format_money(change, lang))
        self.query_one("#change-detail", Static).update(
            _("Receipt {no} · total {total}").format(no=result.receipt_no, total=format_money(result.total, lang))
        )
        self.set_class(True, "-change")
        self.show_note(
            _("Sale {no} done. Change: {change}").format(no=result.receipt_no, change=format_money(change, lang))
        )
        from pos_tui.tui.printing import after_sale

        after_sale(self, result)  # the receipt to the print queue (never awaited) and on screen
        pos_app(self).refresh_sync(sale=True)  # to the centre within seconds, when this till has one
        if request is not None:
            self.issue_invoice(result, request)

    def issue_invoice(self, result: Any, request: Any) -> None:
        from pos_tui.tui.invoicing import invoice_call

        call = invoice_call(self.session, [result.sale_id], request, self, receipt=str(result.receipt_no))
        pos_app(self).call_core(call)

    @on(InvoiceDone)
    def _invoice_done(self, event: InvoiceDone) -> None:
        from pos_tui.tui.invoicing import failed_note, issued_note

        outcome = event.outcome
        if outcome.invoice is not None:
            note = issued_note(outcome.invoice)
            self.show_note(note)
            self.app.notify(note, timeout=8)
        else:
            key = pos_app(self).key_label("sale.menu")
            text = failed_note(outcome.receipt, outcome.error or "")
            text += " " + _("({key} → Receipts issues it again)").format(key=key)
            self.show_error(text)
            self.app.notify(text, severity="error", timeout=15)
        pos_app(self).refresh_einvoice()

    @on(ReceiptReady)
    def _receipt_ready(self, event: ReceiptReady) -> None:
        from pos_tui.tui.dialogs.receipt_preview import ReceiptPreview

        self.app.push_screen(ReceiptPreview(event.job, event.document, event.printer_note))

    # -- elsewhere -------------------------------------------------------------------------------

    def action_return(self) -> None:
        from pos_tui.tui.screens.returns import ReturnScreen

        self.app.push_screen(ReturnScreen())

    @on(ReportReady)
    def _report(self, event: ReportReady) -> None:
        from pos_tui.tui.dialogs.views import ReportDialog

        self.clear_message()
        self.app.push_screen(ReportDialog(event.title, event.body))

    @on(CashMoved)
    def _cash_moved(self, event: CashMoved) -> None:
        move = event.result
        labels = {
            "paid_in": _("Paid in"),
            "paid_out": _("Paid out"),
            "no_sale": _("Drawer opened (no sale)"),
            "gift_card": _("Gift card paid in cash"),
        }
        text = labels.get(move.kind, move.kind)
        if move.amount:
            text += f": {format_money(move.amount, self.language)}"
        self.show_note(text)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Rewards only when the sale has a member (hidden otherwise)."""
        if action == "rewards":
            return self.cart.member_id is not None
        return True

    def _loyalty_dialog(self, dialog: Any) -> None:
        def closed(cart: Cart | None) -> None:
            if cart is not None:
                self.show_cart(cart, follow=False, select=self.selected_line_no())

        self.app.push_screen(dialog, closed)

    def action_coupon(self) -> None:
        """Coupon codes on this receipt (see :mod:`pos_tui.tui.dialogs.loyalty_entry`)."""
        from pos_tui.tui.dialogs.loyalty_entry import CouponDialog

        if self.posting:
            self.show_error(_("Wait: the sale is being posted"))
            return
        self._loyalty_dialog(CouponDialog(self.cart, self.language))

    def action_rewards(self) -> None:
        """The member's rewards catalog: give a reward for points, or take one back."""
        from pos_tui.tui.dialogs.loyalty_entry import RewardsDialog

        if self.posting:
            self.show_error(_("Wait: the sale is being posted"))
            return
        self._loyalty_dialog(RewardsDialog(self.cart, self.language))

    def action_print_retry(self) -> None:
        from pos_tui.tui.printing import retry

        retry(self)

    def action_menu(self) -> None:
        from pos_tui.tui.screens.menu import open_menu

        open_menu(self)

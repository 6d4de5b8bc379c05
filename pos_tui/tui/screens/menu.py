"""The F12 menu of the sale screen: reports, cash movements, receipts, users, gift cards, closing the shift.

Each entry starts a dialog and/or a core call whose result comes back to the sale screen as
a message (:class:`ReportReady`, :class:`CashMoved`); permissions are the core's business,
so a cashier who may not do something gets the manager PIN prompt.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from textual import events
from textual.app import ComposeResult
from textual.widgets import OptionList

from pos_tui.core import cash, till
from pos_tui.core.kernel import Override, format_money
from pos_tui.i18n import _
from pos_tui.text import turkish_lower
from pos_tui.tui.base import pos_app
from pos_tui.tui.calls import CoreCall
from pos_tui.tui.dialogs.prompts import ChoiceDialog
from pos_tui.tui.messages import CashMoved, ReportReady

if TYPE_CHECKING:
    from pos_tui.tui.screens.sale import SaleScreen


SHORTCUTS: dict[str, str] = {
    "x": "1",
    "z": "2",
    "paid_in": "3",
    "paid_out": "4",
    "no_sale": "5",
    "receipts": "6",
    "price": "7",
    "cancel": "8",
    "close_shift": "9",
    "gift_cards": "0",
    "users": "a",
    "print_retry": "b",
    "labels": "c",
    "fiscal_z": "d",
    "stock": "s",
    "collect": "t",
    "accounts": "h",
    "agenda": "j",
    "reports": "r",
}
"""Each menu entry's key: its own, the same whoever is logged in and whatever devices the till has
(counting the shown entries gave the eleventh the first one's number)."""


class MenuDialog(ChoiceDialog):
    """The menu: each entry shows its own key from :data:`SHORTCUTS` and is chosen by it.

    All of them on one screen at 80×24 (an admin with a printer queue and a fiscal device sees 19):
    the dialog is wide (no label wraps), the list has no frame and no height cap, and the title has
    no blank line under it; so the frame (2 rows), the title, 19 entries, the error line and a hint
    of one line (:meth:`hint`, in every language under the 72 columns inside the frame) take all 24
    rows: a twentieth entry needs a row taken from elsewhere."""

    def __init__(self, title: str, choices: Any, prompt: str = "") -> None:
        super().__init__(title, choices, prompt)
        self.add_class("wide")

    def on_mount(self) -> None:
        super().on_mount()
        options = self.query_one(OptionList)
        options.styles.max_height = len(self.choices)  # inline: over the stylesheet's cap for every #choices
        options.styles.border = ("none", "black")
        options.styles.padding = 0
        self.query_one(".dialog-title").styles.margin = 0

    def hint(self) -> str:
        return _("↑↓ and Enter, or the key before the entry · Esc: cancel")

    def compose_body(self) -> ComposeResult:
        yield OptionList(*[f"{SHORTCUTS[key]}  {label}" for key, label in self.choices], id="choices")

    def on_key(self, event: events.Key) -> None:
        # a letter's key in either case (Shift or Caps Lock), the Turkish way: "R" is r, "I" is ı
        typed = turkish_lower(event.character or "")
        chosen = {SHORTCUTS[key]: key for key, _label in self.choices}.get(typed)
        if event.character and (chosen is not None or event.character.isdigit()):
            event.prevent_default()  # not ChoiceDialog's: it counts the shown entries
            event.stop()
        if chosen is not None:
            self.dismiss(chosen)


def menu_entries(screen: SaleScreen) -> list[tuple[str, str]]:
    """``(key, label)`` of each entry the logged-in user sees."""
    entries = [
        ("x", _("X report (this shift so far)")),
        ("z", _("Z report (close the day)")),
        # everyone sees it, as the X and Z: without "reports" a supervisor's PIN opens it
        ("reports", _("Reports: sales, margin, stock, accounts, KDV, loyalty")),
        ("paid_in", _("Paid in")),
        ("paid_out", _("Paid out")),
        ("no_sale", _("Open the drawer (no sale)")),
        ("receipts", _("Receipts and reprint")),
        ("price", _("Change the price of the selected line")),
        ("cancel", _("Cancel this sale")),
        ("close_shift", _("Close the shift")),
    ]
    actor = screen.session.require_actor()
    if actor.can("admin"):
        entries.append(("users", _("Users")))
    if actor.can("sell"):  # last, so the entries above keep their numbers
        entries.append(("gift_cards", _("Gift cards and store credit: sell, top up, balance")))
    entries.extend(printing_entries(screen))
    entries.append(("stock", _("Stock: receive goods, adjust, transfer, count, look up")))
    entries.append(("collect", _("Collection: take a customer's payment on account")))
    entries.append(("accounts", _("Accounts: balance, statement, pay a supplier")))
    entries.append(("agenda", _("Agenda: today's tasks and notes")))
    return entries


def printing_entries(screen: SaleScreen) -> list[tuple[str, str]]:
    """The print queue's and the fiscal device's entries (after the others: their numbers stay)."""
    from pos_tui.tui.printing import station_of

    station = station_of(screen.app)
    entries = []
    if station.queue is not None:
        entries.append(("print_retry", _("Printer: print the waiting jobs now ({n})").format(n=station.waiting)))
    entries.append(("labels", _("Print shelf labels for products changed today")))
    if station.fiscal is not None:
        entries.append(("fiscal_z", _("Fiscal device Z report")))
    return entries


def open_menu(screen: SaleScreen) -> None:
    """Show the menu over ``screen`` and run the chosen entry."""

    def chosen(key: str | None) -> None:
        if key is not None:
            ACTIONS[key](screen)

    screen.app.push_screen(MenuDialog(_("Menu"), menu_entries(screen)), chosen)


def _call(
    screen: SaleScreen, run: Callable[[Override | None], Any], reply: Callable[[Any], Any], description: str, group: str
) -> None:
    pos_app(screen).call_core(CoreCall(run=run, reply=reply, target=screen, description=description, group=group))


def x_report(screen: SaleScreen) -> None:
    from pos_tui.tui.printing import station_of
    from pos_tui.tui.render import render_x

    session = screen.session
    actor = session.require_actor()

    def run(override: Override | None) -> Any:
        # Who may take an X is the roles' permission table's ("x_report"), as for the Z.
        report = cash.take_x_report(session.terminal, actor, now=session.now(), override=override)
        station_of(screen.app).print_x(report)  # queued, never awaited; nothing without a printer
        return render_x(report, session.settings)

    _call(screen, run, lambda body: ReportReady(_("X report"), body), _("X report"), "report")


def z_report(screen: SaleScreen) -> None:
    from pos_tui.tui.dialogs.views import ConfirmDialog
    from pos_tui.tui.printing import station_of
    from pos_tui.tui.render import render_z

    session = screen.session
    actor = session.require_actor()

    def run(override: Override | None) -> Any:
        # A cashier without "reports" gets a supervisor's approval: the Z is then the supervisor's,
        # and core journals the override in the Z's own transaction.
        now = session.now()
        report = cash.z_report(session.terminal, actor, now=now, settings=session.settings, override=override)
        # Printed, then the fiscal device's own Z: its failure is shown and does not undo this Z.
        return station_of(screen.app).z_closed(report, render_z(report, session.settings), now)

    def confirmed(yes: bool | None) -> None:
        if yes:
            _call(screen, run, lambda body: ReportReady(_("Z report"), body), _("Z report"), "report")

    def ask(waiting: str) -> None:
        question = _("Close the day on terminal {terminal}? A Z report cannot be undone.").format(
            terminal=session.terminal
        )
        if waiting:
            question = f"{waiting}.\n{question}"
        screen.app.push_screen(ConfirmDialog(_("Z report"), question), confirmed)

    _before_closing(screen, ask)


def _before_closing(screen: SaleScreen, go: Callable[[str], None]) -> None:
    """Before a shift is closed or a Z taken on a till of a centre: when documents wait, try to send
    them first (one sync pass in the app's worker, unless the till is known to be offline), then
    ``go`` with what still waits ("" when nothing does, or the till joined no centre), or, with
    ``[sync] waiting_on_close = "block"``, refuse on the sale screen's error line."""
    from pos_tui.core import sync
    from pos_tui.core.kernel import PosError

    app = pos_app(screen)
    session = screen.session
    try:  # two local reads: on the UI thread, like a cart change
        waiting = sync.waiting_on_close(session.now(), session.settings.sync)
    except PosError as exc:
        _closing_refused(screen, exc.for_till)
        return
    if waiting is None:
        go("")
        return
    state = app.sync_state()
    if state is not None and state.online is False:  # offline: a pass would only wait for a timeout
        _closing_decided(screen, go)
        return
    screen.show_note(_("Sending the waiting documents to the centre…"))
    app.sync_then(lambda: _closing_decided(screen, go))


def _closing_decided(screen: SaleScreen, go: Callable[[str], None]) -> None:
    from pos_tui.core import sync
    from pos_tui.core.kernel import PosError

    session = screen.session
    now = session.now()
    try:
        waiting = sync.check_close(now, session.settings.sync)
    except PosError as exc:  # DocumentsWaiting with "block" (the cashier's words), or a database fault
        _closing_refused(screen, exc.for_till)
        return
    screen.show_note("")
    go("" if waiting is None else waiting.describe(now))


def _closing_refused(screen: SaleScreen, message: str) -> None:
    """On the sale screen's message line, in red with a bell: no pop-up over the scan field."""
    screen.show_error(message)


def _cash_movement(screen: SaleScreen, kind: str) -> None:
    from pos_tui.tui.dialogs.prompts import CashMovementDialog, CashMovementRequest

    session = screen.session
    actor = session.require_actor()
    service = cash.paid_in if kind == "paid_in" else cash.paid_out
    title = _("Paid in") if kind == "paid_in" else _("Paid out")

    def entered(req: CashMovementRequest | None) -> None:
        if req is None:
            return

        def run(override: Override | None) -> Any:
            return service(session.terminal, actor, req.amount, req.reason, now=session.now(), override=override)

        _call(screen, run, CashMoved, title, "cash")

    screen.app.push_screen(CashMovementDialog(title, session.language), entered)


def paid_in(screen: SaleScreen) -> None:
    _cash_movement(screen, "paid_in")


def paid_out(screen: SaleScreen) -> None:
    _cash_movement(screen, "paid_out")


def no_sale(screen: SaleScreen) -> None:
    from pos_tui.tui.dialogs.prompts import ReasonDialog
    from pos_tui.tui.printing import station_of

    session = screen.session
    actor = session.require_actor()

    def entered(reason: str | None) -> None:
        if reason is None:
            return

        def run(override: Override | None) -> Any:
            # The permission is core's: the drawer is kicked (with the slip) only once no_sale was recorded.
            movement = cash.no_sale(session.terminal, actor, reason, now=session.now(), override=override)
            station_of(screen.app).print_no_sale(movement)
            return movement

        _call(screen, run, CashMoved, _("No sale"), "cash")

    screen.app.push_screen(
        ReasonDialog(
            _("Open the drawer"),
            _("Why is the drawer opened without a sale?"),
            [_("Change for a customer"), _("Check the float")],
        ),
        entered,
    )


def receipts(screen: SaleScreen) -> None:
    from pos_tui.tui.screens.receipts import ReceiptsScreen

    screen.app.push_screen(ReceiptsScreen())


def users(screen: SaleScreen) -> None:
    from pos_tui.tui.screens.receipts import UsersScreen

    screen.app.push_screen(UsersScreen())


def cancel_sale(screen: SaleScreen) -> None:
    from pos_tui.core.basket import Cart
    from pos_tui.tui.dialogs.prompts import ReasonDialog

    session = screen.session
    actor = session.require_actor()
    if screen.cart.is_blank:
        screen.show_note(_("The cart is already empty"))
        return

    def entered(reason: str | None) -> None:
        if reason is None:
            return

        def cancel(override: Override | None) -> Cart:
            till.cancel_cart(session.terminal, actor, reason, now=session.now(), override=override)
            return Cart()

        def done(cart: Cart) -> None:
            screen.show_cart(cart)
            screen.show_note(_("Sale cancelled"))

        pos_app(screen).with_override(cancel, done, screen.failed)

    screen.app.push_screen(
        ReasonDialog(
            _("Cancel this sale"), _("Why is the whole sale cancelled?"), [_("Customer left"), _("Customer cannot pay")]
        ),
        entered,
    )


def change_price(screen: SaleScreen) -> None:
    """A new unit price for the selected line, with a reason (``price_override`` or a supervisor)."""
    from pos_tui.core.basket import Cart
    from pos_tui.tui.dialogs.prompts import AmountDialog, ReasonDialog

    session = screen.session
    actor = session.require_actor()
    line_no = screen.selected_line_no()
    if line_no is None or screen.cart.line(line_no).voided:
        screen.show_error(_("Select a line with ↑↓ first"))
        return
    line = screen.cart.line(line_no)

    def priced(price: Decimal | None) -> None:
        if price is None:
            return

        def with_reason(reason: str | None) -> None:
            if reason is None:
                return

            def change(override: Override | None) -> Cart:
                return till.override_price(
                    session.terminal, actor, line_no, price, reason, now=session.now(), tz=session.tz, override=override
                )

            screen.run_cart_change(change, select=line_no)

        screen.app.push_screen(
            ReasonDialog(
                _("Change the price"),
                _("Why does {name} cost differently?").format(name=line.name),
                [_("Shelf label price"), _("Damaged packaging")],
            ),
            with_reason,
        )

    screen.app.push_screen(
        AmountDialog(
            _("Change the price"),
            _("New unit price of {name} (now {price}):").format(
                name=line.name, price=format_money(line.unit_price, session.language)
            ),
            allow_zero=True,
            language=session.language,
        ),
        priced,
    )


def gift_cards(screen: SaleScreen) -> None:
    """Sell, top up or look up a gift card (:mod:`pos_tui.tui.dialogs.giftcard`)."""
    from pos_tui.core.loyalty import mask_code
    from pos_tui.tui.dialogs.giftcard import GiftCardDialog, Mode, mode_choices
    from pos_tui.tui.dialogs.prompts import ChoiceDialog

    def closed(card: Any) -> None:
        if card is not None:  # masked: the message line stays on screen after the customer left
            screen.show_note(
                _("Gift card {code}: {balance}").format(
                    code=mask_code(card.code), balance=format_money(card.balance, screen.language)
                )
            )

    modes: dict[str | None, Mode] = {"issue": "issue", "topup": "topup", "balance": "balance"}

    def chosen(choice: str | None) -> None:
        mode = modes.get(choice)
        if mode is not None:
            screen.app.push_screen(GiftCardDialog(mode, screen.language), closed)
        elif choice == "wallet":
            wallet_topup(screen)

    screen.app.push_screen(ChoiceDialog(_("Gift cards"), mode_choices()), chosen)


def wallet_topup(screen: SaleScreen) -> None:
    """Sell store credit to the sale's member or another one (:mod:`pos_tui.tui.dialogs.wallet_topup`)."""
    from pos_tui.tui.dialogs.wallet_topup import WalletTopUpDialog
    from pos_tui.tui.widgets.member_panel import MemberPanel

    member_id = screen.cart.member_id
    profile = screen.query_one(MemberPanel).profile if member_id is not None else None
    name = None if not profile else str(profile.get("name") or "") or None

    def closed(done: Any) -> None:
        if done is not None:
            screen.show_note(
                _("Store credit of {name}: {total}").format(
                    name=done.name, total=format_money(done.total, screen.language)
                )
            )

    screen.app.push_screen(WalletTopUpDialog(member_id, name, screen.language), closed)


def close_shift(screen: SaleScreen) -> None:
    from pos_tui.tui.dialogs.shift import CloseShiftDialog
    from pos_tui.tui.dialogs.views import ReportDialog
    from pos_tui.tui.render import render_shift_close

    app = pos_app(screen)
    session = screen.session

    def closed(shift: Any) -> None:
        if shift is None:
            return
        body = render_shift_close(shift, session.settings)
        app.push_screen(ReportDialog(_("Shift closed"), body), lambda _none: app.action_logout())

    def count_the_drawer(yes: bool | None = True) -> None:
        if yes:
            app.push_screen(CloseShiftDialog(session.language), closed)

    def ask(waiting: str) -> None:
        if not waiting:
            count_the_drawer()
            return
        from pos_tui.tui.dialogs.views import ConfirmDialog

        question = _("{waiting}. They go when the centre can be reached. Close the shift anyway?").format(
            waiting=waiting
        )
        app.push_screen(ConfirmDialog(_("Close the shift"), question), count_the_drawer)

    _before_closing(screen, ask)


ACTIONS: dict[str, Callable[[SaleScreen], None]] = {
    "x": x_report,
    "z": z_report,
    "paid_in": paid_in,
    "paid_out": paid_out,
    "no_sale": no_sale,
    "receipts": receipts,
    "gift_cards": gift_cards,
    "price": change_price,
    "cancel": cancel_sale,
    "close_shift": close_shift,
    "users": users,
    "print_retry": lambda screen: _printing("retry")(screen),
    "labels": lambda screen: _printing("shelf_labels")(screen),
    "fiscal_z": lambda screen: _printing("fiscal_z")(screen),
    "stock": lambda screen: _stock_menu(screen),
    "collect": lambda screen: _elsewhere("accounts_money", "open_collection")(screen),
    "accounts": lambda screen: _elsewhere("accounts", "open_accounts_menu")(screen),
    "agenda": lambda screen: _elsewhere("agenda", "open_agenda")(screen),
    "reports": lambda screen: _elsewhere("reports", "open_reports")(screen),
}


def _elsewhere(module: str, name: str) -> Callable[[SaleScreen], None]:
    """Entry ``name`` of screen module ``module`` (imported when chosen)."""
    import importlib

    action: Callable[[SaleScreen], None] = getattr(importlib.import_module(f"pos_tui.tui.screens.{module}"), name)
    return action


def _stock_menu(screen: SaleScreen) -> None:
    """The stock sub-menu (:mod:`pos_tui.tui.screens.menu_stock`, imported when chosen)."""
    from pos_tui.tui.screens.menu_stock import open_stock_menu

    open_stock_menu(screen)


def _printing(name: str) -> Callable[[SaleScreen], None]:
    """An entry of :mod:`pos_tui.tui.screens.menu_printing` (imported when chosen)."""
    from pos_tui.tui.screens import menu_printing as printing

    action: Callable[[SaleScreen], None] = getattr(printing, name)
    return action

"""Collections (tahsilat) and payments to suppliers at the till.

Both start with the account picker (code, name, phone or the account card), then open their
dialog (:mod:`pos_tui.tui.dialogs.accounts_money_dialogs`), which posts through the core in a
worker. A collection prints its slip through the till's print queue; a till without a printer
shows the slip on screen instead (the customer's only copy). A cash payment to a supplier is a
paid-out of this drawer (the X and Z count it) and prints a payment slip for the supplier to sign
the same way. The result is said on the screen's message line.

Called from the F12 menu (``collect``) and from the accounts sub-menu.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pos_tui.core import accounts
from pos_tui.core.kernel import PosError, format_money, shop_day
from pos_tui.i18n import _

if TYPE_CHECKING:
    from pos_tui.tui.dialogs.accounts_pick import PickedAccount
    from pos_tui.tui.screens.base import PosScreen


def open_collection(screen: PosScreen) -> None:
    """Take a collection on a customer's account: pick the account, then the collection dialog."""
    from pos_tui.tui.dialogs.accounts_money_dialogs import CollectionDialog, pick_then

    session = screen.session

    def with_account(account: PickedAccount) -> None:
        tz = session.settings.shop.timezone
        today = shop_day(session.now(), tz)
        try:
            items = accounts.open_items(account.party.id, tz=tz)
        except PosError as exc:
            screen.show_error(exc.message)
            return

        def done(posted: tuple[Any, Any] | None) -> None:
            if posted is not None:
                collected(screen, *posted)

        screen.app.push_screen(CollectionDialog(account, items, as_of=today, language=screen.language), done)

    pick_then(screen, accounts.CUSTOMER, with_account, title=_("Collection: whose account?"))


def collected(screen: PosScreen, result: Any, slip: Any) -> None:
    """Say what was collected; show the slip when it could not go to a printer."""
    from pos_tui.tui.printing import station_of

    lang = screen.language
    screen.show_note(
        _("Collection {no}: {code} paid {amount} ({method}); balance now {balance}").format(
            no=result.entry_number,
            code=result.party_code,
            amount=format_money(result.amount, lang),
            method=_method(result.method),
            balance=format_money(result.balance_after, lang),
        )
    )
    if slip is not None and station_of(screen.app).queue is None:
        show_slip(screen, slip)


def show_slip(screen: PosScreen, slip: Any) -> None:
    """The slip on screen, line for line as it would print (a till without a printer)."""
    from pos_tui.tui.dialogs.receipt_preview import preview_text
    from pos_tui.tui.dialogs.views import ReportDialog

    screen.app.push_screen(ReportDialog(slip.title, preview_text(slip)))


def open_supplier_payment(screen: PosScreen) -> None:
    """Pay a supplier from the till: cash is a paid-out of the drawer, or a bank transfer."""
    from pos_tui.tui.dialogs.accounts_money_dialogs import SupplierPaymentDialog, pick_then

    def with_account(account: PickedAccount) -> None:
        def done(posted: tuple[Any, Any] | None) -> None:
            if posted is not None:
                paid(screen, *posted)

        screen.app.push_screen(SupplierPaymentDialog(account, screen.language), done)

    pick_then(screen, accounts.SUPPLIER, with_account, title=_("Pay a supplier: which account?"))


def paid(screen: PosScreen, result: Any, slip: Any = None) -> None:
    """Say what was paid; a cash payment's slip is shown when it could not go to a printer."""
    from pos_tui.tui.printing import station_of

    lang = screen.language
    if result.method == "cash":
        text = _("Payment {no}: {amount} paid to {code} in cash, out of the drawer")
    else:
        text = _("Payment {no}: {amount} paid to {code} ({method})")
    screen.show_note(
        text.format(
            no=result.entry_number,
            code=result.party_code,
            amount=format_money(result.amount, lang),
            method=_method(result.method),
        )
    )
    if slip is not None and station_of(screen.app).queue is None:
        show_slip(screen, slip)


def _method(method: str) -> str:
    """How the money moved, in words (cash, card, bank transfer)."""
    return str(accounts.payments.method_name(method))


__all__ = ["collected", "open_collection", "open_supplier_payment", "paid", "show_slip"]

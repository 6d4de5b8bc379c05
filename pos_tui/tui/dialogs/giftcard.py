"""Gift cards at the till: sell a new card, top one up, check a card's balance.

Reached from the F12 menu (the entry shows for users with ``sell``, which
:func:`pos_tui.core.loyalty.giftcards.issue_card` and ``top_up`` check again). Selling or
topping up a card is not a sale of goods: no receipt, no KDV. The money is taken in cash
(``giftcard.cash``, F8: into this terminal's drawer, a ``gift_card`` cash movement on the open
shift, so the X report and the shift's expected cash include it) or by card (``giftcard.card``,
F9: charged on the card terminal; only the gift card's journal entry records it). The writes
run in a thread worker like every posting; the dialog stays open to show the card's full code
(the customer needs it; receipts only ever print it masked) and closes with Esc.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar, Literal

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.message import Message
from textual.widgets import Input, Label, Static

from pos_tui.core.kernel import Override, PosError, format_money
from pos_tui.i18n import _
from pos_tui.tui.base import pos_app
from pos_tui.tui.capabilities import ScanTarget
from pos_tui.tui.dialogs.base import Dialog
from pos_tui.tui.dialogs.prompts import typed_amount
from pos_tui.tui.keymap import N_, bind

Mode = Literal["issue", "topup", "balance"]
MODES: tuple[Mode, ...] = ("issue", "topup", "balance")


@dataclass
class GiftCardDone(Message, bubble=False):
    """A card was issued or topped up (``method`` cash or card) or looked up (``method`` None)."""

    card: Any  # giftcards.GiftCardInfo
    method: str | None


def mode_choices() -> list[tuple[str, str]]:
    """The menu's second step: what to do with a gift card (or a member's store credit:
    :mod:`pos_tui.tui.dialogs.wallet_topup`)."""
    return [
        ("issue", _("Sell a new gift card")),
        ("topup", _("Top up a gift card")),
        ("balance", _("Check a gift card's balance")),
        ("wallet", _("Top up a member's store credit")),
    ]


class GiftCardDialog(Dialog[Any], ScanTarget):
    """One gift card operation (``mode``); dismisses with the last card issued, topped up or
    looked up (None when none was)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        bind("giftcard.cash", "pay('cash')", N_("Cash"), N_("The customer pays the gift card in cash")),
        bind("giftcard.card", "pay('card')", N_("Card"), N_("The customer pays the gift card by card")),
    ]

    def __init__(self, mode: Mode, language: str = "en") -> None:
        titles = {"issue": _("Sell a gift card"), "topup": _("Top up a gift card"), "balance": _("Gift card balance")}
        super().__init__(titles[mode])
        self.mode: Mode = mode
        self.language = language
        self.card: Any = None
        self.busy = False

    def compose_body(self) -> ComposeResult:
        if self.mode == "issue":
            yield Label(_("Code of a pre-printed card (leave empty for a new code)"), classes="dialog-label")
        else:
            yield Label(_("Scan or type the gift card's code"), classes="dialog-label")
        yield Input(id="gc-code")
        if self.mode != "balance":
            yield Label(_("Amount"), classes="dialog-label")
            yield Input(id="gc-amount")
        yield Static("", id="gc-result")

    def hint(self) -> str:
        if self.mode == "balance":
            return _("Enter: show the balance · Esc: close")
        app = pos_app(self)
        return _("{cash}: paid in cash · {card}: paid by card · Esc: close").format(
            cash=app.key_label("giftcard.cash"), card=app.key_label("giftcard.card")
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """No payment keys when only looking up a balance."""
        if action == "pay":
            return self.mode != "balance"
        return True

    def on_mount(self) -> None:
        self.query_one("#gc-code" if self.mode != "issue" else "#gc-amount", Input).focus()

    # -- entering ----------------------------------------------------------------------------------

    @on(Input.Submitted, "#gc-code")
    def _code_entered(self) -> None:
        if self.mode == "balance":
            self.look_up()
        else:
            self.query_one("#gc-amount", Input).focus()

    @on(Input.Submitted, "#gc-amount")
    def _amount_entered(self) -> None:
        app = pos_app(self)
        self.query_one("#gc-result", Static).update(
            _("How does the customer pay? {cash}: cash · {card}: card").format(
                cash=app.key_label("giftcard.cash"), card=app.key_label("giftcard.card")
            )
        )

    def _amount(self) -> Decimal | None:
        return typed_amount(self, self.query_one("#gc-amount", Input), self.language)

    def _code(self) -> str:
        return self.query_one("#gc-code", Input).value.strip()

    # -- doing -------------------------------------------------------------------------------------

    def action_pay(self, method: str) -> None:
        """Sell or top up the card, the money taken by ``method`` (cash or card)."""
        from pos_tui.core.loyalty import giftcards
        from pos_tui.tui.calls import CoreCall

        if self.busy or self.mode == "balance":
            return
        amount = self._amount()
        if amount is None:
            return
        code = self._code() or None
        if self.mode == "topup" and code is None:
            self.query_one("#gc-code", Input).focus()
            self.show_error(_("Scan or type the gift card's code"))
            return
        paid: giftcards.GiftCardMethod = "card" if method == "card" else "cash"
        session = pos_app(self).session
        actor = session.require_actor()
        shift_id = None if session.shift is None else session.shift.id
        tz = session.settings.shop.timezone
        mode = self.mode

        def run(_override: Override | None) -> Any:
            now = session.now()
            if mode == "issue":
                return giftcards.issue_card(
                    amount,
                    actor=actor,
                    now=now,
                    terminal=session.terminal,
                    code=code,
                    method=paid,
                    shift_id=shift_id,
                    tz=tz,
                )
            assert code is not None
            return giftcards.top_up(
                code, amount, actor=actor, now=now, terminal=session.terminal, method=paid, shift_id=shift_id, tz=tz
            )

        self.busy = True
        self.clear_error()
        pos_app(self).call_core(
            CoreCall(
                run=run,
                reply=lambda card: GiftCardDone(card, paid),
                target=self,
                description=_("Gift card"),
                group="giftcard",
                overridable=False,
            )
        )

    def look_up(self) -> None:
        """Show the balance of the card whose code is typed (a quick read)."""
        from pos_tui.core.loyalty import giftcards

        code = self._code()
        if not code:
            self.show_error(_("Scan or type the gift card's code"))
            return
        try:
            card = giftcards.get_card(code)
        except PosError as exc:
            self.query_one("#gc-result", Static).update("")
            self.query_one("#gc-code", Input).value = ""  # ready for the next scan
            self.show_error(exc.message)
            return
        self.clear_error()
        self.card = card
        self.query_one("#gc-result", Static).update(self.describe(card, None))
        self.query_one("#gc-code", Input).value = ""

    def describe(self, card: Any, method: str | None) -> str:
        """What the cashier reads after an operation: the full code and the balance."""
        lang = self.language
        balance = format_money(card.balance, lang)
        if method is None:
            state = _("active") if card.active else _("deactivated")
            expires = card.expires_on.strftime("%d.%m.%Y") if card.expires_on is not None else _("never")
            return _("Gift card {code}: {balance} ({state}; usable through: {expires})").format(
                code=card.code, balance=balance, state=state, expires=expires
            )
        how = _("paid in cash, into the drawer") if method == "cash" else _("paid by card")
        if self.mode == "issue":
            return _("New gift card {code} holds {balance} ({how}). Give the customer this code.").format(
                code=card.code, balance=balance, how=how
            )
        return _("Gift card {code} now holds {balance} ({how}).").format(code=card.code, balance=balance, how=how)

    @on(GiftCardDone)
    def _done(self, event: GiftCardDone) -> None:
        self.busy = False
        self.card = event.card
        self.clear_error()
        self.query_one("#gc-result", Static).update(self.describe(event.card, event.method))
        for field in self.query(Input):
            field.value = ""
        self.query_one("#gc-code" if self.mode != "issue" else "#gc-amount", Input).focus()

    def core_error(self, message: str) -> None:
        self.busy = False
        super().core_error(message)

    def action_cancel(self) -> None:
        if not self.busy:
            self.dismiss(self.card)

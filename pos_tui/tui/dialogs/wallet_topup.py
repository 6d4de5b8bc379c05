"""Selling store credit at the till ("Cüzdana para yükle"): a member's wallet topped up, paid in
cash or by card.

Reached from the F12 menu's gift card entry (users with ``sell``, which
:func:`pos_tui.core.loyalty.wallet.top_up` checks again). The member is the one on the sale, or
the one whose card or phone number is typed or scanned (Enter shows their name and store credit,
or says at once that nobody has that card or phone). As selling a gift card, it is not a sale
of goods: no receipt, no KDV. Cash (``wallet.cash``, F8) goes into this terminal's drawer, a
``store_credit`` cash movement of the open shift, so the X report and the shift's expected cash
include it; a card (``wallet.card``, F9) is charged on the card terminal and only the journal
records it. The write runs in a thread worker; the dialog stays open to show the new balance
(until a new error or member replaces it) and closes with Esc.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.message import Message
from textual.widgets import Input, Label, Static

from pos_tui.core.kernel import NotFound, Override, format_money
from pos_tui.i18n import _
from pos_tui.tui.base import pos_app
from pos_tui.tui.capabilities import ScanTarget
from pos_tui.tui.dialogs.base import Dialog
from pos_tui.tui.dialogs.prompts import typed_amount
from pos_tui.tui.keymap import N_, bind


@dataclass
class TopUpDone(Message, bubble=False):
    """Store credit was sold: to whom (id, name), how it was paid and the wallet's total after."""

    member_id: int
    name: str
    method: str
    amount: Decimal
    total: Decimal


class WalletTopUpDialog(Dialog[Any], ScanTarget):
    """Top up a member's store credit; dismisses with the last :class:`TopUpDone` (None when
    nothing was sold)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        bind("wallet.cash", "pay('cash')", N_("Cash"), N_("The member pays the store credit in cash")),
        bind("wallet.card", "pay('card')", N_("Card"), N_("The member pays the store credit by card")),
    ]

    def __init__(self, member_id: int | None = None, member_name: str | None = None, language: str = "en") -> None:
        super().__init__(_("Top up store credit"))
        self.member_id = member_id
        self.member_name = member_name
        self.language = language
        self.done: TopUpDone | None = None
        self.busy = False

    def compose_body(self) -> ComposeResult:
        if self.member_id is not None:
            yield Label(
                _("Member on the sale: {name}. Or scan another member's card or type a phone number:").format(
                    name=self.member_name or self.member_id
                ),
                classes="dialog-label",
            )
        else:
            yield Label(_("Scan the member's card or type a phone number"), classes="dialog-label")
        yield Input(id="wt-member")
        yield Label("", id="wt-member-name")
        yield Label(_("Amount"), classes="dialog-label")
        yield Input(id="wt-amount")
        yield Static("", id="wt-result")

    def hint(self) -> str:
        app = pos_app(self)
        return _("{cash}: paid in cash · {card}: paid by card · Esc: close").format(
            cash=app.key_label("wallet.cash"), card=app.key_label("wallet.card")
        )

    def on_mount(self) -> None:
        self.query_one("#wt-amount" if self.member_id is not None else "#wt-member", Input).focus()

    @on(Input.Submitted, "#wt-member")
    def _member_entered(self) -> None:
        """Enter on the card or phone: say whose wallet it is, and what it holds, before the
        money is taken (an unknown card or phone is said at once; the field keeps the focus)."""
        if self.look_up_member():
            self.query_one("#wt-amount", Input).focus()

    def look_up_member(self) -> bool:
        """Show the member the typed card or phone names, ``Member: Zeynep Kaya (credit
        250,00)``; False (with the error) when it names nobody. Empty: the member on the sale."""
        from pos_tui.core.kernel import PosError
        from pos_tui.core.loyalty import members, wallet

        field = self.query_one("#wt-member", Input)
        shown = self.query_one("#wt-member-name", Label)
        self.query_one("#wt-result", Static).update("")
        shown.update("")
        typed = field.value.strip()
        if not typed and self.member_id is not None:
            self.clear_error()
            return True
        if not typed:
            self.show_error(_("Scan the member's card or type a phone number"))
            return False
        try:
            found = members.find_member(typed)
            if found is None:
                raise NotFound(_("No member with card or phone {text}").format(text=typed))
            credit = wallet.wallet_balance(found.id)
        except PosError as exc:
            field.focus()
            self.show_error(exc.message)
            return False
        shown.update(
            _("Member: {name} (credit {amount})").format(name=found.name, amount=format_money(credit, self.language))
        )
        self.clear_error()
        return True

    def show_error(self, message: str) -> None:
        """A new error replaces the last top-up's result line (it no longer describes the form)."""
        self.query_one("#wt-result", Static).update("")
        super().show_error(message)

    @on(Input.Changed, "#wt-member")
    def _member_changed(self) -> None:
        """Another card or phone being typed: the name shown was the old one's."""
        self.query_one("#wt-member-name", Label).update("")

    @on(Input.Submitted, "#wt-amount")
    def _amount_entered(self) -> None:
        app = pos_app(self)
        self.query_one("#wt-result", Static).update(
            _("How does the member pay? {cash}: cash · {card}: card").format(
                cash=app.key_label("wallet.cash"), card=app.key_label("wallet.card")
            )
        )

    def _amount(self) -> Decimal | None:
        return typed_amount(self, self.query_one("#wt-amount", Input), self.language)

    def action_pay(self, method: str) -> None:
        """Sell the store credit, the money taken by ``method`` (cash or card)."""
        from pos_tui.core.loyalty import members, wallet
        from pos_tui.tui.calls import CoreCall

        if self.busy:
            return
        typed = self.query_one("#wt-member", Input).value.strip()
        if not typed and self.member_id is None:
            self.query_one("#wt-member", Input).focus()
            self.show_error(_("Scan the member's card or type a phone number"))
            return
        amount = self._amount()
        if amount is None:
            return
        paid = "card" if method == "card" else "cash"
        session = pos_app(self).session
        actor = session.require_actor()
        shift_id = None if session.shift is None else session.shift.id
        on_sale, on_sale_name = self.member_id, self.member_name

        def run(_override: Override | None) -> TopUpDone:
            if typed:
                found = members.find_member(typed)
                if found is None:
                    raise NotFound(_("No member with card or phone {text}").format(text=typed))
                member_id, name = found.id, found.name
            else:
                assert on_sale is not None
                member_id, name = on_sale, on_sale_name or str(on_sale)
            done = wallet.top_up(
                member_id,
                amount,
                method=paid,
                actor=actor,
                terminal=session.terminal,
                now=session.now(),
                shift_id=shift_id,
            )
            return TopUpDone(member_id, name, paid, done.entry.amount, done.total)

        self.busy = True
        self.clear_error()
        pos_app(self).call_core(
            CoreCall(
                run=run,
                reply=lambda done: done,
                target=self,
                description=_("Store credit"),
                group="wallet",
                overridable=False,
            )
        )

    def describe(self, done: TopUpDone) -> str:
        """What the cashier reads after the top-up."""
        lang = self.language
        how = _("paid in cash, into the drawer") if done.method == "cash" else _("paid by card")
        return _("{amount} of store credit for {name} ({how}); the wallet now holds {total}.").format(
            amount=format_money(done.amount, lang), name=done.name, how=how, total=format_money(done.total, lang)
        )

    @on(TopUpDone)
    def _done(self, event: TopUpDone) -> None:
        self.busy = False
        self.done = event
        self.clear_error()
        self.query_one("#wt-result", Static).update(self.describe(event))
        for field in self.query(Input):
            field.value = ""
        self.query_one("#wt-member-name", Label).update("")
        self.query_one("#wt-amount" if self.member_id is not None else "#wt-member", Input).focus()

    def core_error(self, message: str) -> None:
        self.busy = False
        super().core_error(message)

    def action_cancel(self) -> None:
        if not self.busy:
            self.dismiss(self.done)

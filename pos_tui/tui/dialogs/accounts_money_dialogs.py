"""Money on account at the till: the on-account tender, a collection (tahsilat), a supplier payment.

- :class:`OnAccountDialog` (the payment screen's on-account key): the picked customer's balance,
  credit limit and available credit, the amount (what is still to pay) and the number of
  installments. It only chooses; the sale posts from the payment screen, where the core checks
  the limit at that moment (a supervisor's PIN past it).
- :class:`CollectionDialog` (F12 → Collection): the account's balance and open items, the amount
  and a note; the method key posts (cash into this shift's drawer, card, or bank transfer).
- :class:`SupplierPaymentDialog`: what the shop owes the supplier, the amount and a note; the
  method key posts (cash is a paid-out of the drawer, or a bank transfer).

The collection and the payment post in a worker through the till's core calls; while one runs the
dialog is busy (a second Enter or method key, and Esc, do nothing), so a double press never posts
twice. A failure, the supervisor-PIN prompt's refusal included, shows on the dialog's error line
and frees it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.message import Message
from textual.widgets import Input, Label, Static

from pos_tui.core import accounts
from pos_tui.core.kernel import ZERO, Override, PosError, ValidationError, format_money, parse_typed_money
from pos_tui.i18n import _, ngettext
from pos_tui.tui.base import pos_app
from pos_tui.tui.dialogs.accounts_pick import AccountPickDialog, PickedAccount, account_status
from pos_tui.tui.dialogs.base import Dialog
from pos_tui.tui.dialogs.prompts import check_amount, typed_amount
from pos_tui.tui.keymap import N_, bind

MAX_NOTE = 200


def figures_line(account: PickedAccount, language: str) -> str:
    """``Balance 250,00 · Limit 1.000,00 · Available 750,00`` (a customer's account)."""
    return _("Balance {balance} · Limit {limit} · Available {available}").format(
        balance=format_money(account.balance, language),
        limit=format_money(account.limit, language),
        available=format_money(account.available if account.available is not None else ZERO, language),
    )


# -- the on-account tender ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OnAccountRequest:
    """What the cashier put on the account: ``amount`` on ``account`` in ``installments`` (1: one due date)."""

    account: PickedAccount
    amount: Decimal
    installments: int = 1


class OnAccountDialog(Dialog[OnAccountRequest]):
    """The customer's account with its balance, limit and available credit; the amount (pre-filled
    with what is still to pay) and the installments. Enter in the amount goes to the installments,
    Enter there adds the payment; the account key picks another account, unless the sale is made
    to this account (``locked``: the refusal shown instead). An amount past the available credit
    is allowed here with a warning: posting the sale asks a supervisor's PIN."""

    TITLE_TEXT = N_("On account")
    BINDINGS: ClassVar[list[BindingType]] = [
        bind("onaccount.account", "change_account", N_("Account"), N_("Put the sale on another account")),
    ]

    def __init__(
        self,
        account: PickedAccount,
        amount: Decimal,
        remaining: Decimal,
        language: str = "en",
        *,
        locked: str | None = None,
        note: str | None = None,
    ) -> None:
        super().__init__()
        self.account = account
        self.locked = locked
        self.note = note  # one line above the amount (the sale was re-priced from the account's list)
        self.amount = amount
        self.remaining = remaining
        self.language = language
        self.add_class("wide")  # the figures and the warning on one line each at 80 columns

    def compose_body(self) -> ComposeResult:
        yield Label(self.account.label, id="oa-account", classes="dialog-prompt")
        yield Label(figures_line(self.account, self.language), id="oa-figures", classes="dialog-presets")
        if self.note:
            yield Label(self.note, id="oa-note", classes="dialog-prompt")
        yield Label(_("Amount on account"), classes="dialog-label")
        yield Input(format_money(self.amount, self.language), id="oa-amount", select_on_focus=True)
        yield Label(
            _("Installments (1: one due date, up to {n})").format(n=self.max_installments), classes="dialog-label"
        )
        yield Input("1", id="oa-installments", max_length=6, select_on_focus=True)
        yield Static("", id="oa-warning")

    @property
    def max_installments(self) -> int:
        return int(accounts.payments.MAX_INSTALLMENTS)

    def hint(self) -> str:
        key = pos_app(self).key_label("onaccount.account")
        return _("Enter: next, then add · {key}: another account · Esc: cancel").format(key=key)

    def on_mount(self) -> None:
        self.query_one("#oa-amount", Input).focus()
        self._warn()

    def _show_account(self) -> None:
        self.query_one("#oa-account", Label).update(self.account.label)
        self.query_one("#oa-figures", Label).update(figures_line(self.account, self.language))
        self._warn()

    @on(Input.Changed, "#oa-amount")
    def _amount_changed(self) -> None:
        self._warn()

    def _warn(self) -> None:
        """Say when the amount passes the available credit (the core decides when the sale posts)."""
        warning = self.query_one("#oa-warning", Static)
        try:
            amount = parse_typed_money(self.query_one("#oa-amount", Input).value, _("amount"))
        except ValidationError:
            warning.update("")
            return
        available = self.account.available if self.account.available is not None else ZERO
        if amount > available:
            warning.update(
                _("{over} over the available credit: posting the sale asks a supervisor's PIN").format(
                    over=format_money(amount - available, self.language)
                )
            )
        else:
            warning.update("")

    def _amount(self) -> Decimal | None:
        return typed_amount(
            self,
            self.query_one("#oa-amount", Input),
            self.language,
            most=self.remaining,
            most_reason=_("Only {amount} is still to pay; only cash may be more").format(
                amount=format_money(self.remaining, self.language)
            ),
        )

    @on(Input.Submitted, "#oa-amount")
    def _amount_entered(self) -> None:
        if self._amount() is not None:
            self.clear_error()
            self.query_one("#oa-installments", Input).focus()

    @on(Input.Submitted, "#oa-installments")
    def _installments_entered(self) -> None:
        amount = self._amount()
        if amount is None:
            return
        field = self.query_one("#oa-installments", Input)
        text = field.value.strip() or "1"
        most = self.max_installments
        n = int(text) if re.fullmatch(r"[0-9]{1,2}", text) else 0
        if not 1 <= n <= most:
            field.focus()
            self.show_error(
                _("Installments: a whole number from 1 to {most}, not {text}").format(most=most, text=text[:6])
            )
            return
        if n > 1 and amount * 100 < n:
            field.focus()
            self.show_error(
                _("{amount} cannot be split into {n} installments").format(
                    amount=format_money(amount, self.language), n=n
                )
            )
            return
        self.dismiss(OnAccountRequest(self.account, amount, n))

    def action_change_account(self) -> None:
        if self.locked:
            self.show_error(self.locked)
            return

        def picked(account: PickedAccount | None) -> None:
            if account is not None:
                self.account = account
                self._show_account()
                self.clear_error()

        self.app.push_screen(AccountPickDialog(accounts.CUSTOMER, language=self.language), picked)


# -- collections and supplier payments -------------------------------------------------------------------------------


@dataclass
class MoneyPosted(Message, bubble=False):
    """The dialog's collection or payment was written; ``slip`` is its printed slip (None if none)."""

    result: Any
    slip: Any


class MoneyDialog(Dialog[Any]):
    """An amount, a note and a key per method for one account (a collection or a supplier payment).

    Subclasses say which methods there are (:attr:`METHODS`, each bound to ``accounts.<method>``)
    and what posting means (:meth:`run`). Dismisses with what :meth:`run` returned, paired with
    the slip: ``(result, slip)``."""

    METHODS: ClassVar[tuple[str, ...]] = ()

    BINDINGS: ClassVar[list[BindingType]] = [
        bind("accounts.cash", "post('cash')", N_("Cash"), N_("Paid in cash")),
        bind("accounts.card", "post('card')", N_("Card"), N_("Paid by card")),
        bind("accounts.transfer", "post('transfer')", N_("Transfer"), N_("Paid by bank transfer (havale/EFT)")),
    ]

    def __init__(self, title: str, account: PickedAccount, language: str = "en") -> None:
        super().__init__(title)
        self.account = account
        self.language = language
        self.busy = False
        self.add_class("wide")  # the figures and the open items on one line each at 80 columns

    # -- layout --

    def compose_body(self) -> ComposeResult:
        yield Label(self.account.label, id="money-account", classes="dialog-prompt")
        yield from self.compose_summary()
        yield Label(_("Amount"), classes="dialog-label")
        suggested = self.suggested_amount()
        # the way the shop writes money (1.599,60): check_amount reads it back
        yield Input(
            "" if suggested is None else format_money(suggested, self.language), id="money-amount", select_on_focus=True
        )
        yield Label(_("Note (optional)"), classes="dialog-label")
        yield Input(id="money-note", max_length=MAX_NOTE)
        yield Static("", id="money-ask")

    def compose_summary(self) -> ComposeResult:
        yield from ()

    def suggested_amount(self) -> Decimal | None:
        return None

    def method_keys(self) -> str:
        app = pos_app(self)
        name = accounts.payments.method_name
        return " · ".join(f"{app.key_label('accounts.' + m)}: {name(m)}" for m in self.METHODS)

    def hint(self) -> str:
        return _("{keys} · Esc: cancel").format(keys=self.method_keys())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "post":
            return parameters[0] in self.METHODS
        return True

    def on_mount(self) -> None:
        self.query_one("#money-amount", Input).focus()

    # -- entering --

    @on(Input.Submitted, "#money-amount")
    def _amount_entered(self) -> None:
        if self._amount() is not None:
            self.clear_error()
            self.query_one("#money-note", Input).focus()

    @on(Input.Submitted, "#money-note")
    def _note_entered(self) -> None:
        if self._amount() is None:
            return
        self.clear_error()
        self.query_one("#money-ask", Static).update(_("How is it paid? {keys}").format(keys=self.method_keys()))

    def _amount(self) -> Decimal | None:
        return typed_amount(self, self.query_one("#money-amount", Input), self.language)

    def note(self) -> str | None:
        return self.query_one("#money-note", Input).value.strip() or None

    # -- posting --

    def action_post(self, method: str) -> None:
        if self.busy or method not in self.METHODS:
            return
        amount = self._amount()
        if amount is None:
            return
        if method == "card":
            from pos_tui.tui.dialogs.views import CardDialog

            def charged(reference: str | None) -> None:
                if reference is not None:
                    self.start(method, amount, reference or None)

            self.app.push_screen(CardDialog(amount, self.language), charged)
            return
        self.start(method, amount, None)

    def start(self, method: str, amount: Decimal, reference: str | None) -> None:
        """Post in a worker; the dialog stays busy until :class:`MoneyPosted` or the failure comes back."""
        from pos_tui.tui.calls import CoreCall

        if self.busy:
            return
        note = self.note()
        if reference:
            reference_note = _("card terminal reference {ref}").format(ref=reference)
            note = f"{note} · {reference_note}" if note else reference_note
        run = self.run(method, amount, note)
        self.busy = True
        self.clear_error()
        self.query_one("#money-ask", Static).update(_("Posting…"))
        pos_app(self).call_core(
            CoreCall(
                run=run,
                reply=lambda done: MoneyPosted(*done),
                target=self,
                description=self.title_text,
                group="accounts-money",
            )
        )

    def run(self, method: str, amount: Decimal, note: str | None) -> Callable[[Override | None], tuple[Any, Any]]:
        """The core call: posts and returns ``(result, slip)``."""
        raise NotImplementedError

    @on(MoneyPosted)
    def _posted(self, event: MoneyPosted) -> None:
        self.busy = False
        self.dismiss((event.result, event.slip))

    def core_error(self, message: str) -> None:
        self.busy = False
        self.query_one("#money-ask", Static).update("")
        super().core_error(message)

    def action_cancel(self) -> None:
        if not self.busy:
            self.dismiss(None)


class CollectionDialog(MoneyDialog):
    """A customer pays on account (tahsilat): balance and open items, amount (the balance when the
    customer owes), note; F8 cash (into this shift's drawer), F9 card, F7 bank transfer."""

    METHODS = ("cash", "card", "transfer")

    def __init__(self, account: PickedAccount, items: list[Any], *, as_of: date, language: str = "en") -> None:
        super().__init__(_("Collection"), account, language)
        self.items = items
        self.as_of = as_of

    def compose_summary(self) -> ComposeResult:
        lang = self.language
        yield Label(figures_line(self.account, lang), id="money-figures", classes="dialog-label")
        overdue = overdue_amount(self.items, self.as_of)
        if overdue > 0:
            yield Label(
                Text(_("Overdue: {amount}").format(amount=format_money(overdue, lang)), style="bold red"),
                id="money-overdue",
            )
        yield Label(open_items_summary(self.items, self.as_of, lang), id="money-items", classes="dialog-presets")

    def suggested_amount(self) -> Decimal | None:
        return self.account.balance if self.account.balance > 0 else None

    def run(self, method: str, amount: Decimal, note: str | None) -> Callable[[Override | None], tuple[Any, Any]]:
        from pos_tui.tui.printing import station_of

        app = pos_app(self)
        session = app.session
        actor = session.require_actor()
        shift_id = None if session.shift is None else session.shift.id
        tz = session.settings.shop.timezone
        code = self.account.party.code
        station = station_of(app)

        def run(override: Override | None) -> tuple[Any, Any]:
            now = session.now()
            result = accounts.payments.collect(
                accounts.payments.CollectionInput(account=code, amount=amount, method=method, at=now, note=note),
                actor=actor,
                terminal=session.terminal,
                now=now,
                shift_id=shift_id,
                tz=tz,
                override=override,
            )
            settings = session.settings

            def slip() -> Any:  # cash opens the drawer once the slip is out, as a cash sale's receipt does
                job = accounts.payments.collection_slip(result, settings, width=station.width, note=note)
                return replace(job, kick=method == "cash")

            return result, slip_for(station, slip)

        return run


class SupplierPaymentDialog(MoneyDialog):
    """The shop pays a supplier: what is owed, amount, note; F8 cash (a paid-out of this drawer,
    never more than the drawer holds: :func:`pos_tui.core.cash.pay_supplier_cash`), F7 bank
    transfer. Paying suppliers needs the ``accounts`` permission (the PIN of a user who has it
    otherwise)."""

    METHODS = ("cash", "transfer")

    def __init__(self, account: PickedAccount, language: str = "en") -> None:
        super().__init__(_("Pay a supplier"), account, language)

    def compose_summary(self) -> ComposeResult:
        owed = -self.account.balance
        if owed >= 0:
            text = _("We owe {amount}").format(amount=format_money(owed, self.language))
        else:
            text = _("The supplier owes us {amount}").format(amount=format_money(-owed, self.language))
        yield Label(text, id="money-figures", classes="dialog-presets")

    def suggested_amount(self) -> Decimal | None:
        return -self.account.balance if self.account.balance < 0 else None

    def run(self, method: str, amount: Decimal, note: str | None) -> Callable[[Override | None], tuple[Any, Any]]:
        from pos_tui.tui.printing import station_of

        app = pos_app(self)
        session = app.session
        actor = session.require_actor()
        shift_id = None if session.shift is None else session.shift.id
        tz = session.settings.shop.timezone
        code = self.account.party.code
        station = station_of(app)

        def run(override: Override | None) -> tuple[Any, Any]:
            from pos_tui.core import cash

            now = session.now()
            if method == "cash":  # out of this drawer: never more than it holds (the shift locked meanwhile)
                paid = cash.pay_supplier_cash(
                    session.terminal, actor, code, amount, now=now, note=note, tz=tz, override=override
                )
                settings = session.settings

                def slip() -> Any:  # the supplier signs it; it opens the drawer the money comes out of
                    job = accounts.payments.payment_slip(paid, settings, width=station.width, note=note)
                    return replace(job, kick=True)

                return paid, slip_for(station, slip)
            result = accounts.payments.pay(
                accounts.payments.PaymentOutInput(account=code, amount=amount, method=method, at=now, note=note),
                actor=actor,
                terminal=session.terminal,
                now=now,
                shift_id=shift_id,
                tz=tz,
                override=override,
            )
            return result, None

        return run


def slip_for(station: Any, make: Callable[[], Any]) -> Any:
    """Lay out a slip and queue it on the printer (none: the caller shows it). The money is already
    posted: a slip that cannot be laid out is logged and left out, never reported as a failure of
    the posting (which would invite posting it again)."""
    import logging

    try:
        slip = make()
    except Exception:  # the posting stands; a reprint is the books' business
        logging.getLogger(__name__).exception("collection or payment slip could not be laid out")
        return None
    station.submit(slip)
    return slip


def overdue_amount(items: list[Any], as_of: date) -> Decimal:
    """What of the customer's open items is past its due date on ``as_of``."""
    from pos_tui.core.kernel import from_kurus

    return from_kurus(accounts.overdue_kurus([i for i in items if i.open > 0], as_of))


def open_items_summary(items: list[Any], as_of: date, language: str) -> str:
    """``3 open items · 120,00 overdue · oldest due 01.11.2026: 120,00`` (what the customer owes,
    item by item); an advance (paid before an invoice) is named too."""
    from pos_tui.core.kernel import from_kurus

    owed = [i for i in items if i.open > 0]
    advance = from_kurus(-sum(i.open for i in items if i.open < 0))
    parts = []
    if owed:
        parts.append(ngettext("{n} open item", "{n} open items", len(owed)).format(n=len(owed)))
        overdue = from_kurus(accounts.overdue_kurus(owed, as_of))
        if overdue > 0:
            parts.append(_("{amount} overdue").format(amount=format_money(overdue, language)))
        oldest = owed[0]  # open_items lists the oldest due first
        parts.append(
            _("oldest due {date}: {amount}").format(
                date=oldest.due.strftime("%d.%m.%Y"), amount=format_money(from_kurus(oldest.open), language)
            )
        )
    else:
        parts.append(_("No open items"))
    if advance > 0:
        parts.append(_("advance {amount}").format(amount=format_money(advance, language)))
    return " · ".join(parts)


def pick_then(screen: Any, kind: str, then: Callable[[PickedAccount], None], *, title: str | None = None) -> None:
    """Open the account picker over ``screen``; ``then`` gets the picked account (nothing on Esc)."""

    def picked(account: PickedAccount | None) -> None:
        if account is not None:
            then(account)

    screen.app.push_screen(AccountPickDialog(kind, title=title, language=screen.language), picked)


def refresh_status(account: PickedAccount, kind: str) -> PickedAccount:
    """The account's figures read again (after a posting)."""
    try:
        return account_status(accounts.get_party(account.party.id), kind)
    except PosError:
        return account


__all__ = [
    "CollectionDialog",
    "MoneyDialog",
    "MoneyPosted",
    "OnAccountDialog",
    "OnAccountRequest",
    "SupplierPaymentDialog",
    "check_amount",
    "figures_line",
    "open_items_summary",
    "pick_then",
    "refresh_status",
]

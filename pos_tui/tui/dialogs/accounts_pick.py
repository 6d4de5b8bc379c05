"""The account picker (cari seçimi): find a customer's or a supplier's account at the till.

One field takes whatever the cashier has: the account's code, part of its name, its phone number
in any spelling, its VKN/TCKN, or a scan of the account card. The list follows each keystroke
(code, name, balance and, for customers, the credit still available); ↑↓ move, Enter picks the
highlighted account. An exact match (a card scanned, a phone or code typed whole) is picked at
once by Enter, whatever the list shows, so a scanner's code-and-Enter needs no second key.

The dialog only chooses: it dismisses with a :class:`PickedAccount` (the account with its
balance and available credit at that moment); what is then done on the account (a sale on
account, a collection, a payment) is the caller's, and the core checks the limit again when it
posts. Searches are a few indexed queries and run in a worker (type-ahead); a stale answer for
text already changed is dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.message import Message
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from pos_tui.core import accounts
from pos_tui.core.kernel import ZERO, Override, PosError, format_money
from pos_tui.i18n import _
from pos_tui.tui.base import pos_app
from pos_tui.tui.capabilities import ScanTarget
from pos_tui.tui.dialogs.base import Dialog
from pos_tui.tui.keymap import N_, bind

SEARCH_LIMIT = 30


@dataclass(frozen=True, slots=True)
class PickedAccount:
    """An account as the cashier picked it: ``balance`` > 0 the party owes the shop; ``available``
    is the customer's credit left under its limit (never below zero), None for a supplier."""

    party: accounts.PartyInfo
    balance: Decimal
    available: Decimal | None

    @property
    def limit(self) -> Decimal:
        return self.party.credit_limit

    @property
    def label(self) -> str:
        """``BAKKAL · Köşe Bakkalı Ltd.``: how screens name the account."""
        return f"{self.party.code} · {self.party.name}"


def account_status(party: accounts.PartyInfo, kind: str = accounts.CUSTOMER) -> PickedAccount:
    """The account with its balance and, picked as a customer's, the credit available now
    (the core's :func:`~pos_tui.core.accounts.payments.credit_status`, the figures the limit
    check uses). A quick read (a sum over the party's entries): callers may run it anywhere."""
    if kind == accounts.CUSTOMER:
        status = accounts.payments.credit_status(party.id)
        return PickedAccount(party, status.balance, max(status.available, ZERO))
    return PickedAccount(party, accounts.balance(party.id), None)


@dataclass
class AccountsFound(Message, bubble=False):
    """Search results for ``query`` (type-ahead; an answer for older text is dropped)."""

    query: str
    found: list[PickedAccount]


def _row(account: PickedAccount, language: str, kind: str) -> Table:
    """One list line: code, name (cut), balance, available credit (customers)."""
    grid = Table.grid(expand=True, padding=(0, 1), pad_edge=False)
    grid.add_column(no_wrap=True, width=10, overflow="ellipsis")
    grid.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
    grid.add_column(justify="right", no_wrap=True, width=14)
    cells: list[Text] = [
        Text(account.party.code, style="bold"),
        Text(account.party.name),
        _balance_text(account.balance, language, kind),
    ]
    if kind == accounts.CUSTOMER:
        grid.add_column(justify="right", no_wrap=True, width=14)
        available = account.available if account.available is not None else ZERO
        cells.append(Text(format_money(available, language), style="" if available > 0 else "red"))
    grid.add_row(*cells)
    return grid


def _balance_text(amount: Decimal, language: str, kind: str) -> Text:
    """A supplier's account is shown as what the shop owes it (a positive figure)."""
    shown = -amount if kind == accounts.SUPPLIER else amount
    return Text(format_money(shown, language), style="red" if shown < 0 else "")


def _header(kind: str) -> Table:
    grid = Table.grid(expand=True, padding=(0, 1), pad_edge=False)
    grid.add_column(no_wrap=True, width=10)
    grid.add_column(ratio=1, no_wrap=True)
    grid.add_column(justify="right", no_wrap=True, width=14)
    cells = [_("Code"), _("Name"), _("Balance") if kind == accounts.CUSTOMER else _("We owe")]
    if kind == accounts.CUSTOMER:
        grid.add_column(justify="right", no_wrap=True, width=14)
        cells.append(_("Available"))
    grid.add_row(*(Text(c, style="dim") for c in cells))
    return grid


class AccountPickDialog(Dialog[PickedAccount], ScanTarget):
    """Type a code, a name or a phone, or scan the account card; ↑↓ pick, Enter takes the account.

    ``kind`` ``customer`` lists customers (and accounts that are both), ``supplier`` suppliers.
    ``initial`` is typed into the field and searched at once."""

    BINDINGS: ClassVar[list[BindingType]] = [
        bind("list.up", "move(-1)", N_("Up"), N_("Previous result"), show=False),
        bind("list.down", "move(1)", N_("Down"), N_("Next result"), show=False),
        bind("list.page_up", "move(-10)", N_("Page up"), N_("Ten results up"), show=False),
        bind("list.page_down", "move(10)", N_("Page down"), N_("Ten results down"), show=False),
    ]

    def __init__(
        self, kind: str = accounts.CUSTOMER, *, title: str | None = None, initial: str = "", language: str = "en"
    ) -> None:
        default = _("Customer account") if kind == accounts.CUSTOMER else _("Supplier account")
        super().__init__(title or default)
        self.kind = kind
        self.initial = initial
        self.language = language
        self.found: list[PickedAccount] = []
        self.query_text = ""
        self.listed_for: str | None = None
        self.add_class("wide")  # four columns: the frame takes the whole 80 columns

    def compose_body(self) -> ComposeResult:
        yield Input(self.initial, id="account-query", placeholder=_("Code, name, phone or account card"))
        header = Label(_header(self.kind), id="account-header")
        header.styles.width = "100%"
        header.styles.padding = (0, 2)  # over the list's columns: inside its border and padding
        yield header
        results = OptionList(id="account-results")
        results.can_focus = False
        yield results

    def hint(self) -> str:
        return _("Type to search · ↑↓ pick · Enter: take the account · Esc: cancel")

    def on_mount(self) -> None:
        self.query_one("#account-query", Input).focus()
        self.search(self.initial.strip())

    # -- searching ---------------------------------------------------------------------------------

    @on(Input.Changed, "#account-query")
    def _changed(self, event: Input.Changed) -> None:
        self.search(event.value.strip())

    def search(self, text: str) -> None:
        """List the accounts matching ``text`` (all of the kind's first ones when empty) in a worker."""
        from pos_tui.tui.calls import CoreCall

        self.query_text = text
        kind = self.kind

        def run(_override: Override | None) -> list[PickedAccount]:
            found = accounts.search_parties(text, kind=kind, limit=SEARCH_LIMIT)
            return [account_status(p, kind) for p in found]

        pos_app(self).call_core(
            CoreCall(
                run=run,
                reply=lambda found: AccountsFound(text, found),
                target=self,
                description=_("Searching accounts"),
                group="account-search",
                overridable=False,
            )
        )

    @on(AccountsFound)
    def _found(self, event: AccountsFound) -> None:
        if event.query == self.query_text:
            self._show(event.query, event.found)

    def _show(self, text: str, found: Sequence[PickedAccount]) -> None:
        self.found = list(found)
        self.listed_for = text
        options = self.query_one("#account-results", OptionList)
        options.clear_options()
        for account in self.found:
            options.add_option(Option(_row(account, self.language, self.kind)))
        if self.found:
            options.highlighted = 0
            self.clear_error()
        elif text:
            self.show_error(_("No account found for {text}").format(text=text))
        else:
            self.show_error(_("There are no accounts yet: pos-admin accounts add creates one"))

    def action_move(self, delta: int) -> None:
        options = self.query_one("#account-results", OptionList)
        if self.found:
            current = options.highlighted or 0
            options.highlighted = max(0, min(len(self.found) - 1, current + delta))

    # -- picking -----------------------------------------------------------------------------------

    @on(Input.Submitted, "#account-query")
    def _submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if text:
            try:
                exact = accounts.find_party(text)
            except PosError as exc:
                self.show_error(exc.message)
                return
            if exact is not None:
                self.pick(exact)
                return
        options = self.query_one("#account-results", OptionList)
        if self.found and options.highlighted is not None and text == self.listed_for:
            self.dismiss(self.found[options.highlighted])
            return
        if text != self.listed_for:
            self.search(text)  # Enter came before the list: it comes now, Enter again picks
            return
        self._show(text, self.found)  # nothing listed: say so again (with the bell)

    @on(OptionList.OptionSelected, "#account-results")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.found[event.option_index])

    def pick(self, party: accounts.PartyInfo) -> None:
        """Take ``party`` (an exact match), unless it is closed or of the other kind."""
        if not party.active:
            self.show_error(_("The account {code} is closed").format(code=party.code))
            return
        if self.kind == accounts.CUSTOMER and not party.is_customer:
            self.show_error(_("{code} is a supplier's account, not a customer's").format(code=party.code))
            return
        if self.kind == accounts.SUPPLIER and not party.is_supplier:
            self.show_error(_("{code} is a customer's account, not a supplier's").format(code=party.code))
            return
        try:
            picked = account_status(party, self.kind)
        except PosError as exc:
            self.show_error(exc.message)
            return
        self.dismiss(picked)


__all__ = ["AccountPickDialog", "AccountsFound", "PickedAccount", "account_status"]

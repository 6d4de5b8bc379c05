"""Choosing the sale's customer account (Ctrl+A on the sale screen, ``sale.account``).

A customer account with a price list (e.g. ``TOPTAN``) prices the sale's lines from it. One
field takes the account's code, its account card, a phone number, a VKN/TCKN or part of the
name: Enter takes an exact match at once, otherwise the matches are listed to pick with ↑↓
and Enter. F4 (``account.clear``) takes the account off the sale, which puts the catalog
prices back.

The dialog only chooses: it dismisses with an :class:`AccountChoice` and the sale screen
applies it through :func:`pos_tui.core.till.carts.set_account`. Lookups are single indexed
queries, so they run on the UI thread and their errors land on the dialog's error line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from pos_tui.core import accounts
from pos_tui.core.kernel import PosError
from pos_tui.i18n import _
from pos_tui.tui.base import pos_app
from pos_tui.tui.capabilities import ScanTarget
from pos_tui.tui.dialogs.base import Dialog
from pos_tui.tui.keymap import N_, bind

SEARCH_LIMIT = 20


@dataclass(frozen=True, slots=True)
class AccountChoice:
    """What the cashier chose: ``party_id`` to make the sale to, or None to clear it."""

    party_id: int | None


def _row(party: accounts.PartyInfo) -> Table:
    grid = Table.grid(expand=True)
    grid.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
    grid.add_column(justify="right", no_wrap=True)
    grid.add_row(Text(f"{party.code}  {party.name}", style="bold"), Text(party.price_list or "", style="dim"))
    return grid


class AccountDialog(Dialog[AccountChoice], ScanTarget):
    """Type a code, card, phone, tax number or name; Enter chooses, F4 clears the account. A
    scanned account card lands in the field and is submitted (:class:`ScanTarget`)."""

    TITLE_TEXT = N_("Customer account")
    BINDINGS: ClassVar[list[BindingType]] = [
        bind("account.clear", "clear_account", N_("Clear"), N_("Take the account off this sale")),
        bind("list.up", "move(-1)", N_("Up"), N_("Previous result"), show=False),
        bind("list.down", "move(1)", N_("Down"), N_("Next result"), show=False),
    ]

    def __init__(self, current: str | None = None) -> None:
        """``current`` names the account already on the sale (shown, and what F4 takes off)."""
        super().__init__()
        self.current = current
        self.found: list[accounts.PartyInfo] = []
        self.listed_for: str | None = None

    def compose_body(self) -> ComposeResult:
        if self.current:
            yield Label(_("On this sale: {name}").format(name=self.current), classes="dialog-prompt")
        yield Input(id="account-query", placeholder=_("Code, card, phone, tax number or name"))
        results = OptionList(id="account-results")
        results.can_focus = False
        yield results

    def hint(self) -> str:
        key = pos_app(self).key_label("account.clear")
        return _("Enter: find · ↑↓ pick · {clear}: clear · Esc: close").format(clear=key)

    @on(Input.Submitted, "#account-query")
    def _submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        options = self.query_one("#account-results", OptionList)
        if self.found and options.highlighted is not None and text == self.listed_for:
            self.dismiss(AccountChoice(self.found[options.highlighted].id))
            return
        if not text:
            self.show_error(_("Type the account's code, card, phone or name"))
            return
        try:
            party = accounts.find_party(text)
            found = [] if party is not None else accounts.search_parties(text, kind="customer", limit=SEARCH_LIMIT)
        except PosError as exc:
            self.show_error(exc.message)
            return
        if party is not None:
            refused = self.refusal(party)
            if refused:  # stays open: the error on its own line, the cashier types another
                self.show_error(refused)
                return
            self.dismiss(AccountChoice(party.id))
            return
        self.found, self.listed_for = found, text
        options.clear_options()
        for p in found:
            options.add_option(Option(_row(p)))
        if found:
            options.highlighted = 0
            self.clear_error()
        else:
            self.show_error(_("No customer account found for {text}").format(text=text))

    @staticmethod
    def refusal(party: accounts.PartyInfo) -> str | None:
        """Why ``party`` cannot be the sale's account (a supplier's, closed); None when it can."""
        if not party.is_customer:
            return _("{code} is a supplier account; choose a customer").format(code=party.code)
        if not party.active:
            return _("The account {code} is closed").format(code=party.code)
        return None

    def action_move(self, delta: int) -> None:
        options = self.query_one("#account-results", OptionList)
        if self.found:
            current = options.highlighted or 0
            options.highlighted = max(0, min(len(self.found) - 1, current + delta))

    @on(OptionList.OptionSelected, "#account-results")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(AccountChoice(self.found[event.option_index].id))

    def action_clear_account(self) -> None:
        if not self.current:
            self.show_error(_("No account is on this sale"))
            return
        self.dismiss(AccountChoice(None))

"""The accounts entry of the F12 menu: the account look-up (balance, open items, a statement on
screen and on the receipt printer) and paying a supplier.

The look-up takes a code, a name, a phone number, a VKN/TCKN or a scanned account card: one
account found is shown at once, several are offered in a list. It shows the balance (positive:
the party owes the shop), the credit limit and what is still available, what is overdue and the
open items. F5 asks for a period and shows the statement (opening balance, every entry with the
running balance, closing balance); F5 there prints it on the receipt printer. Every view fits
80×24 and shows its errors on the message line; core calls run in workers.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.message import Message
from textual.widgets import DataTable, Input, Label, Static

from pos_tui.core import accounts
from pos_tui.core.kernel import Override, format_money, from_kurus
from pos_tui.i18n import _
from pos_tui.tui.base import pos_app
from pos_tui.tui.calls import CoreCall
from pos_tui.tui.capabilities import ScanTarget
from pos_tui.tui.keymap import N_, bind
from pos_tui.tui.screens.base import PosScreen
from pos_tui.tui.widgets.keybar import KeyBar
from pos_tui.tui.widgets.status import StatusLine

if TYPE_CHECKING:
    from datetime import date
    from decimal import Decimal

ITEM_ROWS = 200  # open items shown (the CLI's accounts show has them all)


def open_accounts_menu(screen: PosScreen) -> None:
    """The accounts sub-menu: the look-up, paying a supplier."""
    from pos_tui.tui.dialogs.prompts import ChoiceDialog

    entries = [
        ("lookup", _("Account look-up: balance, open items, statement")),
        ("pay", _("Pay a supplier")),
    ]

    def chosen(key: str | None) -> None:
        if key == "lookup":
            screen.app.push_screen(AccountLookupScreen())
        elif key == "pay":
            pay_supplier(screen)

    screen.app.push_screen(ChoiceDialog(_("Accounts"), entries), chosen)


def pay_supplier(screen: PosScreen) -> None:
    """The supplier payment lives with the collections (``accounts_money``)."""
    module = importlib.import_module("pos_tui.tui.screens.accounts_money")
    action = getattr(module, "open_supplier_payment", None)
    if action is None:
        screen.notify(_("Not available yet"), severity="warning")
        return
    action(screen)


@dataclass
class AccountsFound(Message, bubble=False):
    """The accounts a look-up found (a list of :class:`~pos_tui.core.accounts.PartyInfo`)."""

    text: str
    found: list[Any]


@dataclass
class SummaryShown(Message, bubble=False):
    """An account's figures were read (:class:`~pos_tui.core.accounts.reports.Summary`), with what
    each open item's document says to a person (``Fiş T1/12``)."""

    summary: Any
    documents: dict[str, str] = field(default_factory=dict)


@dataclass
class StatementShown(Message, bubble=False):
    statement: Any
    methods: dict[int, str] | None = None  # entry number → how the money moved (cash, card, …)


def entry_methods(party_id: int, start: date, end: date, tz: str) -> dict[int, str]:
    """The method (cash, card, transfer, cheque) of each of the party's entries of the period that has one."""
    from datetime import timedelta

    since = accounts.end_of_day(start - timedelta(days=1), tz)
    until = accounts.end_of_day(end, tz)
    return {e.number: e.method for e in accounts.entries(party_id, since=since, until=until) if e.method}


def _money(value: Decimal | int | None, language: str) -> str:
    if value is None:
        return "-"
    return format_money(from_kurus(value) if isinstance(value, int) else value, language)


def _day(value: date) -> str:
    return value.strftime("%d.%m.%Y")


class AccountLookupScreen(PosScreen, ScanTarget):
    """Type or scan an account; F3 lists the accounts a name matches, F5 the statement, Esc back."""

    AUTO_FOCUS = "#query"
    DEFAULT_CSS = """
    AccountLookupScreen #query { margin: 0 1; }
    AccountLookupScreen #account { height: auto; padding: 0 1; }
    AccountLookupScreen #items { height: 1fr; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        bind("app.back", "back", N_("Back"), N_("Back to the sale")),
        bind("stock.search", "search", N_("Search"), N_("List the accounts whose name matches")),
        bind("stock.card", "statement", N_("Statement"), N_("The statement of this account for a period")),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.summary: Any = None

    def compose(self) -> ComposeResult:
        yield StatusLine(id="status")
        yield Label(_("Account look-up"), classes="section-title")
        yield Input(
            id="query", placeholder=_("Code, name, phone, tax number or account card, then Enter"), max_length=64
        )
        yield Static(_("Type or scan an account to see its balance."), id="account")
        yield DataTable(id="items", cursor_type="row", zebra_stripes=True)
        yield Static("", id="message")
        yield KeyBar()

    def on_mount(self) -> None:
        table = self.query_one("#items", DataTable)
        table.display = False

    def action_back(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted, "#query")
    def _submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if not text:
            self.show_error(_("Type a code, a name or a phone number first"))
            return
        event.input.value = ""
        self.find(text, exact_first=True)

    def action_search(self) -> None:
        text = self.query_one("#query", Input).value.strip()
        if not text:
            self.show_error(_("Type a few letters of the name first, then F3"))
            return
        self.query_one("#query", Input).value = ""
        self.find(text, exact_first=False)

    def find(self, text: str, *, exact_first: bool) -> None:
        self.clear_message()

        def run(_override: Override | None) -> AccountsFound:
            if exact_first:
                party = accounts.find_party(text)
                if party is not None:
                    return AccountsFound(text, [party])
            return AccountsFound(text, accounts.search_parties(text, limit=20, active_only=False))

        pos_app(self).call_core(
            CoreCall(
                run=run, reply=lambda found: found, target=self, description=_("Finding the account"), group="accounts"
            )
        )

    @on(AccountsFound)
    def _found(self, event: AccountsFound) -> None:
        if not event.found:
            self.show_error(_("No account matches {text!r}").format(text=event.text[:30]))
            return
        if len(event.found) == 1:
            self.show(event.found[0].id)
            return
        from pos_tui.tui.dialogs.prompts import ChoiceDialog

        choices = [(str(p.id), f"{p.code}  {p.name}"[:60]) for p in event.found]

        def chosen(key: str | None) -> None:
            if key is not None:
                self.show(int(key))

        self.app.push_screen(ChoiceDialog(_("Which account?"), choices), chosen)

    def show(self, party_id: int) -> None:
        as_of = self.session.now()
        tz = self.session.tz

        def run(_override: Override | None) -> SummaryShown:
            from pos_tui.core.kernel import shop_day

            summary = accounts.reports.account_summary(party_id, shop_day(as_of, tz), tz)
            return SummaryShown(summary, accounts.document_labels(i.document for i in summary.open_items))

        pos_app(self).call_core(
            CoreCall(
                run=run, reply=lambda shown: shown, target=self, description=_("Reading the account"), group="accounts"
            )
        )

    @on(SummaryShown)
    def _shown(self, event: SummaryShown) -> None:
        s = self.summary = event.summary
        lang = self.language
        self.query_one("#account", Static).update(self.render_summary(s))
        table = self.query_one("#items", DataTable)
        table.clear(columns=True)
        for heading, right in (
            (_("No"), True),
            (_("Document"), False),
            (_("Date"), False),
            (_("Due date"), False),
            (_("Amount"), True),
            (_("Open"), True),
        ):
            table.add_column(Text(heading, justify="right") if right else heading)
        for item in s.open_items[:ITEM_ROWS]:
            late = item.due < self.session.now().date() and item.open > 0
            table.add_row(
                Text(str(item.number), justify="right"),
                (event.documents.get(item.document or "") or accounts.entry_label(item.kind))[:26],
                _day(item.day),
                Text(_day(item.due), style="red" if late else ""),
                Text(_money(item.amount, lang), justify="right"),
                Text(_money(item.open, lang), justify="right"),
            )
        table.display = bool(s.open_items)
        if s.overdue > 0:
            self.show_error(_("Overdue: {amount}").format(amount=_money(s.overdue, lang)))
        elif not s.open_items:
            self.show_note(_("No open items"))
        else:
            self.clear_message()

    def render_summary(self, s: Any) -> Table:
        lang = self.language
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column(overflow="fold")
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column(overflow="fold")
        p = s.party
        grid.add_row(_("Account"), Text.assemble((p.name, "bold"), "  ", (p.code, "dim")), "", "")
        who = _("owes the shop") if s.balance > 0 else _("the shop owes") if s.balance < 0 else _("settled")
        grid.add_row(
            _("Balance"),
            Text.assemble((_money(s.balance, lang), "bold red" if s.overdue > 0 else "bold"), f"  ({who})"),
            _("Overdue"),
            Text(_money(s.overdue, lang), style="red" if s.overdue > 0 else ""),
        )
        if s.credit_limit is not None:
            grid.add_row(
                _("Credit limit"), _money(s.credit_limit, lang), _("Available"), _money(s.available_credit, lang)
            )
        contact = " · ".join(x for x in (accounts.display_phone(p.phone), p.tax_id) if x)
        grid.add_row(_("Terms"), _("{n} days").format(n=p.terms_days), _("Contact"), contact or "-")
        return grid

    # -- the statement -------------------------------------------------------------------------

    def action_statement(self) -> None:
        if self.summary is None:
            self.show_error(_("Find an account first, then its statement"))
            return
        from pos_tui.core.kernel import shop_day
        from pos_tui.tui.dialogs.accounts_lookup_period import Period, StatementPeriodDialog

        party_id, tz = self.summary.party.id, self.session.tz

        def chosen(period: Period | None) -> None:
            if period is None:
                return

            def run(_override: Override | None) -> StatementShown:
                statement = accounts.reports.statement(party_id, period.start, period.end, tz=tz)
                return StatementShown(statement, entry_methods(party_id, period.start, period.end, tz))

            pos_app(self).call_core(
                CoreCall(
                    run=run,
                    reply=lambda shown: shown,
                    target=self,
                    description=_("Making the statement"),
                    group="accounts",
                )
            )

        self.app.push_screen(StatementPeriodDialog(shop_day(self.session.now(), tz)), chosen)

    @on(StatementShown)
    def _statement(self, event: StatementShown) -> None:
        self.app.push_screen(StatementScreen(event.statement, event.methods))


class StatementScreen(PosScreen):
    """A statement as a scrollable table (↑↓ PgUp PgDn), newest last; F5 prints it; Esc goes back."""

    AUTO_FOCUS = "#rows"
    BINDINGS: ClassVar[list[BindingType]] = [
        bind("app.back", "back", N_("Back"), N_("Back to the account")),
        bind("receipt.reprint", "print", N_("Print"), N_("Print the statement on the receipt printer")),
    ]

    def __init__(self, statement: Any, methods: dict[int, str] | None = None) -> None:
        super().__init__()
        self.statement = statement
        self.methods = methods or {}

    def compose(self) -> ComposeResult:
        s = self.statement
        yield StatusLine(id="status")
        yield Label(
            _("Statement: {code} {name}, {start} – {end}").format(
                code=s.party.code, name=s.party.name, start=_day(s.start), end=_day(s.end)
            ),
            classes="section-title",
        )
        yield DataTable(id="rows", cursor_type="row", zebra_stripes=True)
        yield Static("", id="message")
        yield KeyBar()

    def on_mount(self) -> None:
        s, lang = self.statement, self.language
        table = self.query_one("#rows", DataTable)
        for heading, right in (
            (_("Date"), False),
            (_("Entry"), False),
            (_("Debits"), True),
            (_("Credits"), True),
            (_("Balance"), True),
        ):
            table.add_column(Text(heading, justify="right") if right else heading)
        table.add_row(_day(s.start), _("Opening balance"), "", "", Text(_money(s.opening, lang), justify="right"))
        for line in s.lines:
            style = "dim strike" if line.cancelled else ""
            method = self.methods.get(line.number)
            text = f"{line.text} ({accounts.payments.method_name(method)})" if method else line.text
            label = f"{text} · {line.document}" if line.document and line.document not in text else text
            table.add_row(
                _day(line.day),
                Text(label[:34] + (" *" if line.cancelled else ""), style=style),
                Text(_money(line.debit, lang) if line.debit else "", justify="right", style=style),
                Text(_money(line.credit, lang) if line.credit else "", justify="right", style=style),
                Text(_money(line.balance, lang), justify="right"),
            )
        table.add_row(
            _day(s.end),
            Text(_("Closing balance"), style="bold"),
            Text(_money(s.total_debit, lang), justify="right"),
            Text(_money(s.total_credit, lang), justify="right"),
            Text(_money(s.closing, lang), justify="right", style="bold"),
        )
        table.move_cursor(row=table.row_count - 1)
        note = _("Opening {opening} · closing {closing} · {n} entries").format(
            opening=_money(s.opening, lang), closing=_money(s.closing, lang), n=len(s.lines)
        )
        if any(line.cancelled for line in s.lines):
            note += " · " + _("* cancelled, with its cancellation")
        self.show_note(note)

    def action_back(self) -> None:
        self.dismiss(None)

    def action_print(self) -> None:
        from pos_tui.tui.printing import print_job, station_of

        station = station_of(self.app)
        if station.queue is None:
            self.show_error(_("No receipt printer is configured"))
            return
        settings, s, app = self.session.settings, self.statement, self.app

        def work() -> None:
            job = accounts.reports.statement_slip(s, settings, width=station.width)
            station.submit(job)
            app.call_from_thread(self.show_note, _("Statement sent to the printer"))

        print_job(self, work, _("Printing the statement"))

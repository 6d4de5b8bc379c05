"""The report screen's terminal and store filter (F8): all terminals and stores, one terminal, or
one store (the CLI's ``--terminal`` / ``--store``; docs/reports.md "The report screen in the till").

The choices are the terminals where anything was ever recorded (:func:`pos_tui.core.staff.known_terminals`,
the ones ``pos-admin report --terminal`` accepts) and the chain's stores
(:func:`pos_tui.core.catalog.list_stores`), read in a worker when the dialog opens; "all" is there at
once. The current filter is highlighted; the arrows and Enter choose, Esc leaves the filter as it was.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option, OptionDoesNotExist

from pos_tui.core import catalog, staff
from pos_tui.core.kernel import Override
from pos_tui.i18n import _
from pos_tui.tui.base import pos_app
from pos_tui.tui.calls import CoreCall
from pos_tui.tui.dialogs.base import Dialog

ALL = "all"


@dataclass(frozen=True, slots=True)
class Scope:
    """Which documents a report counts: all (both None), one terminal's, or one store's."""

    terminal: str | None = None
    store: str | None = None

    @property
    def key(self) -> str:
        """The dialog's option id: ``all``, ``terminal:T2``, ``store:S1``."""
        if self.terminal is not None:
            return f"terminal:{self.terminal}"
        if self.store is not None:
            return f"store:{self.store}"
        return ALL

    @classmethod
    def of_key(cls, key: str) -> Scope:
        kind, _sep, code = key.partition(":")
        if kind == "terminal":
            return cls(terminal=code)
        if kind == "store":
            return cls(store=code)
        return cls()

    def label(self) -> str:
        """``Terminal: T2``, ``Store: S1``; empty for all (the title says nothing then)."""
        if self.terminal is not None:
            return _("Terminal: {terminal}").format(terminal=self.terminal)
        if self.store is not None:
            return _("Store: {store}").format(store=self.store)
        return ""


@dataclass
class ScopesLoaded(Message, bubble=False):
    """The terminals and stores to choose from: ``[(code, name)]`` for the stores."""

    terminals: list[str]
    stores: list[tuple[str, str]]


def load_scopes() -> ScopesLoaded:
    return ScopesLoaded(staff.known_terminals(), [(s.code, s.name) for s in catalog.list_stores()])


class ReportScopeDialog(Dialog[Scope]):
    """All terminals and stores, each terminal, each store: ↑↓ and Enter (module docstring)."""

    DEFAULT_CSS = """
    ReportScopeDialog #scope-list { height: auto; max-height: 14; }
    """

    def __init__(self, current: Scope) -> None:
        super().__init__(_("Terminal or store"))
        self.current = current

    def compose_body(self) -> ComposeResult:
        yield OptionList(Option(_("All terminals and stores"), id=ALL), id="scope-list")

    def hint(self) -> str:
        return _("↑↓ and Enter: choose · Esc: cancel")

    def on_mount(self) -> None:
        listing = self.query_one("#scope-list", OptionList)
        listing.highlighted = 0
        listing.focus()

        def run(_override: Override | None) -> ScopesLoaded:
            return load_scopes()

        pos_app(self).call_core(
            CoreCall(
                run=run,
                reply=lambda loaded: loaded,
                target=self,
                description=_("Reading the terminals and stores"),
                group="report-scopes",
                overridable=False,
            )
        )

    @on(ScopesLoaded)
    def _loaded(self, event: ScopesLoaded) -> None:
        listing = self.query_one("#scope-list", OptionList)
        options: list[Option] = []
        if event.terminals:
            options.append(Option(Text(_("Terminals"), style="bold"), id="group:terminals", disabled=True))
            options.extend(Option(f" {t}", id=Scope(terminal=t).key) for t in event.terminals)
        if event.stores:
            options.append(Option(Text(_("Stores"), style="bold"), id="group:stores", disabled=True))
            options.extend(Option(f" {code} · {name}", id=Scope(store=code).key) for code, name in event.stores)
        listing.add_options(options)
        try:
            listing.highlighted = listing.get_option_index(self.current.key)
        except OptionDoesNotExist:  # a filter on what is no longer listed: "all" stays highlighted
            listing.highlighted = 0
        self.call_after_refresh(self.fit_body)

    @on(OptionList.OptionSelected, "#scope-list")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        key = event.option.id
        if key is None or key.startswith("group:"):
            return
        self.dismiss(Scope.of_key(key))

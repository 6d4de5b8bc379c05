"""Dialogs that pick one item from a list: product search (type-ahead) and parked carts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from pos_tui.core import catalog
from pos_tui.core.kernel import Override, PosError, format_money, local, unit_label
from pos_tui.i18n import _, ngettext
from pos_tui.tui.base import pos_app
from pos_tui.tui.capabilities import ScanTarget
from pos_tui.tui.dialogs.base import Dialog
from pos_tui.tui.keymap import N_, bind
from pos_tui.tui.messages import ProductsFound

SEARCH_LIMIT = 50


def _row(left: Text | str, right: Text | str) -> Table:
    """One line of a list: ``left`` cut with an ellipsis, ``right`` whole, always two spaces
    apart (a code run into a price reads as another price)."""
    grid = Table.grid(expand=True, padding=(0, 2), pad_edge=False)
    grid.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
    grid.add_column(justify="right", no_wrap=True)
    grid.add_row(left, right)
    return grid


class ProductSearchDialog(Dialog[Any], ScanTarget):
    """Type part of a name (Turkish-aware: ``ısparta`` finds "Isparta Gülü") or a code; the
    list follows each keystroke. ↑↓ pick, Enter adds the highlighted product."""

    TITLE_TEXT = N_("Find a product")
    BINDINGS: ClassVar[list[BindingType]] = [
        bind("list.up", "move(-1)", N_("Up"), N_("Previous result"), show=False),
        bind("list.down", "move(1)", N_("Down"), N_("Next result"), show=False),
        bind("list.page_up", "move(-10)", N_("Page up"), N_("Ten results up"), show=False),
        bind("list.page_down", "move(10)", N_("Page down"), N_("Ten results down"), show=False),
    ]

    def __init__(self, language: str = "en") -> None:
        super().__init__()
        self.language = language
        self.products: list[Any] = []
        self.query_text = ""

    def compose_body(self) -> ComposeResult:
        yield Input(id="query", placeholder=_("Name or code"))
        results = OptionList(id="results")
        results.can_focus = False
        yield results

    def hint(self) -> str:
        return _("Type to search · ↑↓ pick · Enter: add · Esc: cancel")

    @on(Input.Changed, "#query")
    def _changed(self, event: Input.Changed) -> None:
        query = event.value.strip()
        self.query_text = query
        if not query:
            self._show([])
            return
        from pos_tui.tui.calls import CoreCall

        def run(_override: Override | None) -> list[Any]:
            found = catalog.search_products(query, SEARCH_LIMIT)
            if " " not in query:  # a product code or barcode typed whole comes first
                try:
                    exact = catalog.get_product(query)
                except PosError:
                    return found
                if exact.active:
                    return [exact, *(p for p in found if p.id != exact.id)][:SEARCH_LIMIT]
            return found

        pos_app(self).call_core(
            CoreCall(
                run=run,
                reply=lambda found: ProductsFound(query, found),
                target=self,
                description=_("Searching products"),
                group="search",
                overridable=False,
            )
        )

    @on(ProductsFound)
    def _found(self, event: ProductsFound) -> None:
        if event.query == self.query_text:
            self._show(event.products)

    def _show(self, products: Sequence[Any]) -> None:
        self.products = list(products)
        options = self.query_one("#results", OptionList)
        options.clear_options()
        lang = self.language
        for product in self.products:
            left = Text.assemble((product.name, "bold"), "  ", (product.code, "dim"))
            right = f"{format_money(product.price, lang)} / {unit_label(product.unit)}"
            options.add_option(Option(_row(left, right)))
        if self.products:
            options.highlighted = 0
        if self.query_text and not self.products:
            self.show_error(_("Nothing found for {query}").format(query=self.query_text))
        else:
            self.clear_error()

    def action_move(self, delta: int) -> None:
        options = self.query_one("#results", OptionList)
        if self.products:
            current = options.highlighted or 0
            options.highlighted = max(0, min(len(self.products) - 1, current + delta))

    @on(Input.Submitted, "#query")
    def _submitted(self) -> None:
        highlighted = self.query_one("#results", OptionList).highlighted
        if not self.products or highlighted is None:
            self.show_error(_("Type a name or code and pick a product"))
            return
        self.dismiss(self.products[highlighted])


class ParkedCartsDialog(Dialog[int]):
    """The terminal's parked carts, oldest first; Enter resumes the highlighted one (its draft id)."""

    TITLE_TEXT = N_("Parked carts")

    def __init__(self, parked: Sequence[Any], *, timezone: str, language: str = "en") -> None:
        super().__init__()
        self.parked = list(parked)
        self.timezone = timezone
        self.language = language

    def compose_body(self) -> ComposeResult:
        options = []
        for cart in self.parked:
            at = local(cart.parked_at, self.timezone).strftime("%H:%M")
            count = ngettext("{n} line", "{n} lines", cart.lines).format(n=cart.lines)
            left = Text.assemble((at, "bold"), "  ", cart.cashier, "  ", (count, "dim"))
            if getattr(cart, "account", None):  # the customer account the sale is made to
                left.append("  ")
                left.append(str(cart.account), style="bold")
            options.append(Option(_row(left, format_money(cart.total, self.language))))
        yield OptionList(*options, id="parked")

    def on_mount(self) -> None:
        options = self.query_one("#parked", OptionList)
        if self.parked:
            options.highlighted = 0
        options.focus()

    def hint(self) -> str:
        return _("↑↓ pick · Enter: resume · Esc: cancel")

    @on(OptionList.OptionSelected, "#parked")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.parked[event.option_index].draft_id)

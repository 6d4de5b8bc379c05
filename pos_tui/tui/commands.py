"""The command palette's product provider (Ctrl+P on the sale screen): type a name, pick a
product, it goes into the cart like a scan."""

from __future__ import annotations

import asyncio
from functools import partial

from rich.text import Text
from textual.command import Hit, Hits, Provider

from pos_tui.core import catalog
from pos_tui.core.kernel import format_money
from pos_tui.i18n import _
from pos_tui.tui.capabilities import AddsProducts

PALETTE_LIMIT = 20


class ProductCommands(Provider):
    """Turkish-aware product search (the catalog's word index) off the UI thread."""

    async def search(self, query: str) -> Hits:

        screen = self.screen
        if not isinstance(screen, AddsProducts) or not query.strip():
            return
        products = await asyncio.to_thread(catalog.search_products, query, PALETTE_LIMIT)
        language = screen.language
        for rank, product in enumerate(products):
            yield Hit(
                1.0 - rank / (PALETTE_LIMIT + 1),
                Text.assemble((product.name, "bold"), "  ", (format_money(product.price, language), "dim")),
                partial(screen.add_product, product.code),
                text=product.name,
                help=_("Add {name} ({code}) to the cart").format(name=product.name, code=product.code),
            )

"""Helpers of the report screen's terminal and store filter tests (test_rtui2_*): sales on two
terminals today, a second store, and the F8 dialog driven by the arrows."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from textual.pilot import Pilot
from textual.widgets import OptionList

from pos_tui.core import cash, catalog, stock
from pos_tui.core.basket import Cart, PaymentInput
from pos_tui.core.kernel import Actor
from pos_tui.core.loyalty import price_cart
from pos_tui.core.till import complete_sale
from pos_tui.store import models as m
from pos_tui.tui.dialogs.report_scope import ReportScopeDialog

T1_NET = "130.00"  # a tea (120,00) and a bread (10,00) on T1
T2_NET = "117.50"  # a milk (32,50) and a cologne (85,00) on T2
BOTH_NET = "247.50"


def sell_on(terminal: str, actor: Actor, codes: list[str], at: datetime) -> None:
    """One receipt of one of each product ``codes`` on ``terminal``, paid in cash."""
    cart = Cart()
    for code in codes:
        product = m.Product.get(m.Product.code == code)
        cart = cart.add(
            product_id=product.id,
            code=product.code,
            name=product.name,
            unit=product.unit,
            kdv_rate=product.kdv_rate,
            price=Decimal(product.price) / 100,
            qty_milli=1000,
        )
    priced = price_cart(cart, now=at)
    complete_sale(terminal, actor, [PaymentInput("cash", priced.total)], now=at, cart=priced)


def seed_two_tills(shop: Any, now: datetime, *, second_store: bool = False) -> None:
    """Shifts on T1 (ayşe) and T2 (mehmet) opened two hours before ``now``; an hour before it, on T1
    a tea and a bread (130,00) in two receipts, on T2 a milk and a cologne (117,50) on one.

    ``second_store``: store S2 "Kadıköy" with location KDK, from which T2 sells (T1 stays on S1's
    default location)."""
    if second_store:
        catalog.add_store("S2", "Kadıköy", now=now, terminal="admin")
        stock.add_location("KDK", "Kadıköy rafı", terminal="admin", now=now, store_code="S2")
        stock.assign_terminal("T2", "KDK", terminal="admin", now=now)
    opened, sold = now - timedelta(hours=2), now - timedelta(hours=1)
    cash.open_shift("T1", shop.ayse, Decimal("100.00"), now=opened)
    cash.open_shift("T2", shop.mehmet, Decimal("100.00"), now=opened)
    sell_on("T1", shop.ayse, ["1003"], sold)
    sell_on("T1", shop.ayse, ["1001"], sold)
    sell_on("T2", shop.mehmet, ["1002", "1004"], sold)


async def open_scope(pilot: Pilot[None], till: Any) -> ReportScopeDialog:
    """F8 on the report screen: the dialog with its terminals and stores read."""
    await pilot.press("f8")
    await till.settle(pilot)
    dialog = pilot.app.screen
    assert isinstance(dialog, ReportScopeDialog), dialog
    return dialog


async def choose(pilot: Pilot[None], till: Any, key: str) -> None:
    """In the open F8 dialog, walk with ↑/↓ to option ``key`` (``terminal:T2``, ``store:S1``,
    ``all``) and press Enter."""
    listing = pilot.app.screen.query_one("#scope-list", OptionList)
    wanted = listing.get_option_index(key)
    for _step in range(len(listing.options) * 2):
        current = listing.highlighted
        assert current is not None
        if current == wanted:
            break
        await pilot.press("down" if current < wanted else "up")
    assert listing.highlighted == wanted, (listing.highlighted, wanted)
    await pilot.press("enter")
    await till.settle(pilot)

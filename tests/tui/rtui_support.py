"""Helpers of the report screen's tests (test_rtui_*): open it from the F12 menu, read its table."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from pos_tui.tui.screens.menu import SHORTCUTS
from pos_tui.tui.screens.reports import ReportsScreen
from pos_tui.tui.widgets.report_table import ReportTable


async def sell_for_cash(pilot: Pilot[None], till: Any, code: str, cash: str) -> None:
    """Scan ``code``, pay ``cash`` in cash, close the receipt preview."""
    await till.scan(pilot, code)
    await pilot.press("f8")
    await till.type(pilot, cash, "enter")
    await till.type(pilot, "", "enter")


async def open_reports(pilot: Pilot[None], till: Any) -> ReportsScreen:
    """F12, then the menu's reports key; the screen with its first report made."""
    await pilot.press("f12")
    await till.settle(pilot)
    await pilot.press(SHORTCUTS["reports"])
    await till.settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ReportsScreen), screen
    return screen


def table_of(pilot: Pilot[None]) -> ReportTable:
    return pilot.app.screen.query_one(ReportTable)


def column(pilot: Pilot[None], key: str) -> list[str]:
    """The shown rows' texts in column ``key`` (the totals row left out)."""
    table = table_of(pilot)
    report = pilot.app.screen.report
    return table.column_texts(report.column(key))


def totals(pilot: Pilot[None]) -> list[str]:
    table = table_of(pilot)
    return [str(cell) for cell in table.get_row("__totals__")]


def seed_week(shop: Any, settings: Any, now: Any) -> None:
    """A shift opened on Thursday 29.10.2026 and two earlier sales of the week (Monday is 26.10):
    Friday 30.10 a milk (32,50), Saturday 31.10 a cologne (85,00). The test sells today's."""
    from datetime import timedelta
    from decimal import Decimal

    from pos_tui.core import cash
    from pos_tui.core.basket import Cart, PaymentInput
    from pos_tui.core.loyalty import price_cart
    from pos_tui.core.till import complete_sale
    from pos_tui.store import models as m

    cash.open_shift(settings.terminal_id, shop.ayse, Decimal("100.00"), now=now - timedelta(days=3))
    for days_before, code in ((2, "1002"), (1, "1004")):
        product = m.Product.get(m.Product.code == code)
        cart = Cart().add(
            product_id=product.id,
            code=product.code,
            name=product.name,
            unit=product.unit,
            kdv_rate=product.kdv_rate,
            price=Decimal(product.price) / 100,
            qty_milli=1000,
        )
        at = now - timedelta(days=days_before)
        priced = price_cart(cart, now=at)
        complete_sale(settings.terminal_id, shop.ayse, [PaymentInput("cash", priced.total)], now=at, cart=priced)

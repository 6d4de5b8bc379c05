"""The payment screen's parts table at 80×24 in Turkish with four-digit amounts: every header whole,
no stray scrollbar, a long card reference cut with "…"; the amount pre-filled the Turkish way."""

from __future__ import annotations

import dataclasses

from textual.widgets import DataTable, Input

from pos_tui.tui.screens.payment import PaymentScreen
from tests.tui import conftest as tui

_quick_pins, make_app, open_shift, shop, till = tui._quick_pins, tui.make_app, tui.open_shift, tui.shop, tui.till
Shop = tui.Shop
SIZE = (80, 24)


async def test_the_parts_table_fits_at_80x24_in_turkish(make_app, open_shift, till, settings) -> None:
    app = make_app(dataclasses.replace(settings, shop=dataclasses.replace(settings.shop, language="tr")))
    async with app.run_test(size=SIZE) as pilot:
        await till.login(pilot)
        await till.type(pilot, "14*", "")
        await till.scan(pilot, Shop.CAY)  # 14 × 120,00 = 1.680,00
        await pilot.press("f10")
        await till.settle(pilot)
        screen = app.screen
        assert isinstance(screen, PaymentScreen)
        assert screen.query_one("#tender", Input).value == "1.680,00"  # with the thousands separator
        await till.type(pilot, "1.000,00", "f9")  # read back as one thousand
        await till.type(pilot, "PROVIZYON-123456", "enter")
        await till.type(pilot, "1000", "f8")  # 320,00 change
        table = screen.query_one("#parts", DataTable)
        rows = till.screen_text(pilot).splitlines()[2:5]
        width = table.region.width
        parts = [row[: width + 1] for row in rows]
        assert "Referans" in parts[0] and "Para üstü" in parts[0], parts
        assert "1.000,00" in parts[1] and "PROVIZYON" in parts[1] and "…" in parts[1], parts
        assert "680,00" in parts[2] and "320,00" in parts[2], parts
        assert not any(glyph in "".join(parts) for glyph in "▎▁▔━"), parts  # no scrollbar in the table
        assert table.virtual_size.width <= table.region.width, (table.virtual_size, table.region)

"""Issue 15 newcomer findings on the till: with ``waiting_on_close = "block"`` the refusal to close a
shift or take a Z speaks to the cashier (no command, no setting), fits the 80×24 message line whole
and covers nothing; a core message with ``[brackets]`` is shown as written, not eaten as markup."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest
import test_ops_tui as ops_tui
from ops_support import closed_port_url
from sync_support import set_identity
from test_ops_tui import screen_text, settle, type_in

from pos_tui.core import cash
from pos_tui.settings import Settings, SyncSettings
from pos_tui.tui.app import PosApp
from pos_tui.tui.screens.sale import SaleScreen

till_shop = ops_tui.till_shop  # the shop and the app of the ops tests
make_app = ops_tui.make_app

TILL_WORDS = (
    "3 documents are waiting to be sent to the centre (20 min). "
    "Try again once the connection is back, or tell your manager."
)


def joined_words(pilot: object) -> str:
    """The screen's words with its line breaks taken out (a message over two lines reads as one)."""
    return " ".join(" ".join(line.split()) for line in screen_text(pilot).splitlines())  # type: ignore[arg-type]


@pytest.mark.parametrize(("pin", "key"), [("1111", "9"), ("9999", "2")], ids=["close-shift", "z-report"])
async def test_block_tells_the_cashier_in_full_at_80_by_24(
    till_shop: None, make_app: Callable[..., PosApp], settings: Settings, pin: str, key: str
) -> None:
    set_identity("T1", "S1", closed_port_url())
    block = dataclasses.replace(settings, sync=SyncSettings(waiting_on_close="block"))
    app = make_app(block)
    async with app.run_test(size=(80, 24)) as pilot:
        await type_in(pilot, pin, "enter")
        await pilot.press("f12")
        await settle(pilot)
        await pilot.press(key)
        await settle(pilot)
        assert isinstance(app.screen, SaleScreen)
        words = joined_words(pilot)
        assert TILL_WORDS in words, screen_text(pilot)
        assert "pos-admin" not in words and "waiting_on_close" not in words and "pos.toml" not in words
        assert not app._notifications  # no pop-up over the scan field
        scan = app.screen.query_one("#scan")
        assert scan.region.height > 0 and scan.region.bottom <= 24
    assert cash.current_shift(settings.terminal_id) is not None


async def test_a_message_with_brackets_is_shown_as_written(till_shop: None, make_app: Callable[..., PosApp]) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await type_in(pilot, "1111", "enter")
        assert isinstance(app.screen, SaleScreen)
        app.screen.show_error('set waiting_on_close = "warn" in [sync] [b]now[/b]')
        await pilot.pause()
        assert 'set waiting_on_close = "warn" in [sync] [b]now[/b]' in joined_words(pilot)


def test_the_member_panel_writes_points_with_thousands_separators() -> None:
    from rich.console import Console

    from pos_tui.tui.widgets.member_panel import render_profile

    console = Console(width=60, record=True)
    console.print(
        render_profile({"name": "Ayşe", "card": "2990000000017", "points": {"available": 1500, "pending": 2500}})
    )
    text = console.export_text()
    assert "1,500 points" in text and "+2,500 pending" in text, text

"""The till and sync: the centre's state on the status line (online, offline with what waits, nothing
on a till that joined no centre) at 80×24 beside the cashier and the shift; a sale sends itself;
closing a shift or taking a Z with documents waiting warns, or with "block" refuses."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from ops_support import closed_port_url
from sync_support import set_identity
from textual.pilot import Pilot
from textual.widgets import Input

from pos_tui.core import cash, catalog, staff, sync
from pos_tui.core.sync import identity, service
from pos_tui.settings import Settings, SyncSettings
from pos_tui.store import models as m
from pos_tui.tui.app import PosApp
from pos_tui.tui.dialogs.shift import CloseShiftDialog
from pos_tui.tui.dialogs.views import ConfirmDialog
from pos_tui.tui.screens.sale import SaleScreen

EKMEK = "8690000000012"


async def settle(pilot: Pilot[None]) -> None:
    for _round in range(4):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def type_in(pilot: Pilot[None], text: str, *keys: str) -> None:
    if text:
        focused = pilot.app.focused
        assert isinstance(focused, Input), focused
        start, end = sorted(focused.selection)
        focused.replace(text, start, end)
        await pilot.pause()
    await pilot.press(*keys)
    await settle(pilot)


def screen_text(pilot: Pilot[None]) -> str:
    strips = pilot.app.screen._compositor.render_strips()
    return "\n".join(strip.text for strip in strips)


def dialog_text(pilot: Pilot[None]) -> str:
    """The words on screen with a dialog's frame and its line breaks taken out."""
    return " ".join(" ".join(line.strip(" █▀▄").split()) for line in screen_text(pilot).splitlines()).strip()


@pytest.fixture
def till_shop(db: object, settings: Settings, now: datetime) -> None:
    """ayse (1111, cashier) with a shift open 20 minutes ago, admin (9999), bread; all of it posted
    20 minutes ago (so it waits for the centre from then)."""
    before = now - timedelta(minutes=20)
    ayse = staff.actor_of(staff.add_user("ayse", "cashier", "1111", now=before, settings=settings), settings)
    staff.add_user("admin", "admin", "9999", now=before, settings=settings)
    catalog.upsert_products(
        [catalog.ProductInput(code="1001", name="Ekmek", price=Decimal("10.00"), kdv_rate=1, barcodes=(EKMEK,))],
        now=before,
        kdv_rates=settings.kdv_rates,
    )
    cash.open_shift(settings.terminal_id, ayse, Decimal("100.00"), now=before)


@pytest.fixture
def make_app(settings: Settings, now: datetime) -> Callable[..., PosApp]:
    def make(settings_: Settings | None = None) -> PosApp:
        return PosApp(settings_ or settings, clock=lambda: now)

    return make


def _online_passes(monkeypatch: pytest.MonkeyPatch) -> list[datetime]:
    """A centre that takes everything: each pass acknowledges the outbox and says online."""
    passes: list[datetime] = []

    def run_once(now: datetime, settings: Settings) -> Any:
        passes.append(now)
        identity.put({"high_water": str(sync.status.status(now).last_seq)})
        service.record(now, online=True, error=None, pushed=True, pulled=True)
        return sync.RunResult(now, online=True)

    monkeypatch.setattr(service, "run_once", run_once)
    return passes


async def test_an_offline_till_shows_what_waits_beside_the_cashier_at_80_columns(
    till_shop: None, make_app: Callable[..., PosApp]
) -> None:
    set_identity("T1", "S1", closed_port_url())
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await type_in(pilot, "1111", "enter")
        assert isinstance(app.screen, SaleScreen)
        await settle(pilot)
        app.screen.query_one("#status").refresh_status()  # type: ignore[attr-defined]
        await pilot.pause()
        top = screen_text(pilot).splitlines()[0]
        assert app.sync_state() is not None and app.sync_state().online is False
        assert "Offline: 3 docs, 20 min" in top, top
        assert "ayse" in top and "Shift #1" in top and "Terminal T1" in top
    assert sync.status.status(app.session.now()).last_error  # the pass recorded why


async def test_a_narrow_line_keeps_the_cashier_and_shortens_the_centre(
    till_shop: None, make_app: Callable[..., PosApp], settings: Settings
) -> None:
    from pos_tui.tui.widgets.status import sync_text

    set_identity("T1", "S1", closed_port_url())
    long_name = dataclasses.replace(settings, shop=dataclasses.replace(settings.shop, name="Kadıköy Şubesi"))
    app = make_app(long_name)
    app.einvoice_status = lambda *, short=False: "Invoices: 12 queued" + ("" if short else ", 3 h")  # type: ignore[method-assign]
    async with app.run_test(size=(80, 24)) as pilot:
        await type_in(pilot, "1111", "enter")
        await settle(pilot)
        app.screen.query_one("#status").refresh_status()  # type: ignore[attr-defined]
        await pilot.pause()
        top = screen_text(pilot).splitlines()[0]
        assert "ayse" in top and "Shift #1" in top, top
        state = app.sync_state()
        short_forms = [sync_text(state, app.session.now(), size=s)[0] for s in (1, 2)]
        assert "Offline: 3 " in top and "Invoices: 12 queued " in top, top  # both shortened, both there
    assert short_forms == ["Offline: 3", "⇅ 3"]


async def test_an_online_till_says_so_and_a_sale_goes_within_seconds(
    till_shop: None, make_app: Callable[..., PosApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    set_identity("T1", "S1", closed_port_url())
    passes = _online_passes(monkeypatch)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await type_in(pilot, "1111", "enter")
        await settle(pilot)
        assert len(passes) == 1  # the first pass, at start
        app.screen.query_one("#status").refresh_status()  # type: ignore[attr-defined]
        await pilot.pause()
        assert "Centre: online" in screen_text(pilot).splitlines()[0]
        await type_in(pilot, EKMEK, "enter")
        await pilot.press("f8")
        await type_in(pilot, "10", "enter")
        await type_in(pilot, "", "enter")  # the receipt preview
        assert app.sync_state().waiting == 1  # the sale is counted at once…
        await pilot.pause(2.5)  # …and sent shortly after
        await settle(pilot)
        assert len(passes) == 2
        assert app.sync_state().waiting == 0
    assert m.Sale.select().count() == 1


async def test_a_till_that_joined_no_centre_shows_nothing_and_runs_no_worker(
    till_shop: None, make_app: Callable[..., PosApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    passes = _online_passes(monkeypatch)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await type_in(pilot, "1111", "enter")
        await settle(pilot)
        top = screen_text(pilot).splitlines()[0]
        assert "Centre" not in top and "Offline" not in top
        assert app.sync_state() is None and app._sync_timer is None
    assert passes == []


async def test_closing_the_shift_with_documents_waiting_asks_first(
    till_shop: None, make_app: Callable[..., PosApp], settings: Settings
) -> None:
    set_identity("T1", "S1", closed_port_url())
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await type_in(pilot, "1111", "enter")
        await pilot.press("f12")
        await settle(pilot)
        await pilot.press("9")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        text = dialog_text(pilot)
        assert "3 documents have not reached the centre yet (the oldest for 20 min)" in text, text
        assert "Close the shift anyway?" in text, text
        await pilot.press("escape")  # no: back to the sale, the shift open
        await settle(pilot)
        assert isinstance(app.screen, SaleScreen)
        await pilot.press("f12")
        await settle(pilot)
        await pilot.press("9")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CloseShiftDialog)
        await type_in(pilot, "100", "enter")
    assert cash.current_shift(settings.terminal_id) is None


async def test_block_refuses_to_close_the_shift_and_says_why(
    till_shop: None, make_app: Callable[..., PosApp], settings: Settings
) -> None:
    set_identity("T1", "S1", closed_port_url())
    block = dataclasses.replace(settings, sync=SyncSettings(waiting_on_close="block"))
    app = make_app(block)
    async with app.run_test(size=(80, 24)) as pilot:
        await type_in(pilot, "1111", "enter")
        await pilot.press("f12")
        await settle(pilot)
        await pilot.press("9")
        await settle(pilot)
        assert isinstance(app.screen, SaleScreen)
        text = dialog_text(pilot)
        assert "3 documents are waiting to be sent to the centre" in text and "tell your manager" in text, text
    assert cash.current_shift(settings.terminal_id) is not None


async def test_block_lets_the_shift_close_once_a_pass_sent_everything(
    till_shop: None, make_app: Callable[..., PosApp], settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_identity("T1", "S1", closed_port_url())
    passes = _online_passes(monkeypatch)
    block = dataclasses.replace(settings, sync=SyncSettings(waiting_on_close="block"))
    app = make_app(block)
    async with app.run_test(size=(80, 24)) as pilot:
        await type_in(pilot, "1111", "enter")
        await settle(pilot)
        identity.put({"high_water": "0"})  # as if the sales since had not gone yet
        await pilot.press("f12")
        await settle(pilot)
        await pilot.press("9")
        await settle(pilot)
        assert isinstance(app.screen, CloseShiftDialog)  # the pass before closing sent them
        await type_in(pilot, "100", "enter")
    assert len(passes) >= 2
    assert cash.current_shift(settings.terminal_id) is None


async def test_the_z_question_names_what_waits(
    till_shop: None, make_app: Callable[..., PosApp], settings: Settings
) -> None:
    set_identity("T1", "S1", closed_port_url())
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await type_in(pilot, "9999", "enter")
        await pilot.press("f12")
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        text = dialog_text(pilot)
        assert "3 documents have not reached the centre yet" in text, text
        assert "Close the day on terminal T1?" in text, text

"""The counting screen (Pilot, 80×24): F12 → Stock → Stock count, a new count, a zone, then scan,
multiply, a weighed label, a typed weight, undo, review and post; a blind count shows no
expected quantities; and a snapshot at 80×24."""

from __future__ import annotations

import importlib.util
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Static

from pos_tui.core.stock import counting, ledger
from pos_tui.core.stock.locations import terminal_location
from pos_tui.store import models as m
from pos_tui.tui.screens.counting import CountingScreen

# The TUI tests' shop, app and keyboard helpers (tests/tui/conftest.py), without copying them.
_spec = importlib.util.spec_from_file_location(
    "tui_fixtures_for_count", Path(__file__).parent.parent / "tui" / "conftest.py"
)
assert _spec is not None and _spec.loader is not None
_tui = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = _tui
_spec.loader.exec_module(_tui)
_quick_pins, shop, open_shift, make_app, till = _tui._quick_pins, _tui.shop, _tui.open_shift, _tui.make_app, _tui.till
Shop = _tui.Shop


def _stock(shop_: Any, now: datetime, code: str, qty: int, cost: int) -> int:
    pid = int(m.Product.get(m.Product.code == code).id)
    loc = terminal_location(None)
    ledger.write_stock_document(
        ledger.StockDraft(
            kind="adjustment",
            at=now,
            now=now,
            terminal="T1",
            user_id=shop_.admin.user_id,
            location_id=loc,
            lines=[ledger.DraftLine(pid, qty)],
            movements=[ledger.Movement(pid, loc, qty, ledger.ADJUST, amount=qty * cost // 1000, reason="opening")],
            reason="opening",
        )
    )
    return pid


def lines_text(pilot: Any) -> str:
    """The rows of the counted products' list as the terminal shows them (header first)."""
    region = pilot.app.screen.query_one("#count-lines", Static).region
    strips = pilot.app.screen._compositor.render_strips()
    return "\n".join(strips[y].text[region.x : region.right] for y in range(region.y, region.bottom)).rstrip()


async def to_counting(pilot: Any, till_: Any, *, new: str | None = None, zone: str = "Raf 1") -> None:
    await pilot.press("f12")
    await till_.settle(pilot)
    await pilot.press("s")  # the stock entry
    await till_.settle(pilot)
    await pilot.press("5")  # stock count
    await till_.settle(pilot)
    if new is not None:
        await pilot.press("1")  # no open count yet: "Open a new count…" is the first entry
        await till_.settle(pilot)
        await till_.type(pilot, new, "enter")
    else:
        await pilot.press("1")
        await till_.settle(pilot)
    await till_.type(pilot, zone, "enter")


async def test_count_scan_multiply_weigh_undo_post(
    make_app: Any, shop: Any, open_shift: Any, till: Any, now: datetime
) -> None:
    bread = _stock(shop, now, "1001", 10_000, 500)
    milk = _stock(shop, now, "1002", 2_000, 2_000)
    tomato = int(m.Product.get(m.Product.code == "00123").id)
    tea = _stock(shop, now, "1003", 4_000, 9_000)  # not counted: left as it is
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await till.login(pilot, "2222")  # mehmet, supervisor: may open and post counts
        await to_counting(pilot, till, new="Yıl sonu")
        screen = pilot.app.screen
        assert isinstance(screen, CountingScreen)
        assert "Yıl sonu" in till.screen_text(pilot) and "Raf 1" in till.screen_text(pilot)
        await till.scan(pilot, Shop.EKMEK)
        assert "Ekmek" in lines_text(pilot)
        await till.scan(pilot, "3*")
        await till.scan(pilot, Shop.SUT)
        await till.scan(pilot, Shop.DOMATES_1500G)  # a weighed label: 1,5 kg
        await till.scan(pilot, "1,250*00123")  # a typed weight
        first_line = lines_text(pilot).splitlines()[1]
        assert "Domates" in first_line and "2.75" in first_line  # newest on top, its total
        await pilot.press("f4")  # undo the typed weight
        await till.settle(pilot)
        assert "Undone" in till.message(pilot)
        assert counting.session_totals(screen.info.id) == {bread: 1_000, milk: 3_000, tomato: 1_500}
        await till.scan(pilot, "12345")  # unknown: the error is on screen
        assert "12345" in till.message(pilot)
        assert "Products: 3" in till.screen_text(pilot)
        await pilot.press("f8")
        await till.settle(pilot)
        review = till.screen_text(pilot)
        assert "Review of count" in review and "F5" in review
        await pilot.press("f5")  # post, leaving the uncounted tea as it is: asked first
        await till.settle(pilot)
        question = pilot.app.screen.question
        assert "3 products get a count movement" in question and "1 uncounted product with stock stays" in question
        await pilot.press("f10")
        await till.settle(pilot)
        assert "posted" in till.message(pilot)
    assert ledger.on_hand(bread) == 1_000 and ledger.on_hand(milk) == 3_000 and ledger.on_hand(tomato) == 1_500
    assert ledger.on_hand(tea) == 4_000
    assert m.CountSession.get_by_id(screen.info.id).status == "posted"


async def test_a_counter_counts_a_blind_count_without_seeing_expected(
    make_app: Any, shop: Any, open_shift: Any, till: Any, now: datetime
) -> None:
    _stock(shop, now, "1001", 10_000, 500)
    counting.open_count("Kör sayım", actor=shop.mehmet, now=now, terminal="T1", blind=True)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await till.login(pilot, "1111")  # ayse, cashier: may count
        await to_counting(pilot, till, zone="")
        await till.scan(pilot, Shop.EKMEK)
        text = till.screen_text(pilot)
        assert "Ekmek" in text and "blind" in text
        assert "Expected" not in text
        (row,) = [r for r in lines_text(pilot).splitlines() if "Ekmek" in r]
        assert row.split("Ekmek")[1].split() == ["1"]  # counted only: no expected 10 beside it
        await pilot.press("f8")
        await till.settle(pilot)
        review = till.screen_text(pilot)
        assert "Expected" not in review
        await pilot.press("f5")  # posting needs count_manage: a supervisor's PIN is asked
        await till.settle(pilot)
        assert "1 counted product will be posted" in pilot.app.screen.question
        await pilot.press("f10")
        await till.settle(pilot)
        assert "PIN" in till.screen_text(pilot)


async def test_posting_a_count_asks_first_and_enter_means_no(
    make_app: Any, shop: Any, open_shift: Any, till: Any, now: datetime
) -> None:
    """F6 (post, zero uncounted) never posts by itself: the question says how many products get
    a movement and how many uncounted ones go to ZERO with their value; Enter or Esc is no, only
    F10 posts."""
    from pos_tui.tui.dialogs.views import ConfirmDialog

    bread = _stock(shop, now, "1001", 10_000, 500)
    milk = _stock(shop, now, "1002", 2_000, 2_000)  # uncounted: 2 × 20,00 = 40,00
    tea = _stock(shop, now, "1003", 4_000, 9_000)  # uncounted: 4 × 90,00 = 360,00
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await till.login(pilot, "2222")
        await to_counting(pilot, till, new="Raf")
        screen = pilot.app.screen
        assert isinstance(screen, CountingScreen)
        await till.scan(pilot, Shop.EKMEK)
        for no in ("enter", "escape"):
            await pilot.press("f8")
            await till.settle(pilot)
            await pilot.press("f6")
            await till.settle(pilot)
            assert isinstance(pilot.app.screen, ConfirmDialog)
            question = pilot.app.screen.question
            assert "1 product gets a count movement" in question
            assert "2 uncounted products with stock will be set to ZERO" in question and "400.00" in question
            await pilot.press(no)
            await till.settle(pilot)
            assert pilot.app.screen is screen and "Not posted" in till.message(pilot)
            assert m.CountSession.get_by_id(screen.info.id).status == "open"
            assert ledger.on_hand(tea) == 4_000
        await pilot.press("f8")
        await till.settle(pilot)
        await pilot.press("f6")
        await till.settle(pilot)
        await pilot.press("f10")
        await till.settle(pilot)
        assert "posted" in till.message(pilot)
    assert ledger.on_hand(bread) == 1_000 and ledger.on_hand(milk) == 0 and ledger.on_hand(tea) == 0


async def test_a_scan_into_the_zone_prompt_is_the_first_count(
    make_app: Any, shop: Any, open_shift: Any, till: Any, now: datetime
) -> None:
    """A barcode scanned into the zone prompt is not a zone: no zone, and it counts as the first
    scan; a scale label too (with its weight); a typed zone stays a zone; F2 the same."""
    bread = _stock(shop, now, "1001", 10_000, 500)
    tomato = int(m.Product.get(m.Product.code == "00123").id)
    info = counting.open_count("Raf sayımı", actor=shop.mehmet, now=now, terminal="T1")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await till.login(pilot, "2222")
        await to_counting(pilot, till, zone=Shop.EKMEK)
        screen = pilot.app.screen
        assert isinstance(screen, CountingScreen)
        assert screen.zone is None and "Zone: -" in till.screen_text(pilot)
        assert "Ekmek" in lines_text(pilot)
        assert counting.session_totals(info.id) == {bread: 1_000}
        await pilot.press("f2")
        await till.settle(pilot)
        await till.type(pilot, Shop.DOMATES_1500G, "enter")  # a scale label into F2: counted, zone unchanged
        assert screen.zone is None
        await pilot.press("f2")
        await till.settle(pilot)
        await till.type(pilot, "Raf 7", "enter")
        assert screen.zone == "Raf 7"
    assert counting.session_totals(info.id) == {bread: 1_000, tomato: 1_500}


@pytest.mark.usefixtures("open_shift")
def test_counting_screen_at_80x24(snap_compare: Any, make_app: Any, shop: Any, till: Any, now: datetime) -> None:
    _stock(shop, now, "1001", 10_000, 500)
    _stock(shop, now, "1002", 2_000, 2_000)
    counting.open_count("Yıl sonu", actor=shop.mehmet, now=now, terminal="T1")

    async def count(pilot: Any) -> None:
        await till.login(pilot, "2222")
        await to_counting(pilot, till)
        for code in (Shop.EKMEK, "3*" + Shop.SUT, Shop.DOMATES_1500G, Shop.EKMEK, "99999"):
            await till.scan(pilot, code)
        await till.steady(pilot)

    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=count)


async def test_a_scan_is_painted_in_its_own_call(
    make_app: Any, shop: Any, open_shift: Any, till: Any, now: datetime
) -> None:
    """As on the sale screen: the entry's line, the totals and the emptied field reach the
    terminal in one paint made by the scan call itself (``paint_now``), not a frame later."""
    from textual._compositor import CompositorUpdate
    from textual.widgets import Input

    info = counting.open_count("Hızlı", actor=shop.mehmet, now=now, terminal="T1")
    app = make_app()
    paints: list[str] = []
    display = app._display

    def recording(screen: Any, renderable: Any) -> None:
        display(screen, renderable)
        if isinstance(renderable, CompositorUpdate):
            paints.append(renderable.render_segments(app.console))

    async with app.run_test(size=(80, 24)) as pilot:
        await till.login(pilot, "1111")
        screen = CountingScreen(info, None)
        await pilot.app.push_screen(screen)
        await till.settle(pilot)
        scan = screen.query_one("#scan", Input)
        scan.value = "2*" + Shop.CAY
        await pilot.pause()
        app._display = recording  # type: ignore[method-assign]
        await scan.action_submit()  # what Enter does; no pause after it
        assert paints, "the scan painted nothing by itself"
        assert "Çay 500 g" in paints[0] and "+2 → 2" in paints[0]
        assert Shop.CAY not in paints[0]  # the scan field is emptied in that paint too


async def test_counting_mode_for_a_user_who_only_counts(
    make_app: Any, shop: Any, settings: Any, till: Any, now: datetime
) -> None:
    """A user who may count but not sell goes from the PIN straight to the counts (the app's
    start_session asks :func:`counting_mode`); leaving the counting screen logs out."""
    import dataclasses

    from pos_tui.core import staff
    from pos_tui.settings import RoleSettings
    from pos_tui.tui.screens.login import LoginScreen

    roles = {**settings.roles, "counter": RoleSettings(0, frozenset({"count"}))}
    counter_settings = dataclasses.replace(settings, roles=roles)
    staff.add_user("veli", "counter", "5555", now=now, settings=counter_settings)
    counting.open_count("Depo", actor=shop.mehmet, now=now, terminal="T1")
    app = make_app(counter_settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await till.login(pilot, "5555")
        await pilot.press("1")  # the open count
        await till.settle(pilot)
        await till.type(pilot, "", "enter")  # no zone
        assert isinstance(pilot.app.screen, CountingScreen)
        await till.scan(pilot, Shop.EKMEK)
        assert "Ekmek" in lines_text(pilot)
        await pilot.press("escape")
        await till.settle(pilot)
        assert isinstance(pilot.app.screen, LoginScreen) and pilot.app.session.actor is None

"""The account look-up in the till: F12 → Accounts → look-up; balance, open items, statement, print; 80×24."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from accounts_support import Books, make_books, post, quick_pins  # noqa: F401
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from pos_tui.core import accounts, cash
from pos_tui.core.kernel import Printable
from pos_tui.settings import Settings
from pos_tui.tui.app import PosApp
from pos_tui.tui.dialogs.accounts_lookup_period import StatementPeriodDialog, parse_day
from pos_tui.tui.screens.accounts import AccountLookupScreen, StatementScreen

SIZE = (80, 24)


@pytest.fixture
def books(db: object, settings: Settings, now: object) -> Iterator[Books]:
    built = make_books(settings, now)  # type: ignore[arg-type]
    cash.open_shift(settings.terminal_id, built.ayse, Decimal("100.00"), now=built.now)
    b = built.bakkal
    post(built, b, accounts.SALE, "700.00", days=-40, due_days=30)
    post(built, b, accounts.SALE, "250.50", days=-5, due_days=30)
    wrong = post(built, b, accounts.COLLECTION, "-80.00", days=-3)
    accounts.cancel_entry(wrong.number, reason="yanlış", actor=built.admin, terminal="T1", now=built.now)
    post(built, b, accounts.COLLECTION, "-100.00", days=-1)
    yield built


def make_app(books: Books) -> PosApp:
    return PosApp(books.settings, clock=lambda: books.now)


async def settle(pilot: Pilot[None]) -> None:
    for _round in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def type_in(pilot: Pilot[None], text: str, *keys: str) -> None:
    if pilot.app.focused is None:
        await settle(pilot)
    focused = pilot.app.focused
    assert isinstance(focused, Input), focused
    focused.replace(text, *sorted(focused.selection))
    await pilot.pause()
    await pilot.press(*keys)
    await settle(pilot)


def screen_text(pilot: Pilot[None]) -> str:
    return "\n".join(strip.text for strip in pilot.app.screen._compositor.render_strips())


def message(pilot: Pilot[None]) -> str:
    return str(pilot.app.screen.query_one("#message", Static).render())


async def open_lookup(pilot: Pilot[None], pin: str = "1111") -> None:
    await type_in(pilot, pin, "enter")
    await pilot.press("f12")
    await settle(pilot)
    await pilot.press("h")  # the F12 menu's accounts entry
    await settle(pilot)
    await pilot.press("1")  # the look-up
    await settle(pilot)
    assert isinstance(pilot.app.screen, AccountLookupScreen)


async def test_look_up_by_phone_shows_balance_and_open_items(books: Books) -> None:
    app = make_app(books)
    async with app.run_test(size=SIZE) as pilot:
        await open_lookup(pilot)
        await pilot.press("f5")
        await settle(pilot)
        assert "Find an account first" in message(pilot)
        await type_in(pilot, "0532 111 22 33", "enter")
        text = screen_text(pilot)
        for shown in ("Köşe Bakkalı Ltd.", "850.50", "owes the shop", "1,000.00", "149.50", "600.00"):
            assert shown in text, shown
        assert "Overdue: 600.00" in message(pilot)
        table = app.screen.query_one("#items", DataTable)
        rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        assert [r[4:] for r in rows] == [["700.00", "600.00"], ["250.50", "250.50"]]
        await type_in(pilot, "nobody-here", "enter")
        assert "No account matches" in message(pilot)


async def test_search_by_name_offers_a_list(books: Books) -> None:
    accounts.add_party(accounts.PartyInput(code="BAKKAL2", name="Köşe Bakkalı Şube"), now=books.now)
    app = make_app(books)
    async with app.run_test(size=SIZE) as pilot:
        await open_lookup(pilot)
        await type_in(pilot, "köşe", "f3")
        assert "Which account?" in screen_text(pilot)
        await pilot.press("2")
        await settle(pilot)
        assert "BAKKAL2" in screen_text(pilot) and "No open items" in message(pilot)


async def test_statement_on_screen_and_printed(books: Books, monkeypatch: pytest.MonkeyPatch) -> None:
    from pos_tui.tui import printing

    printed: list[Printable] = []

    class Station:
        queue = object()
        width = 42

        def submit(self, job: Printable) -> int:
            printed.append(job)
            return 1

    app = make_app(books)
    async with app.run_test(size=SIZE) as pilot:
        await open_lookup(pilot)
        monkeypatch.setattr(printing, "station_of", lambda app: Station())
        await type_in(pilot, "BAKKAL", "enter")
        await pilot.press("f5")
        await settle(pilot)
        assert isinstance(app.screen, StatementPeriodDialog)
        await type_in(pilot, "20.10.2026", "enter")
        await type_in(pilot, "31.10.2026", "enter")
        assert isinstance(app.screen, StatementScreen)
        table = app.screen.query_one("#rows", DataTable)
        rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        assert rows[0][1:] == ["Opening balance", "", "", "700.00"]
        assert rows[-1][1:] == ["Closing balance", "250.50", "180.00", "770.50"]
        assert any(r[1].endswith(" *") for r in rows)  # the cancelled collection, marked
        assert "closing 770.50" in message(pilot)
        await pilot.press("f5")
        await settle(pilot)
        assert len(printed) == 1 and all(len(line.text) <= 42 for line in printed[0].lines)
        assert "sent to the printer" in message(pilot)


async def test_period_dialog_refuses_bad_dates(books: Books) -> None:
    assert parse_day("01.11.2026") is not None and parse_day("2026-11-01") is not None
    assert parse_day("32.11.2026") is None
    app = make_app(books)
    async with app.run_test(size=SIZE) as pilot:
        await open_lookup(pilot)
        await type_in(pilot, "BAKKAL", "enter")
        await pilot.press("f5")
        await settle(pilot)
        await type_in(pilot, "yesterday", "enter")
        await type_in(pilot, "", "enter")
        dialog = app.screen
        assert isinstance(dialog, StatementPeriodDialog)
        assert "not a date" in str(dialog.query_one(".error-line", Static).render())


def test_the_lookup_at_80x24(snap_compare, books: Books) -> None:
    async def lookup(pilot: Pilot[None]) -> None:
        await open_lookup(pilot)
        await type_in(pilot, "BAKKAL", "enter")
        for field in pilot.app.screen.query(Input):
            field.cursor_blink = False
        await pilot.pause()

    assert snap_compare(make_app(books), terminal_size=SIZE, run_before=lookup)


def test_the_statement_at_80x24(snap_compare, books: Books) -> None:
    async def statement(pilot: Pilot[None]) -> None:
        await open_lookup(pilot)
        await type_in(pilot, "BAKKAL", "enter")
        await pilot.press("f5")
        await settle(pilot)
        await type_in(pilot, "01.09.2026", "enter")
        await type_in(pilot, "01.11.2026", "enter")

    assert snap_compare(make_app(books), terminal_size=SIZE, run_before=statement)


def test_the_period_dialog_and_its_error_at_80x24(snap_compare, books: Books) -> None:
    async def period(pilot: Pilot[None]) -> None:
        await open_lookup(pilot)
        await type_in(pilot, "BAKKAL", "enter")
        await pilot.press("f5")
        await settle(pilot)
        await type_in(pilot, "01.11.2026", "enter")
        await type_in(pilot, "31.10.2026", "enter")  # before the first day
        assert "The last day is before the first day" in screen_text(pilot)
        for field in pilot.app.screen.query(Input):
            field.cursor_blink = False
        await pilot.pause()

    assert snap_compare(make_app(books), terminal_size=SIZE, run_before=period)

"""The agenda at the till: the login reminder (one key closes it; nothing for a user with nothing
due), and F12 → Agenda (day/week, add, done, snooze, reopen, errors on screen), all at 80×24,
with snapshots."""

from __future__ import annotations

from datetime import datetime

import pytest
from textual.widgets import DataTable, Static

from pos_tui.core import agenda
from pos_tui.store import models as m
from pos_tui.tui.dialogs.base import Dialog
from pos_tui.tui.screens.agenda import AgendaAddDialog, AgendaDialog, AgendaDueDialog
from pos_tui.tui.screens.sale import SaleScreen
from tests.tui import conftest as tui

Shop, Till = tui.Shop, tui.Till
_quick_pins, make_app, open_shift, shop, till = tui._quick_pins, tui.make_app, tui.open_shift, tui.shop, tui.till

SIZE = (80, 24)
TZ = "Europe/Istanbul"


def at(text: str) -> datetime:
    return agenda.parse_moment(text, TZ)[0]


@pytest.fixture
def entries(shop: Shop, now: datetime) -> None:
    """Now is Sunday 01.11.2026 10:15. Ayşe (cashier) sees an overdue one of hers, one for every
    cashier today, one for everyone on 29 Ekim (a holiday, overdue); not mehmet's, not tomorrow's."""

    def add(title: str, due: str, **kw: object) -> None:
        agenda.add_entry(
            agenda.AgendaInput(title=title, due=agenda.parse_moment(due, TZ)[0], **kw),  # type: ignore[arg-type]
            actor=shop.admin,
            now=now,
            tz=TZ,
        )

    add("Bakkal'ın çekini sor", "31.10.2026 16:00", user="ayse")
    add("Vitrini düzenle", "01.11.2026 18:00", role="cashier")
    add("Bayram mesaisini yaz", "29.10.2026", all_day=True)
    add("Mehmet'in işi", "01.11.2026 09:00", user="mehmet")
    add("Yarınki sipariş", "02.11.2026 09:00", user="ayse", rrule="FREQ=WEEKLY;BYDAY=MO")


def in_screen(pilot, till: Till, text: str) -> None:
    assert text in till.screen_text(pilot), till.screen_text(pilot)


async def test_login_reminder_shows_due_entries_and_one_key_closes_it(make_app, open_shift, entries, till) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await till.login(pilot)
        await till.settle(pilot)
        assert isinstance(app.screen, AgendaDueDialog)
        shown = till.screen_text(pilot)
        for title in ("Bakkal'ın çekini sor", "Vitrini düzenle", "Bayram mesaisini yaz", "Cumhuriyet Bayramı"):
            assert title in shown
        assert "Mehmet'in işi" not in shown and "Yarınki sipariş" not in shown
        await pilot.press("enter")
        await till.settle(pilot)
        assert isinstance(app.screen, SaleScreen)


async def test_no_reminder_for_a_user_with_nothing_due(make_app, open_shift, shop, till) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await till.login(pilot)
        await till.settle(pilot)
        assert isinstance(app.screen, SaleScreen)
        await till.scan(pilot, Shop.EKMEK)  # the cashier sells straight away
        assert "Ekmek" in till.screen_text(pilot)


async def open_agenda_dialog(pilot, till: Till) -> AgendaDialog:
    await pilot.press("escape")  # the login reminder
    await till.settle(pilot)
    await pilot.press("f12")
    await till.settle(pilot)
    await pilot.press("j")
    await till.settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, AgendaDialog)
    return screen


def titles(dialog: AgendaDialog) -> list[str]:
    return [e.title for e in dialog.entries]


async def test_agenda_day_week_add_done_snooze_reopen(make_app, open_shift, entries, till) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await till.login(pilot)
        dialog = await open_agenda_dialog(pilot, till)
        assert titles(dialog) == ["Bayram mesaisini yaz", "Bakkal'ın çekini sor", "Vitrini düzenle"]
        in_screen(pilot, till, "Day 01.11.2026, Sunday")
        in_screen(pilot, till, "F5 done")
        await pilot.press("f4")
        await till.settle(pilot)
        assert titles(dialog)[-1] == "Yarınki sipariş"
        in_screen(pilot, till, "Week 01.11 – 07.11.2026")
        # done on the recurring one (the last row): it moves to the next Monday
        await pilot.press("down", "down", "down")
        recurring = dialog.selected()
        assert recurring is not None and recurring.title == "Yarınki sipariş"
        await pilot.press("f5")
        await till.settle(pilot)
        moved = agenda.get_entry(recurring.id)
        assert (moved.status, moved.due_at) == ("open", at("09.11.2026 09:00"))
        assert "Yarınki sipariş" not in titles(dialog)  # next Monday is outside this week
        await pilot.press("f4")  # back to the day
        await till.settle(pilot)
        # done on the first row, then reopen it
        await pilot.press("up", "up", "up")
        await pilot.press("f5")
        await till.settle(pilot)
        first = dialog.entries[0]
        assert first.title == "Bayram mesaisini yaz" and first.status == "done"
        in_screen(pilot, till, "done")
        await pilot.press("f7")
        await till.settle(pilot)
        assert agenda.get_entry(first.id).status == "open"
        # snooze the second for an hour
        await pilot.press("down")
        await pilot.press("f6")
        await till.settle(pilot)
        await pilot.press("1")
        await till.settle(pilot)
        snoozed = agenda.get_entry(dialog.entries[1].id)
        assert snoozed.snoozed_until == at("01.11.2026 11:15")
        # add: a bad date shows its error at 80×24, then a good one
        await pilot.press("f2")
        await till.settle(pilot)
        assert isinstance(app.screen, AgendaAddDialog)
        await till.type(pilot, "Kasayı say", "enter")
        await till.type(pilot, "32.11.2026", "enter")
        await till.type(pilot, "", "enter")
        line = app.screen.query_one(".error-line", Static)
        assert "'32.11.2026' is not a date" in str(line.render())
        assert line.region.bottom <= SIZE[1] and line.region.height > 0
        field = app.screen.query_one("#agenda-due")
        field.value = "01.11.2026 17:00"  # type: ignore[attr-defined]
        field.focus()
        await pilot.press("enter")
        await till.type(pilot, "", "enter")
        assert isinstance(app.screen, AgendaDialog)
        assert "Kasayı say" in titles(dialog)
        assert m.AgendaEntry.get(m.AgendaEntry.title == "Kasayı say").created_by_id == 1  # ayse
        await pilot.press("escape")
        await till.settle(pilot)
        assert isinstance(app.screen, SaleScreen)


async def test_an_empty_agenda_says_what_to_do(make_app, open_shift, shop, till) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await till.login(pilot)
        await pilot.press("f12")
        await till.settle(pilot)
        await pilot.press("j")
        await till.settle(pilot)
        assert isinstance(app.screen, AgendaDialog)
        await pilot.press("f5")
        in_screen(pilot, till, "Nothing is selected; add an entry with F2")
        assert app.screen.query_one(DataTable).row_count == 0


# -- snapshots at 80×24 -------------------------------------------------------------------------------


def test_login_reminder_snapshot(snap_compare, make_app, open_shift, entries, till) -> None:
    async def fill(pilot) -> None:
        await till.login(pilot)
        await till.steady(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=fill)


def test_agenda_week_snapshot(snap_compare, make_app, open_shift, entries, till) -> None:
    async def fill(pilot) -> None:
        await till.login(pilot)
        await open_agenda_dialog(pilot, till)
        await pilot.press("f4")
        await till.steady(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=fill)


def test_agenda_add_snapshot(snap_compare, make_app, open_shift, entries, till) -> None:
    async def fill(pilot) -> None:
        await till.login(pilot)
        await open_agenda_dialog(pilot, till)
        await pilot.press("f2")
        await till.settle(pilot)
        await till.type(pilot, "Kasayı say", "enter")
        await till.type(pilot, "yarın", "enter")
        await till.type(pilot, "", "enter")
        assert isinstance(pilot.app.screen, Dialog)
        await till.steady(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=fill)


async def test_a_long_reminder_is_cut_and_says_how_many_more(make_app, open_shift, shop, till, now) -> None:
    from pos_tui.tui.screens.agenda import LOGIN_MAX

    for n in range(LOGIN_MAX + 5):
        agenda.add_entry(agenda.AgendaInput(title=f"İş {n}", due=at("01.11.2026 08:00")), actor=shop.admin, now=now)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await till.login(pilot)
        await till.settle(pilot)
        assert isinstance(app.screen, AgendaDueDialog)
        lines = [str(w.render()) for w in app.screen.query(".agenda-due-line")]
        assert len(lines) == LOGIN_MAX + 1
        assert lines[-1] == "… and 5 more entries under F12 → Agenda"
        await pilot.press("space")
        await till.settle(pilot)
        assert isinstance(app.screen, SaleScreen)


async def test_snooze_until_a_typed_moment_and_errors_on_screen(make_app, open_shift, entries, till) -> None:
    from pos_tui.tui.screens.agenda import SnoozeUntilDialog

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await till.login(pilot)
        dialog = await open_agenda_dialog(pilot, till)
        first = dialog.entries[0]
        await pilot.press("f5")  # done
        await till.settle(pilot)
        await pilot.press("f5")  # done again: refused, said on the dialog's line
        await till.settle(pilot)
        line = app.screen.query_one(".error-line", Static)
        assert f"Entry {first.id} is already done" in str(line.render())
        assert line.region.bottom <= SIZE[1]
        await pilot.press("f7")
        await till.settle(pilot)
        await pilot.press("f6")
        await till.settle(pilot)
        await pilot.press("3")  # until a typed moment
        await till.settle(pilot)
        assert isinstance(app.screen, SnoozeUntilDialog)
        await till.type(pilot, "01.11.2026 09:00", "enter")  # already past
        in_screen(pilot, till, "Snooze until a moment in the future")
        field = app.screen.query_one("#snooze-until")
        field.value = "03.11.2026"  # type: ignore[attr-defined]
        await pilot.press("enter")
        await till.settle(pilot)
        assert isinstance(app.screen, AgendaDialog)
        assert agenda.get_entry(first.id).snoozed_until == at("03.11.2026 09:00")
        in_screen(pilot, till, f"Entry {first.id} snoozed until 03.11.2026 09:00")

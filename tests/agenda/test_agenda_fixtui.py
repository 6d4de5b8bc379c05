"""The agenda at 80×24 as a newcomer read it: the list gives the title room and whole status words,
a one-character holiday/weekend flag, a snoozed entry shows (and sorts by) the end of its snooze;
Enter opens the entry in full (done and snooze work there); the login reminder keeps its flag on
the entry's line; the date error names the field "Date"; the snooze note names the entry."""

from __future__ import annotations

from datetime import datetime

import pytest
from textual.widgets import DataTable, Static

from pos_tui.core import agenda
from pos_tui.tui.screens.agenda import AgendaDetailDialog, AgendaDialog, AgendaDueDialog
from tests.tui import conftest as tui

Shop, Till = tui.Shop, tui.Till
_quick_pins, make_app, open_shift, shop, till = tui._quick_pins, tui.make_app, tui.open_shift, tui.shop, tui.till

SIZE = (80, 24)
TZ = "Europe/Istanbul"
LONG = "Bakkal Mehmet'in kasım ayı çekini bankaya götür ve makbuzu dosyala"  # 66 characters
NOTE = "Çek Ziraat Bankası Kadıköy şubesine; makbuz kırmızı klasöre."


def at(text: str) -> datetime:
    return agenda.parse_moment(text, TZ)[0]


@pytest.fixture
def week(shop: Shop, now: datetime) -> dict[str, int]:
    """Now is Sunday 01.11.2026 10:15. A long overdue one on 29 Ekim (a holiday), one snoozed from
    today 16:00 until Tuesday 09:00, one due Monday 10:00."""

    def add(title: str, due: str, **kw: object) -> int:
        return agenda.add_entry(
            agenda.AgendaInput(title=title, due=at(due), **kw),  # type: ignore[arg-type]
            actor=shop.admin,
            now=now,
            tz=TZ,
        ).id

    ids = {
        "long": add(LONG, "29.10.2026 15:00", text=NOTE, user="ayse"),
        "snoozed": add("Vitrini düzenle", "01.11.2026 16:00", role="cashier"),
        "monday": add("Siparişi ver", "02.11.2026 10:00", user="ayse", rrule="FREQ=WEEKLY;BYDAY=MO"),
    }
    agenda.snooze(ids["snoozed"], at("03.11.2026 09:00"), now=now)
    return ids


async def open_agenda(pilot, till: Till, *, week: bool = False) -> AgendaDialog:
    await till.settle(pilot)
    if isinstance(pilot.app.screen, AgendaDueDialog):
        await pilot.press("escape")
        await till.settle(pilot)
    await pilot.press("f12")
    await till.settle(pilot)
    await pilot.press("j")
    await till.settle(pilot)
    dialog = pilot.app.screen
    assert isinstance(dialog, AgendaDialog)
    if week:
        await pilot.press("f4")
        await till.settle(pilot)
    return dialog


def row_of(pilot, till: Till, text: str) -> str:
    lines = [line for line in till.screen_text(pilot).splitlines() if text in line]
    assert len(lines) == 1, till.screen_text(pilot)
    return lines[0]


async def test_week_list_has_room_for_the_title_whole_statuses_and_the_snooze_time(
    make_app, open_shift, week, till
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await till.login(pilot)
        dialog = await open_agenda(pilot, till, week=True)
        # by when each comes up: the snoozed one (due today 16:00) after Monday's, at its snooze's end
        assert [e.id for e in dialog.entries] == [week["long"], week["monday"], week["snoozed"]]
        long_row = row_of(pilot, till, LONG[:37])  # 37 characters of the title, then "…"
        assert "late" in long_row and "◆" in long_row  # overdue, on a holiday
        snoozed_row = row_of(pilot, till, "Vitrini düzenle")
        assert "03.11 09:00" in snoozed_row and "snoozed" in snoozed_row
        assert "01.11 16:00" not in snoozed_row
        assert "◇" not in snoozed_row and "◆" not in snoozed_row  # Tuesday: the day shown is flagged
        assert "◇" not in row_of(pilot, till, "Siparişi ver")  # Monday
        table = dialog.query_one(DataTable)
        assert table.region.right <= SIZE[0] and table.virtual_size.width <= table.region.width


async def test_enter_shows_the_whole_entry_and_done_works_from_there(make_app, open_shift, week, till) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await till.login(pilot)
        await open_agenda(pilot, till, week=True)
        await pilot.press("enter")
        await till.settle(pilot)
        detail = app.screen
        assert isinstance(detail, AgendaDetailDialog)
        shown = till.screen_text(pilot)
        text = " ".join(shown.split())
        assert LONG in text or all(word in shown for word in LONG.split())
        assert "Ziraat Bankası Kadıköy" in text
        assert "Cumhuriyet Bayramı" in shown  # the holiday named
        assert "ayse" in shown
        await pilot.press("f5")  # done, from the details
        await till.settle(pilot)
        assert isinstance(app.screen, AgendaDialog)
        assert agenda.get_entry(week["long"]).status == "done"
        assert f"Entry {week['long']} done" in till.screen_text(pilot)
        # the recurring one's details: how it repeats; F6 there snoozes it
        await pilot.press("down")
        await pilot.press("enter")
        await till.settle(pilot)
        assert "every week" in till.screen_text(pilot)
        await pilot.press("f6")
        await till.settle(pilot)
        await pilot.press("2")  # until tomorrow 09:00
        await till.settle(pilot)
        assert agenda.get_entry(week["monday"]).snoozed_until == at("02.11.2026 09:00")
        assert f"Entry {week['monday']} snoozed until 02.11.2026 09:00" in till.screen_text(pilot)


async def test_login_reminder_keeps_the_weekend_flag_on_the_entry_line(make_app, open_shift, shop, till, now) -> None:
    title = "Pazar günü gelen sütçünün irsaliyesini kontrol et ve imzala"
    agenda.add_entry(agenda.AgendaInput(title=title, due=at("01.11.2026 08:00")), actor=shop.admin, now=now, tz=TZ)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await till.login(pilot)
        await till.settle(pilot)
        assert isinstance(app.screen, AgendaDueDialog)
        (line,) = app.screen.query(".agenda-due-line")
        assert line.region.height == 1
        assert "[weekend]" in row_of(pilot, till, "08:00")


async def test_the_date_error_names_the_date_field(make_app, open_shift, shop, till) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await till.login(pilot)
        await open_agenda(pilot, till)
        await pilot.press("f2")
        await till.settle(pilot)
        await till.type(pilot, "Kasayı say", "enter")
        await till.type(pilot, "01.11.2026 25:99", "enter")
        await till.type(pilot, "", "enter")
        error = str(app.screen.query_one(".error-line", Static).render())
        assert error.startswith("Date: "), error
        assert "Date (29.10.2026 14:30" in till.screen_text(pilot)


async def test_a_full_list_scrolls_down_but_never_sideways(make_app, open_shift, shop, till, now) -> None:
    for n in range(25):
        agenda.add_entry(
            agenda.AgendaInput(title=f"{n:02d} " + "uzun başlık " * 6, due=at("01.11.2026 12:00")),
            actor=shop.admin,
            now=now,
            tz=TZ,
        )
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await till.login(pilot)
        dialog = await open_agenda(pilot, till)
        table = dialog.query_one(DataTable)
        await till.settle(pilot)
        assert table.max_scroll_y > 0 and table.max_scroll_x == 0
        assert dialog.query_one(".dialog-hint").region.bottom <= SIZE[1]


def test_entry_details_snapshot(snap_compare, make_app, open_shift, week, till) -> None:
    async def fill(pilot) -> None:  # type: ignore[no-untyped-def]
        await till.login(pilot)
        await open_agenda(pilot, till, week=True)
        await pilot.press("enter")
        await till.steady(pilot)
        assert isinstance(pilot.app.screen, AgendaDetailDialog)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=fill)

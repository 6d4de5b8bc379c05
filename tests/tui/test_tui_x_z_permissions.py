"""X and Z from the F12 menu: the roles' permission table decides both, and a cashier's Z
with a supervisor's override commits the Z and the override together."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

from pos_tui.core import cash, staff
from pos_tui.core.staff import users
from pos_tui.settings import RoleSettings
from pos_tui.store import models as m
from pos_tui.tui.dialogs.manager import ManagerPinDialog
from pos_tui.tui.dialogs.prompts import ChoiceDialog
from pos_tui.tui.dialogs.views import ConfirmDialog, ReportDialog
from pos_tui.tui.screens.sale import SaleScreen


async def menu(pilot, till, key: str) -> None:
    """Choose the F12 menu's entry ``key`` (by its place in the list, whatever its number)."""
    await pilot.press("f12")
    await till.settle(pilot)
    assert isinstance(pilot.app.screen, ChoiceDialog)
    index = [k for k, _label in pilot.app.screen.choices].index(key)
    await pilot.press(*["down"] * index, "enter")
    await till.settle(pilot)


def _overrides() -> list[m.JournalEntry]:
    return list(m.JournalEntry.select().where(m.JournalEntry.kind == "override"))


async def test_a_cashiers_x_needs_a_supervisor_and_esc_shows_nothing(make_app, open_shift, shop, till) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await till.login(pilot)
        await menu(pilot, till, "x")
        assert isinstance(app.screen, ManagerPinDialog)
        await pilot.press("escape")
        await till.settle(pilot)
        assert isinstance(app.screen, SaleScreen)
        assert "may not take an X report" in till.message(pilot)
        await menu(pilot, till, "x")
        await till.type(pilot, "2222", "enter")
        await till.type(pilot, "drawer check", "enter")
        assert isinstance(app.screen, ReportDialog)
    assert [e.ref for e in _overrides()] == ["x_report"]


async def test_a_supervisors_x_runs_at_once(make_app, shop, settings, now, till) -> None:
    cash.open_shift(settings.terminal_id, shop.mehmet, Decimal("0"), now=now)
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await till.login(pilot, "2222")
        await menu(pilot, till, "x")
        assert isinstance(app.screen, ReportDialog)
    assert _overrides() == []


async def test_a_shop_that_lets_cashiers_take_x_asks_no_pin(make_app, open_shift, shop, settings, till) -> None:
    cashier = settings.roles["cashier"]
    roles = {**settings.roles, "cashier": RoleSettings(cashier.max_discount_pct, cashier.permissions | {"x_report"})}
    app = make_app(dataclasses.replace(settings, roles=roles))
    async with app.run_test(size=(100, 30)) as pilot:
        await till.login(pilot)
        await menu(pilot, till, "x")
        assert isinstance(app.screen, ReportDialog)
    assert _overrides() == []


async def test_a_failure_after_the_z_override_leaves_neither(make_app, open_shift, shop, till, monkeypatch) -> None:
    real = staff.record_override

    def then_fail(*args: Any, **kwargs: Any) -> int:
        real(*args, **kwargs)
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(users, "record_override", then_fail)
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await till.login(pilot)
        await menu(pilot, till, "z")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("enter")
        await till.settle(pilot)
        assert isinstance(app.screen, ManagerPinDialog)
        await till.type(pilot, "2222", "enter")
        await till.type(pilot, "end of day", "enter")
    assert m.ZClosure.select().count() == 0
    assert _overrides() == []
    assert m.JournalEntry.select().where(m.JournalEntry.kind == "z").count() == 0


async def test_a_cashiers_z_journals_z_and_override_together(make_app, open_shift, shop, till) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await till.login(pilot)
        await menu(pilot, till, "z")
        await pilot.press("enter")
        await till.settle(pilot)
        await till.type(pilot, "2222", "enter")
        await till.type(pilot, "end of day", "enter")
        assert isinstance(app.screen, ReportDialog)
    z = m.JournalEntry.get(m.JournalEntry.kind == "z")
    (override,) = _overrides()
    assert override.id == z.id + 1 and override.ref == "z"
    assert m.ZClosure.get().user_id == shop.mehmet.user_id

"""Who may take an X report is the roles' permission table's (``x_report``), as for the Z:
by default a cashier, who may not take a Z, may not take an X without a supervisor either."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from pos_tui.core import cash
from pos_tui.core.kernel import Actor, Override, PermissionDenied
from pos_tui.settings import DEFAULT_ROLES, Settings
from pos_tui.store import models as m

REPO = Path(__file__).resolve().parents[2]


def test_the_default_roles_give_x_with_z() -> None:
    for name, role in DEFAULT_ROLES.items():
        assert ("x_report" in role.permissions) == ("reports" in role.permissions), name
    assert "x_report" not in DEFAULT_ROLES["cashier"].permissions


def test_the_shipped_config_gives_x_with_z(settings: Settings) -> None:
    for name, role in settings.roles.items():
        assert ("x_report" in role.permissions) == ("reports" in role.permissions), name


def test_a_cashiers_x_needs_a_supervisor_and_the_override_is_journalled(
    people: dict[str, Actor], now: datetime
) -> None:
    ayse, mehmet = people["ayse"], people["mehmet"]
    cash.open_shift("T1", ayse, Decimal("100.00"), now=now)
    with pytest.raises(PermissionDenied, match="ayse may not take an X report; a supervisor's PIN is needed"):
        cash.take_x_report("T1", ayse, now=now)
    report = cash.take_x_report("T1", ayse, now=now, override=Override(mehmet, "drawer check"))
    assert report.expected_cash == Decimal("100.00")
    entry = m.JournalEntry.select().where(m.JournalEntry.kind == "override").get()
    assert (entry.ref, json.loads(entry.payload)["supervisor"]) == ("x_report", "mehmet")
    assert cash.take_x_report("T1", mehmet, now=now).expected_cash == Decimal("100.00")
    with pytest.raises(PermissionDenied):
        cash.take_x_preview("T1", ayse, now=now)
    assert cash.take_x_preview("T1", mehmet, now=now).preview


def test_a_shop_may_let_cashiers_take_x(people: dict[str, Actor], settings: Settings, now: datetime) -> None:
    role = settings.roles["cashier"]
    ayse = Actor(people["ayse"].user_id, "ayse", "cashier", role.permissions | {"x_report"}, role.max_discount_pct)
    cash.open_shift("T1", ayse, Decimal("0.00"), now=now)
    assert cash.take_x_report("T1", ayse, now=now).expected_cash == Decimal("0.00")
    assert m.JournalEntry.select().where(m.JournalEntry.kind == "override").count() == 0


def test_report_x_asks_the_permission_table(people: dict[str, Actor], cli: Callable[..., Any], tmp_path: Path) -> None:
    refused = cli("report", "x", "--user", "ayse")
    assert refused.exit_code != 0
    assert "ayse may not take an X report" in refused.stderr
    assert cli("report", "x", "--user", "mehmet", "--json").exit_code == 0
    assert cli("report", "x", "--json").exit_code == 0  # the first admin
    config = tmp_path / "pos.toml"
    config.write_text(
        (REPO / "config" / "pos.toml")
        .read_text(encoding="utf-8")
        .replace(
            'permissions = ["sell", "return", "void", "cash_movement", "count", "on_account", "collect"]',
            'permissions = ["sell", "x_report"]',
        ),
        encoding="utf-8",
    )
    allowed = cli("report", "x", "--user", "ayse", "--json", env={"POS_CONFIG": str(config)})
    assert allowed.exit_code == 0, allowed.stderr
    assert json.loads(allowed.stdout)["z_no"] == 1

"""``pos-admin users``: add, list, disable, set-pin; JSON on stdout, messages on stderr."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

from pos_tui.core import staff
from pos_tui.settings import Settings
from pos_tui.store import models as m

Cli = Callable[..., Any]


@pytest.fixture(autouse=True)
def _shop(cli: Cli) -> None:
    """A database to work on: only ``init``/``demo`` create one."""
    assert cli("init").exit_code == 0


def test_add_and_list_users(cli: Cli) -> None:
    added = cli("users", "add", "ayse", "--role", "cashier", "--pin", "4826")
    assert added.exit_code == 0, added.stderr
    assert added.stdout == ""
    assert "Added ayse (cashier)." in added.stderr
    assert cli("users", "add", "mehmet", "--role", "supervisor", "--pin", "5937").exit_code == 0

    listed = cli("users", "list", "--json")
    assert listed.exit_code == 0
    users = json.loads(listed.stdout)
    assert [(u["name"], u["role"], u["active"]) for u in users] == [
        ("ayse", "cashier", True),
        ("mehmet", "supervisor", True),
    ]
    assert users[0]["created_at"].endswith("+03:00")
    human = cli("users", "list")
    assert "ayse" in human.stdout and "supervisor" in human.stdout


def test_the_pin_can_be_typed_at_a_prompt(cli: Cli) -> None:
    result = cli("users", "add", "zeynep", "--role", "cashier", input="4457\n4457\n")
    assert result.exit_code == 0, result.stderr
    assert "4457" not in result.stdout + result.stderr
    assert m.User.get(m.User.name == "zeynep").pin_hash.startswith("$argon2id$")


def test_bad_input_fails_with_a_readable_message(cli: Cli) -> None:
    assert cli("users", "add", "ayse", "--role", "cashier", "--pin", "4826").exit_code == 0
    same_pin = cli("users", "add", "mehmet", "--role", "supervisor", "--pin", "4826")
    assert same_pin.exit_code == 1
    assert "error: That PIN is already used by another user" in same_pin.stderr
    bad_role = cli("users", "add", "mehmet", "--role", "owner", "--pin", "5937")
    assert bad_role.exit_code == 1
    assert "Unknown role owner" in bad_role.stderr
    short = cli("users", "add", "mehmet", "--role", "cashier", "--pin", "12")
    assert (short.exit_code, "A PIN is 4 to 8 digits" in short.stderr) == (1, True)
    assert cli("users", "add", "--role", "cashier", "--pin", "3333").exit_code == 2
    assert cli("users", "disable", "nobody", "--yes").exit_code == 1


def test_disable_asks_first(cli: Cli) -> None:
    cli("users", "add", "admin", "--role", "admin", "--pin", "7391")
    cli("users", "add", "ayse", "--role", "cashier", "--pin", "4826")
    declined = cli("users", "disable", "ayse", input="n\n")
    assert declined.exit_code == 1
    assert m.User.get(m.User.name == "ayse").active
    done = cli("users", "disable", "ayse", "--yes")
    assert done.exit_code == 0 and "Disabled ayse." in done.stderr
    users = {u["name"]: u["active"] for u in json.loads(cli("users", "list", "--json").stdout)}
    assert users == {"admin": True, "ayse": False}
    last_admin = cli("users", "disable", "admin", "--yes")
    assert last_admin.exit_code == 1 and "last active admin" in last_admin.stderr


def test_set_pin(cli: Cli, settings: Settings, now: datetime) -> None:
    cli("users", "add", "ayse", "--role", "cashier", "--pin", "4826")
    changed = cli("users", "set-pin", "ayse", "--pin", "8642")
    assert changed.exit_code == 0 and "Changed the PIN of ayse." in changed.stderr
    assert staff.login("8642", terminal="T1", now=now, settings=settings).name == "ayse"
    kinds = [json.loads(e.payload)["action"] for e in m.JournalEntry.select().where(m.JournalEntry.kind == "user")]
    assert kinds == ["added", "pin_changed"]

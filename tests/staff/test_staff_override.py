"""Manager override: a supervisor's PIN on the cashier's screen allows one action."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from pos_tui.core import cash, staff
from pos_tui.core.kernel import Actor, AuthenticationFailed, LockedOut, Override, PermissionDenied, ValidationError
from pos_tui.settings import Settings
from pos_tui.store import models as m
from pos_tui.store import write_tx


def last_attempt() -> tuple[bool, str | None, str]:
    a = m.LoginAttempt.select().order_by(m.LoginAttempt.id.desc()).first()
    return a.success, a.user.name if a.user else None, a.purpose


def test_a_supervisor_pin_allows_what_the_cashier_may_not(
    people: dict[str, Actor], settings: Settings, now: datetime
) -> None:
    ayse = people["ayse"]
    supervisor = staff.authorize_override("2222", "no_sale", actor=ayse, terminal="T1", now=now, settings=settings)
    assert supervisor.name == "mehmet"
    assert last_attempt() == (True, "mehmet", "override")


def test_the_cashiers_own_pin_does_not_count(people: dict[str, Actor], settings: Settings, now: datetime) -> None:
    mehmet = people["mehmet"]  # even a supervisor cannot approve their own action
    with pytest.raises(PermissionDenied, match="mehmet cannot approve their own action"):
        staff.authorize_override("2222", "price_override", actor=mehmet, terminal="T1", now=now, settings=settings)


def test_the_approver_needs_the_permission(people: dict[str, Actor], settings: Settings, now: datetime) -> None:
    staff.add_user("zeynep", "cashier", "3333", now=now, settings=settings)
    with pytest.raises(PermissionDenied, match="zeynep may not open the drawer without a sale either"):
        staff.authorize_override("3333", "no_sale", actor=people["ayse"], terminal="T1", now=now, settings=settings)
    with pytest.raises(PermissionDenied, match="mehmet may not administer users and settings either"):
        staff.authorize_override("2222", "admin", actor=people["ayse"], terminal="T1", now=now, settings=settings)


def test_a_discount_needs_an_approver_whose_limit_covers_it(
    people: dict[str, Actor], settings: Settings, now: datetime
) -> None:
    ayse = people["ayse"]
    ok = staff.authorize_override(
        "2222", "discount", actor=ayse, terminal="T1", now=now, settings=settings, discount_pct=Decimal("40")
    )
    assert ok.name == "mehmet"
    with pytest.raises(PermissionDenied, match="60% discount is above mehmet's limit of 50% too"):
        staff.authorize_override(
            "2222", "discount", actor=ayse, terminal="T1", now=now, settings=settings, discount_pct=Decimal("60")
        )


def test_wrong_override_pins_count_toward_the_lockout(
    people: dict[str, Actor], settings: Settings, now: datetime
) -> None:
    ayse = people["ayse"]
    for _i in range(4):
        with pytest.raises(AuthenticationFailed):
            staff.authorize_override("7777", "no_sale", actor=ayse, terminal="T1", now=now, settings=settings)
    assert last_attempt() == (False, None, "override")
    with pytest.raises(LockedOut):
        staff.login("0000", terminal="T1", now=now, settings=settings)
    with pytest.raises(LockedOut):
        staff.authorize_override("2222", "no_sale", actor=ayse, terminal="T1", now=now, settings=settings)
    later = now + timedelta(seconds=settings.security.lockout_seconds)
    assert staff.authorize_override("2222", "no_sale", actor=ayse, terminal="T1", now=later, settings=settings)


def test_record_override_journals_both_users_and_the_reason(
    people: dict[str, Actor], settings: Settings, now: datetime
) -> None:
    override = Override(people["mehmet"], "  customer's receipt was torn  ")
    with write_tx():
        entry_id = staff.record_override(
            people["ayse"], override, "price_override", terminal="T1", now=now, details={"line": 2}
        )
    entry = m.JournalEntry.get_by_id(entry_id)
    assert (entry.kind, entry.ref, entry.terminal) == ("override", "price_override", "T1")
    assert json.loads(entry.payload) == {
        "action": "price_override",
        "cashier": "ayse",
        "cashier_id": people["ayse"].user_id,
        "supervisor": "mehmet",
        "supervisor_id": people["mehmet"].user_id,
        "reason": "customer's receipt was torn",
        "details": {"line": 2},
    }
    with pytest.raises(ValidationError, match="needs a reason"):
        staff.record_override(people["ayse"], Override(people["mehmet"], " "), "void", terminal="T1", now=now)


def test_a_no_sale_with_an_override_is_journalled_as_one(
    people: dict[str, Actor], settings: Settings, now: datetime
) -> None:
    ayse = people["ayse"]
    cash.open_shift("T1", ayse, Decimal("100.00"), now=now)
    with pytest.raises(PermissionDenied, match="a supervisor's PIN is needed"):
        cash.no_sale("T1", ayse, "change for the market next door", now=now)
    supervisor = staff.authorize_override("2222", "no_sale", actor=ayse, terminal="T1", now=now, settings=settings)
    moved = cash.no_sale(
        "T1", ayse, "change for the market next door", now=now, override=Override(supervisor, "mehmet was there")
    )
    kinds = [e.kind for e in m.JournalEntry.select().order_by(m.JournalEntry.id)]
    assert kinds[-2:] == ["no_sale", "override"]
    payload = json.loads(m.JournalEntry.select().order_by(m.JournalEntry.id.desc()).first().payload)
    assert (payload["cashier"], payload["supervisor"], payload["action"]) == ("ayse", "mehmet", "no_sale")
    assert payload["details"]["movement_id"] == moved.id

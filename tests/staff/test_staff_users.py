"""Users: PIN storage, uniqueness, disabling, PIN changes, and what the journal keeps."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from pos_tui.core import kernel, staff
from pos_tui.core.kernel import Actor, NotFound, PermissionDenied, StateError, ValidationError
from pos_tui.settings import Settings
from pos_tui.store import models as m


def test_the_pin_is_stored_only_as_an_argon2id_hash_and_a_keyed_tag(
    db: object, settings: Settings, now: datetime, db_path: Path
) -> None:
    staff.add_user("ayse", "cashier", "482913", now=now, settings=settings)

    user = m.User.get(m.User.name == "ayse")
    assert user.pin_hash.startswith("$argon2id$")
    assert len(user.pin_tag) == 64 and user.pin_tag != "482913"
    raw = sqlite3.connect(db_path)
    try:
        dump = "\n".join(raw.iterdump())
    finally:
        raw.close()
    assert "482913" not in dump


def test_each_database_gets_its_own_pin_key(tmp_path: Path, settings: Settings, now: datetime) -> None:
    from pos_tui.store import close_database, open_database

    tags = []
    for name in ("a.sqlite3", "b.sqlite3"):
        open_database(tmp_path / name)
        staff.add_user("ayse", "cashier", "1111", now=now, settings=settings)
        tags.append(m.User.get(m.User.name == "ayse").pin_tag)
        close_database()
    assert tags[0] != tags[1]


def test_a_pin_used_by_another_user_is_refused(db: object, settings: Settings, now: datetime) -> None:
    staff.add_user("ayse", "cashier", "1111", now=now, settings=settings)
    with pytest.raises(ValidationError, match="already used by another user"):
        staff.add_user("mehmet", "supervisor", "1111", now=now, settings=settings)
    assert [u.name for u in staff.list_users()] == ["ayse"]


def test_a_disabled_users_pin_stays_reserved(db: object, settings: Settings, now: datetime) -> None:
    staff.add_user("admin", "admin", "9999", now=now, settings=settings)
    staff.add_user("ayse", "cashier", "1111", now=now, settings=settings)
    staff.disable_user("ayse", now=now, settings=settings)
    with pytest.raises(ValidationError, match="already used"):
        staff.add_user("zeynep", "cashier", "1111", now=now, settings=settings)


@pytest.mark.parametrize("pin", ["123", "123456789", "12a4", " 1234", "١٢٣٤", ""])
def test_a_pin_is_four_to_eight_ascii_digits(db: object, settings: Settings, now: datetime, pin: str) -> None:
    with pytest.raises(ValidationError, match="4 to 8 digits"):
        staff.add_user("ayse", "cashier", pin, now=now, settings=settings)


def test_roles_come_from_the_settings(db: object, settings: Settings, now: datetime) -> None:
    with pytest.raises(ValidationError, match="Unknown role owner; choose one of admin, cashier, supervisor"):
        staff.add_user("ayse", "owner", "1111", now=now, settings=settings)


def test_names_that_a_cashier_would_confuse_are_refused(db: object, settings: Settings, now: datetime) -> None:
    staff.add_user("Ayşe", "cashier", "1111", now=now, settings=settings)
    for name in ("Ayşe", "ayse", "AYŞE "):
        with pytest.raises(ValidationError, match="A user named Ayşe already exists"):
            staff.add_user(name, "cashier", "2222", now=now, settings=settings)
    with pytest.raises(ValidationError, match="printable"):
        staff.add_user("   ", "cashier", "2222", now=now, settings=settings)


def test_only_an_admin_actor_may_manage_users(people: dict[str, Actor], settings: Settings, now: datetime) -> None:
    with pytest.raises(PermissionDenied):
        staff.add_user("zeynep", "cashier", "3333", now=now, actor=people["mehmet"], settings=settings)
    added = staff.add_user("zeynep", "cashier", "3333", now=now, actor=people["admin"], settings=settings)
    assert (added.name, added.role, added.active) == ("zeynep", "cashier", True)
    entry = m.JournalEntry.select().order_by(m.JournalEntry.id.desc()).first()
    assert json.loads(entry.payload)["by"] == "admin"


def test_user_changes_are_journalled_without_the_pin(db: object, settings: Settings, now: datetime) -> None:
    staff.add_user("admin", "admin", "9999", now=now, settings=settings)
    staff.add_user("ayse", "cashier", "1111", now=now, settings=settings)
    staff.set_pin("ayse", "5678", now=now + timedelta(minutes=1))
    staff.disable_user("ayse", now=now + timedelta(minutes=2), settings=settings)

    entries = list(m.JournalEntry.select().where(m.JournalEntry.kind == "user").order_by(m.JournalEntry.id))
    actions = [(json.loads(e.payload)["action"], json.loads(e.payload)["user"]) for e in entries]
    assert actions == [("added", "admin"), ("added", "ayse"), ("pin_changed", "ayse"), ("disabled", "ayse")]
    for e in entries:
        assert not any(pin in e.payload for pin in ("9999", "1111", "5678"))


def test_set_pin_replaces_the_old_pin(db: object, settings: Settings, now: datetime) -> None:
    staff.add_user("ayse", "cashier", "1111", now=now, settings=settings)
    staff.set_pin("ayse", "1111", now=now)  # the user's own PIN is not "used by another user"
    staff.set_pin("ayse", "4321", now=now)
    assert staff.login("4321", terminal="T1", now=now, settings=settings).name == "ayse"
    with pytest.raises(kernel.AuthenticationFailed):
        staff.login("1111", terminal="T1", now=now, settings=settings)
    with pytest.raises(NotFound, match="No user named nobody"):
        staff.set_pin("nobody", "2468", now=now)


def test_the_last_admin_cannot_be_disabled(db: object, settings: Settings, now: datetime) -> None:
    staff.add_user("admin", "admin", "9999", now=now, settings=settings)
    with pytest.raises(StateError, match="last active admin"):
        staff.disable_user("admin", now=now, settings=settings)
    staff.add_user("boss", "admin", "8888", now=now, settings=settings)
    assert staff.disable_user("admin", now=now, settings=settings).active is False
    with pytest.raises(StateError, match="already disabled"):
        staff.disable_user("admin", now=now, settings=settings)
    assert [(u.name, u.active) for u in staff.list_users()] == [("admin", False), ("boss", True)]
    assert [u.name for u in staff.list_users(include_disabled=False)] == ["boss"]


def test_first_admin_is_who_pos_admin_acts_as(db: object, settings: Settings, now: datetime) -> None:
    with pytest.raises(NotFound, match="no active admin"):
        staff.first_admin(settings=settings)
    staff.add_user("ayse", "cashier", "1111", now=now, settings=settings)
    staff.add_user("root", "admin", "9999", now=now, settings=settings)
    staff.add_user("boss", "admin", "8888", now=now, settings=settings)
    assert staff.first_admin(settings=settings).name == "root"
    staff.disable_user("root", now=now, settings=settings)
    assert staff.first_admin(settings=settings).name == "boss"
    with pytest.raises(StateError, match="disabled"):
        staff.actor_by_name("root", settings=settings)

"""A Z taken with a supervisor's override: the Z and the override's journal entry commit in
one transaction (both or neither)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest

from pos_tui.core import cash, staff
from pos_tui.core.kernel import Actor, Override, PermissionDenied
from pos_tui.core.staff import users
from pos_tui.settings import Settings
from pos_tui.store import models as m


def _kinds() -> list[str]:
    return [e.kind for e in m.JournalEntry.select().order_by(m.JournalEntry.id)]


def test_a_cashiers_z_with_an_override_is_the_supervisors_and_journals_both_together(
    people: dict[str, Actor], settings: Settings, now: datetime
) -> None:
    ayse, mehmet = people["ayse"], people["mehmet"]
    with pytest.raises(PermissionDenied):
        cash.z_report("T1", ayse, now=now, settings=settings)
    before = m.JournalEntry.select().count()
    report = cash.z_report("T1", ayse, now=now, settings=settings, override=Override(mehmet, "end of day"))
    assert report.user == "mehmet"
    z = m.ZClosure.get()
    assert (z.z_no, z.user_id) == (1, mehmet.user_id)
    entries = list(m.JournalEntry.select().where(m.JournalEntry.id > before).order_by(m.JournalEntry.id))
    assert [e.kind for e in entries] == ["z", "override"]
    assert entries[1].id == entries[0].id + 1
    assert (entries[1].ref, json.loads(entries[1].payload)["details"]) == ("z", {"z_no": 1})


def test_a_failure_after_the_override_leaves_neither_the_z_nor_the_override(
    people: dict[str, Actor], settings: Settings, now: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    ayse, mehmet = people["ayse"], people["mehmet"]
    real = staff.record_override

    def then_fail(*args: Any, **kwargs: Any) -> int:
        real(*args, **kwargs)
        raise RuntimeError("the power went out")

    monkeypatch.setattr(users, "record_override", then_fail)
    before = _kinds()
    with pytest.raises(RuntimeError, match="the power went out"):
        cash.z_report("T1", ayse, now=now, settings=settings, override=Override(mehmet, "end of day"))
    assert m.ZClosure.select().count() == 0
    assert _kinds() == before
    # the Z number was not used up either: the next Z is still Z 1
    monkeypatch.setattr(users, "record_override", real)
    assert cash.z_report("T1", mehmet, now=now, settings=settings).z_no == 1


def test_an_override_that_cannot_be_journalled_leaves_no_z(
    people: dict[str, Actor], settings: Settings, now: datetime
) -> None:
    ayse, mehmet = people["ayse"], people["mehmet"]
    with pytest.raises(Exception, match="needs a reason"):
        cash.z_report("T1", ayse, now=now, settings=settings, override=Override(mehmet, "  "))
    assert m.ZClosure.select().count() == 0

"""Donations to the program's charities and a manager's adjustments through the points
operations (issue 16): the rules with small numbers, the journal, the donation report."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest
from loyalty_support import new_member

from pos_tui.core.kernel import InsufficientPoints, Override, PermissionDenied, StateError, ValidationError
from pos_tui.core.loyalty import (
    Charity,
    ExpiryPolicy,
    PointsPolicy,
    Program,
    adjust_points,
    balance,
    donate_points,
    donation_report,
    earn,
    points_entries,
)
from pos_tui.core.loyalty.program import Donations
from pos_tui.store import models as m

RULES = Program(
    donations=Donations(min_points=10),
    charities=(Charity("tema", "TEMA Vakfı"), Charity("losev", "LÖSEV")),
    points=PointsPolicy(expiry=ExpiryPolicy.days_after_available(30)),
)


def _journal(kind: str) -> list[dict[str, object]]:
    rows = m.JournalEntry.select().where(m.JournalEntry.kind == kind).order_by(m.JournalEntry.id)
    return [json.loads(e.payload) for e in rows]


@pytest.fixture
def member(db: object, now: datetime) -> int:
    member = new_member(now)
    earn(member, 100, now=now, hold_days=0)
    earn(member, 50, now=now, hold_days=15)
    return member


def test_a_donation_takes_available_points_and_shows_in_the_report(member, cashier, now) -> None:
    done = donate_points(member, 30, " tema ", actor=cashier, terminal="T1", now=now, program=RULES)
    assert (done.charity, done.charity_name, done.available) == ("tema", "TEMA Vakfı", 70)
    assert _journal("points_donate") == [{"member": member, "points": 30, "charity": "tema", "user": "ayse"}]
    rows = donation_report(date(2026, 11, 1), date(2026, 11, 1), program=RULES)
    assert [(r.charity, r.name, r.points, r.donations) for r in rows] == [("tema", "TEMA Vakfı", 30, 1)]


def test_donation_rules(member, cashier, now) -> None:
    with pytest.raises(ValidationError, match="Unknown charity 'kizilay'; the programme's charities: tema, losev"):
        donate_points(member, 30, "kizilay", actor=cashier, terminal="T1", now=now, program=RULES)
    with pytest.raises(ValidationError, match="at least 10 points; 9 were asked"):
        donate_points(member, 9, "tema", actor=cashier, terminal="T1", now=now, program=RULES)
    with pytest.raises(InsufficientPoints, match="Only 100 points are available \\(50 pending\\); 101 were asked"):
        donate_points(member, 101, "tema", actor=cashier, terminal="T1", now=now, program=RULES)
    with pytest.raises(StateError, match="names no charity"):
        donate_points(member, 30, "tema", actor=cashier, terminal="T1", now=now, program=Program())
    assert _journal("points_donate") == []
    assert balance(member, as_of=now.date()).available == 100


def test_an_adjustment_needs_points_adjust_or_an_override(member, cashier, supervisor, now) -> None:
    with pytest.raises(PermissionDenied) as denied:
        adjust_points(member, 25, "kayıp fiş", actor=cashier, terminal="T1", now=now, program=RULES)
    assert denied.value.permission == "points_adjust"
    done = adjust_points(
        member,
        25,
        "kayıp fiş",
        actor=cashier,
        override=Override(supervisor, "onaylandı"),
        terminal="T1",
        now=now,
        program=RULES,
    )
    assert (done.available, done.total, done.supervisor) == (125, 175, "mehmet")
    # The added lot is available at once and expires by the program's policy (30 days).
    lot = m.PointsEntry.select().where(m.PointsEntry.kind == "adjust").get()
    assert (lot.available_from, lot.expires_on) == (date(2026, 11, 1), date(2026, 12, 1))
    taken = adjust_points(member, -120, "hatalı yükleme", actor=supervisor, terminal="T1", now=now, program=RULES)
    assert (taken.available, taken.total) == (5, 55)
    assert [(p["points"], p["user"], p.get("supervisor")) for p in _journal("points_adjust")] == [
        (25, "ayse", "mehmet"),
        (-120, "mehmet", None),
    ]
    with pytest.raises(ValidationError, match="reason"):
        adjust_points(member, 5, "  ", actor=supervisor, terminal="T1", now=now, program=RULES)
    with pytest.raises(ValidationError, match="non-zero"):
        adjust_points(member, 0, "x", actor=supervisor, terminal="T1", now=now, program=RULES)


def test_history_lists_the_latest_entries_first(member, cashier, now) -> None:
    donate_points(member, 10, "losev", actor=cashier, terminal="T1", now=now + timedelta(minutes=1), program=RULES)
    entries = points_entries(member, limit=2)
    assert [(e.kind, e.points, e.reason) for e in entries] == [("donate", -10, "losev"), ("earn", 50, None)]
    assert entries[0].to_dict("Europe/Istanbul")["at"] == "2026-11-01T10:16:00+03:00"
    assert entries[1].available_from == date(2026, 11, 16)

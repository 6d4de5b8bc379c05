"""Points transfers between members (issue 16): each rule of ``[transfers]`` with small numbers,
the consent, the supervisor above ``supervisor_above``, the journal, and that only available
points move (each lot keeps its expiry)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest
from loyalty_support import new_member

from pos_tui.core.kernel import (
    Actor,
    InsufficientPoints,
    NotFound,
    Override,
    PermissionDenied,
    StateError,
    ValidationError,
)
from pos_tui.core.loyalty import ExpiryPolicy, Program, balance, earn, members, transfer_points, transferred_today
from pos_tui.core.loyalty.program import Transfers
from pos_tui.store import models as m

RULES = Program(
    transfers=Transfers(enabled=True, min_points=10, max_points=500, daily_max_points=600, supervisor_above=300)
)


def _journal(kind: str) -> list[dict[str, object]]:
    rows = m.JournalEntry.select().where(m.JournalEntry.kind == kind).order_by(m.JournalEntry.id)
    return [json.loads(e.payload) for e in rows]


@pytest.fixture
def pair(db: object, now: datetime) -> tuple[int, int]:
    giver, receiver = new_member(now, "Ayşe Veren"), new_member(now, "Ali Alan")
    earn(giver, 1000, now=now, hold_days=0, expiry=ExpiryPolicy.end_of_year())
    return giver, receiver


def _transfer(pair: tuple[int, int], points: int, actor: Actor, now: datetime, **kw: object):  # type: ignore[no-untyped-def]
    giver, receiver = pair
    args: dict[str, object] = {"consent": "imzalı form", "terminal": "T1", "program": RULES, **kw}
    return transfer_points(giver, receiver, points, actor=actor, now=now, **args)  # type: ignore[arg-type]


def test_a_transfer_moves_available_points_and_is_journalled(pair, cashier, now) -> None:
    giver, receiver = pair
    done = _transfer(pair, 200, cashier, now)
    assert (done.giver_available, done.receiver_available) == (800, 200)
    assert done.lots == ((200, date(2026, 12, 31)),)  # the lot keeps its expiry
    assert done.supervisor is None
    assert balance(receiver, as_of=now.date()).available == 200
    assert _journal("points_transfer") == [
        {"giver": giver, "receiver": receiver, "points": 200, "consent": "imzalı form", "user": "ayse"}
    ]
    assert transferred_today(giver, day=date(2026, 11, 1)) == 200


def test_min_max_and_the_daily_limit_are_refused_with_the_numbers(pair, cashier, now) -> None:
    with pytest.raises(ValidationError, match="at least 10 points; 9 were asked"):
        _transfer(pair, 9, cashier, now)
    with pytest.raises(ValidationError, match="at most 500 points; 501 were asked"):
        _transfer(pair, 501, cashier, now)
    _transfer(pair, 300, cashier, now)
    _transfer(pair, 250, cashier, now)
    with pytest.raises(ValidationError, match="at most 600 points a day; this member gave 550 today, so at most 50"):
        _transfer(pair, 60, cashier, now)
    _transfer(pair, 50, cashier, now)  # exactly up to the limit
    # The next shop day starts afresh (Istanbul midnight, 21:00 UTC).
    _transfer(pair, 10, cashier, now + timedelta(hours=14))
    assert len(_journal("points_transfer")) == 4


def test_above_supervisor_above_needs_points_adjust_or_an_override(pair, cashier, supervisor, now) -> None:
    giver, receiver = pair
    with pytest.raises(PermissionDenied, match="more than 300 points needs a supervisor") as denied:
        _transfer(pair, 301, cashier, now)
    assert denied.value.permission == "points_adjust"
    assert balance(giver, as_of=now.date()).available == 1000  # nothing moved
    done = _transfer(pair, 301, cashier, now, override=Override(supervisor, "müşteri isteği"))
    assert done.supervisor == "mehmet"
    assert _journal("points_transfer")[-1] == {
        "giver": giver,
        "receiver": receiver,
        "points": 301,
        "consent": "imzalı form",
        "user": "ayse",
        "supervisor": "mehmet",
        "override_reason": "müşteri isteği",
    }
    # A supervisor needs no one; exactly supervisor_above needs no one either.
    assert _transfer(pair, 300, cashier, now + timedelta(days=1)).supervisor is None
    assert _transfer(pair, 301, supervisor, now + timedelta(days=2)).supervisor is None


def test_consent_self_and_disabled_transfers_are_refused(pair, cashier, now) -> None:
    giver, _receiver = pair
    with pytest.raises(ValidationError, match="consent is needed"):
        _transfer(pair, 50, cashier, now, consent="   ")
    with pytest.raises(ValidationError, match="to themselves"):
        transfer_points(giver, giver, 50, consent="x", actor=cashier, terminal="T1", now=now, program=RULES)
    off = replace(RULES, transfers=replace(RULES.transfers, enabled=False))
    with pytest.raises(StateError, match="turned off"):
        _transfer(pair, 50, cashier, now, program=off)
    with pytest.raises(ValidationError, match="whole number"):
        _transfer(pair, 1.5, cashier, now)  # type: ignore[arg-type]
    assert _journal("points_transfer") == []


def test_pending_points_cannot_move(db, cashier, now) -> None:
    giver, receiver = new_member(now), new_member(now)
    earn(giver, 40, now=now, hold_days=0)
    earn(giver, 100, now=now, hold_days=15)  # still inside the return window
    with pytest.raises(InsufficientPoints, match=r"Only 40 points are available \(100 pending\); 50 were asked"):
        transfer_points(giver, receiver, 50, consent="form", actor=cashier, terminal="T1", now=now, program=RULES)
    # Even a supervisor's override does not get pending points moved: the supervisor is not asked.
    with pytest.raises(InsufficientPoints):
        transfer_points(giver, receiver, 400, consent="form", actor=cashier, terminal="T1", now=now, program=RULES)
    assert balance(receiver, as_of=now.date()).total == 0
    assert _journal("points_transfer") == []


def test_anonymized_or_withdrawn_members_neither_give_nor_receive(pair, cashier, supervisor, now) -> None:
    giver, receiver = pair
    members.set_consent(receiver, "membership", False, source="cli", actor=supervisor, now=now)
    with pytest.raises(StateError, match=r"The receiver .* left the programme"):
        _transfer(pair, 50, cashier, now)
    m.Member.update(anonymized_at=now.replace(tzinfo=None)).where(m.Member.id == giver).execute()
    with pytest.raises(StateError, match=r"The giver .* anonymized"):
        _transfer(pair, 50, cashier, now)
    with pytest.raises(NotFound, match="No member with id 99999"):
        transfer_points(
            new_member(now), 99999, 50, consent="form", actor=cashier, terminal="T1", now=now, program=RULES
        )
    assert _journal("points_transfer") == []


def test_a_failing_journal_leaves_no_entries(pair, cashier, now, monkeypatch) -> None:
    """One transaction: when the journal entry cannot be written, the ledger entries go too."""
    from pos_tui.core.kernel import journal

    giver, receiver = pair

    def broken(*args: object, **kw: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(journal, "append", broken)
    with pytest.raises(RuntimeError):
        _transfer(pair, 100, cashier, now)
    assert balance(giver, as_of=now.date()).available == 1000
    assert m.PointsEntry.select().where(m.PointsEntry.member == receiver).count() == 0


@pytest.mark.postgres
def test_operations_on_postgres(pg_db: object, now: datetime) -> None:
    """The same operations on PostgreSQL: the members locked FOR UPDATE inside the outer
    transaction, the day's transfers summed, the journal written with the entries."""
    from loyalty_support import new_user

    from pos_tui.core.loyalty import Charity, adjust_points, donate_points
    from pos_tui.settings import DEFAULT_ROLES

    role = DEFAULT_ROLES["supervisor"]
    manager = Actor(new_user(now, "mehmet", "supervisor"), "mehmet", "supervisor", role.permissions, 50)
    giver, receiver = new_member(now), new_member(now, "Ali Alan")
    earn(giver, 700, now=now, hold_days=0)
    rules = replace(RULES, charities=(Charity("tema", "TEMA Vakfı"),))
    transfer_points(giver, receiver, 400, consent="form", actor=manager, terminal="T1", now=now, program=rules)
    with pytest.raises(ValidationError, match="gave 400 today, so at most 200"):
        transfer_points(giver, receiver, 201, consent="form", actor=manager, terminal="T1", now=now, program=rules)
    donate_points(receiver, 100, "tema", actor=manager, terminal="T1", now=now, program=rules)
    adjust_points(receiver, -50, "düzeltme", actor=manager, terminal="T1", now=now, program=rules)
    assert balance(receiver, as_of=now.date()).available == 250
    assert [e.kind for e in m.JournalEntry.select().order_by(m.JournalEntry.id)][-3:] == [
        "points_transfer",
        "points_donate",
        "points_adjust",
    ]

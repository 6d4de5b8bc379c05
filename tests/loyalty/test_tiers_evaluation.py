"""Tiers with real sale rows: the brief's monthly tiers (5,000 spent in October → 15 % off in
November, 750 off a 5,000 basket), rolling windows, returns, upgrade at once and downgrade at
the end of the term, paid and manual tiers, the progress bar, and the set-based evaluation
agreeing with the member-by-member one."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jobs_support import EARNED_TIERS, TZ, at, cashier, member, program, refund, sale

from pos_tui.core.kernel import Actor, Override, PermissionDenied, ValidationError, from_kurus, percent_of
from pos_tui.core.loyalty import tiers
from pos_tui.store import models as m

OCT = date(2026, 10, 1)
NOV = date(2026, 11, 1)
DEC = date(2026, 12, 1)


def tier_of(member_id: int) -> tuple[str | None, date | None]:
    row = m.Member.get_by_id(member_id)
    return row.tier_code, row.tier_until


def test_five_thousand_in_october_gives_the_15_percent_tier_in_november(db: object, now: datetime) -> None:
    prog = program()
    till = cashier(now)
    ayse = member(at(OCT))
    sale(till, at(date(2026, 10, 3)), "2000.00", ayse)
    sale(till, at(date(2026, 10, 31), 23, 30), "3000.00", ayse)  # late on the 31st, still October
    sale(till, at(NOV, 0, 30), "9000.00", ayse)  # half past midnight: November, counts for December
    assert tiers.qualifying_spend(ayse, prog, as_of=NOV, tz=TZ) == Decimal("5000.00")

    change = tiers.evaluate_member(ayse, prog, now=at(NOV, 3), tz=TZ)
    assert change is not None
    assert (change.from_code, change.to_code, change.direction, change.reason) == (None, "t15", "up", "evaluation")
    assert change.valid_until == date(2026, 11, 30) and change.spend == Decimal("5000.00")
    assert tier_of(ayse) == ("t15", date(2026, 11, 30))
    tier = prog.tier("t15")
    assert tier is not None
    assert percent_of(Decimal("5000.00"), tier.basket_discount_percent) == Decimal("750.00")

    row = m.TierChange.get(m.TierChange.member == ayse)
    assert (row.from_code, row.to_code, row.reason, row.valid_until) == (None, "t15", "evaluation", date(2026, 11, 30))
    entry = m.JournalEntry.get(m.JournalEntry.kind == "tier_change")
    assert json.loads(entry.payload) == {
        "member_id": ayse,
        "from": None,
        "to": "t15",
        "reason": "evaluation",
        "valid_until": "2026-11-30",
        "spend": "5000.00",
    }
    assert tiers.evaluate_member(ayse, prog, now=at(date(2026, 11, 15)), tz=TZ) is None  # nothing new mid-month


@pytest.mark.parametrize(
    ("spent", "expected"),
    [("0.00", "t3"), ("999.99", "t3"), ("1000.00", "t10"), ("1499.99", "t10"), ("1500.00", "t15")],
)
def test_the_brief_thresholds(db: object, now: datetime, spent: str, expected: str) -> None:
    till = cashier(now)
    who = member(at(OCT))
    if spent != "0.00":
        sale(till, at(date(2026, 10, 10)), spent, who)
    change = tiers.evaluate_member(who, program(), now=at(NOV), tz=TZ)
    assert change is not None and change.to_code == expected


def test_returns_count_against_the_month_of_the_receipt(db: object, now: datetime) -> None:
    prog = program()
    till = cashier(now)
    who = member(at(OCT))
    tv = sale(till, at(date(2026, 10, 30)), "5000.00", who)
    sale(till, at(date(2026, 10, 2)), "400.00", who)
    refund(till, at(date(2026, 11, 3)), "4000.00", tv)  # the return itself names no member: the receipt does
    refund(till, at(date(2026, 10, 20)), "100.00", None, who)  # a return without a receipt, on its own day
    assert tiers.qualifying_spend(who, prog, as_of=date(2026, 11, 2), tz=TZ) == Decimal("5300.00")
    assert tiers.qualifying_spend(who, prog, as_of=date(2026, 11, 3), tz=TZ) == Decimal("1300.00")
    # A member who returned the TV before the first evaluation never reaches the 15 % tier.
    change = tiers.evaluate_member(who, prog, now=at(date(2026, 11, 3)), tz=TZ)
    assert change is not None and change.to_code == "t10"
    assert tiers.spend_by_member(OCT, date(2026, 10, 31), as_of=date(2026, 11, 3), tz=TZ) == {who: Decimal("1300.00")}


def test_previous_month_downgrade_waits_for_the_end_of_the_month(db: object, now: datetime) -> None:
    prog = program()
    till = cashier(now)
    who = member(at(OCT))
    sale(till, at(date(2026, 10, 5)), "5000.00", who)
    sale(till, at(date(2026, 11, 5)), "1200.00", who)
    tiers.evaluate_member(who, prog, now=at(NOV), tz=TZ)
    assert tiers.evaluate_member(who, prog, now=at(date(2026, 11, 30), 22), tz=TZ) is None
    assert tier_of(who) == ("t15", date(2026, 11, 30))
    change = tiers.evaluate_member(who, prog, now=at(DEC), tz=TZ)
    assert change is not None
    assert (change.from_code, change.to_code, change.direction) == ("t15", "t10", "down")
    assert tier_of(who) == ("t10", date(2026, 12, 31))
    # January: nothing spent in December, only the tier everyone has.
    change = tiers.evaluate_member(who, prog, now=at(date(2027, 1, 1)), tz=TZ)
    assert change is not None and change.to_code == "t3"


def test_rolling_days_upgrade_at_once_and_downgrade_at_the_end_of_the_term(db: object, now: datetime) -> None:
    prog = program(EARNED_TIERS, "rolling_days", 30)
    till = cashier(now)
    who = member(at(OCT))
    day = date(2026, 10, 10)
    sale(till, at(day), "1000.00", who)
    assert tiers.qualification_window(prog.tier_qualification, day) == (date(2026, 9, 11), day)
    change = tiers.evaluate_member(who, prog, now=at(day, 18), tz=TZ)
    assert change is not None and change.to_code == "t10"
    assert change.valid_until == day + timedelta(days=29)
    # More spend the next day: the higher tier at once, not at the end of the window.
    sale(till, at(day + timedelta(days=1)), "600.00", who)
    up = tiers.evaluate_member(who, prog, now=at(day + timedelta(days=1), 18), tz=TZ)
    assert up is not None and (up.from_code, up.to_code, up.direction) == ("t10", "t15", "up")
    until = day + timedelta(days=1 + 29)
    assert tier_of(who) == ("t15", until)
    # Still 1,600 in the window on day 20: the term is extended.
    assert tiers.evaluate_member(who, prog, now=at(day + timedelta(days=20)), tz=TZ) is None
    until = day + timedelta(days=20 + 29)
    assert tier_of(who) == ("t15", until)
    # The spend leaves the window (day 30: 600 left, day 31: nothing), but the term runs to its end.
    assert tiers.qualifying_spend(who, prog, as_of=day + timedelta(days=30), tz=TZ) == Decimal("600.00")
    assert tiers.qualifying_spend(who, prog, as_of=day + timedelta(days=31), tz=TZ) == Decimal(0)
    for offset in range(30, 50):
        assert tiers.evaluate_member(who, prog, now=at(day + timedelta(days=offset)), tz=TZ) is None
    assert tier_of(who) == ("t15", until)
    down = tiers.evaluate_member(who, prog, now=at(until + timedelta(days=1)), tz=TZ)
    assert down is not None and (down.from_code, down.to_code, down.valid_until) == ("t15", None, None)
    assert tier_of(who) == (None, None)


def test_a_tier_confirmed_by_new_spend_extends_its_term(db: object, now: datetime) -> None:
    prog = program(EARNED_TIERS, "rolling_days", 10)
    till = cashier(now)
    who = member(at(OCT))
    sale(till, at(date(2026, 10, 1)), "1000.00", who)
    tiers.evaluate_member(who, prog, now=at(date(2026, 10, 1)), tz=TZ)
    assert tier_of(who) == ("t10", date(2026, 10, 10))
    sale(till, at(date(2026, 10, 8)), "200.00", who)
    assert tiers.evaluate_member(who, prog, now=at(date(2026, 10, 8)), tz=TZ) is None  # no change row...
    assert tier_of(who) == ("t10", date(2026, 10, 17))  # ...but a longer term
    assert m.TierChange.select().count() == 1


def test_rolling_months_window(db: object, now: datetime) -> None:
    prog = program(EARNED_TIERS, "rolling_months", 3)
    q = prog.tier_qualification
    assert tiers.qualification_window(q, date(2026, 11, 30)) == (date(2026, 8, 31), date(2026, 11, 30))
    assert tiers.qualification_window(q, date(2026, 5, 31)) == (date(2026, 3, 1), date(2026, 5, 31))
    assert tiers.term_end(q, date(2026, 11, 30)) == date(2027, 2, 27)
    till = cashier(now)
    who = member(at(date(2026, 1, 1)))
    sale(till, at(date(2026, 8, 30)), "800.00", who)
    sale(till, at(date(2026, 8, 31)), "700.00", who)
    assert tiers.qualifying_spend(who, prog, as_of=date(2026, 11, 30), tz=TZ) == Decimal("700.00")
    assert tiers.qualifying_spend(who, prog, as_of=date(2026, 11, 29), tz=TZ) == Decimal("1500.00")


def test_a_paid_tier_is_kept_until_its_last_day(db: object, now: datetime) -> None:
    prog = program()
    till = cashier(now)
    who = member(at(OCT))
    paid_on = at(date(2026, 10, 20))
    receipt = sale(till, paid_on, "100.00", who)
    change = tiers.set_member_tier(
        who, "t15", until=date(2026, 12, 31), reason="paid", actor=None, now=paid_on, sale_id=receipt, program=prog
    )
    assert change is not None and (change.reason, change.to_code, change.direction) == ("paid", "t15", "up")
    assert m.TierChange.get_by_id(change.id).sale_id == receipt
    # Spend qualifies only for 3 %, but the paid term runs to the end of December.
    assert tiers.evaluate_member(who, prog, now=at(NOV), tz=TZ) is None
    assert tiers.evaluate_member(who, prog, now=at(DEC), tz=TZ) is None
    assert tier_of(who) == ("t15", date(2026, 12, 31))
    change = tiers.evaluate_member(who, prog, now=at(date(2027, 1, 1)), tz=TZ)
    assert change is not None and (change.from_code, change.to_code) == ("t15", "t3")


def test_spend_lifts_a_member_above_a_paid_tier_and_the_paid_term_is_not_lost(db: object, now: datetime) -> None:
    prog = program()
    till = cashier(now)
    who = member(at(OCT))
    tiers.set_member_tier(who, "t10", until=date(2027, 3, 31), reason="paid", actor=None, now=at(OCT), program=prog)
    sale(till, at(date(2026, 10, 9)), "2000.00", who)
    up = tiers.evaluate_member(who, prog, now=at(NOV), tz=TZ)
    assert up is not None and (up.from_code, up.to_code) == ("t10", "t15")
    # A paid membership below the tier held: the higher tier stays, for at least the paid term.
    assert (
        tiers.set_member_tier(
            who, "t10", until=date(2027, 10, 31), reason="paid", actor=None, now=at(NOV), program=prog
        )
        is None
    )
    assert tier_of(who) == ("t15", date(2027, 10, 31))


def test_manual_tier_needs_permission(db: object, now: datetime, cashier: Actor, supervisor: Actor) -> None:
    prog = program()
    who = member(at(OCT))
    with pytest.raises(PermissionDenied):
        tiers.set_member_tier(who, "t15", until=None, reason="manual", actor=cashier, now=at(OCT), program=prog)
    change = tiers.set_member_tier(
        who,
        "t15",
        until=date(2026, 10, 31),
        reason="manual",
        actor=cashier,
        now=at(OCT),
        program=prog,
        override=Override(supervisor, "VIP"),
    )
    assert change is not None and change.reason == "manual"
    payload = json.loads(m.JournalEntry.select().order_by(m.JournalEntry.id.desc()).get().payload)
    assert payload["user"] == "ayse" and payload["supervisor"] == "mehmet"
    change = tiers.set_member_tier(who, None, until=None, reason="manual", actor=supervisor, now=at(OCT), program=prog)
    assert change is not None and change.direction == "down" and tier_of(who) == (None, None)
    with pytest.raises(ValidationError, match="No tier gold"):
        tiers.set_member_tier(who, "gold", until=None, reason="manual", actor=supervisor, now=at(OCT), program=prog)
    with pytest.raises(ValidationError):
        tiers.set_member_tier(who, "t3", until=None, reason="paid", actor=None, now=at(OCT), program=prog)
    with pytest.raises(ValidationError):
        tiers.set_member_tier(who, "t3", until=None, reason="gift", actor=supervisor, now=at(OCT), program=prog)
    with pytest.raises(ValidationError, match="already past"):
        tiers.set_member_tier(
            who, "t3", until=date(2026, 9, 1), reason="manual", actor=supervisor, now=at(OCT), program=prog
        )
    assert [c.reason for c in tiers.tier_changes(who, program=prog)] == ["manual", "manual"]


def test_progress_to_the_next_tier(db: object, now: datetime) -> None:
    prog = program()
    till = cashier(now)
    who = member(at(OCT))
    sale(till, at(date(2026, 10, 2)), "1100.00", who)
    tiers.evaluate_member(who, prog, now=at(NOV), tz=TZ)  # t10 for November
    sale(till, at(date(2026, 11, 3)), "400.00", who)
    p = tiers.progress(who, prog, as_of=date(2026, 11, 10), tz=TZ)
    assert p.current is not None and p.current.code == "t10"
    assert p.next is not None and p.next.code == "t15"
    assert (p.spend, p.needed) == (Decimal("400.00"), Decimal("1100.00"))
    assert (p.window_start, p.window_end) == (NOV, date(2026, 11, 30))
    sale(till, at(date(2026, 11, 11)), "1200.00", who)
    p = tiers.progress(who, prog, as_of=date(2026, 11, 11), tz=TZ)
    assert (p.next, p.needed) == (None, None)  # December's 15 % is already reached


def test_evaluate_all_writes_once_and_skips_anonymised_and_future_members(db: object, now: datetime) -> None:
    prog = program()
    till = cashier(now)
    a, b, c = member(at(OCT)), member(at(OCT)), member(at(OCT))
    gone = member(at(OCT))
    m.Member.update(anonymized_at=datetime(2026, 10, 20)).where(m.Member.id == gone).execute()
    later = member(at(date(2026, 11, 2)))
    sale(till, at(date(2026, 10, 7)), "1600.00", a)
    sale(till, at(date(2026, 10, 7)), "1000.00", b)
    result = tiers.evaluate_all(prog, now=at(NOV, 2), tz=TZ)
    assert result.members == 3 and result.upgrades == 3 and result.downgrades == 0
    assert {ch.member_id: ch.to_code for ch in result.changes} == {a: "t15", b: "t10", c: "t3"}
    assert tier_of(gone) == (None, None) and tier_of(later) == (None, None)
    again = tiers.evaluate_all(prog, now=at(NOV, 3), tz=TZ)
    assert again.changes == () and again.renewed == 0
    assert m.TierChange.select().count() == 3
    entries = m.JournalEntry.select().where(m.JournalEntry.kind == "tier_evaluation")
    assert [json.loads(e.payload) for e in entries] == [
        {
            "as_of": "2026-11-01",
            "changes": [
                [ch.id, ch.member_id, None, ch.to_code, "2026-11-30", f"{ch.spend:.2f}"] for ch in result.changes
            ],
        }
    ]
    assert result.changes[0].spend == Decimal("1600.00")


def test_a_catch_up_evaluation_is_dated_on_its_day(db: object, now: datetime) -> None:
    who = member(at(OCT))
    result = tiers.evaluate_all(program(), now=at(date(2026, 11, 5), 9), tz=TZ, as_of=NOV)
    assert [c.at for c in result.changes] == [at(NOV, 0).astimezone(result.changes[0].at.tzinfo)]
    assert tier_of(who) == ("t3", date(2026, 11, 30))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    spends=st.lists(
        st.tuples(st.integers(0, 3), st.integers(0, 70), st.integers(1, 300_000), st.booleans()), max_size=14
    ),
    window=st.sampled_from([("previous_month", 1), ("rolling_days", 20), ("rolling_months", 2)]),
    start_tier=st.sampled_from([(None, None), ("t15", date(2026, 11, 20)), ("t10", date(2026, 10, 1))]),
)
def test_evaluate_all_agrees_with_evaluate_member(
    db: object,
    now: datetime,
    spends: list[tuple[int, int, int, bool]],
    window: tuple[str, int],
    start_tier: tuple[str | None, date | None],
) -> None:
    """The grouped query and the per-member queries give every member the same tier and term.

    Each member has a twin with the same receipts and returns, enrolled after the evaluated
    day, so that :func:`evaluate_all` leaves the twins alone and :func:`evaluate_member`
    (which does not look at the enrollment day) evaluates them one by one."""
    prog = program(EARNED_TIERS, *window)
    as_of = date(2026, 11, 1)
    till = cashier(now)
    code, until = start_tier
    members = [member(at(date(2026, 8, 1)), tier_code=code, tier_until=until) for _ in range(4)]
    twins = [member(at(date(2026, 11, 2)), tier_code=code, tier_until=until) for _ in range(4)]
    for who, day, kurus, returned in spends:
        for group in (members, twins):
            when = at(date(2026, 9, 1) + timedelta(days=day), 10)
            receipt = sale(till, when, str(from_kurus(kurus)), group[who])
            if returned:
                refund(till, when + timedelta(days=1), str(from_kurus(kurus // 2)), receipt)
    tiers.evaluate_all(prog, now=at(as_of, 6), tz=TZ)
    for who, twin in zip(members, twins, strict=True):
        tiers.evaluate_member(twin, prog, now=at(as_of, 6), tz=TZ)
        assert tier_of(who) == tier_of(twin)

"""The points ledger's rules, one behaviour per test: hold, expiry, FIFO by expiry, clawback
into a negative balance, restore, donate, transfer, manager adjustments, the expiry job, and
the brief's TV case."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from loyalty_support import MakeSale, new_member

from pos_tui.core.kernel import (
    Actor,
    InsufficientPoints,
    NotFound,
    Override,
    PermissionDenied,
    ValidationError,
    shop_day,
)
from pos_tui.core.loyalty import (
    ExpiryPolicy,
    adjust,
    balance,
    clawback,
    donate,
    earn,
    expire_due,
    points_for,
    redeem,
    restore,
    transfer,
)
from pos_tui.store import models as m

DAY = timedelta(days=1)


def at(now: datetime, days: int) -> datetime:
    return now + days * DAY


def test_points_are_rounded_down_per_receipt() -> None:
    assert points_for(Decimal("10000.00"), Decimal("10")) == 1000
    assert points_for(Decimal("199.99"), Decimal("1")) == 1
    assert points_for(Decimal("99.99"), Decimal("1")) == 0
    assert points_for(Decimal("0"), Decimal("10")) == 0
    with pytest.raises(ValidationError):
        points_for(Decimal("-1"), Decimal("1"))


def test_earned_points_are_pending_until_the_hold_ends(member: int, now: datetime) -> None:
    lot = earn(member, 100, now=now)
    today = shop_day(now)
    assert lot.available_from == today + 15 * DAY
    b = balance(member, as_of=today)
    assert (b.available, b.pending, b.total) == (0, 100, 100)
    with pytest.raises(InsufficientPoints, match="Only 0 points are available \\(100 pending\\)"):
        redeem(member, 1, now=at(now, 14))
    b = balance(member, as_of=today + 15 * DAY)
    assert (b.available, b.pending) == (100, 0)
    assert [c.points for c in redeem(member, 40, now=at(now, 15))] == [40]
    assert balance(member, as_of=today + 15 * DAY).available == 60


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        (ExpiryPolicy.never(), None),
        (ExpiryPolicy.days_after_available(365), date(2027, 11, 16)),
        (ExpiryPolicy.end_of_month(), date(2026, 11, 30)),
        (ExpiryPolicy.end_of_year(), date(2026, 12, 31)),
    ],
)
def test_expiry_is_counted_from_the_day_points_become_available(
    member: int, now: datetime, policy: ExpiryPolicy, expected: date | None
) -> None:
    lot = earn(member, 10, now=now, expiry=policy)
    assert lot.available_from == date(2026, 11, 16)
    assert lot.expires_on == expected


def test_a_policy_of_zero_days_is_refused() -> None:
    with pytest.raises(ValidationError):
        ExpiryPolicy.days_after_available(0)


def test_expired_points_are_gone_whether_or_not_the_job_ran(member: int, now: datetime) -> None:
    earn(member, 50, now=now, hold_days=0, expiry=ExpiryPolicy.days_after_available(10))
    today = shop_day(now)
    assert balance(member, as_of=today + 10 * DAY).available == 50
    assert balance(member, as_of=today + 10 * DAY).expiring == [(50, today + 10 * DAY)]
    assert balance(member, as_of=today + 11 * DAY).total == 0
    with pytest.raises(InsufficientPoints):
        redeem(member, 1, now=at(now, 11))
    assert expire_due(as_of=today + 11 * DAY) == 1
    assert expire_due(as_of=today + 11 * DAY) == 0
    assert balance(member, as_of=today + 11 * DAY).total == 0
    assert balance(member, as_of=today + 5 * DAY).available == 50  # the past is unchanged
    entries = list(m.PointsEntry.select().where(m.PointsEntry.member == member).order_by(m.PointsEntry.id))
    assert [(e.kind, e.points) for e in entries] == [("earn", 50), ("expire", -50)]


def test_redemption_takes_the_lot_that_expires_first(member: int, now: datetime) -> None:
    late = earn(member, 30, now=now, hold_days=0, expiry=ExpiryPolicy.end_of_year())
    never = earn(member, 30, now=now, hold_days=0)
    soon = earn(member, 30, now=now, hold_days=0, expiry=ExpiryPolicy.end_of_month())
    taken = redeem(member, 70, now=now)
    assert [(c.lot_id, c.points) for c in taken] == [(soon.id, 30), (late.id, 30), (never.id, 10)]
    assert balance(member, as_of=shop_day(now)).available == 20


def test_pending_points_are_never_redeemed_even_when_they_expire_first(member: int, now: datetime) -> None:
    available = earn(member, 20, now=now, hold_days=0, expiry=ExpiryPolicy.end_of_year())
    earn(member, 500, now=now, hold_days=15, expiry=ExpiryPolicy.end_of_month())
    with pytest.raises(InsufficientPoints):
        redeem(member, 21, now=now)
    assert [(c.lot_id, c.points) for c in redeem(member, 20, now=now)] == [(available.id, 20)]


def test_a_clawback_of_spent_points_goes_negative_and_blocks_redemption(
    member: int, now: datetime, make_sale: MakeSale
) -> None:
    sale = make_sale()
    earn(member, 100, now=now, sale_id=sale, hold_days=0)
    redeem(member, 80, now=now)
    taken = clawback(member, sale, fraction=Decimal(1), now=at(now, 2))
    assert [(c.lot_id is None, c.points) for c in taken] == [(False, 20), (True, 80)]
    today = shop_day(now) + 2 * DAY
    assert balance(member, as_of=today).available == -80
    assert clawback(member, sale, fraction=Decimal(1), now=at(now, 2)) == []  # nothing left to take
    earn(member, 50, now=at(now, 2), hold_days=0)
    b = balance(member, as_of=today)
    assert (b.available, b.pending, b.total) == (-30, 0, -30)
    with pytest.raises(InsufficientPoints, match="negative"):
        redeem(member, 1, now=at(now, 2))
    earn(member, 50, now=at(now, 2), hold_days=0)
    assert balance(member, as_of=today).available == 20
    redeem(member, 20, now=at(now, 2))
    assert balance(member, as_of=today).total == 0


def test_a_partial_return_claws_back_its_share_pending_first(member: int, now: datetime, make_sale: MakeSale) -> None:
    old = make_sale()
    earn(member, 40, now=now, sale_id=old, hold_days=0)
    sale = make_sale()
    earn(member, 101, now=now, sale_id=sale)
    taken = clawback(member, sale, fraction=Decimal("0.5"), now=at(now, 3))
    assert sum(c.points for c in taken) == 51  # half of 101, rounded half up
    b = balance(member, as_of=shop_day(now) + 3 * DAY)
    assert (b.available, b.pending) == (40, 50)
    taken = clawback(member, sale, points=80, now=at(now, 4))
    assert sum(c.points for c in taken) == 50  # never more than the sale earned
    assert balance(member, as_of=shop_day(now) + 4 * DAY).available == 40


def test_the_tv_case(member: int, now: datetime, make_sale: MakeSale) -> None:
    """A 10,000 TRY TV earns 1,000 points (10% campaign); the 2,000 TRY oven three days later
    cannot be paid with them; the TV returned on day 10 takes the 1,000 pending points back."""
    tv = make_sale(total_kurus=1_000_000)
    points = points_for(Decimal("10000.00"), Decimal("10"))
    earn(member, points, now=now, sale_id=tv)
    day3 = shop_day(now) + 3 * DAY
    assert balance(member, as_of=day3).pending == 1000
    with pytest.raises(InsufficientPoints):
        redeem(member, 1000, now=at(now, 3), sale_id=make_sale(at=at(now, 3), total_kurus=200_000))
    taken = clawback(member, tv, fraction=Decimal(1), now=at(now, 10))
    assert [c.points for c in taken] == [1000] and all(c.lot_id is not None for c in taken)
    for day in (10, 15, 30):
        b = balance(member, as_of=shop_day(now) + day * DAY)
        assert (b.available, b.pending, b.total) == (0, 0, 0)
    assert not m.PointsEntry.select().where(m.PointsEntry.kind == "redeem").exists()


def test_restore_gives_back_redeemed_points_expiring_like_the_lot_they_came_from(
    member: int, now: datetime, make_sale: MakeSale
) -> None:
    soon = earn(member, 30, now=now, hold_days=0, expiry=ExpiryPolicy.end_of_month())
    late = earn(member, 100, now=now, hold_days=0, expiry=ExpiryPolicy.end_of_year())
    sale = make_sale()
    redeem(member, 60, now=now, sale_id=sale)
    lots = restore(member, sale, 40, now=at(now, 1))
    assert [(lot.points, lot.expires_on, lot.available_from) for lot in lots] == [
        (30, late.expires_on, shop_day(now) + DAY),
        (10, soon.expires_on, shop_day(now) + DAY),
    ]
    more = restore(member, sale, 100, now=at(now, 1))
    assert [lot.points for lot in more] == [20]  # never more than the sale redeemed
    assert restore(member, sale, 5, now=at(now, 1)) == []
    assert balance(member, as_of=shop_day(now) + DAY).available == 130


def test_restored_points_stay_usable_on_the_day_of_the_return(member: int, now: datetime, make_sale: MakeSale) -> None:
    earn(member, 30, now=now, hold_days=0, expiry=ExpiryPolicy.days_after_available(2))
    sale = make_sale()
    redeem(member, 30, now=now, sale_id=sale)
    (lot,) = restore(member, sale, 30, now=at(now, 5))
    assert lot.expires_on == shop_day(now) + 5 * DAY


def test_donation_and_transfer_spend_available_points(member: int, now: datetime) -> None:
    friend = new_member(now, "Ali Kaya")
    earn(member, 100, now=now, hold_days=0, expiry=ExpiryPolicy.end_of_month())
    earn(member, 100, now=now, hold_days=0)
    earn(member, 100, now=now)  # pending: neither donated nor transferred
    assert [c.points for c in donate(member, 30, "TEMA Vakfı", now=now)] == [30]
    with pytest.raises(ValidationError):
        donate(member, 30, "  ", now=now)
    lots = transfer(member, friend, 120, now=now)
    assert [(lot.points, lot.expires_on) for lot in lots] == [(70, date(2026, 11, 30)), (50, None)]
    today = shop_day(now)
    assert balance(friend, as_of=today).available == 120
    assert (balance(member, as_of=today).available, balance(member, as_of=today).pending) == (50, 100)
    with pytest.raises(InsufficientPoints):
        transfer(member, friend, 51, now=now)
    with pytest.raises(ValidationError):
        transfer(member, member, 1, now=now)


def test_adjustments_need_a_manager_and_are_journalled(
    member: int, now: datetime, cashier: Actor, supervisor: Actor
) -> None:
    with pytest.raises(PermissionDenied):
        adjust(member, 50, "goodwill", actor=cashier, now=now, terminal="T1")
    with pytest.raises(ValidationError):
        adjust(member, 50, " ", actor=supervisor, now=now, terminal="T1")
    lot = adjust(member, 50, "goodwill", actor=cashier, now=now, terminal="T1", override=Override(supervisor, "ok"))
    assert not isinstance(lot, list) and lot.available_from == shop_day(now)
    taken = adjust(member, -80, "card misuse", actor=supervisor, now=now, terminal="T1")
    assert isinstance(taken, list) and [c.points for c in taken] == [50, 30]
    assert balance(member, as_of=shop_day(now)).available == -30
    kinds = [(e.kind, e.ref) for e in m.JournalEntry.select().order_by(m.JournalEntry.id)]
    assert kinds == [("points_adjust", str(member)), ("points_adjust", str(member))]
    first = m.JournalEntry.select().order_by(m.JournalEntry.id).first()
    assert '"supervisor":"mehmet"' in first.payload and '"user":"ayse"' in first.payload
    assert m.PointsEntry.get(m.PointsEntry.id == lot.id).actor_id == cashier.user_id


def test_bad_input_is_refused(member: int, now: datetime) -> None:
    with pytest.raises(ValidationError):
        earn(member, 0, now=now)
    with pytest.raises(ValidationError):
        redeem(member, -5, now=now)
    with pytest.raises(ValidationError):
        clawback(member, 1, now=now)
    with pytest.raises(NotFound):
        earn(99999, 10, now=now)
    with pytest.raises(NotFound):
        balance(99999, as_of=shop_day(now))
    assert not m.PointsEntry.select().exists()


def test_posted_entries_are_insert_only(member: int, now: datetime, db_path: Path) -> None:
    earn(member, 10, now=now)
    conn = sqlite3.connect(db_path)
    try:
        with pytest.raises(sqlite3.IntegrityError, match="insert-only"):
            conn.execute("UPDATE points_entry SET points = 1000")
        with pytest.raises(sqlite3.IntegrityError, match="insert-only"):
            conn.execute("DELETE FROM points_entry")
    finally:
        conn.close()

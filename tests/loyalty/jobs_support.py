"""Helpers for the tiers, jobs, messages, NPS and loyalty-report tests: members with contact
data, real sale and return rows carrying ``sale.member``, consent decisions, the brief's
monthly tiers, and an in-process ``pos-admin`` runner."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from pos_tui.core.kernel import to_db, to_kurus, zone
from pos_tui.core.loyalty import Messages, Program, Tier, TierQualification
from pos_tui.store import models as m

TZ = "Europe/Istanbul"
REPO = Path(__file__).resolve().parents[2]
_seq = itertools.count(1)

# The brief's monthly tiers: under 1,000 → 3 %, 1,000–1,500 → 10 %, from 1,500 → 15 %.
MONTHLY_TIERS = (
    Tier("t3", "Kırmızı", Decimal(0), basket_discount_percent=Decimal(3)),
    Tier("t10", "Gümüş", Decimal(1000), basket_discount_percent=Decimal(10)),
    Tier("t15", "Altın", Decimal(1500), basket_discount_percent=Decimal(15)),
)
# The same without a tier for everyone (a member needs to spend to be in a tier).
EARNED_TIERS = MONTHLY_TIERS[1:]


def program(
    tiers: tuple[Tier, ...] = MONTHLY_TIERS,
    window: str = "previous_month",
    length: int = 1,
    messages: Messages | None = None,
    **kwargs: Any,
) -> Program:
    return Program(
        tiers=tiers,
        tier_qualification=TierQualification(window, length),  # type: ignore[arg-type]
        messages=messages or Messages(),
        **kwargs,
    )


def at(day: date, hour: int = 12, minute: int = 0) -> datetime:
    """An aware moment of a shop-local day (Istanbul)."""
    return datetime.combine(day, time(hour, minute), tzinfo=zone(TZ))


def cashier(now: datetime) -> int:
    n = next(_seq)
    return int(
        m.User.create(name=f"kasa{n}", role="cashier", pin_tag=f"jt-{n}", pin_hash="x", created_at=to_db(now)).id
    )


def member(
    created: datetime,
    name: str = "Zeynep Yılmaz",
    *,
    phone: str | None = None,
    email: str | None = None,
    birth_date: date | None = None,
    tier_code: str | None = None,
    tier_until: date | None = None,
) -> int:
    n = next(_seq)
    return int(
        m.Member.create(
            card=f"2991000{n:06d}",
            name=name,
            phone=phone,
            email=email,
            birth_date=birth_date,
            tier_code=tier_code,
            tier_until=tier_until,
            created_at=to_db(created),
        ).id
    )


def sale(cashier_id: int, when: datetime, amount: str, member_id: int | None = None) -> int:
    """A posted sale of ``amount`` TRY (for a member when given)."""
    n = next(_seq)
    kurus = to_kurus(Decimal(amount))
    return int(
        m.Sale.create(
            uid=f"jobs-test-{n}",
            kind="sale",
            terminal="T9",
            receipt_no=n,
            at=to_db(when),
            cashier=cashier_id,
            subtotal=kurus,
            total=kurus,
            member=member_id,
        ).id
    )


def refund(cashier_id: int, when: datetime, amount: str, of: int | None, member_id: int | None = None) -> int:
    """A posted return of ``amount`` TRY of receipt ``of`` (None: without a receipt)."""
    n = next(_seq)
    kurus = to_kurus(Decimal(amount))
    return int(
        m.Sale.create(
            uid=f"jobs-test-{n}",
            kind="return",
            terminal="T9",
            receipt_no=n,
            at=to_db(when),
            cashier=cashier_id,
            subtotal=kurus,
            total=kurus,
            return_of=of,
            member=member_id,
        ).id
    )


def consent(member_id: int, channel: str, granted: bool, when: datetime) -> None:
    m.Consent.create(member=member_id, channel=channel, granted=granted, at=to_db(when), source="cli")


def count(model: type[m.BaseModel]) -> int:
    return int(model.select().count())


Cli = Callable[..., Any]

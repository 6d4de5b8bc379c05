"""A next-order coupon issued inside a sale's posting is not read back after its insert
(``coupons.create_coupon(read_back=False)``): the answer built from what was written equals what
:func:`coupons.get_coupon` reads, field for field, on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from jobs_support import at, member

from pos_tui.core.loyalty import coupons

CASES: list[dict[str, Any]] = [
    {"kind": "amount", "amount": Decimal("25.50"), "min_spend": Decimal("300"), "note": "  Gelecek alışveriş  "},
    {"kind": "percent", "percent": Decimal("12.5"), "max_discount": Decimal("200"), "note": None},
    {"kind": "percent", "percent": Decimal("10"), "max_uses": None, "note": "   "},
]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> object:
    return request.getfixturevalue("db" if request.param == "sqlite" else "pg_db")


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("personal", [True, False])
def test_the_built_answer_equals_the_coupon_read_back(
    backend: object, now: datetime, case: dict[str, Any], personal: bool
) -> None:
    who = member(at(date(2026, 9, 1))) if personal else None
    moment = now + timedelta(microseconds=123_457)  # the stored time keeps its microseconds
    info = coupons.create_coupon(
        None, **{"max_uses": 1, **case}, valid_from=date(2026, 12, 8), valid_to=date(2027, 1, 6), member_id=who,
        source="next_order", origin_sale="sale-uid-1", rule="n1", now=moment, terminal="T1", read_back=False,
    )  # fmt: skip
    read = coupons.get_coupon(info.code)
    assert info == read
    assert (info.uses, info.active, info.member_id, info.rule) == (0, True, who, "n1")

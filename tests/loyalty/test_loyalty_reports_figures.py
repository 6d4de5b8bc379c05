"""The loyalty report on a small dataset whose every figure is worked out by hand below,
the donation and supplier reports, and the ``report`` commands."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal

import pytest
from jobs_support import TZ, Cli, at, cashier, member, refund, sale

from pos_tui.core.kernel import Actor, ValidationError, to_db
from pos_tui.core.loyalty import (
    Charity,
    ExpiryPolicy,
    PointsPolicy,
    Program,
    adjust,
    clawback,
    donate,
    donation_report,
    earn,
    loyalty_report,
    outstanding_points,
    redeem,
    restore,
    rules,
    supplier_settlement,
)
from pos_tui.store import models as m

NOV1, NOV30 = date(2026, 11, 1), date(2026, 11, 30)
PROGRAM = Program(points=PointsPolicy(value=Decimal("0.50")), charities=(Charity("losev", "LÖSEV"),))


def day(d: int, month: int = 11, hour: int = 12) -> datetime:
    return at(date(2026, month, d), hour)


@pytest.fixture
def shop(db: object, now: datetime, supervisor: Actor) -> dict[str, int]:
    till = cashier(now)
    a = member(day(1, 10), "Ayşe Kaya")
    b = member(day(10), "Burak Can")
    c = member(day(5, 12), "Cem Er")  # enrolled after the period
    # Receipts of the period: members 1,000 + 500 (Ayşe) and 300 (Burak); others 200 and 100.
    a_nov2 = sale(till, day(2), "1000.00", a)
    a_nov20 = sale(till, day(20), "500.00", a)
    sale(till, day(12), "300.00", b)
    other = sale(till, day(3), "200.00")
    sale(till, day(4), "100.00")
    a_return = refund(till, day(25), "200.00", a_nov2)  # a member's return: the receipt names her
    refund(till, day(5), "50.00", other)
    # Outside the period.
    sale(till, day(15, 10), "400.00", a)  # counts for lifetime value only
    sale(till, day(2, 12), "999.00")
    sale(till, day(6, 12), "700.00", c)
    # Points.
    earn(a, 100, now=day(15, 10), hold_days=0, expiry=ExpiryPolicy.end_of_month(), tz=TZ)  # expires 31 Oct
    earn(a, 1000, now=day(2), sale_id=a_nov2, hold_days=0, tz=TZ)
    earn(b, 300, now=day(12), hold_days=15, expiry=ExpiryPolicy.days_after_available(10), tz=TZ)
    earn(b, 40, now=day(28), hold_days=15, tz=TZ)  # still pending on 30 November
    adjust(b, 20, "goodwill", actor=supervisor, now=day(10), terminal="T1", tz=TZ)
    redeem(a, 300, now=day(20), sale_id=a_nov20, tz=TZ)
    donate(a, 100, "losev", now=day(21), tz=TZ)
    clawback(a, a_nov2, points=100, now=day(25), tz=TZ)
    restore(a, a_nov20, 50, now=day(25), tz=TZ)
    # Supplier-funded points: 10 on Ayşe's receipt (5 the supplier's), 2 (1) back on the return.
    product = m.Product.create(
        code="P1", name="Zeytinyağı", name_key="zeytinyagi", price=10000, kdv_rate=1, updated_at=to_db(now)
    )
    anadolu = m.Supplier.create(code="ANA", name="Anadolu Gıda", created_at=to_db(now))
    ege = m.Supplier.create(code="EGE", name="Ege Dağıtım", created_at=to_db(now))
    m.SupplierPoints.create(sale=a_nov2, supplier=anadolu, product=product, points=10, supplier_points=5)
    m.SupplierPoints.create(sale=a_return, supplier=anadolu, product=product, points=-2, supplier_points=-1)
    m.SupplierPoints.create(sale=a_nov20, supplier=ege, product=product, points=6, supplier_points=6)
    return {"a": a, "b": b, "c": c}


EXPECTED = {
    "from": "2026-11-01",
    "to": "2026-11-30",
    "receipts": 5,
    # (1,000 + 500 + 300 − 200) / 3 receipts
    "members": {"receipts": 3, "returns": 1, "net_sales": "1600.00", "average_ticket": "533.33"},
    # (200 + 100 − 50) / 2 receipts
    "non_members": {"receipts": 2, "returns": 1, "net_sales": "250.00", "average_ticket": "125.00"},
    "enrollment_share_percent": "60.00",  # 3 of 5 receipts
    "repeat_purchase": {"members_buying": 2, "members_repeat": 1, "rate_percent": "50.00"},
    "points": {
        "issued": 1360,  # 1,000 + 300 + 40 earned, + 20 adjusted
        "redeemed": 250,  # 300 paid − 50 given back by the return
        "redeemed_gross": 300,
        "restored": 50,
        "clawed_back": 100,
        "donated": 100,
        "adjusted_down": 0,
        "expired": 100,  # the October lot, last usable on 31 October
        # Ayşe: 1,000 − 300 − 100 − 100 + 50 restored = 550; Burak: 300 + 20 available, 40 pending
        "outstanding": 910,
        "available": 870,
        "pending": 40,
        "debt": 0,
        "redemption_rate_percent": "18.38",  # 250 / 1,360
    },
    "point_value": "0.50",
    "liability": "455.00",  # 910 × 0.50
    # Ayşe 400 + 1,000 + 500 − 200, Burak 300: 2,000 over the 2 members enrolled by 30 November
    "customer_lifetime_value": {"members": 2, "net_spend": "2000.00", "average": "1000.00"},
    "members_enrolled_in_period": 1,
    "supplier_settlement": [
        {"supplier_id": 2, "code": "EGE", "name": "Ege Dağıtım", "points": 6, "supplier_points": 6, "amount": "3.00"},
        {
            "supplier_id": 1,
            "code": "ANA",
            "name": "Anadolu Gıda",
            "points": 8,
            "supplier_points": 4,
            "amount": "2.00",
        },
    ],
    "supplier_owes_total": "5.00",
}


def test_every_figure_of_the_loyalty_report(shop: dict[str, int]) -> None:
    assert loyalty_report(date_from=NOV1, date_to=NOV30, tz=TZ, program=PROGRAM) == EXPECTED


def test_outstanding_points_read_for_any_day(shop: dict[str, int]) -> None:
    assert outstanding_points(date(2026, 10, 20), tz=TZ) == (100, 0, 0)
    assert outstanding_points(date(2026, 11, 2), tz=TZ) == (1000, 0, 0)  # the October lot is gone
    assert outstanding_points(date(2026, 11, 12), tz=TZ) == (1020, 300, 0)
    assert outstanding_points(date(2026, 12, 8), tz=TZ) == (570, 40, 0)  # Burak's 300 expired on 7 December


def test_a_debt_is_shown_apart_and_does_not_lower_the_liability(shop: dict[str, int], now: datetime) -> None:
    till = cashier(now)
    d = member(day(1), "Derya Ay")
    receipt = sale(till, day(3), "800.00", d)
    earn(d, 80, now=day(3), sale_id=receipt, hold_days=0, tz=TZ)
    redeem(d, 80, now=day(4), tz=TZ)
    clawback(d, receipt, points=80, now=day(6), tz=TZ)
    doc = loyalty_report(date_from=NOV1, date_to=NOV30, tz=TZ, program=PROGRAM)
    assert (doc["points"]["outstanding"], doc["points"]["debt"], doc["liability"]) == (910, -80, "455.00")


def test_donations_and_suppliers(shop: dict[str, int]) -> None:
    rows = donation_report(NOV1, NOV30, tz=TZ, program=PROGRAM)
    assert [r.as_json() for r in rows] == [
        {"charity": "losev", "name": "LÖSEV", "points": 100, "donations": 1, "amount": "50.00"}
    ]
    assert donation_report(date(2026, 12, 1), date(2026, 12, 31), tz=TZ, program=PROGRAM) == []
    assert [r.code for r in supplier_settlement(NOV1, NOV30, tz=TZ, program=PROGRAM)] == ["EGE", "ANA"]
    with pytest.raises(ValidationError):
        loyalty_report(date_from=NOV30, date_to=NOV1, tz=TZ, program=PROGRAM)


def test_an_empty_period(db: object) -> None:
    doc = loyalty_report(date_from=NOV1, date_to=NOV30, tz=TZ, program=PROGRAM)
    assert doc["receipts"] == 0 and doc["enrollment_share_percent"] is None
    assert doc["members"]["average_ticket"] is None and doc["points"]["redemption_rate_percent"] is None
    assert doc["customer_lifetime_value"]["average"] is None and doc["liability"] == "0.00"


def test_report_commands(shop: dict[str, int], cli: Cli, now: datetime) -> None:
    rules.apply_rules(rules.program_to_toml(PROGRAM), now=now)
    period = ("--from", "2026-11-01", "--to", "2026-11-30")
    result = cli("report", "loyalty", *period, "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {**EXPECTED}
    human = cli("report", "loyalty", *period)
    assert human.exit_code == 0 and "455.00" in human.stdout
    donations = cli("report", "donations", *period, "--json")
    assert json.loads(donations.stdout)["rows"][0]["name"] == "LÖSEV"
    suppliers = cli("report", "suppliers", *period, "--json")
    assert [r["amount"] for r in json.loads(suppliers.stdout)["rows"]] == ["3.00", "2.00"]
    assert "Anadolu" in cli("report", "suppliers", *period).stdout
    none = cli("report", "donations", "--from", "2026-12-01", "--to", "2026-12-31")
    assert none.exit_code == 0 and "No donations" in none.stderr
    bad = cli("report", "loyalty", "--from", "2026-11-30", "--to", "2026-11-01")
    assert bad.exit_code == 1 and "before it starts" in bad.stderr

"""The loyalty reports on the loyalty report's own worked month: the figures equal ``report loyalty
--json``, members against others day by day, and the points liability whose every day equals the
ledger's outstanding points."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from racct_support import NOV1, NOV30, TZ, loyalty_shop, nov, report, rows_of, sale, summary_of, totals_of

from pos_tui.core import loyalty
from pos_tui.core.loyalty import clawback, earn, redeem
from pos_tui.settings import Settings

D = Decimal


@pytest.fixture
def month(db: object, settings: Settings, now: datetime) -> dict[str, int]:
    return loyalty_shop(settings, now)


def test_the_figures_are_report_loyaltys(
    month: dict[str, int], settings: Settings, now: datetime, cli: Callable[..., Any]
) -> None:
    done = report("loyalty-kpis", settings, now, NOV1, NOV30)
    result = cli("report", "loyalty", "--from", "2026-11-01", "--to", "2026-11-30", "--json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc == loyalty.loyalty_report(date_from=NOV1, date_to=NOV30, tz=TZ, program=loyalty.active_program())
    rows = {r["key"]: r for r in rows_of(done)}
    for key, row in rows.items():
        if key.startswith("supplier_settlement."):
            continue
        value: Any = doc
        for part in key.split("."):
            value = value[part]
        shown = [v for k, v in row.items() if k in ("count", "points", "amount", "percent") and v is not None]
        if value is None:
            assert shown == [], key
        else:
            assert shown == [D(value) if isinstance(value, str) else value], key
    # by hand (tests/loyalty/test_loyalty_reports_figures.py works every one out)
    assert rows["members.average_ticket"]["amount"] == D("533.33")
    assert rows["points.issued"]["points"] == 1360 and rows["liability"]["amount"] == D("455.00")
    assert rows["points.redemption_rate_percent"]["percent"] == D("18.38")
    assert rows["supplier_settlement.ANA"]["points"] == 4 and rows["supplier_settlement.ANA"]["amount"] == D("2.00")
    assert summary_of(done)["liability"] == D("455.00") and done.notes == ()
    filtered = report("loyalty-kpis", settings, now, NOV1, NOV30, terminal="T1")
    assert filtered.rows == done.rows and "whole chain" in filtered.notes[0]


def test_members_and_others_day_by_day(month: dict[str, int], settings: Settings, now: datetime) -> None:
    done = report("loyalty-members", settings, now, NOV1, NOV30)
    rows = {r["day"]: r for r in rows_of(done)}
    assert len(rows) == 30 and done.chart is not None and done.chart.kind == "line"
    keys = (
        "member_receipts",
        "member_net",
        "member_average",
        "other_receipts",
        "other_net",
        "other_average",
        "member_share",
    )

    def day(d: int) -> tuple[object, ...]:
        return tuple(rows[date(2026, 11, d)][k] for k in keys)

    assert day(2) == (1, D("1000.00"), D("1000.00"), 0, D(0), None, D("100.00"))
    assert day(3) == (0, D(0), None, 1, D("200.00"), D("200.00"), D("0.00"))
    assert day(5) == (0, D(0), None, 0, D("-50.00"), None, D("0.00"))  # the others' return
    assert day(25) == (0, D("-200.00"), None, 0, D(0), None, D("100.00"))  # Ayşe's return
    assert day(6) == (0, D(0), None, 0, D(0), None, None)
    # the period is the loyalty report's members and non_members
    total = totals_of(done)
    assert tuple(total[k] for k in keys) == (3, D("1600.00"), D("533.33"), 2, D("250.00"), D("125.00"), D("86.49"))
    assert summary_of(done)["member_share"] == D("86.49")  # 1,600 of 1,850
    other = report("loyalty-members", settings, now, NOV1, NOV30, terminal="T1")  # the receipts are T9's
    assert totals_of(other)["member_receipts"] == 0 and totals_of(other)["other_net"] == D(0)


def test_points_liability_runs_from_the_opening_balance(
    month: dict[str, int], settings: Settings, now: datetime
) -> None:
    done = report("points-liability", settings, now, NOV1, NOV30)
    rows = {r["day"]: r for r in rows_of(done)}
    keys = ("issued", "redeemed", "expired", "other", "outstanding", "liability")

    def day(d: int) -> tuple[object, ...]:
        return tuple(rows[date(2026, 11, d)][k] for k in keys)

    assert summary_of(done)["opening_outstanding"] == 100  # the October lot, usable through 31 October
    assert day(1) == (0, 0, 100, 0, 0, D("0.00"))  # it expires
    assert day(2) == (1000, 0, 0, 0, 1000, D("500.00"))
    assert day(10) == (20, 0, 0, 0, 1020, D("510.00"))  # the manager's adjustment
    assert day(12) == (300, 0, 0, 0, 1320, D("660.00"))  # on hold, but outstanding
    assert day(20) == (0, 300, 0, 0, 1020, D("510.00"))
    assert day(21) == (0, 0, 0, -100, 920, D("460.00"))  # donated
    assert day(25) == (0, -50, 0, -100, 870, D("435.00"))  # given back by a return, taken back by another
    assert day(30) == (0, 0, 0, 0, 910, D("455.00"))
    total = totals_of(done)
    doc = loyalty.loyalty_report(date_from=NOV1, date_to=NOV30, tz=TZ, program=loyalty.active_program())
    assert (total["issued"], total["redeemed"], total["expired"]) == (
        doc["points"]["issued"],
        doc["points"]["redeemed"],
        doc["points"]["expired"],
    )
    assert (total["outstanding"], str(total["liability"])) == (doc["points"]["outstanding"], doc["liability"])
    assert done.chart is not None and done.chart.values == ("liability",)


def test_every_day_equals_the_ledgers_outstanding_points(
    month: dict[str, int], settings: Settings, now: datetime
) -> None:
    d = loyalty.members.enroll(name="Derya Ay", phone="05329876543", source="cli", actor=None, now=now).id
    earn(d, 80, now=nov(3), hold_days=0, tz=TZ)
    redeem(d, 80, now=nov(4), tz=TZ)
    receipt = sale(month["till"], nov(3), "80.00", d)
    clawback(d, receipt, points=80, now=nov(6), tz=TZ)  # spent already: a debt, not less liability
    first, last = date(2026, 10, 25), date(2026, 12, 10)
    done = report("points-liability", settings, now, first, last)
    for row in rows_of(done):
        available, pending, _debt = loyalty.outstanding_points(row["day"], tz=TZ)  # type: ignore[arg-type]
        assert row["outstanding"] == available + pending, row["day"]
    assert rows_of(done)[-1]["outstanding"] == 610  # Burak's 300 expired on 8 December
    before = report("points-liability", settings, now, first, first + timedelta(days=1))
    assert [r["outstanding"] for r in rows_of(before)] == [100, 100]

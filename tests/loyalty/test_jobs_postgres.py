"""The loyalty job, messages, NPS and the reports on PostgreSQL: the same answers as on
SQLite from the raw (unconverted) rows, the bulk writes and the grouped queries."""

from __future__ import annotations

import io
import json
from datetime import date, datetime

import peewee
import pytest
from jobs_support import TZ, at, cashier, consent, member, program, refund, sale

from pos_tui.core.loyalty import ExpiryPolicy, earn, jobs, loyalty_report, messages, nps, tiers
from pos_tui.store import models as m

pytestmark = pytest.mark.postgres
NOV = date(2026, 11, 1)


def test_the_job_and_reports_on_postgres(pg_db: peewee.Database, now: datetime) -> None:
    prog = program()
    till = cashier(now)
    ayse = member(at(date(2026, 9, 1)), "Ayşe Kaya", email="ayse@example.com", birth_date=date(1990, 11, 1))
    consent(ayse, "email", True, at(date(2026, 9, 1)))
    ali = member(
        at(date(2026, 9, 1)), "Ali Demir", phone="+905321112233", tier_code="t15", tier_until=date(2026, 10, 31)
    )
    consent(ali, "sms", True, at(date(2026, 9, 1)))
    tv = sale(till, at(date(2026, 10, 30)), "5000.00", ali)
    refund(till, at(date(2026, 10, 31)), "5000.00", tv)
    sale(till, at(date(2026, 10, 4)), "5000.00", ayse)
    earn(ali, 40, now=at(date(2026, 10, 1)), hold_days=0, expiry=ExpiryPolicy.end_of_month(), tz=TZ)
    earn(ayse, 70, now=at(date(2026, 10, 17)), hold_days=15, expiry=ExpiryPolicy.days_after_available(20), tz=TZ)
    nps.record_nps(ayse, 10, now=at(NOV))

    report = jobs.run(as_of=NOV, now=at(NOV, 2), program=prog, tz=TZ)
    assert report.as_json()["tiers"] == {"members": 2, "upgrades": 1, "downgrades": 1, "terms_extended": 0}
    assert (report.expired_entries, report.holds_released_points) == (1, 70)
    assert report.messages_queued == {"birthday": 1, "expiring": 1, "tier_up": 1, "tier_down": 1}
    assert (m.Member.get_by_id(ayse).tier_code, m.Member.get_by_id(ali).tier_code) == ("t15", "t3")
    assert m.Member.get_by_id(ayse).tier_until == date(2026, 11, 30)
    again = jobs.run(as_of=NOV, now=at(NOV, 3), program=prog, tz=TZ)
    assert (again.tier_upgrades + again.tier_downgrades, sum(again.messages_queued.values())) == (0, 0)
    assert tiers.spend_by_member(date(2026, 10, 1), date(2026, 10, 31), as_of=NOV, tz=TZ) == {
        ayse: tiers.qualifying_spend(ayse, prog, as_of=NOV, tz=TZ),
        ali: tiers.qualifying_spend(ali, prog, as_of=NOV, tz=TZ),
    }

    out = io.StringIO()
    assert messages.export_messages(out, "json", channel="sms", mark_exported=True, now=at(NOV, 4)) == 1
    assert [d["kind"] for d in json.loads(out.getvalue())] == ["tier_down"]  # Ali's 40 points already expired
    assert sorted(msg.kind for msg in messages.list_messages(channel="email")) == ["birthday", "expiring", "tier_up"]

    doc = loyalty_report(date_from=date(2026, 10, 1), date_to=date(2026, 10, 31), tz=TZ, program=prog)
    assert doc["receipts"] == 2 and doc["members"]["net_sales"] == "5000.00"
    assert doc["repeat_purchase"] == {"members_buying": 2, "members_repeat": 0, "rate_percent": "0.00"}
    assert doc["points"]["issued"] == 110 and doc["points"]["outstanding"] == 110
    assert nps.nps_report(NOV, NOV, tz=TZ).score == 100

"""``loyalty run``: expiry, holds ending, tiers and messages for one day; idempotent and
right for the day asked, through the service and through the command."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest
import typer
from jobs_support import TZ, Cli, at, cashier, consent, count, member, program, sale

from pos_tui.cli.loyalty_run import run as run_command
from pos_tui.core.loyalty import ExpiryPolicy, balance, earn, jobs, rules
from pos_tui.store import models as m

NOV = date(2026, 11, 1)


def loyalty_app() -> typer.Typer:
    """What ``cli/loyalty.py`` does with the command: ``loyalty run``."""
    app = typer.Typer()
    app.command("run")(run_command)

    @app.command("noop", hidden=True)
    def noop() -> None:  # a second command keeps Typer from collapsing the group
        pass

    return app


def written() -> dict[str, int]:
    return {model.__name__: count(model) for model in (m.PointsEntry, m.TierChange, m.Message, m.JournalEntry)}


@pytest.fixture
def shop(db: object, now: datetime) -> dict[str, int]:
    """Two members: one who spent 5,000 in October with e-mail consent and a birthday on
    1 November, and one whose points expire on 31 October and others that come off hold on
    1 November."""
    till = cashier(now)
    ayse = member(at(date(2026, 9, 1)), "Ayşe Kaya", email="ayse@example.com", birth_date=date(1990, 11, 1))
    consent(ayse, "email", True, at(date(2026, 9, 1)))
    sale(till, at(date(2026, 10, 4)), "5000.00", ayse)
    ali = member(at(date(2026, 9, 1)), "Ali Demir", phone="+905321112233")
    consent(ali, "sms", True, at(date(2026, 9, 1)))
    earn(ali, 40, now=at(date(2026, 9, 1)), hold_days=0, expiry=ExpiryPolicy.end_of_month(), tz=TZ)  # to 30 Sep
    earn(ali, 70, now=at(date(2026, 10, 17)), hold_days=15, expiry=ExpiryPolicy.days_after_available(20), tz=TZ)
    return {"ayse": ayse, "ali": ali}


def test_run_does_every_step_once(shop: dict[str, int]) -> None:
    prog = program()
    report = jobs.run(as_of=NOV, now=at(NOV, 2), program=prog, tz=TZ)
    assert report.as_json() == {
        "as_of": "2026-11-01",
        "expired_entries": 1,
        "holds_released": {"lots": 1, "points": 70},
        "tiers": {"members": 2, "upgrades": 2, "downgrades": 0, "terms_extended": 0},
        "messages_queued": {"birthday": 1, "expiring": 1, "tier_up": 2, "tier_down": 0},
        "messages_queued_total": 4,
    }
    assert m.Member.get_by_id(shop["ayse"]).tier_code == "t15"
    assert m.Member.get_by_id(shop["ali"]).tier_code == "t3"
    kinds = sorted((msg.kind, msg.channel) for msg in m.Message.select())
    assert kinds == [("birthday", "email"), ("expiring", "sms"), ("tier_up", "email"), ("tier_up", "sms")]
    before = written()
    again = jobs.run(as_of=NOV, now=at(NOV, 5), program=prog, tz=TZ)
    assert written() == before
    assert (again.expired_entries, again.tier_upgrades, sum(again.messages_queued.values())) == (0, 0, 0)
    assert again.holds_released_points == 70  # read, not written: the same answer every time


def test_run_for_an_earlier_day_sees_that_day(shop: dict[str, int]) -> None:
    prog = program()
    day = date(2026, 10, 20)
    report = jobs.run(as_of=day, now=at(day, 2), program=prog, tz=TZ)
    assert report.expired_entries == 1  # the September lot
    assert report.holds_released_points == 0  # the 70 points come off hold on 1 November
    assert m.Member.get_by_id(shop["ayse"]).tier_code == "t3"  # October's spend counts from November
    assert balance(shop["ali"], as_of=day, tz=TZ).pending == 70
    report = jobs.run(as_of=NOV, now=at(NOV, 2), program=prog, tz=TZ)
    assert report.tier_upgrades == 1 and m.Member.get_by_id(shop["ayse"]).tier_code == "t15"


def test_expiry_written_by_the_run_matches_the_derived_balance(shop: dict[str, int]) -> None:
    ali = shop["ali"]
    later = date(2026, 11, 25)  # the 70 points were usable through 21 November
    derived = balance(ali, as_of=later, tz=TZ)
    jobs.run(as_of=later, now=at(later, 2), program=program(), tz=TZ)
    assert balance(ali, as_of=later, tz=TZ) == derived
    assert derived.total == 0
    assert count(m.PointsEntry.select().where(m.PointsEntry.kind == "expire")) == 2  # type: ignore[arg-type]


def test_loyalty_run_command(shop: dict[str, int], cli: Cli, now: datetime) -> None:
    rules.apply_rules(rules.program_to_toml(program()), now=now)
    result = cli("run", "--as-of", "2026-11-01", "--json", app=loyalty_app())
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["as_of"] == "2026-11-01" and doc["tiers"]["upgrades"] == 2
    again = cli("run", "--as-of", "2026-11-01", app=loyalty_app())
    assert again.exit_code == 0, again.stderr
    assert "Nothing new to write for 2026-11-01." in again.stderr
    assert "Loyalty run for 2026-11-01" in again.stdout
    bad = cli("run", "--as-of", "1 Kasım", app=loyalty_app())
    assert bad.exit_code == 2 and "is not a date" in bad.stderr


def test_run_on_a_database_without_members(db: object, now: datetime) -> None:
    report = jobs.run(as_of=NOV, now=at(NOV), program=program(), tz=TZ)
    assert report.members_evaluated == 0 and sum(report.messages_queued.values()) == 0
    assert report.as_of == NOV and report.as_of + timedelta(days=1) > NOV

"""Queueing loyalty messages: only with consent per channel, once per period, and exporting
them (formula-safe CSV for the SMS provider, JSON), through the service and the command."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from pathlib import Path

import pytest
from jobs_support import EARNED_TIERS, TZ, Cli, at, consent, member, program

from pos_tui.core.kernel import ValidationError
from pos_tui.core.loyalty import ExpiryPolicy, Messages, earn, messages, tiers
from pos_tui.i18n import set_language
from pos_tui.store import models as m

BDAY = date(2026, 11, 1)
SIGNED_UP = at(date(2026, 1, 5))


def queue(day: date = BDAY, prog: object = None) -> dict[str, int]:
    return messages.queue_messages(prog or program(), as_of=day, now=at(day, 3), tz=TZ).queued  # type: ignore[arg-type]


def sent_to() -> set[tuple[str, str, int]]:
    return {(msg.kind, msg.channel, msg.member_id) for msg in m.Message.select()}


def test_only_members_with_consent_for_the_channel_and_an_address(db: object) -> None:
    born = date(1988, 11, 1)
    both = member(SIGNED_UP, "Ayşe Kaya", phone="+905320000001", email="ayse@example.com", birth_date=born)
    consent(both, "sms", True, SIGNED_UP)
    consent(both, "email", True, SIGNED_UP)
    sms_only = member(SIGNED_UP, "Ali Demir", phone="+905320000002", email="ali@example.com", birth_date=born)
    consent(sms_only, "sms", True, SIGNED_UP)
    withdrew = member(SIGNED_UP, "Can Öz", phone="+905320000003", email="can@example.com", birth_date=born)
    consent(withdrew, "email", True, SIGNED_UP)
    consent(withdrew, "email", False, at(date(2026, 6, 1)))  # the latest decision wins
    consent(withdrew, "sms", False, SIGNED_UP)
    consent(withdrew, "sms", True, at(date(2026, 6, 1)))
    no_phone = member(SIGNED_UP, "Deniz Ak", email="deniz@example.com", birth_date=born)
    consent(no_phone, "sms", True, SIGNED_UP)
    membership_only = member(SIGNED_UP, "Ece Su", phone="+905320000005", birth_date=born)
    consent(membership_only, "membership", True, SIGNED_UP)
    erased = member(SIGNED_UP, "Silinen", phone="+905320000006", birth_date=born)
    consent(erased, "sms", True, SIGNED_UP)
    m.Member.update(anonymized_at=datetime(2026, 7, 1)).where(m.Member.id == erased).execute()
    later = member(SIGNED_UP, "Geç Karar", phone="+905320000007", birth_date=born)
    consent(later, "sms", True, at(date(2026, 11, 2)))  # after the day the job runs for

    assert queue()["birthday"] == 4
    assert sent_to() == {
        ("birthday", "sms", both),
        ("birthday", "email", both),
        ("birthday", "sms", sms_only),
        ("birthday", "sms", withdrew),
    }
    msg = m.Message.get((m.Message.member == both) & (m.Message.channel == "email"))
    assert msg.key == f"birthday:2026:{both}:email" and msg.status == "queued"
    assert msg.subject == "Happy birthday from Sadakat"
    assert msg.body == "Happy birthday, Ayşe! Sadakat wishes you a wonderful year."


def test_birthday_once_a_year_with_a_short_catch_up(db: object) -> None:
    who = member(SIGNED_UP, "Ayşe Kaya", phone="+905320000001", birth_date=date(1990, 10, 27))
    consent(who, "sms", True, SIGNED_UP)
    leap = member(SIGNED_UP, "Şubat Yirmidokuz", phone="+905320000002", birth_date=date(2000, 2, 29))
    consent(leap, "sms", True, SIGNED_UP)
    assert queue(date(2026, 10, 26))["birthday"] == 0
    assert queue(date(2026, 11, 2))["birthday"] == 1  # six days late: still greeted
    assert queue(date(2026, 11, 3))["birthday"] == 0  # once a year
    assert queue(date(2027, 11, 4))["birthday"] == 0  # eight days late next year: too late
    assert queue(date(2027, 2, 28))["birthday"] == 1  # 29 February in a year without one
    assert queue(date(2028, 2, 29))["birthday"] == 1
    assert queue(date(2026, 11, 2), program(messages=Messages(birthday=False)))["birthday"] == 0


def test_expiring_points_once_per_expiry_day(db: object) -> None:
    who = member(SIGNED_UP, "Ayşe Kaya", email="ayse@example.com")
    consent(who, "email", True, SIGNED_UP)
    monthly = ExpiryPolicy.end_of_month()
    earn(who, 120, now=at(date(2026, 11, 2)), hold_days=0, expiry=monthly, tz=TZ)  # usable to 30 Nov
    earn(who, 30, now=at(date(2026, 11, 20)), hold_days=0, expiry=monthly, tz=TZ)  # same day
    earn(who, 50, now=at(date(2026, 12, 5)), hold_days=0, expiry=monthly, tz=TZ)  # to 31 Dec
    assert queue(date(2026, 10, 31))["expiring"] == 0  # the points were not earned yet
    assert queue(date(2026, 11, 20))["expiring"] == 1
    msg = m.Message.get(m.Message.kind == "expiring")
    assert msg.key == f"expiring:2026-11-30:{who}:email"
    assert "150 of your Sadakat points can be used until 2026-11-30" in msg.body
    assert queue(date(2026, 11, 25))["expiring"] == 0
    assert queue(date(2026, 12, 5))["expiring"] == 1  # the December lot: a new expiry day
    assert queue(date(2026, 12, 5), program(messages=Messages(expiring_days=0)))["expiring"] == 0


def test_expiring_message_leaves_out_spent_points(db: object) -> None:
    who = member(SIGNED_UP, "Ayşe Kaya", email="ayse@example.com")
    consent(who, "email", True, SIGNED_UP)
    earn(who, 100, now=at(date(2026, 11, 2)), hold_days=0, expiry=ExpiryPolicy.end_of_month(), tz=TZ)
    from pos_tui.core.loyalty import redeem

    redeem(who, 100, now=at(date(2026, 11, 3)), tz=TZ)
    assert queue(date(2026, 11, 10))["expiring"] == 0


def test_tier_changes_are_announced_in_the_shop_language(db: object) -> None:
    prog = program(EARNED_TIERS)
    who = member(SIGNED_UP, "Ayşe Kaya", phone="+905320000001")
    consent(who, "sms", True, SIGNED_UP)
    tiers.set_member_tier(who, "t15", until=date(2026, 11, 30), reason="paid", actor=None, now=at(BDAY), program=prog)
    assert queue(BDAY, prog)["tier_up"] == 1
    body = m.Message.get(m.Message.kind == "tier_up").body
    assert body == "Dear Ayşe, you have reached the Altın tier of Sadakat."
    assert queue(BDAY, prog)["tier_up"] == 0
    tiers.evaluate_all(prog, now=at(date(2026, 12, 1)), tz=TZ)  # the paid term ended, nothing spent
    assert queue(date(2026, 12, 1), prog)["tier_down"] == 1
    assert m.Message.get(m.Message.kind == "tier_down").body == "Dear Ayşe, your Altın membership of Sadakat has ended."
    assert queue(date(2026, 12, 9), prog) == dict.fromkeys(messages.KINDS, 0)


def test_turkish_dates_in_turkish(db: object) -> None:
    who = member(SIGNED_UP, "Ayşe Kaya", email="ayse@example.com")
    consent(who, "email", True, SIGNED_UP)
    earn(who, 10, now=at(date(2026, 11, 2)), hold_days=0, expiry=ExpiryPolicy.end_of_month(), tz=TZ)
    set_language("tr")
    queue(date(2026, 11, 20))
    assert "30.11.2026" in m.Message.get().body


def _queued_pair() -> tuple[int, int]:
    evil = member(SIGNED_UP, "=HYPERLINK(1)", phone="+905320000001", email="evil@example.com", birth_date=BDAY)
    consent(evil, "sms", True, SIGNED_UP)
    consent(evil, "email", True, SIGNED_UP)
    other = member(SIGNED_UP, "Ali Demir", phone="+905320000002", birth_date=BDAY)
    consent(other, "sms", True, SIGNED_UP)
    queue()
    return evil, other


def test_export_is_formula_safe_and_can_mark_sms_exported(db: object, now: datetime) -> None:
    evil, other = _queued_pair()
    out = io.StringIO()
    assert messages.export_messages(out, "csv", channel="sms") == 2
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [r["to"] for r in rows] == ["+905320000001", "+905320000002"]  # a leading + is a number: kept
    assert rows[0]["name"] == "'=HYPERLINK(1)"
    assert "'=HYPERLINK(1)" not in rows[0]["body"]  # the body names the first word only
    assert list(rows[0]) == list(messages.EXPORT_COLUMNS)
    # Consent withdrawn after queueing: left out, and marked failed when exporting for real.
    consent(other, "sms", False, now)
    out = io.StringIO()
    assert messages.export_messages(out, "json", channel="sms", mark_exported=True, now=now) == 1
    assert [d["to"] for d in json.loads(out.getvalue())] == ["+905320000001"]
    status = {(msg.member_id, msg.channel): (msg.status, msg.error) for msg in m.Message.select()}
    assert status == {
        (evil, "sms"): ("exported", None),
        (evil, "email"): ("queued", None),
        (other, "sms"): ("failed", "the member has withdrawn consent for sms"),
    }
    assert messages.export_messages(io.StringIO(), "csv", channel="sms") == 0
    with pytest.raises(ValidationError):
        messages.export_messages(io.StringIO(), "xml")
    with pytest.raises(ValidationError):
        messages.export_messages(io.StringIO(), "csv", status="lost")


def test_messages_commands(db: object, cli: Cli, tmp_path: Path) -> None:
    _queued_pair()
    listed = cli("messages", "list", "--json")
    assert listed.exit_code == 0, listed.stderr
    assert sorted((d["channel"], d["status"]) for d in json.loads(listed.stdout)) == [
        ("email", "queued"),
        ("sms", "queued"),
        ("sms", "queued"),
    ]
    target = tmp_path / "sms.csv"
    done = cli("messages", "export", "--channel", "sms", "--output", str(target), "--mark-exported")
    assert done.exit_code == 0, done.stderr
    assert "Exported 2 message(s)." in done.stderr
    assert len(target.read_text(encoding="utf-8").splitlines()) == 3
    shown = cli("messages", "export", "--format", "json", "--status", "exported")
    assert shown.exit_code == 0 and len(json.loads(shown.stdout)) == 2
    human = cli("messages", "list", "--status", "queued")
    assert human.exit_code == 0 and "birthday" in human.stdout
    refused = cli("messages", "send", "--channel", "sms")
    assert refused.exit_code == 1 and "does not send SMS" in refused.stderr
    wrong = cli("messages", "list", "--status", "lost")
    assert wrong.exit_code == 1 and "Unknown message status lost" in wrong.stderr

"""``pos-admin customers``: add, update, show, search, consent, export, anonymize, link-staff."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from members_support import Cli
from stdnum import ean

from pos_tui.core.kernel import Actor
from pos_tui.core.loyalty import ledger
from pos_tui.core.loyalty import members as mb
from pos_tui.store import models as m


@pytest.fixture
def cli(db: object, cli: Cli) -> Cli:
    """The shared pos-admin runner, with the database open for the test's own queries."""
    return cli


def _add(cli: Cli, *args: str) -> dict[str, object]:
    result = cli("customers", "add", *args, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_add_and_show(cli: Cli) -> None:
    added = _add(
        cli,
        "--name",
        "Zeynep Yılmaz",
        "--phone",
        "0532 123 45 67",
        "--email",
        "zeynep@example.com",
        "--birth-date",
        "17.05.1990",
        "--consent-sms",
    )
    assert added["card_kind"] == "barcode" and ean.is_valid(str(added["card"]))
    assert (added["phone"], added["birth_date"]) == ("+905321234567", "1990-05-17")
    assert m.Consent.select().where(m.Consent.source == "cli").count() == 3

    for key in ("0532 123 45 67", str(added["card"]), f"#{added['id']}", str(added["referral_code"]).lower()):
        shown = cli("customers", "show", key, "--json")
        assert shown.exit_code == 0, shown.stderr
        profile = json.loads(shown.stdout)
        assert profile["id"] == added["id"]
    for field in ("id", "card", "name", "phone", "tier", "points", "expiring", "stamps", "store_credit", "consent"):
        assert field in profile
    assert profile["consent"]["sms"]["granted"] is True and profile["consent"]["sms"]["source"] == "cli"
    assert profile["store_credit"] == "0.00" and profile["points"] == {"available": 0, "pending": 0, "total": 0}

    human = cli("customers", "show", "05321234567")
    assert human.exit_code == 0 and "Zeynep Yılmaz" in human.stdout and str(added["card"]) in human.stdout


def test_show_as_of_a_day(cli: Cli, now: datetime) -> None:
    added = _add(cli, "--name", "Ali", "--card", "04A1B2C3", "--card-kind", "rfid")
    ledger.earn(int(str(added["id"])), 300, now=now, expiry=ledger.ExpiryPolicy.days_after_available(10))
    pending = json.loads(cli("customers", "show", "04a1b2c3", "--json", "--as-of", "2026-11-01").stdout)
    available = json.loads(cli("customers", "show", "04a1b2c3", "--json", "--as-of", "2026-11-20").stdout)
    assert (pending["points"]["pending"], pending["points"]["available"]) == (300, 0)
    assert (available["points"]["pending"], available["points"]["available"]) == (0, 300)
    assert available["expiring"] == [{"points": 300, "on": "2026-11-26"}]
    assert available["as_of"] == "2026-11-20"
    bad = cli("customers", "show", "04a1b2c3", "--as-of", "yesterday")
    assert bad.exit_code == 2 and "not a date" in bad.stderr


def test_add_errors_are_readable(cli: Cli) -> None:
    first = _add(cli, "--name", "Zeynep", "--phone", "05321234567", "--card", ";777=1?")
    duplicate = cli("customers", "add", "--name", "Other", "--phone", "5321234567")
    assert duplicate.exit_code == 1
    assert f"error: Phone +905321234567 already belongs to member #{first['id']}" in duplicate.stderr
    card = cli("customers", "add", "--name", "Other", "--card", "777", "--card-kind", "magstripe")
    assert card.exit_code == 1 and f"already belongs to member #{first['id']}" in card.stderr
    land_line = cli("customers", "add", "--name", "Other", "--phone", "0216 123 45 67")
    assert land_line.exit_code == 1 and "not a Turkish mobile number" in land_line.stderr
    kind = cli("customers", "add", "--name", "Other", "--card", "1", "--card-kind", "chip")
    assert kind.exit_code == 1 and "Unknown card kind chip" in kind.stderr
    assert cli("customers", "add", "--phone", "05330000000").exit_code == 2  # --name is required
    missing = cli("customers", "show", "2600000000999")
    assert missing.exit_code == 1 and "No member with card, phone or referral code" in missing.stderr
    assert m.Member.select().count() == 1


def test_update_search_and_consent(cli: Cli) -> None:
    added = _add(cli, "--name", "İsmail Şahin", "--phone", "0532 123 45 67", "--email", "i@example.com")
    member_id = str(added["id"])
    updated = cli("customers", "update", member_id, "--name", "İsmail Şahinoğlu", "--new-card", "--json")
    assert updated.exit_code == 0, updated.stderr
    data = json.loads(updated.stdout)
    assert data["name"] == "İsmail Şahinoğlu" and data["card"] != added["card"]
    assert cli("customers", "update", member_id, "--email", "").exit_code == 0
    assert mb.get_member(int(member_id)).email is None

    found = cli("customers", "search", "ISMAIL sahinog", "--json")
    assert [x["id"] for x in json.loads(found.stdout)] == [added["id"]]
    assert [x["id"] for x in json.loads(cli("customers", "search", "123 45", "--json").stdout)] == [added["id"]]
    assert "İsmail Şahinoğlu" in cli("customers", "search", "ismail").stdout
    nobody = cli("customers", "search", "nobody")
    assert nobody.exit_code == 0 and "No member matches nobody." in nobody.stderr

    granted = cli("customers", "consent", member_id, "--channel", "sms", "--grant", "--json")
    assert granted.exit_code == 0, granted.stderr
    assert json.loads(granted.stdout)["granted"] is True
    revoked = cli("customers", "consent", member_id, "--channel", "sms", "--revoke")
    assert revoked.exit_code == 0 and "sms consent revoked" in revoked.stderr
    assert not mb.has_consent(int(member_id), "sms")
    no_address = cli("customers", "consent", member_id, "--channel", "email", "--grant")
    assert no_address.exit_code == 1 and "no e-mail address" in no_address.stderr
    assert cli("customers", "consent", member_id, "--channel", "sms").exit_code == 2  # --grant or --revoke
    assert cli("customers", "consent", "999", "--channel", "sms", "--grant").exit_code == 1


def test_export_anonymize_and_link_staff(cli: Cli, cashier: Actor, now: datetime, tmp_path: Path) -> None:
    added = _add(cli, "--name", "Zeynep", "--phone", "05321234567", "--consent-sms")
    member_id = int(str(added["id"]))
    ledger.earn(member_id, 40, now=now - timedelta(days=30))
    linked = cli("customers", "link-staff", str(member_id), "ayse")
    assert linked.exit_code == 0 and "ayse's own card" in linked.stderr
    assert mb.staff_member_ids(cashier.user_id) == frozenset({member_id})
    assert cli("customers", "link-staff", str(member_id), "nobody").exit_code == 1

    exported = cli("customers", "export", str(member_id))
    assert exported.exit_code == 0
    data = json.loads(exported.stdout)
    assert data["member"]["name"] == "Zeynep" and data["points"][0]["points"] == 40
    target = tmp_path / "zeynep.json"
    to_file = cli("customers", "export", str(member_id), "--output", str(target))
    assert to_file.exit_code == 0 and to_file.stdout == ""
    assert json.loads(target.read_text(encoding="utf-8")) == data

    declined = cli("customers", "anonymize", str(member_id), input="n\n")
    assert declined.exit_code == 1 and mb.get_member(member_id).name == "Zeynep"
    erased = cli("customers", "anonymize", str(member_id), "--yes")
    assert erased.exit_code == 0, erased.stderr
    assert mb.get_member(member_id).anonymized
    assert cli("customers", "show", "05321234567").exit_code == 1
    assert json.loads(cli("customers", "show", f"#{member_id}", "--json").stdout)["points"]["available"] == 40
    again = cli("customers", "anonymize", str(member_id), "--yes")
    assert again.exit_code == 1 and "anonymized" in again.stderr

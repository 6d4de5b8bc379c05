"""A member's JSON is built in core (``members.member_document``), next to the sale JSON;
``pos-admin customers`` only prints it."""

from __future__ import annotations

import json
from typing import Any

from members_support import Cli

from pos_tui.core.loyalty import members as mb


def _printed(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def test_cli_prints_the_core_member_and_consent_documents_byte_for_byte(db: object, cli: Cli) -> None:
    added = cli("customers", "add", "--name", "Zeynep Yılmaz", "--phone", "0532 123 45 67", "--json")
    assert added.exit_code == 0, added.stderr
    member_id = json.loads(added.stdout)["id"]
    tz = "Europe/Istanbul"  # config/pos.toml, which the cli fixture uses
    document = mb.member_document(mb.get_member(member_id), tz)
    assert added.stdout == _printed(document)
    assert list(document) == [
        "id",
        "card",
        "card_kind",
        "name",
        "phone",
        "email",
        "birth_date",
        "tier_code",
        "referral_code",
        "referred_by",
        "created_at",
        "anonymized",
    ]
    found = cli("customers", "search", "zeynep", "--json")
    assert found.stdout == _printed([document])

    granted = cli("customers", "consent", str(member_id), "--channel", "sms", "--grant", "--json")
    assert granted.exit_code == 0, granted.stderr
    recorded = mb.consents(member_id)["sms"]
    assert granted.stdout.startswith(_printed(mb.consent_document(member_id, recorded, tz)))

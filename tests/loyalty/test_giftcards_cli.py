"""``pos-admin giftcards`` and ``pos-admin wallet`` through Typer's CliRunner: JSON only on
stdout with ``--json``, messages and errors on stderr, exit codes 0/1/2."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from loyalty_support import new_member

from pos_tui.core.kernel import to_db
from pos_tui.core.loyalty import wallet
from pos_tui.store import models as m

REPO = Path(__file__).resolve().parents[2]
Cli = Callable[..., Any]


@pytest.fixture
def admin(db: object, now: datetime) -> int:
    user = m.User.create(name="admin", role="admin", pin_tag="t-admin", pin_hash="x", created_at=to_db(now))
    return int(user.id)


def test_issue_topup_show_list_and_deactivate(cli: Cli, admin: int, now: datetime) -> None:
    member = new_member(now)
    card = m.Member.get_by_id(member).card
    issued = cli("giftcards", "issue", "--amount", "100,00", "--method", "card", "--member", card, "--json")
    assert issued.exit_code == 0, issued.stderr
    data = json.loads(issued.stdout)
    code = data["code"]
    assert (data["balance"], data["member_id"], data["active"]) == ("100.00", member, True)
    topped = cli("giftcards", "topup", code, "--amount", "50", "--method", "card")
    assert topped.exit_code == 0, topped.stderr
    assert "150.00" in topped.stderr and topped.stdout == ""
    shown = cli("giftcards", "show", code, "--json")
    assert shown.exit_code == 0, shown.stderr
    card_json = json.loads(shown.stdout)
    assert card_json["balance"] == "150.00"
    assert [(e["kind"], e["amount"]) for e in card_json["entries"]] == [("issue", "100.00"), ("topup", "50.00")]
    human = cli("giftcards", "show", code)
    assert human.exit_code == 0 and code in human.stdout
    # the history in the shop's words and dates (dd.mm.yyyy HH:MM), the codes stay in JSON only
    assert "issued" in human.stdout and "topped up" in human.stdout, human.stdout
    assert " issue " not in human.stdout and "topup" not in human.stdout
    assert re.search(r"\d\d\.\d\d\.\d{4} \d\d:\d\d", human.stdout), human.stdout
    assert not re.search(r"\d{4}-\d\d-\d\d", human.stdout), human.stdout  # no ISO dates
    listed = cli("giftcards", "list", "--json")
    assert [(c["code"], c["balance"]) for c in json.loads(listed.stdout)] == [(code, "150.00")]
    off = cli("giftcards", "deactivate", code, "--reason", "lost", "--yes")
    assert off.exit_code == 0, off.stderr
    assert json.loads(cli("giftcards", "list", "--active", "--json").stdout) == []
    again = cli("giftcards", "topup", code, "--amount", "5", "--method", "card")
    assert again.exit_code == 1 and "deactivated" in again.stderr


def test_issue_errors(cli: Cli, admin: int) -> None:
    cash = cli("giftcards", "issue", "--amount", "100")
    assert cash.exit_code == 1 and "open a shift on terminal T1" in cash.stderr
    bad = cli("giftcards", "issue", "--amount", "100", "--method", "points")
    assert bad.exit_code == 1 and "cash or card" in bad.stderr
    missing = cli("giftcards", "show", "GC000000000000")
    assert missing.exit_code == 1 and "No gift card GC000000000000" in missing.stderr
    usage = cli("giftcards", "issue")
    assert usage.exit_code == 2
    assert m.GiftCard.select().count() == 0


def test_wallet_show_and_adjust(cli: Cli, admin: int, now: datetime) -> None:
    member = new_member(now)
    card = m.Member.get_by_id(member).card
    wallet.credit(member, Decimal("40.00"), kind="import", now=now)
    up = cli("wallet", "adjust", card, "--amount", "+10,50", "--reason", "goodwill", "--json")
    assert up.exit_code == 0, up.stderr
    assert json.loads(up.stdout)["total"] == "50.50"
    down = cli("wallet", "adjust", str(member), "--amount", "-0.50", "--reason", "rounding")
    assert down.exit_code == 0, down.stderr
    shown = cli("wallet", "show", card, "--json")
    assert shown.exit_code == 0, shown.stderr
    data = json.loads(shown.stdout)
    assert (data["member_id"], data["total"], data["available"], data["pending"]) == (member, "50.00", "50.00", "0.00")
    assert [(e["kind"], e["amount"]) for e in data["entries"]] == [
        ("adjust", "-0.50"),
        ("adjust", "10.50"),
        ("import", "40.00"),
    ]
    assert "50.00" in cli("wallet", "show", card).stdout
    kinds = [e.kind for e in m.JournalEntry.select().where(m.JournalEntry.kind == "wallet_adjust")]
    assert len(kinds) == 2
    no_reason = cli("wallet", "adjust", card, "--amount", "1", "--reason", " ")
    assert no_reason.exit_code == 1 and "reason" in no_reason.stderr
    nobody = cli("wallet", "show", "no-such-member")
    assert nobody.exit_code == 1 and "No member" in nobody.stderr

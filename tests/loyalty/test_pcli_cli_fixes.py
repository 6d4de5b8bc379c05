"""A newcomer's findings on issue 16's ``pos-admin`` commands: the points operations' JSON carries
``at`` in the shop's offset and ``adjust`` its ``journal_id``; a missing permission tells the
command line what to do (``--user NAME`` of a user who has it) instead of asking for a PIN it
cannot take; ``loyalty coupons list`` writes days as dd.mm.yyyy, sources in words, marks a
withdrawn coupon and takes ``--source next_order``."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from loyalty_support import new_member

from pos_tui.core.kernel import PermissionDenied, to_db, utcnow
from pos_tui.core.loyalty import ExpiryPolicy, coupons, earn
from pos_tui.store import models as m

REPO = Path(__file__).resolve().parents[2]
Cli = Callable[..., Any]
WIDE = {"COLUMNS": "200"}


@pytest.fixture
def shop(cli: Cli, db: object, now: datetime) -> tuple[str, str]:
    """admin, mehmet (supervisor), ayse (cashier), the shipped program, two members' cards (the
    first holds 2000 available points)."""
    for name, role in (("admin", "admin"), ("mehmet", "supervisor"), ("ayse", "cashier")):
        m.User.create(name=name, role=role, pin_tag=f"t-{name}", pin_hash="x", created_at=to_db(now))
    applied = cli("loyalty", "apply", str(REPO / "config" / "loyalty.toml"))
    assert applied.exit_code == 0, applied.stderr
    giver, receiver = new_member(now, "Ayşe Veren"), new_member(now, "Ali Alan")
    earn(giver, 2000, now=utcnow(), hold_days=0, expiry=ExpiryPolicy.days_after_available(100))
    return m.Member.get_by_id(giver).card, m.Member.get_by_id(receiver).card


def _at(text: str) -> datetime:
    """The JSON's ``at``: the shop's offset (+03:00), within a minute of the real clock."""
    assert text.endswith("+03:00"), text
    at = datetime.fromisoformat(text)
    assert abs(at - utcnow()) < timedelta(minutes=1)
    return at


def test_points_operations_json_say_when_and_adjust_names_its_journal_entry(cli: Cli, shop: tuple[str, str]) -> None:
    giver, receiver = shop
    moved = cli("points", "transfer", giver, receiver, "--points", "30", "--consent", "imzalı form", "--json")
    gave = cli("points", "donate", giver, "--points", "20", "--charity", "tema", "--json")
    fixed = cli("points", "adjust", receiver, "--points", "+5", "--reason", "eksik puan", "--json")
    for result in (moved, gave, fixed):
        assert result.exit_code == 0, result.stderr
        _at(json.loads(result.stdout)["at"])
    adjust = json.loads(fixed.stdout)
    newest = m.JournalEntry.select().where(m.JournalEntry.kind == "points_adjust").order_by(m.JournalEntry.id.desc())
    assert adjust["journal_id"] == newest.get().id
    assert json.loads(newest.get().payload)["points"] == 5 and adjust["points"] == 5
    assert json.loads(moved.stdout)["journal_id"] < json.loads(gave.stdout)["journal_id"] < adjust["journal_id"]


def test_a_missing_permission_names_a_user_who_has_it(cli: Cli, shop: tuple[str, str]) -> None:
    giver, receiver = shop
    denied = cli("points", "adjust", giver, "--points", "+5", "--reason", "x", "--user", "ayse", "--json")
    assert denied.exit_code == 1 and denied.stdout == ""
    assert " ".join(denied.stderr.split()) == (
        "error: ayse may not adjust loyalty points; try again as a user who has the permission 'points_adjust': "
        "--user mehmet (or admin)"
    )
    # a refusal with its own reason keeps it, and the same advice replaces the PIN
    big = cli("points", "transfer", giver, receiver, "--points", "1001", "--consent", "form", "--user", "ayse")
    assert big.exit_code == 1
    assert "more than 1,000 points needs a supervisor (1,001 asked for); try again as a user who" in big.stderr
    assert "--user mehmet" in big.stderr
    # any command: an X report
    report = cli("report", "x", "--user", "ayse", env=WIDE)
    assert report.exit_code != 0 and "PIN" not in report.stderr
    assert "ayse may not take an X report; try again as a user who has the permission 'x_report'" in report.stderr
    assert not m.PointsEntry.select().where(m.PointsEntry.kind.in_(("adjust", "transfer_out"))).exists()


def test_when_nobody_has_the_permission_the_message_says_where_to_give_it(cli: Cli, shop: tuple[str, str]) -> None:
    giver, _receiver = shop
    m.User.update(active=False).where(m.User.name.in_(("mehmet", "admin"))).execute()
    denied = cli("points", "adjust", giver, "--points", "+5", "--reason", "x", "--user", "ayse", env=WIDE)
    assert denied.exit_code == 1
    assert "no active user has the permission 'points_adjust'" in denied.stderr and "PIN" not in denied.stderr


def test_the_till_keeps_its_pin_wording(shop: tuple[str, str], settings: Any, now: datetime) -> None:
    from pos_tui.core import staff
    from pos_tui.core.loyalty import adjust_points

    ayse = staff.actor_by_name("ayse", settings=settings)
    member = m.Member.get(m.Member.card == shop[0]).id
    with pytest.raises(PermissionDenied, match="ayse may not adjust loyalty points; a supervisor's PIN is needed"):
        adjust_points(member, 5, "x", actor=ayse, terminal="T1", now=now)


@pytest.mark.parametrize(
    ("message", "left"),
    [
        ("ayse may not sell; a supervisor's PIN is needed", "ayse may not sell"),
        ("C1 (Ali): balance 10,00 + this sale 5,00 = 15,00; credit limit 12,00 — 3,00 TL over. A supervisor's PIN "
         "is needed.", "C1 (Ali): balance 10,00 + this sale 5,00 = 15,00; credit limit 12,00 — 3,00 TL over"),
        ("A transfer of more than 1,000 points needs a supervisor (1,001 asked for)",
         "A transfer of more than 1,000 points needs a supervisor (1,001 asked for)"),
    ],
)  # fmt: skip
def test_the_pin_clause_is_what_is_cut(message: str, left: str) -> None:
    from pos_tui.cli.common import _without_pin

    assert _without_pin(message) == left


def _coupons(now: datetime, member_id: int) -> None:
    coupons.create_coupon(
        "ELLI", kind="amount", amount=Decimal("50"), valid_from=date(2026, 12, 6), valid_to=date(2027, 1, 4), now=now
    )
    coupons.create_coupon(
        "SONRAKI1",
        kind="percent",
        percent=Decimal("10"),
        member_id=member_id,
        source="next_order",
        valid_from=date(2026, 12, 6),
        valid_to=date(2027, 1, 4),
        now=now,
    )
    coupons.create_coupon("GERI1", kind="amount", amount=Decimal("20"), source="next_order", now=now)
    m.Coupon.update(active=False).where(m.Coupon.code == "GERI1").execute()


def test_coupons_list_days_sources_and_withdrawn(cli: Cli, shop: tuple[str, str], now: datetime) -> None:
    _coupons(now, m.Member.get(m.Member.card == shop[0]).id)
    listed = cli("loyalty", "coupons", "list", env=WIDE)
    assert listed.exit_code == 0, listed.stderr
    rows = {
        line.split()[0]: line
        for line in listed.stdout.splitlines()
        if line.split()[:1] in (["ELLI"], ["SONRAKI1"], ["GERI1"])
    }
    assert "06.12.2026" in rows["ELLI"] and "04.01.2027" in rows["ELLI"] and "2026-12-06" not in listed.stdout
    assert rows["ELLI"].rstrip().endswith("manager") and rows["SONRAKI1"].rstrip().endswith("next order")
    assert "next_order" not in listed.stdout
    assert "0/1 withdrawn" in rows["GERI1"] and "withdrawn" not in rows["SONRAKI1"]

    as_json = cli("loyalty", "coupons", "list", "--source", "next_order", "--json")
    assert as_json.exit_code == 0, as_json.stderr
    data = json.loads(as_json.stdout)
    assert [(c["code"], c["source"], c["active"]) for c in data] == [
        ("GERI1", "next_order", False),
        ("SONRAKI1", "next_order", True),
    ]
    assert data[1]["valid_from"] == "2026-12-06"  # JSON keeps ISO days

    wrong = cli("loyalty", "coupons", "list", "--source", "nextorder")
    assert wrong.exit_code == 2 and "admin, offer, import, next_order" in wrong.stderr
    helped = cli("loyalty", "coupons", "list", "--help", env=WIDE)
    assert "next_order" in helped.stdout


def test_coupon_sources_have_turkish_words() -> None:
    from pos_tui.core.kernel import COUPON_SOURCE_LABELS

    assert set(COUPON_SOURCE_LABELS) == {"admin", "offer", "import", "next_order"}

"""``pos-admin points``: show, history, transfer, donate, adjust through CliRunner (JSON only on
stdout, errors on stderr with exit 1), and one real ``pos-admin`` process with ``--json``. The
shipped config/loyalty.toml is in force: transfers 10–5000 points, 10000 a day, a supervisor
above 1000; donations from 10 points to tema, losev, darussafaka."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from loyalty_support import new_member

from pos_tui.core.kernel import shop_day, to_db, utcnow
from pos_tui.core.loyalty import ExpiryPolicy, earn
from pos_tui.store import models as m

REPO = Path(__file__).resolve().parents[2]
Cli = Callable[..., Any]


@pytest.fixture
def shop(cli: Cli, db: object, now: datetime) -> tuple[str, str]:
    """An admin, a cashier, the shipped program, and two members' cards (the first holds 2000
    available points and 40 pending)."""
    for name, role in (("admin", "admin"), ("ayse", "cashier")):
        m.User.create(name=name, role=role, pin_tag=f"t-{name}", pin_hash="x", created_at=to_db(now))
    applied = cli("loyalty", "apply", str(REPO / "config" / "loyalty.toml"))
    assert applied.exit_code == 0, applied.stderr
    giver, receiver = new_member(now, "Ayşe Veren"), new_member(now, "Ali Alan")
    # pos-admin reads the real clock: the points are earned now, not at the tests' fixed moment.
    earn(giver, 2000, now=utcnow(), hold_days=0, expiry=ExpiryPolicy.days_after_available(100))
    earn(giver, 40, now=utcnow(), hold_days=15)
    return m.Member.get_by_id(giver).card, m.Member.get_by_id(receiver).card


def test_transfer_donate_adjust_and_show(cli: Cli, shop: tuple[str, str]) -> None:
    giver, receiver = shop
    moved = cli("points", "transfer", giver, receiver, "--points", "300", "--consent", "imzalı form", "--json")
    assert moved.exit_code == 0, moved.stderr
    data = json.loads(moved.stdout)
    assert (data["points"], data["giver_available"], data["receiver_available"]) == (300, 1700, 300)
    expires = (shop_day(utcnow()) + timedelta(days=100)).isoformat()
    assert data["lots"] == [{"points": 300, "expires_on": expires}]  # the lot keeps its expiry
    assert data["consent"] == "imzalı form" and data["user"] == "admin"

    gave = cli("points", "donate", giver, "--points", "100", "--charity", "losev", "--json")
    assert gave.exit_code == 0, gave.stderr
    assert json.loads(gave.stdout)["available"] == 1600

    fixed = cli("points", "adjust", receiver, "--points", "-50", "--reason", "yanlış kart", "--json")
    assert fixed.exit_code == 0, fixed.stderr
    assert (json.loads(fixed.stdout)["available"], json.loads(fixed.stdout)["points"]) == (250, -50)

    shown = cli("points", "show", giver, "--json")
    assert shown.exit_code == 0, shown.stderr
    show = json.loads(shown.stdout)
    assert (show["available"], show["pending"], show["total"]) == (1600, 40, 1640)
    assert [(e["kind"], e["points"]) for e in show["entries"][:2]] == [("donate", -100), ("transfer_out", -300)]
    assert all(e["at"].endswith("+03:00") for e in show["entries"])  # the shop's offset, never +00:00

    human = cli("points", "show", giver)
    assert human.exit_code == 0 and "1,600" in human.stdout and "donated" in human.stdout, human.stdout
    history = cli("points", "history", receiver, "--limit", "1", "--json")
    assert [e["kind"] for e in json.loads(history.stdout)["entries"]] == ["adjust"]

    today = shop_day(utcnow()).isoformat()
    report = cli("report", "donations", "--from", today, "--to", today, "--json")
    assert report.exit_code == 0, report.stderr
    assert "losev" in report.stdout

    kinds = [e.kind for e in m.JournalEntry.select().order_by(m.JournalEntry.id)]
    assert kinds[-3:] == ["points_transfer", "points_donate", "points_adjust"]
    audit = cli("audit", "verify")  # the ledger, the chain and the adjustments still agree
    assert audit.exit_code == 0, audit.stdout + audit.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--points", "5", "--consent", "form"), "at least 10 points; 5 were asked"),
        (("--points", "1001", "--consent", "form", "--user", "ayse"), "more than 1,000 points needs a supervisor"),
        (("--points", "100", "--consent", " "), "consent is needed"),
        (("--points", "2001", "--consent", "form"), "Only 2,000 points are available (40 pending)"),
        (("--points", "ten", "--consent", "form"), "not a whole number of points"),
    ],
)
def test_refused_transfers_exit_1_with_the_reason(
    cli: Cli, shop: tuple[str, str], args: tuple[str, ...], message: str
) -> None:
    giver, receiver = shop
    result = cli("points", "transfer", giver, receiver, *args, "--json")
    assert result.exit_code == 1, result.stdout
    assert message in result.stderr and result.stdout == ""
    assert not m.PointsEntry.select().where(m.PointsEntry.kind == "transfer_out").exists()


def test_unknown_charity_lists_the_codes_and_adjust_needs_the_permission(cli: Cli, shop: tuple[str, str]) -> None:
    giver, _receiver = shop
    result = cli("points", "donate", giver, "--points", "20", "--charity", "kizilay")
    assert result.exit_code == 1
    assert "tema, losev, darussafaka" in result.stderr
    denied = cli("points", "adjust", giver, "--points", "+5", "--reason", "x", "--user", "ayse")
    assert denied.exit_code != 0 and "adjust loyalty points" in denied.stderr
    unknown = cli("points", "show", "9999", "--json")
    assert unknown.exit_code == 1 and "9999" in unknown.stderr


def test_a_real_process_prints_json(shop: tuple[str, str], db_path: Path, tmp_path: Path) -> None:
    giver, receiver = shop
    env = {
        **os.environ,
        "POS_DB": str(db_path),
        "POS_HOME": str(tmp_path),
        "POS_CONFIG": str(REPO / "config" / "pos.toml"),
        "POS_LANG": "en",
        "POS_TERMINAL": "T1",
        "PYTHONPATH": str(REPO),
    }
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pos_tui.cli.app",
            "points",
            "transfer",
            giver,
            receiver,
            "--points",
            "25",
            "--consent",
            "imzalı form",
            "--json",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["receiver_available"] == 25

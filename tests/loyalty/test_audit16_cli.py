"""``pos-admin audit verify`` on a shop that did issue 16's operations: exit 0 while it is clean;
after four raw SQL changes (a deleted journal entry, a transfer's points changed, a top-up
without a journal entry, a next-order coupon deactivated) exit 1, each named, in-process and in
a real process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from audit16_support import build_ops_shop, journal_id, points_ids
from audit_loyalty_support import tamper, unguard

from pos_tui.core.kernel import to_db
from pos_tui.settings import Settings
from pos_tui.store import models as m

Cli = Callable[..., Any]


def test_audit_verify_passes_a_clean_shop_and_names_each_change(
    cli: Cli, db: object, settings: Settings, now: datetime, db_path: Path
) -> None:
    shop = build_ops_shop(settings, now)
    clean = cli("audit", "verify", "--json")
    assert clean.exit_code == 0, clean.stdout + clean.stderr
    assert json.loads(clean.stdout)["ok"] is True
    human = cli("audit", "verify")
    assert human.exit_code == 0, human.stderr

    donation = journal_id("points_donate")
    donated = points_ids("donate")
    out, moved = points_ids("transfer_out"), points_ids("transfer_out", "transfer_in")
    transfer = journal_id("points_transfer")
    second_uid = m.Sale.get_by_id(shop.second).uid
    at = to_db(now)
    tamper(
        db_path,
        *unguard("journal_entry", "points_entry"),
        f"DELETE FROM journal_entry WHERE id = {donation}",
        f"UPDATE points_entry SET points = points + 50 WHERE id = {out[0]}",
        f"INSERT INTO wallet_entry (member_id, at, amount, kind) VALUES ({shop.receiver}, '{at}', 1000, 'topup')",
        f"UPDATE coupon SET active = 0 WHERE code = '{shop.kept}'",
    )
    topup = m.WalletEntry.select().order_by(m.WalletEntry.id.desc()).first().id
    wanted = [
        f"points entries {', '.join(map(str, donated))}: a donation of 50 points by member {shop.giver} to tema has "
        "no points_donate journal entry",
        f"entry {transfer}: a transfer of 200 points from member {shop.giver} to member {shop.receiver} is in the "
        "journal, but the giver's transfer_out entries take 150 points and the receiver's transfer_in entries give "
        f"200 (points entries {', '.join(map(str, moved))})",
        f"wallet entry {topup}: a store credit top-up of 10.00 for member {shop.receiver} has no journal entry",
        f"next-order coupon {shop.kept} of sale {second_uid} is inactive but no coupon_withdraw entry withdrew it",
    ]
    result = cli("audit", "verify", "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["ok"] is False
    for text in wanted:
        assert text in report["problems"], (text, report["problems"])
    assert "problem(s)" in result.stderr

    env = {
        **os.environ,
        "POS_DB": settings.db_url,
        "POS_HOME": str(settings.home),
        "POS_CONFIG": str(settings.source),
        "POS_LANG": "en",
        "POS_TERMINAL": "T1",
    }
    got = subprocess.run(
        [sys.executable, "-m", "pos_tui.cli.app", "audit", "verify", "--json"], env=env, capture_output=True, text=True
    )
    assert got.returncode == 1, got.stderr
    problems = json.loads(got.stdout)["problems"]
    assert all(text in problems for text in wanted), problems

"""``pos-admin loyalty coupons add --max-discount``: a percent coupon that takes at most that
much off ("20 % off, at most 200 TL"), shown by ``coupons list`` (table and JSON)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from engine_support import REPO, Cli


@pytest.fixture(autouse=True)
def _shop(cli: Cli) -> None:
    assert cli("init").exit_code == 0


def test_max_discount_on_a_percent_coupon(cli: Cli) -> None:
    added = cli("loyalty", "coupons", "add", "YUZDE20", "--percent", "20", "--max-discount", "200", "--json")
    assert added.exit_code == 0, added.stderr
    doc = json.loads(added.stdout)
    assert (doc["kind"], doc["percent"], doc["max_discount"]) == ("percent", "20", "200.00")
    plain = json.loads(cli("loyalty", "coupons", "add", "ONLUK", "--percent", "10", "--json").stdout)
    assert plain["max_discount"] is None

    listed = {c["code"]: c for c in json.loads(cli("loyalty", "coupons", "list", "--json").stdout)}
    assert listed["YUZDE20"]["max_discount"] == "200.00" and listed["ONLUK"]["max_discount"] is None
    human = cli("loyalty", "coupons", "list", env={"COLUMNS": "160"})
    assert "20%, at most 200.00" in human.stdout


def test_max_discount_is_refused_where_it_means_nothing(cli: Cli) -> None:
    amount = cli("loyalty", "coupons", "add", "TUTAR", "--amount", "50", "--max-discount", "20")
    assert amount.exit_code == 1 and "Only a percent coupon has a maximum discount" in amount.stderr
    zero = cli("loyalty", "coupons", "add", "SIFIR", "--percent", "20", "--max-discount", "0")
    assert zero.exit_code == 1 and "maximum discount must be more than zero" in zero.stderr
    bad = cli("loyalty", "coupons", "add", "KOTU", "--percent", "20", "--max-discount", "iki yüz")
    assert bad.exit_code != 0 and "--max-discount" in bad.stderr
    assert json.loads(cli("loyalty", "coupons", "list", "--json").stdout) == []


def test_max_discount_in_a_real_process_in_turkish(cli: Cli, db_path: Path, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "POS_DB": str(db_path),
        "POS_HOME": str(tmp_path),
        "POS_CONFIG": str(REPO / "config" / "pos.toml"),
        "POS_LANG": "tr",
        "POS_TERMINAL": "T1",
        "COLUMNS": "160",
    }

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "pos_tui.cli.app", *args], env=env, capture_output=True, text=True)

    added = run("loyalty", "coupons", "add", "KASIM20", "--percent", "20", "--max-discount", "200,50", "--json")
    assert added.returncode == 0, added.stderr
    assert json.loads(added.stdout)["max_discount"] == "200.50"
    listed = run("loyalty", "coupons", "list")
    assert listed.returncode == 0, listed.stderr
    assert "KASIM20" in listed.stdout and "200,50" in listed.stdout

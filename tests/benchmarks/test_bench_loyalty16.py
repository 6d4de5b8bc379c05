"""The issue-16 loyalty benchmark runs through ``benchmarks.run --quick --only loyalty16`` and writes
its JSON; its statement counter tells triggers from statements. Nothing here looks at a timing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.bench_loyalty16 import collapse
from benchmarks.run import BENCHMARKS, commands

REPO = Path(__file__).resolve().parents[2]


def test_loyalty16_is_registered_with_a_quick_size(tmp_path: Path) -> None:
    from benchmarks.run import FULL, QUICK

    assert "loyalty16" in BENCHMARKS
    assert commands(QUICK, tmp_path / "c.sqlite3", False)["loyalty16"][2:] == [
        "benchmarks.bench_loyalty16",
        "--quiet",
        "--quick",
    ]
    full = commands(FULL, tmp_path / "c.sqlite3", False)["loyalty16"]
    assert full[full.index("--products") + 1] == "100000"


def test_collapse_counts_a_repeated_write_as_a_trigger_and_keeps_repeated_reads() -> None:
    insert = "INSERT INTO coupon (code) VALUES ('AB12')"
    select = "SELECT id FROM loyalty_rules ORDER BY id DESC LIMIT 1"
    statements, triggers = collapse([select, select, insert, insert, insert, "COMMIT"])
    assert statements == [select, select, insert, "COMMIT"]
    assert triggers == 2


@pytest.mark.slow
def test_quick_run_writes_the_json_and_the_table(tmp_path: Path) -> None:
    env = {**os.environ, "POS_BENCH_RESULTS": str(tmp_path)}
    for name in ("POS_DB", "POS_HOME", "POS_CONFIG", "POS_TERMINAL"):
        env.pop(name, None)
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--quick", "--only", "loyalty16"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    assert "metric" in done.stdout and "issue 16: complete_sale p99" in done.stdout

    result = json.loads((tmp_path / "loyalty16.json").read_text(encoding="utf-8"))
    assert result["benchmark"] == "loyalty16"
    assert result["machine"]["load_average"]
    assert len(result["summary"]) == 26
    for row in result["summary"]:
        assert row["ours"] is not None and row["baseline"] is not None, row

    # The mechanics acted on the issue-16 side: caps bound, the discount reward twice, a multiplier.
    priced = result["pricing"]["facts"]["priced_from_the_database"]
    assert priced["issue16"]["by_kind"]["tier:altin"] == "100.00"
    assert priced["issue16"]["by_kind"]["coupon:C10M"] == "2.00"
    assert priced["issue16"]["by_kind"]["reward:rd"] == "100.00"
    assert "x2-300" in priced["issue16"]["multipliers"] and priced["baseline"]["multipliers"] == []

    # Every member sale issued two coupons and every non-member sale one; the others none.
    posting = result["posting"]
    sales = posting["sales_per_kind"] + 2  # --quick: 12 sales of each kind, then 2 traced ones
    assert posting["issued"]["next_order"] == {"next_order_coupons": 3 * sales, "personal": 2 * sales,
                                               "tier_changes": 0}  # fmt: skip
    assert posting["issued"]["shipped"]["next_order_coupons"] == 0

    # A sale without a member now reads the active program in the loyalty posting, and only that.
    statements = posting["statements"]
    assert statements["nonmember_shipped"]["in_after_document_by_statement"] == {"SELECT loyalty_rules": 1.0}
    assert statements["nonmember_shipped_old_gate"]["in_after_document"] == 0
    assert statements["nonmember_shipped"]["per_sale"] == statements["nonmember_shipped_old_gate"]["per_sale"] + 1
    assert statements["member_next_order"]["in_after_document_by_statement"]["INSERT coupon"] == 2.0

    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert [r["metric"] for r in summary["rows"]] == [r["metric"] for r in result["summary"]]

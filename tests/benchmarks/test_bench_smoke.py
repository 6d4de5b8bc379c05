"""The benchmark scripts run end to end at a tiny size and write their JSON.

Benchmarks are not tests: nothing here looks at a timing. This only proves that
``python3 -m benchmarks.run --quick`` (catalogue import and lookups, sale posting, the TUI's
scan, cold start and memory) works against the current code, so the scripts do not rot.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.run import BENCHMARKS

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_quick_run_of_every_benchmark_writes_json_and_the_table(tmp_path: Path) -> None:
    env = {**os.environ, "POS_BENCH_RESULTS": str(tmp_path)}
    for name in ("POS_DB", "POS_HOME", "POS_CONFIG", "POS_TERMINAL"):
        env.pop(name, None)
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--quick"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr[-4000:]

    for name in BENCHMARKS:
        result = json.loads((tmp_path / f"{name}.json").read_text(encoding="utf-8"))
        assert result["benchmark"] == name
        assert result["machine"]["cpus"] >= 1
        assert result["summary"], f"{name} has no summary rows"
        for row in result["summary"]:
            assert row["ours"] is not None, row  # informational rows have no target

    catalog = json.loads((tmp_path / "catalog.json").read_text(encoding="utf-8"))
    assert catalog["import"]["report"]["created"] == 2000
    assert catalog["turkish_forms_agree"] is True
    tui = json.loads((tmp_path / "tui.json").read_text(encoding="utf-8"))
    assert tui["scan"]["enter_to_line_painted"]["n"] > 0

    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert [r["metric"] for r in summary["rows"]] == [
        r["metric"] for name in BENCHMARKS for r in json.loads((tmp_path / f"{name}.json").read_text())["summary"]
    ]
    assert "metric" in done.stdout and "baseline" in done.stdout

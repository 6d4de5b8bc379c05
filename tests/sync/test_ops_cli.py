"""``pos-admin sync status|push|pull|run|init|role`` and ``report z`` on a terminal of a centre."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from ops_support import as_user, closed_port_url, dropped_after, post_users, unique_role
from pull_support import seed_centre
from sync_support import set_identity

from pos_tui.core import staff, sync
from pos_tui.settings import Settings
from pos_tui.store import close_database, open_database

REPO = Path(__file__).resolve().parents[2]
STATUS_FIELDS = [
    "terminal",
    "store",
    "central",
    "online",
    "waiting",
    "oldest_at",
    "high_water",
    "last_seq",
    "last_push_at",
    "last_pull_at",
    "last_error",
]


def _joined_offline(db_path: Path, settings: Settings, now: datetime, n: int = 2) -> str:
    """The terminal's file joined to a centre on a closed port, with ``n`` documents waiting."""
    url = closed_port_url()
    open_database(db_path)
    try:
        set_identity("T1", "S1", url)
        post_users(settings, now, n)
    finally:
        close_database()
    return url


def test_status_json_of_a_database_that_joined_nothing(cli: Any, db: object) -> None:
    close_database()
    result = cli("sync", "status", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert list(data) == STATUS_FIELDS
    assert data["terminal"] is None and data["waiting"] == 0 and data["online"] is None
    human = cli("sync", "status")
    assert human.exit_code == 0 and "has not joined a centre" in human.stderr


def test_status_of_a_joined_terminal(cli: Any, db_path: Path, settings: Settings, now: datetime) -> None:
    _joined_offline(db_path, settings, now, 3)
    data = json.loads(cli("sync", "status", "--json").stdout)
    assert (data["terminal"], data["store"], data["waiting"], data["last_seq"], data["high_water"]) == (
        "T1",
        "S1",
        3,
        3,
        0,
    )
    assert data["central"].startswith("postgresql://t1:***@127.0.0.1:")  # the password never shows
    assert data["oldest_at"] == "2026-11-01T10:15:00+03:00"  # the shop's time (now is 07:15 UTC)
    human = cli("sync", "status")
    assert human.exit_code == 0
    assert "Terminal T1 of store S1" in human.stdout and "3 documents wait for the centre" in human.stdout
    assert "secret" not in human.stdout + human.stderr


def test_push_to_an_unreachable_centre_exits_1_and_keeps_the_documents(
    cli: Any, db_path: Path, settings: Settings, now: datetime
) -> None:
    _joined_offline(db_path, settings, now, 2)
    for command in ("push", "pull"):
        result = cli("sync", command, "--json")
        assert result.exit_code == 1, result.output
        assert result.stdout == ""
        assert "The centre cannot be reached" in result.stderr
        assert "2 documents stay queued and go with the next push" in result.stderr
        assert "secret" not in result.stderr
    data = json.loads(cli("sync", "status", "--json").stdout)
    assert (data["waiting"], data["online"]) == (2, False)
    assert "cannot be reached" in data["last_error"]


def test_run_once_offline_exits_1_after_one_line(cli: Any, db_path: Path, settings: Settings, now: datetime) -> None:
    _joined_offline(db_path, settings, now, 1)
    result = cli("sync", "run", "--once")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert "offline: The centre cannot be reached" in lines[0]
    assert "1 document stays queued" in result.stderr


def test_push_and_run_need_a_centre(cli: Any, db: object) -> None:
    close_database()
    for args in (("push",), ("pull",), ("run", "--once")):
        result = cli("sync", *args)
        assert result.exit_code == 1 and "sync init --central URL" in result.stderr


def test_init_checks_its_options_before_anything(cli: Any, db: object) -> None:
    close_database()
    bad_url = cli("sync", "init", "--central", "mysql://x/y", "--terminal", "T1", "--store", "S1")
    assert bad_url.exit_code == 2 and "postgresql:// URL" in bad_url.stderr
    bad_code = cli("sync", "init", "--central", "postgresql://c/d", "--terminal", "T 1", "--store", "S1")
    assert bad_code.exit_code != 0 and "A terminal code is" in bad_code.stderr
    other = cli("sync", "init", "--central", "postgresql://c/d", "--terminal", "T2", "--store", "S1")
    assert other.exit_code == 2 and "terminal code is T1" in other.stderr


def test_role_prints_the_sql_and_apply_wants_the_centre(cli: Any, db: object, monkeypatch: pytest.MonkeyPatch) -> None:
    close_database()
    monkeypatch.setenv("KASA2_PAROLA", "çok-gizli")
    result = cli("sync", "role", "T2", "--store", "S1", "--password-env", "KASA2_PAROLA")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("BEGIN;") and "GRANT INSERT ON" in result.stdout
    assert "çok-gizli" not in result.stdout and "SCRAM-SHA-256$" in result.stdout
    assert "pos_t2" in result.stderr
    missing = cli("sync", "role", "T2", "--password-env", "NOT_SET_ANYWHERE")
    assert missing.exit_code == 2 and "NOT_SET_ANYWHERE" in missing.stderr
    local = cli("sync", "role", "T2", "--apply")
    assert local.exit_code == 2 and "--db postgresql://" in local.stderr


def test_report_z_warns_of_what_waits(cli: Any, db_path: Path, settings: Settings, now: datetime) -> None:
    open_database(db_path)
    try:
        staff.add_user("admin", "admin", "9999", now=now, settings=settings)
    finally:
        close_database()
    _joined_offline(db_path, settings, now, 1)
    warned = cli("report", "z", "--yes")
    assert warned.exit_code == 0, warned.output
    assert "Warning: 2 documents have not reached the centre yet" in warned.stderr
    config = db_path.parent / "block.toml"
    config.write_text(
        (REPO / "config" / "pos.toml").read_text().replace('waiting_on_close = "warn"', 'waiting_on_close = "block"')
    )
    refused = cli("report", "z", "--yes", env={"POS_CONFIG": str(config)})
    assert refused.exit_code == 1 and "Closing waits until they are sent" in refused.stderr


# -- against a real centre ----------------------------------------------------------------------


@pytest.mark.postgres
def test_init_push_pull_and_run_against_a_centre(
    cli: Any, central_url: str, db: object, db_path: Path, settings: Settings, now: datetime
) -> None:
    seed_centre(central_url, settings, now)
    close_database()
    result = cli("sync", "init", "--central", central_url, "--terminal", "T1", "--store", "S1", "--json")
    assert result.exit_code == 0, result.output
    joined = json.loads(result.stdout)
    assert list(joined) == ["terminal", "store", "central", "revision"]
    assert (joined["terminal"], joined["store"]) == ("T1", "S1") and joined["revision"] > 0

    status = json.loads(cli("sync", "status", "--json").stdout)
    assert status["online"] is True and status["last_pull_at"] is not None

    open_database(db_path)
    try:
        post_users(settings, now, 3)
    finally:
        close_database()
    pushed = cli("sync", "push", "--json")
    assert pushed.exit_code == 0, pushed.output
    data = json.loads(pushed.stdout)
    assert list(data) == ["sent", "inserted", "duplicates", "high_water", "waiting"]
    assert data["waiting"] == 0 and data["inserted"] == data["sent"] >= 3
    pulled = cli("sync", "pull", "--json")
    assert pulled.exit_code == 0, pulled.output
    assert list(json.loads(pulled.stdout)) == ["revision", "rows", "tombstones", "ledger_rows", "balances"]
    once = cli("sync", "run", "--once")
    assert once.exit_code == 0, once.output
    assert "0 documents sent" in once.stderr and "master data at revision" in once.stderr


@pytest.mark.postgres
def test_role_apply_creates_a_role_the_terminal_can_join_with(
    cli: Any, central_url: str, db: object, db_path: Path, settings: Settings, now: datetime
) -> None:
    seed_centre(central_url, settings, now)
    close_database()
    # the CLI names the role after the terminal; the test server's roles are shared, so a code of its own
    code = unique_role().removeprefix("pos_").upper()
    role = sync.role_name(code)
    with dropped_after(central_url, role):
        applied = cli("--db", central_url, "sync", "role", code, "--store", "S1", "--apply")
        assert applied.exit_code == 0, applied.output
        assert f"Role {role} is ready" in applied.stderr
        joined = cli(
            "sync",
            "init",
            "--central",
            as_user(central_url, role),
            "--terminal",
            code,
            "--store",
            "S1",
            env={"POS_TERMINAL": code},
        )
        assert joined.exit_code == 0, joined.output
        assert f"Terminal {code} joined the centre" in joined.stderr


# -- a real process -------------------------------------------------------------------------------


def test_sync_run_as_a_service_stops_cleanly_on_sigterm(db_path: Path, settings: Settings, now: datetime) -> None:
    _joined_offline(db_path, settings, now, 2)
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "POS_DB": str(db_path),
        "POS_HOME": str(db_path.parent),
        "POS_CONFIG": str(REPO / "config" / "pos.toml"),
        "POS_LANG": "en",
        "POS_TERMINAL": "T1",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "pos_tui.cli.app", "sync", "run", "--interval", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        lines: list[str] = []
        assert proc.stderr is not None
        while time.monotonic() < deadline and sum("offline:" in line for line in lines) < 2:
            line = proc.stderr.readline()
            if not line:
                break
            lines.append(line)
        assert sum("offline:" in line for line in lines) >= 2, lines  # one line per pass, the loop goes on
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "Sync stopped." in err and "Traceback" not in err
    assert out == ""
    status = subprocess.run(
        [sys.executable, "-m", "pos_tui.cli.app", "sync", "status", "--json"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(status.stdout)["waiting"] == 2

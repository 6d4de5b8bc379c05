"""``pos-admin audit verify --json`` fails (exit 1) on a loyalty problem and lists it on stdout."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from audit_loyalty_support import build_shop, tamper, unguard
from typer.testing import CliRunner

from pos_tui.cli import common
from pos_tui.settings import Settings
from pos_tui.store import close_database
from pos_tui.store import models as m

REPO = Path(__file__).resolve().parents[2]
Cli = Callable[..., Any]


@pytest.fixture
def cli(db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cli]:
    """``cli(*args)``: pos-admin in-process against the test database, with fresh CLI state."""
    env = {
        "POS_DB": str(db_path),
        "POS_HOME": str(tmp_path),
        "POS_CONFIG": str(REPO / "config" / "pos.toml"),
        "POS_LANG": "en",
        "POS_TERMINAL": "T1",
    }
    runner = CliRunner(env=env)

    def run(*args: str) -> Any:
        from pos_tui.cli.app import app

        monkeypatch.setattr(common, "STATE", common.State())
        return runner.invoke(app, list(args))

    yield run
    close_database()


def test_audit_verify_json_fails_on_a_changed_stamp_entry(
    cli: Cli, db: object, settings: Settings, now: datetime, db_path: Path
) -> None:
    shop = build_shop(settings, now)
    clean = cli("audit", "verify", "--json")
    assert clean.exit_code == 0, clean.stderr
    assert json.loads(clean.stdout)["ok"] is True

    stamp = m.StampEntry.get((m.StampEntry.sale == shop.coffee_sale) & (m.StampEntry.kind == "earn"))
    tamper(db_path, *unguard("stamp_entry"), f"UPDATE stamp_entry SET stamps = 40 WHERE id = {stamp.id}")
    result = cli("audit", "verify", "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["ok"] is False
    assert any(
        "its loyalty breakdown lists stamps" in p and "its stamp entries are" in p and "40" in p
        for p in report["problems"]
    ), report["problems"]
    assert "problem(s)" in result.stderr

"""``pos-admin sync reconcile|holds|release`` on the centre (``--db postgresql://…``) and from a
joined terminal."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from guard_support import central_sql, set_central_balance
from sync_support import bound, set_identity

from pos_tui.core import staff, sync
from pos_tui.core.sync import connection
from pos_tui.settings import Settings
from pos_tui.store import open_database

pytestmark = pytest.mark.postgres
REPO = Path(__file__).resolve().parent.parent.parent
CARD = "2990000000017"


@pytest.fixture
def centre(db: object, settings: Settings, now: datetime, central_url: str) -> Iterator[str]:
    """A centre with an admin, a points balance held twice (an old hold and a recent one) and an
    overdraft recorded; the local file is a terminal that joined it."""
    with bound(central_url):
        staff.add_user("admin", "admin", "9999", now=now, settings=settings)
        staff.add_user("ayse", "cashier", "1111", now=now, settings=settings)
    set_central_balance(central_url, "points", CARD, 500)
    cdb = connection.open_central(central_url)
    try:
        old = datetime.now().astimezone() - timedelta(hours=3)
        sync.hold(cdb, "SALE-OLD", "points", CARD, -100, terminal="T2", now=old)
        sync.hold(cdb, "SALE-NEW", "points", CARD, -50, terminal="T1", now=datetime.now().astimezone())
    finally:
        cdb.close()
    central_sql(
        central_url,
        "INSERT INTO sync_overdraft (kind, ledger, key, place, balance, document, terminal, at) "
        "VALUES ('overdraft', 'wallet', %s, '', -2500, 'DOC-1', 'T3', %s)",
        (CARD, now.replace(tzinfo=None)),
    )
    set_central_balance(central_url, "wallet", CARD, -2500)
    set_identity("T1", "S1", central_url)
    yield central_url
    connection.forget()


def _json(result: Any) -> Any:
    assert result.exit_code == 0, result.output + str(result.stderr)
    return json.loads(result.stdout)


def test_reconcile_on_the_centre(cli: Callable[..., Any], centre: str) -> None:
    data = _json(cli("--db", centre, "sync", "reconcile", "--json"))
    assert [(r["kind"], r["ledger"], r["key"], r["balance"]) for r in data["rows"]] == [
        ("overdraft", "wallet", CARD, -2500),
        ("hold", "points", CARD, -100),
        ("balance", "wallet", CARD, -2500),
    ]
    assert data["rows"][1]["document"] == "SALE-OLD" and data["rows"][1]["terminal"] == "T2"
    later = _json(cli("--db", centre, "sync", "reconcile", "--since", "2099-01-01", "--json"))
    assert [r["kind"] for r in later["rows"]] == ["hold", "balance"]
    text = cli("--db", centre, "sync", "reconcile")
    assert text.exit_code == 0
    assert "overdraft" in text.stdout and "open hold" in text.stdout and "-25.00" in text.stdout


def test_reconcile_from_a_joined_terminal(cli: Callable[..., Any], centre: str) -> None:
    data = _json(cli("sync", "reconcile", "--json"))
    assert len(data["rows"]) == 3


def test_holds_and_release(cli: Callable[..., Any], centre: str) -> None:
    data = _json(cli("--db", centre, "sync", "holds", "--json"))
    assert [(h["document"], h["amount"]) for h in data["holds"]] == [("SALE-OLD", -100), ("SALE-NEW", -50)]
    refused = cli("--db", centre, "sync", "release", "SALE-OLD", "--user", "ayse")
    assert refused.exit_code == 1 and "points_adjust" in refused.stderr
    done = _json(cli("--db", centre, "sync", "release", "SALE-OLD", "--json"))
    assert done["released"] == 1 and done["holds"][0]["key"] == CARD
    assert central_sql(centre, "SELECT amount FROM sync_balance WHERE ledger = 'points'") == [(450,)]
    again = cli("--db", centre, "sync", "release", "SALE-OLD")
    assert again.exit_code == 0 and "nothing changed" in again.stderr
    unknown = cli("--db", centre, "sync", "release", "NOPE")
    assert unknown.exit_code == 1 and "nothing for document NOPE" in unknown.stderr
    assert [h["document"] for h in _json(cli("--db", centre, "sync", "holds", "--json"))["holds"]] == ["SALE-NEW"]


def test_a_terminal_that_never_joined(cli: Callable[..., Any], db_path: Path, settings: Settings) -> None:
    open_database(db_path)
    result = cli("sync", "reconcile")
    assert result.exit_code == 1 and "has not joined a centre" in result.stderr


def test_holds_in_a_real_process(centre: str, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO), "POS_LANG": "en", "POS_HOME": str(tmp_path)}
    env.pop("POS_DB", None)
    run = subprocess.run(
        [sys.executable, "-m", "pos_tui.cli.app", "--db", centre, "sync", "holds", "--json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert len(json.loads(run.stdout)["holds"]) == 2

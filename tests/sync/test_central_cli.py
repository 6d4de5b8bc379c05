"""``pos-admin central …`` on the centre (CliRunner, and one real process), and its refusal on a
terminal's SQLite file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from central_support import Centre, chain_data
from peewee import Database

from pos_tui.core import sync

pytestmark = pytest.mark.postgres
REPO = Path(__file__).resolve().parents[2]
Cli = Callable[..., Any]


@pytest.fixture
def centre(db: Database, central_url: str) -> Iterator[Centre]:
    central = sync.open_central(central_url)
    central.connect()
    try:
        yield chain_data(central)
    finally:
        central.close()


def _json(cli: Cli, url: str, *args: str) -> Any:
    done = cli("--db", url, "central", *args, "--json")
    assert done.exit_code == 0, done.stderr
    return json.loads(done.stdout)


def test_central_json(centre: Centre, central_url: str, cli: Cli) -> None:
    sales = _json(cli, central_url, "sales", "--from", "06.12.2026", "--to", "2026-12-06")
    assert sales["totals"]["net"] == "137.00"
    assert sales["totals"]["by_payment"] == {"card": "70.00", "cash": "67.00"}
    assert [(t["store"], t["terminal"], t["net"]) for t in sales["terminals"]] == [
        ("S1", "T1", "59.00"),
        ("S1", "T2", "30.00"),
        ("S2", "T3", "48.00"),
    ]
    assert [(s["store"], s["net"]) for s in sales["stores"]] == [("S1", "89.00"), ("S2", "48.00")]
    two_days = _json(cli, central_url, "sales", "--from", "06.12.2026", "--to", "07.12.2026", "--store", "S1")
    assert two_days["totals"]["net"] == "99.00"
    only = _json(cli, central_url, "sales", "--from", "06.12.2026", "--terminal", "T2")
    assert only["totals"]["returns"] == "10.00"
    x = _json(cli, central_url, "x")
    assert [(t["terminal"], t["z_no"], t["net"], t["grand_total"]) for t in x["terminals"]] == [
        ("T1", 2, "15.00", "69.00"),
        ("T2", 1, "30.00", "30.00"),
        ("T3", 1, "48.00", "48.00"),
    ]
    z = _json(cli, central_url, "z")
    assert [(r["terminal"], r["z_no"], r["gross"], r["grand_total"]) for r in z["z"]] == [("T1", 1, "54.00", "54.00")]
    assert _json(cli, central_url, "z", "--from", "07.12.2026")["z"] == []
    loyalty = _json(cli, central_url, "loyalty", "--from", "06.12.2026", "--top", "2")
    assert loyalty["totals"] == {
        "earned": 112,
        "redeemed": 5,
        "expired": 7,
        "other": -10,
        "net": 90,
        "active_members": 3,
    }
    assert [m["card"] for m in loyalty["top"]] == ["M1", "M2"]
    stock = _json(cli, central_url, "stock", "--location", "DEPO2")
    assert [(r["code"], r["qty"]) for r in stock["rows"]] == [("1001", "10"), ("1003", "-1")]
    terminals = _json(cli, central_url, "terminals")
    assert [(t["terminal"], t["store"], t["high_water"], t["waiting"]) for t in terminals] == [
        ("T1", "S1", 5, 0),
        ("T2", "S1", 3, 0),
        ("T3", "S2", 3, 0),
    ]


def test_central_tables_are_turkish_at_80_columns(centre: Centre, central_url: str, cli: Cli) -> None:
    env = {"POS_LANG": "tr", "COLUMNS": "80"}
    for args in (
        ("sales", "--from", "06.12.2026"),
        ("x",),
        ("z",),
        ("loyalty", "--from", "06.12.2026"),
        ("stock",),
        ("terminals",),
    ):
        done = cli("--db", central_url, "central", *args, env=env)
        assert done.exit_code == 0, (args, done.stderr)
        assert all(len(line) <= 80 for line in done.stdout.splitlines()), (args, done.stdout)
    sales = cli("--db", central_url, "central", "sales", "--from", "06.12.2026", env=env).stdout
    assert "137,00" in sales and "Nakit" in sales  # numbers and tenders the Turkish way
    empty = cli("--db", central_url, "central", "sales", "--from", "01.01.2026", env=env)
    assert empty.exit_code == 0 and empty.stdout == ""


def test_bad_options(centre: Centre, central_url: str, cli: Cli) -> None:
    backwards = cli("--db", central_url, "central", "sales", "--from", "07.12.2026", "--to", "06.12.2026")
    assert backwards.exit_code == 1 and "before it starts" in backwards.stderr
    bad_day = cli("--db", central_url, "central", "sales", "--from", "32.12.2026")
    assert bad_day.exit_code == 2


def test_a_terminal_database_is_refused(cli: Cli, db: Database) -> None:
    for args in (("sales",), ("x",), ("terminals",), ("stock",)):
        done = cli("central", *args)
        assert done.exit_code == 1, args
        assert "central database" in done.stderr and "postgresql://" in done.stderr


def test_central_in_a_process(centre: Centre, central_url: str, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "POS_HOME": str(tmp_path),
        "POS_CONFIG": str(REPO / "config" / "pos.toml"),
        "POS_LANG": "tr",
    }
    done = subprocess.run(
        [sys.executable, "-m", "pos_tui.cli.app", "--db", central_url, "central", "z", "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["z"][0]["grand_total"] == "54.00"

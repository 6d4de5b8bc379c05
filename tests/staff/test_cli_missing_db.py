"""Reading a database that is not there is an error that names the path; only ``init`` and
``demo`` create one. A terminal id where nothing ever happened is an error, not zeros."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from pos_tui.core.kernel import Actor
from pos_tui.core.till import SaleResult
from pos_tui.store import models as m

Cli = Callable[..., Any]
REPO = Path(__file__).resolve().parents[2]

READS = [
    ("users", "list"),
    ("report", "x"),
    ("report", "sales", "--json"),
    ("report", "loyalty"),
    ("products", "search", "elma"),
    ("customers", "search", "ayse"),
    ("loyalty", "show"),
    ("messages", "list"),
    ("giftcards", "list"),
    ("audit", "verify"),
    ("db", "upgrade"),
    ("export", "products"),
]


@pytest.mark.parametrize("args", READS, ids=" ".join)
def test_a_read_of_a_missing_database_fails_and_creates_nothing(cli: Cli, tmp_path: Path, args: tuple[str]) -> None:
    missing = tmp_path / "typo" / "pos.sqlite3"
    result = cli("--db", str(missing), *args)
    assert result.exit_code == 1, result.stdout
    assert f"No database at {missing}; create one with: pos-admin init" in result.stderr
    assert result.stdout == ""
    assert not missing.exists() and not missing.parent.exists()


def test_only_init_and_demo_create_a_database(cli: Cli, tmp_path: Path) -> None:
    first, second = tmp_path / "a" / "pos.sqlite3", tmp_path / "b" / "pos.sqlite3"
    assert cli("--db", str(first), "init").exit_code == 0 and first.is_file()
    assert cli("--db", str(second), "demo").exit_code == 0 and second.is_file()
    listed = cli("--db", str(first), "users", "list", "--json")
    assert listed.exit_code == 0 and json.loads(listed.stdout) == []


def test_a_missing_database_in_turkish(cli: Cli, tmp_path: Path) -> None:
    missing = tmp_path / "yok" / "pos.sqlite3"
    result = cli("--db", str(missing), "report", "x", env={"POS_LANG": "tr"})
    assert result.exit_code == 1
    assert f"{missing} konumunda veritabanı yok; şu komutla oluşturun: pos-admin init" in result.stderr
    assert not missing.parent.exists()


def test_installed_pos_admin_on_a_missing_database(tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("pos-admin")
    assert exe.is_file(), "pos-admin is not installed next to this Python (pip install -e .)"
    missing = tmp_path / "typo" / "pos.sqlite3"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p),
        "POS_HOME": str(tmp_path),
        "POS_LANG": "tr",
        "POS_CONFIG": str(REPO / "config" / "pos.toml"),
    }
    env.pop("POS_DB", None)
    done = subprocess.run(
        [str(exe), "--db", str(missing), "report", "x", "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 1, done.stderr
    assert done.stdout == ""
    assert f"{missing} konumunda veritabanı yok" in done.stderr
    assert not missing.exists() and not missing.parent.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_report_x_for_an_unknown_terminal_says_so(
    cli: Cli, people: dict[str, Actor], sell: Callable[..., SaleResult], now: datetime
) -> None:
    sell(people["ayse"], [("1001", 1000)], [("cash", "10.00")], now=now, terminal="T2")
    unknown = cli("report", "x", "--terminal", "T9", "--json")
    assert unknown.exit_code == 1 and unknown.stdout == ""
    assert "No terminal T9: nothing was ever recorded there" in unknown.stderr
    known = cli("report", "x", "--terminal", "T2", "--json")
    assert known.exit_code == 0, known.stderr
    assert json.loads(known.stdout)["sales_count"] == 1


def test_report_z_for_an_unknown_terminal_writes_no_z(
    cli: Cli, people: dict[str, Actor], sell: Callable[..., SaleResult], now: datetime
) -> None:
    """A Z cannot be undone: a mistyped terminal gets an error, not a zero Z of its own."""
    sell(people["ayse"], [("1001", 1000)], [("cash", "10.00")], now=now, terminal="T2")
    unknown = cli("report", "z", "--terminal", "T9", "--yes", "--json")
    assert unknown.exit_code == 1 and unknown.stdout == ""
    assert "No terminal T9: nothing was ever recorded there" in unknown.stderr
    assert not m.ZClosure.select().where(m.ZClosure.terminal == "T9").exists()
    assert cli("report", "z", "--terminal", "T2", "--yes", "--json").exit_code == 0


def test_report_x_of_this_terminal_before_its_first_sale(cli: Cli, people: dict[str, Actor]) -> None:
    """The terminal configured for this machine is known even before anything happened on it."""
    result = cli("report", "x", "--json", env={"POS_TERMINAL": "T5"})
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["terminal"] == "T5"
    assert cli("report", "x", "--terminal", "T5", "--json", env={"POS_TERMINAL": "T5"}).exit_code == 0


def test_report_x_for_an_unknown_terminal_in_turkish(cli: Cli, people: dict[str, Actor]) -> None:
    result = cli("report", "x", "--terminal", "T9", env={"POS_LANG": "tr"})
    assert result.exit_code == 1
    assert "hata: Kasa T9 bulunamadı: bu kasada hiçbir kayıt yok" in result.stderr

"""The one confirmation of pos-admin's destructive commands (``output.confirm``).

The question is in the shop's language on stderr (``[e/H]`` in Turkish, ``[y/N]`` in
English), stdout carries nothing but the command's output (``--json`` stays pure JSON),
``-y/--yes`` skips it, and with no terminal to answer (end of input on a pipe, cron,
``</dev/null``) the command refuses with exit 2 and says to add ``--yes``.
"""

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
from pos_tui.core.loyalty import members as mb
from pos_tui.core.till import SaleResult
from pos_tui.store import models as m

Cli = Callable[..., Any]
REPO = Path(__file__).resolve().parents[2]
TR = {"POS_LANG": "tr"}


@pytest.fixture
def sold(people: dict[str, Actor], sell: Callable[..., SaleResult], now: datetime) -> SaleResult:
    return sell(people["ayse"], [("1001", 2000)], [("cash", "20.00")], now=now)


def test_report_z_json_after_a_yes_is_only_json(cli: Cli, sold: SaleResult) -> None:
    result = cli("report", "z", "--json", input="y\n")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("{") and json.loads(result.stdout)["z_no"] == 1
    assert "Take Z 1 of T1 (1 documents, net 20.00)? It cannot be undone. [y/N] " in result.stderr


@pytest.mark.parametrize("answer", ["e", "evet", "EVET", "Evet", " e ", "y", "yes"])
def test_turkish_yes(cli: Cli, sold: SaleResult, answer: str) -> None:
    result = cli("report", "z", "--json", input=f"{answer}\n", env=TR)
    assert result.exit_code == 0, result.stderr
    assert "Bu işlem geri alınamaz. [e/H] " in result.stderr
    assert json.loads(result.stdout)["z_no"] == 1


@pytest.mark.parametrize("answer", ["h", "hayır", "HAYIR", "hayir", "", "n", "no"])
def test_turkish_no(cli: Cli, sold: SaleResult, answer: str) -> None:
    result = cli("report", "z", input=f"{answer}\n", env=TR)
    assert result.exit_code == 1
    assert "[e/H]" in result.stderr and "Hiçbir işlem yapılmadı." in result.stderr
    assert result.stdout == ""
    assert m.ZClosure.select().count() == 0


def test_an_unclear_answer_is_asked_again(cli: Cli, sold: SaleResult) -> None:
    result = cli("report", "z", input="tamam\nevet\n", env=TR)
    assert result.exit_code == 0, result.stderr
    assert "Lütfen e ya da h yazın." in result.stderr
    assert result.stderr.count("[e/H]") == 2
    english = cli("report", "z", input="sure\nn\n")
    assert english.exit_code == 1 and "Please answer y or n." in english.stderr


@pytest.mark.parametrize("env", [{}, TR], ids=["en", "tr"])
def test_no_answer_without_a_terminal_refuses(cli: Cli, sold: SaleResult, env: dict[str, str]) -> None:
    result = cli("report", "z", "--json", input="", env=env)
    assert result.exit_code == 2
    assert result.stdout == ""
    message = (
        "hata: Soru yanıtlanmadı (komut bir uçbirimden çalıştırılmıyor); onaylamak için --yes ekleyin"
        if env
        else "error: No answer to the question (not run from a terminal); add --yes to go ahead"
    )
    assert message in result.stderr
    assert m.ZClosure.select().count() == 0


@pytest.mark.parametrize("flag", ["--yes", "-y"])
def test_every_destructive_command_takes_yes(
    cli: Cli, people: dict[str, Actor], now: datetime, tmp_path: Path, flag: str
) -> None:
    """Each question is asked in Turkish and refused without a terminal; ``-y``/``--yes`` skips it."""
    member = mb.enroll(name="Zeynep", phone="05321234567", source="cli", actor=None, now=now)
    issued = cli("giftcards", "issue", "--amount", "50", "--code", "GC0001", "--method", "card", "--json")
    assert issued.exit_code == 0, issued.stderr
    dest = tmp_path / "copy.sqlite3"
    dest.write_bytes(b"old")
    commands = [
        ("users", "disable", "ayse"),
        ("customers", "anonymize", str(member.id)),
        ("giftcards", "deactivate", "GC0001", "--reason", "kayıp"),
        ("report", "z"),
        ("backup", str(dest)),
    ]
    for args in commands:
        asked = cli(*args, input="", env=TR)
        assert asked.exit_code == 2, (args, asked.stderr)
        assert "[e/H]" in asked.stderr and "--yes" in asked.stderr
        done = cli(*args, flag, env=TR)
        assert done.exit_code == 0, (args, done.stderr)
        assert "[e/H]" not in done.stderr


def test_fiscal_z_takes_yes_and_asks_in_turkish(cli: Cli, tmp_path: Path) -> None:
    devices = tmp_path / "devices.toml"
    devices.write_text(f'[fiscal]\ndriver = "simulator"\ndirectory = "{tmp_path / "okc"}"\n', encoding="utf-8")
    assert cli("init").exit_code == 0
    asked = cli("fiscal", "z", "--devices", str(devices), input="h\n", env=TR)
    assert asked.exit_code == 1 and "Mali gün Z raporuyla kapatılsın mı? [e/H]" in asked.stderr
    done = cli("fiscal", "z", "--devices", str(devices), "-y", "--json")
    assert done.exit_code == 0, done.stderr
    assert json.loads(done.stdout)["z_no"] == 1


def test_installed_pos_admin_refuses_without_a_terminal(cli: Cli, sold: SaleResult, db_path: Path) -> None:
    exe = Path(sys.executable).with_name("pos-admin")
    assert exe.is_file(), "pos-admin is not installed next to this Python (pip install -e .)"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p),
        "POS_DB": str(db_path),
        "POS_LANG": "tr",
        "POS_TERMINAL": "T1",
        "POS_CONFIG": str(REPO / "config" / "pos.toml"),
    }
    done = subprocess.run(
        [str(exe), "report", "z", "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert "onaylamak için --yes ekleyin" in done.stderr
    piped = subprocess.run(
        [str(exe), "report", "z", "--json"], capture_output=True, text=True, env=env, timeout=60, input="evet\n"
    )
    assert piped.returncode == 0, piped.stderr
    assert piped.stdout.startswith("{") and json.loads(piped.stdout)["z_no"] == 1

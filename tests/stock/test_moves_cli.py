"""``pos-admin stock locations|adjust|transfer`` through CliRunner (JSON only on stdout with
``--json``, errors on stderr with exit codes) and one run as a real process in Turkish."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from moves_support import KG, PIECE, PIECE_BARCODE, People, level, set_up_shop

from pos_tui.settings import Settings
from pos_tui.store import models as m

Cli = Callable[..., Any]


@pytest.fixture
def people(db: object, settings: Settings, now: datetime) -> People:
    return set_up_shop(settings, now)


def ok(result: Any) -> Any:
    assert result.exit_code == 0, result.stderr
    return result


# -- locations --------------------------------------------------------------------------------------


def test_locations_add_list_assign(cli: Cli, people: People) -> None:
    added = json.loads(ok(cli("stock", "locations", "add", "arka-2", "--name", "Arka depo 2", "--json")).stdout)
    assert added == {
        "code": "ARKA-2",
        "name": "Arka depo 2",
        "default": False,
        "active": True,
        "in_transit": False,
        "terminals": [],
        "store": "S1",
    }
    assigned = json.loads(ok(cli("stock", "locations", "assign", "KASA2", "ARKA-2", "--json")).stdout)
    assert assigned == {"terminal": "KASA2", "location": "ARKA-2"}
    listed = json.loads(ok(cli("stock", "locations", "list", "--json")).stdout)
    assert [(loc["code"], loc["default"], loc["terminals"]) for loc in listed] == [
        ("ARKA-2", False, ["KASA2"]),
        ("DEPO", False, []),
        ("MAGAZA", True, []),
    ]
    text = ok(cli("stock", "locations", "list"))
    assert "ARKA-2" in text.stdout and "KASA2" in text.stdout and "default" in text.stdout
    said = ok(cli("stock", "locations", "assign", "KASA3", "DEPO"))
    assert "Terminal KASA3 now sells from DEPO." in said.stderr and said.stdout == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("add", "DEPO", "--name", "x"), "Stock location DEPO already exists"),
        (("add", "yolda", "--name", "x"), "holds goods on their way"),
        (("add", "bad code", "--name", "x"), "1 to 16 capital letters"),
        (("assign", "KASA2", "ANKARA"), "No stock location ANKARA"),
    ],
)
def test_locations_bad_input(cli: Cli, people: People, args: tuple[str, ...], message: str) -> None:
    result = cli("stock", "locations", *args)
    assert result.exit_code == 1 and message in result.stderr and result.stdout == ""


# -- adjust -----------------------------------------------------------------------------------------


def test_adjust_a_negative_quantity_with_a_turkish_reason(cli: Cli, people: People) -> None:
    done = json.loads(
        ok(cli("stock", "adjust", PIECE_BARCODE, "-3", "--reason", "fire", "--note", "kırık", "--json")).stdout
    )
    assert done["code"] == PIECE and done["qty"] == "-3" and done["reason"] == "waste"
    assert (done["location"], done["value"], done["unit_cost"], done["on_hand"]) == ("MAGAZA", "-30.00", "10.00", "97")
    assert level(PIECE, "MAGAZA") == 97_000


def test_adjust_a_weight_with_a_decimal_comma_at_the_depot(cli: Cli, people: People) -> None:
    said = ok(cli("stock", "adjust", KG, "1,250", "--reason", "correction", "--location", "DEPO"))
    assert said.stderr.startswith("Adjustment 1 written: 1.25 kg Domates (2001), correction, at DEPO, worth 25.00.")
    assert "On hand there now: 1.25 kg." in said.stderr
    assert level(KG, "DEPO") == 1250


def test_adjust_an_opening_stock_with_a_unit_cost(cli: Cli, people: People) -> None:
    done = json.loads(
        ok(cli("stock", "adjust", "3001", "4", "--reason", "açılış", "--unit-cost", "12,50", "--json")).stdout
    )
    assert (done["reason"], done["value"], done["on_hand_total"]) == ("opening", "50.00", "4")


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        ((PIECE, "-1,5", "--reason", "waste"), 1, "not a whole number"),
        ((PIECE, "0", "--reason", "waste"), 1, "cannot be 0"),
        ((PIECE, "abc", "--reason", "waste"), 1, "'abc' is not a number"),
        ((PIECE, "-1", "--reason", "theft"), 1, "Unknown adjustment reason 'theft'"),
        (("999", "-1", "--reason", "waste"), 1, "No product with barcode or code 999"),
        ((PIECE, "-1", "--reason", "waste", "--location", "ANKARA"), 1, "No stock location ANKARA"),
        ((PIECE, "-1"), 2, "--reason"),
    ],
)
def test_adjust_bad_input(cli: Cli, people: People, args: tuple[str, ...], code: int, message: str) -> None:
    result = cli("stock", "adjust", *args)
    assert result.exit_code == code and message in result.stderr, result.stderr
    assert m.StockDocument.select().count() == 0


def test_adjust_as_a_cashier_is_refused(cli: Cli, people: People) -> None:
    result = cli("stock", "adjust", PIECE, "-1", "--reason", "waste", "--user", "ayse")
    assert result.exit_code == 1 and "ayse may not adjust and transfer stock" in result.stderr


def test_bad_input_in_turkish(cli: Cli, people: People) -> None:
    result = cli("stock", "adjust", PIECE, "abc", "--reason", "waste", env={"POS_LANG": "tr"})
    assert result.exit_code == 1
    assert "hata: miktar: 'abc' bir sayı değil" in result.stderr


# -- transfers --------------------------------------------------------------------------------------


def test_send_receive_list_show(cli: Cli, people: People) -> None:
    sent = json.loads(
        ok(cli("stock", "transfer", "send", "--from", "MAGAZA", "--to", "DEPO", "--line", f"{PIECE}=10",
               "--line", f"{KG}=2.5", "--note", "raf", "--json")).stdout
    )  # fmt: skip
    assert (sent["number"], sent["status"], sent["from"], sent["to"], sent["note"]) == (
        1,
        "open",
        "MAGAZA",
        "DEPO",
        "raf",
    )
    assert [(ln["code"], ln["sent"], ln["received"]) for ln in sent["lines"]] == [
        (PIECE, "10", None),
        (KG, "2.5", None),
    ]
    opened = json.loads(ok(cli("stock", "transfer", "list", "--open", "--json")).stdout)
    assert [t["number"] for t in opened] == [1]
    said = ok(cli("stock", "transfer", "receive", "1", "--line", f"{PIECE_BARCODE}=8", "--reason", "kayıp"))
    assert "Transfer 1 received at DEPO." in said.stderr
    assert "sent 10, received 8 (short, booked as loss)" in said.stderr
    shown = json.loads(ok(cli("stock", "transfer", "show", "1", "--json")).stdout)
    assert shown["status"] == "received" and shown["short_reason"] == "loss"
    assert [(ln["code"], ln["received"], ln["difference"]) for ln in shown["lines"]] == [
        (PIECE, "8", "-2"),
        (KG, "2.5", "0"),
    ]
    assert json.loads(ok(cli("stock", "transfer", "list", "--open", "--json")).stdout) == []
    assert "No open transfers." in ok(cli("stock", "transfer", "list", "--open")).stderr
    table = ok(cli("stock", "transfer", "list")).stdout
    assert "MAGAZA" in table and "received" in table
    human = ok(cli("stock", "transfer", "show", "1")).stdout
    assert "Transfer 1: MAGAZA → DEPO" in human and "-2" in human
    again = cli("stock", "transfer", "receive", "1")
    assert again.exit_code == 1 and "Transfer 1 was already received" in again.stderr
    assert (level(PIECE, "DEPO"), level(PIECE, "YOLDA")) == (8000, 0)


def test_send_from_a_file(cli: Cli, people: People, tmp_path) -> None:
    path = tmp_path / "sevk.csv"
    path.write_text(f"barcode;qty\n{PIECE_BARCODE};3\n{KG};0,750\n", encoding="utf-8")
    sent = json.loads(
        ok(cli("stock", "transfer", "send", str(path), "--from", "MAGAZA", "--to", "DEPO", "--json")).stdout
    )
    assert [(ln["code"], ln["sent"]) for ln in sent["lines"]] == [(PIECE, "3"), (KG, "0.75")]


def test_a_bad_file_names_its_lines_and_sends_nothing(cli: Cli, people: People, tmp_path) -> None:
    path = tmp_path / "sevk.csv"
    path.write_text(f"code,qty\n{PIECE},1.5\nnope,2\n", encoding="utf-8")
    result = cli("stock", "transfer", "send", str(path), "--from", "MAGAZA", "--to", "DEPO")
    assert result.exit_code == 1
    assert "sevk.csv: 2 bad row(s), nothing imported" in result.stderr
    assert "line 2" in result.stderr and "line 3" in result.stderr
    assert m.StockDocument.select().count() == 0


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("send", "--from", "MAGAZA", "--to", "DEPO"), 2, "either in a FILE or with --line"),
        (("send", "--to", "DEPO", "--line", f"{PIECE}=1"), 2, "--from L --to L"),
        (("send", "--from", "MAGAZA", "--to", "DEPO", "--line", PIECE), 2, "CODE=QTY"),
        (("send", "--from", "MAGAZA", "--to", "DEPO", "--line", f"{PIECE}=x"), 2, "'x' is not a number"),
        (("send", "--from", "MAGAZA", "--to", "YOLDA", "--line", f"{PIECE}=1"), 1, "on their way"),
        (("receive", "9"), 1, "No transfer number 9"),
        (("show", "9"), 1, "No transfer number 9"),
        (("receive", "x"), 2, "NUMBER"),
    ],
)
def test_transfer_bad_input(cli: Cli, people: People, args: tuple[str, ...], code: int, message: str) -> None:
    result = cli("stock", "transfer", *args)
    assert result.exit_code == code and message in result.stderr, result.stderr


def test_a_real_process_in_turkish(people: People, settings: Settings) -> None:
    env = {**os.environ, "POS_DB": settings.db_url, "POS_HOME": str(settings.home), "POS_LANG": "tr"}
    env["POS_CONFIG"] = str(settings.source)
    env["POS_TERMINAL"] = "T1"

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "pos_tui.cli.app", *args], env=env, capture_output=True, text=True)

    sent = run("stock", "transfer", "send", "--from", "MAGAZA", "--to", "DEPO", "--line", f"{PIECE}=4", "--json")
    assert sent.returncode == 0, sent.stderr
    assert json.loads(sent.stdout)["lines"][0]["sent"] == "4"
    bad = run("stock", "adjust", PIECE, "1,5", "--reason", "zayi")
    assert bad.returncode == 1 and bad.stderr.startswith("hata: ")
    got = run("stock", "transfer", "receive", "1", "--json")
    assert got.returncode == 0 and json.loads(got.stdout)["status"] == "received"
    assert (level(PIECE, "DEPO"), level(PIECE, "YOLDA"), level(PIECE, "MAGAZA")) == (4000, 0, 96_000)


def test_send_names_every_bad_line(cli: Cli, people: People) -> None:
    """Not only the first bad line is named: every one, and nothing is sent."""
    syntax = cli("stock", "transfer", "send", "--from", "MAGAZA", "--to", "DEPO", "--line", "x", "--line", "y=1,2,3")
    assert syntax.exit_code == 2
    assert "'x'" in syntax.stderr and "y" in syntax.stderr
    args = ("--line", "9999=1", "--line", f"{PIECE}=0", "--line", f"{PIECE}=1,5")
    bad = cli("stock", "transfer", "send", "--from", "MAGAZA", "--to", "DEPO", *args)
    assert bad.exit_code != 0
    for named in ("line 1", "9999", "line 2", "line 3"):
        assert named in bad.stderr, (named, bad.stderr)
    assert m.StockDocument.select().where(m.StockDocument.kind == "transfer_out").count() == 0

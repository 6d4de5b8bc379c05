"""``pos-admin receipt print|show``: reprints from scripts, to the configured printer or a file."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from printing_support import Cli, Shop, make_cli, open_shop

from pos_tui.core.till import SaleResult
from pos_tui.settings import Settings
from pos_tui.store import close_database

ESC, GS = b"\x1b", b"\x1d"


@pytest.fixture
def cli(db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cli]:
    yield make_cli(db_path, tmp_path, monkeypatch)
    close_database()


@pytest.fixture
def sold(db: object, settings: Settings, now: datetime) -> SaleResult:
    shop: Shop = open_shop(settings, now)
    return shop.sell([("1001", 2), ("2001", 1)], [("cash", "200.00")], now=now)


def test_print_to_a_file_writes_the_escpos_bytes(cli: Cli, sold: SaleResult, tmp_path: Path) -> None:
    out = tmp_path / "receipt.bin"
    result = cli("receipt", "print", f"T1/{sold.receipt_no}", "--output", str(out), "--width", "32")
    assert result.exit_code == 0, result.stderr
    data = out.read_bytes()
    assert data.startswith(ESC + b"@" + ESC + b"t\x0d")
    text = data.decode("cp857")
    assert "TOZ ŞEKER 1 KG" in text and "Gül Şampuanı" in text
    assert "COPY" in text  # a reprint is a copy by default
    assert "BİLGİ FİŞİDİR" in text  # no fiscal device configured
    assert "160.00 TL" in text
    assert GS + b"kI" + bytes([len(f"{{BT1/{sold.receipt_no}")]) + f"{{BT1/{sold.receipt_no}".encode() in data
    assert ESC + b"p" not in data  # a script never opens the drawer, even for a cash sale
    assert f"{len(data)} bytes" in result.stderr


def test_no_copy_and_number_of_this_terminal(cli: Cli, sold: SaleResult, tmp_path: Path) -> None:
    out = tmp_path / "r.bin"
    result = cli("receipt", "print", str(sold.receipt_no), "--no-copy", "-o", str(out), "--json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc == {
        "title": f"Receipt T1/{sold.receipt_no}",
        "bytes": len(out.read_bytes()),
        "output": str(out),
        "printer": str(out),
    }
    assert "COPY" not in out.read_bytes().decode("cp857")


def test_print_to_the_configured_printer(cli: Cli, sold: SaleResult, tmp_path: Path) -> None:
    device = tmp_path / "lp0"
    device.write_bytes(b"")
    devices = (
        f'[printer]\ndriver = "file"\npath = "{device}"\nwidth = 48\ncut = "full"\n\n[fiscal]\ndriver = "simulator"\n'
    )
    result = cli("receipt", "print", sold.uid, devices=devices)
    assert result.exit_code == 0, result.stderr
    data = device.read_bytes()
    text = data.decode("cp857")
    assert "TOZ ŞEKER 1 KG" in text
    assert "BİLGİ" not in text  # a fiscal device is configured: the slip carries no notice
    assert data.endswith(GS + b"V\x00")  # full cut from the config


def test_print_without_a_printer_says_how_to_get_the_bytes(cli: Cli, sold: SaleResult) -> None:
    result = cli("receipt", "print", str(sold.receipt_no))
    assert result.exit_code == 1
    assert "No [printer] is configured" in result.stderr and "--output" in result.stderr


def test_unknown_receipt(cli: Cli, sold: SaleResult) -> None:
    result = cli("receipt", "show", "T1/999")
    assert result.exit_code == 1
    assert "No receipt 999 on terminal T1" in result.stderr


def test_offline_printer_fails_with_a_readable_message(cli: Cli, sold: SaleResult) -> None:
    devices = '[printer]\ndriver = "network"\nhost = "127.0.0.1"\nport = 1\ntimeout = 1\n'
    result = cli("receipt", "print", str(sold.receipt_no), devices=devices)
    assert result.exit_code == 1
    assert "Printer offline: cannot reach 127.0.0.1:1" in result.stderr


def test_show_prints_the_lines(cli: Cli, sold: SaleResult) -> None:
    result = cli("receipt", "show", str(sold.receipt_no), "--width", "42")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "Demo Market Gıda Ltd. Şti." in lines[0]
    assert any(line.startswith("TOZ ŞEKER 1 KG") and line.endswith("%1 50.00") for line in lines)
    assert f"[T1/{sold.receipt_no}]" in result.stdout
    assert "COPY" not in result.stdout


def test_show_json_has_the_styled_lines(cli: Cli, sold: SaleResult) -> None:
    result = cli("receipt", "show", str(sold.receipt_no), "--json", "--width", "32")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["width"] == 32 and doc["title"] == f"Receipt T1/{sold.receipt_no}"
    total = next(line for line in doc["lines"] if line["text"].startswith("TOTAL"))
    assert total["double"] and total["bold"]
    assert any(line["barcode"] == f"T1/{sold.receipt_no}" for line in doc["lines"])

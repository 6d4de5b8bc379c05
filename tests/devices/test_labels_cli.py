"""``pos-admin labels print``: selection options, PDF to a file or under POS_HOME, ESC/POS to a file
or the configured printer, clear errors and exit codes."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from labels_support import catalog, decode_pdf, pdf_text, run_cli  # noqa: F401 (the fixture, used by name)

from pos_tui.cli import labels as labels_cli

Cli = Callable[..., Any]
pytestmark = pytest.mark.usefixtures("catalog")


@pytest.fixture
def cli(db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cli]:
    yield from run_cli(db_path, tmp_path, monkeypatch)


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch: pytest.MonkeyPatch, now: datetime) -> None:
    """The CLI's "today" is the tests' 1 November 2026."""
    monkeypatch.setattr(labels_cli, "now", lambda: now)


def test_pdf_for_products_by_code_to_a_file(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "raf.pdf"
    result = cli("labels", "print", "--product", "1001", "-p", "036000291452", "--output", str(out), "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["format"], report["count"], report["pages"], report["output"]) == ("pdf", 2, 1, str(out))
    assert [label["code"] for label in report["labels"]] == ["1001", "1003"]
    (found,) = decode_pdf(out.read_bytes())
    assert Counter(found) == Counter({("EAN13", "8690000000012"): 1, ("EAN13", "0036000291452"): 1})


def test_changed_today_goes_to_a_default_file_under_pos_home(cli: Cli, tmp_path: Path) -> None:
    result = cli("labels", "print", "--changed-since", "today", "--border")
    assert result.exit_code == 0, result.stderr
    path = Path(result.stdout.strip())
    assert path.parent == tmp_path / "labels" and path.name == "labels-20261101-101500.pdf"
    assert "Wrote 2 labels on 1 pages" in result.stderr
    (text,) = pdf_text(path.read_bytes())
    assert "Çaykur Rize Çayı 1000 g" in text and "Gül Suyu 250 ml" in text and "Şeker" not in text


def test_grid_from_devices_toml_and_options(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "grid.pdf"
    toml = "[labels]\ncolumns = 2\nrows = 2\nlabel_width = 90\nlabel_height = 50\nmargin_top = 10\n"
    result = cli("labels", "print", "--category", "Gıda", "-o", str(out), "--json", devices_toml=toml)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["pages"] == 1  # 3 labels, 4 per sheet
    result = cli("labels", "print", "--category", "Gıda", "-o", str(out), "--rows", "1", "--json", devices_toml=toml)
    assert json.loads(result.stdout)["pages"] == 2  # 2 per sheet now
    bad = cli("labels", "print", "--category", "Gıda", "-o", str(out), devices_toml="[labels]\ncolums = 2\n")
    assert bad.exit_code == 1 and "[labels]: unknown key colums" in bad.stderr


def test_escpos_to_a_file_and_to_the_configured_printer(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "labels.bin"
    result = cli("labels", "print", "-p", "1001", "-p", "KOL-400", "--format", "escpos", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    data = out.read_bytes()
    assert data.count(b"\x1dV") == 2  # one cut per label
    assert "Şeker Küp 1 kg" in data.decode("cp857") and b"{BKOL-400" in data

    printed = tmp_path / "printer.bin"
    toml = f'[printer]\ndriver = "file"\npath = "{printed}"\nwidth = 32\n'
    sent = cli("labels", "print", "-p", "1002", "--format", "escpos", devices_toml=toml)
    assert sent.exit_code == 0, sent.stderr
    assert "Sent 1 labels to the printer" in sent.stderr
    assert "Iğdır Kayısısı Kurusu 500 g" in printed.read_bytes().decode("cp857")


def test_escpos_without_a_printer_says_what_to_do(cli: Cli) -> None:
    result = cli("labels", "print", "-p", "1001", "--format", "escpos")
    assert result.exit_code == 1
    assert "No receipt printer is configured" in result.stderr


def test_bad_selections_fail_with_the_code_named(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "x.pdf"
    unknown = cli("labels", "print", "-p", "1001", "-p", "777", "-o", str(out))
    assert unknown.exit_code == 1 and "No product with barcode or code 777" in unknown.stderr
    assert not out.exists()
    nothing = cli("labels", "print", "-o", str(out))
    assert nothing.exit_code == 1 and "Choose the products to label" in nothing.stderr
    no_category = cli("labels", "print", "--category", "Oyuncak")
    assert no_category.exit_code == 1 and "No category named Oyuncak" in no_category.stderr
    bad_format = cli("labels", "print", "-p", "1001", "--format", "png")
    assert bad_format.exit_code == 2 and "--format must be pdf or escpos" in bad_format.stderr
    bad_date = cli("labels", "print", "--changed-since", "dün")
    assert bad_date.exit_code == 2

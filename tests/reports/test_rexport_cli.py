"""``pos-admin report NAME`` for every report, ``report list``, and their errors (docs/reports.md
"Exports"): a Turkish table with the totals, JSON and CSV on stdout, XLSX and PDF into a file (or a
pipe, never a terminal), the format taken from ``--output``'s extension, usage errors with exit 2."""

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
from rexport_support import FIRST, LAST, NAMES, REPO, csv_rows, header_row, pdf_text, seed_shop, xlsx_sheet

from pos_tui.cli import report_commands
from pos_tui.core.reports import CATALOGUE
from pos_tui.settings import Settings

PERIOD = ("--from", FIRST, "--to", LAST)


@pytest.fixture
def shop(db: object, settings: Settings, now: datetime, monkeypatch: pytest.MonkeyPatch) -> Settings:
    seed_shop(settings, now)
    monkeypatch.setattr(report_commands, "now", lambda: now)  # Sunday 01.11.2026 10:15 in Istanbul
    return settings


def test_report_list_names_every_report_with_its_options(cli: Callable[..., Any]) -> None:
    result = cli("report", "list", "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert [r["name"] for r in doc] == NAMES
    compare = next(r for r in doc if r["name"] == "sales-compare")
    assert compare["group"] == "sales" and compare["title"] == "Period over period"
    assert [(o["key"], o["default"], o["choices"]) for o in compare["options"]] == [
        ("against", "previous", ["previous", "last-year"])
    ]
    table = cli("report", "list", env={"COLUMNS": "200"})
    assert table.exit_code == 0 and "sales-by-day" in table.stdout and "--against previous|last-year" in table.stdout


def test_help_lists_every_report_with_its_description(cli: Callable[..., Any]) -> None:
    result = cli("report", "--help", env={"COLUMNS": "200"})
    assert result.exit_code == 0
    for entry in CATALOGUE:
        assert entry.name in result.stdout
    for old in ("x", "z", "sales", "loyalty", "nps", "donations", "suppliers", "list", "send"):
        assert f"\n  {old} " in result.stdout
    one = cli("report", "sales-compare", "--help")
    text = " ".join(one.stdout.split())
    assert "This period against the one before or the same days last year." in text
    for option in ("--from", "--to", "--period", "--terminal", "--store", "--format", "--output", "--decimal-comma"):
        assert option in text
    assert "--against" in text and "One of: previous, last-year (default: previous)." in text


HEAVY = ["pos_tui.core.reports.sales_by_day", "pos_tui.core.reports.exporting.writing"]
HEAVY += ["xlsxwriter", "reportlab", "smtplib"]


def test_help_imports_no_report_module_and_no_file_library() -> None:
    code = (
        "import json, sys\n"
        "from pos_tui.cli.app import main\n"
        "sys.argv = ['pos-admin', 'report', '--help']\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    assert not exc.code\n"
        f"print(json.dumps({{m: m in sys.modules for m in {HEAVY!r}}}))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, env=env)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1]) == dict.fromkeys(HEAVY, False)


def test_a_table_in_turkish_with_the_totals_and_the_summary(cli: Callable[..., Any], shop: Settings) -> None:
    result = cli("report", "sales-by-day", *PERIOD, env={"POS_LANG": "tr", "COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "30.10.2026–01.11.2026" in lines[0]
    row = next(line for line in lines if "30.10.2026 " in line)
    assert row.split() == ["30.10.2026", "│", "1", "│", "0", "│", "140,00", "│", "0,00", "│", "140,00", "│", "20,20"]
    totals = next(line for line in lines if "257,50" in line)
    assert totals.split()[2:] == ["3", "│", "0", "│", "257,50", "│", "0,00", "│", "257,50", "│", "34,69"]
    assert any("257,50" in line and "│" in line and len(line.split()) == 4 for line in lines)  # the summary's net


@pytest.mark.parametrize("name", NAMES)
def test_every_report_prints_its_json(name: str, cli: Callable[..., Any], shop: Settings) -> None:
    result = cli("report", name, *PERIOD, "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert (doc["report"], doc["from"], doc["to"]) == (name, FIRST, LAST)
    assert result.stderr == ""
    same = cli("report", name, *PERIOD, "--format", "json")
    assert json.loads(same.stdout) == doc


@pytest.mark.parametrize("name", NAMES)
def test_every_report_writes_every_file(name: str, cli: Callable[..., Any], shop: Settings, tmp_path: Path) -> None:
    doc = json.loads(cli("report", name, *PERIOD, "--json").stdout)
    labels = [c["label"] for c in doc["columns"] if c["people"]]  # a column for scripts is JSON's alone
    for fmt in ("csv", "xlsx", "pdf"):
        out = tmp_path / f"{name}.{fmt}"
        result = cli("report", name, *PERIOD, "--output", str(out))  # the format from the extension
        assert result.exit_code == 0, result.output
        assert f"{out}" in result.stderr and result.stdout == ""
        data = out.read_bytes()
        if fmt == "csv":
            assert csv_rows(data)[0] == labels
        elif fmt == "xlsx":
            assert header_row(xlsx_sheet(data), labels) >= 6
        else:
            assert doc["title"] in pdf_text(data)[0]


def test_json_figures_of_sales_by_day(cli: Callable[..., Any], shop: Settings) -> None:
    doc = json.loads(cli("report", "sales-by-day", *PERIOD, "--json").stdout)
    assert [(r["day"], r["receipts"], r["net"]) for r in doc["rows"]] == [
        ("2026-10-30", 1, "140.00"),
        ("2026-10-31", 1, "32.50"),
        ("2026-11-01", 1, "85.00"),
    ]
    assert doc["totals"]["net"] == "257.50" and doc["summary"] == {"receipts": 3, "net": "257.50"}
    yesterday = json.loads(cli("report", "sales-by-day", "--period", "yesterday", "--json").stdout)
    assert (yesterday["from"], yesterday["to"], yesterday["totals"]["net"]) == ("2026-10-31", "2026-10-31", "32.50")
    one_terminal = json.loads(cli("report", "sales-by-day", *PERIOD, "--terminal", "T1", "--json").stdout)
    assert one_terminal["filters"]["terminal"] == "T1" and one_terminal["totals"]["net"] == "257.50"


def test_csv_on_stdout_with_a_decimal_comma(cli: Callable[..., Any], shop: Settings) -> None:
    result = cli("report", "sales-by-day", *PERIOD, "--format", "csv", "--decimal-comma")
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes.startswith(b"\xef\xbb\xbfDay;Receipts;Returns;Gross;Discount;Net;KDV\r\n")
    assert csv_rows(result.stdout_bytes)[-1] == ["Total", "3", "0", "257,50", "0,00", "257,50", "34,69"]


def test_xlsx_to_a_pipe_but_not_to_a_terminal(
    cli: Callable[..., Any], shop: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    piped = cli("report", "sales-by-day", *PERIOD, "--format", "xlsx")
    assert piped.exit_code == 0, piped.output
    sheet = xlsx_sheet(piped.stdout_bytes)
    assert sheet.cell(header_row(sheet, ["Day"]) + 4, 6).value == 257.5
    monkeypatch.setattr(report_commands, "on_terminal", lambda: True)
    refused = cli("report", "sales-by-day", *PERIOD, "--format", "pdf")
    assert refused.exit_code == 2 and refused.stdout == ""
    assert "PDF is a file, not for the screen: give --output FILE" in refused.stderr


def test_a_pdf_file_in_turkish(cli: Callable[..., Any], shop: Settings, tmp_path: Path) -> None:
    out = tmp_path / "gunluk.pdf"
    result = cli("report", "sales-by-day", *PERIOD, "--format", "pdf", "-o", str(out), env={"POS_LANG": "tr"})
    assert result.exit_code == 0, result.output
    text = pdf_text(out.read_bytes())[0]
    assert "Demo Market Gıda Ltd. Şti." in text and "Kadıköy / İstanbul" in text
    assert "140,00" in text and "257,50" in text and "34,69" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("report", "sales-by-day", "--from", "2026-13-01"), "--from: '2026-13-01' is not a date"),
        (("report", "sales-by-day", "--to", "31.02.2026"), "--to: '31.02.2026' is not a date"),
        (("report", "sales-by-day", "--period", "fortnight"), "--period: 'fortnight' is not a period; choose one of"),
        (("report", "sales-by-day", "--period", "week", "--from", FIRST), "Give either a named period"),
        (("report", "sales-by-day", "--from", LAST, "--to", FIRST), "The report ends (30.10.2026) before it starts"),
        (("report", "sales-by-day", "--format", "xls"), "--format: 'xls' is not a format"),
        (("report", "sales-by-day", "--json", "--format", "csv"), "--json and --format csv exclude each other"),
        (("report", "sales-by-day", "--decimal-comma"), "--decimal-comma is for --format csv only"),
        (("report", "sales-by-day", "-o", "rapor.txt"), "Give --format: the file name rapor.txt does not end in"),
        (("report", "sales-by-day", "--format", "table", "-o", "r.csv"), "A table is for the screen"),
        (("report", "sales-compare", "--against", "yesterday"), "--against of report sales-compare is one of"),
        (("report", "sales-by-dya"), "No report 'sales-by-dya'; the reports are: x, z, sales"),
    ],
)
def test_usage_errors_exit_2(args: tuple[str, ...], message: str, cli: Callable[..., Any], shop: Settings) -> None:
    result = cli(*args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr and result.stdout == ""


def test_usage_errors_in_turkish(cli: Callable[..., Any], shop: Settings) -> None:
    result = cli("report", "sales-by-day", "--from", "2026-13-01", env={"POS_LANG": "tr"})
    assert result.exit_code == 2 and "bir tarih değil" in result.stderr


def test_unknown_terminal_store_and_folder_exit_1(cli: Callable[..., Any], shop: Settings, tmp_path: Path) -> None:
    terminal = cli("report", "sales-by-day", "--terminal", "T9")
    assert terminal.exit_code == 1 and "No terminal T9" in terminal.stderr
    store = cli("report", "sales-by-day", "--store", "S9")
    assert store.exit_code == 1 and "S9" in store.stderr
    folder = cli("report", "sales-by-day", "-o", str(tmp_path / "yok" / "r.csv"))
    assert folder.exit_code == 1 and "No folder" in folder.stderr
    assert not (tmp_path / "yok").exists()


def test_the_older_report_commands_stay(cli: Callable[..., Any], shop: Settings) -> None:
    result = cli("report", "sales", "--by", "product", "--from", FIRST, "--to", LAST, "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["by"] == "product" and sum(float(r["net"]) for r in doc["rows"]) == 257.5


def test_pos_admin_in_a_process_writes_csv_and_xlsx(shop: Settings, db_path: Path, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "POS_DB": str(db_path),
        "POS_HOME": str(tmp_path),
        "POS_CONFIG": str(REPO / "config" / "pos.toml"),
        "POS_LANG": "tr",
    }
    command = [sys.executable, "-m", "pos_tui.cli.app", "report", "sales-by-day", *PERIOD]
    done = subprocess.run([*command, "--format", "csv", "--decimal-comma"], capture_output=True, env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr.decode()
    assert csv_rows(done.stdout)[1:] == [
        ["2026-10-30", "1", "0", "140,00", "0,00", "140,00", "20,20"],
        ["2026-10-31", "1", "0", "32,50", "0,00", "32,50", "0,32"],
        ["2026-11-01", "1", "0", "85,00", "0,00", "85,00", "14,17"],
        ["Toplam", "3", "0", "257,50", "0,00", "257,50", "34,69"],
    ]
    xlsx = subprocess.run([*command, "-o", "gunluk.xlsx"], capture_output=True, env=env, cwd=tmp_path)
    assert xlsx.returncode == 0, xlsx.stderr.decode()
    sheet = xlsx_sheet((tmp_path / "gunluk.xlsx").read_bytes())
    assert [c.value for c in sheet[header_row(sheet, [sheet.cell(6, 1).value]) + 4]][:7] == [
        "Toplam",
        3,
        0,
        257.5,
        0,
        257.5,
        34.69,
    ]
    bad = subprocess.run([*command[:5], "--period", "dün"], capture_output=True, env=env, cwd=tmp_path)
    assert bad.returncode == 2 and "--period: 'dün'" in bad.stderr.decode()

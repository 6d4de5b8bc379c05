"""``pos-admin report`` at 80 and 120 columns, its exit codes and its ``--terminal`` (issue 17's review:
review17a and review17b proved these on main; kept here as regression tests)."""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import rstock_support as rs
from rexport_support import FIRST, LAST, seed_shop
from rstock_support import quick_pins  # noqa: F401

from pos_tui.cli import report_commands
from pos_tui.core import catalog, stock
from pos_tui.settings import Settings
from pos_tui.store import models as m

PERIOD = ("--from", FIRST, "--to", LAST)


def tr(columns: int) -> dict[str, str]:
    return {"POS_LANG": "tr", "COLUMNS": str(columns)}


@pytest.fixture
def shop(db: object, settings: Settings, now: datetime, monkeypatch: pytest.MonkeyPatch) -> Settings:
    seed_shop(settings, now)
    monkeypatch.setattr(report_commands, "now", lambda: now)
    return settings


def widest(text: str) -> int:
    return max(len(line) for line in text.splitlines())


@pytest.mark.parametrize("columns", [80, 120])
def test_heatmap_table_keeps_the_weekdays_and_whole_amounts(
    cli: Callable[..., Any], shop: Settings, columns: int
) -> None:
    """sales-heatmap (26 columns) is printed in groups of hours, the weekday repeated in each: every
    weekday and every amount whole, nothing wider than the terminal, "Toplam" whole."""
    result = cli("report", "sales-heatmap", *PERIOD, env=tr(columns))
    assert result.exit_code == 0, result.output
    out = result.stdout
    missing = [d for d in ("Pazartesi", "Cuma", "Cumartesi", "Pazar") if d not in out]
    assert not missing, f"weekday labels missing from the table: {missing}\n{out}"
    assert not re.search(r"\d,\s*$", out, re.M), "an amount is cut at the end of a line"
    assert widest(out) <= columns, out
    assert re.search(r"^\s*Toplam\b", out, re.M) and "Topl\n" not in out
    for hour in ("10", "15", "23"):  # every hour's column is somewhere
        assert re.search(rf"\b{hour}\b", out), hour
    assert "140,00" in out and "32,50" in out and "85,00" in out


@pytest.mark.parametrize("columns", [80, 120])
def test_kdv_table_keeps_its_day_column(cli: Callable[..., Any], shop: Settings, columns: int) -> None:
    """kdv (12 columns): the day column and "Toplam" stay, no header word is cut."""
    result = cli("report", "kdv", *PERIOD, env=tr(columns))
    assert result.exit_code == 0, result.output
    out = result.stdout
    body = out.split("Dönem", 1)[1].split("\n", 1)[1]
    assert "30.10.2026" in body and "01.11.2026" in body, out
    assert re.search(r"^\s*Toplam\b", out, re.M), out
    assert "Topla\n" not in out and not re.search(r"\bTicar\s", out), out
    assert widest(out) <= columns, out
    assert not re.search(r"\d,\s*$", out, re.M), out


def test_a_narrow_table_is_still_one_table(cli: Callable[..., Any], shop: Settings) -> None:
    """sales-by-day fits 80 columns: printed once, not in groups."""
    result = cli("report", "sales-by-day", *PERIOD, env=tr(80))
    assert result.exit_code == 0, result.output
    body = result.stdout.split("\n", 1)[1]  # below the title (which names the period)
    assert body.count("30.10.2026") == 1 and body.count("Gün") == 1 and widest(result.stdout) <= 80


def test_report_list_at_80_columns_does_not_cut_an_option_value(cli: Callable[..., Any]) -> None:
    result = cli("report", "list", env=tr(80))
    assert result.exit_code == 0
    assert "previous|last-year" in result.stdout, result.stdout
    assert widest(result.stdout) <= 80


@pytest.mark.parametrize("weeks", ["0", "abc", "100"])
def test_a_bad_option_value_is_a_usage_error(cli: Callable[..., Any], shop: Settings, weeks: str) -> None:
    result = cli("report", "collections-forecast", *PERIOD, "--weeks", weeks)
    assert result.exit_code == 2, (result.exit_code, result.output)
    assert "--weeks" in result.stderr or "weeks" in result.stderr


def test_a_failing_report_still_exits_1(cli: Callable[..., Any], shop: Settings) -> None:
    result = cli("report", "sales-by-day", *PERIOD, "--store", "NOPE")
    assert result.exit_code == 1, result.output


def test_a_terminal_with_a_stock_location_but_no_history(
    db: object, settings: Settings, cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """T2 is assigned to DEPO2 but never logged in or sold: its stock reports are readable by terminal."""
    start = rs.at(8, 1)
    admin = rs.people(settings, start)
    m.Supplier.create(code="ACME", name="Acme", created_at=start.replace(tzinfo=None))
    catalog.upsert_products(
        [catalog.ProductInput(code="1001", name="Çay", price=Decimal("12.00"), kdv_rate=20)],
        now=start,
        kdv_rates=settings.kdv_rates,
    )
    catalog.add_store("S2", "Kadıköy", now=start, terminal="T1")
    stock.add_location("DEPO2", "Kadıköy depo", terminal="T1", now=start, store_code="S2")
    stock.assign_terminal("T2", "DEPO2", terminal="T1", now=start)
    rs.receive(admin, settings, rs.at(10, 1), "ACME", ("1001", "4", "10.00"), location="DEPO2")
    monkeypatch.setattr(report_commands, "now", lambda: rs.NOW)
    result = cli("report", "stock-value", "--from", "2026-10-01", "--to", "2026-10-31", "--terminal", "T2", "--json")
    assert result.exit_code == 0, result.output
    assert [r["code"] for r in json.loads(result.stdout)["rows"]] == ["1001"]
    unknown = cli("report", "stock-value", "--period", "month", "--terminal", "T9")
    assert unknown.exit_code == 1 and "T9" in unknown.stderr


def test_this_machines_own_terminal_is_accepted(cli: Callable[..., Any], db: object, monkeypatch) -> None:
    """A fresh shop: nothing recorded yet, but --terminal with this machine's id (POS_TERMINAL) is its own."""
    result = cli("report", "sales-by-day", "--period", "today", "--terminal", "T1", "--json")
    assert result.exit_code == 0, result.output
    assert cli("report", "sales-by-day", "--period", "today", "--terminal", "T7").exit_code == 1


def test_a_folder_as_output_is_a_usage_error(cli: Callable[..., Any], shop: Settings, tmp_path: Path) -> None:
    """``-o FOLDER/`` (existing or not) and ``-o FOLDER``: refused in the shop's words, exit 2 (Click
    said "is a directory" in English; a missing folder with a slash became a file without one)."""
    folder = tmp_path / "raporlar"
    folder.mkdir()
    for given in (f"{folder}/", str(folder), f"{tmp_path}/yok/"):
        result = cli("report", "sales-by-day", *PERIOD, "-o", given, "--format", "csv")
        assert result.exit_code == 2, (given, result.output)
        assert "is a folder; give a file name to write the report to" in result.stderr
        assert "directory" not in result.output
    assert not (tmp_path / "yok").exists() and list(folder.iterdir()) == []


@pytest.mark.parametrize(
    ("args", "named", "fmt"),
    [(("--format", "csv"), "xlsx", "CSV"), (("--json",), "csv", "JSON"), (("--format", "pdf"), "json", "PDF")],
)
def test_a_file_name_naming_another_format_is_refused(
    cli: Callable[..., Any], shop: Settings, tmp_path: Path, args: tuple[str, ...], named: str, fmt: str
) -> None:
    target = tmp_path / f"rapor.{named}"
    result = cli("report", "sales-by-day", *PERIOD, *args, "-o", str(target))
    assert result.exit_code == 2, result.output
    assert f"says {named.upper()}, but the format is {fmt}" in result.stderr
    assert not target.exists()
    other = cli("report", "sales-by-day", *PERIOD, "--format", "csv", "-o", str(tmp_path / "rapor.txt"))
    assert other.exit_code == 0 and (tmp_path / "rapor.txt").read_bytes().startswith(b"\xef\xbb\xbf")


def test_a_refused_mail_server_is_said_without_python_words(
    cli: Callable[..., Any], shop: Settings, tmp_path: Path
) -> None:
    from rexport_support import smtp_config

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again: nothing listens there
    env = {"POS_CONFIG": str(smtp_config(tmp_path, port))}
    result = cli("report", "send", "sales-by-day", "--to", "o@example.com", "--period", "yesterday", env=env)
    assert result.exit_code == 1
    assert f"Cannot send through the mail server 127.0.0.1:{port}: the connection was refused" in result.stderr
    assert "Errno" not in result.stderr and "Connection refused" not in result.stderr

"""``pos-admin report`` at 80 and 120 columns, its exit codes and its ``--terminal`` (issue 17's review:
review17a and review17b proved these on main; kept here as regression tests)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from rexport_support import FIRST, LAST, seed_shop
from rstock_support import quick_pins  # noqa: F401

from pos_tui.cli import report_commands
from pos_tui.settings import Settings

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

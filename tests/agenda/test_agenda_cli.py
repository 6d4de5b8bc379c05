"""``pos-admin agenda add|list|done|snooze|reopen|export`` through CliRunner (JSON on stdout, errors
on stderr), the iCalendar file parsed back, and one run as a real process in Turkish."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from agenda_support import Books, books_fixture, cheque, quick_pins  # noqa: F401
from icalendar import Calendar, vRecur

from pos_tui.cli import agenda as agenda_cli

Cli = Callable[..., Any]


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch: pytest.MonkeyPatch, now: datetime) -> None:
    monkeypatch.setattr(agenda_cli, "now", lambda: now)  # Sunday 01.11.2026 10:15 in Istanbul


def ok(result: Any) -> Any:
    assert result.exit_code == 0, result.stderr
    return result


def test_add_list_done_snooze_reopen_json(cli: Cli, books: Books) -> None:
    added = json.loads(
        ok(
            cli(
                "agenda",
                "add",
                "Bayram mesaisi",
                "--due",
                "29.10.2026",
                "--text",
                "Kapalı mıyız?",
                "--link",
                "party:BAKKAL",
                "--role",
                "cashier",
                "--json",
            )
        ).stdout
    )
    assert {
        k: added[k] for k in ("id", "title", "due", "all_day", "link", "role", "holiday", "weekend", "overdue")
    } == {
        "id": 1,
        "title": "Bayram mesaisi",
        "due": "2026-10-29",
        "all_day": True,
        "link": "party:BAKKAL",
        "role": "cashier",
        "holiday": "Cumhuriyet Bayramı",
        "weekend": False,
        "overdue": True,
    }
    weekly = json.loads(
        ok(
            cli("agenda", "add", "Sipariş", "--due", "2026-11-07T09:00", "--rrule", "FREQ=WEEKLY;BYDAY=SA", "--json")
        ).stdout
    )
    assert (weekly["due"], weekly["rrule"], weekly["weekend"], weekly["holiday"]) == (
        "2026-11-07T09:00:00+03:00",
        "FREQ=WEEKLY;BYDAY=SA",
        True,
        None,
    )
    listed = json.loads(ok(cli("agenda", "list", "--json")).stdout)
    assert [e["id"] for e in listed] == [1, 2]
    assert [e["id"] for e in json.loads(ok(cli("agenda", "list", "--overdue", "--json")).stdout)] == [1]
    assert [e["id"] for e in json.loads(ok(cli("agenda", "list", "--user", "mehmet", "--json")).stdout)] == [2]
    assert [
        e["id"]
        for e in json.loads(ok(cli("agenda", "list", "--from", "05.11.2026", "--to", "10.11.2026", "--json")).stdout)
    ] == [1, 2]
    moved = json.loads(ok(cli("agenda", "done", "2", "--json")).stdout)
    assert (moved["status"], moved["due"]) == ("open", "2026-11-14T09:00:00+03:00")
    snoozed = json.loads(ok(cli("agenda", "snooze", "1", "--hours", "2", "--json")).stdout)
    assert snoozed["snoozed_until"] == "2026-11-01T12:15:00+03:00"
    assert [e["id"] for e in json.loads(ok(cli("agenda", "list", "--json")).stdout)] == [2]
    assert len(json.loads(ok(cli("agenda", "list", "--all", "--json")).stdout)) == 2
    tomorrow = json.loads(ok(cli("agenda", "snooze", "1", "--json")).stdout)
    assert tomorrow["snoozed_until"] == "2026-11-02T09:00:00+03:00"
    done = json.loads(ok(cli("agenda", "done", "1", "--by", "ayse", "--json")).stdout)
    assert (done["status"], done["done_by"]) == ("done", "ayse")
    assert json.loads(ok(cli("agenda", "reopen", "1", "--json")).stdout)["status"] == "open"


def test_errors_are_specific(cli: Cli, books: Books) -> None:
    bad = cli("agenda", "add", "X", "--due", "31.02.2026")
    assert bad.exit_code == 1 and "--due: '31.02.2026' is not a date" in bad.stderr
    bad = cli("agenda", "add", "X", "--due", "01.12.2026", "--rrule", "FREQ=OFTEN")
    assert bad.exit_code == 1 and "not a recurrence rule" in bad.stderr
    bad = cli("agenda", "add", "X", "--role", "patron")  # kasiyer is the cashier's role
    assert bad.exit_code == 1 and "no role 'patron'" in bad.stderr
    assert cli("agenda", "done", "99").exit_code == 1
    assert json.loads(ok(cli("agenda", "list", "--json")).stdout) == []


def test_export_ics_parses_back_with_uids_and_rules(cli: Cli, books: Books, tmp_path: Path) -> None:
    ok(cli("agenda", "add", "Kira", "--due", "15.11.2026 10:00", "--rrule", "FREQ=MONTHLY;BYMONTHDAY=15;COUNT=12"))
    ok(cli("agenda", "add", "Bayram", "--due", "29.10.2026", "--kind", "note"))
    row = cheque(books, 7, 250_000, datetime(2026, 11, 4).date())
    target = tmp_path / "ajanda.ics"
    assert json.loads(ok(cli("agenda", "export", "--ics", str(target), "--json")).stdout)["entries"] == 3
    cal = Calendar.from_ical(target.read_bytes())
    todos = {str(t["uid"]): t for t in cal.walk("VTODO")}
    assert set(todos) == {"1@pos_tui", "2@pos_tui", "3@pos_tui"}
    kira = todos["1@pos_tui"]
    assert dict(kira["rrule"]) == dict(vRecur.from_ical("FREQ=MONTHLY;BYMONTHDAY=15;COUNT=12"))
    assert dict(kira["rrule"]) == {"FREQ": ["MONTHLY"], "BYMONTHDAY": [15], "COUNT": [12]}
    due = kira.decoded("due")
    assert due.astimezone(UTC) == datetime(2026, 11, 15, 7, 0, tzinfo=UTC)
    assert str(kira["due"].params["TZID"]) == "Europe/Istanbul"
    assert cal.walk("VTIMEZONE")
    assert todos["2@pos_tui"].decoded("due") == datetime(2026, 10, 29).date()
    assert str(todos["3@pos_tui"]["x-pos-source"]) == f"cheque:{row.id}"
    # exported again: the same UIDs
    ok(cli("agenda", "export", "--ics", str(target)))
    assert {str(t["uid"]) for t in Calendar.from_ical(target.read_bytes()).walk("VTODO")} == set(todos)


def test_a_real_process_in_turkish(books: Books, db_path: Path, tmp_path: Path) -> None:
    repo = Path(__file__).resolve().parents[2]
    env = {
        **os.environ,
        "POS_DB": str(db_path),
        "POS_HOME": str(tmp_path),
        "POS_CONFIG": str(repo / "config" / "pos.toml"),
        "POS_LANG": "tr",
        "POS_TERMINAL": "T1",
    }

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "pos_tui.cli.app", *args], env=env, capture_output=True, text=True)

    added = run("agenda", "add", "Sayım", "--due", "2030-01-02 09:00", "--json")
    assert added.returncode == 0, added.stderr
    assert json.loads(added.stdout)["due"] == "2030-01-02T09:00:00+03:00"
    bad = run("agenda", "snooze", "1", "--until", "dün")
    assert bad.returncode == 1 and bad.stderr.startswith("hata: ")


def test_list_as_a_table_flags_holidays_and_weekends(cli: Cli, books: Books) -> None:
    ok(cli("agenda", "add", "Bayram", "--due", "29.10.2026"))
    ok(cli("agenda", "add", "Pazar işi", "--due", "08.11.2026 11:00", "--user", "ayse"))
    out = ok(cli("agenda", "list")).stdout
    # (the table wraps long cells at the test terminal's width)
    assert "Cumhuriyet" in out and "weekend" in out and "08.11.2026 11:00" in out and "ayse" in out
    empty = ok(cli("agenda", "list", "--to", "28.10.2026"))
    assert empty.stdout == "" and "Nothing on the agenda" in empty.stderr

"""``pos-admin report x|z|sales`` and ``pos-admin audit verify`` (in-process and installed)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from pos_tui.core import staff
from pos_tui.core.kernel import Actor, AuthenticationFailed
from pos_tui.core.till import SaleResult
from pos_tui.settings import Settings
from pos_tui.store import models as m

Cli = Callable[..., Any]
Sell = Callable[..., SaleResult]
Tamper = Callable[..., None]
REPO = Path(__file__).resolve().parents[2]
Z_KEYS = {
    "z_no",
    "terminal",
    "at",
    "user",
    "from",
    "to",
    "sales_count",
    "returns_count",
    "gross",
    "returns",
    "net",
    "by_payment",
    "by_kdv",
    "grand_total",
}


@pytest.fixture
def two_sales(people: dict[str, Actor], sell: Sell, now: datetime) -> list[SaleResult]:
    ayse = people["ayse"]
    return [
        sell(ayse, [("1001", 2000), ("2001", 1000)], [("cash", "100.00")], now=now),
        sell(ayse, [("3001", 1500)], [("card", "300.00")], now=now + timedelta(hours=4)),
    ]


def test_report_x_shows_what_the_next_z_would_hold(two_sales: list[SaleResult], cli: Cli) -> None:
    result = cli("report", "x", "--json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert set(doc) == Z_KEYS | {"journal_head"}
    head = m.JournalEntry.select().order_by(m.JournalEntry.id.desc()).first()
    assert doc["journal_head"] == {"entry": head.id, "hash": head.hash[:12]}
    assert (doc["z_no"], doc["terminal"], doc["user"], doc["sales_count"], doc["net"]) == (1, "T1", None, 2, "370.00")
    assert m.ZClosure.select().count() == 0
    human = cli("report", "x")
    assert "X report of T1 (next Z: 1)" in human.stdout and "370.00" in human.stdout
    assert "Journal head" in human.stdout and f"{head.id}:{head.hash[:12]}" in human.stdout


def test_report_z_json_contract_and_numbering(
    two_sales: list[SaleResult], cli: Cli, settings: Settings, now: datetime
) -> None:
    first = cli("report", "z", "--yes", "--json")
    assert first.exit_code == 0, first.stderr
    doc = json.loads(first.stdout)
    assert doc == {
        "z_no": 1,
        "terminal": "T1",
        "at": doc["at"],
        "user": "admin",
        "from": "2026-11-01T10:15:00+03:00",
        "to": "2026-11-01T14:15:00+03:00",
        "sales_count": 2,
        "returns_count": 0,
        "gross": "370.00",
        "returns": "0.00",
        "net": "370.00",
        "by_payment": {"card": "300.00", "cash": "70.00"},
        "by_kdv": {
            "1": {"base": "19.80", "kdv": "0.20"},
            "10": {"base": "272.73", "kdv": "27.27"},
            "20": {"base": "41.67", "kdv": "8.33"},
        },
        "grand_total": "370.00",
        "journal_head": doc["journal_head"],
    }
    z_entry = m.JournalEntry.get(m.JournalEntry.kind == "z")
    assert doc["journal_head"] == {"entry": z_entry.id, "hash": z_entry.hash[:12]}  # the Z's own entry
    second = cli("report", "z", "--yes", "--json", "--user", "mehmet")
    doc2 = json.loads(second.stdout)
    assert (doc2["z_no"], doc2["user"], doc2["sales_count"], doc2["grand_total"]) == (2, "mehmet", 0, "370.00")
    assert "Z 2 is a zero Z" in second.stderr
    with pytest.raises(AuthenticationFailed):  # a PIN typed on T9: a terminal that exists, with nothing sold
        staff.login("0000", terminal="T9", now=now, settings=settings)
    other = json.loads(cli("report", "z", "--yes", "--json", "--terminal", "T9").stdout)
    assert (other["z_no"], other["terminal"]) == (1, "T9")


def test_report_z_asks_and_needs_an_admin_or_a_permitted_user(
    cli: Cli, people: dict[str, Actor], two_sales: list[SaleResult]
) -> None:
    declined = cli("report", "z", input="n\n")
    assert declined.exit_code == 1
    assert "Take Z 1 of T1 (2 documents, net 370.00)?" in declined.stderr
    assert m.ZClosure.select().count() == 0
    cashier = cli("report", "z", "--yes", "--user", "ayse")
    assert cashier.exit_code == 1 and "ayse may not see reports" in cashier.stderr
    assert cli("report", "z", "--yes", "--user", "nobody").exit_code == 1
    human = cli("report", "z", "--yes")
    assert human.exit_code == 0 and "Z 1 of T1" in human.stdout


def test_report_z_without_any_admin(cli: Cli) -> None:
    assert cli("init").exit_code == 0
    result = cli("report", "z", "--yes")
    assert result.exit_code == 1
    assert "There is no active admin user" in result.stderr


def test_report_sales(two_sales: list[SaleResult], cli: Cli) -> None:
    result = cli("report", "sales", "--by", "hour", "--from", "2026-11-01", "--to", "2026-11-01", "--json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert (doc["by"], doc["from"], doc["to"]) == ("hour", "2026-11-01", "2026-11-01")
    assert [(r["key"], r["net"], r["count"]) for r in doc["rows"]] == [("10", "70.00", 1), ("14", "300.00", 1)]
    product = cli("report", "sales", "--by", "product", "--from", "2026-11-01")
    assert product.exit_code == 0 and "Beyaz Peynir" in product.stdout
    empty = cli("report", "sales", "--from", "2020-01-01")
    assert empty.exit_code == 0 and "No sales from 2020-01-01 to 2020-01-01." in empty.stderr
    assert cli("report", "sales", "--by", "weekday").exit_code == 2
    assert cli("report", "sales", "--from", "31.02.2026").exit_code == 2
    turkish = cli("report", "sales", "--from", "01.11.2026", "--json")  # the date as written in Türkiye
    assert turkish.exit_code == 0 and turkish.stdout == cli("report", "sales", "--from", "2026-11-01", "--json").stdout


def test_audit_verify_cli(two_sales: list[SaleResult], cli: Cli, tamper: Tamper) -> None:
    intact = cli("audit", "verify", "--json")
    assert intact.exit_code == 0, intact.stderr
    report = json.loads(intact.stdout)
    assert (report["ok"], report["problems"], report["first_broken"]) == (True, [], None)
    assert report["entries"] == m.JournalEntry.select().count()
    assert "Intact" in cli("audit", "verify").stderr

    uid = two_sales[1].uid
    entry_id = m.JournalEntry.get(m.JournalEntry.ref == uid).id
    tamper("DROP TRIGGER sale_no_update", f"UPDATE sale SET total = 1 WHERE uid = '{uid}'")
    broken = cli("audit", "verify")
    assert broken.exit_code == 1
    assert f"First broken: entry {entry_id} (sale {uid}): the sale in the tables differs" in broken.stderr
    assert broken.stdout == ""
    as_json = cli("audit", "verify", "--json")
    assert as_json.exit_code == 1
    assert json.loads(as_json.stdout)["first_broken"] == entry_id


def test_audit_verify_needs_an_existing_database(cli: Cli, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.sqlite3"
    result = cli("--db", str(missing), "audit", "verify")
    assert result.exit_code == 1 and "No database at" in result.stderr
    assert not missing.exists()


@pytest.mark.slow
def test_installed_pos_admin_audit_verify(
    two_sales: list[SaleResult], db_path: Path, tmp_path: Path, tamper: Tamper
) -> None:
    # the pos-admin installed beside the Python running the tests (a venv's bin/ need not be on PATH)
    exe = shutil.which("pos-admin", path=os.path.dirname(sys.executable)) or shutil.which("pos-admin")
    assert exe, "pos-admin is not installed (pip install -e .)"
    env = {
        **os.environ,
        "POS_DB": str(db_path),
        "POS_HOME": str(tmp_path),
        "POS_LANG": "en",
        "POS_CONFIG": str(REPO / "config" / "pos.toml"),
    }
    ok = subprocess.run([exe, "audit", "verify", "--json"], capture_output=True, text=True, env=env, timeout=60)
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["ok"] is True

    last = m.JournalEntry.select().order_by(m.JournalEntry.id.desc()).first().id
    tamper("DROP TRIGGER journal_entry_no_delete", f"DELETE FROM journal_entry WHERE id = {last}")
    cut = subprocess.run([exe, "audit", "verify"], capture_output=True, text=True, env=env, timeout=60)
    assert cut.returncode == 1
    assert f"First broken: the journal ends at entry {last - 1} but its head records entry {last}" in cut.stderr

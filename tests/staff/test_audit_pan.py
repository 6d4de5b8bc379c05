"""``pos-admin audit pan``: a card number planted with raw SQL is found in any table, column or
journal payload, reported masked (never the number itself), exit 1; a normal day is clean."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from pos_tui.core import audit, cash
from pos_tui.core.kernel import Actor
from pos_tui.core.till import SaleResult
from pos_tui.store import close_database, database
from pos_tui.store import models as m

PAN = "4111111111111111"
CONFIG = str(Path(__file__).resolve().parents[2] / "config" / "pos.toml")

Sell = Callable[..., SaleResult]


@pytest.fixture
def day(people: dict[str, Actor], now: datetime, sell: Sell) -> SaleResult:
    """A shift, a cash sale, a card sale with a masked terminal reference, a paid-out."""
    ayse = people["ayse"]
    shift = cash.open_shift("T1", ayse, Decimal("100.00"), now=now)
    sell(ayse, [("1001", 2000)], [("cash", "20.00")], now=now, shift_id=shift.id)
    sale = sell(ayse, [("2001", 1000)], [("card", "50.00")], now=now, shift_id=shift.id)
    unguard()
    m.Payment.update(reference="411111******1111 onay 123456").where(m.Payment.sale == sale.sale_id).execute()
    cash.paid_out("T1", ayse, Decimal("20.00"), "cam silen 05321234567", now=now)
    return sale


def unguard() -> None:
    """Drop the insert-only triggers, as someone with the file and a SQL shell would."""
    for (name,) in database.obj.execute_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
        database.obj.execute_sql(f'DROP TRIGGER "{name}"')


def plant(sql: str, *params: Any) -> None:
    database.obj.execute_sql(sql, params)


def test_a_normal_day_holds_no_card_number(day: SaleResult) -> None:
    assert audit.scan_pans() == []


def test_a_planted_card_number_is_found_where_it_is(day: SaleResult) -> None:
    plant(
        "INSERT INTO customer (code, name, name_key, kind, address, created_at)"
        " VALUES ('C1', 'Ayşe', 'ayse', 'retail', ?, '2026-11-01 07:00:00')",
        "Moda Cad. 4111.1111.1111.1111",
    )
    customer = m.Customer.get(m.Customer.code == "C1").id
    entry = m.JournalEntry.select().order_by(m.JournalEntry.id.desc()).get()
    payload = json.loads(entry.payload)
    payload["note"] = "kart ５５５５５５５５５５５５４４４４"
    plant("UPDATE journal_entry SET payload = ? WHERE id = ?", json.dumps(payload), entry.id)
    plant("CREATE TABLE notes_from_elsewhere (id INTEGER PRIMARY KEY, body TEXT)")
    plant("INSERT INTO notes_from_elsewhere (id, body) VALUES (7, ?)", "6011 1111 1111 1117")
    found = {(f.table, f.row, f.column, f.masked, f.scheme) for f in audit.scan_pans()}
    assert found == {
        ("customer", str(customer), "address", "411111******1111", "Visa"),
        ("journal_entry", str(entry.id), "payload", "555555******4444", "Mastercard"),
        ("notes_from_elsewhere", "7", "body", "601111******1117", "Discover"),
    }


def test_a_byte_that_is_not_utf8_is_scanned_not_a_traceback(day: SaleResult) -> None:
    plant("UPDATE cash_movement SET reason = CAST(X'ff2034313131313131313131313131313131' AS TEXT)")
    (finding,) = audit.scan_pans()
    assert (finding.table, finding.column, finding.masked) == ("cash_movement", "reason", "411111******1111")


def test_pos_admin_audit_pan_reports_masked_and_exits_1(day: SaleResult, cli: Callable[..., Any]) -> None:
    clean = cli("audit", "pan", "--json")
    assert clean.exit_code == 0, clean.output
    assert json.loads(clean.stdout) == {"ok": True, "found": []}
    plant("UPDATE payment SET reference = ?", "4111 1111 1111 1111")
    result = cli("audit", "pan", "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["ok"] is False
    assert {(f["table"], f["column"], f["masked"]) for f in report["found"]} == {
        ("payment", "reference", "411111******1111")
    }
    assert len(report["found"]) == m.Payment.select().count()
    human = cli("audit", "pan")
    assert human.exit_code == 1
    assert "411111******1111" in human.stdout and "payment" in human.stdout
    assert "card numbers are stored" in human.stderr
    for output in (result.stdout, result.stderr, human.stdout, human.stderr):
        assert PAN not in output and "4111 1111 1111 1111" not in output


def test_hashes_and_ids_are_not_taken_for_card_numbers(day: SaleResult) -> None:
    digest = PAN + "abcdef" * 8  # a hex digest that happens to start with a Luhn-valid run
    plant("INSERT INTO meta_entry (key, value) VALUES ('anchor', ?)", f"7:{digest}")
    plant("UPDATE journal_entry SET hash = ? WHERE id = 1", digest)
    plant("UPDATE sale SET uid = ? WHERE id = 1", "41111111-1111-1111-4111-111111111111")
    assert audit.scan_pans() == []
    plant("INSERT INTO meta_entry (key, value) VALUES ('typed', ?)", f"not a digest {PAN}")
    assert [(f.table, f.row, f.column) for f in audit.scan_pans()] == [("meta_entry", "typed", "value")]


def test_progress_counts_every_row_read(day: SaleResult) -> None:
    seen: list[int] = []
    audit.scan_pans(progress=seen.append)
    assert sum(seen) == audit.scan_size() > 0


@pytest.mark.slow
def test_installed_pos_admin_audit_pan(day: SaleResult, db_path: Path, tmp_path: Path) -> None:
    exe = shutil.which("pos-admin", path=os.path.dirname(sys.executable)) or shutil.which("pos-admin")
    assert exe, "pos-admin is not installed (pip install -e .)"
    env = {**os.environ, "POS_DB": str(db_path), "POS_HOME": str(tmp_path), "POS_LANG": "tr", "POS_CONFIG": CONFIG}
    close_database()  # the file is the subprocess's now
    plant_in_file(db_path, "UPDATE cash_movement SET reason = ?", "kart 3530-1113-3330-0000")
    result = subprocess.run([exe, "audit", "pan", "--json"], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 1, result.stderr
    (found,) = json.loads(result.stdout)["found"]
    assert (found["table"], found["column"], found["masked"]) == ("cash_movement", "reason", "353011******0000")
    assert "3530111333300000" not in result.stdout + result.stderr


def plant_in_file(path: Path, sql: str, *params: Any) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute(sql, params)

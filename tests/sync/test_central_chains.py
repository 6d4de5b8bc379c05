"""The centre's audit of the terminals' chains as received (pos_tui.core.sync.verify_chains) and
``pos-admin audit verify`` on a centre."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from central_support import DAY, Centre, chain_data
from peewee import Database

from pos_tui.core import sync
from pos_tui.core.kernel.journal import canonical, chain_hash
from pos_tui.i18n import set_language
from pos_tui.store.guards import drop_guards

pytestmark = pytest.mark.postgres
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def centre(db: Database, central_url: str) -> Iterator[Centre]:
    """The shop's data at a fresh centre whose insert-only guards on the received documents were
    dropped, as someone changing them behind pos_tui's back would do first."""
    central = sync.open_central(central_url)
    central.connect()
    try:
        data = chain_data(central)
        for table in ("sync_document", "sync_ledger"):
            drop_guards(central, table)
        yield data
    finally:
        central.close()


def _body(c: Centre, terminal: str, seq: int) -> dict:
    row = c.db.execute_sql("SELECT body FROM sync_document WHERE terminal = %s AND seq = %s", (terminal, seq))
    return json.loads(row.fetchone()[0])


def _rewrite(c: Centre, terminal: str, seq: int, body: dict) -> None:
    c.db.execute_sql(
        "UPDATE sync_document SET body = %s WHERE terminal = %s AND seq = %s", (json.dumps(body), terminal, seq)
    )


def _found(c: Centre) -> list[tuple[str, int | None, str]]:
    return [(f.terminal, f.seq, f.code) for f in sync.verify_chains(c.db)]


def test_intact_chains_have_no_finding(centre: Centre) -> None:
    summary: list[sync.ChainSummary] = []
    steps: list[int] = []
    assert sync.verify_chains(centre.db, progress=steps.append, summary=summary) == []
    assert summary == [sync.ChainSummary(terminals=3, documents=11)]
    assert len(steps) == sync.chain_size(centre.db) == 11


def test_a_tampered_payload_is_found_by_terminal_and_seq(centre: Centre) -> None:
    body = _body(centre, "T1", 2)
    payload = json.loads(body["journal"][0]["payload"])
    payload["total"] = "3.00"  # 30,00 → 3,00
    body["journal"][0]["payload"] = canonical(payload)
    _rewrite(centre, "T1", 2, body)
    findings = sync.verify_chains(centre.db)
    assert [(f.terminal, f.seq, f.code) for f in findings] == [("T1", 2, "hash")]
    set_language("tr")
    try:
        text = str(findings[0])
    finally:
        set_language("en")
    assert "T1" in text and "2" in text
    assert findings[0].as_json()["seq"] == 2


def test_a_rehashed_entry_breaks_the_link_to_the_next_document(centre: Centre) -> None:
    """Changing a payload and recomputing its hash (and the document's) still shows: the next
    document's first entry links to the old hash."""
    body = _body(centre, "T2", 1)
    entry = body["journal"][0]
    payload = json.loads(entry["payload"])
    payload["total"] = "4.00"
    entry["payload"] = canonical(payload)
    entry["hash"] = chain_hash(entry["prev_hash"], entry["payload"])
    body["hash"] = entry["hash"]
    _rewrite(centre, "T2", 1, body)
    centre.db.execute_sql("UPDATE sync_document SET hash = %s WHERE terminal = 'T2' AND seq = 1", (entry["hash"],))
    assert _found(centre) == [("T2", 2, "link")]


def test_a_broken_link_between_documents(centre: Centre) -> None:
    """A terminal whose next document does not follow its last one (entries cut out between them)."""
    centre.terminals["T3"].head = "f" * 64
    centre.stock("T3", DAY + timedelta(hours=6), "1001", "DEPO2", 1000)
    assert _found(centre) == [("T3", 4, "link")]


def test_a_missing_document_below_the_high_water_mark(centre: Centre) -> None:
    centre.db.execute_sql("DELETE FROM sync_ledger WHERE document = (SELECT uid FROM sync_document "
                          "WHERE terminal = 'T1' AND seq = 4)")  # fmt: skip
    centre.db.execute_sql("DELETE FROM sync_document WHERE terminal = 'T1' AND seq = 4")
    assert _found(centre) == [("T1", 4, "gap")]
    # the tail too: the centre had every document up to 5
    centre.db.execute_sql(
        "DELETE FROM sync_ledger WHERE document IN (SELECT uid FROM sync_document WHERE terminal = 'T1' AND seq >= 3)"
    )
    centre.db.execute_sql("DELETE FROM sync_document WHERE terminal = 'T1' AND seq >= 3")
    assert _found(centre) == [("T1", 3, "gap")]
    assert "3" in str(sync.verify_chains(centre.db)[0]) and "5" in str(sync.verify_chains(centre.db)[0])


def test_documents_waiting_beyond_the_high_water_mark_are_no_finding(centre: Centre) -> None:
    centre.sale("T3", DAY + timedelta(hours=3), [("1003", 1, "50.00", 10, "0")], [("cash", "50.00")], push=False)
    centre.stock("T3", DAY + timedelta(hours=4), "1003", "DEPO2", 1000)
    assert _found(centre) == []


def test_a_changed_ledger_row_or_header(centre: Centre) -> None:
    centre.db.execute_sql("UPDATE sync_ledger SET amount = 4800 WHERE ledger = 'points' AND key = 'M1' AND amount = 48")
    assert _found(centre) == [("T3", 1, "ledger")]
    centre.db.execute_sql("UPDATE sync_ledger SET amount = 48 WHERE amount = 4800")
    centre.db.execute_sql(
        "INSERT INTO sync_ledger (origin, document, terminal, store, tbl, ledger, key, place, amount, at, data) "
        "VALUES ('T3:points_entry:99', 'x', 'T3', 'S2', 'points_entry', 'points', 'M9', '', 500, now(), '{}')"
    )
    assert _found(centre) == [("T3", None, "ledger")]
    centre.db.execute_sql("DELETE FROM sync_ledger WHERE origin = 'T3:points_entry:99'")
    centre.db.execute_sql("UPDATE sync_document SET seq = 9 WHERE terminal = 'T3' AND seq = 3")
    codes = _found(centre)
    assert ("T3", 9, "body") in codes  # the row says 9, its body 3
    centre.db.execute_sql("UPDATE sync_document SET seq = 3 WHERE terminal = 'T3' AND seq = 9")
    centre.db.execute_sql("UPDATE sync_document SET body = 'not json' WHERE terminal = 'T2' AND seq = 2")
    assert ("T2", 2, "body") in _found(centre)


def test_the_high_water_head_must_match(centre: Centre) -> None:
    centre.db.execute_sql("UPDATE sync_terminal SET head_hash = %s WHERE terminal = 'T2'", ("a" * 64,))
    assert _found(centre) == [("T2", 3, "high_water")]


def test_audit_verify_on_a_centre(centre: Centre, central_url: str, tmp_path: Path, cli: Callable[..., Any]) -> None:
    def verify() -> tuple[int, str, str]:
        result = cli("--db", central_url, "audit", "verify", "--json")
        return result.exit_code, result.stdout, result.stderr

    code, out, err = verify()
    assert code == 0, err
    report = json.loads(out)
    assert report["ok"] is True
    assert report["centre"] == {"terminals": 3, "documents": 11, "findings": []}
    body = _body(centre, "T1", 1)
    payload = json.loads(body["journal"][0]["payload"])
    payload["total"] = "1.00"
    body["journal"][0]["payload"] = canonical(payload)
    _rewrite(centre, "T1", 1, body)
    code, out, err = verify()
    assert code == 1
    report = json.loads(out)
    assert report["ok"] is False
    assert [(f["terminal"], f["seq"], f["code"]) for f in report["centre"]["findings"]] == [("T1", 1, "hash")]
    # a subprocess, in Turkish: the finding names the terminal and the document
    env = {**os.environ, "POS_LANG": "tr", "PYTHONPATH": str(REPO), "POS_HOME": str(tmp_path)}
    env["POS_CONFIG"] = str(REPO / "config" / "pos.toml")
    done = subprocess.run(
        [sys.executable, "-m", "pos_tui.cli.app", "--db", central_url, "audit", "verify"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 1, done.stderr
    assert "T1" in done.stderr and "veritabanı" in done.stderr, done.stderr

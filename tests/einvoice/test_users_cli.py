"""``pos-admin einvoice users import|lookup|list``: in-process through the ``cli`` fixture, and once as a real
process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from einvoice_users_support import TEST_VKN, Alias, make_vkn, write_csv, write_zip

from pos_tui.core import staff
from pos_tui.settings import Settings
from pos_tui.store import close_database, open_database

REPO = Path(__file__).resolve().parents[2]
V1, V2 = make_vkn(7001), make_vkn(7002)


def _list(tmp_path: Path) -> Path:
    return write_csv(
        tmp_path / "liste.csv",
        [
            Alias(V1, "urn:mail:defaultpk@bir.com.tr", "BİR GIDA A.Ş."),
            Alias(V1, "urn:mail:defaultgb@bir.com.tr", "BİR GIDA A.Ş.", kind="GB"),
            Alias(V2, "urn:mail:defaultpk@iki.com.tr", "İKİ LTD.", document="DespatchAdvice"),
            Alias(TEST_VKN, "urn:mail:testpk@test.com", "TEST"),
        ],
    )


def _users(settings: Settings, db_path: Path, now: Any) -> None:
    open_database(db_path)
    staff.add_user("admin", "admin", "9999", now=now, settings=settings)
    staff.add_user("ayse", "cashier", "1111", now=now, settings=settings)
    close_database()


def test_import_lookup_and_list(
    cli: Callable[..., Any], tmp_path: Path, settings: Settings, db_path: Path, now: Any
) -> None:
    _users(settings, db_path, now)
    path = _list(tmp_path)
    r = cli("einvoice", "users", "import", str(path), "--json")
    assert r.exit_code == 0, r.stderr
    report = json.loads(r.stdout)
    assert (report["users"], report["aliases"], report["skipped"]) == (1, 2, 2)
    assert report["skipped_by_reason"] == {"not_invoice": 1, "deleted": 0, "check_digits": 1, "duplicate": 0}
    assert report["seconds"] >= 0

    r = cli("einvoice", "users", "import", str(path))
    assert r.exit_code == 0 and "1 users with 2 e-Fatura aliases imported" in r.stderr

    r = cli("einvoice", "users", "lookup", V1, "--json")
    found = json.loads(r.stdout)
    assert found["registered"] is True
    assert found["route"] == {"profile": "TEMELFATURA", "alias": "urn:mail:defaultpk@bir.com.tr", "via": "list"}
    assert [a["kind"] for a in found["aliases"]] == ["PK", "GB"]
    r = cli("einvoice", "users", "lookup", V1)
    assert "Today: e-Fatura TEMELFATURA → urn:mail:defaultpk@bir.com.tr" in r.stderr
    assert "urn:mail:defaultgb@bir.com.tr" in r.stdout

    r = cli("einvoice", "users", "lookup", V2)
    assert r.exit_code == 0 and "Today: e-Arşiv" in r.stderr and "not in GİB's user list" in r.stderr
    r = cli("einvoice", "users", "lookup", "12345")
    assert r.exit_code == 2 and "neither" in r.stderr

    r = cli("einvoice", "users", "list", "--json")
    listed = json.loads(r.stdout)
    assert (listed["users"], listed["aliases"], listed["shown"]) == (1, 2, 2)
    r = cli("einvoice", "users", "list", "--search", "gıda", "--limit", "1")
    assert r.exit_code == 0 and "1 users, 2 aliases" in r.stderr and V1 in r.stdout
    r = cli("einvoice", "users", "list", "--search", "yok böyle", "--json")
    assert json.loads(r.stdout)["shown"] == 0


def test_import_needs_the_einvoice_permission_and_names_bad_rows(
    cli: Callable[..., Any], tmp_path: Path, settings: Settings, db_path: Path, now: Any
) -> None:
    _users(settings, db_path, now)
    path = _list(tmp_path)
    r = cli("einvoice", "users", "import", str(path), "--user", "ayse")
    assert r.exit_code == 1 and "ayse may not" in r.stderr
    bad = write_zip(tmp_path / "bad.zip", {"liste.csv": "VKN;Unvan;Etiket\n123;X;urn:mail:a@b.c\n"})
    r = cli("einvoice", "users", "import", str(bad), "--json")
    assert r.exit_code == 1
    assert json.loads(r.stdout)["errors"] == [
        {"line": 2, "field": "VKN", "reason": "'123' is not a VKN (10 digits) or a TCKN (11 digits)"}
    ]
    assert "bad.zip:liste.csv: line 2, VKN:" in r.stderr
    r = cli("einvoice", "users", "list")
    assert "never imported" in r.stderr


def test_import_and_lookup_in_a_real_process(tmp_path: Path, settings: Settings, db_path: Path, now: Any) -> None:
    _users(settings, db_path, now)
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "POS_DB": str(db_path),
        "POS_HOME": str(tmp_path),
        "POS_CONFIG": str(REPO / "config" / "pos.toml"),
        "POS_LANG": "en",
    }
    run = subprocess.run(
        [sys.executable, "-m", "pos_tui.cli.app", "einvoice", "users", "import", str(_list(tmp_path)), "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["aliases"] == 2
    run = subprocess.run(
        [sys.executable, "-m", "pos_tui.cli.app", "einvoice", "users", "lookup", V1, "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert json.loads(run.stdout)["route"]["alias"] == "urn:mail:defaultpk@bir.com.tr"

"""``pos-admin pricelists``: add, set, import (a bad file writes nothing and names every row),
show --json, list; one run in a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from accounts_support import Books, books_fixture, quick_pins  # noqa: F401 (fixtures)

from pos_tui.store import close_database
from pos_tui.store import models as m

REPO = Path(__file__).resolve().parents[2]


def _ok(result: Any) -> Any:
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return json.loads(result.stdout) if result.stdout.strip().startswith(("{", "[")) else result.stdout


def test_add_set_show(books: Books, cli: Any) -> None:
    close_database()
    _ok(cli("pricelists", "add", "TOPTAN", "--name", "Toptan fiyatlar"))
    item = _ok(cli("pricelists", "set", "TOPTAN", "8690000000012", "--price", "8,50", "--json"))
    assert item["product"] == "1001" and item["price"] == "8.50" and item["result"] == "8.50"
    rule = _ok(cli("pricelists", "set", "TOPTAN", "--all", "--percent-off", "12,5", "--json"))
    assert rule["product"] is None and rule["percent_off"] == "12.50"
    dated = _ok(
        cli(
            "pricelists",
            "set",
            "TOPTAN",
            "1003",
            "--price",
            "99",
            "--from",
            "2026-01-01",
            "--to",
            "31.01.2026",
            "--json",
        )
    )
    assert (dated["valid_from"], dated["valid_to"]) == ("2026-01-01", "2026-01-31")
    shown = _ok(cli("pricelists", "show", "TOPTAN", "--date", "2026-01-15", "--json"))
    assert shown["code"] == "TOPTAN" and shown["date"] == "2026-01-15"
    by_product = {i["product"]: i for i in shown["items"]}
    assert by_product["1003"]["in_force"] is True and by_product["1003"]["result"] == "99.00"
    assert set(by_product) == {None, "1001", "1003"}
    later = _ok(cli("pricelists", "show", "TOPTAN", "--date", "2026-02-01", "--json"))
    assert {i["product"]: i["in_force"] for i in later["items"]}["1003"] is False
    assert _ok(cli("pricelists", "list", "--json")) == [{"code": "TOPTAN", "name": "Toptan fiyatlar", "items": 3}]
    text = _ok(cli("pricelists", "show", "TOPTAN"))
    assert "TOPTAN" in text and "8.50" in text


def test_set_refuses_bad_options(books: Books, cli: Any) -> None:
    close_database()
    _ok(cli("pricelists", "add", "TOPTAN", "--name", "Toptan"))
    both = cli("pricelists", "set", "TOPTAN", "1001", "--price", "1", "--percent-off", "2")
    assert both.exit_code != 0 and "either" in both.stderr
    bad_day = cli("pricelists", "set", "TOPTAN", "1001", "--price", "1", "--from", "32.01.2026")
    assert bad_day.exit_code != 0 and "--from" in bad_day.stderr
    unknown = cli("pricelists", "set", "TOPTAN", "NOPE", "--price", "1")
    assert unknown.exit_code != 0 and "NOPE" in unknown.stderr
    nobody = cli("pricelists", "set", "TOPTAN", "1001", "--price", "1", "--user", "ayse")
    assert nobody.exit_code != 0
    assert m.PriceListItem.select().count() == 0


def test_import_bad_file_writes_nothing_and_names_every_row(books: Books, cli: Any, tmp_path: Path) -> None:
    close_database()
    _ok(cli("pricelists", "add", "TOPTAN", "--name", "Toptan"))
    bad = tmp_path / "toptan.csv"
    bad.write_text("kod;fiyat;iskonto\n1001;8,50;\n1002;;\n1003;abc;\n", encoding="utf-8")
    result = cli("pricelists", "import", "TOPTAN", str(bad), "--json")
    assert result.exit_code != 0
    report = json.loads(result.stdout)
    assert report["imported"] is False
    assert [(e["line"], e["field"]) for e in report["errors"]] == [(3, "price"), (4, "price")]
    assert "line 3" in result.stderr and "line 4" in result.stderr and "nothing imported" in result.stderr
    assert m.PriceListItem.select().count() == 0
    good = tmp_path / "good.csv"
    good.write_text("barkod,fiyat\n8690000000012,8.50\n", encoding="utf-8")
    assert _ok(cli("pricelists", "import", "TOPTAN", str(good), "--json"))["added"] == 1


def test_subprocess_pricelists_list(books: Books, db_path: Path, tmp_path: Path) -> None:
    close_database()
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "POS_DB": str(db_path),
        "POS_HOME": str(tmp_path),
        "POS_CONFIG": str(REPO / "config" / "pos.toml"),
        "POS_LANG": "tr",
        "POS_TERMINAL": "T1",
    }
    run = [sys.executable, "-m", "pos_tui.cli.app"]
    added = subprocess.run(
        [*run, "pricelists", "add", "TOPTAN", "--name", "Toptan"], env=env, capture_output=True, text=True
    )
    assert added.returncode == 0, added.stderr
    listed = subprocess.run([*run, "pricelists", "list", "--json"], env=env, capture_output=True, text=True)
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout) == [{"code": "TOPTAN", "name": "Toptan", "items": 0}]
